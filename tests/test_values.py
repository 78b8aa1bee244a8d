"""Plain values <-> pyasn1 objects <-> BER, on a small spec that uses every construct CSTA does."""

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyasn1.codec.ber import decoder as pyasn1_decoder
from pyasn1.codec.ber import encoder as pyasn1_encoder
from pyasn1.type import char, constraint, namedtype, namedval, tag, univ, useful
from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import values
from ecsta.wire.errors import DecodeError


def _ctx(number: int, constructed: bool = False) -> tag.Tag:
    return tag.Tag(
        tag.tagClassContext,
        tag.tagFormatConstructed if constructed else tag.tagFormatSimple,
        number,
    )


class Colour(univ.Enumerated):
    namedValues = namedval.NamedValues(("red", 0), ("green", 1), ("blue", 5))


class Small(univ.Integer):
    subtypeSpec = univ.Integer.subtypeSpec + constraint.ValueRangeConstraint(0, 10)


class Inner(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("number", univ.Integer().subtype(implicitTag=_ctx(0))),
        namedtype.NamedType("text", char.IA5String().subtype(implicitTag=_ctx(1))),
    )


class Tagged(univ.Choice):
    """An explicitly tagged CHOICE holding an untagged one, as CSTA's device ids do."""

    tagSet = univ.Choice.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 9)
    )
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("inner", Inner()),
        namedtype.NamedType("unknown", univ.Null().subtype(implicitTag=_ctx(7))),
    )


class Pair(univ.Set):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("a", univ.Integer().subtype(implicitTag=_ctx(0))),
        namedtype.OptionalNamedType("b", univ.Boolean().subtype(implicitTag=_ctx(1))),
    )


class Short(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("id", univ.Integer()),
        namedtype.OptionalNamedType("flag", univ.Boolean().subtype(implicitTag=_ctx(8))),
    )


class Filter(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.DefaultedNamedType(
            "bits", univ.BitString().subtype(implicitTag=_ctx(0)).clone(binValue="")
        ),
    )


class Holder(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("filter", Filter().subtype(implicitTag=_ctx(0, True))),
    )


class Record(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("id", univ.Integer()),
        namedtype.OptionalNamedType("flag", univ.Boolean().subtype(implicitTag=_ctx(8))),
        namedtype.DefaultedNamedType("colour", Colour("red")),
        namedtype.OptionalNamedType(
            "name", char.UTF8String().subtype(explicitTag=_ctx(9, constructed=True))
        ),
        namedtype.NamedType("inner", Inner()),
        namedtype.OptionalNamedType(
            "items",
            univ.SequenceOf(componentType=univ.OctetString()).subtype(
                implicitTag=_ctx(2, constructed=True)
            ),
        ),
        namedtype.OptionalNamedType("bits", univ.BitString()),
        namedtype.OptionalNamedType("oid", univ.ObjectIdentifier()),
        namedtype.OptionalNamedType("time", useful.GeneralizedTime()),
        namedtype.OptionalNamedType("nothing", univ.Null().subtype(implicitTag=_ctx(3))),
        namedtype.OptionalNamedType("open", univ.Any().subtype(explicitTag=_ctx(4, True))),
        namedtype.OptionalNamedType("device", Tagged()),
        namedtype.OptionalNamedType("pair", Pair().subtype(implicitTag=_ctx(5, True))),
        namedtype.OptionalNamedType("small", Small().subtype(implicitTag=_ctx(6))),
        namedtype.OptionalNamedType("tail", univ.Any()),
    )


class RecordWithoutTail(univ.Sequence):
    """Record less its untagged ANY: pyasn1's own decoder fails on a SEQUENCE that holds both a
    tagged and an untagged ANY (AttributeError on a PostponedError), so it is compared on this."""

    componentType = namedtype.NamedTypes(
        *(named for named in Record.componentType.namedTypes if named.name != "tail")
    )


RECORD_HEX = (
    "30 2b"
    " 02 01 07"  # id 7
    " 88 01 ff"  # flag TRUE
    " 0a 01 05"  # colour blue
    " a9 05 0c 03 c3 a9 65"  # name [9] EXPLICIT UTF8String "ée"
    " 81 02 31 30"  # inner text "10"
    " a2 04 04 00 04 00"  # items [b'', b'']
    " 03 02 04 f0"  # bits 1111 (4 bits)
    " 06 03 2b 0c 00"  # oid 1.3.12.0
    " 69 03 80 01 00"  # device [APPLICATION 9] inner number 0
    " 02 01 ff"  # tail: an INTEGER -1, carried as it is
)
RECORD_VALUE = {
    "id": 7,
    "flag": True,
    "colour": "blue",
    "name": "ée",
    "inner": ("text", "10"),
    "items": [b"", b""],
    "bits": (b"\xf0", 4),
    "oid": "1.3.12.0",
    "device": ("inner", ("number", 0)),
    "tail": b"\x02\x01\xff",
}


class KnownBytesTests(SynchronousTestCase):
    def test_decode_gives_plain_values(self) -> None:
        self.assertEqual(values.decode(Record, bytes.fromhex(RECORD_HEX)), RECORD_VALUE)

    def test_encode_gives_the_same_bytes(self) -> None:
        self.assertEqual(values.encode(Record, RECORD_VALUE).hex(), RECORD_HEX.replace(" ", ""))

    def test_any_nonzero_boolean_octet_is_true(self) -> None:
        self.assertEqual(values.decode(Short, bytes.fromhex("3006 020101 8801ff"))["flag"], True)

    def test_absent_default_is_filled_in(self) -> None:
        value = values.decode(Record, bytes.fromhex("3006 020101 800100"))
        self.assertEqual(value["colour"], "red")
        self.assertEqual(value["inner"], ("number", 0))
        self.assertNotIn("name", value)

    def test_pyasn1_objects_convert_both_ways(self) -> None:
        obj = values.from_value(Record, RECORD_VALUE)
        self.assertIsInstance(obj, Record)
        self.assertEqual(values.to_value(obj), RECORD_VALUE)
        self.assertEqual(values.decode(Record, pyasn1_encoder.encode(obj)), RECORD_VALUE)

    def test_absent_optional_record_stays_absent(self) -> None:
        # pyasn1's encoder writes "a0 00" here: the absent filter would become an empty one.
        self.assertEqual(values.encode(Holder, {}), b"\x30\x00")
        self.assertEqual(values.encode(Holder, {"filter": {}}), b"\x30\x02\xa0\x00")
        self.assertEqual(values.decode(Holder, b"\x30\x00"), {})

    def test_default_value_is_left_out(self) -> None:
        value = {"id": 1, "inner": ("number", 0), "colour": "red"}
        self.assertEqual(values.encode(Record, value).hex(), "3006020101800100")
        blue = {**value, "colour": "blue"}
        self.assertEqual(values.encode(Record, blue).hex(), "30090201010a0105800100")

    def test_high_tag_numbers(self) -> None:
        spec = univ.Integer().subtype(implicitTag=_ctx(200))
        self.assertEqual(values.encode(spec, 5).hex(), "9f81480105")
        self.assertEqual(values.decode(spec, bytes.fromhex("9f81480105")), 5)

    def test_bit_string_keeps_its_length_and_alignment(self) -> None:
        for bits, octets in (((b"\x80", 1), "03020780"), ((b"\x08\x00", 16), "0303000800")):
            self.assertEqual(values.encode(univ.BitString, bits).hex(), octets)
            self.assertEqual(values.decode(univ.BitString, bytes.fromhex(octets)), bits)

    def test_enumerated_number_without_a_name_stays_a_number(self) -> None:
        self.assertEqual(values.decode(Colour, b"\x0a\x01\x03"), 3)
        self.assertEqual(values.encode(Colour, 3), b"\x0a\x01\x03")

    def test_set_components_in_any_order(self) -> None:
        spec = Pair()
        self.assertEqual(
            values.decode(spec, bytes.fromhex("3106 8101ff 800102")), {"a": 2, "b": True}
        )

    def test_constructed_octet_string(self) -> None:
        data = bytes.fromhex("2408 0402 6162 0402 6364")
        self.assertEqual(values.decode(univ.OctetString, data), b"abcd")

    def test_open_type_offsets(self) -> None:
        located: dict[str, int] = {}
        data = bytes.fromhex(RECORD_HEX)
        values.decode(Record, data, path="rec", offset=100, open_types=located)
        self.assertEqual(located, {"rec.tail": 100 + len(data) - 3})


class FromValueErrorTests(SynchronousTestCase):
    def assertFails(self, value: Any, *fragments: str) -> None:
        with self.assertRaises(ValueError) as caught:
            values.from_value(Record, value, "makeCall")
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))

    def test_wrong_python_type_names_the_field(self) -> None:
        self.assertFails({"id": "7", "inner": ("number", 1)}, "makeCall.id: expected int")
        self.assertFails(
            {"id": 7, "inner": ("text", b"x")}, "makeCall.inner.text: expected str", "bytes"
        )
        self.assertFails({"id": True, "inner": ("number", 1)}, "makeCall.id: expected int")

    def test_unknown_component(self) -> None:
        self.assertFails({"id": 1, "inner": ("number", 1), "idd": 2}, "unknown component 'idd'")

    def test_missing_mandatory_component(self) -> None:
        self.assertFails({"inner": ("number", 1)}, "makeCall: mandatory component 'id' missing")

    def test_unknown_alternative(self) -> None:
        self.assertFails({"id": 1, "inner": ("colour", 1)}, "'colour' is not one of", "number")

    def test_bad_enumeration_name(self) -> None:
        self.assertFails(
            {"id": 1, "inner": ("number", 1), "colour": "pink"}, "makeCall.colour", "'pink'"
        )

    def test_text_the_string_type_cannot_carry(self) -> None:
        self.assertFails({"id": 1, "inner": ("text", "é")}, "makeCall.inner.text", "IA5String")

    def test_bit_string_length_mismatch(self) -> None:
        self.assertFails({"id": 1, "inner": ("number", 1), "bits": (b"\x00\x00", 3)}, "bits")

    def test_constraint(self) -> None:
        self.assertFails({"id": 1, "inner": ("number", 1), "small": 11}, "makeCall.small")

    def test_sequence_of_item_path(self) -> None:
        self.assertFails({"id": 1, "inner": ("number", 1), "items": [b"", 5]}, "items[1]")


class DecodeErrorTests(SynchronousTestCase):
    def assertFails(self, hex_bytes: str, offset: int | None, *fragments: str) -> None:
        with self.assertRaises(DecodeError) as caught:
            values.decode(Record, bytes.fromhex(hex_bytes), path="rec")
        self.assertEqual(caught.exception.offset, offset)
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))

    def test_truncated(self) -> None:
        self.assertFails("3006 020101 8001", 0, "rec", "runs past the end")

    def test_trailing_bytes(self) -> None:
        self.assertFails("3006 020101 800100 0000", 8, "2 octet(s) after the end")

    def test_wrong_tag_names_what_was_expected(self) -> None:
        self.assertFails("3003 0401 00", 2, "rec", "id (INTEGER) missing, found OCTET STRING")

    def test_missing_at_the_end(self) -> None:
        self.assertFails("3003 020101", 5, "inner (one of number, text) missing at the end")

    def test_unexpected_component(self) -> None:
        with self.assertRaises(DecodeError) as caught:
            values.decode(Short, bytes.fromhex("3008 020101 8f00 880100"))
        self.assertEqual(caught.exception.offset, 5)
        self.assertIn("Short: unexpected [15]: not a component of Short", str(caught.exception))

    def test_out_of_order_component(self) -> None:
        with self.assertRaises(DecodeError) as caught:
            values.decode(Short, bytes.fromhex("3006 880100 020101"))
        self.assertEqual(caught.exception.offset, 2)
        self.assertIn("id (INTEGER) missing, found [8]", str(caught.exception))

    def test_inner_field_error_has_path_and_offset(self) -> None:
        self.assertFails(
            "300a 020101 800100 6902 8200", 10, "rec.device: [2] is not one of inner, unknown"
        )
        self.assertFails(
            "300a 020101 a903 020101 800100", 7, "rec.name: expected UTF8String inside [9]"
        )

    def test_primitive_that_must_be_constructed(self) -> None:
        self.assertFails("3008 020101 800100 8200", 8, "rec.items", "must be constructed")

    def test_integer_without_content(self) -> None:
        self.assertFails("3002 0200", 2, "rec.id", "no content")

    def test_constraint_violation(self) -> None:
        self.assertFails("3009 020101 800100 86010b", 8, "rec.small", "not allowed")

    def test_bad_boolean_and_null(self) -> None:
        self.assertFails("3007 020101 88020000", 5, "rec.flag", "BOOLEAN with 2")
        self.assertFails("3009 020101 800100 830100", 8, "rec.nothing", "NULL with 1")

    def test_empty_input(self) -> None:
        with self.assertRaises(DecodeError):
            values.decode(Record, b"")

    def test_bad_text(self) -> None:
        with self.assertRaises(DecodeError) as caught:
            values.decode(char.IA5String, b"\x16\x01\xff", path="number")
        self.assertIn("number", str(caught.exception))


def _plain(spec: Any) -> st.SearchStrategy[Any]:
    """Plain values of ``spec``: a generator that follows the spec, as users' values do."""
    if isinstance(spec, univ.Choice):
        return st.one_of(
            [
                st.tuples(st.just(named.name), _plain(named.asn1Object))
                for named in spec.componentType.namedTypes
            ]
        )
    if isinstance(spec, univ.SequenceOf | univ.SetOf):
        return st.lists(_plain(spec.componentType), max_size=3)
    if isinstance(spec, univ.Sequence | univ.Set):
        required: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for named in spec.componentType.namedTypes:
            target = required if not named.isOptional else optional
            target[named.name] = _plain(named.asn1Object)
        return st.fixed_dictionaries(required, optional=optional)
    if isinstance(spec, univ.Null):
        return st.none()
    if isinstance(spec, univ.Any):
        return st.integers(-300, 300).map(lambda n: values.encode(univ.Integer, n))
    if isinstance(spec, useful.GeneralizedTime):
        return st.from_regex(r"20[0-9]{12}", fullmatch=True)
    if isinstance(spec, char.IA5String):
        return st.text(st.characters(max_codepoint=127), max_size=8)
    if isinstance(spec, char.UTF8String):
        return st.text(max_size=8)
    if isinstance(spec, univ.OctetString):
        return st.binary(max_size=8)
    if isinstance(spec, univ.Boolean):
        return st.booleans()
    if isinstance(spec, univ.Enumerated):
        return st.sampled_from(list(spec.namedValues.keys()))
    if isinstance(spec, Small):
        return st.integers(0, 10)
    if isinstance(spec, univ.Integer):
        return st.integers(-(2**70), 2**70)
    if isinstance(spec, univ.BitString):
        return st.binary(max_size=4).flatmap(
            lambda octets: st.integers(max(0, 8 * len(octets) - 7), 8 * len(octets)).map(
                lambda bits: (_clear_unused(octets, bits), bits)
            )
        )
    if isinstance(spec, univ.ObjectIdentifier):
        return st.tuples(
            st.integers(0, 2), st.integers(0, 39), st.lists(st.integers(0, 2**40), max_size=4)
        ).map(lambda arcs: ".".join(map(str, [arcs[0], arcs[1], *arcs[2]])))
    raise AssertionError(f"no strategy for {spec!r}")


def _clear_unused(octets: bytes, bits: int) -> bytes:
    if not octets or bits % 8 == 0:
        return octets
    return octets[:-1] + bytes([octets[-1] & (0xFF << (8 - bits % 8)) & 0xFF])


class RoundTripTests(SynchronousTestCase):
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_plain(Record()))
    def test_encode_then_decode_gives_the_value_back(self, value: dict[str, Any]) -> None:
        data = values.encode(Record, value)
        self.assertEqual(values.decode(Record, data), value)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_plain(RecordWithoutTail()))
    def test_decode_agrees_with_pyasn1(self, value: dict[str, Any]) -> None:
        data = values.encode(RecordWithoutTail, value)
        obj, rest = pyasn1_decoder.decode(data, asn1Spec=RecordWithoutTail())
        self.assertEqual(rest, b"")
        self.assertEqual(values.to_value(obj), values.decode(RecordWithoutTail, data))

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=40))
    def test_any_bytes_decode_or_raise_decode_error(self, data: bytes) -> None:
        try:
            values.decode(Record, data)
        except DecodeError:
            pass

    @settings(max_examples=200, deadline=None)
    @given(st.data())
    def test_damaged_encodings_raise_only_decode_error(self, data: st.DataObject) -> None:
        value = data.draw(_plain(Record()))
        encoded = bytearray(values.encode(Record, value))
        index = data.draw(st.integers(0, len(encoded) - 1))
        encoded[index] = data.draw(st.integers(0, 255))
        try:
            values.decode(Record, bytes(encoded))
        except DecodeError:
            pass
