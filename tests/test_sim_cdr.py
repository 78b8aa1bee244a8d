"""Call detail records: one per finished call, and a queue that loses none and repeats none."""

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from ecsta.sim.cdr import CdrQueue, CdrRecord
from tests.sim_helpers import SwitchCase, conn, dn, oracle, with_datetimes

EPOCH = 1_795_775_400.0  # 2026-11-27 10:30:00 UTC


def fill(queue: CdrQueue, count: int) -> list[CdrRecord]:
    return [
        queue.add(
            call_id=bytes([0, n]),
            calling=dn("101"),
            called=dn("102"),
            charged=dn("101"),
            start=float(n),
            answered=None,
            end=float(n + 1),
            condition_code=None,
        )
        for n in range(count)
    ]


class CdrQueueTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.queue = CdrQueue()
        self.records = fill(self.queue, 3)

    def ids(self, records: list[CdrRecord]) -> list[int]:
        return [r.record_id for r in records]

    def test_take_hands_out_the_oldest_and_marks_them_sent(self) -> None:
        first, second, third = self.ids(self.records)
        self.assertEqual(self.ids(self.queue.take(2)), [first, second])
        self.assertEqual((self.queue.pending, self.queue.sent), (1, 2))
        self.assertEqual(self.ids(self.queue.take(5)), [third])
        self.assertEqual(self.queue.take(5), [])

    def test_ack_retires_a_record_for_good(self) -> None:
        first = self.records[0].record_id
        self.queue.take(1)
        self.assertTrue(self.queue.ack(first))
        self.assertFalse(self.queue.ack(first))
        self.assertFalse(self.queue.nack(first))
        self.assertEqual(self.queue.acknowledged, 1)
        self.assertNotIn(first, self.ids(list(self.queue.records())))
        self.assertNotIn(first, self.ids(self.queue.take(10)))

    def test_only_records_out_can_be_answered(self) -> None:
        pending = self.records[2].record_id
        self.queue.take(2)
        self.assertFalse(self.queue.ack(pending))
        self.assertFalse(self.queue.nack(pending))
        self.assertFalse(self.queue.ack(999))

    def test_nacked_records_are_sent_again_first(self) -> None:
        first, second, third = self.ids(self.records)
        self.queue.take(2)
        self.assertTrue(self.queue.nack(second))
        self.assertTrue(self.queue.nack(first))
        self.assertEqual(self.ids(self.queue.take(3)), [first, second, third])

    def test_records_out_when_the_link_drops_are_sent_again(self) -> None:
        self.queue.take(3)
        self.queue.ack(self.records[1].record_id)
        self.assertEqual(self.queue.resend_all(), 2)
        self.assertEqual(
            self.ids(self.queue.take(3)), [self.records[0].record_id, self.records[2].record_id]
        )

    def test_a_full_buffer_drops_the_oldest_pending_record(self) -> None:
        queue = CdrQueue(capacity=3)
        first, _, third = self.ids(fill(queue, 3))
        self.assertEqual(queue.dropped, 0)  # up to the capacity, nothing is lost
        self.assertEqual(self.ids(queue.take(1)), [first])
        [fourth] = self.ids(fill(queue, 1))
        # The record out awaiting its answer stays; the oldest one waiting goes.
        self.assertEqual((queue.dropped, queue.pending, queue.sent), (1, 2, 1))
        self.assertTrue(queue.nack(first))
        [fifth] = self.ids(fill(queue, 1))
        self.assertEqual(queue.dropped, 2)
        self.assertEqual(self.ids(queue.take(5)), [third, fourth, fifth])
        self.assertEqual(queue.recorded, 5)

    def test_a_buffer_full_of_records_out_drops_the_oldest_of_them(self) -> None:
        queue = CdrQueue(capacity=2)
        first, second = self.ids(fill(queue, 2))
        queue.take(2)
        [third] = self.ids(fill(queue, 1))
        self.assertEqual(queue.dropped, 1)
        self.assertFalse(queue.ack(first))  # its answer finds nothing
        self.assertTrue(queue.ack(second))
        self.assertEqual(self.ids(queue.take(5)), [third])

    def test_counts_follow_every_move(self) -> None:
        queue = CdrQueue(capacity=4)
        ids = self.ids(fill(queue, 6))
        queue.take(3)
        queue.ack(ids[2])
        queue.nack(ids[3])
        self.assertEqual(
            (queue.pending, queue.sent, queue.acknowledged, queue.dropped, queue.recorded),
            (2, 1, 1, 2, 6),
        )
        self.assertEqual(self.ids(list(queue.records("sent"))), [ids[4]])
        self.assertEqual(self.ids(list(queue.records("pending"))), [ids[3], ids[5]])

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.tuples(st.sampled_from(["add", "take", "ack", "nack", "drop"]), st.integers(0, 4)),
            max_size=40,
        )
    )
    def test_none_lost_none_delivered_after_its_ack(self, steps: list[tuple[str, int]]) -> None:
        queue = CdrQueue()
        added: set[int] = set()
        out: list[int] = []
        acked: set[int] = set()
        for action, n in steps:
            if action == "add":
                added.update(r.record_id for r in fill(queue, n))
            elif action == "take":
                taken = [r.record_id for r in queue.take(n)]
                self.assertFalse(acked & set(taken), "an acknowledged record came back")
                out.extend(taken)
            elif action in ("ack", "nack") and out:
                record_id = out.pop(n % len(out))
                if action == "ack":
                    self.assertTrue(queue.ack(record_id))
                    acked.add(record_id)
                else:
                    self.assertTrue(queue.nack(record_id))
            elif action == "drop":
                queue.resend_all()
                out.clear()
        queue.resend_all()
        while taken_records := queue.take(3):
            for record in taken_records:
                self.assertNotIn(record.record_id, acked)
                self.assertTrue(queue.ack(record.record_id))
                acked.add(record.record_id)
        self.assertEqual(acked, added)
        self.assertEqual(queue.acknowledged, len(added))


class CallRecordTests(SwitchCase):
    start_time = EPOCH

    def records(self) -> list[CdrRecord]:
        return self.switch.cdr.take(100)

    def test_answered_call(self) -> None:
        self.switch.dial("103", "104")
        cid = self.call_id("103")
        self.switch.advance(EPOCH + 4)
        self.switch.answer("104")
        self.switch.advance(EPOCH + 64.5)
        self.switch.onhook("104")
        [record] = self.records()
        self.assertEqual(
            (record.call_id, record.calling, record.called, record.charged),
            (cid, dn("103"), dn("104"), dn("103")),
        )
        self.assertEqual(
            (record.start, record.answered, record.end), (EPOCH, EPOCH + 4, EPOCH + 64.5)
        )
        self.assertEqual(record.duration, 60.5)
        self.assertIsNone(record.condition_code)
        item = record.information_item()
        self.assertEqual(
            item,
            {
                "recordCreationTime": "20261127103104",
                "callingDevice": ("deviceIdentifier", dn("103")),
                "calledDevice": ("deviceIdentifier", dn("104")),
                "chargedDevice": ("nonOperator", dn("103")),
                "connectionEnd": "20261127103104",
                "connectionDuration": 605,
            },
        )
        ecma = oracle()
        encoded = ecma.encode_type("CDRInformationItem", with_datetimes(item))
        self.assertEqual(ecma.decode_type("CDRInformationItem", encoded), with_datetimes(item))

    def test_unanswered_call_has_condition_no_answer(self) -> None:
        self.switch.dial("103", "104")
        self.switch.advance(EPOCH + 60)
        [record] = self.records()
        self.assertEqual((record.answered, record.duration, record.condition_code), (None, 0.0, 5))
        self.assertEqual(record.information_item()["connectionDuration"], 0)

    def test_transferred_call_leaves_one_record_with_condition_transfer(self) -> None:
        self.switch.dial("103", "104")
        self.switch.answer("104")
        c1 = self.call_id("104")
        self.switch.hold("103")
        self.switch.dial("103", "105")
        self.switch.answer("105")
        self.switch.onhook("103")
        self.switch.onhook("105")
        [record] = self.records()
        self.assertEqual((record.call_id, record.condition_code), (c1, 1))
        self.assertEqual((record.calling, record.called), (dn("104"), dn("105")))

    def test_forwarded_call_has_condition_forwarding(self) -> None:
        self.switch.set_forwarding("104", "forwardImmediate", True, "105")
        self.switch.dial("103", "104")
        self.switch.answer("105")
        self.switch.onhook("103")
        [record] = self.records()
        self.assertEqual(record.condition_code, 2)

    def test_outside_calls_are_charged_to_the_extension(self) -> None:
        self.switch.incoming("+4930123", "107")
        self.switch.answer("107")
        self.switch.onhook("107")
        self.switch.dial("108", "0301234")
        self.switch.advance(EPOCH + 5)
        self.services.clear_connection(
            {"connectionToBeCleared": conn(self.call_id("108"), dn("108"))}
        )
        incoming, outgoing = self.records()
        self.assertEqual(
            (incoming.calling, incoming.called, incoming.charged),
            (dn("+4930123"), dn("107"), dn("107")),
        )
        self.assertEqual(
            (outgoing.calling, outgoing.called, outgoing.charged),
            (dn("108"), dn("301234"), dn("108")),
        )

    def test_records_come_in_the_order_calls_end(self) -> None:
        self.switch.dial("103", "104")
        self.switch.dial("105", "106")
        self.switch.onhook("105")
        self.switch.onhook("103")
        self.assertEqual([r.calling for r in self.records()], [dn("105"), dn("103")])
