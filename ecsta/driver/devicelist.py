"""The Panasonic device list (PROTOCOL.md section 5), as the driver asks for it and reads it.

The request is an escape whose KME private data asks for one standardDevice category; the PBX
acknowledges it with a cross-reference id, then sends escape invokes carrying
``systemDataLinkedReply`` segments under that id until one says ``lastSegment``.
:class:`DeviceListAssembly` collects those segments, whatever order they and the
acknowledgement arrive in.

The names of the extensions (KME ``extName [41]``, CTI V1.1 and later) are asked for and come
back the same way, by inference: how a client asks a real PBX for them is not published, and
a PBX may refuse the request (docs/driver.md).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ecsta.driver.devices import key_of
from ecsta.wire.asn1.kme import EXT_NAME_SYSTEM_DATA


def device_list_request(category: str = "station") -> dict[str, Any]:
    """The EscapeArgument that asks for the devices of ``category``."""
    request = ("deviceList", ("category", ("standardDevice", category)))
    return {"privateData": ("private", ("kmeSystemData", ("getSystemData", ("request", request))))}


def extension_names_request() -> dict[str, Any]:
    """The EscapeArgument that asks for the names of the extensions."""
    request = ("systemData", EXT_NAME_SYSTEM_DATA)
    return {"privateData": ("private", ("kmeSystemData", ("getSystemData", ("request", request))))}


def pos_ack(result: Any) -> bytes | None:
    """The cross-reference id in the EscapeResult that accepted a device-list request."""
    if not isinstance(result, tuple) or result[0] != "extensions":
        return None
    private = result[1].get("privateData") if isinstance(result[1], Mapping) else None
    items = private if isinstance(private, list) else [private]
    for item in items:
        match item:
            case ("private", ("kmeSystemData", ("getSystemDataPosAck", bytes() as cross_ref))):
                return cross_ref
    return None


def linked_reply(argument: Any) -> dict[str, Any] | None:
    """The systemDataLinkedReply an escape invoke from the PBX carries, if it carries one."""
    if not isinstance(argument, Mapping):
        return None
    match argument.get("privateData"):
        case ("private", ("kmeSystemData", ("systemDataLinkedReply", dict() as reply))):
            return reply
    return None


@dataclass(frozen=True)
class ListedDevice:
    """A device of a list; an entry of the names list has ``number`` "" (it names the device
    by its deviceNumber only)."""

    device_number: int | None
    number: str
    in_service: bool
    name: str | None = None


@dataclass
class DeviceListAssembly:
    """Segments of device lists being received, by cross-reference id."""

    segments: dict[bytes, list[ListedDevice]] = field(default_factory=dict)
    finished: dict[bytes, list[ListedDevice]] = field(default_factory=dict)

    def add(self, reply: Mapping[str, Any]) -> bytes | None:
        """Take one segment; returns its cross-reference id once the list is complete."""
        cross_ref = reply.get("crossRefID")
        if not isinstance(cross_ref, bytes):
            return None
        entries = self.segments.setdefault(cross_ref, [])
        sys_data = reply.get("sysData") or {}
        for entry in sys_data.get("deviceList") or []:
            device = entry.get("device")
            key = key_of(device)
            number = entry.get("number") or (key if isinstance(key, str) else None)
            if number is None:
                continue
            name = device.get("privateName") if isinstance(device, Mapping) else None
            entries.append(
                ListedDevice(
                    device_number=key if isinstance(key, int) else None,
                    number=number,
                    in_service=entry.get("status", "ins") == "ins",
                    name=name,
                )
            )
        for entry in sys_data.get("extName") or []:
            key = key_of(entry.get("device"))
            name = entry.get("name")
            if isinstance(key, int) and isinstance(name, str) and name:
                entries.append(ListedDevice(key, "", True, name))
        if reply.get("lastSegment"):
            self.finished[cross_ref] = self.segments.pop(cross_ref)
            return cross_ref
        return None

    def take(self, cross_ref: bytes) -> list[ListedDevice] | None:
        """The complete list for ``cross_ref``, once; None while segments are still due."""
        return self.finished.pop(cross_ref, None)
