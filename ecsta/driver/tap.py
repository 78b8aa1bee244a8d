"""``twistd -n ecsta-driver``: options, and the services that make up a running driver.

Command-line options override the config file. ``--pbx sim`` runs the simulator inside the
same process and connects to it. When the PBX endpoint is a ``tls:`` one (a mux's TLS port)
and no login is given, the original's default login admin/admin is used, with a warning: a mux
that still accepts it is open to anyone who can reach it.

A configuration with ``[[instances]]`` runs one driver per instance, each with its own PBX
link, lines and administration, behind one API; they share the host's licence pool. The
service refuses to start, naming the setting to change, when the licence directory, a state
directory or the log directory cannot be written: a driver that cannot keep its licences
would only leave every line out of service. Those refusals, an API endpoint that does not
parse and a port that is taken end ``twistd`` with one line naming the cause and exit status 1,
never with a traceback.
"""

import itertools
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from twisted.application.internet import ClientService
from twisted.application.service import MultiService
from twisted.internet.endpoints import serverFromString
from twisted.internet.interfaces import IStreamClientEndpoint
from twisted.logger import Logger, globalLogPublisher
from twisted.python import usage

from ecsta.daemon.capture import CaptureFile
from ecsta.daemon.certificates import CertificateError, listener_certificate
from ecsta.daemon.endpointform import endpoint_problem
from ecsta.daemon.endpoints import EndpointError, client_endpoint
from ecsta.daemon.listening import Listener
from ecsta.daemon.logs import LogControl
from ecsta.daemon.metrics import MetricsResource, PDUCounts
from ecsta.daemon.networks import is_loopback
from ecsta.daemon.reload import Reloader, ReloadResource, RenewableContext
from ecsta.daemon.sdnotify import Readiness
from ecsta.daemon.site import GuardedSite, answered_hosts
from ecsta.daemon.startup import Daemon, StartupError
from ecsta.daemon.tokens import BearerTokens
from ecsta.driver.admin import Administration, lines_overridden, overridden_sections
from ecsta.driver.api import Authorizer, api_root
from ecsta.driver.atomicfile import ensure_writable_directory
from ecsta.driver.config import (
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    ConfigError,
    DriverConfig,
    load,
)
from ecsta.driver.connection import Driver, DriverProtocol
from ecsta.driver.diagnostics import LogDirectory
from ecsta.driver.instances import Instances
from ecsta.driver.journaling import CdrJournaling
from ecsta.driver.licence import LicencePool, LicenceStateError, default_state_directory
from ecsta.driver.lines import Lines
from ecsta.driver.linestore import LineStoreError, StoredLine
from ecsta.driver.metrics import driver_registry
from ecsta.driver.reload import MuxLogin, Running, apply, prepare
from ecsta.driver.settingerrors import InvalidSetting
from ecsta.driver.statedir import default_state_directory as default_driver_state_directory
from ecsta.journal.service import Journal
from ecsta.journal.settings import service_state_directory
from ecsta.link.service import PBXClientFactory, pbx_client_service
from ecsta.web.driverconsole import DriverConsole

log = Logger()

#: Where the password for the login at a mux may come from, instead of the command line.
PASSWORD_VARIABLE = "ECSTA_DRIVER_PASSWORD"


class Options(usage.Options):
    synopsis = "[--config FILE] [--pbx ENDPOINT|sim] [--api ENDPOINT] [--user U --password P]"
    optParameters = [
        ["config", "c", None, "TOML configuration file"],
        [
            "pbx",
            None,
            None,
            "PBX or mux client endpoint (tcp:host=H:port=33333, "
            "tls:host=H:port=33334), or 'sim' for the built-in simulator",
        ],
        ["user", "u", None, "user name for the login at a mux"],
        [
            "password",
            "p",
            None,
            "password for the login at a mux (shows in the process list: prefer "
            f"--password-file or the environment variable {PASSWORD_VARIABLE})",
        ],
        ["password-file", None, None, "read the password for the login at a mux from this file"],
        ["api", None, None, "HTTP API endpoint [default: tcp:8782:interface=127.0.0.1]"],
        ["capture", None, None, "write the PBX link's PDUs to this pcap file (for tshark)"],
    ]

    def postOptions(self) -> None:
        try:
            self.config = settle(self)
        except ConfigError as error:
            raise usage.UsageError(str(error)) from None


def api_hosts(config: DriverConfig) -> list[str]:
    """The host names the API answers to (bearer tokens are required beyond loopback)."""
    return answered_hosts(config.api, config.hosts)


def _password(options: Any, environment: bool) -> str | None:
    """The password from ``--password-file``, ``--password`` or (for a configuration of one
    instance) the environment, in that order."""
    if options.get("password-file"):
        path = options["password-file"]
        try:
            with open(path, encoding="utf-8") as stream:
                return stream.read().rstrip("\r\n")
        except OSError as error:
            raise ConfigError("--password-file", f"cannot read {path}: {error.strerror}") from None
    if options["password"] is not None:
        log.warn(
            "--password shows in the process list: use --password-file or {variable}",
            variable=PASSWORD_VARIABLE,
        )
        return str(options["password"])
    return (os.environ.get(PASSWORD_VARIABLE) or None) if environment else None


def settle(options: Any) -> DriverConfig:
    """The configuration: the file, then the command line over it, then the checks."""
    config = load(options["config"]) if options["config"] else DriverConfig()
    options = {**options, "password": _password(options, not config.instances)}
    for key in ("pbx", "user", "password", "api", "capture"):
        if options[key] is not None:
            if config.instances and key != "api":
                raise ConfigError(
                    f"--{key}", "the configuration has [[instances]], each with its own"
                )
            setattr(config, key, options[key])
    if config.licence_directory is None:
        config.licence_directory = default_state_directory()
    if config.state_directory is None:
        config.state_directory = default_driver_state_directory()
    for instance in config.instances:
        if instance.state_directory is None:
            instance.state_directory = os.path.join(config.state_directory, instance.instance)
    if not is_loopback(config.api) and not config.tokens:
        raise ConfigError(
            "api.tokens",
            f"the API endpoint {config.api} is reachable beyond loopback: configure bearer tokens",
        )
    if not config.instances:
        _settle_login(config, "pbx.")
    for index, instance in enumerate(config.instances):
        _settle_login(instance, f"instances[{index}].")
    return config


def _settle_login(config: DriverConfig, where: str) -> None:
    """The endpoint and login of one instance: admin/admin at a TLS mux when none is given,
    with a warning, and never half a login."""
    if config.pbx != "sim":
        problem = endpoint_problem(config.pbx)
        if problem is not None:
            raise ConfigError(f"{where}endpoint" if where == "pbx." else where + "pbx", problem)
    if config.pbx.startswith("tls:") and config.user is None:
        config.user, config.password = DEFAULT_USER, DEFAULT_PASSWORD
    if (config.user, config.password) == (DEFAULT_USER, DEFAULT_PASSWORD):
        log.warn(
            "{instance}: logging in with the default login admin/admin: change it at the mux",
            instance=config.instance,
        )
    if (config.user is None) != (config.password is None):
        raise ConfigError(
            f"{where}password" if config.password is None else f"{where}user",
            "a login needs both user and password",
        )


@dataclass
class DriverServices:
    """What :func:`build` made: ``top`` holds the others, in the order they must start.

    ``driver`` and ``link`` are the first instance's; ``instances`` has every instance.
    """

    top: MultiService
    driver: Driver
    link: ClientService
    api: Listener
    instances: Instances
    #: The web console, which logs in with the API's tokens.
    console: DriverConsole
    #: The ``ssl:`` API endpoint's certificate, which a reload renews.
    api_certificate: RenewableContext | None = None
    #: Set by ``makeService``: what SIGHUP and ``POST /reload`` run.
    reloader: Reloader[Any] | None = None
    #: The API's bearer tokens, which a reload replaces.
    tokens: BearerTokens = field(default_factory=BearerTokens)
    #: Each instance's login at its mux, which a reload replaces.
    logins: dict[str, MuxLogin] = field(default_factory=dict)


#: The endpoint an instance's PBX link connects to, given the instance's configuration.
PBXEndpoint = Callable[[DriverConfig], IStreamClientEndpoint]


def build(
    reactor: Any,
    config: DriverConfig,
    pbx_endpoint: PBXEndpoint | None = None,
) -> DriverServices:
    """The driver's services: per instance a PBX link and a driver, then the API server.

    ``pbx_endpoint`` replaces the configured PBX endpoint of every instance: a program that
    embeds the driver, a bench or a test connects each instance where it wants (its own PBX
    in memory), through the same composition as ``twistd``'s.
    """
    top = MultiService()
    pool = _licence_pool(config)
    configs = config.each_instance()
    call_ids, requests = itertools.count(1), itertools.count(1)
    drivers: list[tuple[str, Driver, PDUCounts]] = []
    links: list[ClientService] = []
    logins: dict[str, MuxLogin] = {}
    for index, instance in enumerate(configs):
        admin = _administration(instance, pool, f"instances[{index}]." if config.instances else "")
        admin.canonical_numbers = len(configs) > 1
        if admin.canonical_numbers and not admin.settings.location.use_location:
            log.warn(
                "instance {instance}: several instances run but its location is not in use: "
                "its extensions are reported without the location that tells them apart",
                instance=instance.instance,
            )
        endpoint = pbx_endpoint(instance) if pbx_endpoint is not None else None
        driver, pdus, login = _instance_services(
            reactor, instance, admin, top, endpoint, call_ids, requests
        )
        drivers.append((instance.instance, driver, pdus))
        links.append(login.link)
        logins[instance.instance] = login
    if config.log_directory is not None:
        globalLogPublisher.addObserver(_log_directory(config.log_directory).observer)
    instances = Instances.of([(name, driver) for name, driver, _ in drivers])
    tokens = BearerTokens(config.tokens)
    console = DriverConsole(reactor, tokens)
    root = console.mount(api_root(instances, tokens, session=console.gate.allows))
    allows = Authorizer(tokens).allows
    root.putChild(b"metrics", MetricsResource(driver_registry(drivers), allows))
    root.putChild(b"reload", ReloadResource(lambda: services.reloader, allows))
    site = GuardedSite(root, hosts=api_hosts(config), reactor=reactor)
    api = Listener(serverFromString(reactor, config.api), site)
    api.setServiceParent(top)
    certificate = RenewableContext.wrap(api.endpoint)
    services = DriverServices(
        top,
        drivers[0][1],
        links[0],
        api,
        instances,
        console,
        api_certificate=certificate,
        tokens=tokens,
        logins=logins,
    )
    return services


def _instance_services(
    reactor: Any,
    config: DriverConfig,
    admin: Administration,
    top: MultiService,
    endpoint: IStreamClientEndpoint | None,
    call_ids: Iterator[int],
    requests: Iterator[int],
) -> tuple[Driver, PDUCounts, MuxLogin]:
    """One instance's simulator (for ``sim``), driver, capture and PBX link, added to ``top``."""
    if endpoint is None:
        if config.pbx == "sim":
            sim_service, endpoint = _embedded_simulator(reactor, config.sim_config)
            sim_service.setServiceParent(top)
        else:
            try:
                endpoint = client_endpoint(reactor, config.pbx)
            except EndpointError as error:
                raise ConfigError("pbx.endpoint", str(error)) from None
    lines = Lines()
    for stored in admin.store.lines:
        lines.add(stored.number, stored.name)
    advanced = admin.settings.advanced
    driver = Driver(
        reactor,
        lines,
        auto_load=not admin.store.lines,
        read_names=advanced.read_names,
        snapshot_interval=advanced.snapshot_interval,
        monitor_retry_interval=advanced.monitor_retry_interval,
        admin=admin,
        call_ids=call_ids,
        requests=requests,
    )
    driver.setServiceParent(top)
    if config.journal.enabled and config.user is not None:
        log.warn(
            "[journal] enabled is ignored: the driver logs in at a mux, which keeps the journal"
        )
    elif config.journal.enabled:
        state = config.state_directory or service_state_directory()
        journal = Journal(reactor, config.journal, state)
        journal.setServiceParent(top)
        driver.journaling = CdrJournaling(journal)
    factory = PBXClientFactory(
        reactor,
        DriverProtocol,
        driver=driver,
        user=config.user,
        password=config.password,
        request_timeout=config.request_timeout,
    )
    pdus = PDUCounts()
    factory.capture = pdus
    if config.capture:
        CaptureFile(pdus, config.capture).setServiceParent(top)
    link = pbx_client_service(
        reactor, endpoint, factory, on_associated=driver.associated, health=driver.health
    )
    link.setServiceParent(top)
    return driver, pdus, MuxLogin(driver, factory, link)


def _licence_pool(config: DriverConfig) -> LicencePool | None:
    """The host's licence pool, which every instance shares; the service does not start on
    one it could not keep."""
    if config.licence_directory is None:
        return None
    pool = LicencePool(config.licence_directory)
    try:
        pool.check_writable()
    except LicenceStateError as error:
        raise ConfigError(
            "admin.licenceDirectory",
            f"{error}: set licenceDirectory in the [admin] section of the configuration to a "
            "directory this user can write, or give this user write access to it",
        ) from None
    return pool


def _administration(config: DriverConfig, pool: LicencePool | None, where: str) -> Administration:
    """Settings, stored lines and licences; the configured lines seed an empty line store.

    ``where`` starts the keys of the instance's own settings in error messages.
    """
    state_key = f"{where}stateDirectory" if where else "admin.stateDirectory"
    if config.state_directory is not None:  # None only for drivers built without twistd
        try:
            ensure_writable_directory(config.state_directory)
        except OSError as error:
            raise ConfigError(
                state_key,
                f"the state directory {config.state_directory} cannot be written by this user "
                f"({error.strerror or error}): set {state_key} to a directory this user can "
                "write, or give this user write access to it",
            ) from None
    try:
        admin = Administration.from_config(config, pool)
        if not admin.store.lines:
            admin.store.merge(StoredLine(n, config.names.get(n, "")) for n in config.lines)
    except InvalidSetting as error:
        raise ConfigError(f"{where}{error.path}", error.reason) from None
    except LineStoreError as error:
        raise ConfigError(f"{where}lines" if where else "lines.numbers", str(error)) from None
    overridden = overridden_sections(config)
    if overridden:
        log.warn(
            "{instance}: the settings saved through the API ({path}) override these sections "
            "of the configuration, which are not used: {sections}; change them through the "
            "API, or delete the saved settings to use the configuration's",
            instance=config.instance,
            path=admin.settings_path,
            sections=", ".join(f"[{where}{section}]" for section in overridden),
        )
    kept = lines_overridden(config)
    if kept is not None:
        log.warn(
            "{instance}: the lines kept in {path} are the lines, not those of the configuration "
            "({key}): add or remove lines through the API, the console or ecsta lines import",
            instance=config.instance,
            path=kept,
            key=f"{where}lines" if where else "[lines] numbers",
        )
    return admin


def _log_directory(directory: str) -> LogDirectory:
    """The log files; the service does not start on a directory it could not write them to."""
    try:
        return LogDirectory(directory)
    except OSError as error:
        raise ConfigError(
            "admin.logDirectory",
            f"the log directory {directory} cannot be written by this user "
            f"({error.strerror or error}): set logDirectory in the [admin] section of the "
            "configuration to a directory this user can write, or give this user write access "
            "to it",
        ) from None


def _embedded_simulator(reactor: Any, sim_config: str | None) -> tuple[Any, Any]:
    """The simulator in this process; ``sim_config`` is its own TOML file, if any."""
    from ecsta.sim.config import load as load_sim_config
    from ecsta.sim.runtime import embedded_simulator

    try:
        config = load_sim_config(sim_config) if sim_config else None
    except ConfigError as error:
        raise ConfigError("sim.config", str(error)) from None
    return embedded_simulator(reactor, config)


def makeService(options: Options) -> Daemon:
    from twisted.internet import reactor

    return compose(reactor, options)[0]


def compose(
    reactor: Any, options: Options, pbx_endpoint: PBXEndpoint | None = None
) -> tuple[Daemon, DriverServices]:
    """What ``twistd`` runs of ``options``, on ``reactor``: the daemon, with its reload and
    readiness, and the driver's services within it (``pbx_endpoint`` as for :func:`build`)."""
    config: DriverConfig = options.config
    try:
        try:
            serverFromString(reactor, config.api)
        except Exception as error:  # the endpoint parsers raise ValueError, KeyError, ...
            raise ConfigError(
                "api.endpoint", f"{config.api!r} is not an endpoint: {error}"
            ) from None
        try:
            listener_certificate(config.api, time.time())
        except CertificateError as error:
            raise ConfigError("api.endpoint", str(error)) from None
        services = build(reactor, config, pbx_endpoint)
    except ConfigError as error:
        sys.stderr.write(f"ecsta-driver: {error}\n")
        raise SystemExit(1) from None
    daemon = Daemon("ecsta-driver", (StartupError,), LogControl(config.log_level))
    services.top.setServiceParent(daemon)
    running = Running(
        config,
        services.instances,
        daemon.logs,
        services.api_certificate,
        services.tokens,
        services.console.gate.sessions.close_all,
        services.logins,
    )
    services.reloader = Reloader(
        reactor,
        "ecsta-driver",
        lambda: prepare(lambda: settle(options), reactor),
        lambda prepared: apply(running, prepared),
    )
    services.reloader.setServiceParent(daemon)
    Readiness(reactor).setServiceParent(daemon)
    return daemon, services
