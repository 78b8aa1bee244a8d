"""``twistd -n ecsta-pbxsim``: the simulator's options and service (:mod:`ecsta.sim.runtime`).

The command line overrides the configuration file, which overrides the defaults. A bad
configuration stops twistd with a usage error that names the key; a port that is taken stops it
with the listening error, before the simulator pretends to run.
"""

from dataclasses import asdict, fields, is_dataclass, replace
from typing import Any

from twisted.python import usage

from ecsta.daemon.config import ConfigError
from ecsta.daemon.logs import LogControl
from ecsta.daemon.reload import Outcome, Reloader, ReloadRefused
from ecsta.daemon.startup import Daemon, StartupError
from ecsta.sim.config import DEFAULT_CONTROL, DEFAULT_CSTA, SimConfig, load
from ecsta.sim.runtime import SimulatorService

__all__ = ["Options", "makeService"]


class Options(usage.Options):
    synopsis = "[--config FILE] [--csta ENDPOINT] [--control ENDPOINT] [--traffic RATE]"
    longdesc = (
        "A simulated Panasonic PBX: CSTA on --csta (as the PBX's port 33333), an HTTP control "
        "API on --control. Options given here override the configuration file."
    )
    optParameters = [
        ["config", "c", None, "TOML configuration file (see etc/pbxsim.toml)"],
        ["csta", None, None, f"CSTA listening endpoint [default: {DEFAULT_CSTA}]"],
        [
            "control",
            None,
            None,
            f'control API endpoint, "none" for none [default: {DEFAULT_CONTROL}]',
        ],
        ["traffic", None, None, "random calls started per second [default: 0]", float],
        ["seed", None, None, "seed of the random traffic", int],
    ]

    def postOptions(self) -> None:
        self.config = configure(self)


def configure(options: Options) -> SimConfig:
    """The file, then the command line over it; run again at every reload."""
    try:
        config = load(options["config"]) if options["config"] else SimConfig()
    except ConfigError as error:
        raise usage.UsageError(str(error)) from None
    if options["traffic"] is not None and options["traffic"] < 0:
        raise usage.UsageError("--traffic must be 0 or more calls per second")
    given = {"csta": options["csta"], "traffic": options["traffic"], "seed": options["seed"]}
    config = replace(config, **{k: v for k, v in given.items() if v is not None})
    if options["control"] is not None:
        control = options["control"]
        config = replace(config, control=None if control.lower() == "none" else control)
    return config


def makeService(options: Options) -> Daemon:
    """The simulator, and a reload on SIGHUP: traffic rate and log level in place."""
    from twisted.internet import reactor

    top = Daemon("ecsta-pbxsim", (StartupError,), LogControl(options.config.log_level))
    simulator = SimulatorService(reactor, options.config)
    simulator.setServiceParent(top)

    def prepare() -> SimConfig:
        try:
            return configure(options)
        except usage.UsageError as error:
            raise ReloadRefused(str(error)) from None

    def apply(config: SimConfig) -> Outcome:
        outcome = Outcome()
        if config.traffic != simulator.config.traffic:
            simulator.traffic.set_rate(config.traffic)
            outcome.changed.append(f"traffic rate: {config.traffic:g} calls per second")
        if top.logs.set_level(config.log_level):
            outcome.changed.append(f"log level: {config.log_level}")
        kept = replace(
            config, traffic=simulator.config.traffic, log_level=simulator.config.log_level
        )
        outcome.restart = [
            f.name
            for f in fields(SimConfig)
            if _described(getattr(kept, f.name)) != _described(getattr(simulator.config, f.name))
        ]
        simulator.config = replace(
            simulator.config, traffic=config.traffic, log_level=config.log_level
        )
        return outcome

    simulator.reloader = Reloader(reactor, "ecsta-pbxsim", prepare, apply)
    simulator.reloader.setServiceParent(top)
    return top


def _described(value: Any) -> Any:
    """A setting as its description, so that a plan read again equals the one read before
    (its devices themselves compare by identity)."""
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value
