"""The multiplexer's settings: every option, its default, and a TOML file that sets them.

A configuration file is read with :mod:`tomllib` and checked as a whole before anything starts;
an error names the offending key (``applications.max_applications: expected an integer >= 1,
got 0``), so that an operator can fix the file without reading code. Keys the file does not
know are errors too: a misspelt key silently ignored is a setting that silently does not apply.
Command-line options override the file (see :mod:`ecsta.mux.tap`).

Example (every key, with its default)::

    [pbx]
    endpoint = "tcp:host=192.168.0.101:port=33333"   # or "sim": the built-in simulator
    request_timeout = 30.0          # seconds a request may wait for the PBX's answer
    max_in_flight = 16              # requests in flight to the PBX; more wait in a queue
    reconnect_initial_delay = 1.0
    reconnect_max_delay = 60.0
    watchdog = 330.0                # drop a PBX link without a keep-alive for this long
    down_status = "disabled"        # systemStatus applications get while the PBX is away
    capture = ""                    # write the PBX link to this pcap file ("": none)

    [listen]
    tcp = ["tcp:33333"]             # application ports (Twisted endpoint strings)
    tls = []                        # e.g. "ssl:33334:privateKey=key.pem:certKey=cert.pem"
    require_login = false           # also on TCP (TLS always requires it)
    backlog = 1024                  # listen backlog of tcp: and ssl: listeners without backlog=

    [listen.allow]                  # networks each listener accepts; a listener not listed
                                    # accepts any, e.g. "tcp:33333" = ["192.168.0.0/24"]

    [applications]
    max_applications = 1000
    max_open_requests = 32          # per application: queued plus in flight
    max_monitors = 1000             # per application: monitored objects, starting ones included
    max_output_buffer = 1048576     # bytes queued for an application that does not read
    socket_send_buffer = 65536      # the kernel's send buffer per application (0: its default)
    keepalive_interval = 90.0
    keepalive_misses = 2
    owner_answer_timeout = 10.0     # a CDR / data collection owner's time to answer a report
    max_pdu = 65535
    max_unassociated = 256          # connections not associated yet, all addresses
    max_unassociated_per_address = 64
    association_timeout = 10.0      # seconds from connecting to the AARQ

    [login]
    free_failures = 3
    delay = 1.0
    max_delay = 16.0
    lockout_failures = 10
    lockout_seconds = 300.0
    window = 600.0
    user_lockout_failures = 30      # failures of one user name, from any addresses
    hash_threads = 2                # password checks at once, each on a thread of its own

    [users]
    alice = "scrypt$16384$8$1$<salt>$<hash>"     # made by ecsta.daemon.auth.hash_password

    [status]
    endpoint = "tcp:33335:interface=127.0.0.1"   # "" turns the status page off
    hosts = []                      # Host header names answered ("*": any); empty: loopback
                                    # names if the endpoint is on loopback, any beyond it

    [console]
    users = []                      # who may log in to the web console (/console/ on the
                                    # status port), names from [users]; empty: every user

    [log]
    level = "info"                  # debug, info, warn, error or critical (reloadable)

    [journal]
    enabled = true                  # keep every call record (docs/journal.md)
    path = "journal.sqlite"         # relative: to the state directory ($STATE_DIRECTORY, else
                                    # the working directory)
    postgres = ""                   # a PostgreSQL DSN instead of the SQLite file
    retention_days = 0              # 0 keeps every call

    [sim]
    # the built-in simulator (--pbx sim), configured as in its own file: [sim.csta],
    # [sim.control], [sim.cdr], [sim.traffic], [sim.plan]; by default it listens on a free
    # loopback port and runs no control API
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ecsta.daemon.auth import HashFormatError, LoginGuard, Users
from ecsta.daemon.config import (
    Check,
    ConfigError,
    boolean,
    checked,
    endpoint,
    log_level,
    number,
    one_of,
    read_toml,
    string,
    strings,
    table,
)
from ecsta.daemon.networks import networks
from ecsta.journal import settings as journal_settings
from ecsta.journal.settings import JournalSettings
from ecsta.link.protocol import KEEPALIVE_INTERVAL, KEEPALIVE_MISSES, WATCHDOG
from ecsta.mux.router import RouterSettings

#: The defaults of the limits the router and the login guard enforce are theirs: the file's
#: defaults are read from them, so that a router or guard built without a file behaves alike.
_ROUTER = RouterSettings()
_GUARD = LoginGuard()

#: systemStatus values an application may be shown while the PBX is away
#: (CSTA-device-feature-types SystemStatus, all but normal).
DOWN_STATUSES = (
    "disabled",
    "partiallyDisabled",
    "enabled",
    "initializing",
    "messagesLost",
    "overloadImminent",
    "overloadReached",
    "overloadRelieved",
)


@dataclass(frozen=True)
class PBXSettings:
    endpoint: str = "sim"
    request_timeout: float = _ROUTER.request_timeout
    max_in_flight: int = _ROUTER.max_in_flight
    reconnect_initial_delay: float = 1.0
    reconnect_max_delay: float = 60.0
    watchdog: float = WATCHDOG
    down_status: str = _ROUTER.down_status
    capture: str = ""


@dataclass(frozen=True)
class ListenSettings:
    tcp: tuple[str, ...] = ("tcp:33333",)
    tls: tuple[str, ...] = ()
    require_login: bool = False
    backlog: int = 1024
    #: Listener (as written in tcp, tls or status.endpoint) -> networks it accepts; a listener
    #: without an entry accepts any address.
    allow: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ApplicationSettings:
    max_applications: int = _ROUTER.max_applications
    max_open_requests: int = _ROUTER.max_open_requests
    max_monitors: int = _ROUTER.max_monitors
    max_output_buffer: int = 1 << 20
    socket_send_buffer: int = 1 << 16
    keepalive_interval: float = KEEPALIVE_INTERVAL
    keepalive_misses: int = KEEPALIVE_MISSES
    owner_answer_timeout: float = _ROUTER.owner_answer_timeout
    max_pdu: int = 0xFFFF
    max_unassociated: int = 256
    max_unassociated_per_address: int = 64
    association_timeout: float = 10.0


@dataclass(frozen=True)
class LoginSettings:
    free_failures: int = _GUARD.free_failures
    delay: float = _GUARD.delay
    max_delay: float = _GUARD.max_delay
    lockout_failures: int = _GUARD.lockout_failures
    lockout_seconds: float = _GUARD.lockout_seconds
    window: float = _GUARD.window
    user_lockout_failures: int = _GUARD.user_lockout_failures
    #: Not the guard's: how many password checks the service runs at once.
    hash_threads: int = 2

    def guard(self) -> LoginGuard:
        """A guard with these settings; the mux keeps one for its CSTA ports and its console."""
        policy = asdict(self)
        del policy["hash_threads"]
        return LoginGuard(**policy)


@dataclass(frozen=True)
class StatusSettings:
    endpoint: str = "tcp:33335:interface=127.0.0.1"
    #: Host names the status port answers to; empty: loopback names on loopback, else any.
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsoleSettings:
    users: tuple[str, ...] = ()


@dataclass(frozen=True)
class LogSettings:
    level: str = "info"


@dataclass(frozen=True)
class MuxConfig:
    pbx: PBXSettings = field(default_factory=PBXSettings)
    listen: ListenSettings = field(default_factory=ListenSettings)
    applications: ApplicationSettings = field(default_factory=ApplicationSettings)
    login: LoginSettings = field(default_factory=LoginSettings)
    users: Mapping[str, str] = field(default_factory=dict)
    status: StatusSettings = field(default_factory=StatusSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    log: LogSettings = field(default_factory=LogSettings)
    journal: JournalSettings = field(default_factory=JournalSettings)
    sim: Mapping[str, Any] = field(default_factory=dict)

    def user_table(self) -> Users:
        return Users(self.users)


#: The application listeners: one endpoint string, or a list of them.
_endpoints = strings("endpoint strings", endpoint)


def _listeners(key: str, value: Any) -> tuple[str, ...]:
    return _endpoints(key, [value] if isinstance(value, str) else value)


def _allow(key: str, value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ConfigError(key, f"expected a table of listener = [networks], got {value!r}")
    out: dict[str, tuple[str, ...]] = {}
    for listener, texts in value.items():
        where = f"{key}.{listener!r}"
        if not isinstance(texts, list) or not texts:
            raise ConfigError(where, "expected a list of networks such as '10.0.0.0/8'")
        for index, text in enumerate(texts):
            try:
                networks([string(f"{where}[{index}]", text)])
            except ConfigError:
                raise
            except ValueError as error:
                raise ConfigError(f"{where}[{index}]", str(error)) from None
        out[listener] = tuple(texts)
    return out


_CHECKS: dict[str, dict[str, Check]] = {
    "pbx": {
        "endpoint": endpoint,
        "request_timeout": number(0, exclusive=True),
        "max_in_flight": number(1, integer=True),
        "reconnect_initial_delay": number(0, exclusive=True),
        "reconnect_max_delay": number(0, exclusive=True),
        "watchdog": number(0, exclusive=True),
        "down_status": one_of(*DOWN_STATUSES),
        "capture": string,
    },
    "listen": {
        "tcp": _listeners,
        "tls": _listeners,
        "require_login": boolean,
        "backlog": number(1, integer=True),
        "allow": _allow,
    },
    "applications": {
        "max_applications": number(1, integer=True),
        "max_open_requests": number(1, integer=True),
        "max_monitors": number(1, integer=True),
        "max_output_buffer": number(1024, integer=True),
        "socket_send_buffer": number(0, integer=True),
        "keepalive_interval": number(0, exclusive=True),
        "keepalive_misses": number(1, integer=True),
        "owner_answer_timeout": number(0, exclusive=True),
        "max_pdu": number(64, integer=True),
        "max_unassociated": number(1, integer=True),
        "max_unassociated_per_address": number(1, integer=True),
        "association_timeout": number(0, exclusive=True),
    },
    "login": {
        "free_failures": number(0, integer=True),
        "delay": number(0),
        "max_delay": number(0),
        "lockout_failures": number(1, integer=True),
        "lockout_seconds": number(0),
        "window": number(0, exclusive=True),
        "user_lockout_failures": number(1, integer=True),
        "hash_threads": number(1, integer=True),
    },
    "status": {
        "endpoint": string,
        "hosts": strings('host names ("*": any)'),
    },  # "" turns the status page off
    "console": {"users": strings("user names")},
    "log": {"level": log_level},
}

_SECTIONS: dict[str, type] = {
    "pbx": PBXSettings,
    "listen": ListenSettings,
    "applications": ApplicationSettings,
    "login": LoginSettings,
    "status": StatusSettings,
    "console": ConsoleSettings,
    "log": LogSettings,
}


def from_dict(document: Mapping[str, Any]) -> MuxConfig:
    """Check a parsed configuration document and build the settings from it."""
    config = MuxConfig()
    for section, body in document.items():
        if section in ("users", "sim"):
            table(section, body)
            continue
        if section == "journal":
            config = replace(config, journal=journal_settings.check(table(section, body)))
            continue
        if section not in _SECTIONS:
            known = ", ".join([*_SECTIONS, "journal", "users", "sim"])
            raise ConfigError(section, f"unknown section (known: {known})")
        values = checked(section, body, _CHECKS[section])
        config = replace(config, **{section: replace(getattr(config, section), **values)})
    users = document.get("users", {})
    for name, text in users.items():
        if not isinstance(text, str):
            raise ConfigError(f"users.{name}", f"expected a password hash string, got {text!r}")
    config = replace(config, users=dict(users), sim=dict(document.get("sim", {})))
    try:
        config.user_table()
    except HashFormatError as error:
        key, _, message = str(error).partition(": ")
        raise ConfigError(key, message) from error
    _check_consistency(config)
    return config


def _check_consistency(config: MuxConfig) -> None:
    pbx = config.pbx
    if pbx.reconnect_max_delay < pbx.reconnect_initial_delay:
        raise ConfigError(
            "pbx.reconnect_max_delay", "must not be less than pbx.reconnect_initial_delay"
        )
    if config.login.max_delay < config.login.delay:
        raise ConfigError("login.max_delay", "must not be less than login.delay")
    if config.listen.tls and not config.users:
        raise ConfigError(
            "users", "a TLS listener requires logins, so at least one user must be configured"
        )
    if config.listen.require_login and not config.users:
        raise ConfigError("users", "listen.require_login is set but no user is configured")
    listeners = {*config.listen.tcp, *config.listen.tls, config.status.endpoint}
    for listener in config.listen.allow:
        if listener not in listeners:
            raise ConfigError(
                f"listen.allow.{listener!r}",
                "not one of the listeners (listen.tcp, listen.tls, status.endpoint), "
                "written the same way",
            )
    for index, name in enumerate(config.console.users):
        if name not in config.users:
            raise ConfigError(f"console.users[{index}]", f"{name!r} is not one of the [users]")


def load(path: str) -> MuxConfig:
    """Read and check a TOML configuration file."""
    document = read_toml(path)
    try:
        return from_dict(document)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error.key}", error.message) from error


def override(config: MuxConfig, section: str, **values: Any) -> MuxConfig:
    """A copy with some settings of ``section`` replaced, checked as the file's would be."""
    checks = _CHECKS[section]
    kept = {key: checks[key](f"{section}.{key}", value) for key, value in values.items()}
    updated = replace(config, **{section: replace(getattr(config, section), **kept)})
    _check_consistency(updated)
    return updated


__all__ = [
    "ApplicationSettings",
    "ConfigError",
    "ConsoleSettings",
    "ListenSettings",
    "LoginSettings",
    "MuxConfig",
    "PBXSettings",
    "StatusSettings",
    "from_dict",
    "load",
    "override",
]
