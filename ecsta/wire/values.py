"""Plain Python values for pyasn1 specs, and BER in and out of them.

Above the wire layer, CSTA values are plain dicts, tuples, ints, strings and bytes that compare
equal to what asn1tools produces for the same bytes:

- SEQUENCE / SET: dict of the components present (ASN.1 names as keys); absent DEFAULT
  components are filled in with their default, as asn1tools does;
- CHOICE: ``(alternative, value)``; SEQUENCE OF / SET OF: list;
- INTEGER: int; ENUMERATED: the name (an int when the peer sent a number the spec does not name);
  BOOLEAN: bool; NULL: None;
- OCTET STRING: bytes; character strings and GeneralizedTime: str as on the wire;
- BIT STRING: ``(bytes, number_of_bits)`` with the bits left-aligned as on the wire;
- OBJECT IDENTIFIER and RELATIVE-OID: dotted str; ANY / open types: the raw encoded bytes.

:func:`decode` and :func:`encode` follow the spec themselves instead of calling pyasn1's
codecs: a decoding error then names the field and the octet where the bytes stop fitting the
spec (pyasn1 only reports a tag set mismatch somewhere), a caller can learn where each open type
starts and decode it with its real type while still reporting offsets in the whole PDU, and an
absent component stays absent (see :func:`encode`). Every scalar is still checked against its
type's pyasn1 constraints and named values. Decoding goes by a plan compiled once per spec
(:mod:`ecsta.wire.plans`). Only definite lengths are read: the CSTA link sends nothing else
(see :mod:`ecsta.wire.tlv`). :func:`to_value` and :func:`from_value` convert
pyasn1 objects for code that holds them.
"""

from collections.abc import Mapping, MutableMapping
from typing import Any, NoReturn, TypeAlias

from pyasn1.error import PyAsn1Error
from pyasn1.type import char, univ
from pyasn1.type.base import Asn1Item
from pyasn1.type.tag import Tag

from ecsta.wire import plans
from ecsta.wire.plain import scalar_value, to_value
from ecsta.wire.tlv import encode_integer, encode_length

__all__ = ["Asn1Item", "Spec", "decode", "encode", "from_value", "to_value"]

#: A pyasn1 type: the class, or an instance (a tagged subtype, a component's type).
Spec: TypeAlias = Asn1Item | type[Asn1Item]


def _spec_instance(spec: Spec) -> Asn1Item:
    return spec() if isinstance(spec, type) else spec


def _type_name(spec: Asn1Item) -> str:
    return type(spec).__name__


# --------------------------------------------------------------------------------------------
# plain value -> pyasn1 object


def from_value(spec: Spec, value: Any, path: str | None = None) -> Asn1Item:
    """Build the pyasn1 object of type ``spec`` that holds the plain ``value``.

    A plain value that does not fit raises :class:`ValueError` naming the field path, e.g.
    ``makeCall.calledDirectoryNumber: expected a dict, not str '102'``; ``path`` is the name
    the path starts with (the spec's class name by default).
    """
    spec = _spec_instance(spec)
    return _build(spec, value, path or _type_name(spec))


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


def _wrong(path: str, expected: str, value: Any) -> NoReturn:
    raise ValueError(f"{path}: expected {expected}, not {_describe(value)}")


def _clone(spec: Asn1Item, raw: Any, path: str) -> Asn1Item:
    try:
        return spec.clone(raw)
    except PyAsn1Error as exc:
        raise ValueError(
            f"{path}: {_describe(raw)} does not fit {_type_name(spec)}: {exc}"
        ) from None


def _build(spec: Asn1Item, value: Any, path: str) -> Asn1Item:
    if isinstance(spec, univ.Choice):
        return _build_choice(spec, value, path)
    if isinstance(spec, univ.SequenceOf | univ.SetOf):
        if not isinstance(value, list | tuple):
            _wrong(path, "a list", value)
        obj = spec.clone()
        obj.clear()
        item_spec = spec.componentType
        for index, item in enumerate(value):
            obj.setComponentByPosition(index, _build(item_spec, item, f"{path}[{index}]"))
        return obj
    if isinstance(spec, univ.Sequence | univ.Set):
        return _build_record(spec, value, path)
    return _build_scalar(spec, value, path)


def _check_choice(spec: univ.Choice, value: Any, path: str) -> tuple[int, str, Any]:
    """(position, name, value) of the alternative that the plain ``value`` chooses."""
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)):
        _wrong(path, "a tuple (alternative, value)", value)
    name, inner = value
    components = spec.componentType
    if name not in components:
        known = ", ".join(named.name for named in components.namedTypes)
        raise ValueError(f"{path}: {name!r} is not one of the alternatives {known}")
    return components.getPositionByName(name), name, inner


def _build_choice(spec: univ.Choice, value: Any, path: str) -> Asn1Item:
    index, name, inner = _check_choice(spec, value, path)
    obj = spec.clone()
    alternative = spec.componentType.namedTypes[index].asn1Object
    obj.setComponentByPosition(index, _build(alternative, inner, f"{path}.{name}"))
    return obj


def _check_record(spec: univ.Sequence | univ.Set, value: Any, path: str) -> None:
    """Check the keys of the plain ``value`` of a SEQUENCE or SET."""
    if not isinstance(value, Mapping):
        _wrong(path, "a dict", value)
    components = spec.componentType
    unknown = [key for key in value if key not in components]
    if unknown:
        known = ", ".join(named.name for named in components.namedTypes)
        raise ValueError(f"{path}: unknown component {unknown[0]!r} (components: {known})")
    for named in components.namedTypes:
        if named.name not in value and not (named.isOptional or named.isDefaulted):
            raise ValueError(f"{path}: mandatory component {named.name!r} missing")


def _build_record(spec: univ.Sequence | univ.Set, value: Any, path: str) -> Asn1Item:
    _check_record(spec, value, path)
    obj = spec.clone()
    obj.clear()
    for index, named in enumerate(spec.componentType.namedTypes):
        if named.name in value:
            component = _build(named.asn1Object, value[named.name], f"{path}.{named.name}")
            obj.setComponentByPosition(index, component)
    return obj


def _build_scalar(spec: Asn1Item, value: Any, path: str) -> Asn1Item:
    if isinstance(spec, univ.Null):
        if value is not None:
            _wrong(path, "None", value)
        return _clone(spec, "", path)
    if isinstance(spec, univ.Any):
        if not isinstance(value, bytes | bytearray):
            _wrong(path, "bytes (an encoded value)", value)
        return _clone(spec, bytes(value), path)
    if isinstance(spec, char.AbstractCharacterString):
        if not isinstance(value, str):
            _wrong(path, "str", value)
        try:
            value.encode(spec.encoding)
        except UnicodeEncodeError:
            raise ValueError(
                f"{path}: {value!r} has characters that {_type_name(spec)} cannot carry"
            ) from None
        return _clone(spec, value, path)
    if isinstance(spec, univ.OctetString):
        if not isinstance(value, bytes | bytearray):
            _wrong(path, "bytes", value)
        return _clone(spec, bytes(value), path)
    if isinstance(spec, univ.Boolean):
        if not isinstance(value, bool):
            _wrong(path, "bool", value)
        return _clone(spec, value, path)
    if isinstance(spec, univ.Enumerated):
        named = spec.namedValues
        if isinstance(value, str):
            if value not in named:
                known = ", ".join(named.keys())
                raise ValueError(f"{path}: {value!r} is not one of {known}")
        elif not isinstance(value, int) or isinstance(value, bool):
            _wrong(path, "str (an enumeration name)", value)
        return _clone(spec, value, path)
    if isinstance(spec, univ.Integer):
        if not isinstance(value, int) or isinstance(value, bool):
            _wrong(path, "int", value)
        return _clone(spec, value, path)
    if isinstance(spec, univ.BitString):
        return _build_bits(spec, value, path)
    if isinstance(spec, univ.ObjectIdentifier | univ.RelativeOID):
        if not isinstance(value, str) or not all(arc.isdigit() for arc in value.split(".")):
            _wrong(path, "str of dotted numbers", value)
        return _clone(spec, tuple(int(arc) for arc in value.split(".")), path)
    raise ValueError(f"{path}: no plain value for {_type_name(spec)}")


def _build_bits(spec: univ.BitString, value: Any, path: str) -> Asn1Item:
    if not (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], bytes | bytearray)
        and isinstance(value[1], int)
    ):
        _wrong(path, "a tuple (bytes, number_of_bits)", value)
    octets, bits = bytes(value[0]), value[1]
    if not 0 <= bits <= 8 * len(octets) or len(octets) != (bits + 7) // 8:
        raise ValueError(f"{path}: {len(octets)} octet(s) cannot hold exactly {bits} bit(s)")
    padding = 8 * len(octets) - bits
    raw = univ.BitString.fromOctetString(octets, internalFormat=True, padding=padding)
    return _clone(spec, raw, path)


def encode(spec: Spec, value: Any, path: str | None = None) -> bytes:
    """BER of the plain ``value`` as type ``spec``; :class:`ValueError` if it does not fit.

    Definite lengths in the shortest form, BOOLEAN TRUE as 0xff, and a DEFAULT component left
    out when its value is the default (X.690 11.5), so that decoding and encoding again gives
    back the bytes of a PDU written that way. Written here rather than by pyasn1's encoder:
    that one encodes an absent OPTIONAL component whose own components are all OPTIONAL or
    DEFAULT as an empty value, which changes what the PDU says.
    """
    spec = _spec_instance(spec)
    return _encode(spec, value, path or _type_name(spec))


def _identifier(tag: Tag, constructed: bool) -> bytes:
    first = tag.tagClass | (0x20 if constructed else 0)
    number = tag.tagId
    if number < 0x1F:
        return bytes((first | number,))
    groups = []
    while True:
        groups.append(number & 0x7F)
        number >>= 7
        if not number:
            break
    tail = [group | 0x80 for group in reversed(groups[1:])] + [groups[0]]
    return bytes((first | 0x1F, *tail))


def _tlv(tag: Tag, constructed: bool, content: bytes) -> bytes:
    return _identifier(tag, constructed) + encode_length(len(content)) + content


def _encode(spec: Asn1Item, value: Any, path: str) -> bytes:
    tags = spec.tagSet.superTags
    if isinstance(spec, univ.Choice):
        index, name, inner = _check_choice(spec, value, path)
        alternative = spec.componentType.namedTypes[index].asn1Object
        encoded = _encode(alternative, inner, f"{path}.{name}")
        wrappers = tags
    elif isinstance(spec, univ.Any):
        encoded = _build_scalar(spec, value, path).asOctets()
        wrappers = tags
    else:
        content, constructed = _contents(spec, value, path)
        encoded = _tlv(tags[0], constructed, content)
        wrappers = tags[1:]
    for tag in wrappers:
        encoded = _tlv(tag, True, encoded)
    return encoded


def _contents(spec: Asn1Item, value: Any, path: str) -> tuple[bytes, bool]:
    """Content octets of a type that has a tag of its own, and whether they are constructed."""
    if isinstance(spec, univ.SequenceOf | univ.SetOf):
        if not isinstance(value, list | tuple):
            _wrong(path, "a list", value)
        item_spec = spec.componentType
        items = (_encode(item_spec, item, f"{path}[{i}]") for i, item in enumerate(value))
        return b"".join(items), True
    if isinstance(spec, univ.Sequence | univ.Set):
        _check_record(spec, value, path)
        parts = []
        for named in spec.componentType.namedTypes:
            if named.name not in value:
                continue
            component = value[named.name]
            if named.isDefaulted and component == to_value(named.asn1Object):
                continue
            parts.append(_encode(named.asn1Object, component, f"{path}.{named.name}"))
        return b"".join(parts), True
    obj = _build_scalar(spec, value, path)
    if isinstance(obj, univ.Null):
        return b"", False
    if isinstance(obj, univ.OctetString):
        return obj.asOctets(), False
    if isinstance(obj, univ.Boolean):
        return (b"\xff" if obj else b"\x00"), False
    if isinstance(obj, univ.Integer):
        return encode_integer(int(obj)), False
    if isinstance(obj, univ.BitString):
        octets, bits = scalar_value(obj)
        return bytes((len(octets) * 8 - bits,)) + octets, False
    arcs = list(obj)
    if isinstance(obj, univ.ObjectIdentifier):
        if len(arcs) < 2:
            raise ValueError(f"{path}: an object identifier has at least two arcs")
        arcs[0:2] = [arcs[0] * 40 + arcs[1]]
    return b"".join(_arc(arc) for arc in arcs), False


def _arc(number: int) -> bytes:
    groups = [number & 0x7F]
    number >>= 7
    while number:
        groups.append(0x80 | (number & 0x7F))
        number >>= 7
    return bytes(reversed(groups))


# --------------------------------------------------------------------------------------------
# BER -> plain value


def decode(
    spec: Spec,
    data: bytes,
    *,
    path: str | None = None,
    offset: int = 0,
    open_types: MutableMapping[str, int] | None = None,
) -> Any:
    """The plain value of ``data``, one BER encoding of type ``spec`` and nothing after it.

    Raises only :class:`DecodeError`, whose message names the field path (starting with
    ``path``, by default the spec's class name) and whose offset is the octet where the bytes
    stopped fitting, counted from ``offset``: pass the position of ``data`` in the PDU it came
    from. ``open_types``, when given, receives the offset (counted the same way) where each
    ANY value starts, keyed by its field path.
    """
    return plans.decode(spec, bytes(data), path, offset, open_types)
