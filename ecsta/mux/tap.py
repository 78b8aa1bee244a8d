"""``twistd ecsta-mux``: options, configuration file, and the service they describe.

Every setting comes from the TOML file given with ``--config`` (see :mod:`ecsta.mux.config`);
the options below override it. Everything that can be checked before the reactor runs is checked
while the options are parsed, so that a bad setting, a missing certificate or a key that does not
match its certificate ends ``twistd`` with one line naming the cause. What can only fail later,
an endpoint that does not parse or a port that is taken, ends it the same way: one line, logged
at critical level, and exit status 1, never a traceback through twistd that buries the cause.

``--pbx sim`` runs the built-in simulator in the same process, on a free loopback port unless
the ``[sim]`` table says otherwise, and connects the multiplexer to it, so that the multiplexer
can be tried without a PBX. The ``[sim]`` table is read as the simulator's own configuration
file (``[sim.plan]``, ``[sim.control] endpoint`` to expose its control API, ...).
"""

from typing import Any

from twisted.internet.error import CannotListenError
from twisted.logger import Logger
from twisted.python import usage

from ecsta.daemon.endpointform import endpoint_problem
from ecsta.daemon.logs import LogControl
from ecsta.daemon.reload import Reloader
from ecsta.daemon.sdnotify import Readiness
from ecsta.daemon.startup import Daemon
from ecsta.mux.config import ConfigError, MuxConfig, from_dict, load, override
from ecsta.mux.reload import apply, prepare
from ecsta.mux.service import MuxService, StartupError, parse_server_endpoint
from ecsta.web.muxconsole import StatusRoot

log = Logger()

#: Where the built-in simulator takes CSTA associations unless ``[sim.csta] endpoint`` says.
SIM_CSTA = "tcp:0:interface=127.0.0.1"


class Options(usage.Options):
    synopsis = "[options]"
    longdesc = (
        "Lets up to 1000 CSTA applications share the one CSTA association of a Panasonic PBX. "
        "Applications connect as they would to the PBX (TCP 33333, TLS 33334)."
    )
    optParameters = [
        ["config", "c", None, "TOML configuration file (every setting; options override it)"],
        ["pbx", None, None, "PBX endpoint, e.g. tcp:host=192.168.0.101:port=33333, or 'sim'"],
        ["status", None, None, "HTTP status endpoint, e.g. tcp:33335:interface=127.0.0.1"],
        ["capture", None, None, "write the PBX link's PDUs to this pcap file (for tshark)"],
        ["max-applications", None, None, "most applications connected at once", int],
    ]
    optFlags = [["require-login", None, "require a login on TCP listeners too"]]

    def __init__(self) -> None:
        super().__init__()
        self["listen"] = []
        self["listen-tls"] = []
        self.config: MuxConfig = MuxConfig()

    def opt_listen(self, endpoint: str) -> None:
        """Application endpoint, e.g. tcp:33333:interface=127.0.0.1 (repeatable)"""
        self["listen"].append(endpoint)

    def opt_listen_tls(self, endpoint: str) -> None:
        """TLS application endpoint, e.g. ssl:33334:privateKey=key.pem:certKey=cert.pem
        (repeatable)"""
        self["listen-tls"].append(endpoint)

    def postOptions(self) -> None:
        self.config = configure(self)


def configure(options: Options) -> MuxConfig:
    """The configuration: the file, then the command line over it, then the checks.

    Run again at every reload, so that the options given at start keep overriding the file.
    """
    try:
        config = load(options["config"]) if options["config"] else from_dict({})
        if options["pbx"]:
            config = override(config, "pbx", endpoint=options["pbx"])
        if options["status"] is not None:
            config = override(config, "status", endpoint=options["status"])
        if options["capture"] is not None:
            config = override(config, "pbx", capture=options["capture"])
        if options["max-applications"] is not None:
            config = override(config, "applications", max_applications=options["max-applications"])
        listen: dict[str, Any] = {}
        if options["listen"]:
            listen["tcp"] = list(options["listen"])
        if options["listen-tls"]:
            listen["tls"] = list(options["listen-tls"])
        if options["require-login"]:
            listen["require_login"] = True
        if listen:
            config = override(config, "listen", **listen)
        if config.pbx.endpoint == "sim":
            simulator_config(config)
        else:
            problem = endpoint_problem(config.pbx.endpoint)
            if problem is not None:
                raise ConfigError("pbx.endpoint", problem)
    except ConfigError as error:
        raise usage.UsageError(str(error)) from error
    try:
        tls_endpoints(config)
    except StartupError as error:
        raise usage.UsageError(str(error)) from error
    return config


def tls_endpoints(config: MuxConfig) -> dict[str, Any]:
    """The TLS listeners' endpoints (the status port's too, when it is ``ssl:``), their
    certificates and keys loaded and checked."""
    from twisted.internet import reactor

    descriptions = [*config.listen.tls]
    if config.status.endpoint.split(":", 1)[0].strip().lower() == "ssl":
        descriptions.append(config.status.endpoint)
    return {
        description: parse_server_endpoint(reactor, description) for description in descriptions
    }


def simulator_config(config: MuxConfig) -> Any:
    """The built-in simulator's settings: the ``[sim]`` table, read as the simulator's own file.

    Unless that table says otherwise, the simulator listens on a free loopback port and runs no
    control API, so that it takes none of the ports an operator has planned for.
    """
    from ecsta.sim.config import parse

    document = {
        key: dict(value) if isinstance(value, dict) else value for key, value in config.sim.items()
    }
    document.setdefault("csta", {}).setdefault("endpoint", SIM_CSTA)
    document.setdefault("control", {}).setdefault("endpoint", "")
    try:
        return parse(document)
    except ConfigError as error:
        raise ConfigError(f"sim.{error.key}", error.message) from error


def makeService(options: Options) -> Daemon:
    from twisted.internet import reactor

    config = options.config
    top = Daemon("ecsta-mux", (StartupError, CannotListenError), LogControl(config.log.level))
    try:
        endpoint = None
        if config.pbx.endpoint == "sim":
            from ecsta.sim.runtime import embedded_simulator

            simulator, endpoint = embedded_simulator(reactor, simulator_config(config))
            simulator.setServiceParent(top)
        mux = MuxService(reactor, config, pbx_endpoint=endpoint, status_root=StatusRoot)
        mux.setServiceParent(top)
    except StartupError as error:
        # Logging has not started yet: this line goes to stderr as it is.
        raise SystemExit(f"ecsta-mux: {error}") from None
    reloader = Reloader(
        reactor,
        "ecsta-mux",
        lambda: prepare(lambda: configure(options), tls_endpoints),
        lambda prepared: apply(mux, top.logs, prepared),
    )
    reloader.setServiceParent(top)
    mux.reloader = reloader
    Readiness(reactor).setServiceParent(top)
    return top
