"""Forwarding (all nine types), do-not-disturb, Super-Twin, data collection and devices
going in and out of service, each as a scripted flow on the switch model."""

from typing import Any

from ecsta.sim.collection import DataCollected
from ecsta.sim.plan import Device, DeviceKind
from tests.sim_helpers import SwitchCase, conn, dialled, dn, dnum, oracle, twin_answers

TRUNK1 = "#01310000"
TWIN = "#01210000"  # the Super-Twin portable of 101


class ForwardingTests(SwitchCase):
    """104 forwards to 105; 103 calls from inside, +4930999 from outside."""

    def forward(self, forwarding_type: str, **extra: Any) -> None:
        argument = {
            "device": dn("104"),
            "forwardingType": forwarding_type,
            "activateForward": True,
            "forwardDN": dn("105"),
            **extra,
        }
        self.assertEqual(self.services.set_forwarding(argument), ("noData", None))
        events = self.take()
        self.assertSeen(events, {"104": [("forwarding", "104", None, None)]})
        self.assertEqual(
            events[0].value,
            {
                "device": ("deviceIdentifier", dn("104")),
                "forwardingType": forwarding_type,
                "forwardStatus": True,
                "forwardTo": dn("105"),
            },
        )

    def make_104_busy(self) -> None:
        self.switch.dial("106", "104")
        self.switch.answer("104")
        self.take()

    def call_from(self, inside: bool) -> str:
        """Call 104; returns the label of the caller's monitored device."""
        if inside:
            self.switch.dial("103", "104")
            return "103"
        self.switch.incoming("+4930999", "104")
        return TRUNK1

    def assert_diverted(self, caller: str, cause: str, inside: bool, busy: bool = False) -> None:
        events = self.take()
        before = (
            [
                *dialled("103"),
            ]
            if inside
            else []
        )
        self.assertSeen(
            events,
            {
                caller: [
                    *before,
                    ("diverted", "104", "connected", cause),
                    ("delivered", "105", "connected", cause),
                ],
                "104": [("diverted", "104", "null", cause)],
                "105": [("delivered", "105", "alerting", cause)],
            },
        )
        delivered = events[-1].value
        self.assertEqual(delivered["calledDevice"], ("deviceIdentifier", dn("104")))
        self.assertEqual(delivered["lastRedirectionDevice"], ("numberdialed", dn("104")))
        expected = [[(caller, "connected"), ("105", "alerting")]]
        if busy:
            expected.insert(0, [("106", "connected"), ("104", "connected")])
        self.assertEqual(self.states(), expected)

    def assert_rings_104(self, caller: str) -> None:
        events = self.take()
        self.assertEqual(self.seen(events, "104"), [("delivered", "104", "alerting", "newCall")])
        self.assertEqual(self.seen(events, "105"), [])
        self.assertEqual(self.states(), [[(caller, "connected"), ("104", "alerting")]])

    def assert_busy(self, caller: str, inside: bool) -> None:
        events = self.take()
        self.assertEqual(self.seen(events, "105"), [])
        failed = [e for e in events if e.name == "failed"]
        self.assertEqual(failed[0].value["cause"], "busy")
        self.assertEqual(failed[0].value["failingDevice"], ("deviceIdentifier", dn("104")))
        expected = [[("106", "connected"), ("104", "connected")]]
        if inside:
            expected.append([("103", "fail")])
        self.assertEqual(self.states(), expected)

    # immediate ---------------------------------------------------------------------------

    def test_forward_immediate_applies_to_every_caller(self) -> None:
        self.forward("forwardImmediate")
        self.assert_diverted(self.call_from(inside=True), "callForwardImmediate", inside=True)
        self.switch.onhook("103")
        self.take()
        self.assert_diverted(self.call_from(inside=False), "callForwardImmediate", inside=False)

    def test_forward_immediate_internal_leaves_outside_callers_alone(self) -> None:
        self.forward("forwardImmInt")
        self.assert_diverted(self.call_from(inside=True), "callForwardImmediate", inside=True)
        self.switch.onhook("103")
        self.take()
        self.assert_rings_104(self.call_from(inside=False))

    def test_forward_immediate_external_leaves_inside_callers_alone(self) -> None:
        self.forward("forwardImmExt")
        self.assert_rings_104(self.call_from(inside=True))
        self.switch.onhook("103")
        self.take()
        self.assert_diverted(self.call_from(inside=False), "callForwardImmediate", inside=False)

    # busy --------------------------------------------------------------------------------

    def test_forward_busy_applies_to_every_caller(self) -> None:
        self.forward("forwardBusy")
        self.make_104_busy()
        self.assert_diverted(self.call_from(inside=True), "callForwardBusy", inside=True, busy=True)
        self.switch.onhook("103")
        self.take()
        self.assert_diverted(
            self.call_from(inside=False), "callForwardBusy", inside=False, busy=True
        )

    def test_forward_busy_internal(self) -> None:
        self.forward("forwardBusyInt")
        self.make_104_busy()
        self.assert_diverted(self.call_from(inside=True), "callForwardBusy", inside=True, busy=True)
        self.switch.onhook("103")
        self.take()
        self.call_from(inside=False)
        self.assert_busy(TRUNK1, inside=False)

    def test_forward_busy_external(self) -> None:
        self.forward("forwardBusyExt")
        self.make_104_busy()
        self.call_from(inside=True)
        self.assert_busy("103", inside=True)
        self.switch.onhook("103")
        self.take()
        self.assert_diverted(
            self.call_from(inside=False), "callForwardBusy", inside=False, busy=True
        )

    # no answer ---------------------------------------------------------------------------

    def assert_diverted_after(self, seconds: float, caller: str, inside: bool) -> None:
        self.assert_rings_104(caller)
        self.assertEqual(self.switch.next_deadline(), self.switch.now + seconds)
        self.switch.advance(self.switch.now + seconds)
        events = self.take()
        self.assertSeen(
            events,
            {
                caller: [
                    ("diverted", "104", "connected", "callForwardNoAnswer"),
                    ("delivered", "105", "connected", "callForwardNoAnswer"),
                ],
                "104": [("diverted", "104", "null", "callForwardNoAnswer")],
                "105": [("delivered", "105", "alerting", "callForwardNoAnswer")],
            },
        )
        self.assertEqual(self.states(), [[(caller, "connected"), ("105", "alerting")]])

    def test_forward_no_answer_applies_to_every_caller(self) -> None:
        self.forward("forwardNoAns")
        self.assert_diverted_after(15.0, self.call_from(inside=True), inside=True)
        self.switch.onhook("103")
        self.take()
        self.assert_diverted_after(15.0, self.call_from(inside=False), inside=False)

    def test_forward_no_answer_internal(self) -> None:
        self.forward("forwardNoAnsInt", ringCount=2)  # two 3-second rings
        self.assert_diverted_after(6.0, self.call_from(inside=True), inside=True)
        self.switch.onhook("103")
        self.take()
        self.assert_rings_104(self.call_from(inside=False))
        self.assertEqual(self.switch.next_deadline(), self.switch.now + 60.0)

    def test_forward_no_answer_external(self) -> None:
        self.forward("forwardNoAnsExt")
        self.assert_rings_104(self.call_from(inside=True))
        self.assertEqual(self.switch.next_deadline(), self.switch.now + 60.0)
        self.switch.onhook("103")
        self.take()
        self.assert_diverted_after(15.0, self.call_from(inside=False), inside=False)

    # settings ----------------------------------------------------------------------------

    def test_specific_forwarding_wins_over_general(self) -> None:
        self.forward("forwardImmediate")
        self.services.set_forwarding(
            {
                "device": dn("104"),
                "forwardingType": "forwardImmExt",
                "activateForward": True,
                "forwardDN": dn("0301234"),
            }
        )
        self.take()
        self.switch.incoming("+4930999", "104")
        events = self.take()
        self.assertEqual(
            [brief[0] for brief in self.seen(events, TRUNK1)],
            ["diverted", "networkReached", "delivered"],
        )
        self.assertEqual(self.states(), [[(TRUNK1, "connected"), ("#01310001", "alerting")]])

    def test_get_forwarding_lists_the_nine_types(self) -> None:
        self.forward("forwardBusyInt")
        self.forward("forwardNoAns", ringCount=4)
        result = self.services.get_forwarding({"device": dn("104")})
        entries = {e["forwardingType"]: e for e in result["forwardingList"]}
        self.assertEqual(len(entries), 9)
        self.assertEqual(
            entries["forwardBusyInt"],
            {"forwardingType": "forwardBusyInt", "forwardStatus": True, "forwardDN": dn("105")},
        )
        self.assertEqual(entries["forwardNoAns"]["ringCount"], 4)
        self.assertEqual(
            entries["forwardImmediate"],
            {"forwardingType": "forwardImmediate", "forwardStatus": False},
        )
        self.services.set_forwarding(
            {"device": dn("104"), "forwardingType": "forwardBusyInt", "activateForward": False}
        )
        self.assertEqual(self.seen(self.take(), "104"), [("forwarding", "104", None, None)])
        result = self.services.get_forwarding({"device": dn("104")})
        active = [e["forwardingType"] for e in result["forwardingList"] if e["forwardStatus"]]
        self.assertEqual(active, ["forwardNoAns"])

    def test_forwarding_loop_ends(self) -> None:
        self.forward("forwardImmediate")
        self.services.set_forwarding(
            {
                "device": dn("105"),
                "forwardingType": "forwardImmediate",
                "activateForward": True,
                "forwardDN": dn("104"),
            }
        )
        self.switch.dial("103", "104")
        events = self.take()
        diverted = [e for e in events if e.name == "diverted" and e.device is self.dev("103")]
        self.assertEqual(len(diverted), 4)
        self.assertEqual(len(self.switch.calls()), 1)
        self.assertEqual(self.states()[0][0], ("103", "connected"))


class DoNotDisturbTests(SwitchCase):
    def test_do_not_disturb_fails_calls(self) -> None:
        self.services.set_do_not_disturb({"device": dn("104"), "doNotDisturbOn": True})
        events = self.take()
        self.assertSeen(events, {"104": [("doNotDisturb", "104", None, None)]})
        self.assertEqual(
            events[0].value,
            {"device": ("deviceIdentifier", dn("104")), "doNotDisturbOn": True},
        )
        self.assertEqual(
            self.services.get_do_not_disturb({"device": dn("104")}), {"doNotDisturbOn": True}
        )
        self.switch.dial("103", "104")
        self.assertSeen(
            self.take(),
            {
                "103": [*dialled("103"), ("failed", "103", "fail", "doNotDisturb")],
                "104": [],
            },
        )
        self.switch.onhook("103")
        self.services.set_do_not_disturb({"device": dn("104"), "doNotDisturbOn": False})
        self.take()
        self.switch.dial("103", "104")
        self.assertEqual(self.states(), [[("103", "connected"), ("104", "alerting")]])


class SuperTwinTests(SwitchCase):
    def test_both_ring_and_the_portable_answers(self) -> None:
        self.switch.dial("103", "101")
        events = self.take()
        ringing = [
            ("delivered", "101", "alerting", "newCall"),
            ("delivered", TWIN, "alerting", "newCall"),
        ]
        self.assertSeen(
            events,
            {
                "103": [
                    *dialled("103"),
                    ("delivered", "101", "connected", "newCall"),
                    ("delivered", TWIN, "connected", "newCall"),
                ],
                "101": ringing,
                TWIN: ringing,
            },
        )
        cid = self.call_id("103")
        self.assertEqual(
            self.states(), [[("103", "connected"), ("101", "alerting"), (TWIN, "alerting")]]
        )
        self.services.answer_call({"callToBeAnswered": conn(cid, dnum(0x01210000))})
        events = self.take()
        self.assertSeen(events, twin_answers("103", "101", TWIN))
        self.assertEqual(events[0].value["answeringDevice"], ("deviceIdentifier", dnum(0x01210000)))
        self.assertEqual(events[0].value["calledDevice"], ("deviceIdentifier", dn("101")))
        self.assertEqual(self.states(), [[("103", "connected"), (TWIN, "connected")]])

    def test_desk_phone_answering_stops_the_portable(self) -> None:
        self.switch.incoming("+4930999", "101")
        self.take()
        self.switch.answer("101")
        events = self.take()
        self.assertEqual(
            self.seen(events, TWIN),
            [
                ("established", "101", "alerting", "newCall"),
                ("connectionCleared", TWIN, "null", "normalClearing"),
            ],
        )
        self.assertEqual(self.states(), [[(TRUNK1, "connected"), ("101", "connected")]])

    def test_portable_alone_rings_while_the_desk_phone_is_busy(self) -> None:
        self.switch.dial("101", "105")
        self.take()
        self.switch.dial("103", "101")
        self.take()
        self.assertEqual(
            self.states(),
            [
                [("101", "connected"), ("105", "alerting")],
                [("103", "connected"), (TWIN, "alerting")],
            ],
        )

    def test_portable_calls_out_under_its_device_number(self) -> None:
        self.switch.dial(0x01210000, "103")
        events = self.take()
        self.assertEqual(
            self.seen(events, TWIN)[:2],
            [
                *dialled(TWIN),
            ],
        )
        self.assertEqual(events[1].value["callingDevice"], ("deviceIdentifier", dnum(0x01210000)))


class DataCollectionTests(SwitchCase):
    def start(self, **criteria: Any) -> bytes:
        argument: dict[str, Any] = {"object": ("device", dn("115"))}
        if criteria:
            argument["digitsReportingCriteria"] = criteria
        cross_ref: bytes = self.services.start_data_collection(argument)["dcollCrossRefID"]
        return cross_ref

    def assertCollected(self, cross_ref: bytes, *reports: tuple[str, str | None]) -> None:
        collected = self.switch.take_data_collected()
        expected = []
        for digits, cause in reports:
            value: dict[str, Any] = {
                "dcollCrossRefID": cross_ref,
                "digitsData": {"digitsDetected": digits},
            }
            if cause is not None:
                value["dcollCause"] = cause
            expected.append(DataCollected(cross_ref, value))
        self.assertEqual(collected, expected)
        ecma = oracle()
        for report in collected:
            encoded = ecma.encode_type("DataCollectedArgument", report.value)
            self.assertEqual(ecma.decode_type("DataCollectedArgument", encoded), report.value)

    def test_room_status_code_with_a_flush_character(self) -> None:
        cross_ref = self.start(flushChar="#")
        self.switch.dial("115", "12")
        self.switch.dial("115", "3#")
        self.assertCollected(cross_ref, ("123", "flushCharReceived"))
        self.assertEqual(
            self.seen(self.take(), "115"), [("serviceInitiated", "115", "initiated", "newCall")]
        )
        self.switch.onhook("115")
        self.assertEqual(self.states(), [])

    def test_digit_count_and_timeout(self) -> None:
        cross_ref = self.start(numChars=3, timeout=5)
        self.switch.dial("115", "4567")
        self.assertCollected(cross_ref, ("456", "charCountReached"))
        self.switch.advance(4.0)
        self.switch.dial("115", "8")
        self.switch.advance(8.9)
        self.assertCollected(cross_ref)
        self.switch.advance(9.0)
        self.assertCollected(cross_ref, ("78", "timeout"))

    def test_digits_an_application_dials_for_the_phone_are_collected_too(self) -> None:
        cross_ref = self.start(flushChar="#")
        self.switch.offhook("115")
        [(call, _)] = self.switch.connections_of(self.dev("115"))
        self.services.invoke(
            "dialDigits",
            {"diallingConnection": conn(call.call_id, dn("115")), "diallingSequence": dn("12#")},
        )
        self.assertCollected(cross_ref, ("12", "flushCharReceived"))
        self.assertEqual(self.states(), [[("115", "initiated")]])

    def test_without_criteria_each_dialling_is_reported(self) -> None:
        cross_ref = self.start()
        self.switch.dial("115", "21")
        self.assertCollected(cross_ref, ("21", None))

    def test_stopped_collection_lets_digits_through(self) -> None:
        cross_ref = self.start()
        self.services.stop_data_collection({"dcollCrossRefID": cross_ref})
        self.switch.dial("115", "116")
        self.assertCollected(cross_ref)
        self.assertEqual(self.states(), [[("115", "connected"), ("116", "alerting")]])


class DeviceTests(SwitchCase):
    def test_out_of_service_device_is_reported_and_unreachable(self) -> None:
        self.switch.dial("103", "104")
        self.take()
        self.switch.set_in_service("104", False)
        events = self.take()
        self.assertEqual(self.seen(events, "104")[-1], ("outOfService", "104", None, None))
        self.assertEqual(events[-1].value, {"device": ("deviceIdentifier", dn("104"))})
        self.assertEqual(self.states(), [])
        self.switch.dial("103", "104")
        self.assertEqual(
            self.seen(self.take(), "103")[-1], ("failed", "103", "fail", "destOutOfOrder")
        )
        self.switch.onhook("103")
        self.switch.set_in_service("104", True)
        self.assertEqual(self.seen(self.take(), "104"), [("backInService", "104", None, None)])

    def test_added_device_can_be_called_and_removed(self) -> None:
        version = self.switch.device_list_version
        self.switch.add_device(Device(DeviceKind.SIP, "133", 0x01410002, name="SIP 133"))
        self.assertEqual(self.switch.device_list_version, version + 1)
        self.switch.dial("103", "133")
        self.assertEqual(self.states(), [[("103", "connected"), ("133", "alerting")]])
        self.take()
        sip = self.dev("133")
        self.switch.remove_device("133")
        self.assertEqual(self.switch.device_list_version, version + 2)
        self.assertNotIn(sip, self.switch.devices())
        self.assertEqual(
            self.seen(self.take(), "103"),
            [
                ("connectionCleared", "133", "connected", "normalClearing"),
                ("connectionCleared", "103", "null", "normalClearing"),
            ],
        )
        self.assertEqual(self.states(), [])
        self.assertFailure("operation", "invalidDeviceID", self.switch.offhook, "133")
