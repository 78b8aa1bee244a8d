"""The simulated PBX's configuration: its devices, numbering plan, outside world and timers.

A :class:`SwitchPlan` is plain data, buildable from the dict that the TOML configuration file
parses into (:meth:`SwitchPlan.from_dict`), so that a misspelt key or a clashing number is
reported with the name of the offending field before the simulator starts, rather than as odd
behaviour later.

Panasonic deviceNumbers carry a class in their top 16 bits (PROTOCOL.md section 4): 0x0111 wired
extension, 0x0121 DECT portable station, 0x0131 CO trunk.  No capture shows the class a Panasonic
PBX gives a SIP extension; the simulator uses 0x0141, which lies outside every class seen, so
that a client that special-cases the known classes treats a SIP extension as unknown rather than
as something it is not.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

_Choice = TypeVar("_Choice", bound=enum.StrEnum)


class DeviceKind(enum.StrEnum):
    """What sort of port a device is; the control API reports these names."""

    STATION = "station"
    DECT = "dect"
    SIP = "sip"
    TRUNK = "trunk"


DEVICE_NUMBER_CLASS: dict[DeviceKind, int] = {
    DeviceKind.STATION: 0x0111,
    DeviceKind.DECT: 0x0121,
    DeviceKind.TRUNK: 0x0131,
    DeviceKind.SIP: 0x0141,
}


class PlanError(ValueError):
    """A configuration that cannot describe a working PBX; ``field`` names the culprit."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.reason = message


@dataclass(eq=False)
class Device:
    """One port of the PBX, compared by identity: it is the thing itself, not a description.

    ``number`` is the dialling number.  A Super-Twin DECT portable (``twin_of`` set) shares the
    number of its desk phone: calls to that number ring both, and CSTA names the portable by
    its deviceNumber because its number no longer tells it apart (how a real PBX names it is not
    known; PROTOCOL.md section 9 infers this).  For a CO trunk ``number`` is
    the CO line number as the device list shows it; it is never dialled.
    """

    kind: DeviceKind
    number: str
    device_number: int
    name: str = ""
    in_service: bool = True
    twin_of: str | None = None
    pickup_group: int | None = None

    @property
    def is_trunk(self) -> bool:
        return self.kind is DeviceKind.TRUNK

    @property
    def named_by_number(self) -> bool:
        """Whether CSTA names this device by dialingNumber (else by deviceNumber)."""
        return not self.is_trunk and self.twin_of is None

    def __repr__(self) -> str:
        twin = f" twin of {self.twin_of}" if self.twin_of else ""
        return f"<Device {self.kind} {self.number} 0x{self.device_number:08x}{twin}>"


class ExternalMode(enum.StrEnum):
    """How a party in the public network reacts when the PBX calls it."""

    ANSWER = "answer"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    UNOBTAINABLE = "unobtainable"


@dataclass(frozen=True)
class ExternalBehaviour:
    """A public-network party: it rings, then answers after ``delay`` seconds (mode answer)."""

    mode: ExternalMode = ExternalMode.ANSWER
    delay: float = 5.0


