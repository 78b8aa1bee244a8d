"""Random PDUs: peek and splice agree with a full decoder, and bad bytes only raise DecodeError.

Operations, their arguments and results, and every event kind of the standard come from the
ECMA-285 oracle's own specification, so the PDUs cover far more than Panasonic sends today.
"""

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from ecsta.link.seen import Seen
from ecsta.wire import apdu
from ecsta.wire.ber import (
    ROSE_KINDS,
    Kind,
    Peek,
    peek,
    validate,
    with_cross_ref,
    with_invoke_id,
)
from ecsta.wire.errors import DecodeError
from ecsta.wire.tlv import encode_length
from tests import ber_pdus as pdus
from tests.ber_pdus import oracle

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

if oracle is not None:
    ARGUMENTS = pdus.operation_pools("argument")
    RESULTS = pdus.operation_pools("result")
    EVENTS = pdus.event_pools()
else:
    ARGUMENTS = RESULTS = {}
    EVENTS = {}

invoke_ids = st.one_of(
    st.integers(-(2**15), 2**16),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 127, 128, -128, -129, 255, 256, 32767, 32768, -32769]),
)
cross_refs = st.one_of(st.binary(max_size=8), st.binary(min_size=100, max_size=300))


@st.composite
def operation_pdus(draw: st.DrawFn) -> bytes:
    """Invokes, results, errors and rejects of random operations with encodable contents."""
    invoke_id = draw(invoke_ids)
    shape = draw(st.sampled_from(["invoke", "returnResult", "returnError", "reject"]))
    if shape == "invoke":
        code = draw(st.sampled_from(sorted(ARGUMENTS)))
        linked = draw(st.sampled_from([None, ("absent", None), ("present", 7), ("present", -300)]))
        return pdus.invoke(invoke_id, code, draw(st.sampled_from(ARGUMENTS[code])), linked)
    if shape == "returnResult":
        code = draw(st.sampled_from(sorted(RESULTS)))
        return pdus.result(invoke_id, code, draw(st.sampled_from(RESULTS[code])))
    assert oracle is not None
    if shape == "returnError":
        failure = draw(
            st.sampled_from(
                [
                    ("operation", "generic"),
                    ("operation", "invalidDeviceID"),
                    ("stateIncompatibility", "invalidObjectState"),
                    ("systemResourceAvailability", "resourceBusy"),
                    ("unspecified", None),
                ]
            )
        )
        return bytes(oracle.encode_error(invoke_id, failure))
    problem = (draw(st.sampled_from(["general", "invoke", "returnResult", "returnError"])), 1)
    return bytes(oracle.encode_reject(invoke_id, problem))


@st.composite
def event_pdus(draw: st.DrawFn) -> tuple[bytes, bytes, tuple[int, int]]:
    """(cSTAEventReport invoke, its cross reference, its (group, event)) of any event kind."""
    assert oracle is not None
    key = draw(st.sampled_from(sorted(EVENTS)))
    specific = draw(st.sampled_from(EVENTS[key]))
    cross_ref = draw(cross_refs)
    argument = pdus.event_value(cross_ref, specific)
    return bytes(oracle.encode_invoke(draw(invoke_ids), 21, argument)), cross_ref, key


class OracleFuzzTests(SynchronousTestCase):
    if oracle is None:
        skip = pdus.ORACLE_MISSING

    def test_the_pools_cover_the_standard(self) -> None:
        assert oracle is not None
        self.assertEqual(set(ARGUMENTS), set(oracle.operations()) - {21})
        self.assertEqual(len(EVENTS), 74)

    @FAST
    @given(operation_pdus(), invoke_ids)
    def test_operations(self, pdu: bytes, new_id: int) -> None:
        validate(pdu)
        self.assertEqual(peek(pdu), pdus.oracle_peek(pdu))
        self.assertEqual(peek(pdu), pdus.apdu_peek(pdu))
        spliced = with_invoke_id(pdu, new_id)
        validate(spliced)
        self.assertEqual(peek(spliced), pdus.oracle_peek(spliced))
        decoded = apdu.decode(pdu)
        assert isinstance(decoded, apdu.Invoke | apdu.ReturnResult | apdu.ReturnError | apdu.Reject)
        self.assertEqual(apdu.decode(spliced), dataclasses.replace(decoded, invoke_id=new_id))
        pdus.assert_only_invoke_id_changed(self, pdus.full_decode, pdu, spliced, new_id)

    @FAST
    @given(event_pdus(), cross_refs, invoke_ids)
    def test_event_reports(
        self, event: tuple[bytes, bytes, tuple[int, int]], new_ref: bytes, new_id: int
    ) -> None:
        pdu, cross_ref, key = event
        validate(pdu)
        seen = peek(pdu)
        self.assertEqual(seen, pdus.oracle_peek(pdu))
        self.assertEqual(seen, pdus.apdu_peek(pdu))
        self.assertEqual((seen.cross_ref, seen.event), (cross_ref, key))
        _, before = pdus.full_decode(pdu)

        spliced = with_cross_ref(pdu, new_ref)
        validate(spliced)
        self.assertEqual(peek(spliced), Peek(Kind.INVOKE, seen.invoke_id, 21, new_ref, key, None))
        _, after = pdus.full_decode(spliced)
        argument = dict(after.pop("argument"))
        self.assertEqual(argument.pop("crossRefIdentifier"), new_ref)
        expected_argument = dict(before.pop("argument"))
        expected_argument.pop("crossRefIdentifier")
        self.assertEqual(argument, expected_argument)
        self.assertEqual(after, before)
        decoded = apdu.decode(pdu)
        assert isinstance(decoded, apdu.Invoke)
        self.assertEqual(
            apdu.decode(spliced),
            dataclasses.replace(
                decoded, argument=dict(decoded.argument, crossRefIdentifier=new_ref)
            ),
        )

        assert seen.invoke_id is not None
        both = with_invoke_id(spliced, new_id)
        self.assertEqual(peek(both), Peek(Kind.INVOKE, new_id, 21, new_ref, key, None))
        self.assertEqual(with_cross_ref(with_invoke_id(both, seen.invoke_id), cross_ref), pdu)

    @FAST
    @given(st.data())
    def test_mutated_pdus(self, data: st.DataObject) -> None:
        pdu = data.draw(st.one_of(operation_pdus(), event_pdus().map(lambda e: e[0])))
        mutated = bytearray(pdu)
        for _ in range(data.draw(st.integers(1, 3))):
            where = data.draw(st.integers(0, max(len(mutated) - 1, 0)))
            how = data.draw(st.sampled_from(["set", "insert", "delete", "truncate"]))
            if how == "set" and mutated:
                mutated[where] = data.draw(st.integers(0, 255))
            elif how == "insert":
                mutated.insert(where, data.draw(st.integers(0, 255)))
            elif how == "delete" and mutated:
                del mutated[where]
            else:
                del mutated[where:]
        raw = bytes(mutated)
        checks_only_raise_decode_errors(raw, data.draw(invoke_ids), data.draw(cross_refs))
        try:
            validate(raw)
            seen = peek(raw)
        except DecodeError:
            return
        # What still decodes fully must show the same routing fields.
        try:
            project = pdus.apdu_peek(raw)
        except DecodeError:
            pass
        else:
            self.assertEqual(seen, project, raw.hex())
        try:
            reference = pdus.oracle_peek(raw)
        except Exception:  # the oracle refuses what its strict decoder cannot read
            return
        self.assertEqual(seen, reference, raw.hex())

    @FAST
    @given(st.data())
    def test_a_repeat_is_peeked_at_as_the_walk_would(self, data: st.DataObject) -> None:
        """A memory of well-formed PDUs reads a repeat no further than its invokeId: what it
        finds is what the full walk finds, and a mutated header is never taken for a repeat
        unless the whole PDU is well-formed."""
        pdu = data.draw(st.one_of(operation_pdus(), event_pdus().map(lambda e: e[0])))
        validate(pdu)
        known = Seen(ROSE_KINDS, max_entries=4, max_body=1 << 16)
        known.remember(pdu, peek(pdu))
        new_id = data.draw(invoke_ids)
        again = with_invoke_id(pdu, new_id)
        repeat = known.peek(again)
        if len(again) <= 0x81 and -0x8000 <= new_id < 0x8000 and peek(pdu).invoke_id is not None:
            self.assertIsNotNone(repeat)
        mutated = bytearray(again)
        for _ in range(data.draw(st.integers(0, 2))):
            where = data.draw(st.integers(0, min(len(mutated), 8) - 1))
            mutated[where] = data.draw(st.integers(0, 255))
        raw = bytes(mutated)
        repeat = known.peek(raw)
        if repeat is not None:
            validate(raw)
            full = peek(raw)
            self.assertEqual((repeat, repeat.after_id), (full, full.after_id), raw.hex())


def checks_only_raise_decode_errors(raw: bytes, new_id: int, new_ref: bytes) -> None:
    """Run every entry point on ``raw``; anything but DecodeError escapes and fails the test."""
    for call in (
        lambda: validate(raw),
        lambda: validate(raw, max_depth=3),
        lambda: peek(raw),
        lambda: with_invoke_id(raw, new_id),
        lambda: with_cross_ref(raw, new_ref),
    ):
        try:
            call()
        except DecodeError as error:
            assert error.offset is None or 0 <= error.offset <= len(raw), error


KINDS = {
    0x60: Kind.AARQ,
    0x61: Kind.AARE,
    0x62: Kind.RLRQ,
    0x63: Kind.RLRE,
    0x64: Kind.ABRT,
    0xA1: Kind.INVOKE,
    0xA2: Kind.RETURN_RESULT,
    0xA3: Kind.RETURN_ERROR,
    0xA4: Kind.REJECT,
}


def tlv(identifier: bytes, content: bytes) -> bytes:
    return identifier + encode_length(len(content)) + content


@st.composite
def trees(draw: st.DrawFn, levels: int = 6) -> tuple[bytes, int]:
    """A well-formed TLV tree with high and low tags and both length forms, and its depth."""
    if levels == 1 or draw(st.booleans()):
        identifier = draw(st.sampled_from([b"\x04", b"\x80", b"\x9f\x1f", b"\x9f\x81\x00"]))
        return tlv(identifier, draw(st.binary(max_size=140))), 1
    children = draw(st.lists(trees(levels - 1), max_size=3))
    identifier = draw(st.sampled_from([b"\x30", b"\xa1", b"\x7e", b"\xbf\x26"]))
    content = b"".join(child for child, _ in children)
    return tlv(identifier, content), 1 + max((d for _, d in children if content), default=0)


class RandomBytesTests(SynchronousTestCase):
    @settings(max_examples=400, deadline=None)
    @given(st.binary(max_size=64), invoke_ids, cross_refs)
    def test_random_bytes(self, raw: bytes, new_id: int, new_ref: bytes) -> None:
        checks_only_raise_decode_errors(raw, new_id, new_ref)

    @settings(max_examples=400, deadline=None)
    @given(st.sampled_from([*sorted(KINDS), 0x30, 0x65, 0xA0]), st.binary(max_size=48))
    def test_random_contents_behind_a_tag(self, tag: int, content: bytes) -> None:
        raw = bytes((tag, len(content))) + content
        checks_only_raise_decode_errors(raw, 1, b"\x01")
        try:
            seen = peek(raw)
        except DecodeError:
            return
        self.assertEqual(seen.kind, KINDS[tag])

    @settings(max_examples=200, deadline=None)
    @given(trees())
    def test_well_formed_trees_are_accepted_to_their_depth(self, tree: tuple[bytes, int]) -> None:
        encoded, depth = tree
        validate(encoded, max_depth=depth)
        if depth > 1:
            self.assertRaises(DecodeError, validate, encoded, max_depth=depth - 1)
