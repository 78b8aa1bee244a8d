"""The escape service (ECMA-285 modules CSTA-escape-types and CSTA-escape-service).

Panasonic carries its private services in it, such as the device list request of PROTOCOL.md
section 5; their content is in :mod:`ecsta.wire.asn1.kme`.
"""

from pyasn1.type import namedtype, tag, univ

from ecsta.wire.asn1.common import CSTACommonArguments, CSTAPrivateData, CSTASecurityData


class EscapeRegisterID(univ.OctetString):
    """Names an escape registration; Panasonic's private services do not use it."""

    tagSet = univ.OctetString.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
    )


class EscapeArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("escapeRegisterID", EscapeRegisterID()),
        namedtype.OptionalNamedType("security", CSTASecurityData()),
        namedtype.NamedType("privateData", CSTAPrivateData()),
    )


class EscapeResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )
