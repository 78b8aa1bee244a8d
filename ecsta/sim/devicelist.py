"""The two ways a client learns the switch's devices, cut into segments.

Panasonic clients use the KME escape (PROTOCOL.md section 5): the PBX acknowledges the request
with a cross-reference id and then sends escape invokes carrying ``systemDataLinkedReply``
segments until one says ``lastSegment`` TRUE. Standard CSTA clients use
getSwitchingFunctionDevices, answered with a serviceCrossRefID and then switchingFunctionDevices
invokes, segmented the same way. Both are built here as plain values; the server sends them.

Stations are what a Panasonic PBX lists under ``standardDevice station``: wired extensions, DECT
portables and SIP extensions. CO trunks are its ``networkInterface`` devices. A category the
simulator has no devices of gets one last segment with an empty list, so a client waiting for
``lastSegment`` is never left hanging.

The names of the extensions (``extName [41]`` of the KME system data, CTI V1.1 and later) come
the same way, asked for with ``systemData`` 41. Both the request and the shape of the entries
are inferences (docs/simulator.md): nothing public shows how a client asks for the names.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ListedDevice",
    "escape_linked_reply",
    "escape_pos_ack",
    "kme_name_segments",
    "kme_segments",
    "requested_kme_category",
    "requested_system_data",
    "sfd_segments",
]


@dataclass(frozen=True)
class ListedDevice:
    """What a device list says about one device.

    ``category`` is a DeviceCategory name; ``device_id`` is the DeviceID value events use for
    the device, which is what the standard list shows (the KME list always shows the
    deviceNumber, with the dialling number beside it). ``name`` is "" for a device without one.
    """

    device_number: int
    number: str
    in_service: bool
    category: str
    device_id: dict[str, Any]
    name: str = ""


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    if size < 1:
        raise ValueError("segment size must be at least 1")
    return [items[i : i + size] for i in range(0, len(items), size)] or [items[:0]]


def requested_kme_category(private_data: Any) -> str | None:
    """The standardDevice category of a KME device-list request, None if it is not one.

    ``private_data`` is an EscapeArgument's privateData value.
    """
    match private_data:
        case (
            "private",
            (
                "kmeSystemData",
                ("getSystemData", ("request", ("deviceList", ("category", ("standardDevice", c))))),
            ),
        ):
            return str(c)
    return None


def requested_system_data(private_data: Any) -> int | None:
    """The ``systemData`` item a KME getSystemData request asks for, None if it is not one."""
    match private_data:
        case ("private", ("kmeSystemData", ("getSystemData", ("request", ("systemData", int(n)))))):
            return n
    return None


def _linked_replies(
    cross_ref: bytes, field: str, entries: list[dict[str, Any]], size: int
) -> list[dict[str, Any]]:
    chunks = _chunks(entries, size)
    return [
        {
            "crossRefID": cross_ref,
            "segmentID": index,
            "lastSegment": index == len(chunks),
            "sysData": {field: list(chunk)},
        }
        for index, chunk in enumerate(chunks, start=1)
    ]


def _kme_device(device: ListedDevice) -> dict[str, Any]:
    return {"deviceIdentifier": ("deviceNumber", device.device_number)}


def kme_segments(
    cross_ref: bytes, devices: Iterable[ListedDevice], category: str, size: int
) -> list[dict[str, Any]]:
    """systemDataLinkedReply values for the devices of one category, ``size`` entries each."""
    entries = [
        {
            "device": _kme_device(d),
            "number": d.number,
            "status": "ins" if d.in_service else "ous",
        }
        for d in devices
        if d.category == category
    ]
    return _linked_replies(cross_ref, "deviceList", entries, size)


def kme_name_segments(
    cross_ref: bytes, devices: Iterable[ListedDevice], size: int
) -> list[dict[str, Any]]:
    """systemDataLinkedReply values with the names of the named stations, ``size`` each.

    KME strings are IA5String: a character outside ASCII travels as ``?``.
    """
    entries = [
        {"device": _kme_device(d), "name": d.name.encode("ascii", "replace").decode("ascii")}
        for d in devices
        if d.category == "station" and d.name
    ]
    return _linked_replies(cross_ref, "extName", entries, size)


def escape_pos_ack(cross_ref: bytes) -> Any:
    """The EscapeResult that accepts a device-list request under ``cross_ref``."""
    return (
        "extensions",
        {"privateData": [("private", ("kmeSystemData", ("getSystemDataPosAck", cross_ref)))]},
    )


def escape_linked_reply(segment: dict[str, Any]) -> dict[str, Any]:
    """The EscapeArgument of the escape invoke that carries one segment."""
    return {"privateData": ("private", ("kmeSystemData", ("systemDataLinkedReply", segment)))}


def sfd_segments(
    cross_ref: bytes, devices: Iterable[ListedDevice], category: str | None, size: int
) -> list[dict[str, Any]]:
    """SwitchingFunctionDevicesArgument values; ``category`` None lists every device."""
    entries = [
        {"deviceID": d.device_id, "deviceCategory": d.category}
        for d in devices
        if category is None or d.category == category
    ]
    chunks = _chunks(entries, size)
    return [
        {
            "serviceCrossRefID": cross_ref,
            "segmentID": index,
            "lastSegment": index == len(chunks),
            "deviceList": list(chunk),
        }
        for index, chunk in enumerate(chunks, start=1)
    ]
