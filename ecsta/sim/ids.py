"""How the switch names devices, parties and connections in CSTA values (ECMA-285 conventions).

Values follow the project's decoded-ASN.1 convention (asn1tools'), so the wire encoder can take
them unchanged: a DeviceID is ``{'deviceIdentifier': ('dialingNumber', '101')}``, a CHOICE is a
``(name, value)`` tuple.

Naming policy: a device is named by its dialling number when that number identifies it alone;
a Super-Twin DECT portable (which shares its desk phone's number) and a CO trunk (which has no
dialling number) are named by their Panasonic deviceNumber.  A party in the public network is
named by the number that was dialled or presented, and connections always take the ``both``
form with the switch's own device (for an outside party: the trunk that carries it), as
Panasonic events do (PROTOCOL.md section 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecsta.sim.plan import Device

DeviceIDValue = dict[str, Any]
ChoiceValue = tuple[str, Any]


@dataclass(frozen=True)
class Number:
    """A party the switch knows only by its digits: an outside party, or a number that leads
    nowhere.  Empty digits stand for a caller whose number the network did not give."""

    digits: str


Party = Device | Number


@dataclass(frozen=True)
class Route:
    """Where dialled digits lead: a device, an outside number over a trunk (``outside``), or
    nowhere (a Number that is not outside)."""

    party: Party
    outside: bool = False

    @property
    def reachable(self) -> bool:
        return self.outside or isinstance(self.party, Device)


def device_id(device: Device) -> DeviceIDValue:
    if device.named_by_number:
        return {"deviceIdentifier": ("dialingNumber", device.number)}
    return {"deviceIdentifier": ("deviceNumber", device.device_number)}


def party_id(party: Party) -> DeviceIDValue:
    if isinstance(party, Device):
        return device_id(party)
    return {"deviceIdentifier": ("dialingNumber", party.digits)}


def known_id(party: Party | None) -> DeviceIDValue | None:
    """The party's DeviceID, or None when the switch does not know who it is."""
    if party is None or (isinstance(party, Number) and not party.digits):
        return None
    return party_id(party)


def subject(party: Party | None) -> ChoiceValue:
    """The ``(choice, value)`` form shared by Subject-, Calling- and CalledDeviceID."""
    value = known_id(party)
    return ("notKnown", None) if value is None else ("deviceIdentifier", value)


def connection_id(call_id: bytes, device: Device) -> ChoiceValue:
    return ("both", {"callID": call_id, "deviceID": ("staticID", device_id(device))})


def redirection(device: Device | None) -> ChoiceValue:
    """lastRedirectionDevice: notRequired when the call was never redirected (ECMA-269)."""
    if device is None:
        return ("notRequired", None)
    return ("numberdialed", device_id(device))
