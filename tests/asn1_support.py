"""Helpers for the ASN.1 type tests: the independent ECMA-285 oracle, and value conversions.

The oracle (asn1tools compiling the ECMA-285 module text) is the reference the pyasn1 specs are
checked against. It differs from ecsta's value convention in one place: it turns a
GeneralizedTime into a ``datetime`` (and drops zero seconds when encoding one), where ecsta
keeps the text as on the wire; :func:`to_oracle` and :func:`from_oracle` convert between the
two, guided by the spec.
"""

import datetime
from typing import Any

from pyasn1.type import univ, useful
from pyasn1.type.base import Asn1Item

from ecsta.wire.values import Spec
from tests.apdu_oracle import oracle_or_reason

_TIME_FORMAT = "%Y%m%d%H%M%S"


#: The ``ecma285`` oracle module, or None and the reason it cannot be used.
load_oracle = oracle_or_reason


def _instance(spec: Spec) -> Asn1Item:
    return spec() if isinstance(spec, type) else spec


def _convert(spec: Spec, value: Any, leaf: Any) -> Any:
    spec = _instance(spec)
    if isinstance(spec, univ.Choice):
        name, inner = value
        named = spec.componentType[spec.componentType.getPositionByName(name)]
        return name, _convert(named.asn1Object, inner, leaf)
    if isinstance(spec, univ.SequenceOf | univ.SetOf):
        return [_convert(spec.componentType, item, leaf) for item in value]
    if isinstance(spec, univ.Sequence | univ.Set):
        types = spec.componentType
        return {
            key: _convert(types[types.getPositionByName(key)].asn1Object, item, leaf)
            for key, item in value.items()
        }
    if isinstance(spec, useful.GeneralizedTime):
        return leaf(value)
    return value


def to_oracle(spec: Spec, value: Any) -> Any:
    """ecsta's plain value as the oracle wants it (GeneralizedTime as ``datetime``)."""
    return _convert(spec, value, lambda text: datetime.datetime.strptime(text, _TIME_FORMAT))


def from_oracle(spec: Spec, value: Any) -> Any:
    """The oracle's value in ecsta's convention (GeneralizedTime as the text on the wire)."""
    return _convert(spec, value, lambda moment: moment.strftime(_TIME_FORMAT))
