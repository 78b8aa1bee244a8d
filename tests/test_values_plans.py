"""The BER decoder of ecsta.wire.values against the spec walker it replaced.

``ecsta.wire.values.decode`` compiles each spec into a plan (:mod:`ecsta.wire.plans`) instead
of walking the pyasn1 spec for every PDU. It must give exactly what the walker gave: the same
value, the same open-type offsets, or the same error with the same message and offset. The
walker is kept below, as it was but for the tag names it shares with the plans, as the
reference; the PDUs are the CSTA samples, whole ROSE and ACSE PDUs, Panasonic's KME private
data and a small spec that uses every construct, each as encoded and damaged at random.
"""

import copy
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, NoReturn

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyasn1.error import PyAsn1Error
from pyasn1.type import char, constraint, namedtype, univ
from pyasn1.type.base import Asn1Item
from pyasn1.type.tag import Tag
from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import apdu, operations, plans, values
from ecsta.wire.asn1 import acse, escape, events, rose
from ecsta.wire.errors import DecodeError
from ecsta.wire.tlv import encode_length, read_tlv, tag_number
from ecsta.wire.values import Spec, to_value
from tests import asn1_samples as samples
from tests.ber_pdus import DELIVERED_KME
from tests.test_values import RECORD_HEX, Pair, Record, Small, _ctx, _plain

# --------------------------------------------------------------------------------------------
# The reference: the spec walker as ecsta.wire.values had it.


def _spec_instance(spec: Spec) -> Asn1Item:
    return spec() if isinstance(spec, type) else spec


def _type_name(spec: Asn1Item) -> str:
    return type(spec).__name__


def reference_decode(
    spec: Spec,
    data: bytes,
    *,
    path: str | None = None,
    offset: int = 0,
    open_types: MutableMapping[str, int] | None = None,
) -> Any:
    """What :func:`ecsta.wire.values.decode` must give for the same arguments, found by walking
    the spec for every PDU."""
    data = bytes(data)
    spec = _spec_instance(spec)
    name = path or _type_name(spec)
    walker = _Walker(data, offset, open_types)
    end = len(data)
    if not end:
        raise DecodeError(f"{name}: no octets to decode", offset)
    header = walker.header(0, end, name)
    if not walker.matches(spec, header):
        walker.fail(name, f"expected {_expected(spec)}, found {header.text}", 0)
    value = walker.element(spec, header, name)
    if header.stop != end:
        walker.fail(name, f"{end - header.stop} octet(s) after the end of the value", header.stop)
    return value


@dataclass(frozen=True, slots=True)
class _Header:
    """One TLV: class bits, constructed flag and number of its tag, and where it lies."""

    tag_class: int
    constructed: bool
    number: int
    pos: int
    start: int
    stop: int

    @property
    def text(self) -> str:
        return plans.tag_text(self.tag_class, self.number)

    def is_tag(self, tag: Tag) -> bool:
        return tag.tagClass == self.tag_class and tag.tagId == self.number


def _expected(spec: Asn1Item) -> str:
    tags = spec.tagSet.superTags
    if tags:
        return plans.tag_text(tags[-1].tagClass, tags[-1].tagId)
    if isinstance(spec, univ.Choice):
        names = ", ".join(named.name for named in spec.componentType.namedTypes)
        return f"one of {names}"
    return "an element"


class _Walker:
    """Decodes a buffer against a spec; positions are indexes into the buffer."""

    def __init__(self, data: bytes, base: int, open_types: MutableMapping[str, int] | None) -> None:
        self.data = data
        self.base = base
        self.open_types = open_types

    def fail(self, path: str, message: str, pos: int) -> NoReturn:
        raise DecodeError(f"{path}: {message}", self.base + pos)

    def header(self, pos: int, end: int, path: str) -> _Header:
        data = self.data
        try:
            number = tag_number(data, pos, end)[0]
            start, stop = read_tlv(data, pos, end)
        except DecodeError as exc:
            offset = None if exc.offset is None else self.base + exc.offset
            raise DecodeError(f"{path}: {exc.reason}", offset) from None
        first = data[pos]
        return _Header(first & 0xC0, bool(first & 0x20), number, pos, start, stop)

    def matches(self, spec: Asn1Item, header: _Header) -> bool:
        tags = spec.tagSet.superTags
        if tags:
            return header.is_tag(tags[-1])
        if isinstance(spec, univ.Choice):
            return any(self.matches(n.asn1Object, header) for n in spec.componentType.namedTypes)
        return True

    def element(self, spec: Asn1Item, header: _Header, path: str) -> Any:
        """Decode the TLV ``header``, whose outermost tag is known to fit ``spec``."""
        tags = spec.tagSet.superTags
        open_base = isinstance(spec, univ.Choice | univ.Any)
        wrappers = len(tags) if open_base else len(tags) - 1
        for index in range(wrappers):
            if not header.constructed:
                self.fail(path, f"explicit tag {header.text} must be constructed", header.pos)
            if index == wrappers - 1 and isinstance(spec, univ.Any):
                return self.open_type(header.start, header.stop, path)
            inner = self.header(header.start, header.stop, path)
            if inner.stop != header.stop:
                self.fail(path, f"explicit tag {header.text} holds more than one value", inner.stop)
            if index + 1 < len(tags) and not inner.is_tag(tags[-2 - index]):
                wanted = tags[-2 - index]
                expected = plans.tag_text(wanted.tagClass, wanted.tagId)
                self.fail(
                    path, f"expected {expected} inside {header.text}, found {inner.text}", inner.pos
                )
            header = inner
        if isinstance(spec, univ.Choice):
            return self.choice(spec, header, path)
        if isinstance(spec, univ.Any):
            return self.open_type(header.pos, header.stop, path)
        return self.contents(spec, header, path)

    def open_type(self, start: int, stop: int, path: str) -> bytes:
        if self.open_types is not None:
            self.open_types[path] = self.base + start
        return self.data[start:stop]

    def choice(self, spec: univ.Choice, header: _Header, path: str) -> tuple[str, Any]:
        for named in spec.componentType.namedTypes:
            if self.matches(named.asn1Object, header):
                return named.name, self.element(named.asn1Object, header, f"{path}.{named.name}")
        names = ", ".join(named.name for named in spec.componentType.namedTypes)
        self.fail(path, f"{header.text} is not one of {names}", header.pos)

    def contents(self, spec: Asn1Item, header: _Header, path: str) -> Any:
        if isinstance(spec, univ.SequenceOf | univ.SetOf):
            self.require_constructed(spec, header, path)
            return self.items(spec.componentType, header, path)
        if isinstance(spec, univ.Sequence):
            self.require_constructed(spec, header, path)
            return self.sequence(spec, header, path)
        if isinstance(spec, univ.Set):
            self.require_constructed(spec, header, path)
            return self.set(spec, header, path)
        if isinstance(spec, univ.Null):
            if self.primitive(spec, header, path):
                self.fail(
                    path, f"NULL with {header.stop - header.start} content octets", header.pos
                )
            return None
        if isinstance(spec, univ.BitString):
            content, bits = self.bit_string(header, path)
            padding = len(content) * 8 - bits
            raw = univ.BitString.fromOctetString(content, internalFormat=True, padding=padding)
            return self.check(spec, raw, header, path)
        if isinstance(spec, univ.OctetString):
            return self.check(spec, self.octets(header, path), header, path)
        content = self.primitive(spec, header, path)
        if isinstance(spec, univ.Boolean):
            if len(content) != 1:
                self.fail(path, f"BOOLEAN with {len(content)} content octets", header.pos)
            return self.check(spec, content[0] != 0, header, path)
        if isinstance(spec, univ.Integer):
            if not content:
                self.fail(path, f"{_type_name(spec)} with no content octets", header.pos)
            return self.check(spec, int.from_bytes(content, "big", signed=True), header, path)
        if isinstance(spec, univ.ObjectIdentifier | univ.RelativeOID):
            arcs = self.arcs(content, header, path, isinstance(spec, univ.ObjectIdentifier))
            return self.check(spec, arcs, header, path)
        self.fail(path, f"no BER decoding for {_type_name(spec)}", header.pos)

    def require_constructed(self, spec: Asn1Item, header: _Header, path: str) -> None:
        if not header.constructed:
            self.fail(path, f"{_type_name(spec)} {header.text} must be constructed", header.pos)

    def primitive(self, spec: Asn1Item, header: _Header, path: str) -> bytes:
        if header.constructed:
            self.fail(path, f"{_type_name(spec)} {header.text} must be primitive", header.pos)
        return self.data[header.start : header.stop]

    def check(self, spec: Asn1Item, raw: Any, header: _Header, path: str) -> Any:
        """Let pyasn1 apply the spec's constraints and named values to a decoded scalar."""
        try:
            return to_value(spec.clone(raw))
        except PyAsn1Error as exc:
            self.fail(path, f"{_type_name(spec)} value not allowed: {exc}", header.pos)

    def sequence(self, spec: univ.Sequence, header: _Header, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        pos, end = header.start, header.stop
        pending: _Header | None = None
        for named in spec.componentType.namedTypes:
            component = named.asn1Object
            if pos < end:
                if pending is None:
                    pending = self.header(pos, end, path)
                if self.matches(component, pending):
                    out[named.name] = self.element(component, pending, f"{path}.{named.name}")
                    pos = pending.stop
                    pending = None
                    continue
            if named.isDefaulted:
                out[named.name] = to_value(component)
            elif not named.isOptional:
                wanted = _expected(component)
                if pending is not None:
                    self.fail(
                        path,
                        f"{named.name} ({wanted}) missing, found {pending.text}",
                        pending.pos,
                    )
                self.fail(path, f"{named.name} ({wanted}) missing at the end", end)
        if pos < end:
            extra = pending or self.header(pos, end, path)
            self.fail(
                path,
                f"unexpected {extra.text}: not a component of {_type_name(spec)} or out of order",
                extra.pos,
            )
        return out

    def set(self, spec: univ.Set, header: _Header, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        named_types = spec.componentType.namedTypes
        pos, end = header.start, header.stop
        while pos < end:
            item = self.header(pos, end, path)
            for named in named_types:
                if self.matches(named.asn1Object, item):
                    if named.name in out:
                        self.fail(path, f"{named.name} ({item.text}) appears twice", item.pos)
                    out[named.name] = self.element(named.asn1Object, item, f"{path}.{named.name}")
                    break
            else:
                self.fail(
                    path, f"unexpected {item.text}: not a component of {_type_name(spec)}", pos
                )
            pos = item.stop
        for named in named_types:
            if named.name in out:
                continue
            if named.isDefaulted:
                out[named.name] = to_value(named.asn1Object)
            elif not named.isOptional:
                self.fail(path, f"{named.name} ({_expected(named.asn1Object)}) missing", end)
        return out

    def items(self, item_spec: Asn1Item, header: _Header, path: str) -> list[Any]:
        out: list[Any] = []
        pos, end = header.start, header.stop
        while pos < end:
            item_path = f"{path}[{len(out)}]"
            item = self.header(pos, end, item_path)
            if not self.matches(item_spec, item):
                wanted = _expected(item_spec)
                self.fail(item_path, f"expected {wanted}, found {item.text}", pos)
            out.append(self.element(item_spec, item, item_path))
            pos = item.stop
        return out

    def octets(self, header: _Header, path: str) -> bytes:
        """Content of a string type, joining the segments of the constructed form."""
        if not header.constructed:
            return self.data[header.start : header.stop]
        parts = []
        pos = header.start
        while pos < header.stop:
            segment = self.header(pos, header.stop, path)
            if segment.tag_class or segment.number != 4:
                self.fail(path, f"string segment must be OCTET STRING, not {segment.text}", pos)
            parts.append(self.octets(segment, path))
            pos = segment.stop
        return b"".join(parts)

    def bit_string(self, header: _Header, path: str) -> tuple[bytes, int]:
        """(content octets, number of bits), joining the segments of the constructed form."""
        if not header.constructed:
            raw = self.data[header.start : header.stop]
            if not raw:
                self.fail(path, "BIT STRING without its unused-bits octet", header.pos)
            unused, content = raw[0], raw[1:]
            if unused > 7 or (unused and not content):
                self.fail(path, f"BIT STRING with {unused} unused bits", header.pos)
            return content, len(content) * 8 - unused
        octets = bytearray()
        bits = 0
        pos = header.start
        while pos < header.stop:
            segment = self.header(pos, header.stop, path)
            if segment.tag_class or segment.number != 3:
                self.fail(path, f"bit string segment must be BIT STRING, not {segment.text}", pos)
            if bits % 8:
                self.fail(path, "only the last bit string segment may have unused bits", pos)
            part, part_bits = self.bit_string(segment, path)
            octets += part
            bits += part_bits
            pos = segment.stop
        return bytes(octets), bits

    def arcs(self, content: bytes, header: _Header, path: str, absolute: bool) -> tuple[int, ...]:
        if not content:
            self.fail(path, "object identifier with no content octets", header.pos)
        numbers: list[int] = []
        number = 0
        fresh = True
        for octet in content:
            if fresh and octet == 0x80:
                self.fail(path, "object identifier arc starts with a zero octet", header.pos)
            number = (number << 7) | (octet & 0x7F)
            fresh = not octet & 0x80
            if fresh:
                numbers.append(number)
                number = 0
        if not fresh:
            self.fail(path, "object identifier ends inside an arc", header.pos)
        if absolute:
            first = numbers[0]
            top = min(first // 40, 2)
            numbers[0:1] = [top, first - 40 * top]
        return tuple(numbers)


# --------------------------------------------------------------------------------------------
# A spec for what the CSTA samples lack: classes that change how pyasn1 makes a value (the
# decoder must leave those to pyasn1), CHOICE alternatives that claim the same tags, a SET, and
# constrained strings that may come in segments.


class Shouting(char.IA5String):
    """Text that pyasn1 turns upper case as it makes the value."""

    def prettyIn(self, value: Any) -> Any:
        return super().prettyIn(value).upper()


class Doubled(univ.Integer):
    def prettyIn(self, value: Any) -> Any:
        return super().prettyIn(value) * 2


class Padded(univ.OctetString):
    def asOctets(self) -> bytes:
        return b"<" + bytes(self) + b">"


class Overlapping(univ.Choice):
    """Alternatives that claim the same tags: the first in order takes them."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("number", univ.Integer()),
        namedtype.NamedType("again", univ.Integer()),
        namedtype.NamedType("anything", univ.Any()),
        namedtype.NamedType("text", univ.OctetString()),
    )


class Quirks(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("shout", Shouting()),
        namedtype.OptionalNamedType("double", Doubled().subtype(implicitTag=_ctx(0))),
        namedtype.OptionalNamedType("padded", Padded().subtype(implicitTag=_ctx(1))),
        namedtype.OptionalNamedType(
            "short",
            char.IA5String().subtype(
                implicitTag=_ctx(2), subtypeSpec=constraint.ValueSizeConstraint(1, 3)
            ),
        ),
        namedtype.OptionalNamedType("small", Small().subtype(explicitTag=_ctx(3, True))),
        namedtype.OptionalNamedType("overlap", Overlapping().subtype(explicitTag=_ctx(4, True))),
        namedtype.OptionalNamedType("pair", Pair().subtype(implicitTag=_ctx(5, True))),
        namedtype.OptionalNamedType(
            "code",
            univ.OctetString().subtype(
                implicitTag=_ctx(6), subtypeSpec=constraint.ValueSizeConstraint(2, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "flags", univ.BitString().subtype(implicitTag=_ctx(7)).clone(binValue="101")
        ),
    )


QUIRKS_VALUE = {
    "shout": "abc",
    "double": 21,
    "padded": b"x",
    "short": "ab",
    "small": 4,
    "overlap": ("number", 3),
    "pair": {"a": 1, "b": True},
    "code": b"\x00\x07",
    "flags": (b"\xa0", 3),
}


# --------------------------------------------------------------------------------------------
# The PDUs: (spec, encoding, path, offset).

Case = tuple[Spec, bytes, str | None, int]

KME_ESCAPES: tuple[tuple[Spec, str], ...] = (
    (escape.EscapeArgument, "30 0d a4 0b a0 09 a4 07 a1 05 a0 03 0a 01 05"),
    (escape.EscapeResult, "7e 0a a1 08 a4 06 a4 04 04 02 00 2a"),
)


# Quirks with its strings in the constructed form: code 00 07 in two segments, and flags in an
# 8-bit and a 3-bit segment.
SEGMENTED_QUIRKS = "30 17 16 03 61 62 63 a6 06 04 01 00 04 01 07 a7 08 03 02 00 ff 03 02 05 a0"


def _cases() -> list[Case]:
    cases: list[Case] = [
        (Record, bytes.fromhex(RECORD_HEX), None, 100),
        (Quirks, values.encode(Quirks, QUIRKS_VALUE), "quirks", 3),
        (Quirks, bytes.fromhex(SEGMENTED_QUIRKS), None, 0),
        (rose.ROS, DELIVERED_KME, "ROSE", 2),
        (events.CSTAEventReportArgument, DELIVERED_KME[8:], "cSTAEventReport", 8),
    ]
    cases += [(spec, bytes.fromhex(text), None, 0) for spec, text in KME_ESCAPES]
    for name, (argument, result) in samples.OPERATIONS.items():
        operation = operations.lookup(name)
        encoded = values.encode(operation.argument, argument)
        cases.append((operation.argument, encoded, name, 9))
        invoke = apdu.Invoke(1, operation.code, argument)
        cases.append((rose.ROS, apdu.encode(invoke), "ROSE", 0))
        if operation.result is not None:
            cases.append((operation.result, values.encode(operation.result, result), None, 0))
    for group, alternative, event in samples.EVENTS.values():
        report = {
            "crossRefIdentifier": b"\x00\x2a",
            "eventSpecificInfo": (group, (alternative, event)),
        }
        encoded = values.encode(events.CSTAEventReportArgument, report)
        cases.append((events.CSTAEventReportArgument, encoded, "cSTAEventReport", 0))
    for pdu in (
        apdu.aarq("user", "secret"),
        apdu.encode(apdu.AARQ()),
        apdu.encode(apdu.AARE()),
        apdu.aare_rejected(1, 1),
        apdu.encode(apdu.RLRQ(0)),
        apdu.encode(apdu.ABRT(1, "authentication-failure")),
    ):
        cases.append((acse.ACSE_apdu, pdu, "ACSE", 0))
    for pdu in (
        apdu.encode(apdu.ReturnResult(7)),
        apdu.return_error(5, "operation", "generic"),
        apdu.encode(apdu.Reject(3, ("invoke", "mistypedArgument"))),
    ):
        cases.append((rose.ROS, pdu, "ROSE", 0))
    return cases


CASES = _cases()


def _outcome(decoder: Any, case: Case, data: bytes) -> tuple[Any, ...]:
    """What a decoder makes of ``data``: the value (its repr, so that True is not 1) and the
    open-type offsets, or the exception's type, message and offset."""
    spec, _, path, offset = case
    located: dict[str, int] = {}
    try:
        value = decoder(spec, data, path=path, offset=offset, open_types=located)
    except Exception as exc:
        return type(exc), str(exc), getattr(exc, "offset", None)
    return repr(value), located


def _damaged(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """``data`` with each edit (kind, position, octet) applied: replace, insert, delete, cut."""
    out = bytearray(data)
    for kind, position, octet in edits:
        at = position % (len(out) + 1)
        if kind == 0 and at < len(out):
            out[at] = octet
        elif kind == 1:
            out.insert(at, octet)
        elif kind == 2 and at < len(out):
            del out[at]
        elif kind == 3:
            del out[at:]
    return bytes(out)


EDITS = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 400), st.integers(0, 255)), min_size=1, max_size=3
)


@dataclass
class _Node:
    """One TLV of a PDU being damaged: its identifier octets and its contents (octets, or the
    TLVs inside when it is constructed)."""

    identifier: bytes
    content: "bytes | list[_Node]"

    def encoded(self) -> bytes:
        content = self.content
        if isinstance(content, list):
            content = b"".join(node.encoded() for node in content)
        return self.identifier + encode_length(len(content)) + content


def _parse(data: bytes, pos: int, end: int) -> list[_Node] | None:
    nodes = []
    while pos < end:
        try:
            after_tag = tag_number(data, pos, end)[1]
            start, stop = read_tlv(data, pos, end)
        except DecodeError:
            return None
        inner = _parse(data, start, stop) if data[pos] & 0x20 else None
        nodes.append(_Node(data[pos:after_tag], data[start:stop] if inner is None else inner))
        pos = stop
    return nodes


def _reshaped(data: bytes, changes: list[tuple[int, int, bytes, int]]) -> bytes:
    """``data`` with each change (kind, which TLV, octets, octet) made to its TLV tree, lengths
    kept right: new contents, deleted, doubled, swapped with the next, new identifier, wrapped
    in an explicit tag, unwrapped. The result is BER that no longer fits the spec."""
    top = _parse(data, 0, len(data)) or []
    for kind, which, octets, octet in changes:
        if not top:
            break
        places = [(top, i) for i in range(len(top))]
        for siblings, index in places:
            content = siblings[index].content
            if isinstance(content, list):
                places.extend((content, i) for i in range(len(content)))
        siblings, index = places[which % len(places)]
        node = siblings[index]
        if kind == 0:
            node.content = octets
        elif kind == 1:
            del siblings[index]
        elif kind == 2:
            siblings.insert(index, copy.deepcopy(node))
        elif kind == 3 and index + 1 < len(siblings):
            siblings[index], siblings[index + 1] = siblings[index + 1], node
        elif kind == 4 and octet & 0x1F != 0x1F:
            node.identifier = bytes((octet,))
        elif kind == 5:
            siblings[index] = _Node(bytes((0xA0 | octet % 31,)), [node])
        elif kind == 6 and isinstance(node.content, list):
            siblings[index : index + 1] = node.content
    return b"".join(node.encoded() for node in top)


#: Changes made to every TLV in turn: contents that no scalar type takes whole, and each change
#: of shape.
EVERY_WAY: tuple[tuple[int, bytes, int], ...] = (
    *((0, octets, 0) for octets in (b"", b"\x00", b"\x03", b"\x01\x02", b"\x80", b"\xff\xfe\xfd")),
    *((kind, b"", 0) for kind in (1, 2, 3, 6)),
    *((4, b"", octet) for octet in (0x04, 0x30, 0x80, 0xA0, 0x61)),
    (5, b"", 0),
    (5, b"", 9),
)


def _count_tlvs(nodes: list[_Node]) -> int:
    return sum(1 + (_count_tlvs(n.content) if isinstance(n.content, list) else 0) for n in nodes)


CHANGES = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 300), st.binary(max_size=4), st.integers(0, 255)),
    min_size=1,
    max_size=3,
)


class SameAsTheWalkerTests(SynchronousTestCase):
    def assertSame(self, case: Case, data: bytes) -> None:
        expected = _outcome(reference_decode, case, data)
        self.assertEqual(_outcome(values.decode, case, data), expected, data.hex(" "))

    def test_every_sample_decodes_to_the_same_value(self) -> None:
        for case in CASES:
            expected = _outcome(reference_decode, case, case[1])
            self.assertIsInstance(expected[0], str, f"{case[0]} {case[1].hex(' ')}")
            self.assertSame(case, case[1])

    def test_spec_instances_decode_like_their_classes(self) -> None:
        for spec, data, path, offset in CASES[:8]:
            self.assertSame((_spec_instance(spec), data, path, offset), data)

    def test_every_tlv_of_some_samples_changed_every_way(self) -> None:
        for case in CASES[:6]:
            for which in range(_count_tlvs(_parse(case[1], 0, len(case[1])) or [])):
                for kind, octets, octet in EVERY_WAY:
                    self.assertSame(case, _reshaped(case[1], [(kind, which, octets, octet)]))

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.sampled_from(CASES), EDITS)
    def test_damaged_samples_fail_with_the_same_error(
        self, case: Case, edits: list[tuple[int, int, int]]
    ) -> None:
        self.assertSame(case, _damaged(case[1], edits))

    @settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.sampled_from(CASES), CHANGES)
    def test_reshaped_samples_fail_with_the_same_error(
        self, case: Case, changes: list[tuple[int, int, bytes, int]]
    ) -> None:
        self.assertSame(case, _reshaped(case[1], changes))

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_plain(Record()), st.lists(EDITS, max_size=1))
    def test_random_records_whole_and_damaged(
        self, value: dict[str, Any], edits: list[list[tuple[int, int, int]]]
    ) -> None:
        data = values.encode(Record, value)
        for edit in edits:
            data = _damaged(data, edit)
        self.assertSame((Record, data, "record", 0), data)


class PlanTests(SynchronousTestCase):
    def test_instances_with_other_tags_are_other_types(self) -> None:
        """A plan belongs to one spec instance: a subtype with another tag is another type."""
        first = univ.Integer().subtype(implicitTag=_ctx(0))
        second = univ.Integer().subtype(implicitTag=_ctx(1))
        self.assertEqual(values.decode(first, b"\x80\x01\x05"), 5)
        self.assertEqual(values.decode(second, b"\x81\x01\x06"), 6)
        with self.assertRaises(DecodeError) as caught:
            values.decode(first, b"\x81\x01\x06")
        self.assertEqual(caught.exception.reason, "Integer: expected [0], found [1]")

    def test_pyasn1_makes_the_values_of_classes_that_change_its_methods(self) -> None:
        data = bytes.fromhex("30 0b 16 03 61 62 63 80 01 15 81 01 78")
        self.assertEqual(
            values.decode(Quirks, data), {"shout": "ABC", "double": 42, "padded": b"<x>"}
        )

    def test_constructed_strings(self) -> None:
        self.assertEqual(
            values.decode(Quirks, bytes.fromhex(SEGMENTED_QUIRKS)),
            {"shout": "ABC", "code": b"\x00\x07", "flags": (b"\xff\xa0", 11)},
        )

    def test_constraint_errors_are_worded_by_pyasn1(self) -> None:
        data = bytes.fromhex("30 0a 16 01 61 82 05 61 62 63 64 65")
        with self.assertRaises(DecodeError) as caught:
            values.decode(Quirks, data)
        self.assertEqual(caught.exception.offset, 5)
        self.assertIn("Quirks.short: IA5String value not allowed: ", caught.exception.reason)
        self.assertIn("ValueSizeConstraint", caught.exception.reason)

    def test_a_spec_built_per_call_does_not_pile_up(self) -> None:
        for number in range(plans._INSTANCE_PLANS_LIMIT + 10):
            spec = univ.Integer().subtype(implicitTag=_ctx(number % 30))
            encoded = values.encode(spec, number)
            self.assertEqual(values.decode(spec, encoded), number)
        self.assertLessEqual(len(plans._INSTANCE_PLANS), plans._INSTANCE_PLANS_LIMIT)
