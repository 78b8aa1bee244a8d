"""How CSTA names devices, reduced to one comparable key, and the directory of known devices.

A Panasonic PBX names the same phone by its dialing number ("101") in one event and by its
deviceNumber (0x01110001) in the next (PROTOCOL.md section 4). The call model compares devices
by :data:`DeviceKey` -- the dialing number as ``str`` or the deviceNumber as ``int`` -- and asks
the :class:`Directory` to translate between the two.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

DeviceKey: TypeAlias = str | int

#: Panasonic deviceNumber classes (the top 16 bits).
WIRED_STATION = 0x0111
DECT_PORTABLE = 0x0121
CO_TRUNK = 0x0131
DISA = 0x0155


def device_class(device_number: int) -> int:
    return device_number >> 16


def key_of(device: Any) -> DeviceKey | None:
    """The key of a DeviceID value, or None when it names no dialing number or deviceNumber."""
    if not isinstance(device, Mapping):
        return None
    kind, value = device.get("deviceIdentifier", (None, None))
    if kind == "deviceNumber" and isinstance(value, int):
        return value
    if isinstance(value, str) and kind != "other":
        return value
    return None


def key_of_choice(value: Any) -> DeviceKey | None:
    """The key inside a CallingDeviceID-style CHOICE (``('deviceIdentifier', DeviceID)``)."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], Mapping):
        return key_of(value[1])
    return None


def key_of_connection(connection: Any) -> DeviceKey | None:
    """The device of a ConnectionID value, when it carries one."""
    if not isinstance(connection, tuple) or len(connection) != 2:
        return None
    kind, value = connection
    local = value.get("deviceID") if kind == "both" and isinstance(value, Mapping) else None
    if kind == "deviceID":
        local = value
    if isinstance(local, tuple) and local[0] == "staticID":
        return key_of(local[1])
    return None


def call_of_connection(connection: Any) -> bytes | None:
    """The callID of a ConnectionID value, when it carries one."""
    if not isinstance(connection, tuple) or len(connection) != 2:
        return None
    kind, value = connection
    if kind == "callID" and isinstance(value, bytes):
        return value
    if kind == "both" and isinstance(value, Mapping):
        call = value.get("callID")
        return call if isinstance(call, bytes) else None
    return None


def device_id(key: DeviceKey) -> dict[str, Any]:
    """The DeviceID value that names ``key`` the way the PBX named it."""
    if isinstance(key, int):
        return {"deviceIdentifier": ("deviceNumber", key)}
    return {"deviceIdentifier": ("dialingNumber", key)}


def connection_id(call: bytes, key: DeviceKey) -> tuple[str, dict[str, Any]]:
    """The ``both`` form of ConnectionID, the one Panasonic uses (PROTOCOL.md section 7)."""
    return ("both", {"callID": call, "deviceID": ("staticID", device_id(key))})


@dataclass
class Directory:
    """What the PBX told us about its devices: numbers, names and Super-Twin pairs.

    ``numbers`` maps a deviceNumber to its dialing number, ``devices`` the other way (the
    station, not the DECT, for a number that a Super-Twin pair shares); ``twins`` maps a
    station's number to the deviceNumber of the DECT portable paired with it.
    """

    numbers: dict[int, str] = field(default_factory=dict)
    devices: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    twins: dict[str, int] = field(default_factory=dict)

    def add(self, device_number: int, number: str, name: str | None = None) -> None:
        """Learn one device; a DECT that shares a station's number becomes its twin."""
        self.numbers[device_number] = number
        existing = self.devices.get(number)
        if existing is None or existing == device_number:
            self.devices[number] = device_number
        elif device_class(device_number) == DECT_PORTABLE:
            self.twins[number] = device_number
        elif device_class(existing) == DECT_PORTABLE:
            self.devices[number] = device_number
            self.twins[number] = existing
        if name:
            self.names[number] = name

    def number(self, key: DeviceKey | None) -> str | None:
        """The dialing number for ``key``; a deviceNumber the PBX never listed stays unknown."""
        if key is None:
            return None
        if isinstance(key, str):
            return key
        return self.numbers.get(key)

    def party(self, key: DeviceKey | None) -> dict[str, Any] | None:
        """A TAPI party id (``callerId``, ``connectedId``...): number and, when known, name."""
        if key is None:
            return None
        number = self.number(key)
        if number is None:
            return {"number": None, "name": None, "deviceNumber": key}
        return {"number": number, "name": self.names.get(number)}

    def is_trunk(self, key: DeviceKey | None) -> bool:
        return isinstance(key, int) and device_class(key) == CO_TRUNK
