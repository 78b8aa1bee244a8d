"""Physical device feature, logical device feature and device maintenance
events, one ECMA-285 module each (CSTA-button-information-event ... CSTA-speaker-volume-event,
CSTA-agent-busy-event ... CSTA-routeing-mode-event, CSTA-back-in-service-event,
CSTA-device-capabilities-changed-event, CSTA-out-of-service-event and
CSTA-partially-in-service-event).
"""

from pyasn1.type import char, constraint, namedtype, namedval, tag, univ

from ecsta.wire.asn1.common import CSTACommonArguments, EventCause, TimeInfo
from ecsta.wire.asn1.device import DeviceID, SubjectDeviceID
from ecsta.wire.asn1.feature_types import (
    AgentID,
    AgentPassword,
    CallOrigination,
    ForwardDefault,
    ForwardingType,
    PendingAgentState,
    PresenceState,
)
from ecsta.wire.asn1.physical import (
    AuditoryApparatusID,
    ButtonID,
    CharacterSet,
    DisplayID,
    HookswitchID,
    LampBrightness,
    LampColor,
    LampID,
    LampMode,
    MicrophoneGain,
    RingerID,
    RingMode,
    Volume,
)


class ButtonInformationEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.NamedType("button", ButtonID()),
        namedtype.OptionalNamedType(
            "buttonLabel",
            char.IA5String().subtype(subtypeSpec=constraint.ValueSizeConstraint(0, 64)),
        ),
        namedtype.OptionalNamedType("buttonAssociatedNumber", DeviceID()),
        namedtype.OptionalNamedType("buttonPressIndicator", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ButtonPressEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.NamedType("button", ButtonID()),
        namedtype.OptionalNamedType(
            "buttonLabel",
            char.IA5String().subtype(subtypeSpec=constraint.ValueSizeConstraint(0, 64)),
        ),
        namedtype.OptionalNamedType("buttonAssociatedNumber", DeviceID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DisplayUpdatedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.OptionalNamedType("displayID", DisplayID()),
        namedtype.NamedType("logicalRows", univ.Integer()),
        namedtype.NamedType("logicalColumns", univ.Integer()),
        namedtype.OptionalNamedType(
            "physicalRows",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "physicalColumns",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "physicalBaseRowNumber",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "physicalBaseColumnNumber",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType("characterSet", CharacterSet()),
        namedtype.NamedType("contentsOfDisplay", char.IA5String()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class HookswitchEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.NamedType("hookswitch", HookswitchID()),
        namedtype.NamedType("hookswitchOnHook", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class LampModeEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.NamedType("lamp", LampID()),
        namedtype.OptionalNamedType("lampLabel", univ.OctetString()),
        namedtype.NamedType("lampMode", LampMode()),
        namedtype.OptionalNamedType("lampBrightness", LampBrightness()),
        namedtype.OptionalNamedType("lampColor", LampColor()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class MessageWaitingEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("targetDevice", SubjectDeviceID()),
        namedtype.OptionalNamedType("deviceForMessage", DeviceID()),
        namedtype.NamedType("messageWaitingOn", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class MicrophoneGainEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("invokingDevice", SubjectDeviceID()),
        namedtype.NamedType("auditoryApparatus", AuditoryApparatusID()),
        namedtype.NamedType("microphoneGain", MicrophoneGain()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class MicrophoneMuteEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("invokingDevice", SubjectDeviceID()),
        namedtype.NamedType("auditoryApparatus", AuditoryApparatusID()),
        namedtype.NamedType("microphoneMuteOn", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class RingerStatusEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.NamedType("ringer", RingerID()),
        namedtype.OptionalNamedType("ringMode", RingMode()),
        namedtype.OptionalNamedType(
            "ringCount",
            univ.Integer().subtype(
                subtypeSpec=constraint.ValueRangeConstraint(0, 1000),
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0),
            ),
        ),
        namedtype.OptionalNamedType(
            "ringDuration",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "ringPattern",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "ringVolume",
            Volume().subtype(explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SpeakerMuteEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("invokingDevice", SubjectDeviceID()),
        namedtype.NamedType("auditoryApparatus", AuditoryApparatusID()),
        namedtype.NamedType("speakerMuteOn", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SpeakerVolumeEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("invokingDevice", SubjectDeviceID()),
        namedtype.NamedType("auditoryApparatus", AuditoryApparatusID()),
        namedtype.NamedType("speakerVolume", Volume()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class AgentBusyEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("agentDevice", SubjectDeviceID()),
        namedtype.OptionalNamedType("agentID", AgentID()),
        namedtype.OptionalNamedType("acdGroup", DeviceID()),
        namedtype.OptionalNamedType(
            "pendingAgentState",
            PendingAgentState().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "cause",
            EventCause().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class AgentLoggedOnEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("agentDevice", SubjectDeviceID()),
        namedtype.OptionalNamedType(
            "agentID",
            AgentID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)),
        ),
        namedtype.OptionalNamedType("acdGroup", DeviceID()),
        namedtype.OptionalNamedType(
            "agentPassword",
            AgentPassword().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class AgentLoggedOffEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("agentDevice", SubjectDeviceID()),
        namedtype.OptionalNamedType(
            "agentID",
            AgentID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)),
        ),
        namedtype.OptionalNamedType("acdGroup", DeviceID()),
        namedtype.OptionalNamedType(
            "agentPassword",
            AgentPassword().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class AgentNotReadyEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("agentDevice", SubjectDeviceID()),
        namedtype.OptionalNamedType("agentID", AgentID()),
        namedtype.OptionalNamedType("acdGroup", DeviceID()),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class AgentReadyEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("agentDevice", SubjectDeviceID()),
        namedtype.OptionalNamedType("agentID", AgentID()),
        namedtype.OptionalNamedType("acdGroup", DeviceID()),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class AgentWorkingAfterCallEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("agentDevice", SubjectDeviceID()),
        namedtype.OptionalNamedType("agentID", AgentID()),
        namedtype.OptionalNamedType("acdGroup", DeviceID()),
        namedtype.OptionalNamedType(
            "pendingAgentState",
            univ.Enumerated(
                namedValues=namedval.NamedValues(
                    ("notReady", 0),
                    ("ready", 1),
                    ("null", 2),
                )
            ).subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)),
        ),
        namedtype.OptionalNamedType(
            "cause",
            EventCause().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class AutoAnswerEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("invokingDevice", SubjectDeviceID()),
        namedtype.NamedType("autoAnswerOn", univ.Boolean()),
        namedtype.OptionalNamedType("numberOfRings", univ.Integer()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class AutoWorkModeEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("invokingDevice", SubjectDeviceID()),
        namedtype.NamedType("autoWorkOn", univ.Boolean()),
        namedtype.NamedType("autoWorkInterval", univ.Integer()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class CallBackEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("originatingDevice", SubjectDeviceID()),
        namedtype.NamedType("targetDevice", SubjectDeviceID()),
        namedtype.NamedType("callBackSetCanceled", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class CallBackMessageEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("originatingDevice", SubjectDeviceID()),
        namedtype.NamedType("targetDevice", SubjectDeviceID()),
        namedtype.NamedType("callBackMsgSetCanceled", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class CallerIDStatusEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", DeviceID()),
        namedtype.NamedType("callerIDProvided", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DoNotDisturbEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.NamedType("doNotDisturbOn", univ.Boolean()),
        namedtype.OptionalNamedType("callOrigination", CallOrigination()),
        namedtype.OptionalNamedType("callingDeviceList", univ.SequenceOf(componentType=DeviceID())),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ForwardingEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.OptionalNamedType("forwardingType", ForwardingType()),
        namedtype.NamedType("forwardStatus", univ.Boolean()),
        namedtype.OptionalNamedType("forwardTo", DeviceID()),
        namedtype.OptionalNamedType("forwardDefault", ForwardDefault()),
        namedtype.OptionalNamedType(
            "ringCount", univ.Integer().subtype(subtypeSpec=constraint.ValueRangeConstraint(1, 100))
        ),
        namedtype.OptionalNamedType(
            "ringDuration",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class PresenceStateEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.NamedType("presenceState", PresenceState()),
        namedtype.OptionalNamedType(
            "fromTime",
            TimeInfo().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.OptionalNamedType(
            "untilTime",
            TimeInfo().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)),
        ),
        namedtype.OptionalNamedType(
            "place",
            univ.OctetString().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "mood",
            univ.OctetString().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "namedPresenceState",
            univ.OctetString().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class RouteingModeEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.NamedType("routeingMode", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class BackInServiceEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DeviceCapsChangedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class OutOfServiceEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class PartiallyInServiceEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )
