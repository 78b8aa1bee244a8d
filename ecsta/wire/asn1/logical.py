"""Logical device features: forwarding and do-not-disturb (ECMA-285 modules
CSTA-set-forwarding, CSTA-get-forwarding, CSTA-set-do-not-disturb and CSTA-get-do-not-disturb).
"""

from pyasn1.type import constraint, namedtype, tag, univ

from ecsta.wire.asn1.common import CSTACommonArguments
from ecsta.wire.asn1.device import DeviceID
from ecsta.wire.asn1.feature_types import CallOrigination, ForwardingType, ForwardList


class SetForwardingArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", DeviceID()),
        namedtype.OptionalNamedType("forwardingType", ForwardingType()),
        namedtype.NamedType("activateForward", univ.Boolean()),
        namedtype.OptionalNamedType("forwardDN", DeviceID()),
        namedtype.OptionalNamedType(
            "ringCount", univ.Integer().subtype(subtypeSpec=constraint.ValueRangeConstraint(1, 100))
        ),
        namedtype.OptionalNamedType(
            "ringDuration",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SetForwardingResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class GetForwardingArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", DeviceID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class GetForwardingResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("forwardingList", ForwardList()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SetDoNotDisturbArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", DeviceID()),
        namedtype.NamedType("doNotDisturbOn", univ.Boolean()),
        namedtype.OptionalNamedType("callOrigination", CallOrigination()),
        namedtype.OptionalNamedType("callingDeviceList", univ.SequenceOf(componentType=DeviceID())),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SetDoNotDisturbResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class GetDoNotDisturbArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", DeviceID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class GetDoNotDisturbResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("doNotDisturbOn", univ.Boolean()),
        namedtype.OptionalNamedType("callOrigination", CallOrigination()),
        namedtype.OptionalNamedType("callingDeviceList", univ.SequenceOf(componentType=DeviceID())),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )
