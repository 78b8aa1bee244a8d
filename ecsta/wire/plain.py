"""The plain value of a pyasn1 object, as :mod:`ecsta.wire.values` describes the mapping.

Its own module because both :mod:`ecsta.wire.values` and :mod:`ecsta.wire.plans` (for DEFAULT
values and judged scalars) need it, and neither may import the other in a circle.
"""

from typing import Any

from pyasn1.type import char, univ
from pyasn1.type.base import Asn1Item


def _type_name(spec: Asn1Item) -> str:
    return type(spec).__name__


def to_value(obj: Asn1Item) -> Any:
    """The plain value of a pyasn1 object (see the module docstring for the mapping)."""
    if isinstance(obj, univ.Choice):
        name = obj.getName()
        if not name:
            raise ValueError(f"{_type_name(obj)}: no alternative chosen")
        return name, to_value(obj.getComponent())
    if isinstance(obj, univ.SequenceOf | univ.SetOf):
        return [to_value(item) for item in obj]
    if isinstance(obj, univ.Sequence | univ.Set):
        out = {}
        for index, named in enumerate(obj.componentType.namedTypes):
            component = obj.getComponentByPosition(index, default=None, instantiate=False)
            if component is not None and component.isValue:
                out[named.name] = to_value(component)
            elif named.isDefaulted:
                out[named.name] = to_value(named.asn1Object)
        return out
    if not obj.isValue:
        raise ValueError(f"{_type_name(obj)}: no value")
    return scalar_value(obj)


def scalar_value(obj: Asn1Item) -> Any:
    """The plain value of a scalar; BER encoding reuses it for a BIT STRING's aligned octets."""
    # pyasn1 derives Null, Any and the character strings from OctetString, and Boolean and
    # Enumerated from Integer: the subclasses are tested first.
    if isinstance(obj, univ.Null):
        return None
    if isinstance(obj, univ.Any):
        return bytes(obj)
    if isinstance(obj, char.AbstractCharacterString):
        return str(obj)
    if isinstance(obj, univ.OctetString):
        return obj.asOctets()
    if isinstance(obj, univ.Boolean):
        return bool(obj)
    if isinstance(obj, univ.Enumerated):
        number = int(obj)
        name = obj.namedValues.getName(number)
        return number if name is None else name
    if isinstance(obj, univ.Integer):
        return int(obj)
    if isinstance(obj, univ.BitString):
        bits = len(obj)
        size = (bits + 7) // 8
        return (obj.asInteger() << (size * 8 - bits)).to_bytes(size, "big"), bits
    if isinstance(obj, univ.ObjectIdentifier | univ.RelativeOID):
        return ".".join(str(arc) for arc in obj)
    raise ValueError(f"{_type_name(obj)}: no plain value for this type")
