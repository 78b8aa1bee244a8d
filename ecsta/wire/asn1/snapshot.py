"""Snapshots of a device or a call (ECMA-285 modules CSTA-snapshot-device and
CSTA-snapshot-call, and the snapshot data types of CSTA-status-reporting).
"""

from pyasn1.type import namedtype, namedval, tag, univ

from ecsta.wire.asn1.call_types import (
    CallCharacteristics,
    CallLinkageData,
    LocationInfoList,
    ServicesPermitted,
)
from ecsta.wire.asn1.common import CSTACommonArguments, ServiceCrossRefID
from ecsta.wire.asn1.connection import ConnectionID, LocalConnectionState
from ecsta.wire.asn1.device import (
    AssociatedCalledDeviceID,
    AssociatedCallingDeviceID,
    CalledDeviceID,
    CallingDeviceID,
    DeviceID,
    SubjectDeviceID,
)
from ecsta.wire.asn1.feature_types import (
    CorrelatorData,
    DeviceHistory,
    LanguagePreferences,
    MessageInfo,
    SubjectOfCall,
)
from ecsta.wire.asn1.media import (
    ConnectionInformation,
    MediaCallCharacteristics,
    MediaServiceInstanceID,
    MediaServiceType,
    MediaStreamID,
)


class DeviceMediaInfoList(univ.SequenceOf):
    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.OptionalNamedType("mediaStreamID", MediaStreamID()),
            namedtype.OptionalNamedType("connectionInformation", ConnectionInformation()),
        )
    )


class CompoundCallState(univ.SequenceOf):
    componentType = LocalConnectionState()


class SimpleCallState(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("callNull", 0),
        ("callPending", 1),
        ("callOriginated", 3),
        ("callDelivered", 35),
        ("callDeliveredHeld", 36),
        ("callReceived", 50),
        ("callEstablished", 51),
        ("callEstablishedHeld", 52),
        ("callReceivedOnHold", 66),
        ("callEstablishedOnHold", 67),
        ("callQueued", 83),
        ("callQueuedHeld", 84),
        ("callFailed", 99),
        ("callFailedHeld", 100),
        ("callBlocked", 96),
    )


class CallState(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "compoundCallState",
            CompoundCallState().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "simpleCallState",
            SimpleCallState().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.NamedType(
            "unknown",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)),
        ),
    )


class SnapshotDeviceResponseInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connectionIdentifier", ConnectionID()),
        namedtype.OptionalNamedType(
            "endpointDevice",
            SubjectDeviceID().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.NamedType("localCallState", CallState()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaServiceInfoList",
            DeviceMediaInfoList().subtype(
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
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
    )


class SnapshotDeviceData(univ.SequenceOf):
    tagSet = univ.SequenceOf.tagSet.tagImplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 22)
    )
    componentType = SnapshotDeviceResponseInfo()


class CallMediaInfoList(univ.SequenceOf):
    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.NamedType(
                "mediaServiceType",
                MediaServiceType().subtype(
                    implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
                ),
            ),
            namedtype.OptionalNamedType(
                "mediaServiceVersion",
                univ.Integer().subtype(
                    implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
                ),
            ),
            namedtype.OptionalNamedType(
                "mediaServiceInstance",
                MediaServiceInstanceID().subtype(
                    implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
                ),
            ),
            namedtype.OptionalNamedType(
                "mediaStreamID",
                MediaStreamID().subtype(
                    implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
                ),
            ),
            namedtype.OptionalNamedType(
                "connectionInformation",
                ConnectionInformation().subtype(
                    implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
                ),
            ),
        )
    )


class SnapshotCallResponseInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("deviceOnCall", SubjectDeviceID()),
        namedtype.OptionalNamedType("callIdentifier", ConnectionID()),
        namedtype.OptionalNamedType("localConnectionState", LocalConnectionState()),
        namedtype.OptionalNamedType(
            "servicesPermitted",
            ServicesPermitted().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaServiceInfoList",
            CallMediaInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "locationInfo",
            LocationInfoList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
    )


class SnapshotCallData(univ.SequenceOf):
    tagSet = univ.SequenceOf.tagSet.tagImplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 23)
    )
    componentType = SnapshotCallResponseInfo()


class SnapshotDeviceArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("snapshotObject", DeviceID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SnapshotDeviceResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "crossRefIDorSnapshotData",
            univ.Choice(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType("serviceCrossRefID", ServiceCrossRefID()),
                    namedtype.NamedType("snapshotData", SnapshotDeviceData()),
                )
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SnapshotCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("snapshotObject", ConnectionID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SnapshotCallResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "crossRefIDorSnapshotData",
            univ.Choice(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType(
                        "serviceCrossRefID",
                        ServiceCrossRefID().subtype(
                            implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
                        ),
                    ),
                    namedtype.NamedType("snapshotData", SnapshotCallData()),
                )
            ),
        ),
        namedtype.OptionalNamedType("mediaCallCharacteristics", MediaCallCharacteristics()),
        namedtype.OptionalNamedType("callCharacteristics", CallCharacteristics()),
        namedtype.OptionalNamedType("callingDevice", CallingDeviceID()),
        namedtype.OptionalNamedType("calledDevice", CalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDeviceID", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType("associatedCalledDeviceID", AssociatedCalledDeviceID()),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "messageInfo",
            MessageInfo().subtype(
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
            "deviceHistory",
            DeviceHistory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )
