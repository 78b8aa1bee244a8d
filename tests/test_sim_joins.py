"""Scripted flows that move parties between calls: consultation, alternate, reconnect,
transfer, conference, single-step transfer, deflect, pickup, call back, intrusion."""

from typing import Any

from tests.sim_helpers import SwitchCase, alternates, conn, consults, dn, reconnects

TWIN = "#01210000"  # the Super-Twin portable of 101


def subject_of(number: str) -> tuple[str, Any]:
    return ("deviceIdentifier", dn(number))


class ConsultationTests(SwitchCase):
    """103 talks to 104 (call c1), holds it and consults 105 (call c2)."""

    def setUp(self) -> None:
        super().setUp()
        self.switch.dial("103", "104")
        self.switch.answer("104")
        self.c1 = self.call_id("104")
        self.take()

    def consult(self, answer: bool = True) -> bytes:
        result = self.services.consultation_call(
            {"existingCall": conn(self.c1, dn("103")), "consultedDevice": dn("105")}
        )
        c2: bytes = result["initiatedCall"][1]["callID"]
        self.assertEqual(result, {"initiatedCall": conn(c2, dn("103"))})
        self.assertNotEqual(c2, self.c1)
        if answer:
            self.take()
            self.switch.answer("105")
        return c2

    def test_consultation_holds_and_calls(self) -> None:
        self.consult(answer=False)
        self.assertSeen(self.take(), consults("103", "104", "105"))
        self.assertEqual(
            self.states(),
            [[("103", "hold"), ("104", "connected")], [("103", "connected"), ("105", "alerting")]],
        )

    def test_transfer_after_consultation(self) -> None:
        c2 = self.consult()
        self.take()
        result = self.services.transfer_call(
            {"heldCall": conn(self.c1, dn("103")), "activeCall": conn(c2, dn("103"))}
        )
        self.assertEqual(result, {"transferredCall": ("callID", self.c1)})
        events = self.take()
        self.assertSeen(
            events,
            {
                "103": [("transferred", "103", "null", "transfer")],
                "104": [("transferred", "103", "connected", "transfer")],
                "105": [("transferred", "103", "connected", "transfer")],
            },
        )
        value = events[0].value
        self.assertEqual(value["secondaryOldCall"], conn(c2, dn("103")))
        self.assertEqual(value["transferringDevice"], subject_of("103"))
        self.assertEqual(value["transferredToDevice"], subject_of("105"))
        self.assertEqual(
            value["transferredConnections"],
            [
                {"newConnection": conn(self.c1, dn("104")), "associatedNID": ("notKnown", None)},
                {"newConnection": conn(self.c1, dn("105")), "associatedNID": ("notKnown", None)},
            ],
        )
        self.assertEqual(self.states(), [[("104", "connected"), ("105", "connected")]])
        self.assertEqual(self.call_id("105"), self.c1)

    def test_transfer_before_the_consulted_party_answers(self) -> None:
        c2 = self.consult(answer=False)
        self.take()
        self.services.transfer_call(
            {"heldCall": conn(self.c1, dn("103")), "activeCall": conn(c2, dn("103"))}
        )
        self.take()
        self.assertEqual(self.states(), [[("104", "connected"), ("105", "alerting")]])
        self.switch.answer("105")
        events = self.take()
        self.assertSeen(
            events,
            {
                "104": [("established", "105", "connected", "transfer")],
                "105": [("established", "105", "connected", "transfer")],
            },
        )
        self.assertEqual(events[0].value["callingDevice"], subject_of("104"))

    def test_hanging_up_during_consultation_transfers(self) -> None:
        self.switch.hold("103")
        self.switch.dial("103", "105")
        self.switch.answer("105")
        self.take()
        self.switch.onhook("103")
        self.assertSeen(
            self.take(),
            {
                "103": [("transferred", "103", "null", "transfer")],
                "104": [("transferred", "103", "connected", "transfer")],
                "105": [("transferred", "103", "connected", "transfer")],
            },
        )
        self.assertEqual(self.states(), [[("104", "connected"), ("105", "connected")]])

    def test_alternate_swaps_held_and_active(self) -> None:
        c2 = self.consult()
        self.take()
        self.services.alternate_call(
            {"heldCall": conn(self.c1, dn("103")), "activeCall": conn(c2, dn("103"))}
        )
        self.assertSeen(self.take(), alternates("103", "104", "105"))
        self.assertEqual(
            self.states(),
            [[("103", "connected"), ("104", "connected")], [("103", "hold"), ("105", "connected")]],
        )

    def test_reconnect_ends_the_consultation(self) -> None:
        c2 = self.consult()
        self.take()
        self.services.reconnect_call(
            {"heldCall": conn(self.c1, dn("103")), "activeCall": conn(c2, dn("103"))}
        )
        self.assertSeen(self.take(), reconnects("103", "104", "105"))
        self.assertEqual(self.states(), [[("103", "connected"), ("104", "connected")]])

    def test_three_party_conference_and_one_leaving(self) -> None:
        c2 = self.consult()
        self.take()
        result = self.services.conference_call(
            {"heldCall": conn(self.c1, dn("103")), "activeCall": conn(c2, dn("103"))}
        )
        self.assertEqual(result, {"conferenceCall": conn(self.c1, dn("103"))})
        events = self.take()
        conferenced = ("conferenced", "103", "connected", "conference")
        self.assertSeen(events, {"103": [conferenced], "104": [conferenced], "105": [conferenced]})
        value = events[0].value
        self.assertEqual(value["addedParty"], subject_of("105"))
        self.assertEqual(
            value["conferenceConnections"],
            [
                {"newConnection": conn(self.c1, dn(n)), "associatedNID": ("notKnown", None)}
                for n in ("103", "104", "105")
            ],
        )
        self.assertEqual(
            self.states(), [[("103", "connected"), ("104", "connected"), ("105", "connected")]]
        )

        self.switch.onhook("104")
        self.assertSeen(
            self.take(),
            {
                "103": [("connectionCleared", "104", "connected", "normalClearing")],
                "104": [("connectionCleared", "104", "null", "normalClearing")],
                "105": [("connectionCleared", "104", "connected", "normalClearing")],
            },
        )
        self.assertEqual(self.states(), [[("103", "connected"), ("105", "connected")]])

    def test_single_step_transfer(self) -> None:
        result = self.services.single_step_transfer(
            {"activeCall": conn(self.c1, dn("103")), "transferredTo": dn("105")}
        )
        self.assertEqual(result, {"transferredCall": ("callID", self.c1)})
        events = self.take()
        self.assertSeen(
            events,
            {
                "103": [("transferred", "103", "null", "singleStepTransfer")],
                "104": [
                    ("transferred", "103", "connected", "singleStepTransfer"),
                    ("delivered", "105", "connected", "singleStepTransfer"),
                ],
                "105": [("delivered", "105", "alerting", "singleStepTransfer")],
            },
        )
        delivered = events[-1].value
        self.assertEqual(delivered["callingDevice"], subject_of("104"))
        self.assertEqual(delivered["calledDevice"], subject_of("105"))
        self.assertEqual(self.states(), [[("104", "connected"), ("105", "alerting")]])


class RingingCallTests(SwitchCase):
    """103 calls 104, which rings."""

    def setUp(self) -> None:
        super().setUp()
        self.switch.dial("103", "104")
        self.cid = self.call_id("104")
        self.take()

    def test_deflect(self) -> None:
        self.services.deflect_call(
            {"callToBeDiverted": conn(self.cid, dn("104")), "newDestination": dn("105")}
        )
        events = self.take()
        self.assertSeen(
            events,
            {
                "103": [
                    ("diverted", "104", "connected", "redirected"),
                    ("delivered", "105", "connected", "redirected"),
                ],
                "104": [("diverted", "104", "null", "redirected")],
                "105": [("delivered", "105", "alerting", "redirected")],
            },
        )
        self.assertEqual(events[0].value["newDestination"], subject_of("105"))
        delivered = events[-1].value
        self.assertEqual(delivered["lastRedirectionDevice"], ("numberdialed", dn("104")))
        self.assertEqual(delivered["calledDevice"], subject_of("104"))
        self.assertEqual(self.states(), [[("103", "connected"), ("105", "alerting")]])

    def test_directed_pickup(self) -> None:
        result = self.services.directed_pickup_call(
            {"callToBePickedUp": conn(self.cid, dn("104")), "requestingDevice": dn("105")}
        )
        self.assertEqual(result, {"pickedCall": conn(self.cid, dn("105"))})
        self.assert_picked_up_by("105")

    def test_group_pickup(self) -> None:
        result = self.services.group_pickup_call({"newDestination": dn("106")})
        self.assertEqual(result, {"pickedCall": conn(self.cid, dn("106"))})
        self.assert_picked_up_by("106")

    def test_group_pickup_outside_the_group_finds_nothing(self) -> None:
        self.assertFailure(
            "stateIncompatibility",
            "noCallToAnswer",
            self.services.group_pickup_call,
            {"newDestination": dn("111")},
        )
        self.assertEqual(self.states(), [[("103", "connected"), ("104", "alerting")]])

    def assert_picked_up_by(self, picker: str) -> None:
        events = self.take()
        self.assertSeen(
            events,
            {
                "103": [
                    ("diverted", "104", "connected", "callPickup"),
                    ("established", picker, "connected", "callPickup"),
                ],
                "104": [("diverted", "104", "null", "callPickup")],
                picker: [("established", picker, "connected", "callPickup")],
            },
        )
        self.assertEqual(events[-1].value["lastRedirectionDevice"], ("numberdialed", dn("104")))
        self.assertEqual(self.states(), [[("103", "connected"), (picker, "connected")]])


class BusyTargetTests(SwitchCase):
    """108 talks to 109; 110 calls 108 and meets busy."""

    def setUp(self) -> None:
        super().setUp()
        self.switch.dial("108", "109")
        self.switch.answer("109")
        self.talking = self.call_id("109")
        self.switch.dial("110", "108")
        self.failed = self.call_id("110")
        self.take()

    def test_call_back_on_busy(self) -> None:
        result = self.services.call_back({"callbackConnection": conn(self.failed, dn("110"))})
        self.assertEqual(result, {"targetDevice": dn("108")})
        events = self.take()
        self.assertSeen(
            events,
            {
                "110": [
                    ("callBack", "110", None, None),
                    ("connectionCleared", "110", "null", "normalClearing"),
                ],
                "108": [("callBack", "110", None, None)],
            },
        )
        self.assertEqual(
            events[0].value,
            {
                "originatingDevice": subject_of("110"),
                "targetDevice": subject_of("108"),
                "callBackSetCanceled": False,
            },
        )
        self.switch.onhook("108")
        self.take()
        self.assertEqual(self.switch.next_deadline(), 2.0)
        self.switch.advance(2.0)
        events = self.take()
        self.assertSeen(
            events,
            {
                "110": [
                    ("callBack", "110", None, None),
                    ("delivered", "110", "alerting", "callBack"),
                ],
                "108": [("callBack", "110", None, None)],
            },
        )
        self.assertTrue(events[0].value["callBackSetCanceled"])
        self.assertEqual(events[-1].value["callingDevice"], subject_of("108"))

        self.switch.answer("110")
        events = self.take()
        self.assertSeen(
            events,
            {
                "110": [
                    ("established", "110", "connected", "callBack"),
                    ("delivered", "108", "connected", "callBack"),
                ],
                "108": [("delivered", "108", "alerting", "callBack")],
            },
        )
        self.assertEqual(events[-1].value["callingDevice"], subject_of("110"))
        self.switch.answer("108")
        self.take()
        self.assertEqual(self.states(), [[("110", "connected"), ("108", "connected")]])

    def test_call_back_waits_while_the_target_stays_busy(self) -> None:
        self.services.call_back({"callbackConnection": conn(self.failed, dn("110"))})
        self.take()
        self.switch.advance(100.0)
        self.assertEqual(self.take(), [])
        self.assertIsNone(self.switch.next_deadline())

    def test_intrude(self) -> None:
        result = self.services.intrude_call({"intrude": conn(self.failed, dn("110"))})
        self.assertEqual(result, {"conferencedCall": conn(self.talking, dn("110"))})
        events = self.take()
        conferenced = ("conferenced", "108", "connected", "intrude")
        self.assertSeen(events, {"108": [conferenced], "109": [conferenced], "110": [conferenced]})
        value = events[0].value
        self.assertEqual(value["secondaryOldCall"], conn(self.failed, dn("110")))
        self.assertEqual(value["addedParty"], subject_of("110"))
        self.assertEqual(
            self.states(), [[("108", "connected"), ("109", "connected"), ("110", "connected")]]
        )


class DigitsTests(SwitchCase):
    def test_generate_digits_on_a_connected_call(self) -> None:
        self.switch.dial("103", "104")
        self.switch.answer("104")
        cid = self.call_id("103")
        self.take()
        result = self.services.generate_digits(
            {"connectionToSendDigits": conn(cid, dn("103")), "charactersToSend": "12#"}
        )
        self.assertEqual(result, ("noData", None))
        events = self.take()
        generated = ("digitsGeneratedEvent", "103", None, None)
        self.assertSeen(events, {"103": [generated], "104": [generated]})
        self.assertEqual(
            events[0].value, {"connection": conn(cid, dn("103")), "digitGeneratedList": "12#"}
        )
        self.assertEqual(self.states(), [[("103", "connected"), ("104", "connected")]])


