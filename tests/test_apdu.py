"""ROSE APDUs: the Panasonic PDUs of PROTOCOL.md, the builders, and what bad bytes give."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import apdu
from ecsta.wire.apdu import Invoke, Reject, RejectableError, ReturnError, ReturnResult
from ecsta.wire.errors import DecodeError
from ecsta.wire.opcodes import Opcode
from ecsta.wire.operations import BY_NAME
from tests.apdu_oracle import oracle, oracle_decode


def _hex(text: str) -> bytes:
    return bytes.fromhex(text)


SYSTEM_STATUS = _hex("a1 0c 02 01 01 02 02 00 d3 30 03 0a 01 02")
SYSTEM_STATUS_ANSWER = _hex("a2 0b 02 01 01 30 06 02 02 00 d3 05 00")
DEVICE_LIST_REQUEST = _hex(
    "a1 16 02 02 06 02 02 01 33 30 0d a4 0b a0 09 a4 07 a1 05 a0 03 0a 01 05"
)
MONITOR_START = _hex("a1 11 02 01 78 02 01 47 30 09 30 05 80 03 31 30 31 a0 00")

DEVICE_101 = {"deviceIdentifier": ("dialingNumber", "101")}
EMPTY_FILTER = {
    name: (b"", 0)
    for name in (
        "callControl",
        "callAssociated",
        "mediaAttachment",
        "physicalDeviceFeature",
        "logicalDeviceFeature",
        "maintenance",
        "voiceUnit",
        "private",
    )
}


class PanasonicPduTests(SynchronousTestCase):
    def assertRoundTrip(self, pdu: bytes, expected: apdu.APDU) -> None:
        self.assertEqual(apdu.decode(pdu), expected)
        self.assertEqual(apdu.encode(expected), pdu)

    def test_keep_alive_invoke(self) -> None:
        self.assertRoundTrip(
            SYSTEM_STATUS, Invoke(1, Opcode.systemStatus, {"systemStatus": "normal"})
        )

    def test_keep_alive_answer(self) -> None:
        self.assertRoundTrip(
            SYSTEM_STATUS_ANSWER, ReturnResult(1, Opcode.systemStatus, ("noData", None))
        )

    def test_device_list_escape(self) -> None:
        station_list = (
            "private",
            (
                "kmeSystemData",
                (
                    "getSystemData",
                    ("request", ("deviceList", ("category", ("standardDevice", "station")))),
                ),
            ),
        )
        self.assertRoundTrip(
            DEVICE_LIST_REQUEST, Invoke(1538, Opcode.escape, {"privateData": station_list})
        )

    def test_monitor_start(self) -> None:
        argument = {
            "monitorObject": ("deviceObject", DEVICE_101),
            "requestedMonitorFilter": EMPTY_FILTER,
        }
        self.assertRoundTrip(MONITOR_START, Invoke(120, Opcode.monitorStart, argument))
        decoded = apdu.decode(MONITOR_START)
        assert isinstance(decoded, Invoke)
        self.assertEqual(decoded.operation.name, "monitorStart")

    def test_oracle_agrees(self) -> None:
        for pdu in (SYSTEM_STATUS, MONITOR_START):
            decoded = apdu.decode(pdu)
            assert isinstance(decoded, Invoke)
            kind, value = oracle_decode(pdu)
            self.assertEqual(kind, "invoke")
            self.assertEqual(value["invokeId"], ("present", decoded.invoke_id))
            self.assertEqual(value["operation"], decoded.operation.name)
            self.assertEqual(value["argument"], decoded.argument)
        kind, value = oracle_decode(SYSTEM_STATUS_ANSWER)
        self.assertEqual((kind, value["result"]["result"]), ("returnResult", ("noData", None)))

    def test_oracle_reads_the_escape_envelope(self) -> None:
        # The standard's CSTAPrivateData has no room for KME data, so the oracle can only
        # check the ROSE part of the Panasonic escape.
        module = oracle()
        kind, value = module.decode_type("ROS", DEVICE_LIST_REQUEST, module.ROSE_MODULE)
        self.assertEqual(kind, "invoke")
        self.assertEqual(value["invokeId"], ("present", 1538))
        self.assertEqual(value["opcode"], ("local", 51))


class BuilderTests(SynchronousTestCase):
    def test_event_report_is_what_the_oracle_encodes(self) -> None:
        delivered = {
            "connection": (
                "both",
                {"callID": b"\x00\x01", "deviceID": ("staticID", DEVICE_101)},
            ),
            "alertingDevice": ("deviceIdentifier", DEVICE_101),
            "callingDevice": ("deviceIdentifier", {"deviceIdentifier": ("dialingNumber", "102")}),
            "calledDevice": ("deviceIdentifier", DEVICE_101),
            "lastRedirectionDevice": ("notRequired", None),
            "localConnectionInfo": "alerting",
            "cause": "newCall",
        }
        pdu = apdu.event_report(7, b"\x01", "callControlEvents", "delivered", delivered)
        expected = oracle().encode_event(7, b"\x01", "callControlEvents", "delivered", delivered)
        self.assertEqual(pdu, expected)
        report = apdu.decode(pdu)
        assert isinstance(report, Invoke)
        self.assertEqual(report.opcode, apdu.CSTA_EVENT_REPORT)
        self.assertEqual(report.argument["crossRefIdentifier"], b"\x01")
        self.assertEqual(
            report.argument["eventSpecificInfo"], ("callControlEvents", ("delivered", delivered))
        )

    def test_return_error(self) -> None:
        pdu = apdu.return_error(5, "operation", "generic")
        self.assertEqual(pdu, _hex("a3 0b 02 01 05 02 01 01 a0 03 0a 01 01"))
        self.assertEqual(pdu, oracle().encode_error(5, ("operation", "generic")))
        error = apdu.decode(pdu)
        self.assertEqual(error, ReturnError(5, 1, ("operation", "generic")))
        assert isinstance(error, ReturnError)
        self.assertEqual(error.error_name, "universalFailure")

    def test_return_error_unspecified_and_without_invoke_id(self) -> None:
        """The answer ecsta gives when it cannot say why, and to an invokeId it could not read."""
        error = apdu.decode(apdu.return_error(7, "unspecified", None))
        self.assertEqual(error, ReturnError(7, 1, ("unspecified", None)))
        error = apdu.decode(apdu.return_error(None, "operation", "generic"))
        self.assertEqual(error, ReturnError(None, 1, ("operation", "generic")))
        with self.assertRaises(ValueError):
            apdu.return_error(7, "operation", "genric")

    def test_universal_failure_checks_its_value(self) -> None:
        self.assertEqual(
            apdu.universal_failure("stateIncompatibility", "invalidObjectState"),
            ("stateIncompatibility", "invalidObjectState"),
        )
        with self.assertRaises(ValueError) as caught:
            apdu.universal_failure("operation", "genric")
        self.assertIn("universalFailure.operation", str(caught.exception))
        with self.assertRaises(ValueError):
            apdu.universal_failure("operations", "generic")

    def test_reject_matches_the_oracle(self) -> None:
        module = oracle()
        for problem, number in (
            (("general", "badlyStructuredPDU"), 2),
            (("invoke", "unrecognizedOperation"), 1),
            (("invoke", "mistypedArgument"), 2),
            (("returnResult", "mistypedResult"), 2),
            (("returnError", "unrecognizedError"), 2),
        ):
            pdu = apdu.reject(9, problem)
            self.assertEqual(pdu, module.encode_reject(9, (problem[0], number)))
            self.assertEqual(apdu.decode(pdu), Reject(9, problem))

    def test_reject_without_invoke_id(self) -> None:
        pdu = apdu.reject(None, ("general", "unrecognizedPDU"))
        self.assertEqual(pdu, _hex("a4 05 05 00 80 01 00"))
        self.assertEqual(apdu.decode(pdu), Reject(None, ("general", "unrecognizedPDU")))

    def test_unnamed_reject_problem(self) -> None:
        self.assertEqual(apdu.decode(_hex("a4 06 02 01 01 81 01 63")), Reject(1, ("invoke", "99")))

    def test_invoke_ids_of_any_size_and_linked_ids(self) -> None:
        for invoke_id in (0, 127, 128, 65535, 2**40, -1):
            invoke = Invoke(
                invoke_id, Opcode.systemStatus, {"systemStatus": "messagesLost"}, linked_id=3
            )
            pdu = apdu.encode(invoke)
            self.assertEqual(apdu.decode(pdu), invoke)
            kind, value = oracle_decode(pdu)
            self.assertEqual(kind, "invoke")
            self.assertEqual(value["invokeId"], ("present", invoke_id))
            self.assertEqual(value["linkedId"], ("present", 3))

    def test_short_return_result(self) -> None:
        pdu = apdu.encode(ReturnResult(300))
        self.assertEqual(pdu, _hex("a2 04 02 02 01 2c"))
        self.assertEqual(apdu.decode(pdu), ReturnResult(300))

    def test_encode_names_the_field_that_does_not_fit(self) -> None:
        argument = {"callingDevice": DEVICE_101, "calledDirectoryNumber": "102"}
        with self.assertRaises(ValueError) as caught:
            apdu.encode(Invoke(1, BY_NAME["makeCall"].code, argument))
        self.assertIn("makeCall.calledDirectoryNumber: expected a dict", str(caught.exception))

    def test_encode_refuses_unknown_codes(self) -> None:
        with self.assertRaises(ValueError):
            apdu.encode(Invoke(1, 9999, {}))
        with self.assertRaises(ValueError):
            apdu.encode(ReturnError(1, 77, None))
        with self.assertRaises(ValueError):
            apdu.encode(Reject(1, ("invoke", "nonsense")))


class BadBytesTests(SynchronousTestCase):
    def assertRejected(
        self, pdu: bytes, problem: tuple[str, str], invoke_id: int | None, *fragments: str
    ) -> RejectableError:
        with self.assertRaises(RejectableError) as caught:
            apdu.decode(pdu)
        error = caught.exception
        self.assertEqual(error.reject, problem)
        self.assertEqual(error.invoke_id, invoke_id)
        for fragment in fragments:
            self.assertIn(fragment, str(error))
        self.assertEqual(error.answer(), Reject(invoke_id, problem))
        return error

    def test_truncated(self) -> None:
        error = self.assertRejected(
            SYSTEM_STATUS[:-1], ("general", "badlyStructuredPDU"), 1, "runs past the end"
        )
        self.assertEqual(error.offset, 0)

    def test_trailing_bytes(self) -> None:
        error = self.assertRejected(
            SYSTEM_STATUS + b"\x00", ("general", "badlyStructuredPDU"), 1, "1 octet(s) after"
        )
        self.assertEqual(error.offset, len(SYSTEM_STATUS))

    def test_unknown_opcode(self) -> None:
        pdu = _hex("a1 0c 02 01 07 02 02 03 e7 30 03 0a 01 02")
        error = self.assertRejected(
            pdu, ("invoke", "unrecognizedOperation"), 7, "unknown operation code 999"
        )
        self.assertEqual(error.offset, 5)
        answer = apdu.encode(error.answer())
        self.assertEqual(
            oracle_decode(answer),
            ("reject", {"invokeId": ("present", 7), "problem": ("invoke", 1)}),
        )

    def test_global_opcode(self) -> None:
        pdu = _hex("a1 0d 02 01 07 06 03 2b 0c 00 30 03 0a 01 02")
        self.assertRejected(pdu, ("invoke", "unrecognizedOperation"), 7, "global")

    def test_wrong_argument_type(self) -> None:
        # monitorStart whose monitorObject is an INTEGER
        pdu = _hex("a1 0b 02 01 09 02 01 47 30 03 02 01 05")
        error = self.assertRejected(
            pdu, ("invoke", "mistypedArgument"), 9, "monitorStart: monitorObject", "INTEGER"
        )
        self.assertEqual(error.offset, 10)

    def test_wrong_type_deep_in_the_argument(self) -> None:
        # makeCall whose calledDirectoryNumber holds a NULL where the device identifier goes
        pdu = _hex("a1 13 02 01 04 02 01 0a 30 0b 30 05 80 03 31 30 31 30 02 05 00")
        error = self.assertRejected(
            pdu, ("invoke", "mistypedArgument"), 4, "makeCall.calledDirectoryNumber", "NULL"
        )
        self.assertEqual(error.offset, 19)

    def test_invoke_without_argument(self) -> None:
        self.assertRejected(_hex("a1 07 02 01 02 02 02 00 d3"), ("invoke", "mistypedArgument"), 2)

    def test_result_of_an_unknown_operation(self) -> None:
        pdu = _hex("a2 0b 02 01 01 30 06 02 02 03 e7 05 00")
        error = self.assertRejected(pdu, ("returnResult", "unrecognizedInvocation"), 1, "999")
        self.assertEqual(error.offset, 7)

    def test_result_for_an_operation_without_result_type(self) -> None:
        switching_function_devices = Opcode.switchingFunctionDevices
        pdu = _hex("a2 0b 02 01 01 30 06 02 02 00 cd 05 00")
        self.assertIsNone(BY_NAME["switchingFunctionDevices"].result)
        self.assertEqual(BY_NAME["switchingFunctionDevices"].code, switching_function_devices)
        self.assertRejected(pdu, ("returnResult", "resultResponseUnexpected"), 1, "no result")

    def test_mistyped_result(self) -> None:
        pdu = _hex("a2 0b 02 01 01 30 06 02 02 00 d3 04 00")
        error = self.assertRejected(
            pdu, ("returnResult", "mistypedResult"), 1, "systemStatus result"
        )
        self.assertEqual(error.offset, 11)

    def test_unknown_error_code(self) -> None:
        pdu = _hex("a3 0b 02 01 05 02 01 02 a0 03 0a 01 01")
        error = self.assertRejected(pdu, ("returnError", "unrecognizedError"), 5, "error code 2")
        self.assertEqual(error.offset, 5)

    def test_mistyped_error_parameter(self) -> None:
        pdu = _hex("a3 08 02 01 05 02 01 01 05 00")
        self.assertRejected(pdu, ("returnError", "mistypedParameter"), 5, "universalFailure")

    def test_mistyped_rose_pdu(self) -> None:
        # an invoke whose first component is an OCTET STRING
        pdu = _hex("a1 07 04 01 01 02 02 00 d3")
        self.assertRejected(pdu, ("general", "mistypedPDU"), None, "invokeId")

    def test_unknown_first_octet(self) -> None:
        self.assertRejected(_hex("30 00"), ("general", "unrecognizedPDU"), None, "0x30")

    def test_bad_reject_is_never_answered(self) -> None:
        with self.assertRaises(DecodeError) as caught:
            apdu.decode(_hex("a4 06 02 01 05 89 01 01"))
        self.assertNotIsInstance(caught.exception, RejectableError)

    def test_empty(self) -> None:
        with self.assertRaises(DecodeError):
            apdu.decode(b"")

    def test_answers_to_unknown_invocations_decode(self) -> None:
        answers: list[apdu.APDU] = [
            ReturnResult(4242, Opcode.systemStatus, ("noData", None)),
            ReturnResult(4243),
            ReturnError(4244, 1, ("operation", "invalidDeviceID")),
            Reject(4245, ("returnResult", "unrecognizedInvocation")),
        ]
        for answer in answers:
            self.assertEqual(apdu.decode(apdu.encode(answer)), answer)


def _valid_pdus() -> list[bytes]:
    return [
        SYSTEM_STATUS,
        SYSTEM_STATUS_ANSWER,
        DEVICE_LIST_REQUEST,
        MONITOR_START,
        apdu.ACCEPTED_AARE,
        apdu.aarq("app", "secret"),
        apdu.return_error(1, "operation", "generic"),
    ]


class FuzzTests(SynchronousTestCase):
    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=60))
    def test_random_bytes_raise_only_decode_error(self, data: bytes) -> None:
        self._decode(data)

    @settings(max_examples=300, deadline=None)
    @given(st.sampled_from(_valid_pdus()), st.data())
    def test_damaged_pdus_raise_only_decode_error(self, pdu: bytes, data: Any) -> None:
        damaged = bytearray(pdu)
        for _ in range(data.draw(st.integers(1, 3))):
            damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
        self._decode(bytes(damaged))

    def _decode(self, data: bytes) -> None:
        try:
            decoded = apdu.decode(data)
        except DecodeError:
            return
        # Whatever decodes encodes again to something that decodes to the same value.
        self.assertEqual(apdu.decode(apdu.encode(decoded)), decoded)
