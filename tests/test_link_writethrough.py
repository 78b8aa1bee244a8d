"""A link that writes through hands each PDU to its TCP socket at once, and keeps the order of
what it sends when its peer reads slower than it is written to."""

import socket
from typing import Any

from twisted.internet import defer, reactor, task
from twisted.internet.endpoints import TCP4ServerEndpoint
from twisted.internet.protocol import Factory
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import TestCase

from ecsta.link.errors import LinkLost
from ecsta.link.protocol import CSTAServerProtocol
from ecsta.link.writethrough import MAX_HELD, Pushes, WriteThrough
from ecsta.wire.framing import FrameDecoder, frame


class Through(CSTAServerProtocol):
    write_through = True

    def connectionMade(self) -> None:
        super().connectionMade()
        self.lost: defer.Deferred[None] = defer.Deferred()
        self.exceeded = False
        self.factory.made.callback(self)  # type: ignore[attr-defined]

    def backlogExceeded(self) -> None:
        self.exceeded = True
        super().backlogExceeded()

    def connectionLost(self, reason: Any = None) -> None:
        super().connectionLost()
        self.lost.callback(None)


class WriteThroughTests(TestCase):
    @defer.inlineCallbacks
    def connected(self, max_backlog: int | None = None, pushes: Pushes | None = None) -> Any:
        def make() -> Through:
            link = Through(reactor, max_backlog=max_backlog)
            link.pushes = pushes
            return link

        factory = Factory.forProtocol(make)
        factory.made = defer.Deferred()  # type: ignore[attr-defined]
        port = yield TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
        self.addCleanup(port.stopListening)
        peer = socket.create_connection(("127.0.0.1", port.getHost().port), timeout=10)
        self.addCleanup(peer.close)
        link = yield factory.made
        self.addCleanup(link.transport.abortConnection)
        return link, peer

    @defer.inlineCallbacks
    def test_a_pdu_is_on_the_socket_before_the_reactor_turns(self) -> None:
        link, peer = yield self.connected()
        pdu = bytes.fromhex("a10c020101020200d330030a0102")
        link.send_framed(frame(pdu))
        # Still inside this call: the reactor has not turned since the write.
        peer.settimeout(5)
        self.assertEqual(peer.recv(100), frame(pdu))

    @defer.inlineCallbacks
    def test_the_order_holds_when_the_peer_falls_behind(self) -> None:
        link, peer = yield self.connected()
        sent = [
            bytes([0x04, 0x82]) + (1000).to_bytes(2, "big") + bytes([n % 256]) * 1000
            for n in range(4000)
        ]
        for pdu in sent:  # about 4 MB, more than the socket buffers hold
            link.send_framed(frame(pdu))
        self.assertFalse(link._writer.direct)
        decoder = FrameDecoder()
        received: list[bytes] = []
        peer.setblocking(False)
        for _ in range(100_000):
            if len(received) == len(sent):
                break
            try:
                received.extend(decoder.feed(peer.recv(1 << 16)))
            except BlockingIOError:
                yield task.deferLater(reactor, 0, lambda: None)  # the reactor writes more
        self.assertEqual(received, sent)

    @defer.inlineCallbacks
    def test_a_peer_that_does_not_read_is_disconnected_past_the_bound(self) -> None:
        """Written through, what a peer leaves unread still ends in the transport and then the
        backlog, whose bound ends the connection."""
        link, _peer = yield self.connected(max_backlog=100_000)
        pdu = frame(bytes([0x04, 0x82]) + (1000).to_bytes(2, "big") + bytes(1000))
        for _ in range(20_000):  # 20 MB: far more than the socket buffers hold
            link.send_framed(pdu)
            if link.exceeded:
                break
        self.assertTrue(link.exceeded)
        self.assertFalse(link._writer.direct)
        yield link.lost
        self.assertRaises(LinkLost, link.send_framed, pdu)

    @defer.inlineCallbacks
    def test_within_a_read_the_first_pdu_goes_at_once_and_the_rest_in_one_write(self) -> None:
        pushes = Pushes()
        link, peer = yield self.connected(pushes=pushes)
        pdus = [bytes([0x04, 1, n]) for n in range(4)]
        peer.setblocking(False)

        def three(_: bytes) -> None:
            for pdu in pdus[:3]:
                link.send_framed(frame(pdu))
            self.assertEqual(peer.recv(100), frame(pdus[0]))
            self.assertRaises(BlockingIOError, peer.recv, 100)

        pushes.read(three, b"")
        self.assertEqual(peer.recv(100), frame(pdus[1]) + frame(pdus[2]))

        def event(_: bytes) -> None:
            link.send_framed(frame(pdus[3]), hold=True)  # an event fanned out waits
            self.assertRaises(BlockingIOError, peer.recv, 100)

        pushes.read(event, b"")
        self.assertEqual(peer.recv(100), frame(pdus[3]))
        link.send_framed(frame(pdus[0]), hold=True)  # outside a read, nothing would release it
        self.assertEqual(peer.recv(100), frame(pdus[0]))
        link.send_framed(frame(pdus[1]))  # nor what follows, although the last read wrote it
        self.assertEqual(peer.recv(100), frame(pdus[1]))

    @defer.inlineCallbacks
    def test_answers_of_a_long_read_go_out_in_groups_and_events_wait_for_its_end(
        self,
    ) -> None:
        """An answer never waits for the handling of a whole burst: once MAX_HELD are held,
        the next takes them to the socket, so its application can start on them."""
        pushes = Pushes()
        link, peer = yield self.connected(pushes=pushes)
        answers = [frame(bytes([0x04, 1, n])) for n in range(2 * MAX_HELD + 4)]
        events = [frame(bytes([0x04, 1, 0x80 + n])) for n in range(3 * MAX_HELD)]
        peer.setblocking(False)

        def burst(_: bytes) -> None:
            for answer in answers:
                link.send_framed(answer)
            self.assertEqual(peer.recv(1000), b"".join(answers[: 2 * MAX_HELD + 3]))

        pushes.read(burst, b"")
        self.assertEqual(peer.recv(1000), answers[-1])

        def fan_out(_: bytes) -> None:
            for event in events:
                link.send_framed(event, hold=True)  # events fanned out wait, however many
            self.assertRaises(BlockingIOError, peer.recv, 1000)
            link.send_framed(answers[0])  # an answer behind them takes them along
            self.assertEqual(peer.recv(1000), b"".join(events) + answers[0])

        pushes.read(fan_out, b"")
        self.assertRaises(BlockingIOError, peer.recv, 1000)

    def test_what_is_held_goes_out_once_the_outermost_read_ends(self) -> None:
        """A write to an in-memory link can be read at once, inside the read that made it:
        what the writers hold waits for the end of the outer read, and goes out once."""
        pushes = Pushes()
        first, second = StringTransport(), StringTransport()
        writers = WriteThrough(first, pushes), WriteThrough(second, pushes)

        def inner(_: bytes) -> None:
            writers[1].write(b"b", hold=True)
            writers[0].write(b"c", hold=True)

        def outer(_: bytes) -> None:
            writers[0].write(b"a", hold=True)
            pushes.read(inner, b"")
            self.assertEqual((first.value(), second.value()), (b"", b""))

        pushes.read(outer, b"")
        self.assertEqual((first.value(), second.value()), (b"ac", b"b"))
        pushes.read(lambda _: None, b"")
        self.assertEqual((first.value(), second.value()), (b"ac", b"b"))

    def test_what_is_read_while_held_pdus_go_out_follows_them(self) -> None:
        """A write to an in-memory link can be read at once, and answered on another link
        that still holds what the read before wrote to it: the answer goes out after that."""
        pushes = Pushes()

        class Answering(StringTransport):
            """Read at once by a peer that answers its first PDU on the other link."""

            other: WriteThrough

            def write(self, data: bytes) -> None:
                first = not self.value()
                super().write(data)
                if first:
                    pushes.read(lambda _: self.other.write(b"answer"), b"")

        first, second = Answering(), Answering()
        writers = WriteThrough(first, pushes), WriteThrough(second, pushes)
        first.other, second.other = writers[1], writers[0]

        def read(_: bytes) -> None:
            for writer in writers:
                writer.write(b"event", hold=True)

        pushes.read(read, b"")
        self.assertEqual((first.value(), second.value()), (b"eventanswer", b"eventanswer"))

    def test_what_a_link_held_when_its_connection_ended_goes_nowhere(self) -> None:
        pushes = Pushes()
        transport = StringTransport()
        writer = WriteThrough(transport, pushes)

        def read(_: bytes) -> None:
            writer.write(b"a", hold=True)
            writer.close()

        pushes.read(read, b"")
        self.assertEqual(transport.value(), b"")

    def test_a_link_that_fails_to_send_costs_the_others_nothing(self) -> None:
        """Whatever one writer's release raises is logged; the others still send what they
        hold, and nothing raises out of the read that wrote to them."""

        class Broken(StringTransport):
            def write(self, data: bytes) -> None:
                raise RuntimeError("a bug in one link")

        pushes = Pushes()
        transports = StringTransport(), Broken(), StringTransport()
        writers = [WriteThrough(transport, pushes) for transport in transports]

        def read(_: bytes) -> None:
            for writer in writers:
                writer.write(b"x", hold=True)

        pushes.read(read, b"")
        self.assertEqual([transports[0].value(), transports[2].value()], [b"x", b"x"])
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)

    def test_other_transports_are_written_the_ordinary_way(self) -> None:
        """TLS and in-memory transports have no socket of their own to write to: everything
        goes to the transport, which sends it when the reactor turns."""
        transport = StringTransport()
        writer = WriteThrough(transport)
        writer.write(b"\x00\x01\x05")
        self.assertFalse(writer.direct)
        self.assertEqual(transport.value(), b"\x00\x01\x05")
