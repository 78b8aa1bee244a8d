"""BER decoding into plain values, by plans compiled once from the pyasn1 specs.

Asking a pyasn1 spec for its tags, its kind and its components costs far more than reading the
bytes, so the decoder does not walk the specs on every PDU: the first time it meets a spec it
compiles it into a plan that holds what decoding needs in the form it needs it, and keeps it.
A SEQUENCE's plan lists its components in order with the tags each accepts, a CHOICE's plan
looks its alternative up by tag, a scalar's plan converts the content octets directly. Plans
are compiled node by node as the bytes reach them: the event report argument alone has some
20,000 nodes, most of which a link never sees.

The value convention, the error messages and the offsets are those of
:func:`ecsta.wire.values.decode`, which is the way in.

A TLV travels as a tuple (first identifier octet, tag key, content start, content stop); a tag
key is the tag's number and class in one int, so that a spec's tags and a TLV's tag compare
without building anything.
"""

from collections.abc import MutableMapping
from types import UnionType
from typing import Any, NoReturn, TypeAlias

from pyasn1.error import PyAsn1Error
from pyasn1.type import char, univ
from pyasn1.type.base import Asn1Item
from pyasn1.type.tag import Tag

from ecsta.wire.errors import DecodeError
from ecsta.wire.plain import to_value
from ecsta.wire.tlv import read_tlv, tag_number

__all__ = ["decode", "tag_text"]

#: (first identifier octet, tag key, content start, content stop) of one TLV.
TLV: TypeAlias = tuple[int, int, int, int]

_CONSTRUCTED = 0x20
_BIT_STRING_KEY = 3 << 2
_OCTET_STRING_KEY = 4 << 2

_UNIVERSAL_NAMES = {
    1: "BOOLEAN",
    2: "INTEGER",
    3: "BIT STRING",
    4: "OCTET STRING",
    5: "NULL",
    6: "OBJECT IDENTIFIER",
    7: "ObjectDescriptor",
    8: "EXTERNAL",
    9: "REAL",
    10: "ENUMERATED",
    12: "UTF8String",
    13: "RELATIVE-OID",
    16: "SEQUENCE",
    17: "SET",
    18: "NumericString",
    19: "PrintableString",
    20: "TeletexString",
    22: "IA5String",
    23: "UTCTime",
    24: "GeneralizedTime",
    25: "GraphicString",
    26: "VisibleString",
    27: "GeneralString",
    28: "UniversalString",
    30: "BMPString",
}

_CLASS_PREFIX = {0x40: "APPLICATION ", 0x80: "", 0xC0: "PRIVATE "}


def tag_text(tag_class: int, number: int) -> str:
    """How ASN.1 writes a tag: ``SEQUENCE``, ``[APPLICATION 11]``, ``[0]``."""
    if tag_class == 0:
        return _UNIVERSAL_NAMES.get(number, f"[UNIVERSAL {number}]")
    return f"[{_CLASS_PREFIX[tag_class]}{number}]"


def _tag_key(tag: Tag) -> int:
    return tag.tagId << 2 | tag.tagClass >> 6


def _key_text(key: int) -> str:
    return tag_text((key & 3) << 6, key >> 2)


def _type_name(spec: Asn1Item) -> str:
    return type(spec).__name__


def _plain(obj: Asn1Item) -> Any:
    """The plain value of a pyasn1 object: a DEFAULT value, or a scalar pyasn1 has judged."""
    return to_value(obj)


def decode(
    spec: Asn1Item | type[Asn1Item],
    data: bytes,
    path: str | None,
    offset: int,
    open_types: MutableMapping[str, int] | None,
) -> Any:
    """What :func:`ecsta.wire.values.decode` returns or raises for the same arguments."""
    plan = _plan_of(spec)
    name = path or plan.type_name
    end = len(data)
    if not end:
        raise DecodeError(f"{name}: no octets to decode", offset)
    walk = _Walk(data, offset, open_types)
    tlv = walk.header(0, end, name)
    if plan.keys is not None and tlv[1] not in plan.keys:
        walk.fail(name, f"expected {plan.expected()}, found {_key_text(tlv[1])}", 0)
    value = plan.element(walk, 0, tlv, name)
    if tlv[3] != end:
        walk.fail(name, f"{end - tlv[3]} octet(s) after the end of the value", tlv[3])
    return value


# Plans of the spec classes, and of spec instances by id: a plan holds its spec, so an id stays
# that spec's for as long as its entry lives. Callers that build a new spec instance for every
# call would grow the second table without end, hence its limit.
_CLASS_PLANS: dict[type[Asn1Item], "_DecodePlan"] = {}
_INSTANCE_PLANS: dict[int, "_DecodePlan"] = {}
_INSTANCE_PLANS_LIMIT = 256


def _plan_of(spec: Asn1Item | type[Asn1Item]) -> "_DecodePlan":
    if isinstance(spec, type):
        plan = _CLASS_PLANS.get(spec)
        if plan is None:
            plan = _CLASS_PLANS[spec] = _compile(spec())
        return plan
    plan = _INSTANCE_PLANS.get(id(spec))
    if plan is None:
        if len(_INSTANCE_PLANS) >= _INSTANCE_PLANS_LIMIT:
            _INSTANCE_PLANS.clear()
        plan = _INSTANCE_PLANS[id(spec)] = _compile(spec)
    return plan


class _Walk:
    """One buffer being decoded; positions are indexes into it."""

    __slots__ = ("base", "data", "open_types")

    def __init__(self, data: bytes, base: int, open_types: MutableMapping[str, int] | None) -> None:
        self.data = data
        self.base = base
        self.open_types = open_types

    def fail(self, path: str, message: str, pos: int) -> NoReturn:
        raise DecodeError(f"{path}: {message}", self.base + pos)

    def header(self, pos: int, end: int, path: str) -> TLV:
        """The TLV at ``pos``, which must end by ``end``."""
        data = self.data
        if pos + 1 < end:
            # A low tag number and a short length, which is nearly every TLV, read in place.
            first = data[pos]
            length = data[pos + 1]
            stop = pos + 2 + length
            if first & 0x1F != 0x1F and length < 0x80 and stop <= end:
                return first, (first & 0x1F) << 2 | first >> 6, pos + 2, stop
        try:
            number = tag_number(data, pos, end)[0]
            start, stop = read_tlv(data, pos, end)
        except DecodeError as exc:
            offset = None if exc.offset is None else self.base + exc.offset
            raise DecodeError(f"{path}: {exc.reason}", offset) from None
        first = data[pos]
        return first, number << 2 | first >> 6, start, stop

    def open_type(self, start: int, stop: int, path: str) -> bytes:
        if self.open_types is not None:
            self.open_types[path] = self.base + start
        return self.data[start:stop]

    def octets(self, tlv: TLV, path: str) -> bytes:
        """Content of a string type, joining the segments of the constructed form."""
        first, _, start, stop = tlv
        if not first & _CONSTRUCTED:
            return self.data[start:stop]
        parts = []
        pos = start
        while pos < stop:
            segment = self.header(pos, stop, path)
            if segment[1] != _OCTET_STRING_KEY:
                self.fail(
                    path, f"string segment must be OCTET STRING, not {_key_text(segment[1])}", pos
                )
            parts.append(self.octets(segment, path))
            pos = segment[3]
        return b"".join(parts)

    def bit_string(self, pos: int, tlv: TLV, path: str) -> tuple[bytes, int]:
        """(content octets, number of bits), joining the segments of the constructed form."""
        first, _, start, stop = tlv
        if not first & _CONSTRUCTED:
            raw = self.data[start:stop]
            if not raw:
                self.fail(path, "BIT STRING without its unused-bits octet", pos)
            unused, content = raw[0], raw[1:]
            if unused > 7 or (unused and not content):
                self.fail(path, f"BIT STRING with {unused} unused bits", pos)
            return content, len(content) * 8 - unused
        octets = bytearray()
        bits = 0
        at = start
        while at < stop:
            segment = self.header(at, stop, path)
            if segment[1] != _BIT_STRING_KEY:
                self.fail(
                    path, f"bit string segment must be BIT STRING, not {_key_text(segment[1])}", at
                )
            if bits % 8:
                self.fail(path, "only the last bit string segment may have unused bits", at)
            part, part_bits = self.bit_string(at, segment, path)
            octets += part
            bits += part_bits
            at = segment[3]
        return bytes(octets), bits


class _DecodePlan:
    """How to decode one spec: each subclass knows one kind of type.

    ``keys`` are the tag keys that the TLV of a value may have, None when any tag will do (an
    untagged ANY, or an untagged CHOICE with such an alternative); ``wraps`` the tag key
    expected inside each explicit tag around the type's own encoding, outermost first, None
    where the type itself judges what it finds (inside an explicitly tagged CHOICE).
    """

    __slots__ = ("keys", "spec", "wraps")

    keys: frozenset[int] | None
    wraps: tuple[int | None, ...]

    def __init__(self, spec: Asn1Item) -> None:
        self.spec = spec
        tags = spec.tagSet.superTags
        self.keys = frozenset((_tag_key(tags[-1]),)) if tags else None
        self.wraps = tuple(_tag_key(tag) for tag in tags[-2::-1])

    @property
    def type_name(self) -> str:
        return _type_name(self.spec)

    def expected(self) -> str:
        """What a value must start with, for error messages."""
        tags = self.spec.tagSet.superTags
        if tags:
            return tag_text(tags[-1].tagClass, tags[-1].tagId)
        if isinstance(self.spec, univ.Choice):
            names = ", ".join(named.name for named in self.spec.componentType.namedTypes)
            return f"one of {names}"
        return "an element"

    def element(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> Any:
        """Decode the TLV at ``pos``, whose outermost tag is known to fit the spec."""
        for inner in self.wraps:
            first, key, start, stop = tlv
            if not first & _CONSTRUCTED:
                walk.fail(path, f"explicit tag {_key_text(key)} must be constructed", pos)
            tlv = walk.header(start, stop, path)
            if tlv[3] != stop:
                walk.fail(path, f"explicit tag {_key_text(key)} holds more than one value", tlv[3])
            if inner is not None and tlv[1] != inner:
                found = _key_text(tlv[1])
                walk.fail(
                    path,
                    f"expected {_key_text(inner)} inside {_key_text(key)}, found {found}",
                    start,
                )
            pos = start
        return self.body(walk, pos, tlv, path)

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> Any:
        """Decode the TLV at ``pos`` that carries the type's own encoding."""
        raise NotImplementedError

    def constructed(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> None:
        if not tlv[0] & _CONSTRUCTED:
            walk.fail(path, f"{self.type_name} {_key_text(tlv[1])} must be constructed", pos)

    def primitive(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> None:
        if tlv[0] & _CONSTRUCTED:
            walk.fail(path, f"{self.type_name} {_key_text(tlv[1])} must be primitive", pos)


#: A CHOICE alternative: (name, "." + name, plan).
_Alternative: TypeAlias = tuple[str, str, _DecodePlan]

#: A SEQUENCE or SET component: (name, "." + name, plan, the plan's keys, whether it is
#: OPTIONAL, its DEFAULT value as a pyasn1 object or None).
_Component: TypeAlias = tuple[str, str, _DecodePlan, frozenset[int] | None, bool, Asn1Item | None]


def _components(spec: univ.Sequence | univ.Set) -> tuple[_Component, ...]:
    out = []
    for named in spec.componentType.namedTypes:
        plan = _compile(named.asn1Object)
        default = named.asn1Object if named.isDefaulted else None
        out.append((named.name, "." + named.name, plan, plan.keys, named.isOptional, default))
    return tuple(out)


class _Choice(_DecodePlan):
    """A CHOICE: the alternative looked up by the tag it starts with.

    The first alternative in order that accepts a tag wins: a key keeps the first alternative
    that claims it, and an alternative that accepts any tag takes every key not claimed before.
    """

    __slots__ = ("fallback", "table")

    def __init__(self, spec: univ.Choice) -> None:
        super().__init__(spec)
        self.table: dict[int, _Alternative] | None = None
        self.fallback: _Alternative | None = None
        if spec.tagSet.superTags:
            self.wraps += (None,)
        else:
            table = self.prepare()
            self.keys = None if self.fallback else frozenset(table)

    def prepare(self) -> dict[int, _Alternative]:
        table: dict[int, _Alternative] = {}
        for named in self.spec.componentType.namedTypes:
            plan = _compile(named.asn1Object)
            alternative = (named.name, "." + named.name, plan)
            if plan.keys is None:
                self.fallback = alternative
                break
            for key in plan.keys:
                table.setdefault(key, alternative)
        self.table = table
        return table

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> tuple[str, Any]:
        table = self.table
        if table is None:
            table = self.prepare()
        alternative = table.get(tlv[1], self.fallback)
        if alternative is None:
            names = ", ".join(named.name for named in self.spec.componentType.namedTypes)
            walk.fail(path, f"{_key_text(tlv[1])} is not one of {names}", pos)
        name, suffix, plan = alternative
        return name, plan.element(walk, pos, tlv, path + suffix)


class _Any(_DecodePlan):
    """An open type: its bytes as they are (the whole TLV, or the contents of its last tag)."""

    __slots__ = ("tagged",)

    def __init__(self, spec: univ.Any) -> None:
        super().__init__(spec)
        self.tagged = bool(spec.tagSet.superTags)

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> bytes:
        first, key, start, stop = tlv
        if not self.tagged:
            return walk.open_type(pos, stop, path)
        if not first & _CONSTRUCTED:
            walk.fail(path, f"explicit tag {_key_text(key)} must be constructed", pos)
        return walk.open_type(start, stop, path)


class _Sequence(_DecodePlan):
    __slots__ = ("components",)

    def __init__(self, spec: univ.Sequence) -> None:
        super().__init__(spec)
        self.components: tuple[_Component, ...] | None = None

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> dict[str, Any]:
        self.constructed(walk, pos, tlv, path)
        components = self.components
        if components is None:
            components = self.components = _components(self.spec)
        out: dict[str, Any] = {}
        at, stop = tlv[2], tlv[3]
        pending: TLV | None = None
        for name, suffix, plan, keys, optional, default in components:
            if at < stop:
                if pending is None:
                    pending = walk.header(at, stop, path)
                if keys is None or pending[1] in keys:
                    out[name] = plan.element(walk, at, pending, path + suffix)
                    at = pending[3]
                    pending = None
                    continue
            if default is not None:
                out[name] = _plain(default)
            elif not optional:
                wanted = plan.expected()
                if pending is not None:
                    found = _key_text(pending[1])
                    walk.fail(path, f"{name} ({wanted}) missing, found {found}", at)
                walk.fail(path, f"{name} ({wanted}) missing at the end", stop)
        if at < stop:
            extra = pending or walk.header(at, stop, path)
            walk.fail(
                path,
                f"unexpected {_key_text(extra[1])}: not a component of {self.type_name}"
                " or out of order",
                at,
            )
        return out


class _Set(_DecodePlan):
    """A SET: each component looked up by tag, as a CHOICE looks up its alternatives."""

    __slots__ = ("components", "fallback", "table")

    def __init__(self, spec: univ.Set) -> None:
        super().__init__(spec)
        self.components: tuple[_Component, ...] = ()
        self.table: dict[int, _Component] | None = None
        self.fallback: _Component | None = None

    def prepare(self) -> dict[int, _Component]:
        self.components = _components(self.spec)
        table: dict[int, _Component] = {}
        for component in self.components:
            keys = component[3]
            if keys is None:
                self.fallback = component
                break
            for key in keys:
                table.setdefault(key, component)
        self.table = table
        return table

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> dict[str, Any]:
        self.constructed(walk, pos, tlv, path)
        table = self.table
        if table is None:
            table = self.prepare()
        out: dict[str, Any] = {}
        at, stop = tlv[2], tlv[3]
        while at < stop:
            item = walk.header(at, stop, path)
            component = table.get(item[1], self.fallback)
            if component is None:
                found = _key_text(item[1])
                walk.fail(path, f"unexpected {found}: not a component of {self.type_name}", at)
            name, suffix, plan = component[:3]
            if name in out:
                walk.fail(path, f"{name} ({_key_text(item[1])}) appears twice", at)
            out[name] = plan.element(walk, at, item, path + suffix)
            at = item[3]
        for name, _, plan, _, optional, default in self.components:
            if name in out:
                continue
            if default is not None:
                out[name] = _plain(default)
            elif not optional:
                walk.fail(path, f"{name} ({plan.expected()}) missing", stop)
        return out


class _Items(_DecodePlan):
    """A SEQUENCE OF or SET OF."""

    __slots__ = ("item",)

    def __init__(self, spec: univ.SequenceOf | univ.SetOf) -> None:
        super().__init__(spec)
        self.item: _DecodePlan | None = None

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> list[Any]:
        self.constructed(walk, pos, tlv, path)
        plan = self.item
        if plan is None:
            plan = self.item = _compile(self.spec.componentType)
        keys = plan.keys
        out: list[Any] = []
        at, stop = tlv[2], tlv[3]
        while at < stop:
            item_path = f"{path}[{len(out)}]"
            item = walk.header(at, stop, item_path)
            if keys is not None and item[1] not in keys:
                found = _key_text(item[1])
                walk.fail(item_path, f"expected {plan.expected()}, found {found}", at)
            out.append(plan.element(walk, at, item, item_path))
            at = item[3]
        return out


class _Null(_DecodePlan):
    __slots__ = ()

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> None:
        self.primitive(walk, pos, tlv, path)
        if tlv[3] != tlv[2]:
            walk.fail(path, f"NULL with {tlv[3] - tlv[2]} content octets", pos)


# Scalars. pyasn1 checks a value by building a value object of the spec (prettyIn, then the
# subtype constraints), and to_value() reads the plain value back out of it. For the kinds
# below, when a spec's class keeps the pyasn1 methods that this involves, a scalar plan's
# convert() takes the same steps on the plain value and so reaches the same outcome without
# the object. When convert() refuses a value, pyasn1 builds the object after all, so that the
# error says exactly what pyasn1 says.

_SAME_AS_PYASN1: tuple[tuple[type[Asn1Item], tuple[str, ...]], ...] = (
    (univ.BitString, ("clone", "__init__", "prettyIn", "asInteger", "__len__")),
    (char.AbstractCharacterString, ("clone", "__init__", "prettyIn", "__str__")),
    (univ.OctetString, ("clone", "__init__", "prettyIn", "asOctets")),
    (univ.Integer, ("clone", "__init__", "prettyIn", "__int__", "__bool__")),
)


def _as_in_pyasn1(spec: Asn1Item) -> bool:
    """Whether the class of ``spec`` uses pyasn1's own methods for what convert() repeats."""
    cls = type(spec)
    for base, methods in _SAME_AS_PYASN1:
        if isinstance(spec, base):
            return all(getattr(cls, method) is getattr(base, method) for method in methods)
    return False


class _Scalar(_DecodePlan):
    __slots__ = ("direct",)

    def __init__(self, spec: Asn1Item) -> None:
        super().__init__(spec)
        self.direct = _as_in_pyasn1(spec)

    def convert(self, raw: Any) -> Any:
        """The plain value of ``raw`` by pyasn1's steps; PyAsn1Error when it does not fit."""
        raise NotImplementedError

    def judge(self, walk: _Walk, raw: Any, pos: int, path: str) -> Any:
        """The plain value of the spec's pyasn1 value ``raw``, or the error pyasn1 raises."""
        if self.direct:
            try:
                return self.convert(raw)
            except (PyAsn1Error, UnicodeDecodeError, LookupError):
                pass
        try:
            return _plain(self.spec.clone(raw))
        except PyAsn1Error as exc:
            walk.fail(path, f"{self.type_name} value not allowed: {exc}", pos)


class _Bits(_Scalar):
    __slots__ = ()

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> Any:
        content, bits = walk.bit_string(pos, tlv, path)
        padding = len(content) * 8 - bits
        raw = univ.BitString.fromOctetString(content, internalFormat=True, padding=padding)
        return self.judge(walk, raw, pos, path)

    def convert(self, raw: Any) -> tuple[bytes, int]:
        self.spec.subtypeSpec(raw)
        bits = len(raw)
        size = (bits + 7) // 8
        return (raw << (size * 8 - bits)).to_bytes(size, "big"), bits


class _Octets(_Scalar):
    __slots__ = ()

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> Any:
        return self.judge(walk, walk.octets(tlv, path), pos, path)

    def convert(self, raw: bytes) -> Any:
        self.spec.subtypeSpec(raw)
        return raw


class _Text(_Octets):
    __slots__ = ()

    def convert(self, raw: bytes) -> str:
        text = raw.decode(self.spec.encoding)
        self.spec.subtypeSpec(text)
        return text


class _Boolean(_Scalar):
    __slots__ = ()

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> Any:
        self.primitive(walk, pos, tlv, path)
        _, _, start, stop = tlv
        if stop - start != 1:
            walk.fail(path, f"BOOLEAN with {stop - start} content octets", pos)
        return self.judge(walk, walk.data[start] != 0, pos, path)

    def convert(self, raw: bool) -> bool:
        self.spec.subtypeSpec(int(raw))
        return raw


class _Integer(_Scalar):
    __slots__ = ()

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> Any:
        self.primitive(walk, pos, tlv, path)
        _, _, start, stop = tlv
        if start == stop:
            walk.fail(path, f"{self.type_name} with no content octets", pos)
        number = int.from_bytes(walk.data[start:stop], "big", signed=True)
        return self.judge(walk, number, pos, path)

    def convert(self, raw: int) -> Any:
        self.spec.subtypeSpec(raw)
        return raw


class _Enumerated(_Integer):
    """An ENUMERATED: the name of the number, or the number when the spec names none."""

    __slots__ = ("names",)

    def __init__(self, spec: univ.Enumerated) -> None:
        super().__init__(spec)
        self.names = {number: name for name, number in spec.namedValues.items()}

    def convert(self, raw: int) -> Any:
        self.spec.subtypeSpec(raw)
        return self.names.get(raw, raw)


class _ObjectIdentifier(_Scalar):
    """An OBJECT IDENTIFIER or RELATIVE-OID; rare enough on the link to leave to pyasn1."""

    __slots__ = ("absolute",)

    def __init__(self, spec: univ.ObjectIdentifier | univ.RelativeOID) -> None:
        super().__init__(spec)
        self.absolute = isinstance(spec, univ.ObjectIdentifier)

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> Any:
        self.primitive(walk, pos, tlv, path)
        _, _, start, stop = tlv
        if start == stop:
            walk.fail(path, "object identifier with no content octets", pos)
        numbers: list[int] = []
        number = 0
        fresh = True
        for octet in walk.data[start:stop]:
            if fresh and octet == 0x80:
                walk.fail(path, "object identifier arc starts with a zero octet", pos)
            number = (number << 7) | (octet & 0x7F)
            fresh = not octet & 0x80
            if fresh:
                numbers.append(number)
                number = 0
        if not fresh:
            walk.fail(path, "object identifier ends inside an arc", pos)
        if self.absolute:
            top = min(numbers[0] // 40, 2)
            numbers[0:1] = [top, numbers[0] - 40 * top]
        return self.judge(walk, tuple(numbers), pos, path)


class _Unsupported(_DecodePlan):
    __slots__ = ()

    def body(self, walk: _Walk, pos: int, tlv: TLV, path: str) -> Any:
        self.primitive(walk, pos, tlv, path)
        walk.fail(path, f"no BER decoding for {self.type_name}", pos)


# The plan for each kind of spec, tried in this order: pyasn1 derives Null, Any and the
# character strings from OctetString, and Boolean and Enumerated from Integer.
_KINDS: tuple[tuple[type | UnionType, type[_DecodePlan]], ...] = (
    (univ.Choice, _Choice),
    (univ.Any, _Any),
    (univ.SequenceOf | univ.SetOf, _Items),
    (univ.Sequence, _Sequence),
    (univ.Set, _Set),
    (univ.Null, _Null),
    (univ.BitString, _Bits),
    (char.AbstractCharacterString, _Text),
    (univ.OctetString, _Octets),
    (univ.Boolean, _Boolean),
    (univ.Enumerated, _Enumerated),
    (univ.Integer, _Integer),
    (univ.ObjectIdentifier | univ.RelativeOID, _ObjectIdentifier),
)


def _compile(spec: Asn1Item) -> _DecodePlan:
    for kind, plan in _KINDS:
        if isinstance(spec, kind):
            return plan(spec)
    return _Unsupported(spec)
