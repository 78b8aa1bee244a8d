"""The CSTA pyasn1 specs and the operations table, checked against the ECMA-285 oracle.

For every operation of the table, a realistic argument and result (see ``asn1_samples``) must
encode with ecsta's specs to exactly the bytes the oracle produces from the ECMA-285 module
text, and those bytes must decode, with ecsta's decoder and with pyasn1's own, to the value the
oracle reads from them. The same holds for every event ecsta handles, carried in a
CSTAEventReportArgument.
"""

from typing import Any

from pyasn1.codec.ber import decoder as pyasn1_decoder
from pyasn1.type.base import Asn1Item
from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import operations, values
from ecsta.wire.asn1 import events, monitor, system
from ecsta.wire.asn1.error import ERRORS_BY_CODE, ERRORS_BY_NAME, UniversalFailure
from ecsta.wire.errors import DecodeError
from ecsta.wire.opcodes import Opcode
from tests import asn1_samples as samples
from tests.asn1_support import from_oracle, load_oracle, to_oracle

oracle, oracle_missing = load_oracle()


def contains(whole: Any, part: Any) -> bool:
    """True if ``whole`` holds every component of ``part`` (it may also hold defaults)."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(
            key in whole and contains(whole[key], item) for key, item in part.items()
        )
    if isinstance(part, list):
        return (
            isinstance(whole, list)
            and len(whole) == len(part)
            and all(contains(w, p) for w, p in zip(whole, part, strict=True))
        )
    if isinstance(part, tuple) and len(part) == 2 and isinstance(part[0], str):
        return isinstance(whole, tuple) and whole[0] == part[0] and contains(whole[1], part[1])
    return bool(whole == part)


class OracleCase(SynchronousTestCase):
    if oracle is None:
        skip = oracle_missing

    def assertMatchesOracle(self, spec: type[Asn1Item], value: Any) -> bytes:
        """``value`` encodes as the oracle encodes it, and decodes back as the oracle reads it."""
        assert oracle is not None
        name = spec.__name__
        ours = values.encode(spec, value)
        reference = oracle.encode_type(name, to_oracle(spec, value))
        self.assertEqual(ours.hex(" "), reference.hex(" "), f"{name}: encodings differ")
        expected = from_oracle(spec, oracle.decode_type(name, reference))
        self.assertTrue(contains(expected, value), f"{name}: the oracle reads {expected!r}")
        self.assertEqual(values.decode(spec, reference), expected)
        decoded, rest = pyasn1_decoder.decode(reference, asn1Spec=spec())
        self.assertEqual(rest, b"")
        self.assertEqual(values.to_value(decoded), expected)
        return ours


class OperationTableTests(OracleCase):
    def test_codes_names_and_types_match_the_modules(self) -> None:
        """Every opcode, name and type in the table is the one its ECMA-285 module defines."""
        assert oracle is not None
        reference = oracle.operations()
        self.assertEqual(sorted(operations.BY_CODE), sorted(reference))
        for code, op in operations.BY_CODE.items():
            module_op = reference[code]
            self.assertEqual(op.name, module_op.name)
            self.assertEqual(op.argument.__name__, module_op.argument)
            self.assertEqual(None if op.result is None else op.result.__name__, module_op.result)

    def test_samples_cover_every_operation(self) -> None:
        """Every operation has a sample; cSTAEventReport's are the events."""
        self.assertEqual(set(samples.OPERATIONS) | {"cSTAEventReport"}, set(operations.BY_NAME))
        self.assertNotIn("cSTAEventReport", samples.OPERATIONS)


class LookupTests(SynchronousTestCase):
    def test_by_code_and_by_name(self) -> None:
        make_call = operations.lookup(Opcode.makeCall)
        self.assertIs(operations.lookup("makeCall"), make_call)
        self.assertEqual(make_call.name, "makeCall")
        self.assertTrue(make_call.answered)
        self.assertEqual(make_call.errors, ("universalFailure",))

    def test_event_report_is_never_answered_and_has_no_errors(self) -> None:
        report = operations.lookup("cSTAEventReport")
        self.assertEqual(report.code, 21)
        self.assertIs(report.argument, events.CSTAEventReportArgument)
        self.assertIsNone(report.result)
        self.assertFalse(report.answered)
        self.assertEqual(report.errors, ())

    def test_every_other_operation_is_answered(self) -> None:
        answered = {op.name for op in operations.OPERATIONS if op.answered}
        self.assertEqual(answered, set(operations.BY_NAME) - {"cSTAEventReport"})

    def test_unknown_code(self) -> None:
        with self.assertRaises(KeyError) as caught:
            operations.lookup(999)
        self.assertIn("999", str(caught.exception))

    def test_unknown_name_suggests_the_value_reference(self) -> None:
        with self.assertRaises(KeyError) as caught:
            operations.lookup("singleStepTransfer")
        self.assertIn("singleStepTrans", str(caught.exception))

    def test_errors_named_by_operations_are_in_the_errcode_table(self) -> None:
        for op in operations.OPERATIONS:
            for error in op.errors:
                self.assertIn(error, ERRORS_BY_NAME)
        self.assertIs(ERRORS_BY_CODE[1].parameter, UniversalFailure)
        self.assertEqual(ERRORS_BY_CODE[1].name, "universalFailure")


class OperationValueTests(OracleCase):
    """One test per operation: its argument and its result against the oracle."""


def _operation_test(name: str) -> Any:
    def test(self: OracleCase) -> None:
        op = operations.lookup(name)
        argument, result = samples.OPERATIONS[name]
        self.assertMatchesOracle(op.argument, argument)
        if op.result is None:
            self.assertIsNone(result)
        else:
            self.assertMatchesOracle(op.result, result)

    test.__doc__ = f"{name}: argument and result encode and decode as ECMA-285 defines them."
    return test


for _name in samples.OPERATIONS:
    setattr(OperationValueTests, f"test_{_name}", _operation_test(_name))


class EventValueTests(OracleCase):
    """One test per event: the event in a CSTAEventReportArgument against the oracle."""


def _event_test(name: str) -> Any:
    def test(self: OracleCase) -> None:
        group, alternative, event = samples.EVENTS[name]
        report = {
            "crossRefIdentifier": b"\x00\x00\x00\x2a",
            "eventSpecificInfo": (group, (alternative, event)),
        }
        self.assertMatchesOracle(events.CSTAEventReportArgument, report)

    test.__doc__ = f"{name}: the event report encodes and decodes as ECMA-285 defines it."
    return test


for _name in samples.EVENTS:
    setattr(EventValueTests, f"test_{_name}", _event_test(_name))


class PanasonicBytesTests(SynchronousTestCase):
    """PDUs as a Panasonic PBX and its clients send them decode and re-encode unchanged."""

    def assertRoundTrip(self, spec: type[Asn1Item], hex_bytes: str) -> Any:
        data = bytes.fromhex(hex_bytes)
        value = values.decode(spec, data)
        self.assertEqual(values.encode(spec, value).hex(" "), data.hex(" "))
        return value

    def test_monitor_start_argument(self) -> None:
        """The MonitorStart of a device by number, with the empty filter (all events)."""
        value = self.assertRoundTrip(
            monitor.MonitorStartArgument, "30 09 30 05 80 03 31 30 31 a0 00"
        )
        self.assertEqual(value["monitorObject"], ("deviceObject", samples.dialing("101")))
        self.assertEqual(set(value["requestedMonitorFilter"].values()), {(b"", 0)})

    def test_keep_alive_argument(self) -> None:
        value = self.assertRoundTrip(system.SystemStatusArg, "30 03 0a 01 02")
        self.assertEqual(value, {"systemStatus": "normal"})

    def test_keep_alive_result(self) -> None:
        value = self.assertRoundTrip(system.SystemStatusRes, "05 00")
        self.assertEqual(value, ("noData", None))

    def test_operation_error_generic(self) -> None:
        """PROTOCOL.md's "operations error - generic": operation [0] generic(1)."""
        value = self.assertRoundTrip(UniversalFailure, "a0 03 0a 01 01")
        self.assertEqual(value, ("operation", "generic"))

    def test_truncated_event_is_a_decode_error(self) -> None:
        data = bytes.fromhex("30 0a 55 01 2a a0 05 a4 03 6b 01")
        with self.assertRaises(DecodeError):
            values.decode(events.CSTAEventReportArgument, data)
