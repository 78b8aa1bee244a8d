"""Events as a Panasonic PBX sends them (PROTOCOL.md section 7) decode with the 4th-edition specs.

A Panasonic PBX negotiates ECMA-285 2nd edition and sends only that edition's fields. Each
event here holds exactly the fields of the section 7 table, in its order; two of them are also
written out byte by byte from the protocol description, Panasonic's KME data included.
"""

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import values
from ecsta.wire.asn1.events import CSTAEventReportArgument
from tests.asn1_samples import (
    CALL_1,
    CALL_2,
    CONNECTION_LIST,
    EXTENSIONS,
    TRUNK_1,
    device_number,
    dialing,
    subject,
)
from tests.asn1_support import from_oracle, load_oracle, to_oracle
from tests.test_asn1_kme import tlv

oracle, oracle_missing = load_oracle()

KME_HOLD = {"privateData": [("private", ("kmeAdditionalData", ("holdType", "consultation")))]}
KME_DID = {"privateData": [("private", ("kmeAdditionalData", ("didNo", dialing("5550"))))]}
A = subject(dialing("101"))
B = subject(dialing("102"))
OUTSIDE = subject(dialing("0301234567"))
TRUNK = subject(device_number(TRUNK_1))
NOT_KNOWN = ("notKnown", None)
CALLERS = {
    "networkCallingDevice": OUTSIDE,
    "networkCalledDevice": subject(dialing("5550")),
    "associatedCallingDevice": TRUNK,
    "associatedCalledDevice": NOT_KNOWN,
}

# event -> its fields exactly as section 7 lists them, in that order
SECTION_7: dict[str, dict[str, Any]] = {
    "delivered": {
        "connection": CALL_1,
        "alertingDevice": A,
        "callingDevice": OUTSIDE,
        "calledDevice": A,
        "lastRedirectionDevice": NOT_KNOWN,
        "localConnectionInfo": "alerting",
        "cause": "newCall",
        **CALLERS,
        "extensions": KME_DID,
    },
    "established": {
        "establishedConnection": CALL_1,
        "answeringDevice": A,
        "callingDevice": OUTSIDE,
        "calledDevice": A,
        "lastRedirectionDevice": NOT_KNOWN,
        "localConnectionInfo": "connected",
        "cause": "newCall",
        **CALLERS,
        "extensions": KME_DID,
    },
    "failed": {
        "failedConnection": CALL_2,
        "failingDevice": B,
        "callingDevice": A,
        "calledDevice": B,
        "lastRedirectionDevice": NOT_KNOWN,
        "localConnectionInfo": "fail",
        "cause": "busy",
        **CALLERS,
    },
    "diverted": {
        "connection": CALL_1,
        "divertingDevice": A,
        "newDestination": B,
        "callingDevice": OUTSIDE,
        "calledDevice": A,
        "lastRedirectionDevice": ("numberdialed", dialing("101")),
        "localConnectionInfo": "null",
        "cause": "callForwardImmediate",
        **CALLERS,
    },
    "queued": {
        "queuedConnection": CALL_1,
        "queue": subject(dialing("600")),
        "callingDevice": OUTSIDE,
        "calledDevice": subject(dialing("600")),
        "lastRedirectionDevice": NOT_KNOWN,
        "callsInFront": 1,
        "localConnectionInfo": "queued",
        "cause": "enteringDistribution",
        **CALLERS,
    },
    "originated": {
        "originatedConnection": CALL_1,
        "callingDevice": A,
        "calledDevice": OUTSIDE,
        "localConnectionInfo": "connected",
        "cause": "makeCall",
        **CALLERS,
        "extensions": KME_DID,
    },
    "serviceInitiated": {
        "initiatedConnection": CALL_1,
        "initiatingDevice": A,
        "localConnectionInfo": "initiated",
        "cause": "newCall",
        "networkCallingDevice": OUTSIDE,
        "networkCalledDevice": subject(dialing("5550")),
        "extensions": KME_DID,
    },
    "networkReached": {
        "outboundConnection": CALL_2,
        "networkInterfaceUsed": TRUNK,
        "callingDevice": A,
        "calledDevice": OUTSIDE,
        "lastRedirectionDevice": NOT_KNOWN,
        "localConnectionInfo": "connected",
        "cause": "normal",
    },
    "held": {
        "heldConnection": CALL_1,
        "holdingDevice": A,
        "localConnectionInfo": "hold",
        "cause": "consultation",
        "extensions": KME_HOLD,
    },
    "retrieved": {
        "retrievedConnection": CALL_1,
        "retrievingDevice": A,
        "localConnectionInfo": "connected",
        "cause": "normal",
    },
    "connectionCleared": {
        "droppedConnection": CALL_2,
        "releasingDevice": B,
        "localConnectionInfo": "null",
        "cause": "normalClearing",
    },
    "transferred": {
        "primaryOldCall": CALL_1,
        "secondaryOldCall": CALL_2,
        "transferringDevice": A,
        "transferredToDevice": B,
        "transferredConnections": CONNECTION_LIST,
        "localConnectionInfo": "null",
        "cause": "transfer",
    },
    "conferenced": {
        "primaryOldCall": CALL_1,
        "secondaryOldCall": CALL_2,
        "conferencingDevice": A,
        "addedParty": B,
        "conferenceConnections": CONNECTION_LIST,
        "localConnectionInfo": "connected",
        "cause": "conference",
    },
}


def report(event: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "crossRefIdentifier": b"\x00\x00\x00\x2a",
        "eventSpecificInfo": ("callControlEvents", (event, fields)),
    }


class SectionSevenTests(SynchronousTestCase):
    def test_every_event_of_the_table_round_trips_with_exactly_its_fields(self) -> None:
        for event, fields in SECTION_7.items():
            data = values.encode(CSTAEventReportArgument, report(event, fields))
            decoded = values.decode(CSTAEventReportArgument, data)
            group, (name, got) = decoded["eventSpecificInfo"]
            self.assertEqual((group, name), ("callControlEvents", event))
            self.assertEqual(list(got), list(fields), f"{event}: fields or their order differ")
            self.assertEqual(got, fields)

    def test_the_standard_reads_them_too(self) -> None:
        """Without the KME data it cannot read, the oracle decodes each event the same way."""
        if oracle is None:
            raise self.skipTest(oracle_missing)
        for event, fields in SECTION_7.items():
            standard = dict(fields)
            if "extensions" in standard:
                standard["extensions"] = EXTENSIONS
            value = report(event, standard)
            data = values.encode(CSTAEventReportArgument, value)
            read = oracle.decode_type("CSTAEventReportArgument", data)
            self.assertEqual(from_oracle(CSTAEventReportArgument, read), value, event)
            self.assertEqual(
                oracle.encode_type(
                    "CSTAEventReportArgument", to_oracle(CSTAEventReportArgument, value)
                ),
                data,
                event,
            )


def connection(call: bytes, number: bytes) -> bytes:
    """A ConnectionID in the ``both`` form, as PROTOCOL.md section 7 writes it."""
    return tlv(0x6B, tlv(0x30, tlv(0x80, call), tlv(0xA1, tlv(0x30, tlv(0x80, number)))))


def device(tag: int, number: bytes) -> bytes:
    """One of the [APPLICATION n] device-id CHOICEs naming a device by dialing number."""
    return tlv(tag, tlv(0x30, tlv(0x80, number)))


class PanasonicBytesTests(SynchronousTestCase):
    def test_delivered(self) -> None:
        delivered = tlv(
            0xA4,
            connection(b"\x00\x07", b"101"),
            device(0x63, b"101"),
            tlv(0x61, tlv(0x30, tlv(0x81, TRUNK_1.to_bytes(4, "big")))),
            device(0x62, b"101"),
            bytes.fromhex("64 02 87 00"),
            bytes.fromhex("4e 01 02"),
            bytes.fromhex("0a 01 16"),
            device(0x67, b"0301234567"),
            tlv(0x7E, tlv(0xA1, tlv(0xA6, tlv(0xB1, tlv(0x30, tlv(0x80, b"5550")))))),
        )
        data = tlv(0x30, bytes.fromhex("55 04 00 00 00 2a"), tlv(0xA0, delivered))
        expected = report(
            "delivered",
            {
                "connection": CALL_1,
                "alertingDevice": A,
                "callingDevice": TRUNK,
                "calledDevice": A,
                "lastRedirectionDevice": NOT_KNOWN,
                "localConnectionInfo": "alerting",
                "cause": "newCall",
                "networkCallingDevice": OUTSIDE,
                "extensions": KME_DID,
            },
        )
        self.assertEqual(values.decode(CSTAEventReportArgument, data), expected)
        self.assertEqual(values.encode(CSTAEventReportArgument, expected).hex(" "), data.hex(" "))

    def test_held_with_hold_type(self) -> None:
        held = tlv(
            0xA9,
            connection(b"\x00\x07", b"101"),
            device(0x63, b"101"),
            bytes.fromhex("4e 01 04"),
            bytes.fromhex("0a 01 25"),
            bytes.fromhex("7e 09 a1 07 a6 05 a9 03 0a 01 00"),
        )
        data = tlv(0x30, bytes.fromhex("55 04 00 00 00 2a"), tlv(0xA0, held))
        expected = report("held", SECTION_7["held"])
        self.assertEqual(values.decode(CSTAEventReportArgument, data), expected)
        self.assertEqual(values.encode(CSTAEventReportArgument, expected).hex(" "), data.hex(" "))