class FailureWhileOthersStayTests(SwitchCase):
    """A call that fails to reach a new destination leaves everyone else as they were."""

    def test_deflection_to_a_busy_phone_while_the_caller_holds_the_call(self) -> None:
        self.switch.dial("106", "107")
        self.switch.answer("107")
        self.switch.dial("103", "104")
        self.services.hold_call({"callToBeHeld": conn(self.call_id("104"), dn("103"))})
        self.switch.dial("103", "105")  # a second call while the first still rings at 104
        ringing = self.switch.connections_of(self.dev("104"))[0][0]
        self.take()
        self.services.deflect_call(
            {"callToBeDiverted": conn(ringing.call_id, dn("104")), "newDestination": dn("106")}
        )
        self.assertSeen(
            self.take(),
            {
                "103": [
                    ("diverted", "104", "hold", "redirected"),
                    ("failed", "103", "hold", "busy"),
                    ("connectionCleared", "103", "null", "normalClearing"),
                ],
                "104": [("diverted", "104", "null", "redirected")],
                "105": [],
                "106": [],
            },
        )
        # 103 is off hook in one call only: the consultation, still ringing at 105.
        self.assertEqual(
            self.states(),
            [
                [("106", "connected"), ("107", "connected")],
                [("103", "connected"), ("105", "alerting")],
            ],
        )

    def test_single_step_transfer_out_of_a_conference_to_a_busy_phone(self) -> None:
        self.switch.dial("106", "107")
        self.switch.answer("107")
        self.switch.dial("103", "104")
        self.switch.answer("104")
        first = self.call_id("104")
        second = self.services.consultation_call(
            {"existingCall": conn(first, dn("103")), "consultedDevice": dn("105")}
        )["initiatedCall"][1]["callID"]
        self.switch.answer("105")
        self.services.conference_call(
            {"heldCall": conn(first, dn("103")), "activeCall": conn(second, dn("103"))}
        )
        self.take()
        self.services.single_step_transfer(
            {"activeCall": conn(first, dn("105")), "transferredTo": dn("106")}
        )
        transferred = ("transferred", "105", "connected", "singleStepTransfer")
        failed = ("failed", "103", "connected", "busy")
        self.assertSeen(
            self.take(),
            {
                "103": [transferred, failed],
                "104": [transferred, failed],
                "105": [("transferred", "105", "null", "singleStepTransfer")],
                "106": [],
            },
        )
        self.assertEqual(
            self.states(),
            [
                [("106", "connected"), ("107", "connected")],
                [("103", "connected"), ("104", "connected")],
            ],
        )

    def test_call_back_recall_deflected_to_a_super_twin_and_answered_by_the_portable(
        self,
    ) -> None:
        self.switch.dial("108", "109")
        self.switch.answer("109")
        self.switch.dial("110", "108")
        self.services.call_back({"callbackConnection": conn(self.call_id("110"), dn("110"))})
        self.switch.onhook("108")
        self.switch.advance(2.0)
        recall = self.call_id("110")
        self.take()
        self.services.deflect_call(
            {"callToBeDiverted": conn(recall, dn("110")), "newDestination": dn("101")}
        )
        ringing = [
            ("delivered", "101", "alerting", "redirected"),
            ("delivered", TWIN, "alerting", "redirected"),
        ]
        self.assertSeen(
            self.take(),
            {"110": [("diverted", "110", "null", "redirected")], "101": ringing, TWIN: ringing},
        )
        self.switch.answer(0x01210000)
        self.assertSeen(
            self.take(),
            {
                "101": [
                    ("established", TWIN, "alerting", "redirected"),
                    ("connectionCleared", "101", "null", "normalClearing"),
                ],
                TWIN: [
                    ("established", TWIN, "connected", "redirected"),
                    ("connectionCleared", "101", "connected", "normalClearing"),
                    ("delivered", "108", "connected", "callBack"),
                ],
                "108": [("delivered", "108", "alerting", "callBack")],
            },
        )
        # The portable waits for 108 to answer; the recall goes on in a call that still lives.
        self.assertEqual(self.states(), [[(TWIN, "connected"), ("108", "alerting")]])
        self.switch.answer("108")
        self.assertEqual(self.states(), [[(TWIN, "connected"), ("108", "connected")]])
