"""What the switch reports: one record per event per device that sees it.

Field names and their order are those of a Panasonic PBX, which negotiates ECMA-285 2nd edition
and sends that edition's fields only (PROTOCOL.md section 7); applications decode them with
specs that know nothing more, so no later-edition field may appear.  Events that the table of
section 7 does not list (callCleared, digitsGeneratedEvent, the logical-device and maintenance
events) carry their mandatory fields and the ones the simulator has a value for.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ecsta.sim.plan import Device

__all__ = [
    "EVENT_FIELDS",
    "EVENT_GROUP",
    "HOLD_TYPE",
    "DeviceEvent",
    "event_value",
    "kme_hold_type",
]

#: The parties and the state a call-control event names after its own connection and device.
_CALL_PARTIES = (
    "callingDevice",
    "calledDevice",
    "lastRedirectionDevice",
    "localConnectionInfo",
    "cause",
)
#: The network and associated parties that follow them.
_NETWORK_PARTIES = (
    "networkCallingDevice",
    "networkCalledDevice",
    "associatedCallingDevice",
    "associatedCalledDevice",
)

_CALL_CONTROL: dict[str, tuple[str, ...]] = {
    "delivered": (
        "connection",
        "alertingDevice",
        *_CALL_PARTIES,
        *_NETWORK_PARTIES,
        "extensions",
    ),
    "established": (
        "establishedConnection",
        "answeringDevice",
        *_CALL_PARTIES,
        *_NETWORK_PARTIES,
        "extensions",
    ),
    "failed": ("failedConnection", "failingDevice", *_CALL_PARTIES, *_NETWORK_PARTIES),
    "diverted": (
        "connection",
        "divertingDevice",
        "newDestination",
        *_CALL_PARTIES,
        *_NETWORK_PARTIES,
    ),
    "originated": (
        "originatedConnection",
        "callingDevice",
        "calledDevice",
        "localConnectionInfo",
        "cause",
        *_NETWORK_PARTIES,
        "extensions",
    ),
    "serviceInitiated": (
        "initiatedConnection",
        "initiatingDevice",
        "localConnectionInfo",
        "cause",
        "networkCallingDevice",
        "networkCalledDevice",
        "extensions",
    ),
    "networkReached": ("outboundConnection", "networkInterfaceUsed", *_CALL_PARTIES),
    "held": ("heldConnection", "holdingDevice", "localConnectionInfo", "cause", "extensions"),
    "retrieved": ("retrievedConnection", "retrievingDevice", "localConnectionInfo", "cause"),
    "connectionCleared": ("droppedConnection", "releasingDevice", "localConnectionInfo", "cause"),
    "transferred": (
        "primaryOldCall",
        "secondaryOldCall",
        "transferringDevice",
        "transferredToDevice",
        "transferredConnections",
        "localConnectionInfo",
        "cause",
    ),
    "conferenced": (
        "primaryOldCall",
        "secondaryOldCall",
        "conferencingDevice",
        "addedParty",
        "conferenceConnections",
        "localConnectionInfo",
        "cause",
    ),
    "callCleared": ("clearedCall", "cause"),
}

_CALL_ASSOCIATED: dict[str, tuple[str, ...]] = {
    "digitsGeneratedEvent": ("connection", "digitGeneratedList"),
}

_LOGICAL_DEVICE_FEATURE: dict[str, tuple[str, ...]] = {
    "callBack": ("originatingDevice", "targetDevice", "callBackSetCanceled"),
    "doNotDisturb": ("device", "doNotDisturbOn"),
    "forwarding": ("device", "forwardingType", "forwardStatus", "forwardTo"),
}

_DEVICE_MAINTENANCE: dict[str, tuple[str, ...]] = {
    "outOfService": ("device",),
    "backInService": ("device",),
}

#: event name -> its fields in the order they are sent.
EVENT_FIELDS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {**_CALL_CONTROL, **_CALL_ASSOCIATED, **_LOGICAL_DEVICE_FEATURE, **_DEVICE_MAINTENANCE}
)

#: event name -> the EventSpecificInfo alternative it travels in.
EVENT_GROUP: MappingProxyType[str, str] = MappingProxyType(
    {
        **dict.fromkeys(_CALL_CONTROL, "callControlEvents"),
        **dict.fromkeys(_CALL_ASSOCIATED, "callAssociatedEvents"),
        **dict.fromkeys(_LOGICAL_DEVICE_FEATURE, "logicalDeviceFeatureEvents"),
        **dict.fromkeys(_DEVICE_MAINTENANCE, "deviceMaintenanceEvents"),
    }
)


@dataclass(frozen=True)
class DeviceEvent:
    """An event as the monitor of ``device`` sees it.

    ``group`` is the EventSpecificInfo alternative, ``name`` the event alternative within it and
    ``value`` the event SEQUENCE; ``localConnectionInfo`` in it is ``device``'s own state.
    """

    device: Device
    group: str
    name: str
    value: dict[str, Any]


#: The KME holdType a held event reports for each cause: a hold for a consultation, or for
#: swapping between two calls, keeps the held call paired with the other one (Panasonic
#: "consultation hold"); a hold on its own is a normal hold.
HOLD_TYPE: MappingProxyType[str, str] = MappingProxyType(
    {"consultation": "consultation", "alternate": "consultation", "normal": "normal"}
)


def kme_hold_type(hold_type: str) -> dict[str, Any]:
    """The extensions of a held event: Panasonic sends the kind of hold as KME private data
    (PROTOCOL.md section 7), which applications use to tell a consultation from a hold."""
    return {"privateData": [("private", ("kmeAdditionalData", ("holdType", hold_type)))]}


def event_value(name: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The event SEQUENCE with its fields in wire order; absent (None) fields are left out."""
    order = EVENT_FIELDS[name]
    unknown = set(fields) - set(order)
    if unknown:
        raise KeyError(f"{name} has no field {sorted(unknown)}")
    return {key: fields[key] for key in order if fields.get(key) is not None}
