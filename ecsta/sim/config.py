"""The simulator's settings: a TOML file, then the command line on top, checked before start.

Layout of the file (``etc/pbxsim.toml`` explains every key)::

    [csta]     endpoint, keepalive_interval, keepalive_misses, association_timeout,
               answer_timeout, device_list_segment, get_switching_function_devices,
               extension_names
    [control]  endpoint
    [cdr]      resend_delay, answer_timeout, buffer
    [traffic]  rate, seed
    [plan]     the switch's devices, numbering plan and timers (ecsta.sim.plan.Plan.from_dict)

A misspelt key, a wrong type or an impossible value stops the simulator with a
:class:`ConfigError` naming the key (``csta.keepalive_misses: must be an integer >= 1``), since
a simulator that silently ignores a setting makes every test run against it a lie.
"""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ecsta.daemon.logs import LEVELS
from ecsta.link.protocol import KEEPALIVE_INTERVAL, KEEPALIVE_MISSES
from ecsta.sim.cdr import DEFAULT_BUFFER
from ecsta.sim.errors import ConfigError
from ecsta.sim.plan import Plan, PlanError

__all__ = ["DEFAULT_CONTROL", "DEFAULT_CSTA", "SECTIONS", "SimConfig", "load", "parse"]

#: The CSTA port of a Panasonic PBX, on loopback unless configured otherwise.
DEFAULT_CSTA = "tcp:33333:interface=127.0.0.1"
#: The control API; 8081 leaves 8080 to the driver's API on a host that runs everything.
DEFAULT_CONTROL = "tcp:8081:interface=127.0.0.1"


@dataclass(frozen=True)
class SimConfig:
    """Every setting of one simulator. Times are in seconds.

    ``keepalive_interval`` None sends only the first keep-alive (tests that count PDUs use it).
    ``sfd_answer``: whether getSwitchingFunctionDevices is answered (True: result plus
    switchingFunctionDevices invokes) or refused with a universalFailure, as a PBX that does not
    offer it would (PROTOCOL.md section 9 says nobody knows which a Panasonic PBX does).
    ``names_answer``: whether the KME request for the extension names is answered, or refused
    as a PBX older than CTI V1.1 would refuse it. ``control`` None runs no control API.
    ``cdr_buffer`` is how many unacknowledged call records the switch keeps before it drops
    the oldest.
    """

    csta: str = DEFAULT_CSTA
    control: str | None = DEFAULT_CONTROL
    keepalive_interval: float | None = KEEPALIVE_INTERVAL
    keepalive_misses: int = KEEPALIVE_MISSES
    association_timeout: float = 30.0
    answer_timeout: float = 10.0
    segment_size: int = 20
    sfd_answer: bool = True
    names_answer: bool = True
    cdr_resend_delay: float = 5.0
    cdr_answer_timeout: float = 10.0
    cdr_buffer: int = DEFAULT_BUFFER
    traffic: float = 0.0
    seed: int | None = None
    log_level: str = "info"
    plan: Plan = field(default_factory=Plan.default)


#: The file's sections other than [plan]: section -> key -> (SimConfig field, kind of value).
SECTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "csta": {
        "endpoint": ("csta", "endpoint"),
        "keepalive_interval": ("keepalive_interval", "seconds-or-none"),
        "keepalive_misses": ("keepalive_misses", "count"),
        "association_timeout": ("association_timeout", "seconds"),
        "answer_timeout": ("answer_timeout", "seconds"),
        "device_list_segment": ("segment_size", "count"),
        "get_switching_function_devices": ("sfd_answer", "answer-or-refuse"),
        "extension_names": ("names_answer", "answer-or-refuse"),
    },
    "control": {"endpoint": ("control", "endpoint-or-none")},
    "cdr": {
        "resend_delay": ("cdr_resend_delay", "seconds"),
        "answer_timeout": ("cdr_answer_timeout", "seconds"),
        "buffer": ("cdr_buffer", "count"),
    },
    "traffic": {"rate": ("traffic", "rate"), "seed": ("seed", "integer")},
    "log": {"level": ("log_level", "log-level")},
}


def _convert(where: str, kind: str, value: Any) -> Any:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "endpoint" and isinstance(value, str) and value:
        return value
    if kind == "endpoint-or-none" and isinstance(value, str):
        return value or None
    if kind == "seconds" and numeric and value > 0:
        return float(value)
    if kind == "seconds-or-none" and numeric:
        return float(value) if value > 0 else None
    if kind == "rate" and numeric and value >= 0:
        return float(value)
    if kind == "count" and isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "answer-or-refuse" and value in ("answer", "refuse"):
        return value == "answer"
    if kind == "log-level" and value in LEVELS:
        return value
    expected = {
        "endpoint": "a Twisted endpoint string",
        "endpoint-or-none": 'a Twisted endpoint string, or "" for none',
        "seconds": "a number of seconds > 0",
        "seconds-or-none": "a number of seconds (0 for none)",
        "rate": "a number >= 0",
        "count": "an integer >= 1",
        "integer": "an integer",
        "answer-or-refuse": '"answer" or "refuse"',
        "log-level": " or ".join(LEVELS),
    }[kind]
    raise ConfigError(f"{where}: must be {expected}, not {value!r}")


def parse(data: Mapping[str, Any]) -> SimConfig:
    """Settings from a parsed TOML document; absent keys keep their defaults."""
    settings: dict[str, Any] = {}
    for section, content in data.items():
        if section == "plan":
            continue
        keys = SECTIONS.get(section)
        if keys is None:
            raise ConfigError(
                f"{section}: unknown section (known: {', '.join([*SECTIONS, 'plan'])})"
            )
        if not isinstance(content, Mapping):
            raise ConfigError(f"{section}: must be a table")
        for key, value in content.items():
            if key not in keys:
                raise ConfigError(f"{section}.{key}: unknown key")
            name, kind = keys[key]
            settings[name] = _convert(f"{section}.{key}", kind, value)
    plan_data = data.get("plan", {})
    if not isinstance(plan_data, Mapping):
        raise ConfigError("plan: must be a table")
    try:
        settings["plan"] = Plan.from_dict(plan_data)
    except PlanError as error:
        raise ConfigError(f"plan.{error}") from None
    return SimConfig(**settings)


def load(path: str) -> SimConfig:
    """Read and check a TOML configuration file."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    return parse(data)
