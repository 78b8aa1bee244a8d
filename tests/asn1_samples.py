"""Plain values of every CSTA operation's argument and result, and of the events ecsta handles.

Each value exercises the fields that matter on a Panasonic link: devices named by dialing
number and by Panasonic device number (class in the top 16 bits), connections in the ``both``
form that Panasonic events use, private data in ``extensions``. Private data is the ``string``
alternative here, because the oracle these values are checked against only knows the
standard's NULL placeholder for ``private``; Panasonic's KME content has its own tests.
"""

from typing import Any

STATION_101 = 0x01110001
DECT_201 = 0x01210003
TRUNK_1 = 0x01310001


def dialing(number: str) -> dict[str, Any]:
    return {"deviceIdentifier": ("dialingNumber", number)}


def device_number(number: int) -> dict[str, Any]:
    return {"deviceIdentifier": ("deviceNumber", number)}


def connection(call: bytes, device: dict[str, Any]) -> tuple[str, Any]:
    """A ConnectionID in the ``both`` form."""
    return ("both", {"callID": call, "deviceID": ("staticID", device)})


def subject(device: dict[str, Any]) -> tuple[str, Any]:
    """A SubjectDeviceID (and the other device-id CHOICEs) naming a known device."""
    return ("deviceIdentifier", device)


EXTENSIONS = {"privateData": [("string", b"ecsta"), ("string", b"\x00\x01")]}
NO_DATA = ("noData", None)
WITH_EXTENSIONS = ("extensions", EXTENSIONS)

A = dialing("101")
B = device_number(STATION_101)
C = dialing("0301234567")
D = device_number(DECT_201)
CALL_1 = connection(b"\x00\x07", A)
CALL_1_B = connection(b"\x00\x07", dialing("102"))
CALL_2 = connection(b"\x00\x08", B)
NUMBER_FORMATS = {
    "callingDevice": (
        "deviceIdentifier",
        {"deviceIdentifier": ("explicitPublic", ("national", "301234567"))},
    ),
}
LINKAGE = {
    "globalCallData": {
        "globalCallSwitchingSubDomainName": "pbx.example",
        "globalCallLinkageID": ("globallyUniqueCallLinkageID", b"0123456789abcdef"),
        "callLinkageIDTimestamp": "20261127103015",
    },
    "threadData": {"threadLinkageID": ("subDomainThreadID", b"\x01\x02")},
}
CONNECTION_INFO = {"flowDirection": "transmitAndReceive", "numberOfChannels": 2}
CONNECTION_LIST = [
    {
        "newConnection": CALL_2,
        "oldConnection": CALL_1,
        "endpoint": ("deviceID", B),
        "associatedNID": ("notKnown", None),
    },
    {"newConnection": CALL_1_B, "endpoint": ("restricted", None)},
]
FILTER = {
    "callControl": (b"\x80\x40", 10),
    "callAssociated": (b"", 0),
    "mediaAttachment": (b"", 0),
    "physicalDeviceFeature": (b"\xff\xe0", 11),
    "logicalDeviceFeature": (b"", 0),
    "maintenance": (b"\xa0", 4),
    "voiceUnit": (b"", 0),
    "private": (b"\x80", 1),
}


# operation name -> (argument, result); result None for an operation that has no RESULT
OPERATIONS: dict[str, tuple[Any, Any]] = {
    "alternateCall": (
        {
            "heldCall": CALL_1,
            "activeCall": CALL_2,
            "connectionReservation": True,
            "consultOptions": "transferOnly",
            "extensions": EXTENSIONS,
        },
        NO_DATA,
    ),
    "answerCall": (
        {
            "callToBeAnswered": CALL_2,
            "correlatorData": b"crm-42",
            "userData": b"\x01",
            "extensions": EXTENSIONS,
        },
        WITH_EXTENSIONS,
    ),
    "clearCall": (
        {"callToBeCleared": ("callID", b"\x00\x07"), "reason": "normalClearing"},
        NO_DATA,
    ),
    "clearConnection": (
        {
            "connectionToBeCleared": CALL_1,
            "correlatorData": b"x",
            "reason": "busy",
            "extensions": EXTENSIONS,
        },
        NO_DATA,
    ),
    "conferenceCall": (
        {"heldCall": CALL_1, "activeCall": CALL_2, "extensions": EXTENSIONS},
        {
            "conferenceCall": connection(b"\x00\x09", A),
            "connections": CONNECTION_LIST,
            "conferenceCallInfo": CONNECTION_INFO,
            "callLinkageDataList": {"newCallLinkageData": LINKAGE, "oldCallLinkageData": LINKAGE},
            "extensions": EXTENSIONS,
        },
    ),
    "consultationCall": (
        {
            "existingCall": CALL_1,
            "consultedDevice": dialing("102"),
            "connectionReservation": False,
            "accountCode": b"4711",
            "authCode": b"0000",
            "correlatorData": b"c",
            "userData": b"u",
            "callCharacteristics": (b"\x40", 2),
            "mediaCallCharacteristics": {
                "mediaClass": (b"\x80", 1),
                "connectionRate": 64000,
                "bitRate": "variable",
                "switchingSubDomainCCIEType": "sip",
                "switchingSubDomainInformationElements": b"ie",
            },
            "callingConnectionInfo": CONNECTION_INFO,
            "consultOptions": "consultOnly",
            "subjectOfCall": "transfer",
            "languagePreferences": "de",
            "extensions": EXTENSIONS,
        },
        {
            "initiatedCall": connection(b"\x00\x09", A),
            "initiatedCallInfo": CONNECTION_INFO,
            "callLinkageData": LINKAGE,
            "extensions": EXTENSIONS,
        },
    ),
    "holdCall": ({"callToBeHeld": CALL_1, "connectionReservation": True}, NO_DATA),
    "makeCall": (
        {
            "callingDevice": A,
            "calledDirectoryNumber": C,
            "accountCode": b"4711",
            "autoOriginate": "doNotPrompt",
            "correlatorData": b"crm-1",
            "userData": b"hello",
            "callCharacteristics": (b"\x00\x10", 12),
            "subjectOfCall": "offer",
            "languagePreferences": "en",
            "reason": "makeCall",
            "extensions": EXTENSIONS,
        },
        {
            "callingDevice": connection(b"\x00\x0a", B),
            "initiatedCallInfo": CONNECTION_INFO,
            "callLinkageData": LINKAGE,
            "extensions": EXTENSIONS,
        },
    ),
    "reconnectCall": ({"activeCall": CALL_2, "heldCall": CALL_1}, WITH_EXTENSIONS),
    "retrieveCall": ({"callToBeRetrieved": CALL_1, "extensions": EXTENSIONS}, NO_DATA),
    "transferCall": (
        {"heldCall": CALL_1, "activeCall": CALL_2},
        {
            "transferredCall": connection(b"\x00\x0b", D),
            "connections": CONNECTION_LIST,
            "extensions": EXTENSIONS,
        },
    ),
    "singleStepTrans": (
        {
            "activeCall": CALL_2,
            "transferredTo": D,
            "accountCode": b"1",
            "authCode": b"2",
            "correlatorData": b"3",
            "userData": b"4",
            "callCharacteristics": (b"\x80", 1),
            "subjectOfCall": "s",
            "languagePreferences": "fr",
            "reason": "singleStepTransfer",
            "extensions": EXTENSIONS,
        },
        {
            "transferredCall": connection(b"\x00\x0c", D),
            "connections": CONNECTION_LIST,
            "transferredCallInfo": CONNECTION_INFO,
        },
    ),
    "callBack": (
        {
            "callbackConnection": CALL_1,
            "callCharacteristics": (b"\x80", 1),
            "subjectOfCall": "back",
            "languagePreferences": "it",
            "extensions": EXTENSIONS,
        },
        {"targetDevice": C, "extensions": EXTENSIONS},
    ),
    "deflectCall": (
        {
            "callToBeDiverted": CALL_1,
            "newDestination": C,
            "addNewDestinationsList": [B, D],
            "correlatorData": b"d",
            "userData": b"u",
            "callCharacteristics": (b"\x80", 1),
            "subjectOfCall": "x",
            "languagePreferences": "de",
            "reason": "redirected",
            "extensions": EXTENSIONS,
        },
        NO_DATA,
    ),
    "directedPickupCall": (
        {
            "callToBePickedUp": CALL_2,
            "requestingDevice": A,
            "correlatorData": b"p",
            "userData": b"q",
            "extensions": EXTENSIONS,
        },
        {
            "pickedCall": connection(b"\x00\x0d", A),
            "pickedCallInfo": CONNECTION_INFO,
            "callLinkageData": LINKAGE,
            "extensions": EXTENSIONS,
        },
    ),
    "groupPickupCall": (
        {"newDestination": B, "pickGroup": dialing("601"), "correlatorData": b"g"},
        {"pickedCall": connection(b"\x00\x0e", B)},
    ),
    "intrudeCall": (
        {
            "intrude": CALL_2,
            "participationType": "silent",
            "userData": b"i",
            "extensions": EXTENSIONS,
        },
        {
            "conferencedCall": connection(b"\x00\x0f", A),
            "conferencedCallInfo": CONNECTION_INFO,
            "callLinkageDataList": {"newCallLinkageData": LINKAGE, "oldCallLinkageData": LINKAGE},
        },
    ),
    "dialDigits": (
        {
            "diallingConnection": CALL_1,
            "diallingSequence": dialing("1234"),
            "correlatorData": b"d",
            "extensions": EXTENSIONS,
        },
        NO_DATA,
    ),
    "generateDigits": (
        {
            "connectionToSendDigits": CALL_1,
            "digitMode": "dTMF",
            "charactersToSend": "12#*",
            "toneDuration": 100,
            "pulseRate": 10,
            "pauseDuration": 50,
            "extensions": EXTENSIONS,
        },
        WITH_EXTENSIONS,
    ),
    "escape": (
        {
            "escapeRegisterID": b"\x05",
            "security": {
                "messageSequenceNumber": 7,
                "timestamp": "20261127103015",
                "securityInfo": ("string", b"s"),
            },
            "privateData": ("string", b"vendor"),
        },
        WITH_EXTENSIONS,
    ),
    "monitorStart": (
        {
            "monitorObject": ("deviceObject", B),
            "requestedMonitorFilter": FILTER,
            "monitorType": "device",
            "requestedMonitorMediaClass": (b"\x80", 1),
            "extensions": EXTENSIONS,
        },
        {
            "crossRefIdentifier": b"\x00\x00\x00\x2a",
            "actualmonitorFilter": FILTER,
            "actualMonitorMediaClass": (b"\xc0", 2),
            "monitorExistingCalls": True,
            "extensions": EXTENSIONS,
        },
    ),
    "changeMonitorFilter": (
        {"crossRefIdentifier": b"\x2a", "requestedFilterList": FILTER},
        {"actualFilterList": FILTER, "extensions": EXTENSIONS},
    ),
    "monitorStop": ({"crossRefIdentifier": b"\x2a", "extensions": EXTENSIONS}, NO_DATA),
    "snapshotDevice": (
        {"snapshotObject": A, "extensions": EXTENSIONS},
        {
            "crossRefIDorSnapshotData": (
                "snapshotData",
                [
                    {
                        "connectionIdentifier": CALL_1,
                        "endpointDevice": subject(C),
                        "localCallState": ("compoundCallState", ["connected", "hold"]),
                    },
                    {
                        "connectionIdentifier": CALL_2,
                        "localCallState": ("simpleCallState", "callEstablished"),
                        "mediaServiceInfoList": [
                            {"mediaStreamID": b"m", "connectionInformation": CONNECTION_INFO}
                        ],
                        "callLinkageData": LINKAGE,
                    },
                    {
                        "connectionIdentifier": ("callID", b"\x00\x10"),
                        "localCallState": ("unknown", None),
                    },
                ],
            ),
            "extensions": EXTENSIONS,
        },
    ),
    "snapshotCall": (
        {"snapshotObject": CALL_1},
        {
            "crossRefIDorSnapshotData": (
                "snapshotData",
                [
                    {
                        "deviceOnCall": subject(A),
                        "callIdentifier": CALL_1,
                        "localConnectionState": "connected",
                    },
                    {
                        "deviceOnCall": ("notKnown", None),
                        "localConnectionState": "alerting",
                        "mediaServiceInfoList": [
                            {"mediaServiceType": "cstaVoiceUnit", "mediaServiceVersion": 1}
                        ],
                    },
                ],
            ),
            "callCharacteristics": (b"\x80", 1),
            "callingDevice": subject(A),
            "calledDevice": subject(C),
            "correlatorData": b"c",
            "callLinkageData": LINKAGE,
            "subjectOfCall": "s",
            "messageInfo": {"contents": "hi", "contentsLength": 2},
            "deviceHistory": {
                "oldDeviceID": B,
                "eventCause": "callForwardBusy",
                "oldConnectionID": CALL_2,
            },
            "extensions": EXTENSIONS,
        },
    ),
    "getSwitchingFunctionDevices": (
        {"requestedDeviceCategory": "station", "extensions": EXTENSIONS},
        {"serviceCrossRefID": b"\x01\x02"},
    ),
    "switchingFunctionDevices": (
        {
            "serviceCrossRefID": b"\x01\x02",
            "segmentID": 1,
            "lastSegment": True,
            "deviceList": [
                {
                    "deviceID": B,
                    "deviceCategory": "station",
                    "namedDeviceTypes": "station",
                    "deviceAttributes": (b"\x80", 1),
                    "deviceModelName": "KX-NT556",
                },
                {
                    "deviceID": device_number(TRUNK_1),
                    "deviceCategory": "networkInterface",
                    "nidGroup": dialing("9"),
                },
            ],
            "extensions": EXTENSIONS,
        },
        None,
    ),
    "requestSysStat": (
        {"sysStatRegisterID": b"r1", "extensions": EXTENSIONS},
        {"systemStatus": "overloadReached", "extensions": EXTENSIONS},
    ),
    "systemStatus": ({"systemStatus": "normal"}, NO_DATA),
    "swFunctionDevicesChanged": ({"sysStatRegisterID": b"r1"}, NO_DATA),
    "buttonPress": ({"device": A, "button": b"\x11", "extensions": EXTENSIONS}, NO_DATA),
    "setDisplay": (
        {
            "device": B,
            "display": b"\x01",
            "physicalBaseRowNumber": 1,
            "physicalBaseColumnNumber": 2,
            "contentsOfDisplay": "Hello 101",
            "offset": 0,
            "characterSet": "ascii",
            "extensions": EXTENSIONS,
        },
        NO_DATA,
    ),
    "getDoNotDisturb": (
        {"device": A},
        {
            "doNotDisturbOn": True,
            "callOrigination": (b"\xc0", 2),
            "callingDeviceList": [C, D],
            "extensions": EXTENSIONS,
        },
    ),
    "getForwarding": (
        {"device": B},
        {
            "forwardingList": [
                {
                    "forwardingType": "forwardBusyExt",
                    "forwardStatus": True,
                    "forwardDN": C,
                    "forwardDefault": "forwardDN",
                    "ringDuration": 15,
                    "ringCount": 3,
                },
                {"forwardingType": "forwardImmediate", "forwardStatus": False},
            ],
            "extensions": EXTENSIONS,
        },
    ),
    "setDoNotDisturb": (
        {
            "device": A,
            "doNotDisturbOn": True,
            "callOrigination": (b"\x40", 2),
            "callingDeviceList": [C],
        },
        NO_DATA,
    ),
    "setForwarding": (
        {
            "device": A,
            "forwardingType": "forwardNoAnsInt",
            "activateForward": True,
            "forwardDN": dialing("102"),
            "ringCount": 4,
            "ringDuration": 20,
            "extensions": EXTENSIONS,
        },
        WITH_EXTENSIONS,
    ),
    "dataCollected": (
        {
            "dcollCrossRefID": b"\x33",
            "digitsData": {
                "digitsDetected": "123",
                "digitsDuration": [80, 90],
                "digitsPauseDuration": [40],
            },
            "telTonesData": {
                "toneDetected": "busy",
                "toneFrequency": 425,
                "toneDuration": 500,
                "tonePauseDuration": 500,
            },
            "connectionInformation": CONNECTION_INFO,
            "dcollCause": "timeout",
            "extensions": EXTENSIONS,
        },
        NO_DATA,
    ),
    "startDataCollection": (
        {
            "object": ("call", CALL_1),
            "dataCollType": "digits",
            "digitsReportingCriteria": {"numChars": 4, "flushChar": "#", "timeout": 30},
        },
        {"dcollCrossRefID": b"\x33", "extensions": EXTENSIONS},
    ),
    "stopDataCollection": ({"dcollCrossRefID": b"\x33"}, NO_DATA),
    "cDRNotification": ({"cdrCrossRefID": b"\x44", "cdrReason": "thresholdReached"}, NO_DATA),
    "cDRReport": (
        {
            "cdrCrossRefID": b"\x44",
            "numberOfRecordsSent": 1,
            "cdrInfo": [
                {
                    "recordNumber": 1,
                    "recordCreationTime": "20261127103015",
                    "callingDevice": subject(A),
                    "calledDevice": subject(C),
                    "associatedCallingDevice": subject(B),
                    "associatedCalledDevice": ("notKnown", None),
                    "networkCallingDevice": ("restricted", None),
                    "networkCalledDevice": subject(C),
                    "callCharacteristics": (b"\x80", 1),
                    "mediaCallCharacteristics": {"mediaClass": (b"\x80", 1)},
                    "chargedDevice": ("nonOperator", A),
                    "recordedCall": CALL_1,
                    "nodeNumber": {"area0": 1, "area2": 3},
                    "tariffTable": 2,
                    "connectionStart": "20261127102945",
                    "connectionEnd": "20261127103015",
                    "connectionDuration": 300,
                    "accessCode": b"0",
                    "carrier": 1,
                    "selectedRoute": 2,
                    "billingID": "normalCharging",
                    "chargingInfo": {
                        "numberUnits": (
                            "numberOfChargeUnits",
                            [{"chargingUnits": 3, "typeOfUnits": b"u"}],
                        ),
                        "typeOfChargingInfo": "total",
                    },
                    "supplServiceInfo": (b"\x20", 3),
                    "reasonForTerm": "normalClearing",
                    "authCode": b"a",
                    "accountInfo": b"b",
                    "deviceCategory": "station",
                    "namedDeviceTypes": "trunk",
                    "operatorDevice": dialing("0"),
                }
            ],
            "lastStoredCDRReportSent": False,
            "extensions": EXTENSIONS,
        },
        NO_DATA,
    ),
    "startCDRTransmission": (
        {"transferMode": "transferAtEndOfCall"},
        {"cdrCrossRefID": b"\x44", "extensions": EXTENSIONS},
    ),
    "stopCDRTransmission": ({"cdrCrossRefID": b"\x44", "cdrTermReason": "other"}, NO_DATA),
}

# event -> (group of EventSpecificInfo, alternative in the group, value)
DELIVERED = {
    "connection": CALL_1,
    "alertingDevice": subject(A),
    "callingDevice": subject(C),
    "calledDevice": subject(A),
    "lastRedirectionDevice": ("notKnown", None),
    "localConnectionInfo": "alerting",
    "cause": "newCall",
    "networkCallingDevice": subject(C),
    "networkCalledDevice": subject(dialing("301")),
    "associatedCallingDevice": subject(device_number(TRUNK_1)),
    "associatedCalledDevice": ("notKnown", None),
    "extensions": EXTENSIONS,
}
EVENTS: dict[str, tuple[str, str, Any]] = {
    "bridged": (
        "callControlEvents",
        "bridged",
        {
            "bridgedConnection": CALL_1,
            "bridgedAppearance": subject(B),
            "localConnectionInfo": "connected",
            "correlatorData": b"c",
            "cause": "normal",
            "callLinkageData": LINKAGE,
            "extensions": EXTENSIONS,
        },
    ),
    "callCleared": (
        "callControlEvents",
        "callCleared",
        {
            "clearedCall": ("callID", b"\x00\x07"),
            "cause": "normalClearing",
            "callCharacteristics": (b"\x80", 1),
            "extensions": EXTENSIONS,
        },
    ),
    "conferenced": (
        "callControlEvents",
        "conferenced",
        {
            "primaryOldCall": CALL_1,
            "secondaryOldCall": CALL_2,
            "conferencingDevice": subject(A),
            "addedParty": subject(C),
            "conferenceConnections": CONNECTION_LIST,
            "localConnectionInfo": "connected",
            "cause": "conference",
            "deviceHistory": {"oldDeviceID": B},
            "extensions": EXTENSIONS,
        },
    ),
    "connectionCleared": (
        "callControlEvents",
        "connectionCleared",
        {
            "droppedConnection": CALL_2,
            "releasingDevice": subject(B),
            "localConnectionInfo": "null",
            "chargingInfo": {
                "numberUnits": (
                    "numberOfCurrencyUnits",
                    {
                        "currencyType": b"EUR",
                        "currencyAmount": 12,
                        "currencyMultiplier": "oneHundredth",
                    },
                ),
                "typeOfChargingInfo": "subTotal",
            },
            "cause": "normalClearing",
            "extensions": EXTENSIONS,
        },
    ),
    "delivered": ("callControlEvents", "delivered", DELIVERED),
    "digitsDialed": (
        "callControlEvents",
        "digitsDialed",
        {
            "dialingConnection": CALL_1,
            "dialingDevice": subject(A),
            "dialingSequence": dialing("0301"),
            "localConnectionInfo": "initiated",
            "cause": "networkDialling",
        },
    ),
    "diverted": (
        "callControlEvents",
        "diverted",
        {
            "connection": CALL_1,
            "divertingDevice": subject(A),
            "newDestination": subject(D),
            "callingDevice": subject(C),
            "calledDevice": subject(A),
            "lastRedirectionDevice": ("numberdialed", A),
            "localConnectionInfo": "null",
            "cause": "callForwardNoAnswer",
            "extensions": EXTENSIONS,
        },
    ),
    "established": (
        "callControlEvents",
        "established",
        {
            "establishedConnection": CALL_1,
            "answeringDevice": subject(A),
            "callingDevice": subject(C),
            "calledDevice": subject(A),
            "lastRedirectionDevice": ("notRequired", None),
            "localConnectionInfo": "connected",
            "cause": "newCall",
            "associatedCallingDevice": subject(device_number(TRUNK_1)),
            "extensions": EXTENSIONS,
        },
    ),
    "failed": (
        "callControlEvents",
        "failed",
        {
            "failedConnection": CALL_2,
            "failingDevice": subject(B),
            "callingDevice": subject(A),
            "calledDevice": subject(B),
            "lastRedirectionDevice": ("notKnown", None),
            "localConnectionInfo": "fail",
            "cause": "busy",
        },
    ),
    "held": (
        "callControlEvents",
        "held",
        {
            "heldConnection": CALL_1,
            "holdingDevice": subject(A),
            "localConnectionInfo": "hold",
            "cause": "consultation",
            "extensions": EXTENSIONS,
        },
    ),
    "networkCapabilitiesChanged": (
        "callControlEvents",
        "networkCapabilitiesChanged",
        {
            "outboundConnection": CALL_2,
            "networkInterfaceUsed": subject(device_number(TRUNK_1)),
            "calledDevice": subject(C),
            "progressIndicator": {
                "progressLocation": "publicNetServingRemote",
                "progressDescription": "other",
            },
            "localConnectionInfo": "connected",
            "cause": "networkSignal",
        },
    ),
    "networkReached": (
        "callControlEvents",
        "networkReached",
        {
            "outboundConnection": CALL_2,
            "networkInterfaceUsed": subject(device_number(TRUNK_1)),
            "callingDevice": subject(B),
            "calledDevice": subject(C),
            "lastRedirectionDevice": ("notKnown", None),
            "localConnectionInfo": "connected",
            "networkCapability": {
                "networkType": "iSDNPublic",
                "eventsProvided": (b"\xff\xff\xc0", 18),
            },
            "cause": "normal",
        },
    ),
    "offered": (
        "callControlEvents",
        "offered",
        {
            "offeredConnection": CALL_1,
            "offeredDevice": subject(A),
            "callingDevice": subject(C),
            "calledDevice": subject(A),
            "lastRedirectionDevice": ("notKnown", None),
            "correlatorData": b"o",
            "cause": "newCall",
        },
    ),
    "originated": (
        "callControlEvents",
        "originated",
        {
            "originatedConnection": CALL_1,
            "callingDevice": subject(A),
            "calledDevice": subject(C),
            "localConnectionInfo": "connected",
            "cause": "makeCall",
            "extensions": EXTENSIONS,
        },
    ),
    "queued": (
        "callControlEvents",
        "queued",
        {
            "queuedConnection": CALL_1,
            "queue": subject(dialing("600")),
            "callingDevice": subject(C),
            "calledDevice": subject(dialing("600")),
            "lastRedirectionDevice": ("notSpecified", None),
            "numberQueued": 3,
            "callsInFront": 2,
            "localConnectionInfo": "queued",
            "cause": "enteringDistribution",
        },
    ),
    "retrieved": (
        "callControlEvents",
        "retrieved",
        {
            "retrievedConnection": CALL_1,
            "retrievingDevice": subject(A),
            "localConnectionInfo": "connected",
            "cause": "normal",
        },
    ),
    "serviceInitiated": (
        "callControlEvents",
        "serviceInitiated",
        {
            "initiatedConnection": CALL_1,
            "initiatingDevice": subject(A),
            "localConnectionInfo": "initiated",
            "cause": "newCall",
            "extensions": EXTENSIONS,
        },
    ),
    "transferred": (
        "callControlEvents",
        "transferred",
        {
            "primaryOldCall": CALL_1,
            "secondaryOldCall": CALL_2,
            "transferringDevice": subject(A),
            "transferredToDevice": subject(D),
            "transferredConnections": CONNECTION_LIST,
            "localConnectionInfo": "null",
            "cause": "transfer",
            "extensions": EXTENSIONS,
        },
    ),
    "digitsGenerated": (
        "callAssociatedEvents",
        "digitsGeneratedEvent",
        {
            "connection": CALL_1,
            "digitGeneratedList": "123#",
            "digitDurationList": [100, 100],
            "pauseDurationList": [50],
            "connectionInfo": CONNECTION_INFO,
            "extensions": EXTENSIONS,
        },
    ),
    "doNotDisturb": (
        "logicalDeviceFeatureEvents",
        "doNotDisturb",
        {
            "device": subject(B),
            "doNotDisturbOn": True,
            "callOrigination": (b"\x80", 2),
            "callingDeviceList": [C],
            "extensions": EXTENSIONS,
        },
    ),
    "forwarding": (
        "logicalDeviceFeatureEvents",
        "forwarding",
        {
            "device": subject(A),
            "forwardingType": "forwardImmediate",
            "forwardStatus": True,
            "forwardTo": C,
            "forwardDefault": "forwardingTypeAndForwardDN",
            "ringCount": 2,
            "ringDuration": 10,
            "extensions": EXTENSIONS,
        },
    ),
    "backInService": (
        "deviceMaintenanceEvents",
        "backInService",
        {"device": subject(D), "cause": "maintenance", "extensions": EXTENSIONS},
    ),
    "outOfService": (
        "deviceMaintenanceEvents",
        "outOfService",
        {"device": subject(D), "cause": "maintenance"},
    ),
    "privateEvent": (
        "vendorSpecEvents",
        "privateEvent",
        {"security": {"messageSequenceNumber": 1}, "privateData": ("string", b"kme")},
    ),
}
