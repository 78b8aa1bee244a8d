"""What one hostile application can do to the others through the multiplexer: nothing lasting.

Each test drives real associations over iosim on one Clock (see :mod:`tests.mux_harness`), sends
what an attacker sent, byte for byte, and checks that every request ends in an answer, that the
places in flight to the PBX come back, and that a well-behaved neighbour is still served.
"""

import io
import struct
from typing import Any

from prometheus_client import generate_latest
from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from ecsta.daemon.metrics import PDUCounts
from ecsta.link.capture import Capture
from ecsta.mux.actions import AskPBX, ToApp
from ecsta.mux.config import from_dict
from ecsta.mux.metrics import mux_registry
from ecsta.mux.router import MAX_VALIDATED_BYTES, Router, RouterSettings
from ecsta.mux.service import MuxService, with_backlog
from ecsta.mux.status import snapshot
from ecsta.wire import apdu, ber
from ecsta.wire.framing import frame
from ecsta.wire.opcodes import Opcode
from tests.logged import logged_lines
from tests.mux_harness import FakePBX, Rig, call_of, decoded, device, make_call

FRAME = 0xFFFF


def long_make_call(size: int, invoke_id: int | None) -> bytes:
    """A valid MakeCall of exactly ``size`` octets (its numbers are padded to fit)."""

    def build(calling: int, called: int) -> bytes:
        argument = {
            "callingDevice": device("1" * calling),
            "calledDirectoryNumber": device("2" * called),
        }
        return apdu.encode(apdu.Invoke(invoke_id, Opcode.makeCall, argument))

    for calling in range(3, 12):
        called = size - len(build(calling, 0)) - 8
        while len(build(calling, called)) < size:
            called += 1
        if len(build(calling, called)) == size:
            return build(calling, called)
    raise AssertionError(f"no MakeCall of {size} octets")


def rig_registry(rig: Rig) -> Any:
    return mux_registry(rig.mux, PDUCounts())


class StuckSlotTests(SynchronousTestCase):
    """Requests that cannot be carried as framed are answered, and hold no place in flight."""

    def test_null_invoke_ids_that_grow_past_a_frame_are_rejected_and_hold_nothing(self) -> None:
        rig = Rig({"pbx": {"max_in_flight": 16}})
        assert rig.pbx is not None
        attacker = rig.connect_app()
        neighbour = rig.connect_app()
        pdu = long_make_call(FRAME, None)
        for _ in range(20):
            rig.send(attacker, pdu)
        rejects = [a for a in attacker.answers() if isinstance(a, apdu.Reject)]
        self.assertEqual(len(rejects), 20)
        self.assertEqual({r.problem for r in rejects}, {("invoke", "resourceLimitation")})
        self.assertEqual(rig.mux.router.in_flight, 0)
        self.assertEqual(rig.pbx.ops(Opcode.makeCall), [])
        rig.send(neighbour, make_call(3, "102", "103"))
        [answer] = neighbour.answers(3)
        self.assertIsInstance(answer, apdu.ReturnResult)
        self.assertEqual(rig.mux.router.in_flight, 0)

    def test_a_request_that_overflows_a_capture_record_is_still_carried(self) -> None:
        rig = Rig({"pbx": {"max_in_flight": 2}}, connect_pbx=False)
        buffer = io.BytesIO()
        factory_capture = PDUCounts(Capture(buffer))
        original = rig.mux.pbx_factory

        def capturing_factory() -> Any:
            factory = original()
            factory.capture = factory_capture
            return factory

        rig.mux.pbx_factory = capturing_factory  # type: ignore[method-assign]
        pbx = rig.connect_pbx(lambda clock: FakePBX(clock, max_pdu=FRAME))
        app = rig.connect_app()
        pdu = long_make_call(65_500, 9)
        for _ in range(4):
            rig.send(app, pdu)
        self.assertEqual(len(app.answers(9)), 4)
        self.assertTrue(all(isinstance(a, apdu.ReturnResult) for a in app.answers(9)))
        self.assertEqual(len(pbx.ops(Opcode.makeCall)), 4)
        self.assertEqual(rig.mux.router.in_flight, 0)
        # Each long frame went to the file as two segments of one stream, none over 64 KiB.
        data = buffer.getvalue()[24:]
        sizes = []
        while data:
            length = struct.unpack("<I", data[8:12])[0]
            sizes.append(length)
            data = data[16 + length :]
        self.assertLessEqual(max(sizes), FRAME)
        self.assertEqual(len([s for s in sizes if s > 60_000]), 4)

    def test_a_send_that_raises_still_answers_and_frees_the_place(self) -> None:
        rig = Rig({"pbx": {"max_in_flight": 1}})
        assert rig.pbx_link is not None
        app = rig.connect_app()

        def broken(data: bytes) -> None:
            raise RuntimeError("disk full")

        rig.pbx_link.capture = type(
            "Broken", (), {"record": staticmethod(lambda o, pdu, peek: broken(pdu))}
        )()
        rig.send(app, make_call(4, "101", "102"))
        [error] = app.answers(4)
        self.assertIsInstance(error, apdu.ReturnError)
        self.assertEqual(error.error, ("systemResourceAvailability", "generic"))
        self.assertEqual(rig.mux.router.in_flight, 0)
        self.assertEqual(rig.pbx_link.in_flight, 0)
        self.flushLoggedErrors(RuntimeError)


class QueueTimeoutTests(SynchronousTestCase):
    def test_a_queued_request_times_out_even_if_nothing_in_flight_ever_ends(self) -> None:
        router = Router(RouterSettings(max_in_flight=1, request_timeout=30.0))
        router.pbx_up()
        app = router.app_connected(object(), "10.0.0.1:1", None, False, 0.0)
        first, second = make_call(1, "101", "102"), make_call(2, "101", "103")
        self.assertEqual(len([a for a in router.app_invoke(app, first, ber.peek(first))]), 1)
        self.assertEqual(router.app_invoke(app, second, ber.peek(second)), [])
        self.assertEqual(router.queued, 1)
        self.assertEqual(router.expire_queued(1.0), [])
        self.assertEqual(router.expire_queued(30.0), [])
        [answer] = router.expire_queued(31.0)
        assert isinstance(answer, ToApp)
        self.assertEqual(
            decoded(answer.pdu).error, ("performanceManagement", "performanceLimitExceeded")
        )
        self.assertEqual((router.queued, app.open_requests), (0, 1))
        self.assertEqual(router.counters["timeouts"], 1)

    def test_the_mux_sweeps_its_queue_on_its_clock(self) -> None:
        rig = Rig({"pbx": {"max_in_flight": 1, "request_timeout": 30}})
        assert rig.pbx is not None
        rig.pbx.holding.add(10)
        app = rig.connect_app()
        # A link that never ends the first request: its place in flight is never given back.
        assert rig.pbx_link is not None
        rig.pbx_link.request_raw = lambda *_: None  # type: ignore[method-assign]
        rig.send(app, make_call(1, "101", "102"))
        rig.send(app, make_call(2, "101", "103"))
        self.assertEqual(rig.mux.router.queued, 1)
        for _ in range(32):
            rig.advance(1)
        [answer] = app.answers(2)
        self.assertEqual(answer.error, ("performanceManagement", "performanceLimitExceeded"))
        self.assertEqual(rig.mux.router.queued, 0)
        self.assertIsNone(rig.mux._sweep)


class AnswerTests(SynchronousTestCase):
    def test_an_unreadable_pbx_answer_still_ends_the_request(self) -> None:
        router = Router(RouterSettings())
        router.pbx_up()
        app = router.app_connected(object(), "10.0.0.1:1", None, False, 0.0)
        pdu = make_call(1, "101", "102")
        [ask] = router.app_invoke(app, pdu, ber.peek(pdu))
        assert isinstance(ask, AskPBX)
        [answer] = router.pbx_answered(ask.ticket, b"\xa2\x03\x05\x00")
        assert isinstance(answer, ToApp)
        self.assertEqual(decoded(answer.pdu).error, ("systemResourceAvailability", "generic"))
        self.assertEqual((router.in_flight, app.open_requests), (0, 0))


class MemoryTests(SynchronousTestCase):
    def test_the_validated_request_cache_is_bounded_in_bytes(self) -> None:
        router = Router(RouterSettings(max_open_requests=10_000, max_in_flight=1))
        router.pbx_up()
        app = router.app_connected(object(), "10.0.0.1:1", None, False, 0.0)
        for number in range(300):
            pdu = long_make_call(60_000 + number, 1)
            router.app_invoke(app, pdu, ber.peek(pdu))
        self.assertLessEqual(router.validated.octets, MAX_VALIDATED_BYTES)
        self.assertGreater(router.validated.octets, MAX_VALIDATED_BYTES // 2)

    def test_a_repeated_request_spares_the_walk_but_not_the_check_of_its_header(self) -> None:
        """What an application repeats is not walked again, yet a PDU with the body of one
        already checked and a broken header or invokeId is refused all the same."""
        rig = Rig()
        assert rig.pbx is not None
        app = rig.connect_app()
        good = make_call(1, "101", "102")
        rig.send(app, good)
        self.assertIsInstance(app.answers(1)[0], apdu.ReturnResult)
        rest = good[good.index(b"\x02\x01\x01") + 3 :]
        forwarded = len(rig.pbx.received)
        for broken in (
            b"\xa1" + bytes([len(rest) + 2]) + b"\x02\x00" + rest,  # invokeId without octets
            b"\xa1" + bytes([len(rest) + 4]) + b"\x02\x01\x02" + rest,  # length past the end
        ):
            app.transport.write(frame(broken))  # type: ignore[union-attr]
            rig.flush()
        repeat = make_call(3, "101", "102")
        self.assertTrue(rig.mux.router.validated.has(repeat, ber.peek(repeat)))
        rig.send(app, repeat)
        problems = [a.problem for a in app.answers(None) if isinstance(a, apdu.Reject)]
        self.assertEqual(problems, [("general", "badlyStructuredPDU")] * 2)
        self.assertEqual(len(rig.pbx.received), forwarded + 1)
        self.assertIsInstance(app.answers(3)[0], apdu.ReturnResult)

    def connect(self, rig: Rig, host: str) -> Any:
        factory = rig.mux.app_factory(False)
        proto = factory.buildProtocol(IPv4Address("TCP", host, 40000))
        if proto is not None:
            proto.makeConnection(StringTransport(peerAddress=IPv4Address("TCP", host, 40000)))
        return proto

    def test_unassociated_connections_are_capped_counted_and_timed_out(self) -> None:
        rig = Rig(
            {
                "applications": {
                    "max_unassociated": 3,
                    "max_unassociated_per_address": 2,
                    "association_timeout": 5,
                }
            }
        )
        silent = [self.connect(rig, "10.9.9.9") for _ in range(3)]
        self.assertIsNone(silent[2])
        other = self.connect(rig, "10.9.9.10")
        self.assertIsNotNone(other)
        self.assertIsNone(self.connect(rig, "10.9.9.11"))
        status = snapshot(rig.mux)["connections"]
        self.assertEqual((status["unassociated"], status["refused_unassociated"]), (3, 2))
        # A real application on another address still associates once the silent ones time out.
        rig.clock.advance(5)
        for proto in [*silent[:2], other]:
            self.assertTrue(proto.transport.disconnecting or proto.transport.disconnected)
            proto.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(rig.mux.unassociated.total(), 0)
        self.assertEqual(rig.mux.connections["association_timeouts"], 3)
        app = rig.connect_app()
        rig.send(app, make_call(1, "101", "102"))
        self.assertIsInstance(app.answers(1)[0], apdu.ReturnResult)
        self.assertEqual(rig.mux.unassociated.total(), 0)
        scrape = generate_latest(rig_registry(rig)).decode()
        self.assertIn('ecsta_mux_connections_refused_total{reason="unassociated"} 2.0', scrape)
        self.assertIn("ecsta_mux_connections_unassociated 0.0", scrape)

    def test_listeners_get_a_backlog_that_absorbs_a_reconnect_storm(self) -> None:
        self.assertEqual(with_backlog("tcp:33333", 1024), "tcp:33333:backlog=1024")
        self.assertEqual(
            with_backlog("ssl:1:privateKey=k:certKey=c", 9),
            "ssl:1:privateKey=k:certKey=c:backlog=9",
        )
        self.assertEqual(with_backlog("tcp:1:backlog=5", 1024), "tcp:1:backlog=5")
        self.assertEqual(with_backlog("unix:/run/x", 1024), "unix:/run/x")
        seen: list[str] = []

        def parse(reactor: Any, description: str) -> Any:
            seen.append(description)
            return object()

        MuxService(
            Clock(),
            from_dict({"listen": {"backlog": 2048}, "status": {"endpoint": ""}}),
            pbx_endpoint=object(),
            server_endpoint=parse,
        )
        self.assertEqual(seen, ["tcp:33333:backlog=2048"])


class LogTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.lines = logged_lines(self)

    def test_a_flood_of_large_malformed_pdus_writes_a_few_short_lines(self) -> None:
        rig = Rig()
        app = rig.connect_app()
        garbage = b"\xa1\x82\xff\xf9" + b"\x30" * 0xFFF9  # an invoke whose content is not BER
        for _ in range(1000):
            app.send_framed(frame(garbage))
        rig.flush()
        self.assertEqual(len([a for a in app.answers() if isinstance(a, apdu.Reject)]), 1000)
        written = sum(len(line) for line in self.lines)
        self.assertLess(written, 4000, self.lines)
        rig.server_of(app).transport.loseConnection()
        rig.flush()
        self.assertTrue(any("995 more 'malformed' warnings suppressed" in x for x in self.lines))

    def test_a_very_long_integer_is_logged_by_its_size(self) -> None:
        rig = Rig()
        app = rig.connect_app()
        content = ber.encode_integer(10**5000)
        inner = b"\x02" + ber.encode_length(len(content)) + content
        rig.send(app, b"\xa2" + ber.encode_length(len(inner)) + inner)
        [line] = [x for x in self.lines if "not in flight" in x]
        self.assertIn("<16610-bit integer>", line)
        self.assertFalse([x for x in self.lines if "MESSAGE LOST" in x])


class LongInvokeIdTests(SynchronousTestCase):
    def test_an_answer_too_long_under_the_applications_own_id_becomes_an_error(self) -> None:
        rig = Rig()
        assert rig.pbx is not None
        rig.pbx.holding.add(10)
        app = rig.connect_app()
        invoke_id = 1 << (8 * 65_400)  # 65,401 octets: the request still fits in a frame
        rig.send(app, make_call(invoke_id, "101", "102"))
        rig.pbx.release(call_of("1" * 200))  # an answer that no longer fits under that id
        rig.flush()
        [answer] = app.answers()
        assert isinstance(answer, apdu.ReturnError)
        self.assertEqual(answer.invoke_id, invoke_id)
        self.assertEqual(answer.error, ("systemResourceAvailability", "generic"))
        self.assertEqual(rig.mux.router.in_flight, 0)
