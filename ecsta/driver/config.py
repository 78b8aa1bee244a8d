"""The driver's TOML configuration, checked key by key.

Every problem is reported with the key at fault (``api.tokens[1]: must be a string``), and an
unknown key is an error rather than silently ignored, so a typing mistake in a config file is
found at startup. Command-line options override the file (see :mod:`ecsta.driver.tap`).

Example::

    [pbx]
    endpoint = "tcp:host=192.0.2.10:port=33333"   # or "sim", or tls:host=mux:port=33334
    user = "admin"                                 # login at a mux
    password = "admin"
    capture = "/var/lib/ecsta/driver/pbx.pcap"    # write the PBX link to a pcap file

    [api]
    endpoint = "tcp:8782:interface=127.0.0.1"
    tokens = ["a-long-random-secret"]              # required beyond loopback
    hosts = ["localhost", "127.0.0.1", "::1"]      # Host names answered ("*": any); default:
                                                   # these on loopback, any beyond it

    [lines]
    numbers = ["101", "102"]                       # none: load the PBX's stations
    names = { "101" = "Reception" }

    [advanced]
    readNames = true
    snapshotInterval = 60                          # seconds, 0 = off
    monitorRetryInterval = 30                      # seconds, 0 = off

    [journal]                                      # the call journal (docs/journal.md): off
    enabled = false                                # unless the link is a PBX (no mux), where
    path = "journal.sqlite"                        # true takes the PBX's CDR; path relative to
                                                   # stateDirectory
    postgres = ""
    retention_days = 0

    [admin]
    stateDirectory = "/var/lib/ecsta/driver"       # settings.json, lines.txt (default: statedir)
    licenceDirectory = "/var/lib/ecsta"            # the host's licence pool (the default)
    logDirectory = "/var/log/ecsta"                # rotated log files (none: twistd's log only)
    instance = "driver"                            # names this instance's lines in the pool

    [log]
    level = "info"                                 # debug, info, warn, error, critical

The ``location``, ``numberFormat``, ``sipFilter`` and ``diagnostics`` sections take the
administration settings (:mod:`ecsta.driver.settings`); once they are changed through the API,
the saved ``settings.json`` of the state directory takes precedence over them.

Such a file describes one instance: one PBX (or mux), its lines and its settings. One service
runs several instances, each with a PBX of its own, when the file has an array of
``[[instances]]``::

    [[instances]]
    name = "berlin"                                # letters, digits, - and _
    pbx = "tcp:host=192.0.2.10:port=33333"        # required; user, password as in [pbx]
    lines = ["101", "102"]                         # none: load the PBX's stations
    names = { "101" = "Reception" }
    stateDirectory = "/var/lib/ecsta/driver/berlin"   # default: [admin] stateDirectory/name
    [instances.location]                           # any settings section, and [advanced]
    useLocation = true
    countryCode = "49"
    areaCode = "30"
    localNumber = "12345"

An instance takes ``requestTimeout``, ``sim``, ``[advanced]`` and each settings section from
the top level unless it gives its own (a section it gives replaces the top level's whole).
The PBX, login, capture and lines belong to one PBX, so with ``[[instances]]`` they are given
in the instances only; the API, its tokens, the licence pool and the log directory are the
service's and stay at the top level. Each :class:`DriverConfig` in
:attr:`DriverConfig.instances` is an instance's complete configuration.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ecsta.daemon.config import (
    ConfigError,
    boolean,
    log_level,
    read_toml,
    string,
    strings,
    table,
    text,
)
from ecsta.daemon.config import number as at_least_number
from ecsta.journal import settings as journal_settings
from ecsta.journal.settings import JournalSettings

DEFAULT_API = "tcp:8782:interface=127.0.0.1"
DEFAULT_PBX = "tcp:host=127.0.0.1:port=33333"
DEFAULT_USER = "admin"
DEFAULT_PASSWORD = "admin"


@dataclass
class DriverConfig:
    pbx: str = DEFAULT_PBX
    user: str | None = None
    password: str | None = None
    api: str = DEFAULT_API
    tokens: list[str] = field(default_factory=list)
    #: Host names the API answers to; None: loopback names on loopback, any beyond it.
    hosts: list[str] | None = None
    lines: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    read_names: bool = True
    snapshot_interval: float = 60.0
    monitor_retry_interval: float = 30.0
    request_timeout: float = 10.0
    sim_config: str | None = None
    capture: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    state_directory: str | None = None
    licence_directory: str | None = None
    log_directory: str | None = None
    instance: str = "driver"
    log_level: str = "info"
    #: Off unless asked for: the driver cannot tell a PBX from a mux it reaches without a login,
    #: and its journal would start CDR transmission and take the CDR from whoever should have it.
    journal: JournalSettings = field(default_factory=lambda: JournalSettings(enabled=False))
    #: Several instances (``[[instances]]``), each complete; empty: this one is the only one.
    instances: list["DriverConfig"] = field(default_factory=list)

    def each_instance(self) -> list["DriverConfig"]:
        """The configuration of every instance the service runs, in the order given."""
        return self.instances or [self]


_SECTIONS: dict[str, set[str]] = {
    "pbx": {"endpoint", "user", "password", "requestTimeout", "capture"},
    "api": {"endpoint", "tokens", "hosts"},
    "lines": {"numbers", "names"},
    "advanced": {"readNames", "snapshotInterval", "monitorRetryInterval"},
    "sim": {"config"},
    "admin": {"stateDirectory", "licenceDirectory", "logDirectory", "instance"},
    "log": {"level"},
    "journal": set(journal_settings.KEYS),
}
#: Sections of the administration settings document, kept for the settings layer as given.
_SETTINGS_SECTIONS = ("location", "numberFormat", "sipFilter", "diagnostics")
#: The keys of an ``[[instances]]`` entry.
_INSTANCE_KEYS = {
    "name",
    "pbx",
    "user",
    "password",
    "requestTimeout",
    "capture",
    "sim",
    "lines",
    "names",
    "stateDirectory",
    "advanced",
    *_SETTINGS_SECTIONS,
}
#: Top-level keys that describe one PBX, and so only the single instance.
_ONE_PBX_KEYS = (
    ("pbx", "endpoint"),
    ("pbx", "user"),
    ("pbx", "password"),
    ("pbx", "capture"),
    ("lines", "numbers"),
    ("lines", "names"),
    ("admin", "instance"),
)
#: An instance's name: it starts line ids (``berlin:101``) and query strings, so it is plain.
INSTANCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


#: A number of seconds, 0 or more.
_seconds = at_least_number(0)


def parse(document: Mapping[str, Any]) -> DriverConfig:
    """A DriverConfig from a parsed TOML document."""
    config = DriverConfig()
    for section, value in document.items():
        if section == "instances":
            continue
        if section in _SETTINGS_SECTIONS:
            config.settings[section] = _table(value, section)
            continue
        if section not in _SECTIONS:
            raise ConfigError(section, "unknown section")
        for key in table(section, value):
            if key not in _SECTIONS[section]:
                raise ConfigError(f"{section}.{key}", "unknown key")
    pbx = document.get("pbx", {})
    if "endpoint" in pbx:
        config.pbx = text("pbx.endpoint", pbx["endpoint"])
    _login(pbx, "pbx.", config)
    if "capture" in pbx:
        config.capture = text("pbx.capture", pbx["capture"])
    if "requestTimeout" in pbx:
        config.request_timeout = _seconds("pbx.requestTimeout", pbx["requestTimeout"])
    api = document.get("api", {})
    if "endpoint" in api:
        config.api = text("api.endpoint", api["endpoint"])
    if "tokens" in api:
        config.tokens = list(_tokens("api.tokens", api["tokens"]))
    if "hosts" in api:
        config.hosts = list(strings("host names", text)("api.hosts", api["hosts"]))
    lines = document.get("lines", {})
    if "numbers" in lines:
        config.lines = _numbers(lines["numbers"], "lines.numbers")
    if "names" in lines:
        config.names = _names(lines["names"], "lines.names")
    _advanced(document.get("advanced", {}), "advanced.", config)
    if "config" in document.get("sim", {}):
        config.sim_config = text("sim.config", document["sim"]["config"])
    if "journal" in document:
        journal = table("journal", document["journal"])
        config.journal = journal_settings.check({"enabled": False, **journal})
    admin = document.get("admin", {})
    for key, attribute in (
        ("stateDirectory", "state_directory"),
        ("licenceDirectory", "licence_directory"),
        ("logDirectory", "log_directory"),
        ("instance", "instance"),
    ):
        if key in admin:
            setattr(config, attribute, text(f"admin.{key}", admin[key]))
    if "level" in document.get("log", {}):
        config.log_level = log_level("log.level", document["log"]["level"])
    if "instances" in document:
        for section, key in _ONE_PBX_KEYS:
            if key in document.get(section, {}):
                raise ConfigError(
                    f"{section}.{key}",
                    "with [[instances]] each instance gives its own: move it into the instances",
                )
        config.instances = _instances(document["instances"], config)
    return config


def _table(value: Any, key: str) -> dict[str, Any]:
    return dict(table(key, value))


def _token(key: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) < 16:
        raise ConfigError(key, "must be a string of 16 characters or more")
    return value


_tokens = strings("API tokens", _token)


def _login(table: Mapping[str, Any], where: str, config: DriverConfig) -> None:
    if "user" in table:
        config.user = text(f"{where}user", table["user"])
    if "password" in table:
        config.password = string(f"{where}password", table["password"])


def _numbers(numbers: Any, key: str) -> list[str]:
    if not isinstance(numbers, list):
        raise ConfigError(key, "must be a list of extension numbers")
    for index, number in enumerate(numbers):
        if not isinstance(number, str) or not number.isalnum():
            raise ConfigError(f"{key}[{index}]", "must be an extension number string")
    if len(set(numbers)) != len(numbers):
        raise ConfigError(key, "lists a number twice")
    return list(numbers)


def _names(names: Any, key: str) -> dict[str, str]:
    if not isinstance(names, Mapping):
        raise ConfigError(key, "must be a table of number = name")
    return {number: string(f"{key}.{number}", name) for number, name in names.items()}


def _advanced(advanced: Mapping[str, Any], where: str, config: DriverConfig) -> None:
    if "readNames" in advanced:
        config.read_names = boolean(f"{where}readNames", advanced["readNames"])
    if "snapshotInterval" in advanced:
        config.snapshot_interval = _seconds(
            f"{where}snapshotInterval", advanced["snapshotInterval"]
        )
    if "monitorRetryInterval" in advanced:
        config.monitor_retry_interval = _seconds(
            f"{where}monitorRetryInterval", advanced["monitorRetryInterval"]
        )


def _instances(entries: Any, top: DriverConfig) -> list[DriverConfig]:
    """Every ``[[instances]]`` entry as a complete configuration; names and state
    directories must differ, since they keep the instances' lines and settings apart."""
    if (
        not isinstance(entries, list)
        or not entries
        or not all(isinstance(entry, Mapping) for entry in entries)
    ):
        raise ConfigError("instances", "must be an array of tables ([[instances]])")
    instances: list[DriverConfig] = []
    for index, entry in enumerate(entries):
        where = f"instances[{index}]"
        instance = _instance(entry, where, top)
        for other in instances:
            if other.instance == instance.instance:
                raise ConfigError(f"{where}.name", f"{instance.instance!r} is taken already")
            if instance.state_directory is not None and (
                other.state_directory == instance.state_directory
            ):
                raise ConfigError(
                    f"{where}.stateDirectory",
                    f"{other.instance!r} keeps its state there already",
                )
        instances.append(instance)
    return instances


def _instance(entry: Mapping[str, Any], where: str, top: DriverConfig) -> DriverConfig:
    for key in entry:
        if key not in _INSTANCE_KEYS:
            raise ConfigError(f"{where}.{key}", "unknown key")
    for key in ("name", "pbx"):
        if key not in entry:
            raise ConfigError(f"{where}.{key}", "required for every instance")
    name = text(f"{where}.name", entry["name"])
    if not INSTANCE_NAME.fullmatch(name):
        raise ConfigError(
            f"{where}.name",
            "must be up to 32 letters, digits, - and _, starting with a letter or digit",
        )
    config = replace(
        top,
        instance=name,
        pbx=text(f"{where}.pbx", entry["pbx"]),
        user=None,
        password=None,
        capture=None,
        lines=[],
        names={},
        settings=dict(top.settings),
        state_directory=None,
        instances=[],
    )
    _login(entry, f"{where}.", config)
    if "capture" in entry:
        config.capture = text(f"{where}.capture", entry["capture"])
    if "requestTimeout" in entry:
        config.request_timeout = _seconds(f"{where}.requestTimeout", entry["requestTimeout"])
    if "sim" in entry:
        config.sim_config = text(f"{where}.sim", entry["sim"])
    if "lines" in entry:
        config.lines = _numbers(entry["lines"], f"{where}.lines")
    if "names" in entry:
        config.names = _names(entry["names"], f"{where}.names")
    if "stateDirectory" in entry:
        config.state_directory = text(f"{where}.stateDirectory", entry["stateDirectory"])
    elif top.state_directory is not None:
        config.state_directory = os.path.join(top.state_directory, name)
    if "advanced" in entry:
        advanced = _table(entry["advanced"], f"{where}.advanced")
        for key in advanced:
            if key not in _SECTIONS["advanced"]:
                raise ConfigError(f"{where}.advanced.{key}", "unknown key")
        _advanced(advanced, f"{where}.advanced.", config)
    for section in _SETTINGS_SECTIONS:
        if section in entry:
            config.settings[section] = _table(entry[section], f"{where}.{section}")
    return config


def load(path: str) -> DriverConfig:
    """Read and check the TOML file at ``path``."""
    return parse(read_toml(path))