@dataclass
class SwitchPlan:
    """Everything the switch needs to know before the first call.

    Timers, in seconds: ``no_answer_seconds`` before forwarding on no answer (unless the
    forwarding names its own ring count or duration), ``ring_cycle_seconds`` per ring when a
    forwarding gives a ring count, ``ring_timeout`` before an unanswered call is given up (None:
    it rings until someone acts), ``callback_delay`` between a call-back target becoming free and
    the originator being rung.

    ``make_call_prompts``: Panasonic proprietary phones go off hook hands-free when MakeCall
    arrives, so by default the call proceeds at once whatever autoOriginate says; set it to
    honour autoOriginate prompt (the caller stays at the initiated state, and the call proceeds
    when the handset is lifted or answerCall names that connection).
    ``transfer_on_hangup``: hanging up during a consultation transfers the held party to the
    consulted one, as on Panasonic phones; otherwise it only ends the consultation.
    """

    devices: list[Device]
    extension_range: tuple[str, str] = ("100", "199")
    trunk_access_code: str = "0"
    external: dict[str, ExternalBehaviour] = field(default_factory=dict)
    default_external: ExternalBehaviour = field(default_factory=ExternalBehaviour)
    no_answer_seconds: float = 15.0
    ring_cycle_seconds: float = 3.0
    ring_timeout: float | None = 60.0
    callback_delay: float = 2.0
    make_call_prompts: bool = False
    transfer_on_hangup: bool = True

    def __post_init__(self) -> None:
        self.validate()

    @classmethod
    def default(cls) -> SwitchPlan:
        """A small office: 20 desk phones, 4 DECT portables (two Super-Twin), 2 SIP, 4 CO lines."""
        devices: list[Device] = []

        def add(kind: DeviceKind, index: int, number: str, name: str, **more: Any) -> None:
            """The ``index``-th device of ``kind``, with the deviceNumber that index takes."""
            devices.append(Device(kind, number, _device_number(kind, index), name=name, **more))

        for index in range(20):
            number = str(101 + index)
            group = 1 if index < 10 else 2
            add(DeviceKind.STATION, index, number, f"Extension {number}", pickup_group=group)
        for index, owner in enumerate(("101", "102")):
            add(DeviceKind.DECT, index, owner, f"Portable {owner}", twin_of=owner)
        for index, number in enumerate(("121", "122"), start=2):
            add(DeviceKind.DECT, index, number, f"Portable {number}", pickup_group=1)
        for index, number in enumerate(("131", "132")):
            add(DeviceKind.SIP, index, number, f"SIP {number}", pickup_group=2)
        for index in range(4):
            add(DeviceKind.TRUNK, index, str(index + 1), f"CO line {index + 1}")
        return cls(devices=devices)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SwitchPlan:
        """Build a plan from configuration data; omitted keys take the defaults.

        ``devices`` entries take ``kind``, ``number``, ``name``, ``device_number`` (allocated
        per kind in order when omitted), ``in_service``, ``twin_of`` (the number is then taken
        from the desk phone when omitted) and ``pickup_group``.  ``external`` maps a number to
        ``{"mode": ..., "delay": ...}``; ``default_external`` is the same for every other
        number.  ``ring_timeout`` false (or None) lets calls ring until someone acts.  When
        ``devices`` is omitted the default office is used.
        """
        _check_keys("plan", data, PLAN_KEYS)
        if "devices" in data:
            devices = _devices_from(data["devices"])
        else:
            devices = cls.default().devices
        kwargs: dict[str, Any] = {"devices": devices}
        if "extension_range" in data:
            kwargs["extension_range"] = _range_from(data["extension_range"])
        if "trunk_access_code" in data:
            kwargs["trunk_access_code"] = _string("trunk_access_code", data["trunk_access_code"])
        if "external" in data:
            external = data["external"]
            if not isinstance(external, Mapping):
                raise PlanError("external", "must be a table of number -> behaviour")
            kwargs["external"] = {
                _string("external", number): _behaviour_from(f"external[{number!r}]", value)
                for number, value in external.items()
            }
        if "default_external" in data:
            kwargs["default_external"] = _behaviour_from(
                "default_external", data["default_external"]
            )
        for key in ("no_answer_seconds", "ring_cycle_seconds", "callback_delay"):
            if key in data:
                kwargs[key] = _number(key, data[key])
        if "ring_timeout" in data:
            value = data["ring_timeout"]
            off = value is None or value is False  # TOML has no null: false means never
            kwargs["ring_timeout"] = None if off else _number("ring_timeout", value)
        for key in ("make_call_prompts", "transfer_on_hangup"):
            if key in data:
                if not isinstance(data[key], bool):
                    raise PlanError(key, "must be true or false")
                kwargs[key] = data[key]
        return cls(**kwargs)

    def validate(self) -> None:
        """Raise :class:`PlanError` for the first field that makes the plan unusable."""
        tac = self.trunk_access_code
        if not tac.isdigit():
            raise PlanError("trunk_access_code", f"must be digits, not {tac!r}")
        low, high = self.extension_range
        if not (low.isdigit() and high.isdigit() and len(low) == len(high) and low <= high):
            raise PlanError("extension_range", "must be two numbers of equal length, low first")
        for key in ("no_answer_seconds", "ring_cycle_seconds", "callback_delay"):
            if getattr(self, key) <= 0:
                raise PlanError(key, "must be positive")
        if self.ring_timeout is not None and self.ring_timeout <= 0:
            raise PlanError("ring_timeout", "must be positive, or none to ring for ever")
        for number, behaviour in self.external.items():
            if behaviour.delay < 0:
                raise PlanError(f"external[{number!r}].delay", "must not be negative")
        if self.default_external.delay < 0:
            raise PlanError("default_external.delay", "must not be negative")
        self._validate_devices()

    def _validate_devices(self) -> None:
        low, high = self.extension_range
        tac = self.trunk_access_code
        owners: dict[str, Device] = {}
        trunks: set[str] = set()
        device_numbers: set[int] = set()
        twinned: set[str] = set()
        for index, device in enumerate(self.devices):
            where = f"devices[{index}]"
            if device.device_number >> 16 != DEVICE_NUMBER_CLASS[device.kind]:
                raise PlanError(
                    f"{where}.device_number",
                    f"0x{device.device_number:08x} is not in the {device.kind} class "
                    f"0x{DEVICE_NUMBER_CLASS[device.kind]:04x}xxxx",
                )
            if device.device_number in device_numbers:
                raise PlanError(f"{where}.device_number", "used twice")
            device_numbers.add(device.device_number)
            if not device.number.isdigit():
                raise PlanError(f"{where}.number", f"must be digits, not {device.number!r}")
            if device.pickup_group is not None and device.pickup_group < 1:
                raise PlanError(f"{where}.pickup_group", "must be 1 or more")
            if device.is_trunk:
                if device.number in trunks:
                    raise PlanError(f"{where}.number", f"CO line {device.number} used twice")
                trunks.add(device.number)
                continue
            if device.twin_of is not None:
                continue
            number = device.number
            if not (len(number) == len(low) and low <= number <= high):
                raise PlanError(f"{where}.number", f"{number} is outside {low}..{high}")
            if number.startswith(tac):
                raise PlanError(f"{where}.number", f"{number} begins with the trunk access code")
            if number in owners:
                raise PlanError(f"{where}.number", f"{number} is used twice")
            owners[number] = device
        for index, device in enumerate(self.devices):
            if device.twin_of is None:
                continue
            where = f"devices[{index}]"
            owner = owners.get(device.twin_of)
            if device.kind is not DeviceKind.DECT:
                raise PlanError(f"{where}.twin_of", "only a DECT portable can be a Super-Twin")
            if owner is None or owner.kind is not DeviceKind.STATION:
                raise PlanError(f"{where}.twin_of", f"{device.twin_of} is not a desk phone")
            if device.number != device.twin_of:
                raise PlanError(f"{where}.number", "a Super-Twin shares its desk phone's number")
            if device.twin_of in twinned:
                raise PlanError(f"{where}.twin_of", f"{device.twin_of} already has a twin")
            twinned.add(device.twin_of)


#: The keys of a plan's configuration table, and of each of its devices.
PLAN_KEYS = frozenset(
    {
        "devices",
        "extension_range",
        "trunk_access_code",
        "external",
        "default_external",
        "no_answer_seconds",
        "ring_cycle_seconds",
        "ring_timeout",
        "callback_delay",
        "make_call_prompts",
        "transfer_on_hangup",
    }
)
DEVICE_KEYS = frozenset(
    {"kind", "number", "name", "device_number", "in_service", "twin_of", "pickup_group"}
)


def _device_number(kind: DeviceKind, index: int) -> int:
    return DEVICE_NUMBER_CLASS[kind] << 16 | index


def _check_keys(where: str, data: Any, allowed: frozenset[str]) -> None:
    if not isinstance(data, Mapping):
        raise PlanError(where, "must be a table")
    for key in data:
        if key not in allowed:
            raise PlanError(f"{where}.{key}" if where != "plan" else str(key), "unknown key")


def _string(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise PlanError(where, f"must be a string, not {value!r}")
    return value


def _choice(where: str, choices: type[_Choice], value: Any) -> _Choice:
    """The member of the string enum ``choices`` named ``value``; the error lists them all."""
    name = _string(where, value)
    try:
        return choices(name)
    except ValueError:
        listed = ", ".join(member.value for member in choices)
        raise PlanError(where, f"{name!r} is not one of {listed}") from None


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanError(where, f"must be a number, not {value!r}")
    return float(value)


def _range_from(value: Any) -> tuple[str, str]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise PlanError("extension_range", "must be [low, high]")
    return _string("extension_range", value[0]), _string("extension_range", value[1])


def _behaviour_from(where: str, value: Any) -> ExternalBehaviour:
    _check_keys(where, value, frozenset({"mode", "delay"}))
    mode = _choice(f"{where}.mode", ExternalMode, value.get("mode", ExternalMode.ANSWER.value))
    delay = _number(f"{where}.delay", value.get("delay", 5.0))
    return ExternalBehaviour(mode, delay)


def _devices_from(entries: Any) -> list[Device]:
    if not isinstance(entries, list):
        raise PlanError("devices", "must be a list")
    counters = dict.fromkeys(DeviceKind, 0)
    taken = {
        entry["device_number"]
        for entry in entries
        if isinstance(entry, Mapping) and isinstance(entry.get("device_number"), int)
    }
    by_number = {
        entry.get("number"): entry
        for entry in entries
        if isinstance(entry, Mapping) and entry.get("twin_of") is None
    }
    devices: list[Device] = []
    for index, entry in enumerate(entries):
        where = f"devices[{index}]"
        _check_keys(where, entry, DEVICE_KEYS)
        kind = _choice(f"{where}.kind", DeviceKind, entry.get("kind", DeviceKind.STATION.value))
        twin_of = entry.get("twin_of")
        if twin_of is not None:
            twin_of = _string(f"{where}.twin_of", twin_of)
            if twin_of not in by_number:
                raise PlanError(f"{where}.twin_of", f"{twin_of} is not a configured number")
        if "number" in entry:
            number = _string(f"{where}.number", entry["number"])
        elif twin_of is not None:
            number = twin_of
        else:
            raise PlanError(f"{where}.number", "missing")
        if "device_number" in entry:
            device_number = entry["device_number"]
            if isinstance(device_number, bool) or not isinstance(device_number, int):
                raise PlanError(f"{where}.device_number", "must be an integer")
        else:
            while _device_number(kind, counters[kind]) in taken:
                counters[kind] += 1
            device_number = _device_number(kind, counters[kind])
            counters[kind] += 1
        in_service = entry.get("in_service", True)
        if not isinstance(in_service, bool):
            raise PlanError(f"{where}.in_service", "must be true or false")
        group = entry.get("pickup_group")
        if group is not None and (isinstance(group, bool) or not isinstance(group, int)):
            raise PlanError(f"{where}.pickup_group", "must be an integer")
        devices.append(
            Device(
                kind=kind,
                number=number,
                device_number=device_number,
                name=_string(f"{where}.name", entry.get("name", "")),
                in_service=in_service,
                twin_of=twin_of,
                pickup_group=group,
            )
        )
    return devices
