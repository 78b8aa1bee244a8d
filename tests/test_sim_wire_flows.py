"""Every call flow of the simulator, driven as a whole system drives it.

An application speaks CSTA to the simulator with a monitor on every party; people at phones
and outside callers act through the HTTP control API. Each test asserts the complete event
sequence each party's monitor receives on the wire (event, device, the party's own connection
state, cause), the fields that carry meaning for the flow, and the switch's state afterwards as
``GET /api/state`` shows it. Every PDU the simulator sends is decoded by ecsta and by the
independent ECMA-285 oracle (tests/sim_wire.py).
"""

from collections.abc import Callable
from typing import Any

from ecsta.sim.config import SimConfig
from ecsta.sim.plan import SwitchPlan
from ecsta.wire import values
from ecsta.wire.asn1.connection import ConnectionList
from ecsta.wire.tlv import read_tlv
from tests.sim_flows import Brief, WireFlowCase, conn, device_of
from tests.sim_helpers import (
    alternates,
    cleared,
    consults,
    dialled,
    reconnects,
    rings,
    rings_out,
    twin_answers,
)

T1 = "#01310000"  # CO line 1
T2 = "#01310001"  # CO line 2
TWIN = "#01210000"  # the DECT portable that shares 101 with the desk phone
OUTSIDE = "0301111111"  # an outside number; dialled with the trunk access code 0 first


def subject(party: str) -> tuple[str, dict[str, Any]]:
    """A SubjectDeviceID / CallingDeviceID / CalledDeviceID naming ``party``."""
    return ("deviceIdentifier", device_of(party))


def hold_type(value: dict[str, Any]) -> str:
    [(kind, (kme, (field, hold)))] = value["extensions"]["privateData"]
    assert (kind, kme, field) == ("private", "kmeAdditionalData", "holdType"), value
    return str(hold)


def delivered_value(call: bytes, caller: str, called: str) -> dict[str, Any]:
    """The Delivered event the called party's monitor gets for an internal call."""
    return {
        "connection": conn(call, called),
        "alertingDevice": subject(called),
        "callingDevice": subject(caller),
        "calledDevice": subject(called),
        "lastRedirectionDevice": ("notRequired", None),
        "localConnectionInfo": "alerting",
        "cause": "newCall",
    }


def panasonic_list(call: bytes, parties: list[str]) -> list[dict[str, Any]]:
    """A ConnectionList as a Panasonic PBX sends it (PROTOCOL.md section 5): per party
    newConnection and associatedNID, nothing else; a CO line is its own network interface."""
    return [
        {
            "newConnection": conn(call, party),
            "associatedNID": ("deviceID", device_of(party))
            if party in (T1, T2)
            else ("notKnown", None),
        }
        for party in parties
    ]


class FlowCase(WireFlowCase):
    parties = ("103", "104", "105", "106", T1, T2)

    def make_call(self, caller: str, called: str) -> bytes:
        result = self.request(
            "makeCall",
            {"callingDevice": device_of(caller), "calledDirectoryNumber": device_of(called)},
        )
        self.assertEqual(result["callingDevice"][1]["deviceID"], ("staticID", device_of(caller)))
        return bytes(result["callingDevice"][1]["callID"])

    def talking(self, caller: str, called: str) -> bytes:
        """A call from ``caller`` answered by ``called``; its events are taken."""
        call = self.make_call(caller, called)
        self.request("answerCall", {"callToBeAnswered": conn(call, called)})
        self.take()
        return call


