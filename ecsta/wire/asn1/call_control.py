"""Arguments and results of the call-control and call-associated services, one
ECMA-285 module each: CSTA-alternate-call, CSTA-answer-call, CSTA-call-back-call-related,
CSTA-clear-call, CSTA-clear-connection, CSTA-conference-call, CSTA-consultation-call,
CSTA-deflect-call, CSTA-dial-digits, CSTA-directed-pickup-call, CSTA-generate-digits,
CSTA-group-pickup-call, CSTA-hold-call, CSTA-intrude-call, CSTA-make-call, CSTA-reconnect-call,
CSTA-retrieve-call, CSTA-single-step-transfer and CSTA-transfer-call.
"""

from pyasn1.type import char, namedtype, namedval, tag, univ

from ecsta.wire.asn1.call_types import (
    AutoOriginate,
    CallCharacteristics,
    CallLinkageData,
    CallLinkageDataList,
    ConsultOptions,
)
from ecsta.wire.asn1.common import CSTACommonArguments, EventCause
from ecsta.wire.asn1.connection import ConnectionID, ConnectionList
from ecsta.wire.asn1.device import DeviceID
from ecsta.wire.asn1.feature_types import (
    AccountInfo,
    AuthCode,
    CorrelatorData,
    LanguagePreferences,
    ParticipationType,
    SubjectOfCall,
    UserData,
)
from ecsta.wire.asn1.media import ConnectionInformation, MediaCallCharacteristics


class AlternateCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("heldCall", ConnectionID()),
        namedtype.NamedType("activeCall", ConnectionID()),
        namedtype.OptionalNamedType("connectionReservation", univ.Boolean()),
        namedtype.DefaultedNamedType(
            "consultOptions", ConsultOptions().subtype(value="unrestricted")
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class AlternateCallResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class AnswerCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("callToBeAnswered", ConnectionID()),
        namedtype.OptionalNamedType("correlatorData", CorrelatorData()),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class AnswerCallResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class CallBackArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("callbackConnection", ConnectionID()),
        namedtype.OptionalNamedType("callCharacteristics", CallCharacteristics()),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class CallBackResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("targetDevice", DeviceID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ClearCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("callToBeCleared", ConnectionID()),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType("reason", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ClearCallResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class ClearConnectionArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connectionToBeCleared", ConnectionID()),
        namedtype.OptionalNamedType("correlatorData", CorrelatorData()),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType("reason", EventCause()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ClearConnectionResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class ConferenceCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("heldCall", ConnectionID()),
        namedtype.NamedType("activeCall", ConnectionID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ConferenceCallResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("conferenceCall", ConnectionID()),
        namedtype.OptionalNamedType(
            "connections",
            ConnectionList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "conferenceCallInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageDataList",
            CallLinkageDataList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ConsultationCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "existingCall",
            ConnectionID().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "consultedDevice",
            DeviceID().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "connectionReservation",
            univ.Boolean().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "accountCode",
            AccountInfo().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)),
        ),
        namedtype.OptionalNamedType(
            "authCode",
            AuthCode().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)),
        ),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "userData",
            UserData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 6)
            ),
        ),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "callingConnectionInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 9)
            ),
        ),
        namedtype.DefaultedNamedType(
            "consultOptions",
            ConsultOptions().subtype(
                value="unrestricted",
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 10),
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 11)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 12)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ConsultationCallResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("initiatedCall", ConnectionID()),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "initiatedCallInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DeviceIDList(univ.SequenceOf):
    componentType = DeviceID()


class DeflectCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("callToBeDiverted", ConnectionID()),
        namedtype.NamedType("newDestination", DeviceID()),
        namedtype.OptionalNamedType("addNewDestinationsList", DeviceIDList()),
        namedtype.OptionalNamedType("correlatorData", CorrelatorData()),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "reason",
            EventCause().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DeflectCallResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class DialDigitsArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("diallingConnection", ConnectionID()),
        namedtype.NamedType("diallingSequence", DeviceID()),
        namedtype.OptionalNamedType("correlatorData", CorrelatorData()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DialDigitsResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class DirectedPickupCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("callToBePickedUp", ConnectionID()),
        namedtype.NamedType("requestingDevice", DeviceID()),
        namedtype.OptionalNamedType("correlatorData", CorrelatorData()),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DirectedPickupCallResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("pickedCall", ConnectionID()),
        namedtype.OptionalNamedType("pickedCallInfo", ConnectionInformation()),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DigitMode(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("rotaryPulse", 0),
        ("dTMF", 1),
    )


class GenerateDigitsArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("connectionToSendDigits", ConnectionID()),
        namedtype.OptionalNamedType("digitMode", DigitMode()),
        namedtype.NamedType("charactersToSend", char.IA5String()),
        namedtype.OptionalNamedType(
            "toneDuration",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "pulseRate",
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
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class GenerateDigitsResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class GroupPickupCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("newDestination", DeviceID()),
        namedtype.OptionalNamedType("pickGroup", DeviceID()),
        namedtype.OptionalNamedType("correlatorData", CorrelatorData()),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class GroupPickupCallResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("pickedCall", ConnectionID()),
        namedtype.OptionalNamedType("pickedCallInfo", ConnectionInformation()),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class HoldCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("callToBeHeld", ConnectionID()),
        namedtype.OptionalNamedType("connectionReservation", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class HoldCallResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class IntrudeCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("intrude", ConnectionID()),
        namedtype.DefaultedNamedType(
            "participationType", ParticipationType().subtype(value="active")
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class IntrudeCallResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("conferencedCall", ConnectionID()),
        namedtype.OptionalNamedType("conferencedCallInfo", ConnectionInformation()),
        namedtype.OptionalNamedType(
            "callLinkageDataList",
            CallLinkageDataList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class MakeCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("callingDevice", DeviceID()),
        namedtype.NamedType("calledDirectoryNumber", DeviceID()),
        namedtype.OptionalNamedType(
            "accountCode",
            AccountInfo().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.OptionalNamedType(
            "authCode",
            AuthCode().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)),
        ),
        namedtype.DefaultedNamedType(
            "autoOriginate",
            AutoOriginate().subtype(
                value="prompt", implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "correlatorData",
            CorrelatorData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType("callCharacteristics", CallCharacteristics()),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "callingConnectionInfo",
            ConnectionInformation().subtype(
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
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "reason",
            EventCause().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class MakeCallResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("callingDevice", ConnectionID()),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "initiatedCallInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageData",
            CallLinkageData().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ReconnectCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("activeCall", ConnectionID()),
        namedtype.NamedType("heldCall", ConnectionID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ReconnectCallResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class RetrieveCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("callToBeRetrieved", ConnectionID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class RetrieveCallResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class SingleStepTransArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("activeCall", ConnectionID()),
        namedtype.NamedType("transferredTo", DeviceID()),
        namedtype.OptionalNamedType(
            "accountCode",
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
        namedtype.OptionalNamedType("userData", UserData()),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "subjectOfCall",
            SubjectOfCall().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "languagePreferences",
            LanguagePreferences().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)
            ),
        ),
        namedtype.OptionalNamedType(
            "reason",
            EventCause().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SingleStepTransResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("transferredCall", ConnectionID()),
        namedtype.OptionalNamedType(
            "connections",
            ConnectionList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "transferredCallInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageDataList",
            CallLinkageDataList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class TransferCallArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("heldCall", ConnectionID()),
        namedtype.NamedType("activeCall", ConnectionID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class TransferCallResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("transferredCall", ConnectionID()),
        namedtype.OptionalNamedType(
            "connections",
            ConnectionList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "transferredCallInfo",
            ConnectionInformation().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "callLinkageDataList",
            CallLinkageDataList().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )
