"""A link spares walking a PDU it has found well-formed before, but for its invokeId: a repeat
is read no further than its invokeId, and peeked at as if read in full; a broken header or
invokeId in front of a remembered body is still found malformed."""

from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from ecsta.link.protocol import CSTAClientProtocol
from ecsta.link.seen import MAX_ENTRIES, MAX_REMEMBERED, Seen, answers
from ecsta.wire import apdu, ber
from ecsta.wire.framing import FrameDecoder, frame
from ecsta.wire.tlv import encode_length

#: What the simulator answers a snapshot of an idle phone (PROTOCOL.md's returnResult shape).
EMPTY_SNAPSHOT = bytes.fromhex("a20c020101300702014a30027600")


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + encode_length(len(content)) + content


def result(invoke_id: int, opcode: int, extra: bytes = b"") -> bytes:
    """A returnResult of ``opcode`` whose result carries ``extra``."""
    body = tlv(0x02, opcode.to_bytes(2, "big")) + extra
    return tlv(0xA2, tlv(0x02, bytes([invoke_id])) + tlv(0x30, body))


class SeenTests(SynchronousTestCase):
    def seen(self, memory: Seen, pdu: bytes) -> bool:
        """Whether ``memory`` spares ``pdu`` the walk, with the very peek the walk gives."""
        repeat = memory.peek(pdu)
        if repeat is not None:
            full = ber.peek(pdu)
            self.assertEqual((repeat, repeat.after_id), (full, full.after_id))
            self.assertTrue(memory.has(pdu, full))
        return repeat is not None

    def remember(self, memory: Seen, pdu: bytes) -> None:
        ber.validate(pdu)
        memory.remember(pdu, ber.peek(pdu))

    def test_a_short_answer_is_seen_again_under_any_invoke_id(self) -> None:
        memory = answers()
        self.assertFalse(self.seen(memory, EMPTY_SNAPSHOT))
        self.remember(memory, EMPTY_SNAPSHOT)
        for invoke_id in (1, 127, 128, 300, 32767, -5):
            self.assertTrue(self.seen(memory, ber.with_invoke_id(EMPTY_SNAPSHOT, invoke_id)))
        self.assertFalse(self.seen(memory, result(1, 74, tlv(0x04, b"\x01"))))

    def test_the_same_octets_under_another_kind_are_not_seen(self) -> None:
        memory = answers()
        self.remember(memory, EMPTY_SNAPSHOT)
        reject = b"\xa4" + EMPTY_SNAPSHOT[1:]
        self.assertFalse(self.seen(memory, reject))
        self.assertFalse(memory.has(reject, ber.peek(reject)))

    def test_invokes_and_long_answers_are_not_remembered_with_the_answers(self) -> None:
        memory = answers()
        event = bytes.fromhex("a10c020101020200d330030a0102")  # a keep-alive
        long = result(1, 74, tlv(0x04, bytes(MAX_REMEMBERED)))
        for pdu in (event, long):
            self.remember(memory, pdu)
            self.assertFalse(self.seen(memory, pdu))
        self.assertEqual(len(memory), 0)

    def test_it_holds_a_bounded_number_and_forgets_the_oldest(self) -> None:
        memory = answers()
        made = [result(1, opcode) for opcode in range(MAX_ENTRIES + 10)]
        for pdu in made:
            self.remember(memory, pdu)
        self.assertEqual(len(memory), MAX_ENTRIES)
        self.assertFalse(self.seen(memory, made[0]))
        self.assertTrue(self.seen(memory, made[-1]))

    def test_it_holds_a_bounded_number_of_octets(self) -> None:
        memory = Seen({ber.Kind.RETURN_RESULT}, max_entries=100, max_body=40, max_octets=100)
        made = [result(1, opcode, tlv(0x04, bytes(20))) for opcode in range(10)]
        for pdu in made:
            self.remember(memory, pdu)
        self.assertLessEqual(memory.octets, 100)
        self.assertEqual(len(memory), memory.octets // len(made[0][5:]))
        self.assertTrue(self.seen(memory, made[-1]))
        self.assertFalse(self.seen(memory, made[0]))

    def test_a_null_invoke_id_is_remembered_whole_and_read_in_full(self) -> None:
        memory = Seen({ber.Kind.INVOKE}, max_entries=10, max_body=100)
        null = bytes.fromhex("a10b0500020200d330030a0102")
        self.remember(memory, null)
        self.assertIsNone(memory.peek(null))
        self.assertTrue(memory.has(null, ber.peek(null)))

    def test_a_broken_header_in_front_of_a_remembered_body_is_still_malformed(self) -> None:
        link = CSTAClientProtocol(Clock(), watchdog=None)
        link.makeConnection(StringTransport())
        link.associated = True
        link.known = answers()
        link.dataReceived(frame(EMPTY_SNAPSHOT))  # found well-formed (an answer to nothing)
        self.assertEqual(len(link.known), 1)
        body = EMPTY_SNAPSHOT[5:]
        for broken in (
            b"\xa2" + bytes([len(body) + 2]) + b"\x02\x00" + body,  # invokeId without octets
            b"\xa2" + bytes([len(body) + 4]) + b"\x02\x01\x02" + body,  # length past the end
        ):
            link.transport.clear()  # type: ignore[union-attr]
            link.dataReceived(frame(broken))
            sent = FrameDecoder().feed(link.transport.value())  # type: ignore[union-attr]
            self.assertEqual(
                [apdu.decode(pdu).problem for pdu in sent],  # type: ignore[union-attr]
                [("general", "badlyStructuredPDU")],
            )
