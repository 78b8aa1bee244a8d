"""Data collection: digits and tones detected on a call (ECMA-285 modules
CSTA-data-collection, CSTA-start-data-collection, CSTA-stop-data-collection and
CSTA-data-collected).
"""

from pyasn1.type import char, constraint, namedtype, namedval, tag, univ

from ecsta.wire.asn1.common import CSTACommonArguments
from ecsta.wire.asn1.connection import ConnectionID
from ecsta.wire.asn1.device import DeviceID
from ecsta.wire.asn1.media import ConnectionInformation


class DcollCrossRefID(univ.OctetString):
    pass


class CallObject(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", DeviceID()),
        namedtype.NamedType("call", ConnectionID()),
    )


class DataCollType(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("digits", 0),
        ("telTones", 1),
    )


class DigitsReportingCriteria(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType(
            "numChars",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "flushChar", char.IA5String().subtype(subtypeSpec=constraint.ValueSizeConstraint(1, 1))
        ),
        namedtype.OptionalNamedType(
            "timeout",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
    )


class StartDataCollectionArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("object", CallObject()),
        namedtype.OptionalNamedType("dataCollType", DataCollType()),
        namedtype.OptionalNamedType("digitsReportingCriteria", DigitsReportingCriteria()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class StartDataCollectionResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("dcollCrossRefID", DcollCrossRefID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class StopDataCollectionArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("dcollCrossRefID", DcollCrossRefID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class StopDataCollectionResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class DigitsData(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "digitsDetected",
            char.IA5String().subtype(subtypeSpec=constraint.ValueSizeConstraint(0, 64)),
        ),
        namedtype.OptionalNamedType(
            "digitsDuration",
            univ.SequenceOf(componentType=univ.Integer()).subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "digitsPauseDuration",
            univ.SequenceOf(componentType=univ.Integer()).subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
    )


class ToneDetected(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("beep", 0),
        ("billing", 1),
        ("busy", 2),
        ("carrier", 3),
        ("confirmation", 4),
        ("dial", 5),
        ("faxCNG", 6),
        ("hold", 7),
        ("howler", 8),
        ("intrusion", 9),
        ("modemCNG", 10),
        ("park", 11),
        ("recordWarning", 12),
        ("reorder", 13),
        ("ringback", 14),
        ("silence", 15),
        ("sitVC", 16),
        ("sitIC", 17),
        ("sitRO", 18),
        ("sitNC", 19),
        ("other", 20),
    )


class TelTonesData(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("toneDetected", ToneDetected()),
        namedtype.OptionalNamedType(
            "toneFrequency",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "toneDuration",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "tonePauseDuration",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
    )


class DcollCause(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("flushCharReceived", 0),
        ("charCountReached", 1),
        ("timeout", 2),
        ("sfTerminated", 3),
    )


class DataCollectedArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("dcollCrossRefID", DcollCrossRefID()),
        namedtype.OptionalNamedType(
            "digitsData",
            DigitsData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "telTonesData",
            TelTonesData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "connectionInformation",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType("dcollCause", DcollCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DataCollectedResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )
