"""The event report (ECMA-285 modules CSTA-event-report-definitions and
CSTA-private-event).

Every alternative of every event group of the 4th edition is modelled, so any event that the
standard defines decodes; bytes that fit none of them fail with a decode error that names the
position.
"""

from pyasn1.type import namedtype, tag, univ

from ecsta.wire.asn1.call_events import (
    BridgedEvent,
    CallClearedEvent,
    CallInformationEvent,
    ChargingEvent,
    ConferencedEvent,
    ConnectionClearedEvent,
    DeliveredEvent,
    DigitsDialedEvent,
    DigitsGeneratedEvent,
    DivertedEvent,
    EstablishedEvent,
    FailedEvent,
    HeldEvent,
    MediaAttachedEvent,
    MediaDetachedEvent,
    NetworkCapabilitiesChangedEvent,
    NetworkReachedEvent,
    OfferedEvent,
    OriginatedEvent,
    QueuedEvent,
    RetrievedEvent,
    ServiceCompletionFailureEvent,
    ServiceInitiatedEvent,
    TelephonyTonesGeneratedEvent,
    TransferredEvent,
)
from ecsta.wire.asn1.common import CSTAPrivateData, CSTASecurityData, MonitorCrossRefID
from ecsta.wire.asn1.device_events import (
    AgentBusyEvent,
    AgentLoggedOffEvent,
    AgentLoggedOnEvent,
    AgentNotReadyEvent,
    AgentReadyEvent,
    AgentWorkingAfterCallEvent,
    AutoAnswerEvent,
    AutoWorkModeEvent,
    BackInServiceEvent,
    ButtonInformationEvent,
    ButtonPressEvent,
    CallBackEvent,
    CallBackMessageEvent,
    CallerIDStatusEvent,
    DeviceCapsChangedEvent,
    DisplayUpdatedEvent,
    DoNotDisturbEvent,
    ForwardingEvent,
    HookswitchEvent,
    LampModeEvent,
    MessageWaitingEvent,
    MicrophoneGainEvent,
    MicrophoneMuteEvent,
    OutOfServiceEvent,
    PartiallyInServiceEvent,
    PresenceStateEvent,
    RingerStatusEvent,
    RouteingModeEvent,
    SpeakerMuteEvent,
    SpeakerVolumeEvent,
)
from ecsta.wire.asn1.voice_unit_events import (
    BookmarkReachedEvent,
    CompletedEvent,
    DtmfDetectedEvent,
    EmptiedEvent,
    InterruptionDetectedEvent,
    NotRecognizedEvent,
    PlayEvent,
    RecognizedEvent,
    RecordEvent,
    ReviewEvent,
    SilenceTimeoutExpiredEvent,
    SpeechDetectedEvent,
    StartedEvent,
    StopEvent,
    SuspendPlayEvent,
    SuspendRecordEvent,
    VoiceAttributesChangeEvent,
    VoiceErrorOccuredEvent,
)


class CallControlEvents(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "bridged",
            BridgedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "callCleared",
            CallClearedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.NamedType(
            "conferenced",
            ConferencedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.NamedType(
            "connectionCleared",
            ConnectionClearedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.NamedType(
            "delivered",
            DeliveredEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.NamedType(
            "digitsDialed",
            DigitsDialedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.NamedType(
            "diverted",
            DivertedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.NamedType(
            "established",
            EstablishedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.NamedType(
            "failed",
            FailedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 8)
            ),
        ),
        namedtype.NamedType(
            "held",
            HeldEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.NamedType(
            "networkCapabilitiesChanged",
            NetworkCapabilitiesChangedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 10)
            ),
        ),
        namedtype.NamedType(
            "networkReached",
            NetworkReachedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 11)
            ),
        ),
        namedtype.NamedType(
            "offered",
            OfferedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 12)
            ),
        ),
        namedtype.NamedType(
            "originated",
            OriginatedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 13)
            ),
        ),
        namedtype.NamedType(
            "queued",
            QueuedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 14)
            ),
        ),
        namedtype.NamedType(
            "retrieved",
            RetrievedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 15)
            ),
        ),
        namedtype.NamedType(
            "serviceInitiated",
            ServiceInitiatedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 16)
            ),
        ),
        namedtype.NamedType(
            "transferred",
            TransferredEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 17)
            ),
        ),
    )


class CallAssociatedEvents(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "callInformation",
            CallInformationEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "charging",
            ChargingEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.NamedType(
            "digitsGeneratedEvent",
            DigitsGeneratedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.NamedType(
            "telephonyTonesGeneratedEvent",
            TelephonyTonesGeneratedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.NamedType(
            "serviceCompletionFailure",
            ServiceCompletionFailureEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
    )


class MediaAttachmentEvents(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "mediaAttached",
            MediaAttachedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "mediaDetached",
            MediaDetachedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
    )


class PhysicalDeviceFeatureEvents(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "buttonInformation",
            ButtonInformationEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "buttonPress",
            ButtonPressEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.NamedType(
            "displayUpdated",
            DisplayUpdatedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.NamedType(
            "hookswitch",
            HookswitchEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.NamedType(
            "lampMode",
            LampModeEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.NamedType(
            "messageWaiting",
            MessageWaitingEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.NamedType(
            "microphoneGain",
            MicrophoneGainEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.NamedType(
            "microphoneMute",
            MicrophoneMuteEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.NamedType(
            "ringerStatus",
            RingerStatusEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 8)
            ),
        ),
        namedtype.NamedType(
            "speakerMute",
            SpeakerMuteEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.NamedType(
            "speakerVolume",
            SpeakerVolumeEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 10)
            ),
        ),
    )


class LogicalDeviceFeatureEvents(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "agentBusy",
            AgentBusyEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "agentLoggedOn",
            AgentLoggedOnEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.NamedType(
            "agentLoggedOff",
            AgentLoggedOffEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.NamedType(
            "agentNotReady",
            AgentNotReadyEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.NamedType(
            "agentReady",
            AgentReadyEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.NamedType(
            "agentWorkingAfterCall",
            AgentWorkingAfterCallEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.NamedType(
            "autoAnswer",
            AutoAnswerEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.NamedType(
            "autoWorkMode",
            AutoWorkModeEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.NamedType(
            "callBack",
            CallBackEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 8)
            ),
        ),
        namedtype.NamedType(
            "callBackMessage",
            CallBackMessageEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.NamedType(
            "callerIDStatus",
            CallerIDStatusEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 10)
            ),
        ),
        namedtype.NamedType(
            "doNotDisturb",
            DoNotDisturbEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 11)
            ),
        ),
        namedtype.NamedType(
            "forwarding",
            ForwardingEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 12)
            ),
        ),
        namedtype.NamedType(
            "presenceState",
            PresenceStateEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 14)
            ),
        ),
        namedtype.NamedType(
            "routeingMode",
            RouteingModeEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 13)
            ),
        ),
    )


class DeviceMaintenanceEvents(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "backInService",
            BackInServiceEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "deviceCapabilityChanged",
            DeviceCapsChangedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.NamedType(
            "outOfService",
            OutOfServiceEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.NamedType(
            "partiallyInService",
            PartiallyInServiceEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
    )


class VoiceUnitEvents(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "bookmarkReached",
            BookmarkReachedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.NamedType(
            "completed",
            CompletedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 8)
            ),
        ),
        namedtype.NamedType(
            "dtmfDetected",
            DtmfDetectedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.NamedType(
            "emptied",
            EmptiedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 10)
            ),
        ),
        namedtype.NamedType(
            "interruptionDetected",
            InterruptionDetectedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 11)
            ),
        ),
        namedtype.NamedType(
            "notRecognized",
            NotRecognizedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 12)
            ),
        ),
        namedtype.NamedType(
            "play",
            PlayEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "recognized",
            RecognizedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 13)
            ),
        ),
        namedtype.NamedType(
            "record",
            RecordEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.NamedType(
            "review",
            ReviewEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.NamedType(
            "silenceTimeoutExpired",
            SilenceTimeoutExpiredEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 14)
            ),
        ),
        namedtype.NamedType(
            "speechDetected",
            SpeechDetectedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 15)
            ),
        ),
        namedtype.NamedType(
            "started",
            StartedEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 16)
            ),
        ),
        namedtype.NamedType(
            "stop",
            StopEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.NamedType(
            "suspendPlay",
            SuspendPlayEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.NamedType(
            "suspendRecord",
            SuspendRecordEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.NamedType(
            "voiceAttributesChange",
            VoiceAttributesChangeEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.NamedType(
            "voiceErrorOccured",
            VoiceErrorOccuredEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 17)
            ),
        ),
    )


class PrivateEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("security", CSTASecurityData()),
        namedtype.NamedType("privateData", CSTAPrivateData()),
    )


class VendorSpecEvents(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "privateEvent",
            PrivateEvent().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
    )


class EventSpecificInfo(univ.Choice):
    """Which event a report carries: a group, then the event within it."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "callControlEvents",
            CallControlEvents().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "callAssociatedEvents",
            CallAssociatedEvents().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.NamedType(
            "mediaAttachmentEvents",
            MediaAttachmentEvents().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.NamedType(
            "physicalDeviceFeatureEvents",
            PhysicalDeviceFeatureEvents().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.NamedType(
            "logicalDeviceFeatureEvents",
            LogicalDeviceFeatureEvents().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.NamedType(
            "deviceMaintenanceEvents",
            DeviceMaintenanceEvents().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.NamedType(
            "voiceUnitEvents",
            VoiceUnitEvents().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.NamedType(
            "vendorSpecEvents",
            VendorSpecEvents().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
    )


class CSTAEventReportArgument(univ.Sequence):
    """One event: the monitor it belongs to and what happened."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("crossRefIdentifier", MonitorCrossRefID()),
        namedtype.NamedType("eventSpecificInfo", EventSpecificInfo()),
    )
