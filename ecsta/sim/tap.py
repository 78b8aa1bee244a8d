"""``twistd -n ecsta-pbxsim``: the simulator as a service, and embedded in other services.

The command line overrides the configuration file, which overrides the defaults. A bad
configuration stops twistd with a usage error that names the key; a port that is taken stops it
with the listening error, before the simulator pretends to run.
"""

from dataclasses import asdict, fields, is_dataclass, replace
from typing import Any

from twisted.application import service
from twisted.internet import defer
from twisted.internet.endpoints import TCP4ClientEndpoint, serverFromString
from twisted.internet.error import CannotListenError
from twisted.internet.interfaces import (
    IListeningPort,
    IProtocol,
    IProtocolFactory,
    IStreamServerEndpoint,
)
from twisted.internet.protocol import Factory
from twisted.python import usage
from twisted.python.failure import Failure
from twisted.web.server import Site

from ecsta.daemon.logs import LogControl
from ecsta.daemon.reload import Outcome, Reloader, ReloadRefused, ReloadResource
from ecsta.daemon.startup import Daemon
from ecsta.sim.config import DEFAULT_CONTROL, DEFAULT_CSTA, SimConfig, load
from ecsta.sim.control import Controller, api_root
from ecsta.sim.errors import ConfigError
from ecsta.sim.server import SimulatorFactory
from ecsta.sim.traffic import TrafficGenerator

__all__ = ["Listener", "Options", "SimulatorService", "embedded_simulator", "makeService"]


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


class Listener(service.Service):
    """Listens on an endpoint while running; a port that cannot be had fails the start.

    twistd then exits with the listening error instead of running a simulator nobody can
    reach. ``listening`` fires with the port.
    """

    def __init__(self, endpoint: IStreamServerEndpoint, factory: Factory[Any]) -> None:
        self.endpoint: Any = endpoint
        self.factory = factory
        self.port: Any = None
        self.listening: defer.Deferred[IListeningPort] = defer.Deferred()

    def privilegedStartService(self) -> None:
        super().privilegedStartService()
        failed: list[Failure] = []
        self.endpoint.listen(self.factory).addCallbacks(self._listening, failed.append)
        if failed:
            failed[0].raiseException()  # the start fails, naming the port: nothing listens

    def _listening(self, port: IListeningPort) -> None:
        self.port = port
        self.listening.callback(port)

    def stopService(self) -> "defer.Deferred[None] | None":
        super().stopService()
        port, self.port = self.port, None
        if port is None:
            return None
        return defer.maybeDeferred(port.stopListening)


class SimulatorService(service.MultiService):
    """The switch with its CSTA listener, its control API and its traffic.

    ``factory`` is the simulator; ``csta.listening`` fires with the CSTA port once it listens.
    """

    def __init__(self, reactor: Any, config: SimConfig) -> None:
        super().__init__()
        self.config = config
        self.factory = SimulatorFactory(reactor, config)
        self.traffic = TrafficGenerator(self.factory, 0.0, config.seed)
        self.controller = Controller(self.factory, self.traffic)
        self.csta = Listener(serverFromString(reactor, config.csta), self.factory)
        self.csta.setServiceParent(self)
        self.control: Listener | None = None
        #: Set by ``makeService``: what SIGHUP and ``POST /reload`` on the control API run.
        self.reloader: Reloader[SimConfig] | None = None
        if config.control is not None:
            root = api_root(self.controller)
            without = "this simulator runs inside a mux or driver: reload that instead"
            root.putChild(b"reload", ReloadResource(lambda: self.reloader, without=without))
            site = Site(root)
            site.noisy = False
            self.control = Listener(serverFromString(reactor, config.control), site)
            self.control.setServiceParent(self)

    def startService(self) -> None:
        super().startService()
        self.traffic.set_rate(self.config.traffic)

    def stopService(self) -> Any:
        self.traffic.stop()
        self.factory.stop()
        return super().stopService()


def makeService(options: Options) -> Daemon:
    """The simulator, and a reload on SIGHUP: traffic rate and log level in place."""
    from twisted.internet import reactor

    top = Daemon("ecsta-pbxsim", (CannotListenError,), LogControl(options.config.log_level))
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


class _EmbeddedEndpoint:
    """Connects to an embedded simulator once it listens, on whatever port it got."""

    def __init__(self, reactor: Any, simulator: SimulatorService) -> None:
        self.reactor = reactor
        self.simulator = simulator

    def connect(self, factory: IProtocolFactory) -> "defer.Deferred[IProtocol]":
        return defer.ensureDeferred(self._connect(factory))

    async def _connect(self, factory: IProtocolFactory) -> IProtocol:
        listening: Any = self.simulator.csta.listening
        port = self.simulator.csta.port
        if port is None:
            # Wait for the port without taking it from others who wait for it too.
            ready: defer.Deferred[Any] = defer.Deferred()

            def relay(result: Any) -> Any:
                ready.callback(result)
                return result

            listening.addBoth(relay)
            port = await ready
        endpoint: Any = TCP4ClientEndpoint(self.reactor, "127.0.0.1", port.getHost().port)
        protocol: IProtocol = await endpoint.connect(factory)
        return protocol


def embedded_simulator(
    reactor: Any, config: SimConfig | None = None
) -> tuple[SimulatorService, _EmbeddedEndpoint]:
    """A simulator inside another service's process (``--pbx sim``), and how to reach it.

    Unless the configuration says otherwise the simulator listens on a free loopback port and
    runs no control API, so that it never clashes with the host service's own ports. The
    returned client endpoint connects to it once it listens; add the service to the parent
    before the client service that uses the endpoint.
    """
    if config is None:
        config = SimConfig(csta="tcp:0:interface=127.0.0.1", control=None)
    simulator = SimulatorService(reactor, config)
    return simulator, _EmbeddedEndpoint(reactor, simulator)
