"""CDR over the CSTA link: records are kept until acknowledged, and none is lost or doubled.

The client here is unreliable on purpose: it answers some reports with an error, lets some go
unanswered until they time out, and drops the connection at random, coming back later to start
CDR transmission again. In the end every call it made must have reached it exactly once as a
positively answered report. Time is a Clock, the randomness seeded.
"""

import random
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.sim.config import SimConfig
from ecsta.sim.control import Controller
from ecsta.wire import apdu, values
from ecsta.wire.asn1.cdr import CDRInformationItem
from ecsta.wire.opcodes import Opcode
from ecsta.wire.tlv import read_tlv
from tests.sim_wire import WireClient, advance, dialing, simulator

CALLS = 520


def record_key(item: dict[str, Any]) -> tuple[Any, ...]:
    """What tells one call from another: the devices, the end and the duration (the ends are
    distinct in this test)."""
    return (
        repr(item["callingDevice"]),
        repr(item["calledDevice"]),
        item["connectionEnd"],
        item["connectionDuration"],
    )


class CdrDeliveryTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.factory = simulator(SimConfig(cdr_resend_delay=2.0, cdr_answer_timeout=5.0))
        self.control = Controller(self.factory)
        self.random = random.Random(20261127)
        self.delivered: list[tuple[Any, ...]] = []
        self.client: WireClient | None = None
        self.dropped_at = 0.0

    def connect(self) -> None:
        client = WireClient(self.factory)
        client.associate()
        started, *reports = client.request(
            2, "startCDRTransmission", {"transferMode": "transferAtEndOfCall"}
        )
        assert isinstance(started, apdu.ReturnResult), started
        self.client = client
        self.serve(reports)

    def serve(self, pdus: list[apdu.APDU]) -> None:
        """Play the unreliable client on what the simulator sent."""
        for pdu in pdus:
            client = self.client
            if client is None:
                return
            if not (isinstance(pdu, apdu.Invoke) and pdu.opcode == Opcode.cDRReport):
                continue
            [item] = pdu.argument["cdrInfo"]
            draw = self.random.random()
            if draw < 0.65:
                self.delivered.append(record_key(item))
                client.answer(pdu)
            elif draw < 0.8:
                client.send(apdu.return_error(pdu.invoke_id or 0, "operation", "generic"))
            elif draw < 0.9:
                pass  # no answer: the report times out
            else:
                client.drop()
                self.client = None
                self.dropped_at = self.factory.clock.seconds()
                return
            self.serve(client.decoded())

    def call(self, index: int) -> tuple[Any, ...]:
        caller = str(101 + index % 10)
        callee = str(111 + (index * 7) % 10)
        self.control.person(caller, "dial", {"digits": callee})
        self.control.person(callee, "answer", {})
        advance(self.factory, 1 + index % 5)
        self.control.person(self.random.choice((caller, callee)), "onhook", {})
        return caller, callee

    def test_every_record_arrives_exactly_once(self) -> None:
        self.connect()
        for index in range(CALLS):
            self.call(index)
            advance(self.factory, 1)
            if self.client is None and self.factory.clock.seconds() - self.dropped_at > 20:
                self.connect()
            elif self.client is not None:
                self.serve(self.client.decoded())
        # Let the client come back and everything still due be sent and answered.
        for _ in range(2000):
            if self.factory.switch.cdr.pending == 0 and self.factory.switch.cdr.sent == 0:
                break
            if self.client is None:
                self.connect()
            advance(self.factory, 1)
            if self.client is not None:
                self.serve(self.client.decoded())
        cdr = self.factory.switch.cdr
        self.assertEqual((cdr.pending, cdr.sent, cdr.acknowledged), (0, 0, CALLS))
        self.assertEqual(len(self.delivered), CALLS)
        self.assertEqual(len(set(self.delivered)), CALLS)
        counters = self.factory.counters
        self.assertGreater(counters["cdr_refused"], 50)  # errors, timeouts and drops happened
        self.assertGreater(counters["associations"], 5)
        self.assertEqual(counters["cdr_acknowledged"], CALLS)

    def test_records_wait_while_nobody_takes_them(self) -> None:
        for index in range(3):
            self.call(index)
        self.assertEqual(self.factory.switch.cdr.pending, 3)
        self.connect()
        self.assertEqual(
            len(self.delivered) + self.factory.switch.cdr.pending + self.factory.switch.cdr.sent, 3
        )

    def test_report_carries_the_call_and_its_condition_code(self) -> None:
        client = WireClient(self.factory)
        client.associate()
        client.request(2, "startCDRTransmission", {"transferMode": "transferAtEndOfCall"})
        self.control.person("101", "dial", {"digits": "105"})
        advance(self.factory, 20)
        self.control.person("101", "onhook", {})
        [report] = client.decoded()
        assert isinstance(report, apdu.Invoke)
        self.assertEqual(report.opcode, Opcode.cDRReport)
        [item] = report.argument["cdrInfo"]
        self.assertEqual(
            item["callingDevice"],
            ("deviceIdentifier", {"deviceIdentifier": ("dialingNumber", "101")}),
        )
        self.assertEqual(item["connectionDuration"], 0)
        self.assertEqual(
            report.argument["extensions"]["privateData"],
            [("private", ("kmeAdditionalData", ("conditionCode", "noAnswer")))],
        )
        self.assertTrue(item["connectionEnd"].startswith("20261127"))
        # stop, then start again: a second start while running is refused
        [again] = client.request(3, "startCDRTransmission", {"transferMode": "transferAtEndOfCall"})
        assert isinstance(again, apdu.ReturnError)
        self.assertEqual(again.error, ("operation", "featureAlreadySet"))


#: The components of a CDRInformationItem that a Panasonic PBX sends, in the item's order, by
#: the identifier octet each has on the wire (PROTOCOL.md section 5). Applications built on
#: real PBXs decode items with a type that has these and no others.
PANASONIC_CDR_FIELDS = {
    0x18: "recordCreationTime",
    0x61: "callingDevice",
    0x62: "calledDevice",
    0x65: "associatedCallingDevice",
    0x66: "associatedCalledDevice",
    0x68: "networkCalledDevice",
    0xA2: "chargedDevice",
    0x86: "connectionEnd",
    0x87: "connectionDuration",
    0x8B: "billingID",
    0xAC: "chargingInfo",
    0x8E: "reasonForTerm",
    0x90: "accountInfo",
}


def item_fields(item: dict[str, Any]) -> list[str]:
    """The components of an item as ecsta puts it on the wire (it re-encodes every PDU the
    simulator sends to the same bytes), named by their identifier octets; a component no
    Panasonic PBX sends is named by its octet in hex."""
    encoded = values.encode(CDRInformationItem, item)
    pos, stop = read_tlv(encoded, 0, len(encoded))
    names = []
    while pos < stop:
        names.append(PANASONIC_CDR_FIELDS.get(encoded[pos], f"{encoded[pos]:02x}"))
        pos = read_tlv(encoded, pos, stop)[1]
    return names


class PanasonicCdrShapeTests(SynchronousTestCase):
    """cDRReports as the simulator sends them: only the fields of a Panasonic PBX, in order,
    the condition code in KME private data, and every PDU decoded by the ECMA-285 oracle too
    (WireClient checks each one)."""

    def setUp(self) -> None:
        self.factory = simulator()
        self.control = Controller(self.factory)
        self.client = WireClient(self.factory)
        self.client.associate()
        self.client.request(2, "startCDRTransmission", {"transferMode": "transferAtEndOfCall"})

    def report(self) -> tuple[dict[str, Any], Any]:
        """The next cDRReport's one item and its condition code (None without one), answered."""
        [report] = [
            p
            for p in self.client.decoded()
            if isinstance(p, apdu.Invoke) and p.opcode == Opcode.cDRReport
        ]
        assert isinstance(report, apdu.Invoke)
        self.client.answer(report)
        self.assertLessEqual(
            set(report.argument), {"cdrCrossRefID", "numberOfRecordsSent", "cdrInfo", "extensions"}
        )
        [item] = report.argument["cdrInfo"]
        names = item_fields(item)
        self.assertEqual(names, list(item), "components on the wire")
        self.assertLessEqual(set(names), set(PANASONIC_CDR_FIELDS.values()))
        extensions = report.argument.get("extensions")
        if extensions is None:
            return item, None
        [(kind, (kme, (field, code)))] = extensions["privateData"]
        self.assertEqual((kind, kme, field), ("private", "kmeAdditionalData", "conditionCode"))
        return item, code

    def test_answered_internal_call(self) -> None:
        self.control.person("101", "dial", {"digits": "105"})
        advance(self.factory, 2)
        self.control.person("105", "answer", {})
        advance(self.factory, 62.5)
        self.control.person("105", "onhook", {})
        item, code = self.report()
        self.assertEqual(
            item,
            {
                "recordCreationTime": "20261127100104",
                "callingDevice": ("deviceIdentifier", dialing("101")),
                "calledDevice": ("deviceIdentifier", dialing("105")),
                "chargedDevice": ("nonOperator", dialing("101")),
                "connectionEnd": "20261127100104",
                "connectionDuration": 625,
            },
        )
        self.assertIsNone(code)

    def test_unanswered_transferred_and_outside_calls(self) -> None:
        self.control.person("101", "dial", {"digits": "105"})
        advance(self.factory, 5)
        self.control.person("101", "onhook", {})
        item, code = self.report()
        self.assertEqual((item["connectionDuration"], code), (0, "noAnswer"))
        self.control.person("101", "dial", {"digits": "105"})
        self.control.person("105", "answer", {})
        self.control.person("101", "hold", {})
        self.control.person("101", "dial", {"digits": "106"})
        self.control.person("106", "answer", {})
        self.control.person("101", "onhook", {})
        advance(self.factory, 10)
        self.control.person("106", "onhook", {})
        item, code = self.report()
        self.assertEqual(code, "callTransfer")
        self.control.incoming("+4930123456", "107")
        self.control.person("107", "answer", {})
        advance(self.factory, 3)
        self.control.person("107", "onhook", {})
        item, code = self.report()
        self.assertEqual(item["connectionDuration"], 30)
        self.assertEqual(item["chargedDevice"], ("nonOperator", dialing("107")))
