"""Call-control, call-associated and media-attachment events, one ECMA-285
module each (CSTA-bridged-event, CSTA-call-cleared-event, ... CSTA-transferred-event,
CSTA-call-information-event, CSTA-charging-event, CSTA-digits-generated-event,
CSTA-telephony-tones-generated-event, CSTA-service-completion-failure-event,
CSTA-media-attached-event and CSTA-media-detached-event).

These follow the 4th edition. A Panasonic PBX sends only the 2nd edition's fields
(PROTOCOL.md section 7); every one of them is here with the same tag, so its events decode.
"""

from pyasn1.type import char, namedtype, tag, univ

from ecsta.wire.asn1.call_types import (
    CallCharacteristics,
    CallLinkageData,
    CallLinkageDataList,
    CallQualifyingData,
    LocationInfoList,
    NetworkCapability,
    ProgressIndicator,
    ServicesPermitted,
)
from ecsta.wire.asn1.cdr import ChargingInfo
from ecsta.wire.asn1.common import CSTACommonArguments, EventCause
from ecsta.wire.asn1.connection import ConnectionID, ConnectionList, LocalConnectionState
from ecsta.wire.asn1.device import (
    AssociatedCalledDeviceID,
    AssociatedCallingDeviceID,
    CalledDeviceID,
    CallingDeviceID,
    DeviceID,
    NetworkCalledDeviceID,
    NetworkCallingDeviceID,
    RedirectionDeviceID,
    SubjectDeviceID,
)
from ecsta.wire.asn1.feature_types import (
    AccountInfo,
    AuthCode,
    CorrelatorData,
    DeviceHistory,
    LanguagePreferences,
    MessageInfo,
    SubjectOfCall,
    TelephonyTone,
    UserData,
)
from ecsta.wire.asn1.media import (
    ConnectionInformation,
    MediaCallCharacteristics,
    MediaServiceInstanceID,
    MediaServiceType,
    MediaStreamID,
)


class BridgedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("bridgedConnection", ConnectionID()),
        namedtype.NamedType("bridgedAppearance", SubjectDeviceID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "bridgedConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class CallClearedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("clearedCall", ConnectionID()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ConferencedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("primaryOldCall", ConnectionID()),
        namedtype.OptionalNamedType("secondaryOldCall", ConnectionID()),
        namedtype.NamedType("conferencingDevice", SubjectDeviceID()),
        namedtype.NamedType("addedParty", SubjectDeviceID()),
        namedtype.NamedType("conferenceConnections", ConnectionList()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageDataList",
            CallLinkageDataList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceHistory",
            DeviceHistory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.OptionalNamedType(
            "extensions",
            CSTACommonArguments().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
    )


class ConnectionClearedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("droppedConnection", ConnectionID()),
        namedtype.NamedType("releasingDevice", SubjectDeviceID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType(
            "chargingInfo",
            ChargingInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "droppedConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceHistory",
            DeviceHistory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DeliveredEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.NamedType("alertingDevice", SubjectDeviceID()),
        namedtype.NamedType("callingDevice", CallingDeviceID()),
        namedtype.NamedType("calledDevice", CalledDeviceID()),
        namedtype.NamedType("lastRedirectionDevice", RedirectionDeviceID()),
        namedtype.OptionalNamedType("originatingNIDConnection", ConnectionID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType("networkCallingDevice", NetworkCallingDeviceID()),
        namedtype.OptionalNamedType("networkCalledDevice", NetworkCalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDevice", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType("associatedCalledDevice", AssociatedCalledDeviceID()),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "connectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "messageInfo",
            MessageInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceHistory",
            DeviceHistory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 10)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DigitsDialedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("dialingConnection", ConnectionID()),
        namedtype.NamedType("dialingDevice", SubjectDeviceID()),
        namedtype.NamedType("dialingSequence", DeviceID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType("networkCallingDevice", NetworkCallingDeviceID()),
        namedtype.OptionalNamedType("networkCalledDevice", NetworkCalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDevice", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType("associatedCalledDevice", AssociatedCalledDeviceID()),
        namedtype.OptionalNamedType(
            "dialingConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DivertedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.NamedType("divertingDevice", SubjectDeviceID()),
        namedtype.NamedType("newDestination", SubjectDeviceID()),
        namedtype.OptionalNamedType("callingDevice", CallingDeviceID()),
        namedtype.OptionalNamedType("calledDevice", CalledDeviceID()),
        namedtype.NamedType("lastRedirectionDevice", RedirectionDeviceID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "connectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType("networkCallingDevice", NetworkCallingDeviceID()),
        namedtype.OptionalNamedType("networkCalledDevice", NetworkCalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDevice", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType("associatedCalledDevice", AssociatedCalledDeviceID()),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "messageInfo",
            MessageInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceHistory",
            DeviceHistory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 10)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class EstablishedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("establishedConnection", ConnectionID()),
        namedtype.NamedType("answeringDevice", SubjectDeviceID()),
        namedtype.NamedType("callingDevice", CallingDeviceID()),
        namedtype.NamedType("calledDevice", CalledDeviceID()),
        namedtype.NamedType("lastRedirectionDevice", RedirectionDeviceID()),
        namedtype.OptionalNamedType("originatingNIDConnection", ConnectionID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType("networkCallingDevice", NetworkCallingDeviceID()),
        namedtype.OptionalNamedType("networkCalledDevice", NetworkCalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDevice", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType("associatedCalledDevice", AssociatedCalledDeviceID()),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "establishedConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "messageInfo",
            MessageInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 9)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceHistory",
            DeviceHistory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 10)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 11)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class FailedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("failedConnection", ConnectionID()),
        namedtype.NamedType("failingDevice", SubjectDeviceID()),
        namedtype.NamedType("callingDevice", CallingDeviceID()),
        namedtype.NamedType("calledDevice", CalledDeviceID()),
        namedtype.NamedType("lastRedirectionDevice", RedirectionDeviceID()),
        namedtype.OptionalNamedType("originatingNIDConnection", ConnectionID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType("networkCallingDevice", NetworkCallingDeviceID()),
        namedtype.OptionalNamedType("networkCalledDevice", NetworkCalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDevice", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType("associatedCalledDevice", AssociatedCalledDeviceID()),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "failedConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "messageInfo",
            MessageInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceHistory",
            DeviceHistory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 10)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class HeldEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("heldConnection", ConnectionID()),
        namedtype.NamedType("holdingDevice", SubjectDeviceID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "heldConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class NetworkCapabilitiesChangedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("outboundConnection", ConnectionID()),
        namedtype.NamedType("networkInterfaceUsed", SubjectDeviceID()),
        namedtype.NamedType("calledDevice", CalledDeviceID()),
        namedtype.NamedType("progressIndicator", ProgressIndicator()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType("correlatorData", CorrelatorData()),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType(
            "networkCapability",
            NetworkCapability().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "outboundConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class NetworkReachedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("outboundConnection", ConnectionID()),
        namedtype.NamedType("networkInterfaceUsed", SubjectDeviceID()),
        namedtype.NamedType("callingDevice", CallingDeviceID()),
        namedtype.NamedType("calledDevice", CalledDeviceID()),
        namedtype.NamedType("lastRedirectionDevice", RedirectionDeviceID()),
        namedtype.OptionalNamedType("originatingNIDConneciton", ConnectionID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType(
            "networkCapability",
            NetworkCapability().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "outboundConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType("networkCallingDevice", NetworkCallingDeviceID()),
        namedtype.OptionalNamedType("networkCalledDevice", NetworkCalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDevice", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceHistory",
            DeviceHistory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class OfferedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("offeredConnection", ConnectionID()),
        namedtype.NamedType("offeredDevice", SubjectDeviceID()),
        namedtype.NamedType("callingDevice", CallingDeviceID()),
        namedtype.NamedType("calledDevice", CalledDeviceID()),
        namedtype.NamedType("lastRedirectionDevice", RedirectionDeviceID()),
        namedtype.OptionalNamedType("originatingNIDConnection", ConnectionID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType("correlatorData", CorrelatorData()),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType("networkCallingDevice", NetworkCallingDeviceID()),
        namedtype.OptionalNamedType("networkCalledDevice", NetworkCalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDevice", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType("associatedCalledDevice", AssociatedCalledDeviceID()),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "offeredConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "messageInfo",
            MessageInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceHistory",
            DeviceHistory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class OriginatedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("originatedConnection", ConnectionID()),
        namedtype.NamedType("callingDevice", SubjectDeviceID()),
        namedtype.NamedType("calledDevice", CalledDeviceID()),
        namedtype.OptionalNamedType("originatingDevice", DeviceID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.OptionalNamedType("networkCallingDevice", NetworkCallingDeviceID()),
        namedtype.OptionalNamedType("networkCalledDevice", NetworkCalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDevice", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType("associatedCalledDevice", AssociatedCalledDeviceID()),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "originatedConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "messageInfo",
            MessageInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 10)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 11)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class QueuedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("queuedConnection", ConnectionID()),
        namedtype.NamedType("queue", SubjectDeviceID()),
        namedtype.NamedType("callingDevice", CallingDeviceID()),
        namedtype.NamedType("calledDevice", CalledDeviceID()),
        namedtype.NamedType("lastRedirectionDevice", RedirectionDeviceID()),
        namedtype.OptionalNamedType(
            "numberQueued",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "callsInFront",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.OptionalNamedType("networkCallingDevice", NetworkCallingDeviceID()),
        namedtype.OptionalNamedType("networkCalledDevice", NetworkCalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDevice", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType("associatedCalledDevice", AssociatedCalledDeviceID()),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "queuedConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "messageInfo",
            MessageInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 10)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceHistory",
            DeviceHistory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 11)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 12)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class RetrievedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("retrievedConnection", ConnectionID()),
        namedtype.NamedType("retrievingDevice", SubjectDeviceID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "retrievedConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ServiceInitiatedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("initiatedConnection", ConnectionID()),
        namedtype.NamedType("initiatingDevice", SubjectDeviceID()),
        namedtype.OptionalNamedType("calledDevice", CalledDeviceID()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "initiatedConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType("networkCallingDevice", NetworkCallingDeviceID()),
        namedtype.OptionalNamedType("networkCalledDevice", NetworkCalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDevice", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "messageInfo",
            MessageInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 9)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 10)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class TransferredEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("primaryOldCall", ConnectionID()),
        namedtype.OptionalNamedType(
            "secondaryOldCall",
            ConnectionID().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType("transferringDevice", SubjectDeviceID()),
        namedtype.NamedType("transferredToDevice", SubjectDeviceID()),
        namedtype.NamedType(
            "transferredConnections",
            ConnectionList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType(
            "chargingInfo",
            ChargingInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageDataList",
            CallLinkageDataList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceHistory",
            DeviceHistory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 10)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class CallInformationEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.NamedType("device", SubjectDeviceID()),
        namedtype.OptionalNamedType("callingDevice", CallingDeviceID()),
        namedtype.OptionalNamedType(
            "accountInfo",
            AccountInfo().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.OptionalNamedType(
            "authCode",
            AuthCode().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)),
        ),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType(
            "callQualifyingData",
            CallQualifyingData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
        namedtype.OptionalNamedType("connectionInfo", ConnectionInformation()),
        namedtype.OptionalNamedType(
            "callLinkageDataList",
            CallLinkageDataList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceInfo",
            DeviceID().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ChargingEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.NamedType("chargedDevice", DeviceID()),
        namedtype.NamedType("chargingInfo", ChargingInfo()),
        namedtype.OptionalNamedType("cause", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DigitsGeneratedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.NamedType("digitGeneratedList", char.IA5String()),
        namedtype.OptionalNamedType(
            "digitDurationList",
            univ.SequenceOf(componentType=univ.Integer()).subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "pauseDurationList",
            univ.SequenceOf(componentType=univ.Integer()).subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType("connectionInfo", ConnectionInformation()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class TelephonyTonesGeneratedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connection", ConnectionID()),
        namedtype.OptionalNamedType("toneGenerated", TelephonyTone()),
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
            "pauseDuration",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType("connectionInfo", ConnectionInformation()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class PrimaryOrSecondaryCall(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("deviceID", DeviceID()),
        namedtype.NamedType("connectionID", ConnectionID()),
        namedtype.NamedType("localConnectionState", LocalConnectionState()),
        namedtype.OptionalNamedType("connectionInfo", ConnectionInformation()),
    )


class OtherCall(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("deviceID", DeviceID()),
        namedtype.NamedType("connectionID", ConnectionID()),
        namedtype.OptionalNamedType("localConnectionState", LocalConnectionState()),
        namedtype.OptionalNamedType("connectionInfo", ConnectionInformation()),
    )


class ServiceCompletionFailureEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("primaryCall", PrimaryOrSecondaryCall()),
        namedtype.OptionalNamedType(
            "secondaryCall",
            PrimaryOrSecondaryCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "otherDevsPrimaryCallList",
            univ.SequenceOf(componentType=OtherCall()).subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "otherDevsSecondaryCallList",
            univ.SequenceOf(componentType=OtherCall()).subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.NamedType("cause", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class MediaAttachedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("mediaConnection", ConnectionID()),
        namedtype.NamedType("mediaDevice", SubjectDeviceID()),
        namedtype.NamedType("mediaServiceType", MediaServiceType()),
        namedtype.OptionalNamedType("mediaServiceVersion", univ.Integer()),
        namedtype.OptionalNamedType(
            "mediaServiceInstanceID",
            MediaServiceInstanceID().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaStreamID",
            MediaStreamID().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType("callCharacteristics", CallCharacteristics()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "mediaConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.OptionalNamedType("extension", CSTACommonArguments()),
    )


class MediaDetachedEvent(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("mediaConnection", ConnectionID()),
        namedtype.NamedType("mediaDevice", SubjectDeviceID()),
        namedtype.NamedType("mediaServiceType", MediaServiceType()),
        namedtype.OptionalNamedType("mediaServiceVersion", univ.Integer()),
        namedtype.OptionalNamedType(
            "mediaServiceInstanceID",
            MediaServiceInstanceID().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaStreamID",
            MediaStreamID().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType("callCharacteristics", CallCharacteristics()),
        namedtype.OptionalNamedType("localConnectionInfo", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "mediaConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.OptionalNamedType("extension", CSTACommonArguments()),
    )
