"""The traffic generator: realistic, reproducible calls that always end."""

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.sim.cdr import CdrRecord
from ecsta.sim.server import SimulatorFactory
from ecsta.sim.traffic import TrafficGenerator
from ecsta.wire import apdu
from ecsta.wire.opcodes import Opcode
from tests.sim_wire import WireClient, advance, dialing, simulator


def run(seed: int, seconds: int, rate: float = 0.5) -> tuple[SimulatorFactory, TrafficGenerator]:
    factory = simulator()
    traffic = TrafficGenerator(factory, rate, seed)
    for _ in range(seconds):
        advance(factory, 1)
    traffic.set_rate(0)
    for _ in range(600):  # every script finishes within ten minutes
        advance(factory, 1)
    return factory, traffic


def summary(record: CdrRecord) -> tuple[Any, ...]:
    return (repr(record.calling), repr(record.called), record.start, record.end)


class TrafficTests(SynchronousTestCase):
    def test_an_hour_of_traffic_has_every_kind_of_call_and_ends_cleanly(self) -> None:
        factory, traffic = run(seed=11, seconds=3600)
        records = list(factory.switch.cdr.records())
        # Fewer than rate x time: a call starts only when its people are free.
        self.assertGreater(traffic.started, 800)
        self.assertGreater(len(records), 800)
        self.assertEqual(factory.switch.calls(), [])  # nobody left on the phone
        called = [str(r.called) for r in records]
        calling = [str(r.calling) for r in records]
        self.assertTrue(any("+49" in c for c in calling), "no incoming calls")
        self.assertTrue(
            any("deviceNumber" not in c and "'0" in c for c in called), "no outgoing calls"
        )
        codes = {r.condition_code for r in records}
        self.assertIn(1, codes, "no transfers")  # Panasonic condition code 1: transfer
        self.assertIn(5, codes, "no unanswered calls")

    def test_the_same_seed_gives_the_same_calls(self) -> None:
        first, _ = run(seed=5, seconds=900)
        second, _ = run(seed=5, seconds=900)
        other, _ = run(seed=6, seconds=900)
        calls = [summary(r) for r in first.switch.cdr.records()]
        self.assertEqual(calls, [summary(r) for r in second.switch.cdr.records()])
        self.assertNotEqual(calls, [summary(r) for r in other.switch.cdr.records()])

    def test_monitors_see_standard_events_of_the_traffic(self) -> None:
        factory = simulator()
        client = WireClient(factory)
        client.associate()
        for number in range(101, 111):
            client.request(
                9, "monitorStart", {"monitorObject": ("deviceObject", dialing(str(number)))}
            )
        traffic = TrafficGenerator(factory, 0.2, seed=2)
        for _ in range(300):
            advance(factory, 1)
            client.received()  # every PDU checked by ecsta and by the oracle
            for pdu in client.log[-5:]:
                if isinstance(pdu, apdu.Invoke) and pdu.opcode == Opcode.systemStatus:
                    client.answer(pdu)
        traffic.stop()
        reports = [
            p
            for p in client.log
            if isinstance(p, apdu.Invoke) and p.opcode == Opcode.cSTAEventReport
        ]
        self.assertGreater(len(reports), 50)
        self.assertEqual(factory.counters["events_sent"], len(reports))
