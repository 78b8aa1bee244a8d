"""Scripted basic call flows on the switch model: who sees which event, and what is left.

Each test drives the switch the way a person or an application would and asserts the complete
event sequence at every party's monitor, as (event, device of its first field, the monitored
device's own state, cause), then the calls that remain.
"""

from dataclasses import replace
from typing import Any

from ecsta.sim.plan import ExternalBehaviour, ExternalMode, SwitchPlan
from ecsta.sim.services import CstaServices
from ecsta.sim.switch import Switch
from tests.sim_helpers import Brief, SwitchCase, cleared, conn, dialled, dn, dnum, rings, rings_out

TRUNK1 = "#01310000"


def holds(holder: str, other: str) -> dict[str, list[Brief]]:
    """What both parties of a call see when ``holder`` puts it on hold."""
    return {
        holder: [("held", holder, "hold", "normal")],
        other: [("held", holder, "connected", "normal")],
    }


def retrieves(holder: str, other: str) -> dict[str, list[Brief]]:
    """What both parties of a held call see when ``holder`` takes it back."""
    return {party: [("retrieved", holder, "connected", "normal")] for party in (holder, other)}


class InternalCallTests(SwitchCase):
    def test_manual_call_answered_and_cleared(self) -> None:
        self.switch.offhook("103")
        self.switch.dial("103", "10")
        events = self.take()
        self.assertSeen(events, {"103": [("serviceInitiated", "103", "initiated", "newCall")]})
        self.switch.dial("103", "4")
        events = self.take()
        self.assertSeen(events, rings("103", "104", ("originated", "103", "connected", "newCall")))
        cid = self.call_id("103")
        delivered = next(e for e in events if e.device is self.dev("104"))
        self.assertEqual(
            delivered.value,
            {
                "connection": conn(cid, dn("104")),
                "alertingDevice": ("deviceIdentifier", dn("104")),
                "callingDevice": ("deviceIdentifier", dn("103")),
                "calledDevice": ("deviceIdentifier", dn("104")),
                "lastRedirectionDevice": ("notRequired", None),
                "localConnectionInfo": "alerting",
                "cause": "newCall",
            },
        )
        self.assertEqual(self.states(), [[("103", "connected"), ("104", "alerting")]])

        self.switch.answer("104")
        events = self.take()
        established = ("established", "104", "connected", "newCall")
        self.assertSeen(events, {"103": [established], "104": [established]})
        self.assertEqual(self.states(), [[("103", "connected"), ("104", "connected")]])

        self.switch.onhook("103")
        self.assertSeen(self.take(), cleared("103", "104"))
        self.assertEqual(self.states(), [])

    def test_make_call_answered_and_cleared_by_services(self) -> None:
        result = self.services.make_call(
            {"callingDevice": dn("103"), "calledDirectoryNumber": dn("105")}
        )
        cid = self.call_id("103")
        self.assertEqual(result, {"callingDevice": conn(cid, dn("103"))})
        self.assertSeen(self.take(), rings("103", "105", *dialled("103", "makeCall")))
        answered = self.services.answer_call({"callToBeAnswered": conn(cid, dn("105"))})
        self.assertEqual(answered, ("noData", None))
        established = ("established", "105", "connected", "newCall")
        self.assertSeen(self.take(), {"103": [established], "105": [established]})

        self.services.clear_connection({"connectionToBeCleared": conn(cid, dn("105"))})
        self.assertSeen(self.take(), cleared("105", "103"))
        self.assertEqual(self.states(), [])

    def test_busy_called_device_fails_the_call(self) -> None:
        self.switch.dial("108", "109")
        self.switch.answer("109")
        self.take()
        self.switch.dial("110", "108")
        events = self.take()
        self.assertSeen(
            events,
            {
                "110": [*dialled("110"), ("failed", "110", "fail", "busy")],
                "108": [],
                "109": [],
            },
        )
        failed = events[-1].value
        self.assertEqual(failed["failingDevice"], ("deviceIdentifier", dn("108")))
        self.assertEqual(failed["calledDevice"], ("deviceIdentifier", dn("108")))
        self.assertEqual(
            self.states(),
            [[("108", "connected"), ("109", "connected")], [("110", "fail")]],
        )
        self.switch.onhook("110")
        self.assertSeen(
            self.take(), {"110": [("connectionCleared", "110", "null", "normalClearing")]}
        )
        self.assertEqual(self.states(), [[("108", "connected"), ("109", "connected")]])

    def test_unanswered_call_is_given_up_after_the_ring_timeout(self) -> None:
        self.switch.dial("111", "112")
        self.take()
        self.assertEqual(self.switch.next_deadline(), 60.0)
        self.switch.advance(59.5)
        self.assertEqual(self.take(), [])
        self.switch.advance(60.0)
        self.assertSeen(self.take(), cleared("112", "111", "callNotAnswered"))
        self.assertEqual(self.states(), [])
        self.assertIsNone(self.switch.next_deadline())

    def test_caller_giving_up_stops_the_ringing(self) -> None:
        self.switch.dial("111", "112")
        self.take()
        self.switch.onhook("111")
        self.assertSeen(
            self.take(),
            {
                "111": [("connectionCleared", "111", "null", "normalClearing")],
                "112": [
                    ("connectionCleared", "111", "alerting", "normalClearing"),
                    ("connectionCleared", "112", "null", "callCancelled"),
                ],
            },
        )
        self.assertEqual(self.states(), [])

    def test_unknown_number_fails_with_dest_not_obtainable(self) -> None:
        self.switch.dial("103", "199")
        events = self.take()
        self.assertSeen(
            events,
            {"103": [*dialled("103"), ("failed", "103", "fail", "destNotObtainable")]},
        )
        self.assertEqual(events[-1].value["failingDevice"], ("deviceIdentifier", dn("199")))

    def test_clear_call_reports_call_cleared_to_every_party(self) -> None:
        self.switch.dial("103", "104")
        self.switch.answer("104")
        cid = self.call_id("103")
        self.take()
        self.services.clear_call({"callToBeCleared": ("callID", cid)})
        events = self.take()
        self.assertSeen(
            events,
            {
                "103": [("callCleared", "103", None, "normalClearing")],
                "104": [("callCleared", "104", None, "normalClearing")],
            },
        )
        self.assertEqual(self.states(), [])


class DialDigitsTests(SwitchCase):
    """DialDigits: an application dials for a phone whose handset is off hook."""

    def dial_digits(self, cid: bytes, key: str, digits: Any) -> Any:
        sequence = digits if isinstance(digits, dict) else dn(digits)
        return self.services.invoke(
            "dialDigits",
            {"diallingConnection": conn(cid, dn(key)), "diallingSequence": sequence},
        )

    def test_the_call_proceeds_as_a_manual_call_once_the_number_is_complete(self) -> None:
        self.switch.offhook("103")
        cid = self.call_id("103")
        self.assertSeen(self.take(), {"103": [("serviceInitiated", "103", "initiated", "newCall")]})
        self.assertEqual(self.dial_digits(cid, "103", "10"), ("noData", None))
        self.assertEqual(self.take(), [])
        self.assertEqual(self.states(), [[("103", "initiated")]])
        self.dial_digits(cid, "103", "4")
        events = self.take()
        self.assertSeen(events, rings("103", "104", ("originated", "103", "connected", "newCall")))
        originated = events[0].value
        self.assertEqual(originated["originatedConnection"], conn(cid, dn("103")))
        self.assertEqual(originated["calledDevice"], ("deviceIdentifier", dn("104")))
        self.assertEqual(self.states(), [[("103", "connected"), ("104", "alerting")]])
        self.switch.answer("104")
        self.assertEqual(self.states(), [[("103", "connected"), ("104", "connected")]])

    def test_an_outside_number_seizes_a_trunk(self) -> None:
        self.switch.offhook("105")
        cid = self.call_id("105")
        self.take()
        self.dial_digits(cid, "105", "0301234")
        self.assertSeen(
            self.take(), rings_out("105", TRUNK1, ("originated", "105", "connected", "newCall"))
        )

    def test_digits_on_the_dial_tone_of_a_consultation(self) -> None:
        self.switch.dial("103", "104")
        self.switch.answer("104")
        self.switch.hold("103")
        self.switch.offhook("103")
        consultation, _ = self.switch.connections_of(self.dev("103"))[-1]
        self.take()
        self.dial_digits(consultation.call_id, "103", "105")
        self.assertSeen(
            self.take(), rings("103", "105", ("originated", "103", "connected", "newCall"))
        )
        self.assertEqual(
            self.states(),
            [[("103", "hold"), ("104", "connected")], [("103", "connected"), ("105", "alerting")]],
        )

    def test_refused_where_no_dial_tone_is_and_for_what_is_not_digits(self) -> None:
        self.switch.offhook("106")
        dialling = self.call_id("106")
        self.switch.dial("103", "104")
        cid = self.call_id("103")
        self.take()
        dial = self.dial_digits
        self.assertFailure("stateIncompatibility", "invalidConnectionState", dial, cid, "103", "5")
        self.assertFailure("stateIncompatibility", "invalidConnectionState", dial, cid, "104", "5")
        self.assertFailure("operation", "invalidParameterValue", dial, dialling, "106", "10a")
        self.assertFailure("operation", "invalidParameterValue", dial, dialling, "106", "")
        self.assertFailure(
            "operation", "invalidParameterValue", dial, dialling, "106", dnum(0x01110003)
        )
        self.assertFailure("operation", "invalidConnectionID", dial, cid, "106", "104")
        self.assertFailure("operation", "invalidCallID", dial, b"\x7f\x7f", "106", "104")
        self.assertEqual(self.take(), [])
        self.assertEqual(
            self.states(), [[("106", "initiated")], [("103", "connected"), ("104", "alerting")]]
        )

    def test_a_make_call_waiting_for_its_prompt_takes_no_digits(self) -> None:
        self.switch = Switch(replace(SwitchPlan.default(), make_call_prompts=True))
        self.services = CstaServices(self.switch)
        made = self.services.make_call(
            {
                "callingDevice": dn("103"),
                "calledDirectoryNumber": dn("104"),
                "autoOriginate": "prompt",
            }
        )
        cid = made["callingDevice"][1]["callID"]
        self.take()
        self.assertFailure(
            "stateIncompatibility", "invalidConnectionState", self.dial_digits, cid, "103", "105"
        )
        self.assertEqual(self.states(), [[("103", "initiated")]])


class HoldTests(SwitchCase):
    def setUp(self) -> None:
        super().setUp()
        self.switch.dial("103", "104")
        self.switch.answer("104")
        self.cid = self.call_id("103")
        self.take()

    def test_person_holds_and_retrieves(self) -> None:
        self.switch.hold("103")
        self.assertSeen(self.take(), holds("103", "104"))
        self.assertEqual(self.states(), [[("103", "hold"), ("104", "connected")]])
        self.switch.retrieve("103")
        self.assertSeen(self.take(), retrieves("103", "104"))
        self.assertEqual(self.states(), [[("103", "connected"), ("104", "connected")]])

    def test_hold_and_retrieve_services(self) -> None:
        held = self.services.hold_call({"callToBeHeld": conn(self.cid, dn("104"))})
        self.assertEqual(held, ("noData", None))
        self.assertSeen(self.take(), holds("104", "103"))
        self.services.retrieve_call({"callToBeRetrieved": conn(self.cid, dn("104"))})
        self.assertSeen(self.take(), retrieves("104", "103"))

    def test_held_party_hanging_up_ends_the_call(self) -> None:
        self.switch.hold("103")
        self.take()
        self.switch.onhook("104")
        self.assertSeen(
            self.take(),
            {
                "103": [
                    ("connectionCleared", "104", "hold", "normalClearing"),
                    ("connectionCleared", "103", "null", "normalClearing"),
                ],
                "104": [("connectionCleared", "104", "null", "normalClearing")],
            },
        )
        self.assertEqual(self.states(), [])


class OutsideCallTests(SwitchCase):
    def test_dialled_outside_call_rings_and_is_answered_after_its_delay(self) -> None:
        self.switch.set_external("301234567", ExternalBehaviour(ExternalMode.ANSWER, 4.0))
        self.switch.dial("105", "0")
        self.assertSeen(self.take(), {"105": [("serviceInitiated", "105", "initiated", "newCall")]})
        self.switch.dial("105", "301234567")
        events = self.take()
        self.assertSeen(
            events, rings_out("105", TRUNK1, ("originated", "105", "connected", "newCall"))
        )
        outside = ("deviceIdentifier", dn("301234567"))
        self.assertEqual(events[0].value["calledDevice"], outside)
        self.assertEqual(events[1].value["networkInterfaceUsed"][0], "deviceIdentifier")
        self.assertEqual(events[-1].value["alertingDevice"], outside)
        self.assertEqual(self.states(), [[("105", "connected"), (TRUNK1, "alerting")]])

        self.assertEqual(self.switch.next_deadline(), 4.0)
        self.switch.advance(3.9)
        self.assertEqual(self.take(), [])
        self.switch.advance(4.0)
        events = self.take()
        established = ("established", TRUNK1, "connected", "newCall")
        self.assertSeen(events, {"105": [established], TRUNK1: [established]})
        self.assertEqual(events[0].value["answeringDevice"], outside)
        self.assertEqual(self.states(), [[("105", "connected"), (TRUNK1, "connected")]])

        self.switch.outside_hangs_up("301234567")
        self.assertSeen(self.take(), cleared(TRUNK1, "105"))

    def test_make_call_outside_takes_the_next_free_trunk(self) -> None:
        self.switch.dial("105", "0301111")
        self.take()
        result = self.services.make_call(
            {"callingDevice": dn("106"), "calledDirectoryNumber": dn("0302222")}
        )
        cid = self.call_id("106")
        self.assertEqual(result, {"callingDevice": conn(cid, dn("106"))})
        self.assertSeen(self.take(), rings_out("106", "#01310001", *dialled("106", "makeCall")))
        self.switch.advance(5.0)  # the default outside party answers after 5 s
        self.assertEqual(
            self.states(),
            [
                [("105", "connected"), (TRUNK1, "connected")],
                [("106", "connected"), ("#01310001", "connected")],
            ],
        )

    def test_outside_busy_fails_and_releases_the_trunk(self) -> None:
        self.switch.set_external("555", ExternalBehaviour(ExternalMode.BUSY))
        self.switch.dial("105", "0555")
        self.assertSeen(
            self.take(),
            {
                "105": [
                    *dialled("105"),
                    ("networkReached", TRUNK1, "connected", "newCall"),
                    ("failed", "105", "fail", "busy"),
                    ("connectionCleared", TRUNK1, "fail", "normalClearing"),
                ],
                TRUNK1: [
                    ("networkReached", TRUNK1, "initiated", "newCall"),
                    ("failed", "105", "initiated", "busy"),
                    ("connectionCleared", TRUNK1, "null", "normalClearing"),
                ],
            },
        )
        self.assertEqual(self.states(), [[("105", "fail")]])

    def test_outside_no_answer_rings_until_the_timeout(self) -> None:
        self.switch.set_external("556", ExternalBehaviour(ExternalMode.NO_ANSWER))
        self.switch.dial("105", "0556")
        self.take()
        self.switch.advance(60.0)
        self.assertSeen(self.take(), cleared(TRUNK1, "105", "callNotAnswered"))

    def test_all_trunks_busy(self) -> None:
        for caller in ("105", "106", "107", "108"):
            self.switch.dial(caller, "0301")
        self.take()
        self.switch.dial("109", "0302")
        self.assertSeen(
            self.take(),
            {"109": [*dialled("109"), ("failed", "109", "fail", "trunksBusy")]},
        )

    def test_incoming_outside_call_answered_and_cleared(self) -> None:
        cid = self.switch.incoming("+4930123456", "107")
        events = self.take()
        self.assertSeen(
            events,
            {
                "107": [("delivered", "107", "alerting", "newCall")],
                TRUNK1: [("delivered", "107", "connected", "newCall")],
            },
        )
        self.assertEqual(events[0].value["callingDevice"], ("deviceIdentifier", dn("+4930123456")))
        self.assertEqual(events[0].value["connection"], conn(cid, dn("107")))
        self.assertEqual(self.states(), [[(TRUNK1, "connected"), ("107", "alerting")]])
        self.switch.offhook("107")
        established = ("established", "107", "connected", "newCall")
        self.assertSeen(self.take(), {"107": [established], TRUNK1: [established]})
        self.switch.onhook("107")
        self.assertSeen(self.take(), cleared("107", TRUNK1))
        self.assertEqual(self.states(), [])

    def test_incoming_call_without_caller_number(self) -> None:
        self.switch.incoming("", "107")
        events = self.take()
        self.assertEqual(events[0].value["callingDevice"], ("notKnown", None))

    def test_incoming_call_to_busy_extension_is_refused(self) -> None:
        self.switch.dial("107", "108")
        self.take()
        self.switch.incoming("+4930123456", "107")
        self.assertSeen(
            self.take(),
            {
                "107": [],
                TRUNK1: [
                    ("failed", TRUNK1, "fail", "busy"),
                    ("connectionCleared", TRUNK1, "null", "normalClearing"),
                ],
            },
        )
        self.assertEqual(self.states(), [[("107", "connected"), ("108", "alerting")]])
