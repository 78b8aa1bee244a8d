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
from ecsta.wire import apdu
from tests.sim_wire import WireClient, advance, simulator

CALLS = 520


def record_key(item: dict[str, Any]) -> tuple[Any, ...]:
    """What tells one call from another: the devices, and the times (distinct in this test)."""
    return (
        repr(item["callingDevice"]),
        repr(item["calledDevice"]),
        item.get("connectionStart"),
        item["connectionEnd"],
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
            if not (isinstance(pdu, apdu.Invoke) and pdu.opcode == 361):
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
        self.assertEqual(report.opcode, 361)
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