class BasicCallTests(FlowCase):
    def test_manual_internal_call_answered_and_cleared(self) -> None:
        self.person("103", "offhook")
        self.assertSeen({"103": [("serviceInitiated", "103", "initiated", "newCall")]})
        self.assertState([[("103", "initiated")]], {"103": "initiated", "104": "idle"})
        self.person("103", "dial", digits="104")
        seen = self.assertSeen(rings("103", "104", ("originated", "103", "connected", "newCall")))
        [call] = self.call_ids()
        self.assertEqual(self.value(seen, "104", "delivered"), delivered_value(call, "103", "104"))
        self.assertState([[("103", "connected"), ("104", "alerting")]], {"104": "alerting"})
        self.person("104", "answer")
        established = ("established", "104", "connected", "newCall")
        seen = self.assertSeen({"103": [established], "104": [established]})
        self.assertEqual(self.value(seen, "103", "established")["answeringDevice"], subject("104"))
        self.assertState([[("103", "connected"), ("104", "connected")]])
        self.person("103", "onhook")
        self.assertSeen(cleared("103", "104"))
        self.assertState([], {"103": "idle", "104": "idle"})

    def test_make_call_answer_call_and_clear_connection(self) -> None:
        call = self.make_call("105", "106")
        self.assertSeen(rings("105", "106", *dialled("105", "makeCall")))
        self.assertState([[("105", "connected"), ("106", "alerting")]])
        self.request("answerCall", {"callToBeAnswered": conn(call, "106")})
        established = ("established", "106", "connected", "newCall")
        self.assertSeen({"105": [established], "106": [established]})
        self.assertState([[("105", "connected"), ("106", "connected")]])
        self.request("clearConnection", {"connectionToBeCleared": conn(call, "106")})
        self.assertSeen(cleared("106", "105"))
        self.assertState([], {"105": "idle", "106": "idle"})

    def test_clear_call_clears_every_party_at_once(self) -> None:
        call = self.talking("103", "104")
        self.request("clearCall", {"callToBeCleared": ("callID", call)})
        seen = self.assertSeen(
            {
                "103": [("callCleared", "103", None, "normalClearing")],
                "104": [("callCleared", "104", None, "normalClearing")],
            }
        )
        self.assertEqual(
            self.value(seen, "104", "callCleared"),
            {"clearedCall": conn(call, "104"), "cause": "normalClearing"},
        )
        self.assertState([], {"103": "idle", "104": "idle"})

    def test_busy(self) -> None:
        self.talking("104", "105")
        call = self.make_call("103", "104")
        seen = self.assertSeen(
            {
                "103": [*dialled("103", "makeCall"), ("failed", "103", "fail", "busy")],
                "104": [],
                "105": [],
            }
        )
        failed = self.value(seen, "103", "failed")
        self.assertEqual(failed["failedConnection"], conn(call, "103"))
        self.assertEqual(failed["failingDevice"], subject("104"))
        self.assertEqual(failed["calledDevice"], subject("104"))
        self.assertState(
            [[("104", "connected"), ("105", "connected")], [("103", "fail")]], {"103": "fail"}
        )
        self.person("103", "onhook")
        self.assertSeen({"103": [("connectionCleared", "103", "null", "normalClearing")]})
        self.assertState([[("104", "connected"), ("105", "connected")]], {"103": "idle"})

    def test_no_answer(self) -> None:
        self.make_call("103", "104")
        self.take()
        self.advance(59)
        self.assertSeen({})
        self.advance(1)  # the plan's ring timeout is 60 s
        self.assertSeen(cleared("104", "103", "callNotAnswered"))
        self.assertState([], {"103": "idle", "104": "idle"})

    def test_caller_gives_up_before_the_answer(self) -> None:
        self.person("103", "dial", digits="104")
        self.take()
        self.person("103", "onhook")
        self.assertSeen(
            {
                "103": [("connectionCleared", "103", "null", "normalClearing")],
                "104": [
                    ("connectionCleared", "103", "alerting", "normalClearing"),
                    ("connectionCleared", "104", "null", "callCancelled"),
                ],
            }
        )
        self.assertState([], {"104": "idle"})

    def test_digits_generated_on_a_connected_call(self) -> None:
        call = self.talking("103", "104")
        self.request(
            "generateDigits",
            {"connectionToSendDigits": conn(call, "103"), "charactersToSend": "1234#"},
        )
        generated = ("digitsGeneratedEvent", "103", None, None)
        seen = self.assertSeen({"103": [generated], "104": [generated]})
        self.assertEqual(
            self.value(seen, "104", "digitsGeneratedEvent"),
            {"connection": conn(call, "103"), "digitGeneratedList": "1234#"},
        )
        self.assertState([[("103", "connected"), ("104", "connected")]])

    def dial_digits(self, call: bytes, party: str, digits: str) -> Any:
        return self.request(
            "dialDigits",
            {"diallingConnection": conn(call, party), "diallingSequence": device_of(digits)},
        )

    def test_digits_dialled_by_the_application_on_a_phone_at_dial_tone(self) -> None:
        self.person("103", "offhook")
        self.assertSeen({"103": [("serviceInitiated", "103", "initiated", "newCall")]})
        [call] = self.call_ids()
        self.assertEqual(self.dial_digits(call, "103", "1"), ("noData", None))
        self.assertSeen({})
        self.assertState([[("103", "initiated")]], {"103": "initiated"})
        self.dial_digits(call, "103", "04")
        seen = self.assertSeen(rings("103", "104", ("originated", "103", "connected", "newCall")))
        self.assertEqual(
            self.value(seen, "103", "originated"),
            {
                "originatedConnection": conn(call, "103"),
                "callingDevice": subject("103"),
                "calledDevice": subject("104"),
                "localConnectionInfo": "connected",
                "cause": "newCall",
            },
        )
        self.assertEqual(self.value(seen, "104", "delivered"), delivered_value(call, "103", "104"))
        self.assertState([[("103", "connected"), ("104", "alerting")]], {"104": "alerting"})
        self.assertEqual(
            self.refused(
                "dialDigits",
                {"diallingConnection": conn(call, "104"), "diallingSequence": device_of("5")},
            ),
            ("stateIncompatibility", "invalidConnectionState"),
        )
        self.person("104", "answer")
        established = ("established", "104", "connected", "newCall")
        self.assertSeen({"103": [established], "104": [established]})
        self.assertState([[("103", "connected"), ("104", "connected")]])


class OutsideCallTests(FlowCase):
    def assertRingingOut(self, caller: str, first: tuple[str, str, str, str]) -> None:
        seen = self.assertSeen(
            rings_out(caller, T1, first, ("originated", caller, "connected", "newCall"))
        )
        self.assertEqual(self.value(seen, caller, "originated")["calledDevice"], subject(OUTSIDE))
        reached = self.value(seen, T1, "networkReached")
        self.assertEqual(reached["networkInterfaceUsed"], subject(T1))
        self.assertEqual(reached["callingDevice"], subject(caller))
        self.assertEqual(self.value(seen, caller, "delivered")["alertingDevice"], subject(OUTSIDE))
        self.assertState([[(caller, "connected"), (T1, "alerting")]], {T1: "alerting"})

    def assertAnsweredAfterFiveSeconds(self, caller: str) -> None:
        self.advance(4.9)
        self.assertSeen({})
        self.advance(0.1)
        established = ("established", T1, "connected", "newCall")
        seen = self.assertSeen({caller: [established], T1: [established]})
        self.assertEqual(
            self.value(seen, caller, "established")["answeringDevice"], subject(OUTSIDE)
        )
        self.assertState([[(caller, "connected"), (T1, "connected")]])

    def test_manual_outgoing_external_call(self) -> None:
        self.person("105", "offhook")
        self.person("105", "dial", digits="0" + OUTSIDE)
        self.assertRingingOut("105", ("serviceInitiated", "105", "initiated", "newCall"))
        self.assertAnsweredAfterFiveSeconds("105")
        self.person("105", "onhook")
        self.assertSeen(cleared("105", T1))
        self.assertState([], {"105": "idle", T1: "idle"})

    def test_outside_number_dialled_by_the_application(self) -> None:
        self.person("105", "offhook")
        [call] = self.call_ids()
        self.request(
            "dialDigits",
            {"diallingConnection": conn(call, "105"), "diallingSequence": device_of("0" + OUTSIDE)},
        )
        self.assertRingingOut("105", ("serviceInitiated", "105", "initiated", "newCall"))
        self.assertAnsweredAfterFiveSeconds("105")

    def test_make_call_outgoing_external_and_the_outside_party_hangs_up(self) -> None:
        self.make_call("104", "0" + OUTSIDE)
        self.assertRingingOut("104", ("serviceInitiated", "104", "initiated", "makeCall"))
        self.assertAnsweredAfterFiveSeconds("104")
        self.outside(OUTSIDE, "hangup")
        self.assertSeen(cleared(T1, "104"))
        self.assertState([], {"104": "idle", T1: "idle"})

    def test_a_busy_outside_party_fails_the_call_and_frees_the_line(self) -> None:
        self.act("POST", f"external/{OUTSIDE}", {"mode": "busy"})
        self.make_call("104", "0" + OUTSIDE)
        seen = self.assertSeen(
            {
                "104": [
                    *dialled("104", "makeCall"),
                    ("networkReached", T1, "connected", "newCall"),
                    ("failed", "104", "fail", "busy"),
                    ("connectionCleared", T1, "fail", "normalClearing"),
                ],
                T1: [
                    ("networkReached", T1, "initiated", "newCall"),
                    ("failed", "104", "initiated", "busy"),
                    ("connectionCleared", T1, "null", "normalClearing"),
                ],
            }
        )
        self.assertEqual(self.value(seen, "104", "failed")["failingDevice"], subject(OUTSIDE))
        self.assertState([[("104", "fail")]], {T1: "idle"})

    def test_incoming_external_call_answered(self) -> None:
        call = self.incoming("+4930123456", "105")
        seen = self.assertSeen(
            {
                "105": [("delivered", "105", "alerting", "newCall")],
                T1: [("delivered", "105", "connected", "newCall")],
            }
        )
        delivered = self.value(seen, "105", "delivered")
        self.assertEqual(delivered["connection"], conn(call, "105"))
        self.assertEqual(delivered["callingDevice"], subject("+4930123456"))
        self.assertEqual(delivered["calledDevice"], subject("105"))
        self.assertState([[(T1, "connected"), ("105", "alerting")]])
        self.request("answerCall", {"callToBeAnswered": conn(call, "105")})
        established = ("established", "105", "connected", "newCall")
        self.assertSeen({"105": [established], T1: [established]})
        self.assertState([[(T1, "connected"), ("105", "connected")]])
        self.outside("+4930123456", "hangup")
        self.assertSeen(cleared(T1, "105"))
        self.assertState([], {"105": "idle", T1: "idle"})

    def test_incoming_call_without_a_caller_number_to_a_busy_extension(self) -> None:
        self.talking("105", "106")
        call = self.incoming("", "105")
        seen = self.assertSeen(
            {
                "105": [],
                T1: [
                    ("failed", T1, "fail", "busy"),
                    ("connectionCleared", T1, "null", "normalClearing"),
                ],
            }
        )
        failed = self.value(seen, T1, "failed")
        self.assertEqual(failed["failedConnection"], conn(call, T1))
        self.assertEqual(failed["callingDevice"], ("notKnown", None))
        self.assertEqual(failed["failingDevice"], subject("105"))
        self.assertState([[("105", "connected"), ("106", "connected")]], {T1: "idle"})


class HoldAndConsultationTests(FlowCase):
    def test_hold_and_retrieve(self) -> None:
        call = self.talking("103", "104")
        self.request("holdCall", {"callToBeHeld": conn(call, "103")})
        seen = self.assertSeen(
            {
                "103": [("held", "103", "hold", "normal")],
                "104": [("held", "103", "connected", "normal")],
            }
        )
        self.assertEqual(hold_type(self.value(seen, "104", "held")), "normal")
        self.assertState([[("103", "hold"), ("104", "connected")]], {"103": "hold"})
        self.request("retrieveCall", {"callToBeRetrieved": conn(call, "103")})
        retrieved = ("retrieved", "103", "connected", "normal")
        self.assertSeen({"103": [retrieved], "104": [retrieved]})
        self.assertState([[("103", "connected"), ("104", "connected")]])

    def consult(self) -> tuple[bytes, bytes]:
        """103 talks to 104 (first call), then consults 105, who answers."""
        first = self.talking("103", "104")
        result = self.request(
            "consultationCall",
            {"existingCall": conn(first, "103"), "consultedDevice": device_of("105")},
        )
        second = bytes(result["initiatedCall"][1]["callID"])
        self.assertEqual(result["initiatedCall"], conn(second, "103"))
        seen = self.assertSeen(consults("103", "104", "105"))
        self.assertEqual(hold_type(self.value(seen, "103", "held")), "consultation")
        self.assertState(
            [[("103", "hold"), ("104", "connected")], [("103", "connected"), ("105", "alerting")]]
        )
        self.person("105", "answer")
        established = ("established", "105", "connected", "newCall")
        self.assertSeen({"103": [established], "105": [established]})
        self.assertState(
            [[("103", "hold"), ("104", "connected")], [("103", "connected"), ("105", "connected")]]
        )
        return first, second

    def test_consultation_and_alternate(self) -> None:
        first, second = self.consult()
        self.request(
            "alternateCall", {"heldCall": conn(first, "103"), "activeCall": conn(second, "103")}
        )
        seen = self.assertSeen(alternates("103", "104", "105"))
        self.assertEqual(hold_type(self.value(seen, "105", "held")), "consultation")
        self.assertState(
            [[("103", "connected"), ("104", "connected")], [("103", "hold"), ("105", "connected")]]
        )

    def test_reconnect_ends_the_consultation(self) -> None:
        first, second = self.consult()
        self.request(
            "reconnectCall", {"heldCall": conn(first, "103"), "activeCall": conn(second, "103")}
        )
        self.assertSeen(reconnects("103", "104", "105"))
        self.assertState([[("103", "connected"), ("104", "connected")]], {"105": "idle"})

    def test_transfer_after_consultation(self) -> None:
        first, second = self.consult()
        result = self.request(
            "transferCall", {"heldCall": conn(first, "103"), "activeCall": conn(second, "103")}
        )
        self.assertEqual(result, {"transferredCall": ("callID", first)})
        seen = self.assertSeen(
            {
                "103": [("transferred", "103", "null", "transfer")],
                "104": [("transferred", "103", "connected", "transfer")],
                "105": [("transferred", "103", "connected", "transfer")],
            }
        )
        transferred = self.value(seen, "105", "transferred")
        self.assertEqual(transferred["primaryOldCall"], conn(first, "103"))
        self.assertEqual(transferred["secondaryOldCall"], conn(second, "103"))
        self.assertEqual(transferred["transferringDevice"], subject("103"))
        self.assertEqual(transferred["transferredToDevice"], subject("105"))
        self.assertEqual(
            transferred["transferredConnections"], panasonic_list(first, ["104", "105"])
        )
        self.assertState([[("104", "connected"), ("105", "connected")]], {"103": "idle"})

    def test_hanging_up_during_a_consultation_transfers(self) -> None:
        self.talking("103", "104")
        self.person("103", "hold")
        self.person("103", "dial", digits="105")
        self.person("105", "answer")
        seen = self.assertSeen(
            {
                "103": [
                    ("held", "103", "hold", "normal"),
                    *dialled("103"),
                    ("delivered", "105", "connected", "newCall"),
                    ("established", "105", "connected", "newCall"),
                ],
                "104": [("held", "103", "connected", "normal")],
                "105": [
                    ("delivered", "105", "alerting", "newCall"),
                    ("established", "105", "connected", "newCall"),
                ],
            }
        )
        self.assertEqual(hold_type(self.value(seen, "103", "held")), "normal")
        self.person("103", "onhook")
        transferred = ("transferred", "103", "connected", "transfer")
        self.assertSeen(
            {
                "103": [("transferred", "103", "null", "transfer")],
                "104": [transferred],
                "105": [transferred],
            }
        )
        self.assertState([[("104", "connected"), ("105", "connected")]], {"103": "idle"})

    def test_single_step_transfer(self) -> None:
        call = self.talking("103", "104")
        result = self.request(
            "singleStepTrans", {"activeCall": conn(call, "104"), "transferredTo": device_of("105")}
        )
        self.assertEqual(result, {"transferredCall": ("callID", call)})
        seen = self.assertSeen(
            {
                "103": [
                    ("transferred", "104", "connected", "singleStepTransfer"),
                    ("delivered", "105", "connected", "singleStepTransfer"),
                ],
                "104": [("transferred", "104", "null", "singleStepTransfer")],
                "105": [("delivered", "105", "alerting", "singleStepTransfer")],
            }
        )
        self.assertEqual(
            self.value(seen, "103", "transferred")["transferredToDevice"], subject("105")
        )
        delivered = self.value(seen, "105", "delivered")
        self.assertEqual(delivered["callingDevice"], subject("103"))
        self.assertEqual(delivered["calledDevice"], subject("105"))
        self.assertState([[("103", "connected"), ("105", "alerting")]], {"104": "idle"})
        self.person("105", "answer")
        established = ("established", "105", "connected", "singleStepTransfer")
        self.assertSeen({"103": [established], "105": [established]})
        self.assertState([[("103", "connected"), ("105", "connected")]])

    def test_three_party_conference_and_leaving_it(self) -> None:
        first, second = self.consult()
        result = self.request(
            "conferenceCall", {"heldCall": conn(first, "103"), "activeCall": conn(second, "103")}
        )
        self.assertEqual(result, {"conferenceCall": conn(first, "103")})
        conferenced = ("conferenced", "103", "connected", "conference")
        seen = self.assertSeen({"103": [conferenced], "104": [conferenced], "105": [conferenced]})
        value = self.value(seen, "104", "conferenced")
        self.assertEqual(value["secondaryOldCall"], conn(second, "103"))
        self.assertEqual(value["conferencingDevice"], subject("103"))
        self.assertEqual(value["addedParty"], subject("105"))
        self.assertEqual(
            value["conferenceConnections"], panasonic_list(first, ["103", "104", "105"])
        )
        self.assertState([[("103", "connected"), ("104", "connected"), ("105", "connected")]])
        self.request("clearConnection", {"connectionToBeCleared": conn(first, "104")})
        cleared = ("connectionCleared", "104", "connected", "normalClearing")
        self.assertSeen(
            {
                "103": [cleared],
                "104": [("connectionCleared", "104", "null", "normalClearing")],
                "105": [cleared],
            }
        )
        self.assertState([[("103", "connected"), ("105", "connected")]], {"104": "idle"})


class RedirectionTests(FlowCase):
    """103 calls 104, which rings; the call goes elsewhere."""

    def setUp(self) -> None:
        super().setUp()
        self.call = self.make_call("103", "104")
        self.take()

    def test_deflect(self) -> None:
        self.request(
            "deflectCall",
            {"callToBeDiverted": conn(self.call, "104"), "newDestination": device_of("105")},
        )
        seen = self.assertSeen(
            {
                "103": [
                    ("diverted", "104", "connected", "redirected"),
                    ("delivered", "105", "connected", "redirected"),
                ],
                "104": [("diverted", "104", "null", "redirected")],
                "105": [("delivered", "105", "alerting", "redirected")],
            }
        )
        diverted = self.value(seen, "104", "diverted")
        self.assertEqual(diverted["divertingDevice"], subject("104"))
        self.assertEqual(diverted["newDestination"], subject("105"))
        self.assertEqual(diverted["lastRedirectionDevice"], ("notRequired", None))
        delivered = self.value(seen, "105", "delivered")
        self.assertEqual(delivered["calledDevice"], subject("104"))
        self.assertEqual(delivered["lastRedirectionDevice"], ("numberdialed", device_of("104")))
        self.assertState([[("103", "connected"), ("105", "alerting")]], {"104": "idle"})
        self.person("105", "answer")
        established = ("established", "105", "connected", "redirected")
        seen = self.assertSeen({"103": [established], "105": [established]})
        self.assertEqual(
            self.value(seen, "103", "established")["lastRedirectionDevice"],
            ("numberdialed", device_of("104")),
        )
        self.assertState([[("103", "connected"), ("105", "connected")]])

    def assertPickedUpBy(self, picker: str) -> None:
        seen = self.assertSeen(
            {
                "103": [
                    ("diverted", "104", "connected", "callPickup"),
                    ("established", picker, "connected", "callPickup"),
                ],
                "104": [("diverted", "104", "null", "callPickup")],
                picker: [("established", picker, "connected", "callPickup")],
            }
        )
        self.assertEqual(self.value(seen, "104", "diverted")["newDestination"], subject(picker))
        established = self.value(seen, picker, "established")
        self.assertEqual(established["answeringDevice"], subject(picker))
        self.assertEqual(established["calledDevice"], subject("104"))
        self.assertEqual(established["lastRedirectionDevice"], ("numberdialed", device_of("104")))
        self.assertState([[("103", "connected"), (picker, "connected")]], {"104": "idle"})

    def test_directed_pickup(self) -> None:
        result = self.request(
            "directedPickupCall",
            {"callToBePickedUp": conn(self.call, "104"), "requestingDevice": device_of("106")},
        )
        self.assertEqual(result, {"pickedCall": conn(self.call, "106")})
        self.assertPickedUpBy("106")

    def test_group_pickup(self) -> None:
        result = self.request("groupPickupCall", {"newDestination": device_of("105")})
        self.assertEqual(result, {"pickedCall": conn(self.call, "105")})
        self.assertPickedUpBy("105")


class BusyFeatureTests(FlowCase):
    """104 talks to 105; 103 calls 104 and meets busy."""

    def setUp(self) -> None:
        super().setUp()
        self.talk = self.talking("104", "105")
        self.failed = self.make_call("103", "104")
        self.take()

    def test_call_back_on_busy(self) -> None:
        result = self.request("callBack", {"callbackConnection": conn(self.failed, "103")})
        self.assertEqual(result, {"targetDevice": device_of("104")})
        seen = self.assertSeen(
            {
                "103": [
                    ("callBack", "103", None, None),
                    ("connectionCleared", "103", "null", "normalClearing"),
                ],
                "104": [("callBack", "103", None, None)],
            }
        )
        self.assertEqual(
            self.value(seen, "104", "callBack"),
            {
                "originatingDevice": subject("103"),
                "targetDevice": subject("104"),
                "callBackSetCanceled": False,
            },
        )
        self.assertState([[("104", "connected"), ("105", "connected")]], {"103": "idle"})
        self.person("105", "onhook")
        self.take()
        self.advance(2)  # the plan's call-back delay
        seen = self.assertSeen(
            {
                "103": [
                    ("callBack", "103", None, None),
                    ("delivered", "103", "alerting", "callBack"),
                ],
                "104": [("callBack", "103", None, None)],
            }
        )
        self.assertTrue(self.value(seen, "103", "callBack")["callBackSetCanceled"])
        self.assertEqual(self.value(seen, "103", "delivered")["callingDevice"], subject("104"))
        self.assertState([[("103", "alerting")]], {"103": "alerting", "104": "idle"})
        self.person("103", "answer")
        seen = self.assertSeen(
            {
                "103": [
                    ("established", "103", "connected", "callBack"),
                    ("delivered", "104", "connected", "callBack"),
                ],
                "104": [("delivered", "104", "alerting", "callBack")],
            }
        )
        self.assertEqual(self.value(seen, "104", "delivered")["callingDevice"], subject("103"))
        self.assertState([[("103", "connected"), ("104", "alerting")]])
        self.person("104", "answer")
        established = ("established", "104", "connected", "callBack")
        self.assertSeen({"103": [established], "104": [established]})
        self.assertState([[("103", "connected"), ("104", "connected")]])

    def test_intrude(self) -> None:
        result = self.request("intrudeCall", {"intrude": conn(self.failed, "103")})
        self.assertEqual(result, {"conferencedCall": conn(self.talk, "103")})
        conferenced = ("conferenced", "104", "connected", "intrude")
        seen = self.assertSeen({"103": [conferenced], "104": [conferenced], "105": [conferenced]})
        value = self.value(seen, "103", "conferenced")
        self.assertEqual(value["secondaryOldCall"], conn(self.failed, "103"))
        self.assertEqual(value["addedParty"], subject("103"))
        self.assertState([[("104", "connected"), ("105", "connected"), ("103", "connected")]])


FORWARDINGS = {
    # type: (trigger, reaches callers inside, reaches callers outside)
    "forwardImmediate": ("immediate", True, True),
    "forwardImmInt": ("immediate", True, False),
    "forwardImmExt": ("immediate", False, True),
    "forwardBusy": ("busy", True, True),
    "forwardBusyInt": ("busy", True, False),
    "forwardBusyExt": ("busy", False, True),
    "forwardNoAns": ("noAnswer", True, True),
    "forwardNoAnsInt": ("noAnswer", True, False),
    "forwardNoAnsExt": ("noAnswer", False, True),
}
CAUSES = {
    "immediate": "callForwardImmediate",
    "busy": "callForwardBusy",
    "noAnswer": "callForwardNoAnswer",
}


class ForwardingTests(FlowCase):
    """104 forwards to 105; 103 calls from inside, +4930999 from outside on CO line 1.

    For busy, 104 is first put in a call with 106; for no answer, the call rings 15 s (the
    plan's no_answer_seconds) before it moves on, and is given up after 60 s (ring_timeout)
    when no forwarding applies.
    """

    def check(self, forwarding_type: str) -> None:
        trigger, inside, outside = FORWARDINGS[forwarding_type]
        self.forward(forwarding_type, True)
        listed = self.request("getForwarding", {"device": device_of("104")})["forwardingList"]
        self.assertEqual(
            [e["forwardingType"] for e in listed if e["forwardStatus"]], [forwarding_type]
        )
        self.assertEqual(self.view("104")["forwarding"], {forwarding_type: "105"})
        if trigger == "busy":
            self.talking("106", "104")
        self.call_from("103", trigger, inside)
        self.call_from(T1, trigger, outside)

    def forward(self, forwarding_type: str, on: bool) -> None:
        argument: dict[str, Any] = {
            "device": device_of("104"),
            "forwardingType": forwarding_type,
            "activateForward": on,
        }
        if on:
            argument["forwardDN"] = device_of("105")
        self.request("setForwarding", argument)
        seen = self.assertSeen({"104": [("forwarding", "104", None, None)]})
        expected = {
            "device": subject("104"),
            "forwardingType": forwarding_type,
            "forwardStatus": on,
        }
        if on:
            expected["forwardTo"] = device_of("105")
        self.assertEqual(self.value(seen, "104", "forwarding"), expected)

    def view(self, party: str) -> dict[str, Any]:
        [view] = [d for d in self.state()["devices"] if d["number"] == party and "twinOf" not in d]
        return view

    def call_from(self, caller: str, trigger: str, applies: bool) -> None:
        """A call to 104 from ``caller``; asserts where it goes, then ends it."""
        outside = caller == T1
        talking = [[("106", "connected"), ("104", "connected")]] if trigger == "busy" else []
        if outside:
            self.incoming("+4930999", "104")
            before: list[Brief] = []
        else:
            self.person(caller, "dial", digits="104")
            before = [
                *dialled(caller),
            ]
        if trigger == "noAnswer":
            self.assertSeen(
                {
                    caller: [*before, ("delivered", "104", "connected", "newCall")],
                    "104": [("delivered", "104", "alerting", "newCall")],
                }
            )
            self.assertState([[(caller, "connected"), ("104", "alerting")]])
            self.advance(14.9)
            self.assertSeen({})
            self.advance(0.1)
            before = []
        if not applies:
            self.not_forwarded(caller, trigger, before, talking)
            return
        cause = CAUSES[trigger]
        seen = self.assertSeen(
            {
                caller: [
                    *before,
                    ("diverted", "104", "connected", cause),
                    ("delivered", "105", "connected", cause),
                ],
                "104": [("diverted", "104", "null", cause)],
                "105": [("delivered", "105", "alerting", cause)],
            }
        )
        self.assertEqual(self.value(seen, "104", "diverted")["newDestination"], subject("105"))
        delivered = self.value(seen, "105", "delivered")
        self.assertEqual(delivered["callingDevice"], subject("+4930999" if outside else caller))
        self.assertEqual(delivered["calledDevice"], subject("104"))
        self.assertEqual(delivered["lastRedirectionDevice"], ("numberdialed", device_of("104")))
        self.assertState([*talking, [(caller, "connected"), ("105", "alerting")]])
        self.hang_up(caller)
        self.assertState(talking)

    def not_forwarded(
        self, caller: str, trigger: str, before: list[Brief], talking: list[list[tuple[str, str]]]
    ) -> None:
        if trigger == "immediate":
            self.assertSeen(
                {
                    caller: [*before, ("delivered", "104", "connected", "newCall")],
                    "104": [("delivered", "104", "alerting", "newCall")],
                }
            )
            self.assertState([[(caller, "connected"), ("104", "alerting")]])
            self.hang_up(caller)
        elif trigger == "busy":
            gone: list[Brief] = []
            if caller == T1:  # the outside caller hears busy and goes
                gone = [("connectionCleared", T1, "null", "normalClearing")]
            self.assertSeen({caller: [*before, ("failed", caller, "fail", "busy"), *gone]})
            self.assertState(talking + ([] if caller == T1 else [[(caller, "fail")]]))
            if caller != T1:
                self.hang_up(caller)
        else:
            self.advance(44.9)
            self.assertSeen({})
            self.advance(0.1)  # rung for the ring timeout: given up
            self.assertSeen(cleared("104", caller, "callNotAnswered"))
        self.assertState(talking)

    def hang_up(self, caller: str) -> None:
        if caller == T1:
            self.outside("+4930999", "hangup")
        else:
            self.person(caller, "onhook")
        self.take()

    def test_forwarding_off(self) -> None:
        self.forward("forwardImmediate", True)
        self.forward("forwardImmediate", False)
        self.assertEqual(self.view("104")["forwarding"], {})
        self.person("103", "dial", digits="104")
        self.assertState([[("103", "connected"), ("104", "alerting")]])


def _forwarding_test(forwarding_type: str) -> Callable[[ForwardingTests], None]:
    def test(self: ForwardingTests) -> None:
        self.check(forwarding_type)

    test.__doc__ = f"{forwarding_type}: set, listed, and applied to the callers it reaches."
    return test


#: Which callers a forwarding type reaches, as the last word of its test's name.
_REACH_NAMES = {(True, True): "", (True, False): "_internal", (False, True): "_external"}
_TRIGGER_NAMES = {"immediate": "immediate", "busy": "busy", "noAnswer": "no_answer"}

for _type, (_trigger, _inside, _outside) in FORWARDINGS.items():
    _name = f"test_forward_{_TRIGGER_NAMES[_trigger]}{_REACH_NAMES[_inside, _outside]}"
    setattr(ForwardingTests, _name, _forwarding_test(_type))


class DoNotDisturbTests(FlowCase):
    def test_do_not_disturb(self) -> None:
        self.request("setDoNotDisturb", {"device": device_of("104"), "doNotDisturbOn": True})
        seen = self.assertSeen({"104": [("doNotDisturb", "104", None, None)]})
        self.assertEqual(
            self.value(seen, "104", "doNotDisturb"),
            {"device": subject("104"), "doNotDisturbOn": True},
        )
        self.assertEqual(
            self.request("getDoNotDisturb", {"device": device_of("104")}), {"doNotDisturbOn": True}
        )
        views = {d["number"]: d for d in self.state()["devices"] if "twinOf" not in d}
        self.assertTrue(views["104"]["doNotDisturb"])
        self.make_call("103", "104")
        seen = self.assertSeen(
            {
                "103": [*dialled("103", "makeCall"), ("failed", "103", "fail", "doNotDisturb")],
                "104": [],
            }
        )
        self.assertEqual(self.value(seen, "103", "failed")["failingDevice"], subject("104"))
        self.assertState([[("103", "fail")]], {"104": "idle"})
        self.incoming("+4930999", "104")
        self.assertSeen(
            {
                "104": [],
                T1: [
                    ("failed", T1, "fail", "doNotDisturb"),
                    ("connectionCleared", T1, "null", "normalClearing"),
                ],
            }
        )
        self.person("103", "onhook")
        self.take()
        self.request("setDoNotDisturb", {"device": device_of("104"), "doNotDisturbOn": False})
        self.assertSeen({"104": [("doNotDisturb", "104", None, None)]})
        self.person("103", "dial", digits="104")
        self.assertState([[("103", "connected"), ("104", "alerting")]])


class SuperTwinTests(WireFlowCase):
    parties = ("101", TWIN, "103", T1)

    def test_both_ring_and_the_portable_answers_under_its_device_number(self) -> None:
        call = self.incoming("+4930123456", "101")
        ringing: list[Brief] = [
            ("delivered", "101", "alerting", "newCall"),
            ("delivered", TWIN, "alerting", "newCall"),
        ]
        seen = self.assertSeen(
            {
                "101": ringing,
                TWIN: ringing,
                T1: [
                    ("delivered", "101", "connected", "newCall"),
                    ("delivered", TWIN, "connected", "newCall"),
                ],
            }
        )
        self.assertEqual(self.value(seen, TWIN, "delivered", 1)["alertingDevice"], subject(TWIN))
        self.assertEqual(self.value(seen, TWIN, "delivered", 1)["calledDevice"], subject("101"))
        self.assertState(
            [[(T1, "connected"), ("101", "alerting"), (TWIN, "alerting")]],
            {"101": "alerting", TWIN: "alerting"},
        )
        self.request("answerCall", {"callToBeAnswered": conn(call, TWIN)})
        seen = self.assertSeen(twin_answers(T1, "101", TWIN))
        self.assertEqual(self.value(seen, T1, "established")["answeringDevice"], subject(TWIN))
        self.assertState([[(T1, "connected"), (TWIN, "connected")]], {"101": "idle"})
        self.person(TWIN, "onhook")
        self.assertSeen(cleared(TWIN, T1))
        self.assertState([], {"101": "idle", TWIN: "idle"})

    def test_the_portable_rings_alone_while_the_desk_phone_is_busy(self) -> None:
        self.person("101", "dial", digits="103")
        self.person("103", "answer")
        self.take()
        self.incoming("+4930123456", "101")
        self.assertSeen(
            {
                "101": [],
                TWIN: [("delivered", TWIN, "alerting", "newCall")],
                T1: [("delivered", TWIN, "connected", "newCall")],
            }
        )
        self.assertState(
            [[("101", "connected"), ("103", "connected")], [(T1, "connected"), (TWIN, "alerting")]]
        )


class SmallPlanTests(WireFlowCase):
    """A plan given in the configuration rather than the default office."""

    parties = ("201", "202")
    config = SimConfig(
        plan=SwitchPlan.from_dict(
            {
                "extension_range": ["200", "299"],
                "trunk_access_code": "9",
                "devices": [
                    {"kind": "station", "number": "201"},
                    {"kind": "sip", "number": "202"},
                    {"kind": "trunk", "number": "1"},
                ],
            }
        )
    )

    def test_sip_extension_called_by_a_desk_phone(self) -> None:
        self.person("201", "dial", digits="202")
        self.assertSeen(rings("201", "202", *dialled("201")))
        self.assertState([[("201", "connected"), ("202", "alerting")]])


def entry_tags(entries: list[dict[str, Any]]) -> list[list[str]]:
    """The identifier octets of each ConnectionList entry's components as ecsta puts them on
    the wire (it re-encodes every PDU the simulator sends to the same bytes), with the first
    octet inside newConnection's explicit tag."""
    encoded = values.encode(ConnectionList, entries)
    start, stop = read_tlv(encoded, 0, len(encoded))
    out = []
    while start < stop:
        pos, entry_stop = read_tlv(encoded, start, stop)
        tags = []
        while pos < entry_stop:
            inner, after = read_tlv(encoded, pos, entry_stop)
            tags.append(f"{encoded[pos]:02x}")
            if encoded[pos] == 0xA0:
                tags.append(f"{encoded[inner]:02x}")
            pos = after
        out.append(tags)
        start = entry_stop
    return out


class PanasonicConnectionListTests(FlowCase):
    """Transferred and Conferenced as Panasonic applications decode them: each entry of the
    connection list is newConnection [0] (explicit, holding the [APPLICATION 11] ConnectionID)
    and associatedNID [3], and nothing else."""

    def joined(self, operation: str, event: str, field: str, parties: list[str]) -> None:
        """An outside caller on CO line 1 talks to 103, who consults 104 and joins the calls
        with ``operation``: the monitors of 103, 104 and the CO line each see ``event`` with
        ``field`` listing ``parties`` in the call that remains, in Panasonic's shape."""
        first = self.incoming("+4930123456", "103")
        self.request("answerCall", {"callToBeAnswered": conn(first, "103")})
        result = self.request(
            "consultationCall",
            {"existingCall": conn(first, "103"), "consultedDevice": device_of("104")},
        )
        second = bytes(result["initiatedCall"][1]["callID"])
        self.request("answerCall", {"callToBeAnswered": conn(second, "104")})
        self.take()
        self.request(operation, {"heldCall": conn(first, "103"), "activeCall": conn(second, "103")})
        lists = [v[field] for who, n, v in self.take() if n == event]
        self.assertEqual(len(lists), 3)
        for entries in lists:
            self.assertEqual(entries, panasonic_list(first, parties))
            self.assertEqual(entry_tags(entries), [["a0", "6b", "a3"]] * len(parties))

    def test_transfer_of_an_outside_caller(self) -> None:
        self.joined("transferCall", "transferred", "transferredConnections", [T1, "104"])
        self.assertState([[(T1, "connected"), ("104", "connected")]], {"103": "idle"})

    def test_conference_with_an_outside_caller(self) -> None:
        self.joined("conferenceCall", "conferenced", "conferenceConnections", [T1, "103", "104"])
        self.assertState([[(T1, "connected"), ("103", "connected"), ("104", "connected")]])
