"""Physical device features (ECMA-285 modules CSTA-physical-device-feature,
CSTA-button-press and CSTA-set-display).
"""

from pyasn1.type import char, constraint, namedtype, namedval, tag, univ

from ecsta.wire.asn1.common import CSTACommonArguments
from ecsta.wire.asn1.device import DeviceID


class AuditoryApparatusID(univ.OctetString):
    pass


class ButtonID(univ.OctetString):
    pass


class CharacterSet(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("ascii", 0),
        ("unicode", 1),
        ("proprietary", 2),
    )


class DisplayID(univ.OctetString):
    pass


class HookswitchID(univ.OctetString):
    pass


class LampBrightness(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("unspecified", 0),
        ("dim", 1),
        ("bright", 2),
    )


class LampColor(univ.Integer):
    namedValues = namedval.NamedValues(
        ("noColor", 0),
        ("red", 1),
        ("yellow", 2),
        ("green", 3),
        ("blue", 4),
        ("unknown", 5),
    )
    subtypeSpec = univ.Integer.subtypeSpec + constraint.ValueRangeConstraint(0, 100)


class LampID(univ.OctetString):
    pass


class LampMode(univ.Integer):
    namedValues = namedval.NamedValues(
        ("brokenFlutter", 0),
        ("flutter", 1),
        ("off", 2),
        ("steady", 3),
        ("wink", 4),
        ("unknown", 5),
    )
    subtypeSpec = univ.Integer.subtypeSpec + constraint.ValueRangeConstraint(0, 100)


class MicGainInc(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("increment", 0),
        ("decrement", 1),
    )


class MicGainAbs(univ.Integer):
    subtypeSpec = univ.Integer.subtypeSpec + constraint.ValueRangeConstraint(0, 100)


class MicrophoneGain(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("micGainAbs", MicGainAbs()),
        namedtype.NamedType("micGainInc", MicGainInc()),
    )


class RingerID(univ.OctetString):
    pass


class RingMode(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("ringing", 0),
        ("notRinging", 1),
    )


class VolInc(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("increment", 0),
        ("decrement", 1),
    )


class VolAbs(univ.Integer):
    subtypeSpec = univ.Integer.subtypeSpec + constraint.ValueRangeConstraint(0, 100)


class Volume(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("volAbs", VolAbs()),
        namedtype.NamedType("volInc", VolInc()),
    )


class ButtonPressArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", DeviceID()),
        namedtype.NamedType("button", ButtonID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ButtonPressResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class SetDisplayArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", DeviceID()),
        namedtype.OptionalNamedType("display", DisplayID()),
        namedtype.OptionalNamedType(
            "physicalBaseRowNumber",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "physicalBaseColumnNumber",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.NamedType(
            "contentsOfDisplay",
            char.IA5String().subtype(subtypeSpec=constraint.ValueSizeConstraint(0, 240)),
        ),
        namedtype.OptionalNamedType(
            "offset",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "characterSet",
            CharacterSet().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SetDisplayResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )
