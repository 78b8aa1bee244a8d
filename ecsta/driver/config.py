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

    [lines]
    numbers = ["101", "102"]                       # none: load the PBX's stations
    names = { "101" = "Reception" }

    [advanced]
    readNames = true
    snapshotInterval = 60                          # seconds, 0 = off
    monitorRetryInterval = 30                      # seconds, 0 = off

    [admin]
    stateDirectory = "/var/lib/ecsta/driver"       # settings.json and lines.txt of this instance
    licenceDirectory = "/var/lib/ecsta"            # the host's licence pool (the default)
    logDirectory = "/var/log/ecsta"                # rotated log files (none: twistd's log only)
    instance = "driver"                            # names this instance's lines in the pool

The ``location``, ``numberFormat``, ``sipFilter`` and ``diagnostics`` sections take the
administration settings (:mod:`ecsta.driver.settings`); once they are changed through the API,
the saved ``settings.json`` of the state directory takes precedence over them.
"""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_API = "tcp:8782:interface=127.0.0.1"
DEFAULT_PBX = "tcp:host=127.0.0.1:port=33333"
DEFAULT_USER = "admin"
DEFAULT_PASSWORD = "admin"


class ConfigError(ValueError):
    """A configuration that cannot be used; ``key`` is the dotted key at fault."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


@dataclass
class DriverConfig:
    pbx: str = DEFAULT_PBX
    user: str | None = None
    password: str | None = None
    api: str = DEFAULT_API
    tokens: list[str] = field(default_factory=list)
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


_SECTIONS: dict[str, set[str]] = {
    "pbx": {"endpoint", "user", "password", "requestTimeout", "capture"},
    "api": {"endpoint", "tokens"},
    "lines": {"numbers", "names"},
    "advanced": {"readNames", "snapshotInterval", "monitorRetryInterval"},
    "sim": {"config"},
    "admin": {"stateDirectory", "licenceDirectory", "logDirectory", "instance"},
}
#: Sections of the administration settings document, kept for the settings layer as given.
_SETTINGS_SECTIONS = ("location", "numberFormat", "sipFilter", "diagnostics")


def _string(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(key, "must be a non-empty string")
    return value


def _seconds(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(key, "must be a number of seconds, 0 or more")
    return float(value)


def parse(document: Mapping[str, Any]) -> DriverConfig:
    """A DriverConfig from a parsed TOML document."""
    config = DriverConfig()
    for section, value in document.items():
        if section in _SETTINGS_SECTIONS:
            if not isinstance(value, Mapping):
                raise ConfigError(section, "must be a table")
            config.settings[section] = dict(value)
            continue
        if section not in _SECTIONS:
            raise ConfigError(section, "unknown section")
        if not isinstance(value, Mapping):
            raise ConfigError(section, "must be a table")
        for key in value:
            if key not in _SECTIONS[section]:
                raise ConfigError(f"{section}.{key}", "unknown key")
    pbx = document.get("pbx", {})
    if "endpoint" in pbx:
        config.pbx = _string(pbx["endpoint"], "pbx.endpoint")
    if "user" in pbx:
        config.user = _string(pbx["user"], "pbx.user")
    if "password" in pbx:
        if not isinstance(pbx["password"], str):
            raise ConfigError("pbx.password", "must be a string")
        config.password = pbx["password"]
    if "capture" in pbx:
        config.capture = _string(pbx["capture"], "pbx.capture")
    if "requestTimeout" in pbx:
        config.request_timeout = _seconds(pbx["requestTimeout"], "pbx.requestTimeout")
    api = document.get("api", {})
    if "endpoint" in api:
        config.api = _string(api["endpoint"], "api.endpoint")
    if "tokens" in api:
        tokens = api["tokens"]
        if not isinstance(tokens, list):
            raise ConfigError("api.tokens", "must be a list of strings")
        for index, token in enumerate(tokens):
            if not isinstance(token, str) or len(token) < 16:
                raise ConfigError(
                    f"api.tokens[{index}]", "must be a string of 16 characters or more"
                )
        config.tokens = list(tokens)
    lines = document.get("lines", {})
    if "numbers" in lines:
        numbers = lines["numbers"]
        if not isinstance(numbers, list):
            raise ConfigError("lines.numbers", "must be a list of extension numbers")
        for index, number in enumerate(numbers):
            if not isinstance(number, str) or not number.isalnum():
                raise ConfigError(f"lines.numbers[{index}]", "must be an extension number string")
        if len(set(numbers)) != len(numbers):
            raise ConfigError("lines.numbers", "lists a number twice")
        config.lines = list(numbers)
    if "names" in lines:
        names = lines["names"]
        if not isinstance(names, Mapping):
            raise ConfigError("lines.names", "must be a table of number = name")
        for number, name in names.items():
            if not isinstance(name, str):
                raise ConfigError(f"lines.names.{number}", "must be a string")
        config.names = dict(names)
    advanced = document.get("advanced", {})
    if "readNames" in advanced:
        if not isinstance(advanced["readNames"], bool):
            raise ConfigError("advanced.readNames", "must be true or false")
        config.read_names = advanced["readNames"]
    if "snapshotInterval" in advanced:
        config.snapshot_interval = _seconds(
            advanced["snapshotInterval"], "advanced.snapshotInterval"
        )
    if "monitorRetryInterval" in advanced:
        config.monitor_retry_interval = _seconds(
            advanced["monitorRetryInterval"], "advanced.monitorRetryInterval"
        )
    if "config" in document.get("sim", {}):
        config.sim_config = _string(document["sim"]["config"], "sim.config")
    admin = document.get("admin", {})
    for key, attribute in (
        ("stateDirectory", "state_directory"),
        ("licenceDirectory", "licence_directory"),
        ("logDirectory", "log_directory"),
        ("instance", "instance"),
    ):
        if key in admin:
            setattr(config, attribute, _string(admin[key], f"admin.{key}"))
    return config


def load(path: str) -> DriverConfig:
    """Read and check the TOML file at ``path``."""
    try:
        with open(path, "rb") as f:
            document = tomllib.load(f)
    except OSError as error:
        raise ConfigError(path, f"cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, f"not valid TOML: {error}") from None
    return parse(document)


def is_loopback(endpoint: str) -> bool:
    """Whether a server endpoint string listens on loopback only.

    ``tcp:8782`` without ``interface`` listens on every interface, so it is not loopback.
    Colons inside a value are escaped (``interface=\\:\\:1``), as in every endpoint string.
    """
    if endpoint.startswith("unix:"):
        return True
    match = re.search(r"(?:^|:)interface=((?:\\.|[^:])*)", endpoint)
    if match is None:
        return False
    host = match.group(1).replace("\\", "").strip("[]")
    return host.startswith("127.") or host in ("localhost", "::1")
