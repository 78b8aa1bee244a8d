"""Shared fixtures for the switch-model tests: a switch, terse event views, value checks.

Every event a test takes goes through :func:`check_event`, so each scripted flow also shows
that its events carry exactly the 2nd-edition fields a Panasonic PBX sends, in order, that
ecsta's own codec carries them unchanged, and (when the independent ECMA-285 oracle in
../shared/oracle is available) that they encode as the standard defines and decode back to the
same value.  The oracle cannot look inside Panasonic KME private data (ECMA-285 leaves
``CSTAPrivateData.private`` open), so it checks each event with that part replaced by an opaque
OCTET STRING (:func:`without_kme`), and ecsta's codec checks the KME part.
"""

from __future__ import annotations

import datetime
from types import ModuleType
from typing import Any

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from ecsta.sim.events import DeviceEvent
from ecsta.sim.failure import CstaError
from ecsta.sim.plan import Device, SwitchPlan
from ecsta.sim.services import CstaServices
from ecsta.sim.switch import Switch
from ecsta.wire import apdu
from tests.apdu_oracle import oracle

#: PROTOCOL.md section 7: the fields of each event as a Panasonic PBX sends them, in order.
PANASONIC_EVENT_FIELDS = {
    "delivered": "connection alertingDevice callingDevice calledDevice lastRedirectionDevice "
    "localConnectionInfo cause networkCallingDevice networkCalledDevice associatedCallingDevice "
    "associatedCalledDevice extensions",
    "established": "establishedConnection answeringDevice callingDevice calledDevice "
    "lastRedirectionDevice localConnectionInfo cause networkCallingDevice networkCalledDevice "
    "associatedCallingDevice associatedCalledDevice extensions",
    "failed": "failedConnection failingDevice callingDevice calledDevice lastRedirectionDevice "
    "localConnectionInfo cause networkCallingDevice networkCalledDevice associatedCallingDevice "
    "associatedCalledDevice",
    "diverted": "connection divertingDevice newDestination callingDevice calledDevice "
    "lastRedirectionDevice localConnectionInfo cause networkCallingDevice networkCalledDevice "
    "associatedCallingDevice associatedCalledDevice",
    "originated": "originatedConnection callingDevice calledDevice localConnectionInfo cause "
    "networkCallingDevice networkCalledDevice associatedCallingDevice associatedCalledDevice "
    "extensions",
    "serviceInitiated": "initiatedConnection initiatingDevice localConnectionInfo cause "
    "networkCallingDevice networkCalledDevice extensions",
    "networkReached": "outboundConnection networkInterfaceUsed callingDevice calledDevice "
    "lastRedirectionDevice localConnectionInfo cause",
    "held": "heldConnection holdingDevice localConnectionInfo cause extensions",
    "retrieved": "retrievedConnection retrievingDevice localConnectionInfo cause",
    "connectionCleared": "droppedConnection releasingDevice localConnectionInfo cause",
    "transferred": "primaryOldCall secondaryOldCall transferringDevice transferredToDevice "
    "transferredConnections localConnectionInfo cause",
    "conferenced": "primaryOldCall secondaryOldCall conferencingDevice addedParty "
    "conferenceConnections localConnectionInfo cause",
}

#: (event, the device of its first field, the monitored device's own state, cause)
Brief = tuple[str, str, str | None, str | None]


def dialled(caller: str, by: str = "newCall") -> list[Brief]:
    """What the caller's monitor sees first of a call it starts: the service initiated (by the
    handset, ``newCall``, or by a MakeCall, ``makeCall``) and the call originated."""
    return [
        ("serviceInitiated", caller, "initiated", by),
        ("originated", caller, "connected", "newCall"),
    ]


def rings(caller: str, called: str, *before: Brief) -> dict[str, list[Brief]]:
    """What both parties see when a call from ``caller`` (whose monitor saw ``before`` first)
    reaches ``called``, which starts ringing."""
    return {
        caller: [*before, ("delivered", called, "connected", "newCall")],
        called: [("delivered", called, "alerting", "newCall")],
    }


def rings_out(caller: str, trunk: str, *before: Brief) -> dict[str, list[Brief]]:
    """What the caller (whose monitor saw ``before`` first) and the trunk see when an outside
    call seizes ``trunk`` and rings in the public network."""
    return {
        caller: [
            *before,
            ("networkReached", trunk, "connected", "newCall"),
            ("delivered", trunk, "connected", "newCall"),
        ],
        trunk: [
            ("networkReached", trunk, "initiated", "newCall"),
            ("delivered", trunk, "alerting", "newCall"),
        ],
    }


def twin_answers(caller: str, desk: str, portable: str) -> dict[str, list[Brief]]:
    """What the three parties see when the Super-Twin ``portable`` answers a call from
    ``caller`` that rang it and its ``desk`` phone: the desk phone stops ringing."""
    answered: Brief = ("established", portable, "connected", "newCall")
    desk_gone: Brief = ("connectionCleared", desk, "connected", "normalClearing")
    return {
        caller: [answered, desk_gone],
        desk: [
            ("established", portable, "alerting", "newCall"),
            ("connectionCleared", desk, "null", "normalClearing"),
        ],
        portable: [answered, desk_gone],
    }


def cleared(leaving: str, other: str, cause: str = "normalClearing") -> dict[str, list[Brief]]:
    """What both parties of a two-party call see when ``leaving`` is cleared from it for
    ``cause``: the call ends for ``other`` too."""
    return {
        leaving: [("connectionCleared", leaving, "null", cause)],
        other: [
            ("connectionCleared", leaving, "connected", cause),
            ("connectionCleared", other, "null", "normalClearing"),
        ],
    }


_KME_STAND_IN = ("string", b"kme")


def consults(party: str, other: str, consulted: str) -> dict[str, list[Brief]]:
    """What the three parties see when ``party``, in a call with ``other``, consults
    ``consulted``: the first call held, a new one ringing at ``consulted``."""
    return {
        **rings(
            party,
            consulted,
            ("held", party, "hold", "consultation"),
            ("serviceInitiated", party, "initiated", "consultation"),
            ("originated", party, "connected", "consultation"),
        ),
        other: [("held", party, "connected", "consultation")],
    }


def alternates(party: str, back: str, away: str) -> dict[str, list[Brief]]:
    """What the three parties see when ``party`` swaps from its call with ``away`` (now held)
    to its held call with ``back``."""
    return {
        party: [
            ("held", party, "hold", "alternate"),
            ("retrieved", party, "connected", "alternate"),
        ],
        back: [("retrieved", party, "connected", "alternate")],
        away: [("held", party, "connected", "alternate")],
    }


def reconnects(party: str, back: str, away: str) -> dict[str, list[Brief]]:
    """What the three parties see when ``party`` ends its call with ``away`` and takes its held
    call with ``back`` again."""
    gone = cleared(party, away)
    return {
        party: [*gone[party], ("retrieved", party, "connected", "normal")],
        back: [("retrieved", party, "connected", "normal")],
        away: gone[away],
    }


def without_kme(value: Any) -> tuple[Any, bool]:
    """``value`` with every KME private data item replaced; whether there was any."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "private":
        return _KME_STAND_IN, True
    if isinstance(value, dict):
        found = False
        out = {}
        for key, item in value.items():
            out[key], inner = without_kme(item)
            found = found or inner
        return out, found
    if isinstance(value, list | tuple):
        items = [without_kme(item) for item in value]
        rebuilt = [item for item, _ in items]
        return (tuple(rebuilt) if isinstance(value, tuple) else rebuilt), any(f for _, f in items)
    return value, False


def oracle_or_none() -> ModuleType | None:
    try:
        return oracle()
    except SkipTest:
        return None


def with_datetimes(value: Any) -> Any:
    """GeneralizedTime text as datetimes: the oracle (asn1tools) takes and gives datetimes
    where the project's value convention keeps the text as on the wire."""
    if isinstance(value, str) and len(value) == 14 and value.isdigit():
        return datetime.datetime.strptime(value, "%Y%m%d%H%M%S")
    if isinstance(value, dict):
        return {k: with_datetimes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_datetimes(v) for v in value]
    if isinstance(value, tuple):
        return tuple(with_datetimes(v) for v in value)
    return value


