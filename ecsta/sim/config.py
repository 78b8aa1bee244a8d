"""The simulator's settings: a TOML file, then the command line on top, checked before start.

Layout of the file (``etc/pbxsim.toml`` explains every key)::

    [csta]     endpoint, keepalive_interval, keepalive_misses, association_timeout,
               answer_timeout, device_list_segment, get_switching_function_devices,
               extension_names
    [control]  endpoint
    [cdr]      resend_delay, answer_timeout, buffer
    [traffic]  rate, seed
    [plan]     the switch's devices, numbering plan and timers (ecsta.sim.plan.SwitchPlan.from_dict)

A misspelt key, a wrong type or an impossible value stops the simulator with a
:class:`~ecsta.daemon.config.ConfigError` naming the key (``csta.keepalive_misses: expected an
integer >= 1, got 0``), since a simulator that silently ignores a setting makes every test run
against it a lie.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ecsta.daemon.config import (
    Check,
    ConfigError,
    checked,
    endpoint,
    integer,
    log_level,
    number,
    one_of,
    read_toml,
    string,
    table,
)
from ecsta.link.protocol import KEEPALIVE_INTERVAL, KEEPALIVE_MISSES
from ecsta.sim.cdr import DEFAULT_BUFFER
from ecsta.sim.plan import PlanError, SwitchPlan

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
    plan: SwitchPlan = field(default_factory=SwitchPlan.default)


def _seconds_or_none(key: str, value: Any) -> float | None:
    """Seconds, or 0 for none (only the first keep-alive)."""
    seconds: float = number(0)(key, value)
    return seconds or None


def _endpoint_or_none(key: str, value: Any) -> str | None:
    return string(key, value) or None


def _answer_or_refuse(key: str, value: Any) -> bool:
    return one_of("answer", "refuse")(key, value) == "answer"


#: The file's sections other than [plan]: section -> key -> (SimConfig field, check).
SECTIONS: dict[str, dict[str, tuple[str, Check]]] = {
    "csta": {
        "endpoint": ("csta", endpoint),
        "keepalive_interval": ("keepalive_interval", _seconds_or_none),
        "keepalive_misses": ("keepalive_misses", number(1, integer=True)),
        "association_timeout": ("association_timeout", number(0, exclusive=True)),
        "answer_timeout": ("answer_timeout", number(0, exclusive=True)),
        "device_list_segment": ("segment_size", number(1, integer=True)),
        "get_switching_function_devices": ("sfd_answer", _answer_or_refuse),
        "extension_names": ("names_answer", _answer_or_refuse),
    },
    "control": {"endpoint": ("control", _endpoint_or_none)},
    "cdr": {
        "resend_delay": ("cdr_resend_delay", number(0, exclusive=True)),
        "answer_timeout": ("cdr_answer_timeout", number(0, exclusive=True)),
        "buffer": ("cdr_buffer", number(1, integer=True)),
    },
    "traffic": {"rate": ("traffic", number(0)), "seed": ("seed", integer)},
    "log": {"level": ("log_level", log_level)},
}


def parse(data: Mapping[str, Any]) -> SimConfig:
    """Settings from a parsed TOML document; absent keys keep their defaults."""
    settings: dict[str, Any] = {}
    for section, content in data.items():
        if section == "plan":
            continue
        keys = SECTIONS.get(section)
        if keys is None:
            known = ", ".join([*SECTIONS, "plan"])
            raise ConfigError(section, f"unknown section (known: {known})")
        values = checked(section, content, {key: check for key, (_, check) in keys.items()})
        settings.update((keys[key][0], value) for key, value in values.items())
    try:
        settings["plan"] = SwitchPlan.from_dict(table("plan", data.get("plan", {})))
    except PlanError as error:
        raise ConfigError(f"plan.{error.field}", error.reason) from None
    return SimConfig(**settings)


def load(path: str) -> SimConfig:
    """Read and check a TOML configuration file."""
    return parse(read_toml(path))
