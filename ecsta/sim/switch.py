"""The simulated switch: devices, calls and features, driven by people, services and time.

Sans-IO: the switch never reads a clock, sleeps or does I/O.  Its owner feeds it person actions
(:meth:`Switch.offhook`, :meth:`Switch.dial`, ...), CSTA services at object level
(:meth:`Switch.make_call`, ...; :mod:`ecsta.sim.services` speaks ASN.1 values on top), and
time (:meth:`Switch.advance`, :meth:`Switch.next_deadline`; call ``advance`` with the current
time before anything else, so that what happens is stamped with it), and collects what comes
out: events per device (:meth:`Switch.take_events`), digits for data collection
(:meth:`Switch.take_data_collected`) and call detail records (:attr:`Switch.cdr`).  Every
refusal is a :class:`~ecsta.sim.failure.CstaError`.  How calls move is
:mod:`ecsta.sim.flows`' business.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ecsta.sim.calls import ALERTING, CONNECTED, FAIL, HOLD, INITIATED, Connection, SwitchCall
from ecsta.sim.cdr import DEFAULT_BUFFER, CdrQueue
from ecsta.sim.collection import Collection, DataCollected
from ecsta.sim.events import DeviceEvent
from ecsta.sim.failure import CstaError, invalid_device, out_of_service, wrong_state
from ecsta.sim.features import FORWARDING_TYPES, Forwarding, ForwardingTable
from ecsta.sim.flows import TALKING_STATES, CallBackRequest, CallFlows
from ecsta.sim.ids import Number, Route, connection_id, subject
from ecsta.sim.plan import Device, ExternalBehaviour, SwitchPlan

__all__ = ["CallInfo", "Switch"]

_DIGITS = frozenset("0123456789*#")


@dataclass(frozen=True)
class CallInfo:
    """A call as an observer sees it: its callID and each device's connection state."""

    call_id: bytes
    connections: tuple[tuple[Device, str], ...]


class Switch:
    """One PBX.  ``now`` is the time the switch starts at; see :meth:`advance`.
    ``cdr_buffer`` is how many unacknowledged call records it keeps
    (:class:`~ecsta.sim.cdr.CdrQueue`).

    What a person or an application may do, and the refusals, are checked here; how a call
    then moves is its :class:`~ecsta.sim.flows.CallFlows`' business (``flows``), which holds
    the devices, the calls and the clock."""

    def __init__(
        self, plan: SwitchPlan | None = None, now: float = 0.0, cdr_buffer: int = DEFAULT_BUFFER
    ) -> None:
        self.flows = CallFlows(plan if plan is not None else SwitchPlan.default(), now, cdr_buffer)
        #: Grows whenever devices are added or removed (switchingFunctionDevicesChanged).
        self.device_list_version = 0

    @property
    def plan(self) -> SwitchPlan:
        return self.flows.plan

    @property
    def cdr(self) -> CdrQueue:
        return self.flows.cdr

    def connections_of(self, device: Device) -> list[tuple[SwitchCall, Connection]]:
        """Every call the device is in, with its connection there, oldest call first."""
        return self.flows.connections_of(device)

    # ------------------------------------------------------------------ time and outputs

    @property
    def now(self) -> float:
        return self.flows.now

    def advance(self, now: float) -> None:
        """Move time to ``now``, running every timer due by then at its own deadline."""
        if now < self.flows.now:
            raise ValueError(f"time runs forward: {now} < {self.flows.now}")
        while (timer := self.flows.timers.pop_due(now)) is not None:
            self.flows.now = max(self.flows.now, timer.deadline)
            timer.callback()
        self.flows.now = now

    def next_deadline(self) -> float | None:
        """When :meth:`advance` next has something to do; None when nothing is pending."""
        return self.flows.timers.next_deadline()

    def take_events(self) -> list[DeviceEvent]:
        """The events generated since the last call, oldest first."""
        events, self.flows.events = self.flows.events, []
        return events

    def take_data_collected(self) -> list[DataCollected]:
        collected, self.flows.collected = self.flows.collected, []
        return collected

    def footprint(self) -> dict[str, int]:
        """What the switch holds in memory, by kind, for leak checks of long runs.

        Once every phone is on hook, every feature is off and time has run past the last
        deadline, each count is zero except ``forwardingTables`` (at most one per device that
        ever had a forwarding).  Growth anywhere else means something is never let go.
        """
        return {
            "calls": len(self.flows.calls),
            "callIDs": len(self.flows.call_ids),
            "timers": len(self.flows.timers),
            "callBacks": len(self.flows.callbacks),
            "collections": len(self.flows.collections),
            "forwardingTables": len(self.flows.forwarding),
            "doNotDisturb": len(self.flows.dnd),
            "events": len(self.flows.events),
            "collected": len(self.flows.collected),
            "cdrRecords": self.flows.cdr.pending + self.flows.cdr.sent,
        }

    # ------------------------------------------------------------------ devices

    def devices(self) -> list[Device]:
        return list(self.plan.devices)

    def device(self, key: Device | str | int) -> Device:
        """A device by dialling number (the desk phone for a Super-Twin number), by
        deviceNumber (int, or a string such as ``"0x01210000"``), or itself."""
        if isinstance(key, Device):
            if key not in self.plan.devices:
                raise invalid_device(f"{key!r} is not in this switch")
            return key
        if isinstance(key, str) and key.lower().startswith("0x"):
            try:
                key = int(key, 16)
            except ValueError:
                raise invalid_device(str(key)) from None
        if isinstance(key, int):
            for device in self.plan.devices:
                if device.device_number == key:
                    return device
            raise invalid_device(f"no device 0x{key:08x}")
        found = self.flows.owners().get(key)
        if found is None:
            raise invalid_device(f"no device {key}")
        return found

    def add_device(self, device: Device) -> None:
        """Add a port; refused with :class:`~ecsta.sim.plan.PlanError` if it clashes."""
        self.flows.plan = replace(self.plan, devices=[*self.plan.devices, device])
        self.device_list_version += 1

    def remove_device(self, key: Device | str | int) -> None:
        """Take a port away, releasing its calls and forgetting its settings."""
        device = self.device(key)
        if self.flows.owner_of(device) is device:
            for twin in self.flows.group(device)[1:]:
                self.remove_device(twin)
        self.flows.drop_calls_of(device)
        self.flows.forwarding.pop(device, None)
        self.flows.dnd.discard(device)
        self.flows.callbacks = [
            cb for cb in self.flows.callbacks if device not in (cb.originator, cb.target)
        ]
        for cross_ref, collection in list(self.flows.collections.items()):
            if collection.device is device:
                self._end_collection(cross_ref, collection)
        self.flows.plan = replace(
            self.plan, devices=[d for d in self.plan.devices if d is not device]
        )
        self.device_list_version += 1

    def set_in_service(self, key: Device | str | int, in_service: bool) -> None:
        """Put a port in or out of service (outOfService / backInService to its monitor)."""
        device = self.device(key)
        if device.in_service == in_service:
            return
        device.in_service = in_service
        if not in_service:
            self.flows.drop_calls_of(device)
        name = "backInService" if in_service else "outOfService"
        self.flows.emit_device([device], name, {"device": subject(device)})

    # ------------------------------------------------------------------ observation

    def calls(self) -> list[CallInfo]:
        return [self._info(call) for call in self.flows.calls.values()]

    def call(self, call_id: bytes) -> SwitchCall | None:
        """The live call with that callID, for the service layer."""
        return self.flows.calls.get(call_id)

    def forwarding(self, key: Device | str | int) -> dict[str, Forwarding]:
        """The forwardings active on a device's number, by ForwardingType name."""
        table = self.flows.forwarding.get(self.flows.owner_of(self.device(key)))
        found: dict[str, Forwarding] = {}
        for name in FORWARDING_TYPES:
            active = table.get(name) if table is not None else None
            if active is not None:
                found[name] = active
        return found

    def do_not_disturb(self, key: Device | str | int) -> bool:
        return self.flows.owner_of(self.device(key)) in self.flows.dnd

    # ------------------------------------------------------------------ the outside world

    def set_external(self, number: str, behaviour: ExternalBehaviour) -> None:
        """How the outside party with that number reacts when called from now on."""
        self.flows.external[number] = behaviour

    def incoming(self, from_number: str, to_number: str) -> bytes:
        """A call from the public network arrives on a free CO trunk for ``to_number``.

        ``from_number`` empty means the network gave no caller number (callingDevice then
        says notKnown).  Returns the new callID.
        """
        trunk = self.flows.free_trunk()
        if trunk is None:
            raise CstaError("systemResourceAvailability", "networkBusy", "no free CO line")
        caller = Number(from_number)
        call = self.flows.new_call(trunk, caller)
        call.add(trunk, CONNECTED, remote=caller)
        route = self.flows.route(to_number)
        if route is None or route.outside:
            route = Route(Number(to_number))
        call.called = route.party
        self.flows.deliver(call, route, "newCall")
        return call.call_id

    def outside_answers(self, number: str) -> None:
        """The ringing outside party ``number`` picks up."""
        for call, connection in self.flows.outside(number):
            if connection.state == ALERTING:
                self.flows.answer(call, connection.device)
                return
        raise wrong_state("noCallToAnswer", f"{number} is not ringing")

    def outside_hangs_up(self, number: str) -> None:
        """The outside party ``number`` ends its call, ringing or talking."""
        for call, connection in self.flows.outside(number):
            self.flows.release(call, connection.device)
            return
        raise wrong_state("noConnectionToClear", f"{number} is in no call")

    # ------------------------------------------------------------------ person actions

    def offhook(self, key: Device | str | int) -> None:
        """Lift the handset: answer a ringing call, or get dial tone (serviceInitiated)."""
        device = self._usable(key)
        active = self.flows.active(device)
        if active is not None:
            call = active[0]
            if call.pending_route is not None:
                self.flows.proceed(call, device)
                return
            raise wrong_state("invalidDeviceState", "already off hook")
        ringing = self.flows.ringing(device)
        if ringing is not None:
            self.flows.answer(ringing, device)
            return
        self.flows.start_call(device, "newCall", consult_of=self.flows.held_call(device))

    def onhook(self, key: Device | str | int) -> None:
        """Put the handset down.  During a consultation this transfers (Panasonic)."""
        device = self._usable(key)
        active = self.flows.active(device)
        if active is None:
            return
        call, connection = active
        held = call.consult_of
        if (
            self.plan.transfer_on_hangup
            and connection.state == CONNECTED
            and held is not None
            and held.call_id in self.flows.calls
            and held.state_of(device) == HOLD
            and len(call.connections) > 1
            and self.flows.transferable(held, call, device)
        ):
            self.flows.transfer(held, call, device)
            return
        self.flows.release(call, device)

    def dial(self, key: Device | str | int, digits: str) -> None:
        """Press digits.  On a phone on hook this lifts the handset first (answering it if it
        rings); once the digits make a complete number the call proceeds.  An outside number
        is complete at the end of the dialling that follows the trunk access code.  Digits
        pressed during a conversation are tones to the far end and are not reported; while a
        data collection runs on the device they go to the collection instead of being routed.
        """
        device = self._usable(key)
        _check_digits(digits, "dial")
        active = self.flows.active(device)
        if active is None:
            ringing = self.flows.ringing(device)
            if ringing is not None:
                self.flows.answer(ringing, device)
            else:
                self.flows.start_call(device, "newCall", consult_of=self.flows.held_call(device))
            active = self.flows.active(device)
            assert active is not None
        call, connection = active
        collection = self.flows.collection_on(device)
        if collection is not None:
            self.flows.collect(collection, digits)
            return
        if connection.state == CONNECTED:
            return
        if connection.state != INITIATED or call.pending_route is not None:
            raise wrong_state("invalidDeviceState", "not at dial tone")
        self._dialled(call, device, digits)

    def answer(self, key: Device | str | int) -> None:
        device = self._usable(key)
        active = self.flows.active(device)
        if active is not None and active[0].pending_route is not None:
            self.flows.proceed(active[0], device)
            return
        ringing = self.flows.ringing(device)
        if ringing is None:
            raise wrong_state("noCallToAnswer", f"{device.number} is not ringing")
        if active is not None:
            raise wrong_state("invalidDeviceState", "already in a call")
        self.flows.answer(ringing, device)

    def hold(self, key: Device | str | int) -> None:
        device = self._usable(key)
        active = self.flows.active(device)
        if active is None or active[1].state != CONNECTED:
            raise wrong_state("noActiveCall", f"{device.number} has no call to hold")
        self.flows.hold(active[0], device, "normal")

    def retrieve(self, key: Device | str | int) -> None:
        device = self._usable(key)
        held = self.flows.held_call(device)
        if held is None:
            raise wrong_state("noHeldCall", f"{device.number} holds no call")
        self.retrieve_call(held, device)

    # ------------------------------------------------------------------ call control services

    def make_call(
        self, key: Device | str | int, target: Device | str, prompt: bool = False
    ) -> SwitchCall:
        """MakeCall.  ``prompt`` (autoOriginate prompt) is honoured only when the plan says
        so; see :attr:`SwitchPlan.make_call_prompts`.  A number that leads nowhere is accepted and
        the call then fails (destNotObtainable), as when the number is dialled by hand."""
        device = self._usable(key)
        if device.is_trunk:
            raise CstaError("operation", "requestIncompatibleWithCallingDevice")
        if self.flows.active(device) is not None or self.flows.ringing(device) is not None:
            raise wrong_state("invalidCallingDeviceState", f"{device.number} is busy")
        route = self.flows.route_target(target)
        call = self.flows.start_call(device, "makeCall")
        if prompt and self.plan.make_call_prompts:
            call.pending_route = route
        else:
            self.flows.originate(call, device, route, "newCall")
        return call

    def clear_connection(self, call: SwitchCall, device: Device) -> None:
        self.flows.connection(call, device)
        self.flows.release(call, device)

    def clear_call(self, call: SwitchCall) -> None:
        """ClearCall: every connection goes at once; each party sees callCleared."""
        if self.flows.calls.get(call.call_id) is not call:
            raise CstaError("operation", "invalidCallID")
        self.flows.clear_call(call)

    def answer_call(self, call: SwitchCall, device: Device) -> None:
        connection = self.flows.connection(call, device)
        if connection.state == INITIATED and call.pending_route is not None:
            self.flows.proceed(call, device)
            return
        if connection.state != ALERTING or device.is_trunk:
            raise wrong_state("invalidConnectionState", f"{device.number} is {connection.state}")
        if self.flows.active(device) is not None:
            raise wrong_state("invalidDeviceState", f"{device.number} is in another call")
        self.flows.answer(call, device)

    def hold_call(self, call: SwitchCall, device: Device) -> None:
        connection = self.flows.connection(call, device)
        if connection.state != CONNECTED or device.is_trunk:
            raise wrong_state("invalidConnectionState", f"{device.number} is {connection.state}")
        self.flows.hold(call, device, "normal")

    def retrieve_call(self, call: SwitchCall, device: Device) -> None:
        connection = self.flows.connection(call, device)
        if connection.state != HOLD:
            raise wrong_state("noHeldCall", f"{device.number} is {connection.state}")
        self.flows.clear_way_for(device)
        self.flows.retrieve(call, device, "normal")

    def alternate_call(self, held: SwitchCall, active: SwitchCall, device: Device) -> None:
        self.flows.held_and_active(held, active, device)
        self.flows.hold(active, device, "alternate")
        self.flows.retrieve(held, device, "alternate")

    def reconnect_call(self, active: SwitchCall, held: SwitchCall, device: Device) -> None:
        """ReconnectCall: leave the active call and take back the held one."""
        if self.flows.connection(held, device).state != HOLD:
            raise wrong_state("invalidHeldConnectionState")
        if self.flows.connection(active, device).state not in TALKING_STATES:
            raise wrong_state("invalidActiveConnectionState")
        self.flows.release(active, device)
        if held.call_id in self.flows.calls and held.state_of(device) == HOLD:
            self.flows.retrieve(held, device, "normal")

    def consultation_call(
        self, call: SwitchCall, device: Device, target: Device | str
    ) -> SwitchCall:
        """Hold the call (held, consultation) and call ``target`` on a new call."""
        if self.flows.connection(call, device).state != CONNECTED or device.is_trunk:
            raise wrong_state("invalidActiveConnectionState")
        route = self.flows.route_target(target)
        self.flows.hold(call, device, "consultation")
        consultation = self.flows.start_call(device, "consultation", consult_of=call)
        self.flows.originate(consultation, device, route, "consultation")
        return consultation

    def transfer_call(self, held: SwitchCall, active: SwitchCall, device: Device) -> SwitchCall:
        """Join the held and the active call's other parties and leave; returns the call."""
        self.flows.held_and_active(held, active, device)
        if not self.flows.transferable(held, active, device):
            raise wrong_state("invalidObjectState", "nothing to transfer to")
        self.flows.transfer(held, active, device)
        return held

    def conference_call(self, held: SwitchCall, active: SwitchCall, device: Device) -> SwitchCall:
        self.flows.held_and_active(held, active, device)
        if not self.flows.transferable(held, active, device):
            raise wrong_state("invalidObjectState", "no one to add")
        self.flows.conference(held, active, device)
        return held

    def single_step_transfer(
        self, call: SwitchCall, device: Device, target: Device | str
    ) -> SwitchCall:
        if self.flows.connection(call, device).state != CONNECTED or len(call.connections) < 2:
            raise wrong_state("invalidConnectionState")
        route = self.flows.destination(target, call)
        self.flows.single_step_transfer(call, device, route)
        return call

    def deflect_call(self, call: SwitchCall, device: Device, target: Device | str) -> None:
        """Send a ringing call elsewhere (diverted, cause redirected)."""
        if self.flows.connection(call, device).state != ALERTING:
            raise wrong_state("invalidConnectionState")
        route = self.flows.destination(target, call)
        ringing = self.flows.alerting_members(call, self.flows.owner_of(device))
        self.flows.divert(call, ringing, route, "redirected", 0)

    def directed_pickup(self, call: SwitchCall, device: Device, picker: Device) -> SwitchCall:
        """Answer, at ``picker``, the call ringing at ``device`` (diverted + established)."""
        self._usable(picker)
        if self.flows.connection(call, device).state != ALERTING:
            raise wrong_state("invalidConnectionState")
        if self.flows.active(picker) is not None or picker in call.connections:
            raise wrong_state("invalidDeviceState", f"{picker.number} is busy")
        self.flows.pickup(call, device, picker)
        return call

    def group_pickup(self, picker: Device, group_of: Device | None = None) -> SwitchCall:
        """Answer, at ``picker``, the longest-ringing call in its pickup group (or in the
        group of ``group_of``)."""
        self._usable(picker)
        if self.flows.active(picker) is not None:
            raise wrong_state("invalidDeviceState", f"{picker.number} is busy")
        group = self.flows.owner_of(group_of if group_of is not None else picker).pickup_group
        if group is None:
            raise CstaError("operation", "requestIncompatibleWithDevice", "no pickup group")
        mine = self.flows.owner_of(picker)
        for call in sorted(self.flows.calls.values(), key=lambda c: c.started):
            for device, connection in call.connections.items():
                owner = self.flows.owner_of(device)
                if (
                    connection.state == ALERTING
                    and owner.pickup_group == group
                    and owner is not mine
                ):
                    self.flows.pickup(call, device, picker)
                    return call
        raise wrong_state("noCallToAnswer", f"nothing rings in pickup group {group}")

    def dial_digits(self, call: SwitchCall, device: Device, digits: str) -> None:
        """DialDigits: digits pressed for the device on its dial tone, exactly as if the person
        pressed them (:meth:`dial`), so that a call the phone started proceeds like a manual call
        once the digits make a complete number.  Only a connection at dial tone takes digits;
        a call made by MakeCall with autoOriginate prompt waits for its answer, not for digits.
        """
        connection = self.flows.connection(call, device)
        _check_digits(digits, "dial")
        if connection.state != INITIATED or call.pending_route is not None:
            raise wrong_state("invalidConnectionState", f"{device.number} is not at dial tone")
        collection = self.flows.collection_on(device)
        if collection is not None:
            self.flows.collect(collection, digits)
            return
        self._dialled(call, device, digits)

    def generate_digits(self, call: SwitchCall, device: Device, digits: str) -> None:
        if self.flows.connection(call, device).state != CONNECTED:
            raise wrong_state("invalidConnectionState")
        _check_digits(digits, "send")
        self.flows.emit(
            call,
            "digitsGeneratedEvent",
            {"connection": connection_id(call.call_id, device), "digitGeneratedList": digits},
        )

    def call_back(self, call: SwitchCall, device: Device) -> Device:
        """Ask to be called back when the busy device this failed call tried becomes free.

        The failed call is released at once.  When the target has been free (and the
        originator idle) for ``callback_delay``, the originator's phone rings (delivered,
        cause callBack, callingDevice the target); once answered, the target is called.
        callBack events tell both devices when the request is set and when it is used up
        (callBackSetCanceled TRUE: it no longer stands).
        """
        if self.flows.connection(call, device).state != FAIL:
            raise wrong_state("invalidConnectionState", "call back needs a failed call")
        target = call.called
        if not isinstance(target, Device):
            raise CstaError("operation", "requestIncompatibleWithCalledDevice")
        target = self.flows.owner_of(target)
        self.flows.callbacks.append(CallBackRequest(device, target))
        self.flows.emit_call_back(device, target, cancelled=False)
        self.flows.release(call, device)
        return target

    def intrude_call(self, call: SwitchCall, device: Device) -> SwitchCall:
        """Join, from a call that failed on a busy device, that device's conversation."""
        if self.flows.connection(call, device).state != FAIL:
            raise wrong_state("invalidConnectionState", "intrusion needs a failed call")
        target = call.called
        if not isinstance(target, Device):
            raise CstaError("operation", "requestIncompatibleWithCalledDevice")
        for member in self.flows.group(self.flows.owner_of(target)):
            for other, connection in self.flows.connections_of(member):
                if connection.state == CONNECTED:
                    self.flows.intrude(call, device, other, member)
                    return other
        raise wrong_state("invalidCalledDeviceState", "the called device is not talking")

    # ------------------------------------------------------------------ feature services

    def set_forwarding(
        self,
        key: Device | str | int,
        forwarding_type: str,
        activate: bool,
        destination: str | None = None,
        ring_count: int | None = None,
        ring_duration: float | None = None,
    ) -> None:
        """Switch one of the nine forwardings on or off for a device's number."""
        device = self.device(key)
        if forwarding_type not in FORWARDING_TYPES:
            raise CstaError("operation", "invalidForwardingType", forwarding_type)
        if device.is_trunk:
            raise CstaError("operation", "requestIncompatibleWithDevice")
        owner = self.flows.owner_of(device)
        table = self.flows.forwarding.setdefault(owner, ForwardingTable())
        fields: dict[str, Any] = {
            "device": subject(owner),
            "forwardingType": forwarding_type,
            "forwardStatus": activate,
        }
        if activate:
            route = self.flows.route(destination) if destination else None
            if route is None or not route.reachable or self.flows.same_number(route.party, owner):
                raise CstaError("operation", "invalidForwardingDestination", str(destination))
            if ring_count is not None and not 1 <= ring_count <= 100:
                raise CstaError("operation", "valueOutOfRange", "ringCount")
            table.set(forwarding_type, Forwarding(str(destination), ring_count, ring_duration))
            fields["forwardTo"] = {"deviceIdentifier": ("dialingNumber", destination)}
        else:
            table.set(forwarding_type, None)
        self.flows.emit_device(self.flows.group(owner), "forwarding", fields)

    def cancel_forwarding(self, key: Device | str | int) -> None:
        """Switch off every forwarding in force for a device's number."""
        device = self.device(key)
        if device.is_trunk:
            raise CstaError("operation", "requestIncompatibleWithDevice")
        for forwarding_type in self.forwarding(device):
            self.set_forwarding(device, forwarding_type, False)

    def set_do_not_disturb(self, key: Device | str | int, on: bool) -> None:
        owner = self.flows.owner_of(self.device(key))
        if owner.is_trunk:
            raise CstaError("operation", "requestIncompatibleWithDevice")
        if on:
            self.flows.dnd.add(owner)
        else:
            self.flows.dnd.discard(owner)
        self.flows.emit_device(
            self.flows.group(owner),
            "doNotDisturb",
            {"device": subject(owner), "doNotDisturbOn": on},
        )

    def start_data_collection(
        self,
        key: Device | str | int,
        num_chars: int | None = None,
        flush_char: str | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """Collect the digits dialled at a device; returns the dcollCrossRefID."""
        device = self.device(key)
        if device.is_trunk:
            raise CstaError("operation", "requestIncompatibleWithDevice")
        if self.flows.collection_on(device) is not None:
            raise CstaError("operation", "featureAlreadySet", "collection already running")
        if num_chars is not None and num_chars < 1:
            raise CstaError("operation", "valueOutOfRange", "numChars")
        cross_ref = next(self.flows.collection_ids).to_bytes(4, "big")
        self.flows.collections[cross_ref] = Collection(
            cross_ref, device, num_chars=num_chars, flush_char=flush_char, timeout=timeout
        )
        return cross_ref

    def stop_data_collection(self, cross_ref: bytes) -> None:
        collection = self.flows.collections.pop(cross_ref, None)
        if collection is None:
            raise CstaError("operation", "invalidCrossRefID")
        if collection.timer is not None:
            collection.timer.cancel()

    def _end_collection(self, cross_ref: bytes, collection: Collection) -> None:
        """The switch ends a collection (its device left): the application hears it as a
        last dataCollected with dcollCause sfTerminated, carrying the digits not yet
        reported."""
        self.stop_data_collection(cross_ref)
        self.flows.collected.append(collection.report("sfTerminated"))

    # ------------------------------------------------------------------ helpers

    def _usable(self, key: Device | str | int) -> Device:
        device = self.device(key)
        if not device.in_service:
            raise out_of_service(f"{device.number} is out of service")
        return device

    def _dialled(self, call: SwitchCall, device: Device, digits: str) -> None:
        """More digits on a dial tone; the call goes out once they make a complete number."""
        call.dialled += digits
        route = self.flows.route(call.dialled)
        if route is not None:
            self.flows.originate(call, device, route, "newCall")

    def _info(self, call: SwitchCall) -> CallInfo:
        return CallInfo(call.call_id, tuple((d, c.state) for d, c in call.connections.items()))


def _check_digits(digits: str, verb: str) -> None:
    """Only keypad digits can be pressed or sent; anything else is refused as a parameter."""
    if not digits or not set(digits) <= _DIGITS:
        raise CstaError("operation", "invalidParameterValue", f"cannot {verb} {digits!r}")
