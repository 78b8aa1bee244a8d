"""The requests in flight on one association: each fails at its own deadline, with one timer
for the whole table however many are in flight."""

from typing import Any

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from ecsta.link.correlation import Outstanding
from ecsta.link.errors import LinkLost
from ecsta.wire.ber import Kind, Peek


class Recorder:
    """A waiter that notes how its request ended, and when."""

    def __init__(self, clock: Clock, ended: list[tuple[str, float, Any]]) -> None:
        self.clock = clock
        self.ended = ended

    def answered(self, pdu: bytes, peek: Peek) -> None:
        self.ended.append(("answered", self.clock.seconds(), pdu))

    def failed(self, reason: BaseException) -> None:
        self.ended.append(("failed", self.clock.seconds(), str(reason)))


class OutstandingTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.table = Outstanding(self.clock)
        self.ended: list[tuple[str, float, Any]] = []

    def ask(self, timeout: float | None) -> int:
        invoke_id = self.table.allocate()
        self.table.add(invoke_id, timeout, Recorder(self.clock, self.ended))
        return invoke_id

    def test_each_request_fails_at_its_own_deadline_and_answered_ones_never(self) -> None:
        first = self.ask(5)
        self.clock.advance(1)
        second = self.ask(5)
        self.clock.advance(1)
        third = self.ask(2)  # a shorter timeout: due before the two made earlier
        self.ask(None)  # waits as long as the link lives
        self.assertEqual(len(self.clock.getDelayedCalls()), 1)
        waiter = self.table.pop(first)
        assert waiter is not None
        waiter.answered(b"\xa2\x03\x02\x01\x01", Peek(Kind.RETURN_RESULT, first, *[None] * 4))
        self.clock.advance(1.999)
        self.assertEqual([e[0] for e in self.ended], ["answered"])
        self.clock.advance(0.001)
        self.assertEqual(self.ended[1], ("failed", 4.0, f"no answer to invoke {third} within 2 s"))
        self.clock.advance(1)  # first's deadline: it was answered
        self.assertEqual(len(self.ended), 2)
        self.clock.advance(1)
        self.assertEqual(self.ended[2], ("failed", 6.0, f"no answer to invoke {second} within 5 s"))
        self.assertEqual(len(self.table), 1)
        self.assertEqual(self.clock.getDelayedCalls(), [])
        self.clock.advance(3600)
        self.assertEqual(len(self.ended), 3)

    def test_one_timer_however_many_are_in_flight(self) -> None:
        for _ in range(1000):
            self.ask(30)
            self.clock.advance(0.01)
        self.assertEqual(len(self.clock.getDelayedCalls()), 1)
        self.clock.advance(30)
        self.assertEqual(len(self.ended), 1000)
        self.assertEqual(sorted(e[1] for e in self.ended), [e[1] for e in self.ended])
        self.assertEqual((len(self.table), self.clock.getDelayedCalls()), (0, []))

    def test_a_request_made_as_another_times_out_gets_its_own_deadline(self) -> None:
        class Retry(Recorder):
            def failed(inner, reason: BaseException) -> None:
                super().failed(reason)
                if len(self.ended) == 1:
                    self.ask(10)

        self.table.add(self.table.allocate(), 1, Retry(self.clock, self.ended))
        self.clock.advance(1)
        self.assertEqual(len(self.ended), 1)
        self.clock.advance(9.9)
        self.assertEqual(len(self.ended), 1)
        self.clock.advance(0.1)
        self.assertEqual([e[:2] for e in self.ended], [("failed", 1.0), ("failed", 11.0)])

    def test_loss_fails_everything_and_leaves_no_timer(self) -> None:
        self.ask(5)
        self.ask(None)
        self.table.lose(LinkLost("gone"))
        self.assertEqual([e[2] for e in self.ended], ["gone", "gone"])
        self.assertEqual(self.clock.getDelayedCalls(), [])
        self.ask(5)
        self.assertEqual(self.ended[-1][2], "gone")

    def test_a_waiter_that_raises_costs_the_others_nothing(self) -> None:
        class Broken(Recorder):
            def failed(inner, reason: BaseException) -> None:
                raise RuntimeError("a bug in whoever waits")

        self.table.add(self.table.allocate(), 5, Broken(self.clock, self.ended))
        self.ask(5)
        self.ask(10)
        self.clock.advance(5)
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)
        self.assertEqual([e[:2] for e in self.ended], [("failed", 5.0)])
        self.clock.advance(5)  # the timer still runs for what is left
        self.assertEqual([e[:2] for e in self.ended], [("failed", 5.0), ("failed", 10.0)])
        self.table.add(self.table.allocate(), None, Broken(self.clock, self.ended))
        self.ask(None)
        self.table.lose(LinkLost("gone"))
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)
        self.assertEqual(self.ended[-1][2], "gone")
