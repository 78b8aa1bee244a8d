"""A link spares walking an answer it has found well-formed before, but for its invokeId; a
broken header or invokeId in front of a remembered body is still found malformed."""

from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from ecsta.link.protocol import CSTAClientProtocol
from ecsta.link.seen import MAX_ENTRIES, MAX_REMEMBERED, SeenAnswers
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


class SeenAnswersTests(SynchronousTestCase):
    def seen(self, answers: SeenAnswers, pdu: bytes) -> bool:
        return answers.seen(pdu, ber.peek(pdu))

    def remember(self, answers: SeenAnswers, pdu: bytes) -> None:
        ber.validate(pdu)
        answers.remember(pdu, ber.peek(pdu))

    def test_a_short_answer_is_seen_again_under_any_invoke_id(self) -> None:
        answers = SeenAnswers()
        self.assertFalse(self.seen(answers, EMPTY_SNAPSHOT))
        self.remember(answers, EMPTY_SNAPSHOT)
        for invoke_id in (1, 300, 32767):
            self.assertTrue(self.seen(answers, ber.with_invoke_id(EMPTY_SNAPSHOT, invoke_id)))
        self.assertFalse(self.seen(answers, result(1, 74, tlv(0x04, b"\x01"))))

    def test_invokes_and_long_answers_are_not_remembered(self) -> None:
        answers = SeenAnswers()
        event = bytes.fromhex("a10c020101020200d330030a0102")  # a keep-alive
        long = result(1, 74, tlv(0x04, bytes(MAX_REMEMBERED)))
        for pdu in (event, long):
            self.remember(answers, pdu)
            self.assertFalse(self.seen(answers, pdu))
        self.assertEqual(len(answers), 0)

    def test_it_holds_a_bounded_number_and_forgets_the_oldest(self) -> None:
        answers = SeenAnswers()
        made = [result(1, opcode) for opcode in range(MAX_ENTRIES + 10)]
        for pdu in made:
            self.remember(answers, pdu)
        self.assertEqual(len(answers), MAX_ENTRIES)
        self.assertFalse(self.seen(answers, made[0]))
        self.assertTrue(self.seen(answers, made[-1]))

    def test_a_broken_header_in_front_of_a_remembered_body_is_still_malformed(self) -> None:
        link = CSTAClientProtocol(Clock(), watchdog=None)
        link.makeConnection(StringTransport())
        link.associated = True
        link.seen_answers = SeenAnswers()
        link.dataReceived(frame(EMPTY_SNAPSHOT))  # found well-formed (an answer to nothing)
        self.assertEqual(len(link.seen_answers), 1)
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
