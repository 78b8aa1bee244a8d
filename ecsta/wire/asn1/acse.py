"""ACSE APDUs, EXTERNAL, the CSTA user information and the login carried in an AARQ.

- ``ACSE-1 {joint-iso-itu-t association-control(2) modules(0) acse1(1) version1(1)}``
  (ITU-T X.227bis), default tagging EXPLICIT: AARQ, AARE, RLRQ, RLRE and ABRT
  (``[APPLICATION 0..4]``) with every component X.227bis defines, extension additions
  included, so that any well-formed association request decodes. The A-DT, ACRQ and ACRP
  extension alternatives of ACSE-apdu belong to the connectionless and nested-association
  modes, which a CSTA link never uses; they are not defined.
- ``EXTERNAL`` as X.690 8.18 encodes it (``[UNIVERSAL 8] IMPLICIT SEQUENCE``).
- ``CSTA-application-context-information-csta3 {iso(1) identified-organization(3) icd-ecma(12)
  standard(0) csta3(285) application-context-information(200)}``:
  ACSEUserInformationForCSTA and CSTAVersion.
- ``SenderAuthentication``: ecsta's own login type, see docs/login.md.

Deviation from X.227bis: ``protocol-version`` is ``DEFAULT {version1}`` there and OPTIONAL here.
Panasonic sends the default value explicitly and existing applications compare the AARE byte for
byte, while pyasn1 drops a component equal to its default when encoding; as OPTIONAL, what was
received is what is sent. Absent still means version1.
"""

from pyasn1.type import char, namedtype, namedval, tag, univ, useful
from pyasn1.type.base import Asn1Type

#: ``aSO-context-name`` of a CSTA association: {iso(1) identified-organization(3) icd-ecma(12)
#: standard(0) csta3(218)}, the value Panasonic PBXs and their clients use.
CSTA_APPLICATION_CONTEXT = "1.3.12.0.218"

#: direct-reference of the EXTERNAL that carries ACSEUserInformationForCSTA.
CSTA_USER_INFORMATION_SYNTAX = "1.3.12.0.285.200"


def _context(number: int, constructed: bool = False) -> tag.Tag:
    form = tag.tagFormatConstructed if constructed else tag.tagFormatSimple
    return tag.Tag(tag.tagClassContext, form, number)


def _application(number: int) -> tag.Tag:
    return tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, number)


def _names(*pairs: tuple[str, int]) -> namedval.NamedValues:
    return namedval.NamedValues(*pairs)


# --------------------------------------------------------------------------------------------
# X.501 InformationFramework, as much as AP-title-form1 and ASO-qualifier-form1 need


class AttributeTypeAndValue(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("type", univ.ObjectIdentifier()),
        namedtype.NamedType("value", univ.Any()),
    )


class RelativeDistinguishedName(univ.SetOf):
    componentType = AttributeTypeAndValue()


class RDNSequence(univ.SequenceOf):
    componentType = RelativeDistinguishedName()


class Name(univ.Choice):
    componentType = namedtype.NamedTypes(namedtype.NamedType("rdnSequence", RDNSequence()))


# --------------------------------------------------------------------------------------------
# X.690 8.18


class EXTERNAL(univ.Sequence):
    """EXTERNAL as encoded (X.690 8.18); single-ASN1-type holds the encoded value, unparsed."""

    tagSet = univ.Sequence.tagSet.tagImplicitly(
        tag.Tag(tag.tagClassUniversal, tag.tagFormatConstructed, 8)
    )
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("direct-reference", univ.ObjectIdentifier()),
        namedtype.OptionalNamedType("indirect-reference", univ.Integer()),
        namedtype.OptionalNamedType("data-value-descriptor", useful.ObjectDescriptor()),
        namedtype.NamedType(
            "encoding",
            univ.Choice(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType(
                        "single-ASN1-type",
                        univ.Any().subtype(explicitTag=_context(0, constructed=True)),
                    ),
                    namedtype.NamedType(
                        "octet-aligned", univ.OctetString().subtype(implicitTag=_context(1))
                    ),
                    namedtype.NamedType(
                        "arbitrary", univ.BitString().subtype(implicitTag=_context(2))
                    ),
                )
            ),
        ),
    )


# --------------------------------------------------------------------------------------------
# ACSE-1 component types


class ASO_context_name(univ.ObjectIdentifier):
    pass


class ASO_context_name_list(univ.SequenceOf):
    componentType = ASO_context_name()


class AP_title(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("ap-title-form1", Name()),
        namedtype.NamedType("ap-title-form2", univ.ObjectIdentifier()),
        namedtype.NamedType("ap-title-form3", char.PrintableString()),
        namedtype.NamedType("ap-title-form4", univ.RelativeOID().subtype(implicitTag=_context(0))),
    )


class ASO_qualifier(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("aso-qualifier-form1", RelativeDistinguishedName()),
        namedtype.NamedType("aso-qualifier-form2", univ.Integer()),
        namedtype.NamedType("aso-qualifier-form3", char.PrintableString()),
        namedtype.NamedType(
            "aso-qualifier-form4", univ.RelativeOID().subtype(implicitTag=_context(0))
        ),
    )


class AE_qualifier(ASO_qualifier):
    pass


class AP_invocation_identifier(univ.Integer):
    pass


class AE_invocation_identifier(univ.Integer):
    pass


class ASOI_identifier(univ.Integer):
    pass


class ASOI_tag(univ.SequenceOf):
    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.OptionalNamedType(
                "qualifier", ASO_qualifier().subtype(explicitTag=_context(0, constructed=True))
            ),
            namedtype.OptionalNamedType(
                "identifier",
                ASOI_identifier().subtype(explicitTag=_context(1, constructed=True)),
            ),
        )
    )


class ACSE_requirements(univ.BitString):
    namedValues = _names(
        ("authentication", 0),
        ("aSO-context-negotiation", 1),
        ("higher-level-association", 2),
        ("nested-association", 3),
    )


class Mechanism_name(univ.ObjectIdentifier):
    pass


class Authentication_value(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("charstring", char.GraphicString().subtype(implicitTag=_context(0))),
        namedtype.NamedType("bitstring", univ.BitString().subtype(implicitTag=_context(1))),
        namedtype.NamedType(
            "external", EXTERNAL().subtype(implicitTag=_context(2, constructed=True))
        ),
        namedtype.NamedType(
            "other",
            univ.Sequence(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType("other-mechanism-name", univ.ObjectIdentifier()),
                    namedtype.NamedType("other-mechanism-value", univ.Any()),
                )
            ).subtype(implicitTag=_context(3, constructed=True)),
        ),
    )


class Implementation_data(char.GraphicString):
    pass


class Context_list(univ.SequenceOf):
    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.NamedType("pci", univ.Integer()),
            namedtype.NamedType("abstract-syntax", univ.ObjectIdentifier()),
            namedtype.NamedType(
                "transfer-syntaxes", univ.SequenceOf(componentType=univ.ObjectIdentifier())
            ),
        )
    )


class Default_Context_List(univ.SequenceOf):
    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.OptionalNamedType(
                "abstract-syntax-name", univ.ObjectIdentifier().subtype(implicitTag=_context(0))
            ),
            namedtype.NamedType(
                "transfer-syntax-name", univ.ObjectIdentifier().subtype(implicitTag=_context(1))
            ),
        )
    )


class Syntactic_context_list(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "context-list", Context_list().subtype(explicitTag=_context(0, constructed=True))
        ),
        namedtype.NamedType(
            "default-contact-list",
            Default_Context_List().subtype(explicitTag=_context(1, constructed=True)),
        ),
    )


class P_context_result_list(univ.SequenceOf):
    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.NamedType(
                "result",
                univ.Integer(
                    namedValues=_names(
                        ("acceptance", 0), ("user-rejection", 1), ("provider-rejection", 2)
                    )
                ).subtype(implicitTag=_context(0)),
            ),
            namedtype.OptionalNamedType(
                "concrete-syntax-name", univ.ObjectIdentifier().subtype(implicitTag=_context(1))
            ),
            namedtype.OptionalNamedType(
                "provider-reason",
                univ.Integer(
                    namedValues=_names(
                        ("reason-not-specified", 0),
                        ("abstract-syntax-not-supported", 1),
                        ("proposed-transfer-syntaxes-not-supported", 2),
                        ("local-limit-on-DCS-exceeded", 3),
                    )
                ).subtype(implicitTag=_context(2)),
            ),
        )
    )


class Association_data(univ.SequenceOf):
    componentType = EXTERNAL()


class Associate_result(univ.Integer):
    namedValues = _names(("accepted", 0), ("rejected-permanent", 1), ("rejected-transient", 2))


class Associate_source_diagnostic(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "acse-service-user",
            univ.Integer(
                namedValues=_names(
                    ("null", 0),
                    ("no-reason-given", 1),
                    ("application-context-name-not-supported", 2),
                    ("calling-AP-title-not-recognized", 3),
                    ("calling-AP-invocation-identifier-not-recognized", 4),
                    ("calling-AE-qualifier-not-recognized", 5),
                    ("calling-AE-invocation-identifier-not-recognized", 6),
                    ("called-AP-title-not-recognized", 7),
                    ("called-AP-invocation-identifier-not-recognized", 8),
                    ("called-AE-qualifier-not-recognized", 9),
                    ("called-AE-invocation-identifier-not-recognized", 10),
                    ("authentication-mechanism-name-not-recognized", 11),
                    ("authentication-mechanism-name-required", 12),
                    ("authentication-failure", 13),
                    ("authentication-required", 14),
                )
            ).subtype(explicitTag=_context(1, constructed=True)),
        ),
        namedtype.NamedType(
            "acse-service-provider",
            univ.Integer(
                namedValues=_names(
                    ("null", 0), ("no-reason-given", 1), ("no-common-acse-version", 2)
                )
            ).subtype(explicitTag=_context(2, constructed=True)),
        ),
    )


class Release_request_reason(univ.Integer):
    namedValues = _names(("normal", 0), ("urgent", 1), ("user-defined", 30))


class Release_response_reason(univ.Integer):
    namedValues = _names(("normal", 0), ("not-finished", 1), ("user-defined", 30))


class ABRT_source(univ.Integer):
    namedValues = _names(("acse-service-user", 0), ("acse-service-provider", 1))


class ABRT_diagnostic(univ.Enumerated):
    namedValues = _names(
        ("no-reason-given", 1),
        ("protocol-error", 2),
        ("authentication-mechanism-name-not-recognized", 3),
        ("authentication-mechanism-name-required", 4),
        ("authentication-failure", 5),
        ("authentication-required", 6),
    )


class _ProtocolVersion(univ.BitString):
    namedValues = _names(("version1", 0))


def _explicit(number: int, spec: Asn1Type) -> Asn1Type:
    return spec.subtype(explicitTag=_context(number, constructed=True))


def _implicit(number: int, spec: Asn1Type, constructed: bool = False) -> Asn1Type:
    return spec.subtype(implicitTag=_context(number, constructed))


def _user_information(number: int = 30) -> namedtype.NamedType:
    return namedtype.OptionalNamedType(
        "user-information", _implicit(number, Association_data(), constructed=True)
    )


# --------------------------------------------------------------------------------------------
# The APDUs


class AARQ_apdu(univ.Sequence):
    tagSet = univ.Sequence.tagSet.tagImplicitly(_application(0))
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("protocol-version", _implicit(0, _ProtocolVersion())),
        namedtype.NamedType("aSO-context-name", _explicit(1, ASO_context_name())),
        namedtype.OptionalNamedType("called-AP-title", _explicit(2, AP_title())),
        namedtype.OptionalNamedType("called-AE-qualifier", _explicit(3, AE_qualifier())),
        namedtype.OptionalNamedType(
            "called-AP-invocation-identifier", _explicit(4, AP_invocation_identifier())
        ),
        namedtype.OptionalNamedType(
            "called-AE-invocation-identifier", _explicit(5, AE_invocation_identifier())
        ),
        namedtype.OptionalNamedType("calling-AP-title", _explicit(6, AP_title())),
        namedtype.OptionalNamedType("calling-AE-qualifier", _explicit(7, AE_qualifier())),
        namedtype.OptionalNamedType(
            "calling-AP-invocation-identifier", _explicit(8, AP_invocation_identifier())
        ),
        namedtype.OptionalNamedType(
            "calling-AE-invocation-identifier", _explicit(9, AE_invocation_identifier())
        ),
        namedtype.OptionalNamedType("sender-acse-requirements", _implicit(10, ACSE_requirements())),
        namedtype.OptionalNamedType("mechanism-name", _implicit(11, Mechanism_name())),
        namedtype.OptionalNamedType(
            "calling-authentication-value", _explicit(12, Authentication_value())
        ),
        namedtype.OptionalNamedType(
            "aSO-context-name-list", _implicit(13, ASO_context_name_list(), constructed=True)
        ),
        namedtype.OptionalNamedType(
            "implementation-information", _implicit(29, Implementation_data())
        ),
        namedtype.OptionalNamedType(
            "p-context-definition-list", _explicit(14, Syntactic_context_list())
        ),
        namedtype.OptionalNamedType("called-asoi-tag", _implicit(15, ASOI_tag(), constructed=True)),
        namedtype.OptionalNamedType(
            "calling-asoi-tag", _implicit(16, ASOI_tag(), constructed=True)
        ),
        _user_information(),
    )


class AARE_apdu(univ.Sequence):
    tagSet = univ.Sequence.tagSet.tagImplicitly(_application(1))
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("protocol-version", _implicit(0, _ProtocolVersion())),
        namedtype.NamedType("aSO-context-name", _explicit(1, ASO_context_name())),
        namedtype.NamedType("result", _explicit(2, Associate_result())),
        namedtype.NamedType(
            "result-source-diagnostic", _explicit(3, Associate_source_diagnostic())
        ),
        namedtype.OptionalNamedType("responding-AP-title", _explicit(4, AP_title())),
        namedtype.OptionalNamedType("responding-AE-qualifier", _explicit(5, AE_qualifier())),
        namedtype.OptionalNamedType(
            "responding-AP-invocation-identifier", _explicit(6, AP_invocation_identifier())
        ),
        namedtype.OptionalNamedType(
            "responding-AE-invocation-identifier", _explicit(7, AE_invocation_identifier())
        ),
        namedtype.OptionalNamedType(
            "responder-acse-requirements", _implicit(8, ACSE_requirements())
        ),
        namedtype.OptionalNamedType("mechanism-name", _implicit(9, Mechanism_name())),
        namedtype.OptionalNamedType(
            "responding-authentication-value", _explicit(10, Authentication_value())
        ),
        namedtype.OptionalNamedType(
            "aSO-context-name-list", _implicit(11, ASO_context_name_list(), constructed=True)
        ),
        namedtype.OptionalNamedType(
            "implementation-information", _implicit(29, Implementation_data())
        ),
        namedtype.OptionalNamedType(
            "p-context-result-list", _implicit(12, P_context_result_list(), constructed=True)
        ),
        namedtype.OptionalNamedType("called-asoi-tag", _implicit(13, ASOI_tag(), constructed=True)),
        namedtype.OptionalNamedType(
            "calling-asoi-tag", _implicit(14, ASOI_tag(), constructed=True)
        ),
        _user_information(),
    )


def _release_components(reason: univ.Integer) -> namedtype.NamedTypes:
    return namedtype.NamedTypes(
        namedtype.OptionalNamedType("reason", _implicit(0, reason)),
        namedtype.OptionalNamedType("aso-qualifier", _explicit(13, ASO_qualifier())),
        namedtype.OptionalNamedType("asoi-identifier", _implicit(14, ASOI_identifier())),
        _user_information(),
    )


class RLRQ_apdu(univ.Sequence):
    tagSet = univ.Sequence.tagSet.tagImplicitly(_application(2))
    componentType = _release_components(Release_request_reason())


class RLRE_apdu(univ.Sequence):
    tagSet = univ.Sequence.tagSet.tagImplicitly(_application(3))
    componentType = _release_components(Release_response_reason())


class ABRT_apdu(univ.Sequence):
    tagSet = univ.Sequence.tagSet.tagImplicitly(_application(4))
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("abort-source", _implicit(0, ABRT_source())),
        namedtype.OptionalNamedType("abort-diagnostic", _implicit(1, ABRT_diagnostic())),
        namedtype.OptionalNamedType("aso-qualifier", _explicit(13, ASO_qualifier())),
        namedtype.OptionalNamedType("asoi-identifier", _implicit(14, ASOI_identifier())),
        _user_information(),
    )


class ACSE_apdu(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("aarq", AARQ_apdu()),
        namedtype.NamedType("aare", AARE_apdu()),
        namedtype.NamedType("rlrq", RLRQ_apdu()),
        namedtype.NamedType("rlre", RLRE_apdu()),
        namedtype.NamedType("abrt", ABRT_apdu()),
    )


# --------------------------------------------------------------------------------------------
# CSTA-application-context-information-csta3


class CSTAVersion(univ.BitString):
    namedValues = _names(
        ("versionOne", 0),
        ("versionTwo", 1),
        ("versionThree", 2),
        ("versionFour", 3),
        ("versionFive", 4),
        ("versionSix", 5),
        ("versionSeven", 6),
        ("versionEight", 7),
        ("versionNine", 8),
        ("versionTen", 9),
        ("versionEleven", 10),
        ("versionTwelve", 11),
        ("versionThirteen", 12),
        ("versionFourteen", 13),
        ("versionFifteen", 14),
        ("versionSixteen", 15),
        ("versionSeventeen", 16),
        ("versionEighteen", 17),
        ("versionNineteen", 18),
        ("versionTwenty", 19),
        ("versionTwentyone", 20),
        ("versionTwentytwo", 21),
        ("versionTwentythree", 22),
        ("versionTwentyfour", 23),
    )


# The seven service bit maps of CSTAFunctionality are ECMA-218 leftovers that no Panasonic peer
# sends; their bit names are left out, the values are (bytes, number_of_bits) all the same.


class SwitchingFunctionServicesC2(univ.BitString):
    pass


class EventReportServicesC2(univ.BitString):
    pass


class ComputingFunctionServicesC2(univ.BitString):
    pass


class BidirectionalServicesC2(univ.BitString):
    pass


class StatusReportingServicesC2(univ.BitString):
    pass


class InputOutputServicesC2(univ.BitString):
    pass


class VoiceUnitServicesC2(univ.BitString):
    pass


def _no_services(number: int, spec: univ.BitString) -> univ.BitString:
    return _implicit(number, spec).clone(binValue="")


class CSTAFunctionality(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.DefaultedNamedType(
            "switchingFunctionServices", _no_services(0, SwitchingFunctionServicesC2())
        ),
        namedtype.DefaultedNamedType(
            "eventReportServices", _no_services(1, EventReportServicesC2())
        ),
        namedtype.DefaultedNamedType(
            "computingFunctionServices", _no_services(2, ComputingFunctionServicesC2())
        ),
        namedtype.DefaultedNamedType(
            "bidirectionalServices", _no_services(3, BidirectionalServicesC2())
        ),
        namedtype.DefaultedNamedType(
            "statusReportingServices", _no_services(4, StatusReportingServicesC2())
        ),
        namedtype.DefaultedNamedType(
            "inputOutputServices", _no_services(5, InputOutputServicesC2())
        ),
        namedtype.DefaultedNamedType("voiceUnitServices", _no_services(6, VoiceUnitServicesC2())),
    )


class CSTAPrivateDataVersionList(univ.SequenceOf):
    componentType = univ.Integer()


class OldACSEUserInformationForCSTA(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cSTAVersion", CSTAVersion()),
        namedtype.NamedType("cSTAFunctionsRequiredByApplication", CSTAFunctionality()),
        namedtype.NamedType("cSTAFunctionsThatCanBeSupplied", CSTAFunctionality()),
    )


class NewACSEUserInformationForCSTA(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cSTAVersion", CSTAVersion()),
        namedtype.OptionalNamedType(
            "cSTAFunctionsRequiredByApplication",
            _implicit(0, CSTAFunctionality(), constructed=True),
        ),
        namedtype.OptionalNamedType(
            "cSTAFunctionsThatCanBeSupplied", _implicit(1, CSTAFunctionality(), constructed=True)
        ),
        namedtype.OptionalNamedType(
            "cSTAPrivateDataVersionList",
            _implicit(2, CSTAPrivateDataVersionList(), constructed=True),
        ),
    )


class ACSEUserInformationForCSTA(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("oldDefinition", OldACSEUserInformationForCSTA()),
        namedtype.NamedType(
            "newDefinition", _implicit(0, NewACSEUserInformationForCSTA(), constructed=True)
        ),
    )


# --------------------------------------------------------------------------------------------
# Login


class SenderAuthentication(univ.Sequence):
    """User name and password of a login at ecsta, in the AARQ's calling-authentication-value.

    ``SenderAuthentication ::= SEQUENCE { authentication-name [0] IMPLICIT UTF8String,
    authentication-password [1] IMPLICIT UTF8String }``, carried as the single-ASN1-type of an
    ``external`` Authentication-value. No public source gives the tags of the type the original
    multiplexer used; these are ecsta's, documented in docs/login.md.
    """

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("authentication-name", _implicit(0, char.UTF8String())),
        namedtype.NamedType("authentication-password", _implicit(1, char.UTF8String())),
    )
