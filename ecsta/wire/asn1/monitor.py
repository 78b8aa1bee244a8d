"""Monitoring (ECMA-285 modules CSTA-monitor-start, CSTA-monitor-stop,
CSTA-change-monitor-filter, CSTA-status-reporting and CSTA-switching-function-objects), and the
event bit maps of CSTA-application-context-information-csta3 that a ``MonitorFilter`` is made of.

The bit-map classes share their names with the event CHOICEs of
:mod:`ecsta.wire.asn1.events`, as they do in the standard: ``monitor.CallControlEvents`` is
the filter's BIT STRING, ``events.CallControlEvents`` the CHOICE of call-control events.
"""

from pyasn1.type import namedtype, namedval, tag, univ

from ecsta.wire.asn1.common import CSTACommonArguments, MonitorCrossRefID
from ecsta.wire.asn1.connection import ConnectionID
from ecsta.wire.asn1.device import DeviceID


class CSTAObject(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("deviceObject", DeviceID()),
        namedtype.NamedType("callObject", ConnectionID()),
    )


class MonitorObject(CSTAObject):
    pass


class CallControlEvents(univ.BitString):
    namedValues = namedval.NamedValues(
        ("bridged", 15),
        ("callCleared", 0),
        ("conferenced", 1),
        ("connectionCleared", 2),
        ("delivered", 3),
        ("digitsDialed", 14),
        ("diverted", 4),
        ("established", 5),
        ("failed", 6),
        ("held", 7),
        ("networkCapabilitiesChanged", 16),
        ("networkReached", 8),
        ("offered", 17),
        ("originated", 9),
        ("queued", 10),
        ("retrieved", 11),
        ("serviceInitiated", 12),
        ("transferred", 13),
    )


class CallAssociatedEvents(univ.BitString):
    namedValues = namedval.NamedValues(
        ("callInformation", 0),
        ("charging", 1),
        ("dTMFDigitsDetected", 2),
        ("telephonyTonesDetected", 3),
        ("serviceCompletionFailure", 4),
    )


class MediaAttachmentEvents(univ.BitString):
    namedValues = namedval.NamedValues(
        ("mediaAttached", 0),
        ("mediaDetached", 1),
    )


class PhysicalDeviceFeatureEvents(univ.BitString):
    namedValues = namedval.NamedValues(
        ("buttonInformation", 0),
        ("buttonPress", 1),
        ("displayUpdated", 2),
        ("hookswitch", 3),
        ("lampMode", 4),
        ("messageWaiting", 5),
        ("microphoneGain", 6),
        ("microphoneMute", 7),
        ("ringerStatus", 8),
        ("speakerMute", 9),
        ("speakerVolume", 10),
    )


class LogicalDeviceFeatureEvents(univ.BitString):
    namedValues = namedval.NamedValues(
        ("agentBusy", 0),
        ("agentLoggedOn", 1),
        ("agentLoggedOff", 2),
        ("agentNotReady", 3),
        ("agentReady", 4),
        ("agentWorkingAfterCall", 5),
        ("autoAnswer", 6),
        ("autoWorkMode", 7),
        ("callBack", 8),
        ("callBackMessage", 9),
        ("callerIDStatus", 10),
        ("doNotDisturb", 11),
        ("forwarding", 12),
        ("presenceState", 14),
        ("routeingMode", 13),
    )


class DeviceMaintenanceEvents(univ.BitString):
    namedValues = namedval.NamedValues(
        ("backInService", 0),
        ("deviceCapabilityChanged", 2),
        ("outOfService", 1),
        ("partiallyInService", 3),
    )


class VoiceUnitEvents(univ.BitString):
    namedValues = namedval.NamedValues(
        ("bookmarkReached", 7),
        ("completed", 8),
        ("dtmfDetected", 9),
        ("emptied", 10),
        ("interruptionDetected", 11),
        ("notRecognized", 12),
        ("play", 1),
        ("recognized", 13),
        ("record", 3),
        ("review", 5),
        ("started", 14),
        ("silenceTimeoutExpired", 15),
        ("speechDetected", 16),
        ("stop", 0),
        ("suspendPlay", 2),
        ("suspendRecord", 4),
        ("voiceAttributesChange", 6),
        ("voiceErrorOccured", 17),
    )


class VendorSpecEvents(univ.BitString):
    namedValues = namedval.NamedValues(
        ("privateEvent", 0),
    )


class MonitorFilter(univ.Sequence):
    """Which events a monitor leaves out.

    A set bit filters that event **out**, so the empty filter (every component at its default)
    asks for all events.
    """

    componentType = namedtype.NamedTypes(
        namedtype.DefaultedNamedType(
            "callControl",
            CallControlEvents().subtype(
                value=(), implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.DefaultedNamedType(
            "callAssociated",
            CallAssociatedEvents().subtype(
                value=(), implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
        namedtype.DefaultedNamedType(
            "mediaAttachment",
            MediaAttachmentEvents().subtype(
                value=(), implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)
            ),
        ),
        namedtype.DefaultedNamedType(
            "physicalDeviceFeature",
            PhysicalDeviceFeatureEvents().subtype(
                value=(), implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)
            ),
        ),
        namedtype.DefaultedNamedType(
            "logicalDeviceFeature",
            LogicalDeviceFeatureEvents().subtype(
                value=(), implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 9)
            ),
        ),
        namedtype.DefaultedNamedType(
            "maintenance",
            DeviceMaintenanceEvents().subtype(
                value=(), implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.DefaultedNamedType(
            "voiceUnit",
            VoiceUnitEvents().subtype(
                value=(), implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)
            ),
        ),
        namedtype.DefaultedNamedType(
            "private",
            VendorSpecEvents().subtype(
                value=(), implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
    )


class MonitorType(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("call", 0),
        ("device", 1),
    )


class MonitorMediaClass(univ.BitString):
    namedValues = namedval.NamedValues(
        ("voice", 0),
        ("data", 1),
        ("image", 2),
        ("audio", 4),
        ("other", 3),
        ("notKnown", 5),
        ("chat", 6),
        ("email", 7),
        ("message", 8),
        ("im", 9),
        ("sms", 10),
        ("mms", 11),
    )


class MonitorStartArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("monitorObject", MonitorObject()),
        namedtype.OptionalNamedType(
            "requestedMonitorFilter",
            MonitorFilter().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType("monitorType", MonitorType()),
        namedtype.OptionalNamedType(
            "requestedMonitorMediaClass",
            MonitorMediaClass().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class MonitorStartResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("crossRefIdentifier", MonitorCrossRefID()),
        namedtype.OptionalNamedType(
            "actualmonitorFilter",
            MonitorFilter().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "actualMonitorMediaClass",
            MonitorMediaClass().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("monitorExistingCalls", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class MonitorStopArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("crossRefIdentifier", MonitorCrossRefID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class MonitorStopResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class ChangeMonitorFilterArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("crossRefIdentifier", MonitorCrossRefID()),
        namedtype.NamedType("requestedFilterList", MonitorFilter()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ChangeMonitorFilterResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("actualFilterList", MonitorFilter()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )
