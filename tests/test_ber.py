"""The fast BER layer: what it accepts, what it reads, and the copies it splices."""

import dataclasses
import os
import re

from pyasn1.codec.ber import decoder as pyasn1_decoder
from pyasn1.codec.ber import encoder as pyasn1_encoder
from pyasn1.type import univ
from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import apdu
from ecsta.wire.ber import (
    EVENT_GROUPS,
    EVENT_NAMES,
    Kind,
    Peek,
    framed_with_invoke_id,
    linked_reply_route,
    peek,
    validate,
    with_cross_ref,
    with_invoke_id,
)
from ecsta.wire.errors import DecodeError
from ecsta.wire.framing import MAX_FRAME, frame
from ecsta.wire.opcodes import Opcode
from ecsta.wire.tlv import encode_integer, encode_length
from tests import ber_pdus as pdus
from tests.ber_pdus import oracle

SPEC_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "spec", "ecma-285")


def nested(levels: int) -> bytes:
    """``levels`` SEQUENCEs one inside the other around an INTEGER: levels + 1 TLV levels."""
    pdu = b"\x02\x01\x00"
    for _ in range(levels):
        pdu = b"\x30" + encode_length(len(pdu)) + pdu
    return pdu


class ValidateTests(SynchronousTestCase):
    def assertRejected(self, pdu: bytes, reason: str, offset: int | None = None) -> DecodeError:
        error = self.assertRaises(DecodeError, validate, pdu)
        self.assertIn(reason, error.reason)
        if offset is not None:
            self.assertEqual(error.offset, offset)
        return error

    def test_accepts_panasonic_pdus(self) -> None:
        for pdu in pdus.PANASONIC_PDUS:
            validate(pdu)

    def test_empty_input(self) -> None:
        self.assertRejected(b"", "empty PDU", 0)

    def test_every_truncation_is_rejected(self) -> None:
        for pdu in (pdus.AARQ, pdus.AARE, pdus.DEVICE_LIST_REQUEST, pdus.MONITOR_START):
            for size in range(1, len(pdu)):
                error = self.assertRaises(DecodeError, validate, pdu[:size])
                self.assertIsNotNone(error.offset)

    def test_trailing_garbage(self) -> None:
        self.assertRejected(pdus.ABRT + b"\x00", "1 trailing octet(s)", 5)
        self.assertRejected(pdus.SYSTEM_STATUS + pdus.ABRT, "5 trailing octet(s)", 14)

    def test_length_past_its_parent(self) -> None:
        # The INTEGER claims 3 octets inside a SEQUENCE that has 2 left, in a PDU that has 3.
        self.assertRejected(bytes.fromhex("30 05 30 02 02 03 00"), "runs past the end", 4)
        # Long form, past the end of the buffer.
        self.assertRejected(bytes.fromhex("30 82 01 00 02 01 00"), "runs past the end", 0)
        # Long-form length octets that the container does not hold.
        self.assertRejected(bytes.fromhex("30 03 02 84 00"), "runs past the end", 2)

    def test_indefinite_length(self) -> None:
        self.assertRejected(bytes.fromhex("30 80 02 01 01 00 00"), "indefinite length", 0)
        self.assertRejected(
            bytes.fromhex("a1 09 02 01 01 30 80 0a 01 02 00"), "indefinite length", 5
        )

    def test_reserved_length_octet(self) -> None:
        self.assertRejected(bytes.fromhex("30 ff 00"), "reserved length", 0)

    def test_end_of_contents_outside_indefinite_length(self) -> None:
        self.assertRejected(bytes.fromhex("30 04 02 01 01 00"), "end-of-contents", 5)
        self.assertRejected(bytes.fromhex("30 05 02 01 01 00 00"), "end-of-contents", 5)

    def test_nesting_limit(self) -> None:
        validate(nested(31))  # 32 levels of TLVs
        self.assertRejected(nested(32), "nesting deeper than 32 levels")
        validate(nested(3), max_depth=4)
        error = self.assertRaises(DecodeError, validate, nested(4), max_depth=4)
        self.assertIn("nesting deeper than 4 levels", error.reason)

    def test_nesting_limit_parameter(self) -> None:
        error = self.assertRaises(DecodeError, validate, nested(1), max_depth=1)
        self.assertIn("nesting deeper than 1 level", error.reason)
        validate(nested(1), max_depth=2)
        validate(b"\x02\x01\x00", max_depth=1)

    def test_non_minimal_lengths_are_accepted(self) -> None:
        # systemStatus with every length in a longer form than needed: BER allows it.
        pdu = bytes.fromhex("a1 82 00 11 02 81 01 01 02 02 00 d3 30 84 00 00 00 03 0a 01 02")
        validate(pdu)
        self.assertEqual(peek(pdu), peek(pdus.SYSTEM_STATUS))

    def test_high_tag_numbers(self) -> None:
        validate(bytes.fromhex("30 04 9f 1f 01 41"))  # [31], the first high number
        validate(bytes.fromhex("30 06 bf 26 03 02 01 05"))  # KME deviceList [38]
        validate(bytes.fromhex("30 06 bf 81 00 02 05 00"))  # [128]: two number octets

    def test_malformed_high_tag_numbers(self) -> None:
        self.assertRejected(bytes.fromhex("30 04 9f 80 1f 00"), "starts with a zero octet", 2)
        self.assertRejected(bytes.fromhex("30 03 9f 05 00"), "tag number 5 written", 2)
        self.assertRejected(bytes.fromhex("30 07 9f ff ff ff ff 7f 00"), "longer than 4", 2)
        self.assertRejected(bytes.fromhex("30 02 9f 81"), "runs past the end", 2)
        self.assertRejected(bytes.fromhex("30 03 9f 81 01"), "length octets missing", 2)

    def test_forms_x690_fixes(self) -> None:
        self.assertRejected(bytes.fromhex("30 05 22 03 02 01 01"), "constructed INTEGER", 2)
        self.assertRejected(bytes.fromhex("30 04 10 02 05 00"), "primitive SEQUENCE", 2)
        self.assertRejected(bytes.fromhex("30 04 01 02 ff ff"), "BOOLEAN with 2", 2)
        self.assertRejected(bytes.fromhex("30 03 05 01 00"), "NULL with 1", 2)
        self.assertRejected(bytes.fromhex("30 02 02 00"), "INTEGER with 0", 2)
        self.assertRejected(bytes.fromhex("30 02 0a 00"), "ENUMERATED with 0", 2)
        self.assertRejected(bytes.fromhex("02 00"), "INTEGER with 0", 0)
        self.assertRejected(bytes.fromhex("22 03 02 01 01"), "constructed INTEGER", 0)

    def test_primitive_contents_are_not_walked(self) -> None:
        # An OCTET STRING may hold anything, indefinite-looking bytes included.
        validate(bytes.fromhex("30 06 04 04 30 80 00 00"))


class PeekTests(SynchronousTestCase):
    def test_acse(self) -> None:
        for pdu, kind in (
            (pdus.AARQ, Kind.AARQ),
            (pdus.LENIENT_AARQ, Kind.AARQ),
            (pdus.AARE, Kind.AARE),
            (pdus.RLRQ, Kind.RLRQ),
            (pdus.RLRE, Kind.RLRE),
            (pdus.ABRT, Kind.ABRT),
        ):
            self.assertEqual(peek(pdu), Peek(kind, None, None, None, None, None))

    def test_rose(self) -> None:
        none = (None, None, None)
        cases = [
            (pdus.SYSTEM_STATUS, Peek(Kind.INVOKE, 1, 211, *none)),
            (pdus.SYSTEM_STATUS_RESULT, Peek(Kind.RETURN_RESULT, 1, 211, *none)),
            (pdus.DEVICE_LIST_REQUEST, Peek(Kind.INVOKE, 0x0602, 51, *none)),
            (pdus.MONITOR_START, Peek(Kind.INVOKE, 0x78, 71, *none)),
            (pdus.LINKED_INVOKE, Peek(Kind.INVOKE, 10, 71, *none)),
            (pdus.UNLINKED_INVOKE, Peek(Kind.INVOKE, 11, 71, *none)),
            (pdus.RESULT_WITHOUT_OPCODE, Peek(Kind.RETURN_RESULT, 9, None, *none)),
            (pdus.UNIVERSAL_FAILURE, Peek(Kind.RETURN_ERROR, 5, None, None, None, 1)),
            (pdus.REJECT, Peek(Kind.REJECT, 7, None, *none)),
            (pdus.REJECT_NULL_ID, Peek(Kind.REJECT, None, None, *none)),
        ]
        for pdu, expected in cases:
            self.assertEqual(peek(pdu), expected)

    def test_invoke_ids_of_any_size(self) -> None:
        for invoke_id in (0, 127, 128, -1, -129, 65535, 2**70, -(2**70)):
            content = encode_integer(invoke_id)
            body = (
                b"\x02"
                + encode_length(len(content))
                + content
                + b"\x02\x02\x00\xd3\x30\x03\x0a\x01\x02"
            )
            pdu = b"\xa1" + encode_length(len(body)) + body
            self.assertEqual(peek(pdu).invoke_id, invoke_id)

    def test_global_codes(self) -> None:
        # CSTA only uses local codes; a global one is reported as "no local code".
        invoke = bytes.fromhex("a1 08 02 01 01 06 03 2b 0c 00")
        self.assertEqual(peek(invoke), Peek(Kind.INVOKE, 1, None, None, None, None))
        error = bytes.fromhex("a3 08 02 01 01 06 03 2b 0c 00")
        self.assertEqual(peek(error), Peek(Kind.RETURN_ERROR, 1, None, None, None, None))

    def test_empty_input(self) -> None:
        self.assertEqual(self.assertRaises(DecodeError, peek, b"").offset, 0)

    def test_unknown_outer_tags_say_what_they_are_not(self) -> None:
        for first in (0x30, 0x65, 0x40, 0xA0, 0xA5, 0x02, 0x81):
            error = self.assertRaises(DecodeError, peek, bytes((first, 0)))
            self.assertIn(f"0x{first:02x} is neither an ACSE APDU", error.reason)
            self.assertIn("nor a ROSE PDU", error.reason)
            self.assertEqual(error.offset, 0)

    def test_truncated_and_trailing(self) -> None:
        for pdu in (pdus.SYSTEM_STATUS, pdus.AARQ, pdus.UNIVERSAL_FAILURE):
            for size in range(len(pdu)):
                self.assertRaises(DecodeError, peek, pdu[:size])
            error = self.assertRaises(DecodeError, peek, pdu + b"\x00")
            self.assertIn("1 trailing octet(s)", error.reason)
            self.assertEqual(error.offset, len(pdu))

    def test_bad_invoke_id(self) -> None:
        error = self.assertRaises(DecodeError, peek, bytes.fromhex("a1 05 30 03 02 01 01"))
        self.assertIn("invokeId must be INTEGER (0x02) or NULL (0x05), not 0x30", error.reason)
        self.assertEqual(error.offset, 2)
        self.assertRaises(DecodeError, peek, bytes.fromhex("a4 00"))
        self.assertRaises(DecodeError, peek, bytes.fromhex("a4 02 02 00"))
        self.assertRaises(DecodeError, peek, bytes.fromhex("a4 03 05 01 00"))

    def test_missing_or_bad_codes(self) -> None:
        error = self.assertRaises(DecodeError, peek, bytes.fromhex("a1 03 02 01 01"))
        self.assertIn("invoke opcode missing", error.reason)
        error = self.assertRaises(DecodeError, peek, bytes.fromhex("a3 06 02 01 01 04 01 01"))
        self.assertIn("errcode must be INTEGER", error.reason)
        error = self.assertRaises(DecodeError, peek, bytes.fromhex("a2 05 02 01 01 04 00"))
        self.assertIn("result must be a SEQUENCE", error.reason)
        self.assertRaises(DecodeError, peek, bytes.fromhex("a2 05 02 01 01 30 00"))

    def test_malformed_event_reports(self) -> None:
        head = "02 01 01 02 01 15"
        for argument, reason in (
            ("31 00", "argument must be a SEQUENCE"),
            ("30 00", "crossRefIdentifier (0x55) expected"),
            ("30 02 04 00", "crossRefIdentifier (0x55) expected"),
            ("30 02 55 00", "eventSpecificInfo missing"),
            ("30 04 55 00 80 00", "constructed context-specific"),
            ("30 04 55 00 a0 00", "holds no event"),
            ("30 06 55 00 a0 02 30 00", "event must be a context-specific tag"),
            ("30 06 55 00 a0 02 a4 05", "runs past the end"),
            ("30 05 55 00 a0 02 a4 00", "runs past the end"),
        ):
            body = bytes.fromhex(head + argument)
            pdu = b"\xa1" + encode_length(len(body)) + body
            error = self.assertRaises(DecodeError, peek, pdu)
            self.assertIn(reason, error.reason)
            self.assertRaises(DecodeError, with_cross_ref, pdu, b"\x01")

    def test_event_tags_are_read_in_any_form(self) -> None:
        # A vendor's [40] event in a [31] group: peek reports numbers it does not know.
        body = bytes.fromhex("02 01 01 02 01 15 30 0a 55 01 07 bf 1f 04 bf 28 01 00")
        pdu = b"\xa1" + encode_length(len(body)) + body
        self.assertEqual(peek(pdu), Peek(Kind.INVOKE, 1, 21, b"\x07", (31, 40), None))
        self.assertNotIn((31, 40), EVENT_NAMES)

    def test_event_report_without_argument(self) -> None:
        pdu = bytes.fromhex("a1 06 02 01 01 02 01 15")
        self.assertEqual(peek(pdu), Peek(Kind.INVOKE, 1, 21, None, None, None))
        self.assertRaises(DecodeError, with_cross_ref, pdu, b"\x01")


class LinkedReplyRouteTests(SynchronousTestCase):
    """The cross reference of a KME linked reply, read as the multiplexer routes it."""

    def segment(self, last: bool, register_id: bool = False) -> bytes:
        reply = {"crossRefID": b"\x00\x2a", "segmentID": 2, "lastSegment": last}
        argument: dict[str, object] = {
            "privateData": ("private", ("kmeSystemData", ("systemDataLinkedReply", reply)))
        }
        if register_id:
            argument = {"escapeRegisterID": b"\x01", **argument}
        return apdu.encode(apdu.Invoke(7, Opcode.escape, argument))

    def test_cross_reference_and_last_segment(self) -> None:
        self.assertEqual(linked_reply_route(self.segment(False)), (b"\x00\x2a", False))
        self.assertEqual(linked_reply_route(self.segment(True, True)), (b"\x00\x2a", True))

    def test_an_escape_without_a_linked_reply_has_no_route(self) -> None:
        request = bytes.fromhex("a11602020602020133300da40ba009a407a105a0030a0105")
        self.assertIsNone(linked_reply_route(request))
        self.assertIsNone(linked_reply_route(bytes.fromhex("a106020101020133")))
        self.assertIsNone(linked_reply_route(bytes.fromhex("a20b020101300602020133 0500")))


class EncodeTests(SynchronousTestCase):
    def test_lengths(self) -> None:
        for n, octets in (
            (0, "00"),
            (127, "7f"),
            (128, "81 80"),
            (255, "81 ff"),
            (256, "82 01 00"),
            (65535, "82 ff ff"),
            (65536, "83 01 00 00"),
        ):
            self.assertEqual(encode_length(n), bytes.fromhex(octets))
        self.assertRaises(ValueError, encode_length, -1)

    def test_lengths_match_pyasn1(self) -> None:
        for n in (0, 1, 127, 128, 200, 255, 256, 4000, 65535, 70000):
            encoded = pyasn1_encoder.encode(univ.OctetString(b"\x00" * n))
            self.assertEqual(encoded[1:-n] if n else encoded[1:], encode_length(n))

    def test_integers_are_minimal_twos_complement(self) -> None:
        values = [0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769]
        values += [2**63, -(2**63), 2**64 - 1, 10**30, -(10**30)]
        for value in values:
            content = encode_integer(value)
            # X.690 8.3.2: the fewest octets that hold the value in two's complement.
            size = next(n for n in range(1, 20) if -(1 << (8 * n - 1)) <= value < 1 << (8 * n - 1))
            self.assertEqual(content, value.to_bytes(size, "big", signed=True))
            decoded, rest = pyasn1_decoder.decode(b"\x02" + encode_length(len(content)) + content)
            self.assertEqual((int(decoded), rest), (value, b""))


class EventNamesTests(SynchronousTestCase):
    if not os.path.isdir(SPEC_DIR):
        skip = f"the ECMA-285 modules are not at {os.path.normpath(SPEC_DIR)}"

    def choices(self, text: str, name: str) -> dict[str, str]:
        """The alternatives of CHOICE ``name`` as {alternative name: tag number}."""
        body = re.search(name + r"\s*::=\s*CHOICE\s*\{(.*?)\}", text, re.S)
        assert body is not None, name
        return dict(re.findall(r"(\w+)\s*\[\s*(\d+)\s*\]", body.group(1)))

    def test_names_are_those_of_the_module(self) -> None:
        with open(os.path.join(SPEC_DIR, "event-report-definitions.asn1"), encoding="utf-8") as f:
            text = re.sub(r"--[^\n]*", "", f.read())
        groups = self.choices(text, "EventSpecificInfo")
        self.assertEqual({int(n): name for name, n in groups.items()}, dict(EVENT_GROUPS))
        expected = {}
        for group_name, group in groups.items():
            type_name = group_name[0].upper() + group_name[1:]
            for name, number in self.choices(text, type_name).items():
                expected[(int(group), int(number))] = name
        self.assertEqual(expected, dict(EVENT_NAMES))
        self.assertEqual(EVENT_NAMES[(0, 4)], "delivered")
        self.assertEqual(len(EVENT_NAMES), 74)


class ApduAgreementTests(SynchronousTestCase):
    """Peek and splice against the project's own full decoder."""

    def test_peek_agrees(self) -> None:
        for pdu in pdus.PANASONIC_PDUS:
            self.assertEqual(peek(pdu), pdus.apdu_peek(pdu), pdu.hex())

    def test_with_invoke_id_changes_only_the_invoke_id(self) -> None:
        for pdu in pdus.PANASONIC_PDUS:
            if pdu[0] < 0xA0:
                continue
            before = apdu.decode(pdu)
            assert isinstance(
                before, apdu.Invoke | apdu.ReturnResult | apdu.ReturnError | apdu.Reject
            )
            for invoke_id in (0, 300, -129, 2**40):
                after = apdu.decode(with_invoke_id(pdu, invoke_id))
                self.assertEqual(after, dataclasses.replace(before, invoke_id=invoke_id))

    def test_framed_with_invoke_id_is_the_spliced_pdu_framed(self) -> None:
        """What a router sends, spliced by slicing at the peek's position, is what walking to
        the invokeId makes, for ids of every width, framed or not, with the peek's position or
        without one (a peek made by hand)."""
        for pdu in pdus.PANASONIC_PDUS:
            if pdu[0] < 0xA0:
                continue
            seen = peek(pdu)
            self.assertGreater(seen.after_id, 0)
            for invoke_id in (0, 1, 127, 128, 255, 300, 0x7FFF, 0x8000, -129, 2**40):
                expected = frame(with_invoke_id(pdu, invoke_id))
                for known in (seen, dataclasses.replace(seen, after_id=0), None):
                    self.assertEqual(framed_with_invoke_id(pdu, invoke_id, known), expected)
                    self.assertEqual(with_invoke_id(pdu, invoke_id, known), expected[2:])

    def test_framed_with_invoke_id_refuses_what_no_frame_holds(self) -> None:
        argument = b"\x04\x82" + (MAX_FRAME - 14).to_bytes(2, "big") + bytes(MAX_FRAME - 14)
        body = b"\x02\x01\x01\x02\x01\x47" + argument
        pdu = b"\xa1\x82" + len(body).to_bytes(2, "big") + body
        frame(pdu)  # fits with a one-octet id
        for known in (peek(pdu), None):
            self.assertRaises(ValueError, framed_with_invoke_id, pdu, 300, known)

    def test_with_cross_ref_changes_only_the_cross_ref(self) -> None:
        before = apdu.decode(pdus.DELIVERED_KME)
        assert isinstance(before, apdu.Invoke)
        for cross_ref in (b"", bytes(range(200)), b"\x00\x00\x00\x2a"):
            after = apdu.decode(with_cross_ref(pdus.DELIVERED_KME, cross_ref))
            argument = dict(before.argument, crossRefIdentifier=cross_ref)
            self.assertEqual(after, dataclasses.replace(before, argument=argument))

    def test_peek_results_are_values(self) -> None:
        seen = peek(pdus.DELIVERED_KME)
        self.assertEqual(seen, Peek(Kind.INVOKE, 5, 21, b"\x00\x01", (0, 4), None))
        self.assertEqual(hash(seen), hash(Peek(Kind.INVOKE, 5, 21, b"\x00\x01", (0, 4), None)))
        self.assertEqual(
            repr(seen),
            "Peek(kind=<Kind.INVOKE: 'invoke'>, invoke_id=5, opcode=21,"
            " cross_ref=b'\\x00\\x01', event=(0, 4), errcode=None)",
        )


class OracleAgreementTests(SynchronousTestCase):
    """Peek and splice against the independent full decoder."""

    if oracle is None:
        skip = pdus.ORACLE_MISSING

    def samples(self) -> list[bytes]:
        return [*pdus.PANASONIC_PDUS, pdus.delivered_event(5, b"\x00\x01")]

    def test_the_kme_event_is_the_oracles_delivered_event_extended(self) -> None:
        extended = pdus.with_kme_extensions(pdus.delivered_event(5, b"\x00\x01"))
        self.assertEqual(extended, pdus.DELIVERED_KME)

    def test_peek_agrees(self) -> None:
        for pdu in self.samples():
            validate(pdu)
            if pdu is pdus.DELIVERED_KME:
                # The oracle reads the ROSE envelope only; its CSTAPrivateData has no KME.
                self.assertEqual(peek(pdu), Peek(Kind.INVOKE, 5, 21, b"\x00\x01", (0, 4), None))
                continue
            self.assertEqual(peek(pdu), pdus.oracle_peek(pdu), pdu.hex())

    def test_with_invoke_id_changes_only_the_invoke_id(self) -> None:
        for pdu in self.samples():
            if pdu[0] < 0xA0:
                self.assertRaises(DecodeError, with_invoke_id, pdu, 1)
                continue
            for invoke_id in (0, 1, 300, -5, 2**40):
                spliced = with_invoke_id(pdu, invoke_id)
                validate(spliced)
                pdus.assert_only_invoke_id_changed(self, pdus.rose_decode, pdu, spliced, invoke_id)
                self.assertEqual(peek(spliced).invoke_id, invoke_id)

    def test_cross_ref_of_zero_and_of_200_octets(self) -> None:
        for cross_ref in (b"", bytes(range(200))):
            pdu = pdus.delivered_event(3, cross_ref)
            self.assertEqual(peek(pdu), Peek(Kind.INVOKE, 3, 21, cross_ref, (0, 4), None))
            self.assertEqual(peek(pdu), pdus.oracle_peek(pdu))
            spliced = with_cross_ref(pdus.delivered_event(3, b"\x01\x02"), cross_ref)
            self.assertEqual(spliced, pdu)
            self.assertEqual(with_cross_ref(pdu, b"\x01\x02"), pdus.delivered_event(3, b"\x01\x02"))

    def test_with_cross_ref_changes_only_the_cross_ref(self) -> None:
        pdu = pdus.delivered_event(9, b"\x00\x00\x00\x2a")
        _, before = pdus.full_decode(pdu)
        for cross_ref in (b"", b"\xff", bytes(60), bytes(130), bytes(300)):
            spliced = with_cross_ref(pdu, cross_ref)
            validate(spliced)
            _, after = pdus.full_decode(spliced)
            argument = after.pop("argument")
            self.assertEqual(argument.pop("crossRefIdentifier"), cross_ref)
            expected = dict(before)
            expected_argument = dict(expected.pop("argument"))
            expected_argument.pop("crossRefIdentifier")
            self.assertEqual(argument, expected_argument)
            self.assertEqual(after, expected)

    def test_lengths_change_form_when_they_cross_127(self) -> None:
        # Outer content of exactly 127 octets; a two-octet invokeId makes it 128.
        pdu = pdus.delivered_event(5, bytes(59))
        self.assertEqual(pdu[:2], b"\xa1\x7f")
        spliced = with_invoke_id(pdu, 300)
        self.assertEqual(spliced[:3], b"\xa1\x81\x80")
        self.assertEqual(spliced, pdus.delivered_event(300, bytes(59)))
        self.assertEqual(with_invoke_id(spliced, 5), pdu)
        # The argument crosses too: both enclosing lengths grow a length octet.
        longer = with_cross_ref(pdu, bytes(70))
        self.assertEqual(longer[:3], b"\xa1\x81\x8b")
        self.assertEqual(longer, pdus.delivered_event(5, bytes(70)))
        self.assertEqual(with_cross_ref(longer, bytes(59)), pdu)

    def test_splices_keep_kme_private_data_byte_for_byte(self) -> None:
        pdu = pdus.DELIVERED_KME
        spliced = with_cross_ref(with_invoke_id(pdu, 1234), b"\x09" * 150)
        self.assertTrue(spliced.endswith(pdus.KME_EXTENSIONS))
        self.assertEqual(peek(spliced), Peek(Kind.INVOKE, 1234, 21, b"\x09" * 150, (0, 4), None))
        _, before = pdus.rose_decode(pdu)
        _, after = pdus.rose_decode(spliced)
        self.assertEqual(after["invokeId"], ("present", 1234))
        self.assertEqual(after["opcode"], before["opcode"])
        # 30 LL 55 02 00 01 | the event and its extensions, untouched.
        event = bytes(before["argument"])[6:]
        cross_ref = b"\x55\x81\x96" + b"\x09" * 150
        expected = b"\x30" + encode_length(len(cross_ref) + len(event)) + cross_ref + event
        self.assertEqual(bytes(after["argument"]), expected)

    def test_splices_keep_non_minimal_lengths_they_do_not_enclose(self) -> None:
        # eventSpecificInfo written with a long-form length the splice has no reason to touch.
        pdu = pdus.delivered_event(5, b"\x01")
        group = pdu.index(b"\xa0\x38\xa4")
        loose = pdu[:group] + b"\xa0\x81\x38" + pdu[group + 2 :]
        loose = b"\xa1" + encode_length(len(loose) - 2) + loose[2:]
        loose = loose.replace(b"\x30\x3d\x55", b"\x30\x3e\x55")
        validate(loose)
        self.assertEqual(pdus.full_decode(loose), pdus.full_decode(pdu))
        spliced = with_cross_ref(with_invoke_id(loose, 77), b"\x02\x02")
        self.assertIn(b"\xa0\x81\x38\xa4", spliced)
        self.assertEqual(
            pdus.full_decode(spliced), pdus.full_decode(pdus.delivered_event(77, b"\x02\x02"))
        )

    def test_splicing_refuses_what_has_no_such_field(self) -> None:
        self.assertRaises(DecodeError, with_invoke_id, b"", 1)
        self.assertRaises(DecodeError, with_invoke_id, pdus.AARQ, 1)
        self.assertRaises(DecodeError, with_invoke_id, pdus.ABRT + b"\x00", 1)
        self.assertRaises(DecodeError, with_cross_ref, b"", b"")
        self.assertRaises(DecodeError, with_cross_ref, pdus.SYSTEM_STATUS, b"\x01")
        self.assertRaises(DecodeError, with_cross_ref, pdus.SYSTEM_STATUS_RESULT, b"\x01")
        error = self.assertRaises(DecodeError, with_cross_ref, pdus.MONITOR_START, b"\x01")
        self.assertIn("operation 71 is not cSTAEventReport", error.reason)
