"""The switch's CSTA services at the ASN.1-value boundary: refusals as universalFailures,
snapshots, and arguments and results that the independent ECMA-285 codec accepts."""

from typing import Any

from ecsta.sim.failure import CstaError
from tests.sim_helpers import SwitchCase, conn, dn, dnum, oracle


class FailureTests(SwitchCase):
    """Requests a PBX refuses, and the universalFailure it gives."""

    def setUp(self) -> None:
        super().setUp()
        self.switch.dial("103", "104")
        self.cid = self.call_id("103")
        self.take()

    def test_unknown_device(self) -> None:
        self.assertFailure(
            "operation",
            "invalidDeviceID",
            self.services.make_call,
            {"callingDevice": dn("999"), "calledDirectoryNumber": dn("104")},
        )
        self.assertFailure(
            "operation",
            "invalidDeviceID",
            self.services.get_do_not_disturb,
            {"device": dnum(0x01119999)},
        )
        self.assertFailure(
            "operation",
            "invalidDeviceID",
            self.services.snapshot_device,
            {"snapshotObject": {"deviceIdentifier": ("other", b"x")}},
        )

    def test_unknown_call(self) -> None:
        self.assertFailure(
            "operation",
            "invalidCallID",
            self.services.answer_call,
            {"callToBeAnswered": conn(b"\xff\xff", dn("104"))},
        )
        self.assertFailure(
            "operation",
            "invalidCallID",
            self.services.clear_call,
            {"callToBeCleared": ("callID", b"\x77\x77")},
        )

    def test_device_not_in_the_call(self) -> None:
        self.assertFailure(
            "operation",
            "invalidConnectionID",
            self.services.answer_call,
            {"callToBeAnswered": conn(self.cid, dn("105"))},
        )
        self.assertFailure(
            "operation",
            "invalidConnectionID",
            self.services.hold_call,
            {"callToBeHeld": ("callID", self.cid)},
        )

    def test_wrong_connection_states(self) -> None:
        ringing = conn(self.cid, dn("104"))
        calling = conn(self.cid, dn("103"))
        self.assertFailure(
            "stateIncompatibility",
            "invalidConnectionState",
            self.services.answer_call,
            {"callToBeAnswered": calling},
        )
        self.assertFailure(
            "stateIncompatibility",
            "invalidConnectionState",
            self.services.hold_call,
            {"callToBeHeld": ringing},
        )
        self.assertFailure(
            "stateIncompatibility",
            "noHeldCall",
            self.services.retrieve_call,
            {"callToBeRetrieved": calling},
        )
        self.assertFailure(
            "stateIncompatibility",
            "invalidConnectionState",
            self.services.generate_digits,
            {"connectionToSendDigits": ringing, "charactersToSend": "1"},
        )
        self.assertFailure(
            "stateIncompatibility",
            "invalidConnectionState",
            self.services.call_back,
            {"callbackConnection": calling},
        )
        self.assertFailure(
            "stateIncompatibility",
            "invalidConnectionState",
            self.services.deflect_call,
            {"callToBeDiverted": calling, "newDestination": dn("105")},
        )
        self.assertFailure(
            "stateIncompatibility",
            "invalidHeldConnectionState",
            self.services.transfer_call,
            {"heldCall": calling, "activeCall": calling},
        )
        self.assertFailure(
            "stateIncompatibility",
            "invalidCallingDeviceState",
            self.services.make_call,
            {"callingDevice": dn("103"), "calledDirectoryNumber": dn("105")},
        )
        self.assertEqual(self.take(), [])
        self.assertEqual(self.states(), [[("103", "connected"), ("104", "alerting")]])

    def test_person_actions_fail_the_same_way(self) -> None:
        self.assertFailure("stateIncompatibility", "noHeldCall", self.switch.retrieve, "103")
        self.assertFailure("stateIncompatibility", "noCallToAnswer", self.switch.answer, "105")
        self.assertFailure("operation", "invalidDeviceID", self.switch.offhook, "999")
        self.assertFailure("operation", "invalidParameterValue", self.switch.dial, "105", "12a")

    def test_out_of_service_device(self) -> None:
        self.switch.set_in_service("105", False)
        self.assertFailure(
            "systemResourceAvailability",
            "deviceOutOfService",
            self.services.make_call,
            {"callingDevice": dn("105"), "calledDirectoryNumber": dn("106")},
        )

    def test_bad_destinations(self) -> None:
        self.switch.answer("104")
        self.assertFailure(
            "operation",
            "invalidDestination",
            self.services.single_step_transfer,
            {"activeCall": conn(self.cid, dn("103")), "transferredTo": dn("19")},
        )
        self.assertFailure(
            "operation",
            "invalidDestination",
            self.services.single_step_transfer,
            {"activeCall": conn(self.cid, dn("103")), "transferredTo": dn("104")},
        )
        for destination in (dn("199"), dn("106")):
            self.assertFailure(
                "operation",
                "invalidForwardingDestination",
                self.services.set_forwarding,
                {
                    "device": dn("106"),
                    "forwardingType": "forwardImmediate",
                    "activateForward": True,
                    "forwardDN": destination,
                },
            )
        self.assertFailure(
            "operation",
            "invalidForwardingDestination",
            self.services.set_forwarding,
            {"device": dn("106"), "forwardingType": "forwardBusy", "activateForward": True},
        )
        self.assertFailure(
            "operation",
            "invalidForwardingType",
            self.services.set_forwarding,
            {
                "device": dn("106"),
                "forwardingType": "forwardDND",
                "activateForward": True,
                "forwardDN": dn("107"),
            },
        )

    def forward_106_two_ways(self) -> None:
        for forwarding_type in ("forwardImmediate", "forwardBusyInt"):
            self.services.set_forwarding(
                {
                    "device": dn("106"),
                    "forwardingType": forwarding_type,
                    "activateForward": True,
                    "forwardDN": dn("107"),
                }
            )

    def test_a_deactivation_without_a_type_clears_every_forwarding(self) -> None:
        self.forward_106_two_ways()
        self.assertEqual(set(self.switch.forwarding("106")), {"forwardImmediate", "forwardBusyInt"})
        self.services.set_forwarding({"device": dn("106"), "activateForward": False})
        self.assertEqual(self.switch.forwarding("106"), {})
        self.services.set_forwarding({"device": dn("106"), "activateForward": False})
        self.assertFailure(
            "operation",
            "invalidForwardingType",
            self.services.set_forwarding,
            {"device": dn("106"), "activateForward": True, "forwardDN": dn("107")},
        )

    def test_a_deactivation_without_a_type_reports_each_forwarding_it_clears(self) -> None:
        self.forward_106_two_ways()
        self.take()
        self.services.set_forwarding({"device": dn("106"), "activateForward": False})
        cleared = [
            (e.name, e.value["forwardingType"], e.value["forwardStatus"])
            for e in self.take()
            if e.device is self.dev("106")
        ]
        self.assertEqual(
            cleared,
            [("forwarding", "forwardImmediate", False), ("forwarding", "forwardBusyInt", False)],
        )
        self.services.set_forwarding({"device": dn("106"), "activateForward": False})
        self.assertEqual(self.take(), [])  # nothing was on: nothing changed, nothing to report

    def test_unsupported_requests(self) -> None:
        self.assertFailure("operation", "serviceNotSupported", self.services.invoke, "parkCall", {})
        self.assertFailure(
            "operation",
            "invalidCrossRefID",
            self.services.stop_data_collection,
            {"dcollCrossRefID": b"\x00\x00\x00\x09"},
        )
        self.assertFailure(
            "operation",
            "invalidObjectType",
            self.services.start_data_collection,
            {"object": ("call", conn(self.cid, dn("103")))},
        )

    def test_failure_carries_a_universal_failure_value(self) -> None:
        error = self.assertRaises(
            CstaError, self.services.answer_call, {"callToBeAnswered": conn(b"\x01\x99", dn("1"))}
        )
        ecma = oracle()
        pdu = ecma.encode_error(7, error.universal_failure)
        kind, value = ecma.decode_apdu(pdu)
        self.assertEqual(kind, "returnError")
        self.assertEqual(value["parameter"], ("operation", "invalidDeviceID"))


class SnapshotTests(SwitchCase):
    def test_snapshot_device_during_consultation(self) -> None:
        self.switch.dial("103", "104")
        self.switch.answer("104")
        c1 = self.call_id("104")
        self.switch.hold("103")
        self.switch.dial("103", "105")
        c2 = self.call_id("105")
        result = self.services.snapshot_device({"snapshotObject": dn("103")})
        self.assertEqual(
            result,
            {
                "crossRefIDorSnapshotData": (
                    "snapshotData",
                    [
                        {
                            "connectionIdentifier": conn(c1, dn("103")),
                            "localCallState": ("compoundCallState", ["hold", "connected"]),
                        },
                        {
                            "connectionIdentifier": conn(c2, dn("103")),
                            "localCallState": ("compoundCallState", ["connected", "alerting"]),
                        },
                    ],
                )
            },
        )
        self.assertEncodes("SnapshotDeviceResult", result)
        idle = self.services.snapshot_device({"snapshotObject": dn("110")})
        self.assertEqual(idle, {"crossRefIDorSnapshotData": ("snapshotData", [])})

    def test_snapshot_call(self) -> None:
        cid = self.switch.incoming("+4930555", "101")
        result = self.services.snapshot_call({"snapshotObject": ("callID", cid)})
        self.assertEqual(
            result,
            {
                "crossRefIDorSnapshotData": (
                    "snapshotData",
                    [
                        {
                            "deviceOnCall": ("deviceIdentifier", dnum(0x01310000)),
                            "callIdentifier": conn(cid, dnum(0x01310000)),
                            "localConnectionState": "connected",
                        },
                        {
                            "deviceOnCall": ("deviceIdentifier", dn("101")),
                            "callIdentifier": conn(cid, dn("101")),
                            "localConnectionState": "alerting",
                        },
                        {
                            "deviceOnCall": ("deviceIdentifier", dnum(0x01210000)),
                            "callIdentifier": conn(cid, dnum(0x01210000)),
                            "localConnectionState": "alerting",
                        },
                    ],
                ),
                "callingDevice": ("deviceIdentifier", dn("+4930555")),
                "calledDevice": ("deviceIdentifier", dn("101")),
            },
        )
        self.assertEncodes("SnapshotCallResult", result)

    def assertEncodes(self, type_name: str, value: Any) -> None:
        ecma = oracle()
        self.assertEqual(ecma.decode_type(type_name, ecma.encode_type(type_name, value)), value)


class WireValueTests(SwitchCase):
    """Arguments as the wire decoder delivers them (DEFAULTs filled in), results as the
    encoder takes them: both through the independent codec."""

    def invoke(self, operation: str, argument: dict[str, Any]) -> Any:
        ecma = oracle()
        types = {op.name: op for op in ecma.operations().values()}[operation]
        decoded = ecma.decode_type(types.argument, ecma.encode_type(types.argument, argument))
        result = self.services.invoke(operation, decoded)
        self.assertEqual(
            ecma.decode_type(types.result, ecma.encode_type(types.result, result)), result
        )
        return result

    def test_a_whole_call_through_invoke(self) -> None:
        made = self.invoke(
            "makeCall", {"callingDevice": dn("103"), "calledDirectoryNumber": dn("104")}
        )
        cid = made["callingDevice"][1]["callID"]
        self.invoke("answerCall", {"callToBeAnswered": conn(cid, dn("104"))})
        consult = self.invoke(
            "consultationCall",
            {"existingCall": conn(cid, dn("103")), "consultedDevice": dn("0301234")},
        )
        c2 = consult["initiatedCall"][1]["callID"]
        self.switch.advance(5.0)
        self.invoke(
            "alternateCall", {"heldCall": conn(cid, dn("103")), "activeCall": conn(c2, dn("103"))}
        )
        self.invoke(
            "alternateCall", {"heldCall": conn(c2, dn("103")), "activeCall": conn(cid, dn("103"))}
        )
        self.invoke(
            "transferCall", {"heldCall": conn(cid, dn("103")), "activeCall": conn(c2, dn("103"))}
        )
        self.assertEqual(self.states(), [[("104", "connected"), ("#01310000", "connected")]])
        self.invoke("setDoNotDisturb", {"device": dn("105"), "doNotDisturbOn": True})
        self.invoke("getDoNotDisturb", {"device": dn("105")})
        self.invoke(
            "setForwarding",
            {
                "device": dn("106"),
                "forwardingType": "forwardNoAnsExt",
                "activateForward": True,
                "forwardDN": dn("0301234"),
                "ringCount": 3,
            },
        )
        self.invoke("getForwarding", {"device": dn("106")})
        self.invoke("snapshotDevice", {"snapshotObject": dn("104")})
        self.invoke("snapshotCall", {"snapshotObject": conn(cid, dn("104"))})
        self.invoke("clearCall", {"callToBeCleared": conn(cid, dn("104"))})
        self.assertEqual(self.states(), [])
        started = self.invoke(
            "startDataCollection",
            {"object": ("device", dn("107")), "digitsReportingCriteria": {"numChars": 2}},
        )
        self.invoke("stopDataCollection", started)
        self.switch.offhook("108")
        [(dialling, _)] = self.switch.connections_of(self.dev("108"))
        self.invoke(
            "dialDigits",
            {
                "diallingConnection": conn(dialling.call_id, dn("108")),
                "diallingSequence": dn("109"),
            },
        )
        self.assertEqual(self.states(), [[("108", "connected"), ("109", "alerting")]])
        self.take()

    def test_every_served_operation_is_an_ecma285_operation(self) -> None:
        names = {op.name for op in oracle().operations().values()}
        self.assertEqual(self.services.operations - names, set())
