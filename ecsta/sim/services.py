"""CSTA services on the simulated switch, in ECMA-285 values.

Each method takes the operation's decoded argument (a dict in the project's value convention,
as the wire decoder produces it) and returns the decoded result, or raises
:class:`~ecsta.sim.failure.CstaError`; :meth:`CstaServices.invoke` does the same by operation
name, so the server can dispatch an invoke with one call.  The switch does the work; this layer
only turns identifiers into devices and calls and results into values.

How identifiers are resolved, and what is refused:

* A DeviceID names a device by dialingNumber (the desk phone, for a Super-Twin number) or by
  deviceNumber; anything else, or an unknown device, is ``operation invalidDeviceID``.
* A ConnectionID's callID must be a live call (``operation invalidCallID``) and its device a
  party of it (``operation invalidConnectionID``).  A ConnectionID with only a device picks
  that device's one call, and is refused if the device is in none or in several.
* A connection in the wrong state gives ``stateIncompatibility``: ``invalidConnectionState``
  in general, and the more precise names where ECMA-285 has them (``noHeldCall``,
  ``invalidHeldConnectionState``, ``invalidActiveConnectionState``, ``noCallToAnswer``, ...).
* A device out of service gives ``systemResourceAvailability deviceOutOfService``.
* Data collection on a call (rather than a device) is ``operation invalidObjectType``.
* DialDigits takes its digits as a dialingNumber DeviceID; digits in any other form, or
  characters that are not keypad digits, are ``operation invalidParameterValue``, and a
  connection that is not at dial tone is ``stateIncompatibility invalidConnectionState``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ecsta.sim.calls import SwitchCall
from ecsta.sim.failure import CstaError, invalid_call, invalid_connection, invalid_device
from ecsta.sim.ids import ChoiceValue, connection_id, device_id, subject
from ecsta.sim.plan import Device
from ecsta.sim.switch import Switch

__all__ = ["CstaServices"]

Argument = Mapping[str, Any]
NO_DATA: ChoiceValue = ("noData", None)


class CstaServices:
    """The switching-function services of one :class:`~ecsta.sim.switch.Switch`."""

    def __init__(self, switch: Switch) -> None:
        self.switch = switch
        self._operations: dict[str, Callable[[Argument], Any]] = {
            "alternateCall": self.alternate_call,
            "answerCall": self.answer_call,
            "callBack": self.call_back,
            "clearCall": self.clear_call,
            "clearConnection": self.clear_connection,
            "conferenceCall": self.conference_call,
            "consultationCall": self.consultation_call,
            "deflectCall": self.deflect_call,
            "dialDigits": self.dial_digits,
            "directedPickupCall": self.directed_pickup_call,
            "generateDigits": self.generate_digits,
            "getDoNotDisturb": self.get_do_not_disturb,
            "getForwarding": self.get_forwarding,
            "groupPickupCall": self.group_pickup_call,
            "holdCall": self.hold_call,
            "intrudeCall": self.intrude_call,
            "makeCall": self.make_call,
            "reconnectCall": self.reconnect_call,
            "retrieveCall": self.retrieve_call,
            "setDoNotDisturb": self.set_do_not_disturb,
            "setForwarding": self.set_forwarding,
            "singleStepTrans": self.single_step_transfer,
            "snapshotCall": self.snapshot_call,
            "snapshotDevice": self.snapshot_device,
            "startDataCollection": self.start_data_collection,
            "stopDataCollection": self.stop_data_collection,
            "transferCall": self.transfer_call,
        }

    @property
    def operations(self) -> frozenset[str]:
        """The ECMA-285 operation names this switch serves."""
        return frozenset(self._operations)

    def invoke(self, operation: str, argument: Argument) -> Any:
        handler = self._operations.get(operation)
        if handler is None:
            raise CstaError("operation", "serviceNotSupported", operation)
        return handler(argument)

    # ------------------------------------------------------------------ call control

    def make_call(self, argument: Argument) -> dict[str, Any]:
        device = self.device(argument["callingDevice"])
        prompt = argument.get("autoOriginate", "prompt") == "prompt"
        target = self._target(argument["calledDirectoryNumber"])
        call = self.switch.make_call(device, target, prompt)
        return {"callingDevice": connection_id(call.call_id, device)}

    def clear_connection(self, argument: Argument) -> ChoiceValue:
        self.switch.clear_connection(*self._connection(argument["connectionToBeCleared"]))
        return NO_DATA

    def clear_call(self, argument: Argument) -> ChoiceValue:
        self.switch.clear_call(self._call(argument["callToBeCleared"]))
        return NO_DATA

    def answer_call(self, argument: Argument) -> ChoiceValue:
        self.switch.answer_call(*self._connection(argument["callToBeAnswered"]))
        return NO_DATA

    def hold_call(self, argument: Argument) -> ChoiceValue:
        self.switch.hold_call(*self._connection(argument["callToBeHeld"]))
        return NO_DATA

    def retrieve_call(self, argument: Argument) -> ChoiceValue:
        self.switch.retrieve_call(*self._connection(argument["callToBeRetrieved"]))
        return NO_DATA

    def alternate_call(self, argument: Argument) -> ChoiceValue:
        held, active, device = self._pair(argument["heldCall"], argument["activeCall"])
        self.switch.alternate_call(held, active, device)
        return NO_DATA

    def reconnect_call(self, argument: Argument) -> ChoiceValue:
        held, active, device = self._pair(argument["heldCall"], argument["activeCall"])
        self.switch.reconnect_call(active, held, device)
        return NO_DATA

    def consultation_call(self, argument: Argument) -> dict[str, Any]:
        call, device = self._connection(argument["existingCall"])
        target = self._target(argument["consultedDevice"])
        consultation = self.switch.consultation_call(call, device, target)
        return {"initiatedCall": connection_id(consultation.call_id, device)}

    def transfer_call(self, argument: Argument) -> dict[str, Any]:
        held, active, device = self._pair(argument["heldCall"], argument["activeCall"])
        call = self.switch.transfer_call(held, active, device)
        return {"transferredCall": ("callID", call.call_id)}

    def conference_call(self, argument: Argument) -> dict[str, Any]:
        held, active, device = self._pair(argument["heldCall"], argument["activeCall"])
        call = self.switch.conference_call(held, active, device)
        return {"conferenceCall": connection_id(call.call_id, device)}

    def single_step_transfer(self, argument: Argument) -> dict[str, Any]:
        call, device = self._connection(argument["activeCall"])
        target = self._target(argument["transferredTo"])
        transferred = self.switch.single_step_transfer(call, device, target)
        return {"transferredCall": ("callID", transferred.call_id)}

    def deflect_call(self, argument: Argument) -> ChoiceValue:
        call, device = self._connection(argument["callToBeDiverted"])
        self.switch.deflect_call(call, device, self._target(argument["newDestination"]))
        return NO_DATA

    def directed_pickup_call(self, argument: Argument) -> dict[str, Any]:
        call, device = self._connection(argument["callToBePickedUp"])
        picker = self.device(argument["requestingDevice"])
        picked = self.switch.directed_pickup(call, device, picker)
        return {"pickedCall": connection_id(picked.call_id, picker)}

    def group_pickup_call(self, argument: Argument) -> dict[str, Any]:
        picker = self.device(argument["newDestination"])
        group = argument.get("pickGroup")
        picked = self.switch.group_pickup(picker, None if group is None else self.device(group))
        return {"pickedCall": connection_id(picked.call_id, picker)}

    def dial_digits(self, argument: Argument) -> ChoiceValue:
        call, device = self._connection(argument["diallingConnection"])
        kind, digits = argument["diallingSequence"]["deviceIdentifier"]
        if kind != "dialingNumber":
            raise CstaError("operation", "invalidParameterValue", f"digits to dial, not {kind}")
        self.switch.dial_digits(call, device, str(digits))
        return NO_DATA

    def generate_digits(self, argument: Argument) -> ChoiceValue:
        call, device = self._connection(argument["connectionToSendDigits"])
        self.switch.generate_digits(call, device, argument["charactersToSend"])
        return NO_DATA

    def call_back(self, argument: Argument) -> dict[str, Any]:
        target = self.switch.call_back(*self._connection(argument["callbackConnection"]))
        return {"targetDevice": device_id(target)}

    def intrude_call(self, argument: Argument) -> dict[str, Any]:
        call, device = self._connection(argument["intrude"])
        joined = self.switch.intrude_call(call, device)
        return {"conferencedCall": connection_id(joined.call_id, device)}

    # ------------------------------------------------------------------ features

    def set_forwarding(self, argument: Argument) -> ChoiceValue:
        device = self.device(argument["device"])
        forwarding_type = argument.get("forwardingType")
        if forwarding_type is None:
            if argument["activateForward"]:
                raise CstaError("operation", "invalidForwardingType", "forwardingType missing")
            # ECMA-285 makes the type optional; a deactivation without one is taken to clear
            # every forwarding of the device (inferred: no capture shows a PBX's answer).
            self.switch.cancel_forwarding(device)
            return NO_DATA
        destination = argument.get("forwardDN")
        self.switch.set_forwarding(
            device,
            forwarding_type,
            argument["activateForward"],
            None if destination is None else self._digits(destination),
            ring_count=argument.get("ringCount"),
            ring_duration=argument.get("ringDuration"),
        )
        return NO_DATA

    def get_forwarding(self, argument: Argument) -> dict[str, Any]:
        """Every one of the nine forwardings, active ones with their destination."""
        device = self.device(argument["device"])
        active = self.switch.forwarding(device)
        entries: list[dict[str, Any]] = []
        for name in _FORWARDING_ORDER:
            forwarding = active.get(name)
            entry: dict[str, Any] = {"forwardingType": name}
            entry["forwardStatus"] = forwarding is not None
            if forwarding is not None:
                digits = forwarding.destination
                entry["forwardDN"] = {"deviceIdentifier": ("dialingNumber", digits)}
                if forwarding.ring_count is not None:
                    entry["ringCount"] = forwarding.ring_count
            entries.append(entry)
        return {"forwardingList": entries}

    def set_do_not_disturb(self, argument: Argument) -> ChoiceValue:
        self.switch.set_do_not_disturb(self.device(argument["device"]), argument["doNotDisturbOn"])
        return NO_DATA

    def get_do_not_disturb(self, argument: Argument) -> dict[str, Any]:
        return {"doNotDisturbOn": self.switch.do_not_disturb(self.device(argument["device"]))}

    # ------------------------------------------------------------------ snapshots

    def snapshot_device(self, argument: Argument) -> dict[str, Any]:
        """Each call of the device: its connection, and the compound call state (the device's
        own state first, then the other parties' in the order they joined)."""
        device = self.device(argument["snapshotObject"])
        entries = []
        for call, connection in self.switch.connections_of(device):
            others = [c.state for d, c in call.connections.items() if d is not device]
            entries.append(
                {
                    "connectionIdentifier": connection_id(call.call_id, device),
                    "localCallState": ("compoundCallState", [connection.state, *others]),
                }
            )
        return {"crossRefIDorSnapshotData": ("snapshotData", entries)}

    def snapshot_call(self, argument: Argument) -> dict[str, Any]:
        call = self._call(argument["snapshotObject"])
        entries = [
            {
                "deviceOnCall": subject(device),
                "callIdentifier": connection_id(call.call_id, device),
                "localConnectionState": connection.state,
            }
            for device, connection in call.connections.items()
        ]
        return {
            "crossRefIDorSnapshotData": ("snapshotData", entries),
            "callingDevice": subject(call.calling),
            "calledDevice": subject(call.called),
        }

    # ------------------------------------------------------------------ data collection

    def start_data_collection(self, argument: Argument) -> dict[str, Any]:
        kind, value = argument["object"]
        if kind != "device":
            raise CstaError("operation", "invalidObjectType", "collection works on devices")
        if argument.get("dataCollType", "digits") != "digits":
            raise CstaError("operation", "parameterNotSupported", "only digits are collected")
        criteria = argument.get("digitsReportingCriteria", {})
        cross_ref = self.switch.start_data_collection(
            self.device(value),
            num_chars=criteria.get("numChars"),
            flush_char=criteria.get("flushChar"),
            timeout=criteria.get("timeout"),
        )
        return {"dcollCrossRefID": cross_ref}

    def stop_data_collection(self, argument: Argument) -> ChoiceValue:
        self.switch.stop_data_collection(argument["dcollCrossRefID"])
        return NO_DATA

    # ------------------------------------------------------------------ identifiers

    def device(self, value: Mapping[str, Any]) -> Device:
        """The device a DeviceID value names; invalidDeviceID for anything else."""
        kind, key = value["deviceIdentifier"]
        if kind not in ("dialingNumber", "deviceNumber"):
            raise invalid_device(f"{kind} names no device here")
        return self.switch.device(key)

    def _target(self, value: Mapping[str, Any]) -> Device | str:
        """A destination: digits to route, or a device named by its deviceNumber."""
        kind, key = value["deviceIdentifier"]
        if kind == "dialingNumber":
            return str(key)
        return self.device(value)

    def _digits(self, value: Mapping[str, Any]) -> str:
        target = self._target(value)
        return target if isinstance(target, str) else target.number

    def _call(self, value: ChoiceValue) -> SwitchCall:
        kind, content = value
        if kind == "both":
            call_id = content["callID"]
        elif kind == "callID":
            call_id = content
        else:
            return self._connection(value)[0]
        call = self.switch.call(call_id)
        if call is None:
            raise invalid_call(f"no call {bytes(call_id).hex()}")
        return call

    def _connection(self, value: ChoiceValue) -> tuple[SwitchCall, Device]:
        kind, content = value
        if kind == "callID":
            raise invalid_connection("a callID alone names no connection")
        local = content["deviceID"] if kind == "both" else content
        local_kind, local_value = local
        if local_kind != "staticID":
            raise invalid_connection("dynamic device ids are not issued by this switch")
        device = self.device(local_value)
        if kind == "both":
            call = self._call(value)
            if device not in call.connections:
                raise invalid_connection(f"{device.number} is not in that call")
            return call, device
        calls = self.switch.connections_of(device)
        if len(calls) != 1:
            raise invalid_connection(f"{device.number} is in {len(calls)} calls")
        return calls[0][0], device

    def _pair(
        self, held: ChoiceValue, active: ChoiceValue
    ) -> tuple[SwitchCall, SwitchCall, Device]:
        """The held and the active call of one device (alternate, transfer, conference)."""
        held_call, device = self._connection(held)
        active_call, active_device = self._connection(active)
        if active_device is not device:
            raise CstaError("operation", "notSameDevice")
        return held_call, active_call, device


_FORWARDING_ORDER = (
    "forwardImmediate",
    "forwardBusy",
    "forwardNoAns",
    "forwardBusyInt",
    "forwardBusyExt",
    "forwardNoAnsInt",
    "forwardNoAnsExt",
    "forwardImmInt",
    "forwardImmExt",
)
