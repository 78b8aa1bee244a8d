"""Call detail records and charging information (ECMA-285 modules
CSTA-call-detail-record, CSTA-charge-info, CSTA-start-call-detail-records-transmission,
CSTA-stop-call-detail-records, CSTA-call-detail-records-report and
CSTA-call-detail-records-notification).
"""

from pyasn1.type import constraint, namedtype, namedval, tag, univ

from ecsta.wire.asn1.call_types import CallCharacteristics
from ecsta.wire.asn1.common import CSTACommonArguments, TimeInfo
from ecsta.wire.asn1.connection import ConnectionID
from ecsta.wire.asn1.device import (
    AssociatedCalledDeviceID,
    AssociatedCallingDeviceID,
    CalledDeviceID,
    CallingDeviceID,
    DeviceCategory,
    DeviceID,
    NamedDeviceTypes,
    NetworkCalledDeviceID,
    NetworkCallingDeviceID,
)
from ecsta.wire.asn1.feature_types import AccountInfo, AuthCode
from ecsta.wire.asn1.media import MediaCallCharacteristics


class CDRCrossRefID(univ.OctetString):
    pass


class CDRReason(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("timeout", 0),
        ("thresholdReached", 1),
        ("other", 2),
    )


class ChargedDevice(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "operator",
            DeviceID().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "nonOperator",
            DeviceID().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
    )


class NodeNumber(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType(
            "area0",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "area1",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "area2",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
    )


class BillingID(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("normalCharging", 0),
        ("reverseCharging", 1),
        ("creditCardCharging", 2),
        ("callForwarding", 3),
        ("callDeflection", 4),
        ("callTransfer", 5),
        ("other", 6),
    )


class SupplServiceInfo(univ.BitString):
    namedValues = namedval.NamedValues(
        ("normalCall", 0),
        ("consultationCall", 1),
        ("transferCall", 2),
        ("callCompletion", 3),
        ("callForwarding", 4),
        ("callDiversion", 5),
        ("conferencing", 6),
        ("intrusion", 7),
        ("userUserInfo", 8),
        ("other", 9),
    )


class ReasonForTerm(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("normalClearing", 0),
        ("unsuccessfulCallAttempt", 1),
        ("abnormalTermination", 2),
        ("callTransferred", 3),
        ("other", 4),
    )


class NumberOfChargingUnits(univ.SequenceOf):
    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.NamedType("chargingUnits", univ.Integer()),
            namedtype.OptionalNamedType("typeOfUnits", univ.OctetString()),
        )
    )


class NumberOfCurrencyUnits(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("currencyType", univ.OctetString()),
        namedtype.NamedType("currencyAmount", univ.Integer()),
        namedtype.NamedType(
            "currencyMultiplier",
            univ.Enumerated(
                namedValues=namedval.NamedValues(
                    ("oneThousandth", 0),
                    ("oneHundredth", 1),
                    ("oneTenth", 2),
                    ("one", 3),
                    ("ten", 4),
                    ("hundred", 5),
                    ("thousand", 6),
                )
            ),
        ),
    )


class NumberUnits(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "numberOfChargeUnits",
            NumberOfChargingUnits().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.NamedType(
            "numberOfCurrencyUnits",
            NumberOfCurrencyUnits().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
    )


class ChargingInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("numberUnits", NumberUnits()),
        namedtype.NamedType(
            "typeOfChargingInfo",
            univ.Enumerated(
                namedValues=namedval.NamedValues(
                    ("subTotal", 0),
                    ("total", 1),
                )
            ),
        ),
    )


class CDRInformationItem(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType(
            "recordNumber",
            univ.Integer().subtype(subtypeSpec=constraint.ValueRangeConstraint(1, 128)),
        ),
        namedtype.NamedType("recordCreationTime", TimeInfo()),
        namedtype.OptionalNamedType("callingDevice", CallingDeviceID()),
        namedtype.OptionalNamedType("calledDevice", CalledDeviceID()),
        namedtype.OptionalNamedType("associatedCallingDevice", AssociatedCallingDeviceID()),
        namedtype.OptionalNamedType("associatedCalledDevice", AssociatedCalledDeviceID()),
        namedtype.OptionalNamedType("networkCallingDevice", NetworkCallingDeviceID()),
        namedtype.OptionalNamedType("networkCalledDevice", NetworkCalledDeviceID()),
        namedtype.OptionalNamedType(
            "callCharacteristics",
            CallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "mediaCallCharacteristics",
            MediaCallCharacteristics().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "chargedDevice",
            ChargedDevice().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
        namedtype.OptionalNamedType("recordedCall", ConnectionID()),
        namedtype.OptionalNamedType(
            "nodeNumber",
            NodeNumber().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
            ),
        ),
        namedtype.OptionalNamedType(
            "tariffTable",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
        namedtype.OptionalNamedType(
            "connectionStart",
            TimeInfo().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)),
        ),
        namedtype.OptionalNamedType(
            "connectionEnd",
            TimeInfo().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)),
        ),
        namedtype.OptionalNamedType(
            "connectionDuration",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)
            ),
        ),
        namedtype.OptionalNamedType(
            "accessCode",
            univ.OctetString().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)
            ),
        ),
        namedtype.OptionalNamedType(
            "carrier",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 9)
            ),
        ),
        namedtype.OptionalNamedType(
            "selectedRoute",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 10)
            ),
        ),
        namedtype.OptionalNamedType(
            "billingID",
            BillingID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 11)),
        ),
        namedtype.OptionalNamedType(
            "chargingInfo",
            ChargingInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 12)
            ),
        ),
        namedtype.OptionalNamedType(
            "supplServiceInfo",
            SupplServiceInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 13)
            ),
        ),
        namedtype.OptionalNamedType(
            "reasonForTerm",
            ReasonForTerm().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 14)
            ),
        ),
        namedtype.OptionalNamedType(
            "authCode",
            AuthCode().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 15)),
        ),
        namedtype.OptionalNamedType(
            "accountInfo",
            AccountInfo().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 16)
            ),
        ),
        namedtype.OptionalNamedType(
            "deviceCategory",
            DeviceCategory().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 17)
            ),
        ),
        namedtype.OptionalNamedType(
            "namedDeviceTypes",
            NamedDeviceTypes().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 18)
            ),
        ),
        namedtype.OptionalNamedType(
            "operatorDevice",
            DeviceID().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 19)
            ),
        ),
    )


class CDRInfo(univ.SequenceOf):
    componentType = CDRInformationItem()


class CDRTransferMode(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("transferAtEndOfCall", 0),
        ("transferOnRequest", 1),
        ("transferOnThresholdReached", 2),
    )


class CDRTermReason(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("endOfDataDetected", 0),
        ("errorDetected", 1),
        ("thresholdReached", 2),
        ("other", 3),
    )


class StartCDRTransmissionArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("transferMode", CDRTransferMode()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class StartCDRTransmissionResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cdrCrossRefID", CDRCrossRefID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class StopCDRTransmissionArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cdrCrossRefID", CDRCrossRefID()),
        namedtype.OptionalNamedType("cdrTermReason", CDRTermReason()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class StopCDRTransmissionResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class CDRReportArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cdrCrossRefID", CDRCrossRefID()),
        namedtype.NamedType(
            "numberOfRecordsSent",
            univ.Integer().subtype(subtypeSpec=constraint.ValueRangeConstraint(1, 128)),
        ),
        namedtype.NamedType("cdrInfo", CDRInfo()),
        namedtype.OptionalNamedType("lastStoredCDRReportSent", univ.Boolean()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class CDRReportResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class CDRNotificationArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cdrCrossRefID", CDRCrossRefID()),
        namedtype.OptionalNamedType("cdrReason", CDRReason()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class CDRNotificationResult(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )
