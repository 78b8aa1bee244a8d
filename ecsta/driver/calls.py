"""The call engine: CSTA events in, TAPI calls changed and line messages out.

Sans-IO: :class:`CallEngine` is fed decoded event reports (plain values, see
:mod:`ecsta.wire.values`) and what operations returned, and returns the messages to publish.
It looks every transition up in :data:`ecsta.driver.model.TRANSITIONS`; an event that does not
fit is logged with the call's history and changes nothing, so a switch that reports something
unexpected never breaks the driver.
"""

import itertools
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from twisted.logger import Logger

from ecsta.driver import messages
from ecsta.driver.constants import (
    LineAddressState,
    LineCallFeature,
    LineCallInfoState,
    LineCallOrigin,
    LineCallReason,
    LineCallState,
    LineConnectedMode,
    LineDevState,
    LineDisconnectMode,
    LineOfferingMode,
)
from ecsta.driver.devices import (
    DeviceKey,
    call_of_connection,
    key_of,
    key_of_choice,
    key_of_connection,
)
from ecsta.driver.lifecycle import LineEvent, next_state
from ecsta.driver.lines import FORWARD_MODES, Line, Lines
from ecsta.driver.messages import Message
from ecsta.driver.model import (
    DEFAULT_MODES,
    FAILURES,
    HELD,
    NEW,
    REASONS,
    STATE_FEATURES,
    TRANSITIONS,
    Call,
    Rule,
    Side,
)

S = LineCallState
F = LineCallFeature
#: Digits of one dataCollected report passed on (a report is one person's dialling).
MAX_REPORTED_DIGITS = 64
#: Transfers remembered until the party a call was transferred to is offered it.
MAX_TRANSFERS = 256
#: Causes of the Delivered event that offers a transferred call to its new party.
TRANSFER_CAUSES = ("singleStepTransfer", "transfer")
I = LineCallInfoState  # noqa: E741

#: Which field of each call control event holds the connection it is about, and which names
#: the device of that connection (for a connection given by callID alone).
SUBJECT: dict[str, tuple[str, str | None]] = {
    "serviceInitiated": ("initiatedConnection", "initiatingDevice"),
    "originated": ("originatedConnection", "callingDevice"),
    "networkReached": ("outboundConnection", "networkInterfaceUsed"),
    "delivered": ("connection", "alertingDevice"),
    "established": ("establishedConnection", "answeringDevice"),
    "held": ("heldConnection", "holdingDevice"),
    "retrieved": ("retrievedConnection", "retrievingDevice"),
    "queued": ("queuedConnection", "queue"),
    "diverted": ("connection", "divertingDevice"),
    "failed": ("failedConnection", "failingDevice"),
    "connectionCleared": ("droppedConnection", "releasingDevice"),
    "callCleared": ("clearedCall", None),
    "transferred": ("primaryOldCall", "transferringDevice"),
    "conferenced": ("primaryOldCall", "conferencingDevice"),
}

_MODES = {
    S.LINECALLSTATE_OFFERING: LineOfferingMode.LINEOFFERINGMODE_ACTIVE,
    S.LINECALLSTATE_CONNECTED: LineConnectedMode.LINECONNECTEDMODE_ACTIVE,
    **DEFAULT_MODES,
}

#: Snapshot LocalConnectionState of our connection -> the TAPI state a resynchronised call gets.
SNAPSHOT_STATES: dict[str, LineCallState] = {
    "initiated": S.LINECALLSTATE_DIALTONE,
    "alerting": S.LINECALLSTATE_OFFERING,
    "connected": S.LINECALLSTATE_CONNECTED,
    "hold": S.LINECALLSTATE_ONHOLD,
    "queued": S.LINECALLSTATE_OFFERING,
    "fail": S.LINECALLSTATE_BUSY,
}


class CallEngine:
    """All TAPI calls of all lines, moved by CSTA events.

    ``is_internal`` tells whether a number is one of the PBX's own extensions (for a call's
    origin); by default any number the directory or the line list knows. ``call_ids`` hands out
    the calls' ids; engines that serve one API share it, so that an id names one call.
    """

    log = Logger()

    def __init__(
        self,
        lines: Lines,
        is_internal: Callable[[str], bool] | None = None,
        call_ids: Iterator[int] | None = None,
    ) -> None:
        self.lines = lines
        self.calls: dict[int, Call] = {}
        self._call_ids = call_ids if call_ids is not None else itertools.count(1)
        self._is_internal = is_internal
        self.unfitting = 0
        self.events = 0
        self.learned_twins: list[Line] = []
        #: Data collections of lineMonitorDigits, and those of calls gone, still to be stopped.
        self.collections: dict[bytes, Call] = {}
        self.ended_collections: list[bytes] = []
        self._recent: dict[str, deque[tuple[tuple[str, str, str], bytes]]] = {}
        #: Who transferred each recently transferred call, for the party it is offered to next:
        #: the PBX's Delivered event after a single-step transfer does not name the transferring
        #: device. The oldest are forgotten beyond :data:`MAX_TRANSFERS`.
        self._transferred_by: OrderedDict[bytes, DeviceKey] = OrderedDict()

    # -- lookups --------------------------------------------------------------------------------

    def call(self, call_id: int) -> Call | None:
        return self.calls.get(call_id)

    def line_of(self, call: Call) -> Line:
        line = self.lines.get(call.line)
        assert line is not None, "a call outlived its line"
        return line

    def internal(self, key: DeviceKey | None) -> bool:
        """Whether ``key`` is one of the PBX's own devices rather than an outside party."""
        if key is None:
            return False
        directory = self.lines.directory
        if isinstance(key, int):
            return not directory.is_trunk(key)
        if key in self.lines or key in directory.devices:
            return True
        return self._is_internal(key) if self._is_internal is not None else False

    def canonical(self, key: DeviceKey | None) -> DeviceKey | None:
        """One name per device: the dialing number when the directory knows the deviceNumber.

        The DECT of a Super-Twin pair keeps its deviceNumber: the dialing number it shares
        names its desk phone, and the two are different parties of a call. Taking one for the
        other would make the DECT that stops ringing when the desk phone answers look like
        the called party hanging up.
        """
        if isinstance(key, int):
            directory = self.lines.directory
            number = directory.numbers.get(key)
            if number is None or directory.twins.get(number) == key:
                return key
            return number
        return key

    # -- events ---------------------------------------------------------------------------------

    def report(self, argument: Mapping[str, Any]) -> list[Message]:
        """Handle one cSTAEventReport argument."""
        cross_ref = argument.get("crossRefIdentifier")
        group, (name, value) = argument["eventSpecificInfo"]
        if not isinstance(cross_ref, bytes):
            return []
        return self.event(cross_ref, group, name, value)

    def event(
        self, cross_ref: bytes, group: str, name: str, value: Mapping[str, Any]
    ) -> list[Message]:
        """Handle one event reported by the monitor ``cross_ref``."""
        self.events += 1
        line = self.lines.by_monitor(cross_ref)
        if line is None:
            self.log.debug(
                "event {name} for monitor {ref} that no line holds", name=name, ref=cross_ref.hex()
            )
            return []
        if line.twin_monitor is not None and self._seen_twice(line, cross_ref, group, name, value):
            return []
        if group == "callControlEvents" and name in SUBJECT:
            return self._call_event(line, name, value)
        if group == "callAssociatedEvents" and name == "digitsGeneratedEvent":
            return self._digits_generated(line, value)
        if group == "logicalDeviceFeatureEvents" and name == "forwarding":
            return self.forwarding_event(line, value)
        if group == "deviceMaintenanceEvents" and name in ("outOfService", "backInService"):
            return self.set_in_service(line, name == "backInService")
        return []

    def _digits_generated(self, line: Line, ev: Mapping[str, Any]) -> list[Message]:
        """The digits this line generated are sent: LINE_GENERATE, LINEGENERATETERM_DONE.

        The other parties of the call hear the event too; it is only the generator's.
        """
        connection = ev.get("connection")
        address = line.address_of(key_of_connection(connection))
        csta_call = call_of_connection(connection)
        for call in line.calls.values():
            if call.csta_call == csta_call and call.address == address and call.exists:
                if not call.generating:
                    return []  # digits another application of the PBX asked for
                call.generating = False
                digits = ev.get("digitGeneratedList")
                return [messages.generate(call, digits if isinstance(digits, str) else None)]
        return []

    @staticmethod
    def _generation_ended(call: Call) -> list[Message]:
        """LINE_GENERATE CANCEL for digits still being sent when the call leaves the phone."""
        if not call.generating:
            return []
        call.generating = False
        return [messages.generate(call, None, done=False)]

    def _seen_twice(
        self, line: Line, cross_ref: bytes, group: str, name: str, value: Mapping[str, Any]
    ) -> bool:
        """Whether the line's other monitor already reported this event.

        A Super-Twin line is monitored twice (the desk phone and the DECT), and a switch
        reports an event to the monitor of every party, each copy with that party's own
        ``localConnectionInfo``; the copy that comes second is dropped here.
        """
        key = (
            group,
            name,
            repr(sorted((k, v) for k, v in value.items() if k != "localConnectionInfo")),
        )
        recent = self._recent.setdefault(line.number, deque(maxlen=16))
        for index, (seen, monitor) in enumerate(recent):
            if seen == key and monitor != cross_ref:
                del recent[index]
                return True
        recent.append((key, cross_ref))
        return False

    def _call_event(self, line: Line, name: str, ev: Mapping[str, Any]) -> list[Message]:
        connection_field, device_field = SUBJECT[name]
        connection = ev.get(connection_field)
        subject = key_of_connection(connection)
        if subject is None and device_field is not None:
            subject = key_of_choice(ev.get(device_field))
        if name in ("transferred", "conferenced"):
            subject = key_of_choice(ev.get(device_field or ""))
        if name == "transferred":
            self._remember_transfer(ev)
        call_ids = {call_of_connection(connection)}
        if name in ("transferred", "conferenced"):
            secondary = call_of_connection(ev.get("secondaryOldCall"))
            if secondary is None:
                secondary = self._other_old_call(line, name, subject, ev, call_ids)
            call_ids.add(secondary)
        call_ids.discard(None)
        if not call_ids:
            self.log.info("{line}: {name} without a callID, ignored", line=line.number, name=name)
            return []
        if name in ("delivered", "established") and line.address_of(subject) is None:
            called = key_of_choice(ev.get("calledDevice"))
            if line.address_of(called) == 0 and line.learn_twin(subject, self.lines.directory):
                self.learned_twins.append(line)
                self.log.info(
                    "{line}: Super-Twin DECT {dect:#x} detected", line=line.number, dect=subject
                )
        subject_address = None if name == "callCleared" else line.address_of(subject)
        out: list[Message] = []
        existing = [c for c in list(line.calls.values()) if c.csta_call in call_ids]
        if name == "conferenced" and subject_address is not None:
            return self._conference(line, existing, subject_address, ev)
        if subject_address is not None and not any(c.address == subject_address for c in existing):
            created = self._create(line, name, Side.LOCAL, subject_address, call_ids, ev)
            if created is not None:
                existing.insert(0, created)
        elif not existing and subject_address is None:
            calling = key_of_choice(ev.get("callingDevice"))
            our_address = line.address_of(calling)
            if our_address is not None:
                created = self._create(line, name, Side.REMOTE, our_address, call_ids, ev)
                if created is not None:
                    existing.append(created)
        if not existing:
            target = TRANSITIONS.get(
                (name, Side.REMOTE if subject_address is None else Side.LOCAL, NEW)
            )
            if target is not Rule.IGNORE:
                self.log.debug(
                    "{line}: {name} for a call it does not have", line=line.number, name=name
                )
            return out
        for call in existing:
            if subject_address is None:
                side = Side.REMOTE
            elif subject_address == call.address:
                side = Side.LOCAL
            else:
                side = Side.TWIN
            out.extend(self._apply(line, call, name, side, subject, ev))
        out.extend(self._refresh_features(line))
        return out

    def _other_old_call(
        self,
        line: Line,
        name: str,
        joining: DeviceKey | None,
        ev: Mapping[str, Any],
        primary: set[Any],
    ) -> bytes | None:
        """The call a transfer or conference joined to primaryOldCall, for an event that
        leaves out secondaryOldCall (it is optional, and a PBX may send the least).

        On the line of the transferring (conferencing) device it is that device's other call
        with a party of the resulting call; on the line of a party of the resulting call
        without a call in primaryOldCall, its call with the transferring device. None unless
        exactly one call fits.
        """
        entries = (
            ev.get("transferredConnections" if name == "transferred" else "conferenceConnections")
            or []
        )
        listed = [key_of_connection(e.get("newConnection")) for e in entries]
        if line.address_of(joining) is not None:
            wanted = {self.canonical(k) for k in listed} - {None, self.canonical(joining)}
            addresses = {line.address_of(joining)}
        else:
            wanted = {self.canonical(joining)} - {None}
            addresses = {line.address_of(k) for k in listed} - {None}
            addresses -= {c.address for c in line.calls.values() if c.csta_call in primary}
        fits = {
            c.csta_call
            for c in line.calls.values()
            if c.address in addresses
            and c.csta_call not in primary
            and wanted & (c.parties | {self.canonical(c.connected_key)})
        }
        return fits.pop() if len(fits) == 1 else None

    def _create(
        self,
        line: Line,
        name: str,
        side: Side,
        address: int,
        call_ids: set[Any],
        ev: Mapping[str, Any],
    ) -> Call | None:
        target = TRANSITIONS.get((name, side, NEW))
        if target is None or target is Rule.IGNORE:
            return None
        csta_call = next(iter(call_ids))
        placeholder = self._placeholder(line, address) if side is Side.LOCAL else None
        if placeholder is not None and name in ("serviceInitiated", "originated"):
            placeholder.csta_call = csta_call
            return placeholder
        return self.new_call(line, address, csta_call)

    def _placeholder(self, line: Line, address: int) -> Call | None:
        for call in line.calls.values():
            if call.csta_call is None and call.address == address and call.exists:
                return call
        return None

    def new_call(self, line: Line, address: int, csta_call: bytes | None) -> Call:
        """A call in the NEW pseudo state; it is announced by its first transition."""
        call = Call(
            id=next(self._call_ids),
            line=line.number,
            address=address,
            csta_call=csta_call,
            device=line.address_device(address),
        )
        line.calls[call.id] = call
        self.calls[call.id] = call
        return call

    def drive(self, call: Call, name: str, ev: Mapping[str, Any] | None = None) -> list[Message]:
        """Apply an event the driver itself learned (a pseudo-event of the table) to ``call``."""
        line = self.line_of(call)
        out = self._apply(line, call, name, Side.LOCAL, call.device, ev or {})
        out.extend(self._refresh_features(line))
        return out

    def _apply(
        self,
        line: Line,
        call: Call,
        name: str,
        side: Side,
        subject: DeviceKey | None,
        ev: Mapping[str, Any],
    ) -> list[Message]:
        target = TRANSITIONS.get((name, side, call.state))
        label = call.state_name
        if target is None:
            self.unfitting += 1
            call.history.append(f"{name}/{side.value} in {label}: does not fit, ignored")
            self.log.warn(
                "line {line} call {call}: {name} ({side}) does not fit state {state}; "
                "history: {history}",
                line=line.number,
                call=call.id,
                name=name,
                side=side.value,
                state=label,
                history=" | ".join(call.history),
            )
            if not call.exists:
                self._forget(line, call)
            return []
        created = not call.exists
        changed = self._absorb(line, call, name, side, subject, ev, created)
        state, mode = self._resolve(line, call, target, name, side, subject, ev)
        if target is Rule.FAR_END_CLEARED and state is None:
            changed |= self._connected_left(call, subject)
        out: list[Message] = []
        if target in (Rule.REBIND, Rule.JOIN):
            changed |= self._rebind(line, call, name, ev)
        if target is Rule.REBIND and name == "transferred":
            changed = self._transferred_ids(line, call, ev, changed)
        if target is Rule.JOIN:
            joined = key_of_connection(ev.get("primaryOldCall"))
            if joined is not None and line.address_of(joined) is None:
                call.connected_key = joined
                call.connected = self._party(joined)
                changed |= I.LINECALLINFOSTATE_CONNECTEDID
        if created and state is None:
            self._forget(line, call)
            return []
        call.history.append(
            f"{name}/{side.value}: {label} -> {state.name if state is not None else label}"
        )
        if created:
            if state is not None:
                call.state = state
                call.mode = mode
            call.features = self._features(line, call)
            out.append(messages.new_call(call))
            out.append(messages.call_state(call))
            return out
        if changed and state is not S.LINECALLSTATE_IDLE:
            out.append(messages.call_info(call, changed))
        if state is not None and (state != call.state or mode != call.mode):
            call.state = state
            call.mode = mode
            if state is S.LINECALLSTATE_IDLE:
                call.features = F(0)
                out.extend(self._generation_ended(call))
                out.append(messages.call_state(call))
                self._forget(line, call)
            else:
                call.features = self._features(line, call)
                out.append(messages.call_state(call))
        return out

    def _resolve(
        self,
        line: Line,
        call: Call,
        target: Any,
        name: str,
        side: Side,
        subject: DeviceKey | None,
        ev: Mapping[str, Any],
    ) -> tuple[LineCallState | None, Any]:
        """The state (None: unchanged) and mode a target leads to for this event."""
        if isinstance(target, S):
            return target, _MODES.get(target)
        if target is Rule.HOLD:
            state = {
                "transfer": S.LINECALLSTATE_ONHOLDPENDTRANSFER,
                "conference": S.LINECALLSTATE_ONHOLDPENDCONF,
            }.get(call.pending or "", S.LINECALLSTATE_ONHOLD)
            return state, None
        if target is Rule.FAIL:
            state, mode = FAILURES.get(
                ev.get("cause", ""),
                (S.LINECALLSTATE_DISCONNECTED, LineDisconnectMode.LINEDISCONNECTMODE_UNKNOWN),
            )
            return state, mode
        if target in (Rule.GONE, Rule.TRANSFERRED):
            return S.LINECALLSTATE_IDLE, None
        if target is Rule.FAR_END_CLEARED:
            return self._far_end_cleared(call, subject, ev)
        if target is Rule.JOIN:
            return S.LINECALLSTATE_CONNECTED, LineConnectedMode.LINECONNECTEDMODE_ACTIVE
        if target is Rule.MEMBER_CLEARED:
            if self.canonical(subject) == self.canonical(call.connected_key):
                return S.LINECALLSTATE_IDLE, None
            return None, None
        return None, None

    def _far_end_cleared(
        self, call: Call, subject: DeviceKey | None, ev: Mapping[str, Any]
    ) -> tuple[LineCallState | None, Any]:
        """DISCONNECTED when the last other party left; a third party leaving changes nothing."""
        key = self.canonical(subject)
        if key in call.parties:
            call.parties.discard(key)
        elif key is None or not self.internal(key):
            # An outside party leaves through a trunk whose name the call never saw.
            call.parties = {p for p in call.parties if self.internal(p)}
        if call.parties:
            return None, None
        mode = LineDisconnectMode.LINEDISCONNECTMODE_NORMAL
        if call.state in (S.LINECALLSTATE_RINGBACK, S.LINECALLSTATE_PROCEEDING):
            mode = LineDisconnectMode.LINEDISCONNECTMODE_REJECT
        return S.LINECALLSTATE_DISCONNECTED, mode

    def _connected_left(self, call: Call, subject: DeviceKey | None) -> LineCallInfoState:
        """The party shown as connected left a call that goes on with one other party (an
        intruder or a conference member hung up): that party is the one connected again, not
        a phone no longer in the call."""
        if len(call.parties) != 1 or call.connected_key is None:
            return I(0)
        if self.canonical(subject) != self.canonical(call.connected_key):
            return I(0)
        (partner,) = call.parties
        call.connected_key = partner
        call.connected = self._party(partner)
        return I.LINECALLINFOSTATE_CONNECTEDID

    # -- what an event tells about the call -------------------------------------------------

    def _party(self, key: DeviceKey | None) -> dict[str, Any] | None:
        return self.lines.directory.party(key)

    def _add_party(self, line: Line, call: Call, key: DeviceKey | None) -> None:
        if key is not None and line.address_of(key) is None:
            canonical = self.canonical(key)
            if canonical is not None:
                call.parties.add(canonical)

    def _absorb(
        self,
        line: Line,
        call: Call,
        name: str,
        side: Side,
        subject: DeviceKey | None,
        ev: Mapping[str, Any],
        created: bool,
    ) -> LineCallInfoState:
        """Take ids, parties, origin and reason from ``ev``; returns the info that changed."""
        changed = I(0)
        if side is Side.LOCAL and subject is not None:
            call.device = subject
        calling = key_of_choice(ev.get("callingDevice"))
        called = key_of_choice(ev.get("calledDevice"))
        redirecting = key_of_choice(ev.get("lastRedirectionDevice"))
        if created or call.origin is LineCallOrigin.LINECALLORIGIN_UNKNOWN:
            incoming = (
                side is Side.LOCAL
                and name in ("delivered", "queued", "established")
                and (line.address_of(calling) is None)
            )
            if incoming:
                # A PBX names every caller of its own; one it cannot name (no number given)
                # came in from the network on a CO line.
                external = (
                    calling is None
                    or "networkCallingDevice" in ev
                    or self.lines.directory.is_trunk(calling)
                    or (isinstance(calling, str) and not self.internal(calling))
                )
                call.origin = (
                    LineCallOrigin.LINECALLORIGIN_EXTERNAL
                    if external
                    else LineCallOrigin.LINECALLORIGIN_INTERNAL
                )
                call.reason = REASONS.get(
                    ev.get("cause", ""),
                    LineCallReason.LINECALLREASON_REDIRECT
                    if redirecting is not None
                    else LineCallReason.LINECALLREASON_DIRECT,
                )
            elif created:
                call.origin = LineCallOrigin.LINECALLORIGIN_OUTBOUND
        # After a transfer the PBX names the party left behind as the caller of the call it
        # is now in; on that party's own line its caller stays who called it.
        own_calling = (
            line.address_of(calling) is not None
            and not created
            and call.origin is not LineCallOrigin.LINECALLORIGIN_OUTBOUND
        )
        if calling is not None and name not in ("diverted",) and not own_calling:
            party = self._party(calling)
            if party != call.caller:
                call.caller = party
                changed |= I.LINECALLINFOSTATE_CALLERID
        if called is not None and call.called is None:
            call.called = self._party(called)
            changed |= I.LINECALLINFOSTATE_CALLEDID
        if redirecting is None and created and ev.get("cause") in TRANSFER_CAUSES:
            redirecting = self._transferred_by.pop(call.csta_call or b"", None)
        if redirecting is not None and line.address_of(calling) is None:
            party = self._party(redirecting)
            if party != call.redirecting:
                call.redirecting = party
                changed |= I.LINECALLINFOSTATE_REDIRECTINGID
        if name == "diverted" and side is Side.REMOTE:
            destination = key_of_choice(ev.get("newDestination"))
            if destination is not None:
                call.redirection = self._party(destination)
                changed |= I.LINECALLINFOSTATE_REDIRECTIONID
            diverting = key_of_choice(ev.get("divertingDevice"))
            call.parties.discard(self.canonical(diverting))
        if side is Side.REMOTE and name in (
            "delivered",
            "established",
            "queued",
            "networkReached",
            "held",
            "retrieved",
        ):
            self._add_party(line, call, subject)
        if name in ("delivered", "established", "queued"):
            self._add_party(line, call, calling)
        if name == "established" and not (
            side is Side.REMOTE and call.state is S.LINECALLSTATE_OFFERING
        ):
            other = (
                subject
                if side is Side.REMOTE
                else (calling if line.address_of(calling) is None else None)
            )
            if other is not None and self.canonical(other) != self.canonical(call.connected_key):
                call.connected_key = other
                call.connected = self._party(other)
                if self.lines.directory.is_trunk(other):
                    # The outside party answered on a CO line: it is the number called.
                    outside = called if line.address_of(called) is None else None
                    call.connected = self._party(outside) if outside is not None else call.called
                changed |= I.LINECALLINFOSTATE_CONNECTEDID
        if name == "originated" and side is Side.LOCAL and called is not None:
            party = self._party(called)
            if party != call.called:
                call.called = party
                changed |= I.LINECALLINFOSTATE_CALLEDID
        return I(0) if created else changed

    def _rebind(
        self, line: Line, call: Call, name: str, ev: Mapping[str, Any]
    ) -> LineCallInfoState:
        """Follow our connection into the call a transfer or conference produced.

        Only newConnection is read from the entries: a Panasonic PBX sends newConnection and
        associatedNID, never oldConnection or endpoint (PROTOCOL.md section 5).
        """
        changed = I(0)
        entries = (
            ev.get("transferredConnections" if name == "transferred" else "conferenceConnections")
            or []
        )
        ours = None
        others: list[DeviceKey] = []
        for entry in entries:
            new = entry.get("newConnection")
            key = key_of_connection(new)
            if key is not None and line.address_of(key) == call.address:
                ours = new
            elif key is not None and line.address_of(key) is None:
                others.append(key)
        new_call = call_of_connection(ours) if ours is not None else None
        if new_call is None:
            calls = {call_of_connection(e.get("newConnection")) for e in entries} - {None}
            if len(calls) == 1:
                new_call = calls.pop()
        if new_call is not None and new_call != call.csta_call:
            call.csta_call = new_call
            changed |= I.LINECALLINFOSTATE_CALLID
        if name == "transferred":
            call.parties = {k for k in (self.canonical(o) for o in others) if k is not None}
            partner = others[0] if len(others) == 1 else None
            if partner is None:
                to = key_of_choice(ev.get("transferredToDevice"))
                partner = to if line.address_of(to) is None else None
        else:
            for other in others:
                self._add_party(line, call, other)
            conferencing = key_of_choice(ev.get("conferencingDevice"))
            partner = conferencing if line.address_of(conferencing) is None else None
        if partner is not None and self.canonical(partner) != self.canonical(call.connected_key):
            call.connected_key = partner
            call.connected = self._party(partner)
            changed |= I.LINECALLINFOSTATE_CONNECTEDID
        return changed

    def _transferred_ids(
        self, line: Line, call: Call, ev: Mapping[str, Any], changed: LineCallInfoState
    ) -> LineCallInfoState:
        """The ids TAPI shows the parties a transfer left behind, from the event's devices.

        The party the call was transferred to now has the transferred party as its caller,
        the transferring device as the one that redirected it, and reason TRANSFER; while it
        still rings it has no connected party yet. The transferred party keeps its caller and
        called ids and sees its new partner as connected and redirection id.
        """
        by = key_of_choice(ev.get("transferringDevice"))
        to = key_of_choice(ev.get("transferredToDevice"))
        partner = call.connected_key
        if line.address_of(to) == call.address:
            if partner is not None and self._party(partner) != call.caller:
                call.caller = self._party(partner)
                changed |= I.LINECALLINFOSTATE_CALLERID
            if by is not None and line.address_of(by) is None:
                call.redirecting = self._party(by)
                changed |= I.LINECALLINFOSTATE_REDIRECTINGID
            if call.reason is not LineCallReason.LINECALLREASON_TRANSFER:
                call.reason = LineCallReason.LINECALLREASON_TRANSFER
                changed |= I.LINECALLINFOSTATE_REASON
            if call.state is S.LINECALLSTATE_OFFERING:
                call.connected_key = call.connected = None
                changed &= ~I.LINECALLINFOSTATE_CONNECTEDID
        elif partner is not None and self._party(partner) != call.redirection:
            call.redirection = self._party(partner)
            changed |= I.LINECALLINFOSTATE_REDIRECTIONID
        return changed

    def _remember_transfer(self, ev: Mapping[str, Any]) -> None:
        """Note who transferred the calls of a Transferred event, for their next party."""
        by = key_of_choice(ev.get("transferringDevice"))
        if by is None:
            return
        entries = ev.get("transferredConnections") or []
        calls = {call_of_connection(e.get("newConnection")) for e in entries}
        calls.add(call_of_connection(ev.get("primaryOldCall")))
        for csta_call in calls:
            if csta_call is not None:
                self._transferred_by[csta_call] = by
                self._transferred_by.move_to_end(csta_call)
        while len(self._transferred_by) > MAX_TRANSFERS:
            self._transferred_by.popitem(last=False)

    def _conference(
        self, line: Line, calls: list[Call], address: int, ev: Mapping[str, Any]
    ) -> list[Message]:
        """We conferenced: the calls become members of one conference call."""
        out: list[Message] = []
        mine = [c for c in calls if c.address == address]
        fits = [
            c
            for c in mine
            if TRANSITIONS.get(("conferenced", Side.LOCAL, c.state)) is Rule.CONFERENCE
        ]
        for call in mine:
            if call not in fits:
                out.extend(self._apply(line, call, "conferenced", Side.LOCAL, None, ev))
        if not fits:
            return out
        entries = ev.get("conferenceConnections") or []
        new_ids = {call_of_connection(e.get("newConnection")) for e in entries} - {None}
        conference_call = new_ids.pop() if len(new_ids) == 1 else fits[0].csta_call
        parent = next((c for c in fits if c.is_conference), None)
        if parent is None and conference_call is not None:
            parent, created = self.conference_call(line, address, conference_call)
            out.extend(created)
        assert parent is not None
        if parent.csta_call != conference_call:
            parent.csta_call = conference_call
            out.append(messages.call_info(parent, I.LINECALLINFOSTATE_CALLID))
        for call in fits:
            if call is parent or (
                call.conference == parent.id and call.state is S.LINECALLSTATE_CONFERENCED
            ):
                continue
            parent.parties |= call.parties
            call.csta_call = conference_call
            call.conference = parent.id
            call.related = parent.id
            call.pending = None
            call.state = S.LINECALLSTATE_CONFERENCED
            call.mode = None
            call.features = self._features(line, call)
            call.history.append("conferenced/local: -> LINECALLSTATE_CONFERENCED")
            out.append(
                messages.call_info(
                    call, I.LINECALLINFOSTATE_CALLID | I.LINECALLINFOSTATE_RELATEDCALLID
                )
            )
            out.append(messages.call_state(call))
        for entry in entries:
            self._add_party(line, parent, key_of_connection(entry.get("newConnection")))
        if parent.state is not S.LINECALLSTATE_CONNECTED:
            # Adding to a held conference takes it off hold: we talk to everyone again.
            parent.history.append(f"conferenced/local: {parent.state.name} -> CONNECTED")
            parent.state = S.LINECALLSTATE_CONNECTED
            parent.mode = LineConnectedMode.LINECONNECTEDMODE_ACTIVE
            parent.pending = None
            parent.features = self._features(line, parent)
            out.append(messages.call_state(parent))
        out.extend(self._refresh_features(line))
        return out

    def _forget(self, line: Line, call: Call) -> None:
        line.calls.pop(call.id, None)
        self.calls.pop(call.id, None)
        if call.digits_collection is not None:
            self.ended_collections.append(call.digits_collection)
            self.monitor_digits(call, None)
        for other in line.calls.values():
            if other.related == call.id:
                other.related = None
            if other.conference == call.id:
                other.conference = None

    # -- features -------------------------------------------------------------------------------

    def _features(self, line: Line, call: Call) -> LineCallFeature:
        """What the state allows, plus what the line's other calls make possible."""
        if not isinstance(call.state, S):
            return F(0)
        features = STATE_FEATURES.get(call.state, F(0))
        others = [c for c in line.calls.values() if c is not call and c.address == call.address]
        held = [c for c in others if c.state in HELD]
        active = [c for c in others if c.state is S.LINECALLSTATE_CONNECTED]
        if call.state is S.LINECALLSTATE_CONNECTED and held:
            features |= F.LINECALLFEATURE_SWAPHOLD | F.LINECALLFEATURE_COMPLETETRANSF
            if any(c.is_conference or c.state is S.LINECALLSTATE_ONHOLDPENDCONF for c in held):
                features |= F.LINECALLFEATURE_ADDTOCONF
        if call.state in HELD and active:
            features |= F.LINECALLFEATURE_SWAPHOLD | F.LINECALLFEATURE_COMPLETETRANSF
        # An unannounced transfer: the consultation call may be handed over while it rings.
        ringing = [c for c in others if c.state is S.LINECALLSTATE_RINGBACK]
        if call.state is S.LINECALLSTATE_ONHOLDPENDTRANSFER and ringing:
            features |= F.LINECALLFEATURE_COMPLETETRANSF
        if call.state is S.LINECALLSTATE_RINGBACK and any(
            c.state is S.LINECALLSTATE_ONHOLDPENDTRANSFER for c in held
        ):
            features |= F.LINECALLFEATURE_COMPLETETRANSF
        if call.is_conference:
            features &= ~(F.LINECALLFEATURE_BLINDTRANSFER | F.LINECALLFEATURE_SETUPTRANSFER)
            if call.state is S.LINECALLSTATE_CONNECTED:
                features |= F.LINECALLFEATURE_PREPAREADDCONF
        if call.csta_call is None:
            features &= F.LINECALLFEATURE_DIAL | F.LINECALLFEATURE_DROP
        return features

    def _refresh_features(self, line: Line) -> list[Message]:
        """Recompute every call's features; a change is announced with LINE_CALLSTATE."""
        out = []
        for call in line.calls.values():
            features = self._features(line, call)
            if features != call.features and call.exists:
                call.features = features
                out.append(messages.call_state(call))
        return out

    # -- results of operations ------------------------------------------------------------------

    def made_call(
        self, line: Line, address: int, csta_call: bytes | None, call: Call | None = None
    ) -> tuple[Call, list[Message]]:
        """A MakeCall (or a dial on a prepared consultation call) returned ``csta_call``."""
        if call is None:
            existing = [
                c for c in line.calls.values() if c.csta_call == csta_call and c.address == address
            ]
            if existing:
                return existing[0], []
            call = self.new_call(line, address, csta_call)
        else:
            dup = [
                c
                for c in line.calls.values()
                if c is not call and c.csta_call == csta_call and c.address == address
            ]
            if dup:
                # Events for the new call came first and made their own call: keep that one.
                out = self._retire(line, call)
                return dup[0], out
            call.csta_call = csta_call
        return call, self.drive(call, "makeCall")

    def conference_call(
        self, line: Line, address: int, csta_call: bytes
    ) -> tuple[Call, list[Message]]:
        """The conference call a ConferenceCall produced, created now if its event is due."""
        for call in line.calls.values():
            if call.is_conference and call.csta_call == csta_call:
                return call, []
        parent = self.new_call(line, address, csta_call)
        parent.is_conference = True
        parent.origin = LineCallOrigin.LINECALLORIGIN_CONFERENCE
        parent.state = S.LINECALLSTATE_CONNECTED
        parent.mode = LineConnectedMode.LINECONNECTEDMODE_ACTIVE
        parent.history.append("conferenceCall result: NEW -> LINECALLSTATE_CONNECTED")
        parent.features = self._features(line, parent)
        return parent, [messages.new_call(parent), messages.call_state(parent)]

    def picked_up(
        self, line: Line, csta_call: bytes, address: int = 0
    ) -> tuple[Call, list[Message]]:
        """A pickup at this line returned ``csta_call``: the call is here, connected.

        Its origin is learned from the events that report it (UNKNOWN until then).
        """
        existing = [c for c in line.calls.values() if c.csta_call == csta_call]
        if existing:
            return existing[0], []
        call = self.new_call(line, address, csta_call)
        call.reason = LineCallReason.LINECALLREASON_PICKUP
        out = self.drive(call, "pickedUp")
        call.origin = LineCallOrigin.LINECALLORIGIN_UNKNOWN
        return call, out

    def prepare_consultation(self, line: Line, held: Call) -> tuple[Call, list[Message]]:
        """The consultation call of a setuptransfer/setupconference, in DIALTONE until dialled."""
        consult = self.new_call(line, held.address, None)
        consult.related = held.id
        held.related = consult.id
        return consult, self.drive(consult, "setupConsultation")

    def set_call_data(self, call: Call, data: str | None) -> list[Message]:
        """What an application keeps with the call; every client learns it (LINE_CALLINFO)."""
        if call.data == data:
            return []
        call.data = data
        return [messages.call_info(call, I.LINECALLINFOSTATE_CALLDATA)]

    def set_app_specific(self, call: Call, value: int) -> list[Message]:
        if call.app_specific == value:
            return []
        call.app_specific = value
        return [messages.call_info(call, I.LINECALLINFOSTATE_APPSPECIFIC)]

    def monitor_digits(self, call: Call, collection: bytes | None) -> None:
        """Digits dialled at the call's phone are now reported by ``collection`` (None: not)."""
        if call.digits_collection is not None:
            self.collections.pop(call.digits_collection, None)
        call.digits_collection = collection
        if collection is not None:
            self.collections[collection] = call

    def digits_collected(self, argument: Mapping[str, Any]) -> list[Message]:
        """A dataCollected report: LINE_MONITORDIGITS for each digit, in order."""
        call = self.collections.get(argument.get("dcollCrossRefID", b""))
        data = argument.get("digitsData")
        digits = data.get("digitsDetected") if isinstance(data, Mapping) else None
        if call is None:
            return []
        if argument.get("dcollCause") == "sfTerminated":
            self.monitor_digits(call, None)
        if not isinstance(digits, str):
            return []
        return [messages.monitor_digit(call, digit) for digit in digits[:MAX_REPORTED_DIGITS]]

    def prepare_call(self, line: Line, address: int) -> tuple[Call, list[Message]]:
        """A call made without a number: in DIALTONE, kept here until ``dial`` makes it."""
        call = self.new_call(line, address, None)
        return call, self.drive(call, "prepareCall")

    def _retire(self, line: Line, call: Call) -> list[Message]:
        call.state = S.LINECALLSTATE_IDLE
        call.mode = None
        call.features = F(0)
        call.history.append("retired: superseded by the PBX's own call")
        out = [*self._generation_ended(call), messages.call_state(call)]
        self._forget(line, call)
        return out

    def drop_placeholder(self, call: Call) -> list[Message]:
        """A consultation call that was never dialled is dropped without asking the PBX."""
        return self._retire(self.line_of(call), call)

    # -- forwarding, service, snapshots ---------------------------------------------------------

    def forwarding_event(self, line: Line, ev: Mapping[str, Any]) -> list[Message]:
        """A forwarding event: keep the address status and raise LINE_ADDRESSSTATE."""
        device = key_of_choice(ev.get("device"))
        address = line.address_of(device)
        if address is None:
            address = 0
        mode = FORWARD_MODES.get(ev.get("forwardingType", ""))
        if mode is None:
            return []
        current = [f for f in line.forwarding.get(address, []) if f["mode"] != mode.name]
        if ev.get("forwardStatus"):
            current.append(
                {"mode": mode.name, "to": self.lines.directory.number(key_of(ev.get("forwardTo")))}
            )
        return self.set_forwarding(line, address, current)

    def set_forwarding(
        self, line: Line, address: int, forwards: list[dict[str, Any]]
    ) -> list[Message]:
        """Record the forwarding in force on an address; a change raises LINE_ADDRESSSTATE."""
        forwards = sorted(forwards, key=lambda f: str(f["mode"]))
        if line.forwarding.get(address, []) == forwards:
            return []
        line.forwarding[address] = forwards
        return [
            messages.address_state(
                line.number,
                address,
                LineAddressState.LINEADDRESSSTATE_FORWARD,
                self.address_status(line, address),
            )
        ]

    def forwarding_list(
        self, line: Line, address: int, result: Iterable[Mapping[str, Any]]
    ) -> list[Message]:
        """A GetForwarding result: the list replaces what was known for the address."""
        forwards = []
        for entry in result:
            mode = FORWARD_MODES.get(entry.get("forwardingType", ""))
            if mode is not None and entry.get("forwardStatus"):
                forwards.append(
                    {
                        "mode": mode.name,
                        "to": self.lines.directory.number(key_of(entry.get("forwardDN"))),
                    }
                )
        return self.set_forwarding(line, address, forwards)

    def address_status(self, line: Line, address: int) -> dict[str, Any]:
        calls = [c for c in line.calls.values() if c.address == address]
        return {
            "line": line.number,
            "address": address,
            "numCalls": len(calls),
            "forwards": line.forwarding.get(address, []),
        }

    def set_in_service(self, line: Line, in_service: bool, **details: Any) -> list[Message]:
        """The line is served (monitored, licensed, read) or no longer is: LINE_LINEDEVSTATE
        when that puts it in or out of service."""
        return self.line_event(
            line, LineEvent.SERVED if in_service else LineEvent.UNSERVED, **details
        )

    def line_event(self, line: Line, event: LineEvent, **details: Any) -> list[Message]:
        """Move ``line`` along its lifecycle's table; an event that does not fit changes
        nothing and is logged. Going in or out of service is announced (closing is announced
        by the driver, with LINEDEVSTATE_CLOSE)."""
        state = next_state(line.state, event)
        if state is None:
            self.log.info(
                "line {line}: {event} ignored in state {state}",
                line=line.number,
                event=event,
                state=line.state,
            )
            return []
        was = line.in_service
        line.state = state
        if event is LineEvent.CLOSE or line.in_service == was:
            return []
        devstate = (
            LineDevState.LINEDEVSTATE_INSERVICE
            if line.in_service
            else LineDevState.LINEDEVSTATE_OUTOFSERVICE
        )
        return [messages.line_dev_state(line.number, devstate, **details)]

    def resync(self, line: Line, snapshot: Iterable[Mapping[str, Any]]) -> list[Message]:
        """Make the line's calls what a SnapshotDevice says: drop the gone, add the missing.

        Each entry is a SnapshotDeviceResponseInfo; our connection's state is the first of a
        compound state (ECMA-269 lists the snapshot device's own connection first).
        """
        out: list[Message] = []
        seen: dict[tuple[bytes, int], LineCallState] = {}
        for entry in snapshot:
            connection = entry.get("connectionIdentifier")
            csta_call = call_of_connection(connection)
            if csta_call is None:
                continue
            key = key_of_connection(connection)
            address = line.address_of(key)
            if address is None:
                address = 0
            state = _snapshot_state(entry.get("localCallState"))
            if state is not None:
                seen[(csta_call, address)] = state
        present = {csta_call for csta_call, _ in seen}
        for call in list(line.calls.values()):
            if call.csta_call is None:
                continue
            if call.csta_call not in present:
                call.history.append("snapshot: the PBX no longer has it")
                out.extend(self._retire(line, call))
                continue
            if call.is_conference or call.conference is not None:
                seen.pop((call.csta_call, call.address), None)
                continue
            wanted = seen.pop((call.csta_call, call.address), None)
            if wanted is not None and wanted != call.state and not _compatible(call.state, wanted):
                call.history.append(f"snapshot: {call.state.name} -> {wanted.name}")
                call.state = wanted
                call.mode = _MODES.get(wanted)
                call.features = self._features(line, call)
                out.append(messages.call_state(call))
        for (csta_call, address), state in seen.items():
            call = self.new_call(line, address, csta_call)
            call.state = state
            call.mode = _MODES.get(state)
            call.origin = LineCallOrigin.LINECALLORIGIN_UNKNOWN
            call.reason = LineCallReason.LINECALLREASON_UNKNOWN
            call.history.append(f"snapshot: NEW -> {state.name}")
            call.features = self._features(line, call)
            out.append(messages.new_call(call))
            out.append(messages.call_state(call))
        out.extend(self._refresh_features(line))
        return out


def _snapshot_state(value: Any) -> LineCallState | None:
    if not isinstance(value, tuple):
        return None
    kind, detail = value
    if kind == "compoundCallState" and detail:
        return SNAPSHOT_STATES.get(detail[0])
    if kind == "simpleCallState" and isinstance(detail, str):
        # callNull, callPending (null-initiate), callOriginated (null-connect), callDelivered
        # (alerting-connect), ...: the local part is the word after "call".
        for word, state in (
            ("Delivered", S.LINECALLSTATE_OFFERING),
            ("Received", S.LINECALLSTATE_OFFERING),
            ("Pending", S.LINECALLSTATE_DIALTONE),
            ("Originated", S.LINECALLSTATE_PROCEEDING),
            ("Hold", S.LINECALLSTATE_ONHOLD),
            ("Held", S.LINECALLSTATE_ONHOLD),
            ("Active", S.LINECALLSTATE_CONNECTED),
            ("Connected", S.LINECALLSTATE_CONNECTED),
            ("Failed", S.LINECALLSTATE_BUSY),
        ):
            if word in detail:
                return state
    return None


def _compatible(current: Any, wanted: LineCallState) -> bool:
    """States a snapshot cannot tell apart: ours is kept (it knows why the call is held)."""
    groups = (
        HELD,
        {
            S.LINECALLSTATE_DIALTONE,
            S.LINECALLSTATE_DIALING,
            S.LINECALLSTATE_PROCEEDING,
            S.LINECALLSTATE_RINGBACK,
            S.LINECALLSTATE_CONNECTED,
        },
        {S.LINECALLSTATE_CONNECTED, S.LINECALLSTATE_CONFERENCED},
        {
            S.LINECALLSTATE_BUSY,
            S.LINECALLSTATE_SPECIALINFO,
            S.LINECALLSTATE_DISCONNECTED,
            S.LINECALLSTATE_CONNECTED,
        },
    )
    return any(current in g and wanted in g for g in groups)
