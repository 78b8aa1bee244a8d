"""How calls move: the machinery a :class:`~ecsta.sim.switch.Switch` holds.

The call flows follow ECMA-269 (CSTA Phase III) event by event, with Panasonic choices where
the standard leaves room; each choice is stated where it is made.  In brief:

* Events go to every device that has a connection in the call (and to a device whose
  connection the event removes), each with ``localConnectionInfo`` = that device's own state.
* Manual call: offhook -> serviceInitiated (newCall); dialling a complete number -> originated
  (newCall); the called device rings -> delivered (newCall); answer -> established.  MakeCall
  gives the same with serviceInitiated cause makeCall.
* A call that cannot be completed puts its originator's connection in the fail state
  (failed: busy, doNotDisturb, destNotObtainable, trunksBusy, destOutOfOrder); the originator
  keeps it (busy tone) until hanging up, and may use callBack or intrudeCall on it.  Only an
  originator alone in the call and waiting for the answer goes to fail: other parties still
  in the call go on talking, and a call whose originator holds it is released.
* When a party leaves and fewer than two parties remain, or only ringing ones, the switch
  releases the rest (connectionCleared, normalClearing; callCancelled for a ringing one).
* Calls to a number ring every free device of it (desk phone and its Super-Twin portable);
  the first to answer takes the call and the other stops ringing (connectionCleared).
* Outside calls seize the first free CO trunk: networkReached, then delivered and
  established as the outside party rings and answers (as on ISDN lines); the trunk's
  connection stands for the outside party.
* Diversions (forwarding, deflection, pickup) report diverted from each ringing device of
  the number, then delivered (or, for pickup, established) at the new destination, with
  lastRedirectionDevice naming the number the call left.
* Held events carry Panasonic's KME holdType in their extensions: consultation for a hold
  made by consultationCall or alternateCall, normal for any other hold.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from ecsta.sim.calls import (
    ACTIVE_STATES,
    ALERTING,
    CONNECTED,
    FAIL,
    HOLD,
    INITIATED,
    QUEUED,
    CallIdAllocator,
    Connection,
    SwitchCall,
)
from ecsta.sim.cdr import CONDITION_CODES, DEFAULT_BUFFER, CdrQueue
from ecsta.sim.collection import Collection, DataCollected
from ecsta.sim.events import (
    EVENT_FIELDS,
    EVENT_GROUP,
    HOLD_TYPE,
    DeviceEvent,
    event_value,
    kme_hold_type,
)
from ecsta.sim.failure import CstaError, invalid_connection, wrong_state
from ecsta.sim.features import DIVERSION_CAUSE, Forwarding, ForwardingTable, Trigger
from ecsta.sim.ids import (
    Number,
    Party,
    Route,
    connection_id,
    device_id,
    known_id,
    redirection,
    subject,
)
from ecsta.sim.plan import Device, ExternalMode, SwitchPlan
from ecsta.sim.timers import Timer, TimerQueue

__all__ = ["MAX_DIVERSIONS", "TALKING_STATES", "CallBackRequest", "CallFlows"]

#: Forwarding hops a call may take before the switch stops following forwardings (loops).
MAX_DIVERSIONS = 4

#: States in which a device is off hook in a call: dialling, talking, or hearing busy tone.
TALKING_STATES = frozenset({INITIATED, CONNECTED, FAIL, QUEUED})


@dataclass(eq=False)
class CallBackRequest:
    """A standing call-back: ``originator`` is rung when ``target`` and it are both free."""

    originator: Device
    target: Device
    timer: Timer | None = None


class CallFlows:
    """The switch's state and the moves a call can make; every check of what a person or an
    application asks lives in :class:`~ecsta.sim.switch.Switch`, which holds one of these."""

    def __init__(self, plan: SwitchPlan, now: float, cdr_buffer: int = DEFAULT_BUFFER) -> None:
        # The switch owns its devices (it changes their in-service flag), so a plan object
        # can start several switches without them sharing state.
        self.plan = replace(plan, devices=[replace(device) for device in plan.devices])
        self.cdr = CdrQueue(cdr_buffer)
        self.now = now
        self.timers = TimerQueue()
        self.external = dict(plan.external)
        self.calls: dict[bytes, SwitchCall] = {}
        self.call_ids = CallIdAllocator()
        self.events: list[DeviceEvent] = []
        self.collected: list[DataCollected] = []
        self.forwarding: dict[Device, ForwardingTable] = {}
        self.dnd: set[Device] = set()
        self.callbacks: list[CallBackRequest] = []
        self.collections: dict[bytes, Collection] = {}
        self.collection_ids = itertools.count(1)

    def connections_of(self, device: Device) -> list[tuple[SwitchCall, Connection]]:
        """Every call the device is in, with its connection there, oldest call first."""
        return [
            (call, call.connections[device])
            for call in self.calls.values()
            if device in call.connections
        ]

    # ------------------------------------------------------------------ lookups

    def owners(self) -> dict[str, Device]:
        return {d.number: d for d in self.plan.devices if not d.is_trunk and d.twin_of is None}

    def owner_of(self, device: Device) -> Device:
        if device.twin_of is None:
            return device
        return self.owners().get(device.twin_of, device)

    def group(self, owner: Device) -> list[Device]:
        if owner.is_trunk:
            return [owner]
        return [owner, *(d for d in self.plan.devices if d.twin_of == owner.number)]

    def same_number(self, party: Party, owner: Device) -> bool:
        return isinstance(party, Device) and self.owner_of(party) is owner

    def connection(self, call: SwitchCall, device: Device) -> Connection:
        connection = call.connections.get(device)
        if self.calls.get(call.call_id) is not call or connection is None:
            raise invalid_connection(f"{device!r} is not in call {call.call_id.hex()}")
        return connection

    def active(self, device: Device) -> tuple[SwitchCall, Connection] | None:
        """The call the device is off hook in (dialling, talking, busy tone), if any."""
        for call, connection in self.connections_of(device):
            if connection.state in TALKING_STATES:
                return call, connection
        return None

    def ringing(self, device: Device) -> SwitchCall | None:
        for call, connection in self.connections_of(device):
            if connection.state == ALERTING:
                return call
        return None

    def held_call(self, device: Device) -> SwitchCall | None:
        held = [call for call, c in self.connections_of(device) if c.state == HOLD]
        return held[-1] if held else None

    def _busy(self, device: Device) -> bool:
        return any(c.state in ACTIVE_STATES for _, c in self.connections_of(device))

    def _idle(self, device: Device) -> bool:
        return not self.connections_of(device)

    def free_trunk(self) -> Device | None:
        for device in self.plan.devices:
            if device.is_trunk and device.in_service and self._idle(device):
                return device
        return None

    def outside(self, number: str) -> Iterator[tuple[SwitchCall, Connection]]:
        for call in list(self.calls.values()):
            for connection in call.connections.values():
                if connection.remote is not None and connection.remote.digits == number:
                    yield call, connection

    def alerting_members(self, call: SwitchCall, owner: Device) -> list[Device]:
        return [
            d
            for d, c in call.connections.items()
            if c.state == ALERTING and self.owner_of(d) is owner
        ]

    def _ringing_call(self, owner: Device) -> SwitchCall | None:
        for call in self.calls.values():
            if self.alerting_members(call, owner):
                return call
        return None

    def collection_on(self, device: Device) -> Collection | None:
        for collection in self.collections.values():
            if collection.device is device:
                return collection
        return None

    # ------------------------------------------------------------------ routing

    def route(self, digits: str) -> Route | None:
        """Where the digits lead; None while they are the start of a longer number."""
        owner = self.owners().get(digits)
        if owner is not None:
            return Route(owner)
        if any(number.startswith(digits) for number in self.owners()):
            return None
        access = self.plan.trunk_access_code
        if digits.startswith(access):
            outside = digits[len(access) :]
            return Route(Number(outside), outside=True) if outside else None
        return Route(Number(digits))

    def route_target(self, target: Device | str) -> Route:
        if isinstance(target, Device):
            # A CO line is no destination: dialled, it leads nowhere.
            return Route(Number(target.number)) if target.is_trunk else Route(target)
        return self.route(target) or Route(Number(target))

    def destination(self, target: Device | str, call: SwitchCall) -> Route:
        """A redirection target, checked now: it must lead somewhere outside this call."""
        route = self.route_target(target)
        if not route.reachable:
            raise CstaError("operation", "invalidDestination", f"{target!r} leads nowhere")
        if isinstance(route.party, Device) and any(
            self.owner_of(d) is self.owner_of(route.party) for d in call.connections
        ):
            raise CstaError("operation", "invalidDestination", "already in the call")
        return route

    def _internal_caller(self, call: SwitchCall) -> bool:
        return isinstance(call.calling, Device) and not call.calling.is_trunk

    # ------------------------------------------------------------------ events

    def emit(
        self, call: SwitchCall, name: str, fields: dict[str, Any], also: list[Device] | None = None
    ) -> None:
        recipients = list(call.connections)
        recipients += [d for d in also or () if d not in call.connections]
        with_state = "localConnectionInfo" in EVENT_FIELDS[name]
        group = EVENT_GROUP[name]
        for device in recipients:
            values = dict(fields)
            if with_state:
                values["localConnectionInfo"] = call.state_of(device)
            self.events.append(DeviceEvent(device, group, name, event_value(name, values)))

    def emit_device(self, devices: list[Device], name: str, fields: dict[str, Any]) -> None:
        value = event_value(name, fields)
        for device in devices:
            self.events.append(DeviceEvent(device, EVENT_GROUP[name], name, dict(value)))

    def emit_call_back(self, originator: Device, target: Device, cancelled: bool) -> None:
        fields = {
            "originatingDevice": subject(originator),
            "targetDevice": subject(target),
            "callBackSetCanceled": cancelled,
        }
        self.emit_device([originator, target], "callBack", fields)

    def _parties(self, call: SwitchCall) -> dict[str, Any]:
        return {
            "callingDevice": subject(call.calling),
            "calledDevice": subject(call.called),
            "lastRedirectionDevice": redirection(call.last_redirection),
        }

    def _connection_list(self, call: SwitchCall) -> list[dict[str, Any]]:
        """transferredConnections / conferenceConnections as a Panasonic PBX fills them: each
        entry newConnection and associatedNID only (PROTOCOL.md section 5); applications built
        on real PBXs cannot decode oldConnection or endpoint.  associatedNID names the CO line
        for an outside party and is notKnown for the switch's own phones (an inference: no
        capture shows its value)."""
        return [
            {
                "newConnection": connection_id(call.call_id, device),
                "associatedNID": ("deviceID", device_id(device))
                if device.is_trunk
                else ("notKnown", None),
            }
            for device in call.connections
        ]

    # ------------------------------------------------------------------ call life

    def new_call(self, origin: Device, calling: Party | None) -> SwitchCall:
        call = SwitchCall(self.call_ids.allocate(), self.now, origin, calling)
        self.calls[call.call_id] = call
        return call

    def start_call(
        self, device: Device, cause: str, consult_of: SwitchCall | None = None
    ) -> SwitchCall:
        call = self.new_call(device, device)
        call.consult_of = consult_of
        call.add(device, INITIATED)
        self.emit(
            call,
            "serviceInitiated",
            {
                "initiatedConnection": connection_id(call.call_id, device),
                "initiatingDevice": subject(device),
                "cause": cause,
            },
        )
        return call

    def proceed(self, call: SwitchCall, device: Device) -> None:
        route = call.pending_route
        call.pending_route = None
        if route is not None:
            self.originate(call, device, route, "newCall")

    def originate(self, call: SwitchCall, device: Device, route: Route, cause: str) -> None:
        call.connections[device].state = CONNECTED
        call.called = route.party
        call.dialled = ""
        self.emit(
            call,
            "originated",
            {
                "originatedConnection": connection_id(call.call_id, device),
                "callingDevice": subject(device),
                "calledDevice": subject(route.party),
                "cause": cause,
            },
        )
        self.deliver(call, route, "newCall")

    def deliver(self, call: SwitchCall, route: Route, cause: str, hops: int = 0) -> None:
        """Offer the call to where the route leads: forwarding, DND, busy, or ringing."""
        if self.calls.get(call.call_id) is not call:
            return  # the call ended on the way here; nobody is to be rung for it
        call.cause = cause
        party = route.party
        if isinstance(party, Number):
            if route.outside:
                self._deliver_outside(call, party)
            else:
                self._fail(call, party, "destNotObtainable")
            return
        owner = self.owner_of(party)
        members = [m for m in (self.group(owner) if party is owner else [party]) if m.in_service]
        if not members:
            self._fail(call, party, "destOutOfOrder")
            return
        internal = self._internal_caller(call)
        if self._forward(call, owner, "immediate", internal, hops):
            return
        if owner in self.dnd:
            self._fail(call, party, "doNotDisturb")
            return
        free = [m for m in members if not self._busy(m)]
        if not free:
            if not self._forward(call, owner, "busy", internal, hops):
                self._fail(call, party, "busy")
            return
        for member in free:
            call.add(member, ALERTING)
        for member in free:
            self.emit(
                call,
                "delivered",
                {
                    "connection": connection_id(call.call_id, member),
                    "alertingDevice": subject(member),
                    **self._parties(call),
                    "cause": cause,
                },
            )
        found = self._forwarding_for(owner, "noAnswer", internal, hops)
        if found is not None:
            forwarding = found[0]
            delay = forwarding.ring_duration
            if delay is None and forwarding.ring_count is not None:
                delay = forwarding.ring_count * self.plan.ring_cycle_seconds
            if delay is None:
                delay = self.plan.no_answer_seconds
            self._ring_timer(call, delay, lambda: self._no_answer(owner, hops))
        else:
            self._start_ring_timeout(call, owner)

    def _forwarding_for(
        self, owner: Device, trigger: Trigger, internal: bool, hops: int
    ) -> tuple[Forwarding, Route] | None:
        """The forwarding a call meets on ``trigger``, with where it leads, if it is followed."""
        table = self.forwarding.get(owner)
        if table is None or hops >= MAX_DIVERSIONS:
            return None
        forwarding = table.applicable(trigger, internal)
        if forwarding is None:
            return None
        route = self.route(forwarding.destination)
        if route is None or not route.reachable or self.same_number(route.party, owner):
            return None
        return forwarding, route

    def _forward(
        self, call: SwitchCall, owner: Device, trigger: Trigger, internal: bool, hops: int
    ) -> bool:
        found = self._forwarding_for(owner, trigger, internal, hops)
        if found is None:
            return False
        self.divert(call, [owner], found[1], DIVERSION_CAUSE[trigger], hops)
        return True

    def divert(
        self, call: SwitchCall, devices: list[Device], route: Route, cause: str, hops: int
    ) -> None:
        """The call leaves ``devices`` (diverted) and is offered to the route's party."""
        self._leave_ringing(call, devices, route.party, cause)
        call.last_redirection = self.owner_of(devices[0])
        if call.condition is None:
            call.condition = CONDITION_CODES["forwarding"]
        self.deliver(call, route, cause, hops + 1)
        self._check_callbacks()

    def _leave_ringing(
        self, call: SwitchCall, devices: list[Device], new_destination: Party, cause: str
    ) -> None:
        """The call stops ringing at ``devices``: each reports it diverted elsewhere."""
        for device in devices:
            call.connections.pop(device, None)
        call.cancel_ringing()
        for device in devices:
            self.emit(
                call,
                "diverted",
                {
                    "connection": connection_id(call.call_id, device),
                    "divertingDevice": subject(device),
                    "newDestination": subject(new_destination),
                    **self._parties(call),
                    "cause": cause,
                },
                also=devices,
            )

    def _deliver_outside(self, call: SwitchCall, number: Number) -> None:
        trunk = self.free_trunk()
        if trunk is None:
            self._fail(call, number, "trunksBusy")
            return
        connection = call.add(trunk, INITIATED, remote=number)
        self.emit(
            call,
            "networkReached",
            {
                "outboundConnection": connection_id(call.call_id, trunk),
                "networkInterfaceUsed": subject(trunk),
                **self._parties(call),
                "cause": call.cause,
            },
        )
        behaviour = self.external.get(number.digits, self.plan.default_external)
        if behaviour.mode in (ExternalMode.BUSY, ExternalMode.UNOBTAINABLE):
            cause = "busy" if behaviour.mode is ExternalMode.BUSY else "destNotObtainable"
            self._fail(call, number, cause)
            return
        connection.state = ALERTING
        self.emit(
            call,
            "delivered",
            {
                "connection": connection_id(call.call_id, trunk),
                "alertingDevice": subject(number),
                **self._parties(call),
                "cause": call.cause,
            },
        )
        if behaviour.mode is ExternalMode.ANSWER:
            self._ring_timer(call, behaviour.delay, lambda: self._outside_answer(trunk))
        self._start_ring_timeout(call, trunk)

    def _fail(self, call: SwitchCall, failing: Party, cause: str) -> None:
        """The call cannot reach ``failing``; a CO line seized for the attempt is let go.

        An originator left alone in the call and waiting for it to be answered (connected)
        gets the fail state and hears busy tone; an outside caller in that position hangs up.
        Anyone else keeps their state: parties still in the call (those left after a transfer
        out of a conference, say) go on talking, and an originator that holds the call or is
        being rung itself is not off hook in it (a phone is off hook in one call at most), so
        the call, with nobody left to reach, is released.  When the originator has left the
        call, the party that has been in it longest takes its place.
        """
        origin = call.origin
        if origin not in call.connections and call.connections:
            origin = call.origin = next(iter(call.connections))
        attempt = [
            d
            for d, c in call.connections.items()
            if d.is_trunk and d is not origin and c.state in (INITIATED, ALERTING)
        ]
        parties = [d for d in call.connections if d is not origin and d not in attempt]
        connection = call.connections.get(origin)
        waiting = connection is not None and connection.state == CONNECTED and not parties
        if connection is not None and waiting:
            connection.state = FAIL
        self.emit(
            call,
            "failed",
            {
                "failedConnection": connection_id(call.call_id, origin),
                "failingDevice": subject(failing),
                **self._parties(call),
                "cause": cause,
            },
        )
        for device in attempt:
            self.release(call, device)
        if waiting and origin.is_trunk and origin in call.connections:
            # An outside caller hears the busy tone and goes; the network releases the line.
            self.release(call, origin)
        elif not waiting and self.calls.get(call.call_id) is call:
            self._settle(call)

    def _ring_timer(self, call: SwitchCall, delay: float, callback: Callable[[], None]) -> None:
        call.ring_timers.append(self.timers.call_at(self.now + delay, callback))

    def _start_ring_timeout(self, call: SwitchCall, owner: Device) -> None:
        if self.plan.ring_timeout is not None:
            self._ring_timer(call, self.plan.ring_timeout, lambda: self._ring_timeout(owner))

    def _no_answer(self, owner: Device, hops: int) -> None:
        call = self._ringing_call(owner)
        if call is None:
            return
        internal = self._internal_caller(call)
        found = self._forwarding_for(owner, "noAnswer", internal, hops)
        if found is None:
            self._start_ring_timeout(call, owner)
            return
        ringing = self.alerting_members(call, owner)
        self.divert(call, ringing, found[1], "callForwardNoAnswer", hops)

    def _ring_timeout(self, owner: Device) -> None:
        """Nobody answered: the ringing stops and, with nobody left to talk to, the call."""
        call = self._ringing_call(owner)
        if call is None:
            return
        if call.answered is None:
            call.condition = CONDITION_CODES["noAnswer"]
        for device in self.alerting_members(call, owner):
            self.release(call, device, "callNotAnswered")

    def _outside_answer(self, trunk: Device) -> None:
        call = self._ringing_call(trunk)
        if call is not None:
            self.answer(call, trunk)

    def answer(self, call: SwitchCall, device: Device) -> None:
        connection = call.connections[device]
        connection.state = CONNECTED
        if call.answered is None:
            call.answered = self.now
        call.cancel_ringing()
        self.emit(
            call,
            "established",
            {
                "establishedConnection": connection_id(call.call_id, device),
                "answeringDevice": subject(connection.party),
                **self._parties(call),
                "cause": call.cause,
            },
        )
        # The rest of the number stops ringing; the call is settled only once a call-back
        # recall has gone on to its target, or its answerer would be left with nobody.
        owner = self.owner_of(device)
        for other in self.alerting_members(call, owner):
            self._drop(call, other, "normalClearing")
        target = call.recall_target
        if target is not None:
            call.recall_target = None
            call.calling, call.called, call.origin = device, target, device
            self.deliver(call, Route(target), "callBack")
        if self.calls.get(call.call_id) is call:
            self._settle(call)
        self._check_callbacks()

    def hold(self, call: SwitchCall, device: Device, cause: str) -> None:
        call.connections[device].state = HOLD
        self.emit(
            call,
            "held",
            {
                "heldConnection": connection_id(call.call_id, device),
                "holdingDevice": subject(device),
                "cause": cause,
                "extensions": kme_hold_type(HOLD_TYPE[cause]),
            },
        )

    def retrieve(self, call: SwitchCall, device: Device, cause: str) -> None:
        call.connections[device].state = CONNECTED
        self.emit(
            call,
            "retrieved",
            {
                "retrievedConnection": connection_id(call.call_id, device),
                "retrievingDevice": subject(device),
                "cause": cause,
            },
        )

    def clear_way_for(self, device: Device) -> None:
        """Before taking a held call back: drop a bare dial tone, refuse if talking."""
        active = self.active(device)
        if active is None:
            return
        call, connection = active
        if connection.state == INITIATED and not call.dialled and call.pending_route is None:
            self.release(call, device)
            return
        raise wrong_state("invalidDeviceState", f"{device.number} is in another call")

    def release(self, call: SwitchCall, device: Device, cause: str = "normalClearing") -> None:
        if device not in call.connections:
            return
        self._drop(call, device, cause)
        self._settle(call)
        self._check_callbacks()

    def _drop(self, call: SwitchCall, device: Device, cause: str) -> None:
        """The device's connection goes (connectionCleared); the caller settles the call."""
        del call.connections[device]
        self.emit(
            call,
            "connectionCleared",
            {
                "droppedConnection": connection_id(call.call_id, device),
                "releasingDevice": subject(device),
                "cause": cause,
            },
            also=[device],
        )

    def _settle(self, call: SwitchCall) -> None:
        """After a party left: release those left with nobody to talk to, end empty calls."""
        remaining = list(call.connections.values())
        if not remaining:
            self._end_call(call)
            return
        if len(remaining) == 1 and remaining[0].state in (FAIL, INITIATED):
            return  # busy tone or dial tone: the originator hangs up in their own time
        if len(remaining) > 1 and any(c.state != ALERTING for c in remaining):
            return
        for connection in remaining:
            ringing = connection.state == ALERTING
            if ringing and call.answered is None:
                call.condition = call.condition or CONDITION_CODES["noAnswer"]
            self._drop(call, connection.device, "callCancelled" if ringing else "normalClearing")
        self._end_call(call)

    def clear_call(self, call: SwitchCall) -> None:
        """Every connection goes at once; each party sees callCleared (ECMA-269 Clear Call).

        callCleared is not in the table of PROTOCOL.md section 7; it carries the 2nd
        edition's mandatory fields, clearedCall naming the receiving device's connection.
        """
        devices = list(call.connections)
        call.connections.clear()
        for device in devices:
            fields = {"clearedCall": connection_id(call.call_id, device), "cause": "normalClearing"}
            self.emit_device([device], "callCleared", fields)
        self._end_call(call)

    def _end_call(self, call: SwitchCall) -> None:
        call.cancel_ringing()
        if self.calls.pop(call.call_id, None) is None:
            return
        self.call_ids.release(call.call_id)
        if not call.merged and call.called is not None:
            self._record(call)
        self._check_callbacks()

    def _record(self, call: SwitchCall) -> None:
        calling = call.calling
        called = call.called
        if isinstance(calling, Device) and not calling.is_trunk:
            charged: Party | None = calling
        elif isinstance(called, Device):
            charged = called
        else:
            charged = None
        self.cdr.add(
            call_id=call.call_id,
            calling=known_id(calling),
            called=known_id(called),
            charged=known_id(charged),
            start=call.started,
            answered=call.answered,
            end=self.now,
            condition_code=call.condition,
        )

    def drop_calls_of(self, device: Device) -> None:
        for call, _ in self.connections_of(device):
            self.release(call, device)

    # ------------------------------------------------------------------ joining calls

    def held_and_active(self, held: SwitchCall, active: SwitchCall, device: Device) -> None:
        if self.connection(held, device).state != HOLD:
            raise wrong_state("invalidHeldConnectionState")
        if self.connection(active, device).state != CONNECTED:
            raise wrong_state("invalidActiveConnectionState")

    def transferable(self, held: SwitchCall, active: SwitchCall, device: Device) -> bool:
        """Both calls have someone besides ``device``, and nobody is in both."""
        others = [d for d in active.connections if d is not device]
        in_both = set(others) & set(held.connections)
        return bool(others) and len(held.connections) > 1 and not in_both

    def _absorb(self, into: SwitchCall, other: SwitchCall, device: Device) -> None:
        """Move ``other``'s parties (except ``device``) into ``into``; ``other`` ends."""
        other.connections.pop(device, None)
        into.connections.update(other.connections)
        into.ring_timers.extend(other.ring_timers)
        other.ring_timers = []
        other.connections.clear()
        other.merged = True
        self._end_call(other)

    def transfer(self, held: SwitchCall, active: SwitchCall, device: Device) -> None:
        transferred_to = next(c.party for d, c in active.connections.items() if d is not device)
        del held.connections[device]
        self._absorb(held, active, device)
        first = next(iter(held.connections.values()))
        held.calling = first.party
        held.called = transferred_to
        held.origin = first.device
        held.condition = CONDITION_CODES["transfer"]
        held.cause = "transfer"
        held.consult_of = None
        self.emit(
            held,
            "transferred",
            {
                "primaryOldCall": connection_id(held.call_id, device),
                "secondaryOldCall": connection_id(active.call_id, device),
                "transferringDevice": subject(device),
                "transferredToDevice": subject(transferred_to),
                "transferredConnections": self._connection_list(held),
                "cause": "transfer",
            },
            also=[device],
        )
        self._check_callbacks()

    def single_step_transfer(self, call: SwitchCall, device: Device, route: Route) -> None:
        """``device`` leaves; the party it talked to is offered to the route's party."""
        del call.connections[device]
        first = next(iter(call.connections.values()))
        call.calling = first.party
        call.called = route.party
        call.origin = first.device
        call.condition = CONDITION_CODES["transfer"]
        call.consult_of = None
        self.emit(
            call,
            "transferred",
            {
                "primaryOldCall": connection_id(call.call_id, device),
                "transferringDevice": subject(device),
                "transferredToDevice": subject(route.party),
                "transferredConnections": self._connection_list(call),
                "cause": "singleStepTransfer",
            },
            also=[device],
        )
        self.deliver(call, route, "singleStepTransfer")
        self._check_callbacks()

    def conference(self, held: SwitchCall, active: SwitchCall, device: Device) -> None:
        added = next(c.party for d, c in active.connections.items() if d is not device)
        held.connections[device].state = CONNECTED
        self._absorb(held, active, device)
        held.consult_of = None
        self.emit(
            held,
            "conferenced",
            {
                "primaryOldCall": connection_id(held.call_id, device),
                "secondaryOldCall": connection_id(active.call_id, device),
                "conferencingDevice": subject(device),
                "addedParty": subject(added),
                "conferenceConnections": self._connection_list(held),
                "cause": "conference",
            },
        )

    def intrude(
        self, failed: SwitchCall, device: Device, target_call: SwitchCall, talker: Device
    ) -> None:
        del failed.connections[device]
        failed.merged = True
        self._end_call(failed)
        target_call.add(device, CONNECTED)
        self.emit(
            target_call,
            "conferenced",
            {
                "primaryOldCall": connection_id(target_call.call_id, talker),
                "secondaryOldCall": connection_id(failed.call_id, device),
                "conferencingDevice": subject(device),
                "addedParty": subject(device),
                "conferenceConnections": self._connection_list(target_call),
                "cause": "intrude",
            },
        )

    def pickup(self, call: SwitchCall, device: Device, picker: Device) -> None:
        owner = self.owner_of(device)
        self._leave_ringing(call, self.alerting_members(call, owner), picker, "callPickup")
        call.last_redirection = owner
        call.cause = "callPickup"
        call.add(picker, ALERTING)
        self.answer(call, picker)
        self._check_callbacks()

    # ------------------------------------------------------------------ call back

    def _check_callbacks(self) -> None:
        for request in self.callbacks:
            if (
                request.timer is None
                and self._idle(request.originator)
                and self._idle(request.target)
            ):
                request.timer = self.timers.call_at(
                    self.now + self.plan.callback_delay, partial(self._recall, request)
                )

    def _recall(self, request: CallBackRequest) -> None:
        request.timer = None
        if request not in self.callbacks:
            return
        originator, target = request.originator, request.target
        if not (self._idle(originator) and self._idle(target) and originator.in_service):
            return  # one of them got busy again: wait for the next chance
        self.callbacks.remove(request)
        self.emit_call_back(originator, target, cancelled=True)
        call = self.new_call(originator, target)
        call.called = originator
        call.cause = "callBack"
        call.recall_target = target
        call.add(originator, ALERTING)
        self.emit(
            call,
            "delivered",
            {
                "connection": connection_id(call.call_id, originator),
                "alertingDevice": subject(originator),
                **self._parties(call),
                "cause": "callBack",
            },
        )
        self._start_ring_timeout(call, originator)

    # ------------------------------------------------------------------ data collection

    def collect(self, collection: Collection, digits: str) -> None:
        self.collected.extend(collection.feed(digits))
        if collection.timer is not None:
            collection.timer.cancel()
            collection.timer = None
        if collection.timeout and collection.buffer:
            collection.timer = self.timers.call_at(
                self.now + collection.timeout, lambda: self._collection_timeout(collection)
            )

    def _collection_timeout(self, collection: Collection) -> None:
        collection.timer = None
        if self.collections.get(collection.cross_ref) is collection and collection.buffer:
            self.collected.append(collection.report("timeout"))