def check_event(case: SynchronousTestCase, event: DeviceEvent) -> None:
    """The event has Panasonic's fields in Panasonic's order, and is valid ECMA-285."""
    fields = list(event.value)
    allowed = PANASONIC_EVENT_FIELDS.get(event.name)
    if allowed is not None:
        order = allowed.split()
        case.assertEqual(
            fields, [f for f in order if f in fields], f"{event.name} fields out of order"
        )
        case.assertEqual(set(fields) - set(order), set(), f"{event.name} has foreign fields")
    ours = apdu.decode(apdu.event_report(1, b"\x01", event.group, event.name, event.value))
    assert isinstance(ours, apdu.Invoke)
    case.assertEqual(ours.argument["eventSpecificInfo"], (event.group, (event.name, event.value)))
    ecma = oracle_or_none()
    if ecma is not None:
        standard, _ = without_kme(event.value)
        pdu = ecma.encode_event(1, b"\x01", event.group, event.name, standard)
        _, decoded = ecma.decode_apdu(pdu)
        info = decoded["argument"]["eventSpecificInfo"]
        case.assertEqual(info, (event.group, (event.name, standard)))


def label(value: Any) -> str:
    """A short name for a DeviceID, a subject-like CHOICE or a ConnectionID's device.

    '101' for a dialling number, '#01210000' for a deviceNumber, '?' for notKnown."""
    if isinstance(value, tuple):
        kind, content = value
        if kind == "both":
            return label(content["deviceID"][1])
        if kind in ("deviceIdentifier", "numberdialed", "deviceID", "staticID"):
            return label(content)
        return kind
    kind, key = value["deviceIdentifier"]
    return key if kind == "dialingNumber" else f"#{key:08x}"


def brief(event: DeviceEvent) -> tuple[Any, ...]:
    """(event, the device of its first field, the monitored device's state, cause)."""
    first = next(iter(event.value.values()))
    return (
        event.name,
        label(first),
        event.value.get("localConnectionInfo"),
        event.value.get("cause"),
    )


class SwitchCase(SynchronousTestCase):
    """A default office switch, started at ``start_time``, with its services."""

    start_time = 0.0

    def setUp(self) -> None:
        self.switch = Switch(SwitchPlan.default(), now=self.start_time)
        self.services = CstaServices(self.switch)

    def dev(self, key: str | int) -> Device:
        """A device by number, deviceNumber, or label ('#01210000')."""
        if isinstance(key, str) and key.startswith("#"):
            return self.switch.device(int(key[1:], 16))
        return self.switch.device(key)

    def take(self) -> list[DeviceEvent]:
        events = self.switch.take_events()
        for event in events:
            check_event(self, event)
        return events

    def seen(self, events: list[DeviceEvent], key: str | int) -> list[tuple[Any, ...]]:
        device = self.dev(key)
        return [brief(e) for e in events if e.device is device]

    def assertSeen(self, events: list[DeviceEvent], expected: dict[Any, list[tuple[Any, ...]]]):
        """Each listed device saw exactly these events, and no other device saw any."""
        for key, wanted in expected.items():
            self.assertEqual(self.seen(events, key), wanted, f"events seen by {key}")
        listed = {self.dev(key) for key in expected}
        others = sorted({repr(e.device) for e in events if e.device not in listed})
        self.assertEqual(others, [], "events reached devices outside the flow")

    def states(self) -> list[list[tuple[str, str]]]:
        """Each live call as [(device label, state), ...]."""
        return [
            [(_device_label(d), state) for d, state in info.connections]
            for info in self.switch.calls()
        ]

    def call_id(self, key: str | int) -> bytes:
        """The callID of the one call the device is in."""
        calls = self.switch.connections_of(self.dev(key))
        self.assertEqual(len(calls), 1, f"{key} is in {len(calls)} calls")
        return calls[0][0].call_id

    def assertFailure(self, category: str, value: str | None, function: Any, *args: Any) -> None:
        error = self.assertRaises(CstaError, function, *args)
        self.assertEqual(error.universal_failure, (category, value))


def _device_label(device: Device) -> str:
    return device.number if device.named_by_number else f"#{device.device_number:08x}"


def dn(number: str) -> dict[str, Any]:
    """DeviceID by dialling number."""
    return {"deviceIdentifier": ("dialingNumber", number)}


def dnum(device_number: int) -> dict[str, Any]:
    """DeviceID by Panasonic deviceNumber."""
    return {"deviceIdentifier": ("deviceNumber", device_number)}


def conn(call_id: bytes, device: dict[str, Any]) -> tuple[str, Any]:
    """ConnectionID in the both form."""
    return ("both", {"callID": call_id, "deviceID": ("staticID", device)})
