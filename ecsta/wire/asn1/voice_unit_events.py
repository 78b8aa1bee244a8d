"""Voice unit events, one ECMA-285 module each
(CSTA-bookmark-reached-event ... CSTA-voice-error-occured-event).

Panasonic PBXs are not known to send any; these are here so that a switch that does cannot make
the event decoder fail.
"""

from pyasn1.type import char, constraint, namedtype, namedval, tag, univ

from ecsta.wire.asn1.call_types import ServicesPermitted
from ecsta.wire.asn1.common import CSTACommonArguments, EventCause
from ecsta.wire.asn1.connection import ConnectionID
from ecsta.wire.asn1.feature_types import MessageID, ResourceID
from ecsta.wire.asn1.physical import Volume


class BookmarkReachedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("overConnection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.NamedType("bookmark", char.IA5String()),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class CompletedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("overConnection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DtmfDetectedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("overConnection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.NamedType("dtmfChar", char.IA5String()),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class EmptiedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("overConnection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class InterruptionDetectedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("overConnection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class NotRecognizedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("overConnection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.NamedType("result", char.IA5String()),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class PlayEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.NamedType("message", MessageID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)),
        ),
        namedtype.OptionalNamedType(
            "length",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "currentPosition",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "speed",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class RecognizedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("overConnection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.NamedType("result", char.IA5String()),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class RecordEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.NamedType("message", MessageID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)),
        ),
        namedtype.OptionalNamedType(
            "length",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "currentPosition",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ReviewEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.NamedType("message", MessageID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)),
        ),
        namedtype.OptionalNamedType(
            "length",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "currentPosition",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SilenceTimeoutExpiredEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("overConnection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SpeechDetectedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("overConnection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class StartedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("overConnection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class StopEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.NamedType("message", MessageID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)),
        ),
        namedtype.OptionalNamedType(
            "length",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "currentPosition",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SuspendPlayEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.NamedType("message", MessageID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)),
        ),
        namedtype.OptionalNamedType(
            "length",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "currentPosition",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SuspendRecordEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.NamedType("message", MessageID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)),
        ),
        namedtype.OptionalNamedType(
            "length",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "currentPosition",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class VoiceAttributesChangeEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)),
        ),
        namedtype.NamedType("message", MessageID()),
        namedtype.OptionalNamedType(
            "playVolume",
            Volume().subtype(explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)),
        ),
        namedtype.OptionalNamedType(
            "recordingGain",
            univ.Integer().subtype(
                subtypeSpec=constraint.ValueRangeConstraint(0, 100),
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1),
            ),
        ),
        namedtype.OptionalNamedType(
            "speed",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "currentPosition",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "grammars",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "language",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "mode",
            univ.Enumerated(
                namedValues=namedval.NamedValues(
                    ("automatic", 0),
                    ("single", 1),
                    ("multiple", 2),
                )
            ).subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)),
        ),
        namedtype.OptionalNamedType(
            "retainAudio",
            univ.Boolean().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "silenceTimeout",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 9)
            ),
        ),
        namedtype.OptionalNamedType(
            "maxTimeout",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 10)
            ),
        ),
        namedtype.OptionalNamedType(
            "babbleTimeout",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 11)
            ),
        ),
        namedtype.OptionalNamedType(
            "endSilence",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 12)
            ),
        ),
        namedtype.OptionalNamedType(
            "rejectionThreshold",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 13)
            ),
        ),
        namedtype.OptionalNamedType(
            "autoInterruptible",
            univ.Boolean().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 14)
            ),
        ),
        namedtype.OptionalNamedType(
            "innerXML",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 15)
            ),
        ),
        namedtype.OptionalNamedType(
            "interDigitTimeout",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 16)
            ),
        ),
        namedtype.OptionalNamedType(
            "preflush",
            univ.Boolean().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 17)
            ),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class VoiceErrorOccuredEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("overConnection", ConnectionID()),
        namedtype.OptionalNamedType(
            "resource",
            ResourceID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("servicesPermitted", ServicesPermitted()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )
