"""The CSTA association protocol, both flavours, without a network.

StringTransport shows the exact bytes; iosim connects a client and a server in memory; Clock
drives timeouts and keep-alives.
"""

from collections.abc import Callable
from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.internet import defer
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.test import iosim
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.connection import Driver, DriverProtocol
from ecsta.link.errors import (
    AssociationRejected,
    InvokeRejected,
    LinkLost,
    OperationFailed,
    RequestTimeout,
)
from ecsta.link.protocol import (
    LONGEST_KEEPALIVE_PERIOD,
    WATCHDOG,
    CSTAClientProtocol,
    CSTAServerProtocol,
)
from ecsta.link.service import PBXClientFactory, pbx_client_service
from ecsta.wire import apdu
from ecsta.wire.framing import FrameDecoder, frame
from ecsta.wire.opcodes import Opcode
from tests.ber_pdus import AARE, AARQ, MONITOR_START
from tests.ber_pdus import SYSTEM_STATUS as FIRST_STATUS
from tests.ber_pdus import SYSTEM_STATUS_RESULT as STATUS_ANSWER
from tests.logged import logged_lines

DEVICE_101 = {"deviceIdentifier": ("dialingNumber", "101")}


def pdus(transport: StringTransport) -> list[bytes]:
    out = FrameDecoder().feed(transport.value())
    transport.clear()
    return out


class Switch(CSTAServerProtocol):
    """A server that answers MonitorStart and fails everything else, for correlation tests."""

    def __init__(self, clock: Clock, **kwargs: Any) -> None:
        super().__init__(clock, **kwargs)
        self.received: list[apdu.Invoke] = []
        self.hold: defer.Deferred[Any] | None = None

    def operationReceived(self, invoke: apdu.Invoke) -> Any:
        self.received.append(invoke)
        if self.hold is not None:
            return self.hold
        if invoke.opcode == Opcode.monitorStart:
            return {"crossRefIdentifier": b"\x00\x07"}
        raise OperationFailed(("operation", "invalidDeviceID"))


class ServerBytesTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.server = Switch(self.clock, keepalive_interval=60, keepalive_misses=3)
        self.transport = StringTransport()
        self.server.makeConnection(self.transport)

    def associate(self) -> None:
        self.server.dataReceived(frame(AARQ))
        self.assertEqual(pdus(self.transport), [AARE, FIRST_STATUS])

    def test_real_aarq_gets_the_panasonic_aare_then_status_with_id_1(self) -> None:
        self.associate()

    def test_lenient_version3_aarq_is_accepted(self) -> None:
        lenient = bytes.fromhex("60148009007665727369 6f6e33a10706052b0c00815a".replace(" ", ""))
        self.server.dataReceived(frame(lenient))
        self.assertEqual(pdus(self.transport), [AARE, FIRST_STATUS])

    def test_keepalives_count_upwards_and_unanswered_ones_end_the_association(self) -> None:
        self.associate()
        self.clock.advance(60)
        second = pdus(self.transport)
        self.assertEqual(apdu.decode(second[0]).invoke_id, 2)
        self.clock.advance(60)
        self.assertEqual(apdu.decode(pdus(self.transport)[0]).invoke_id, 3)
        self.assertFalse(self.transport.disconnecting)
        self.clock.advance(60)
        self.assertTrue(self.transport.disconnecting or self.server.closed)

    def test_answered_keepalives_keep_it_alive(self) -> None:
        self.associate()
        for invoke_id in range(2, 8):
            self.clock.advance(60)
            sent = apdu.decode(pdus(self.transport)[0])
            self.assertEqual(sent.invoke_id, invoke_id)
            self.server.dataReceived(
                frame(
                    apdu.encode(apdu.ReturnResult(invoke_id, Opcode.systemStatus, ("noData", None)))
                )
            )
        self.assertFalse(self.transport.disconnecting)

    def test_peer_reusing_invoke_ids_gets_each_answer_under_its_id(self) -> None:
        self.associate()
        self.server.dataReceived(frame(MONITOR_START) + frame(MONITOR_START))
        answers = [apdu.decode(p) for p in pdus(self.transport)]
        self.assertEqual([a.invoke_id for a in answers], [0x78, 0x78])
        self.assertEqual(answers[0].result, {"crossRefIdentifier": b"\x00\x07"})
        self.assertEqual(
            self.server.received[0].argument["monitorObject"], ("deviceObject", DEVICE_101)
        )

    def test_operation_error_becomes_return_error(self) -> None:
        self.associate()
        invoke = apdu.Invoke(
            5,
            Opcode.makeCall,
            {
                "callingDevice": DEVICE_101,
                "calledDirectoryNumber": {"deviceIdentifier": ("dialingNumber", "102")},
            },
        )
        self.server.dataReceived(frame(apdu.encode(invoke)))
        answer = apdu.decode(pdus(self.transport)[0])
        self.assertIsInstance(answer, apdu.ReturnError)
        self.assertEqual(answer.error, ("operation", "invalidDeviceID"))

    def test_malformed_pdu_is_rejected_and_the_association_lives_on(self) -> None:
        self.associate()
        self.server.dataReceived(frame(b"\xa1\x05\x02\x01\x01\x02"))
        answer = apdu.decode(pdus(self.transport)[0])
        self.assertIsInstance(answer, apdu.Reject)
        self.server.dataReceived(frame(MONITOR_START))
        self.assertIsInstance(apdu.decode(pdus(self.transport)[0]), apdu.ReturnResult)

    def test_unknown_operation_is_rejected(self) -> None:
        self.associate()
        self.server.dataReceived(frame(bytes.fromhex("a1090201090202270f3000")))
        answer = apdu.decode(pdus(self.transport)[0])
        self.assertIsInstance(answer, apdu.Reject)
        self.assertEqual(answer.invoke_id, 9)

    def test_garbage_framing_gets_an_abort_and_a_close(self) -> None:
        self.associate()
        self.server.dataReceived(b"\x00\x00garbage")
        self.assertEqual(pdus(self.transport), [bytes.fromhex("6403800100")])
        self.assertTrue(self.transport.disconnecting)

    def test_rose_before_association_is_aborted(self) -> None:
        self.server.dataReceived(frame(MONITOR_START))
        self.assertEqual(pdus(self.transport), [bytes.fromhex("6403800100")])
        self.assertTrue(self.transport.disconnecting)

    def test_no_aarq_in_time_closes(self) -> None:
        self.clock.advance(self.server.association_timeout)
        self.assertTrue(self.server.closed or self.transport.disconnecting)

    def test_answer_to_an_id_never_sent_is_dropped(self) -> None:
        self.associate()
        self.server.dataReceived(frame(STATUS_ANSWER.replace(b"\x02\x01\x01", b"\x02\x01\x63", 1)))
        self.assertEqual(pdus(self.transport), [])
        self.assertFalse(self.transport.disconnecting)

    def test_release_is_answered(self) -> None:
        self.associate()
        self.server.dataReceived(frame(bytes.fromhex("6200")))
        self.assertEqual(pdus(self.transport)[0][0], 0x63)
        self.assertTrue(self.transport.disconnecting)


class ClientBytesTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.client = CSTAClientProtocol(self.clock, ready_wait=3, watchdog=300)
        self.transport = StringTransport()
        self.client.makeConnection(self.transport)

    def test_sends_the_panasonic_aarq_and_is_ready_after_the_first_status(self) -> None:
        self.assertEqual(pdus(self.transport), [AARQ])
        self.client.dataReceived(frame(AARE))
        self.assertFalse(self.client.ready.called)
        self.client.dataReceived(frame(FIRST_STATUS))
        self.assertEqual(self.successResultOf(self.client.ready), self.client)
        self.assertEqual(pdus(self.transport), [STATUS_ANSWER])

    def test_ready_after_a_while_if_no_status_comes(self) -> None:
        self.client.dataReceived(frame(AARE))
        self.clock.advance(3)
        self.successResultOf(self.client.ready)

    def test_rejected_association(self) -> None:
        self.client.dataReceived(frame(apdu.aare_rejected(1, 13)))
        failure = self.failureResultOf(self.client.ready, AssociationRejected)
        self.assertEqual(failure.value.result, 1)

    def test_no_aare_in_time(self) -> None:
        self.clock.advance(self.client.association_timeout)
        self.failureResultOf(self.client.ready, AssociationRejected)

    def test_watchdog_drops_a_silent_association(self) -> None:
        self.client.dataReceived(frame(AARE) + frame(FIRST_STATUS))
        self.clock.advance(299)
        self.assertFalse(self.client.closed or self.transport.disconnecting)
        self.client.dataReceived(frame(FIRST_STATUS.replace(b"\x02\x01\x01", b"\x02\x01\x02", 1)))
        self.clock.advance(299)
        self.assertFalse(self.client.closed or self.transport.disconnecting)
        self.clock.advance(2)
        self.assertTrue(self.client.closed or self.transport.disconnecting)


class KeepalivePeriodTests(SynchronousTestCase):
    """A Panasonic PBX may keep up to five minutes between keep-alives (PROTOCOL.md section 5):
    the clients' supervision, as the driver and a plain client run it by default, keeps such
    a link for an hour and still drops one that goes silent."""

    def connect(
        self, client: Callable[[Clock], CSTAClientProtocol], period: float | None
    ) -> tuple[Clock, CSTAClientProtocol, Switch, iosim.IOPump]:
        clock = Clock()
        proto, server, pump = iosim.connectedServerAndClient(
            lambda: Switch(clock, keepalive_interval=period),
            lambda: client(clock),
            clock=clock,
        )
        pump.flush()
        self.successResultOf(proto.ready)
        return clock, proto, server, pump

    def clients(self) -> dict[str, Callable[[Clock], CSTAClientProtocol]]:
        return {
            "client": lambda clock: CSTAClientProtocol(clock),
            "driver": lambda clock: DriverProtocol(clock, driver=Driver(clock)),
        }

    def test_keepalives_five_minutes_apart_keep_the_link(self) -> None:
        for name, client in self.clients().items():
            clock, proto, server, pump = self.connect(client, LONGEST_KEEPALIVE_PERIOD)
            for _ in range(12):
                clock.advance(LONGEST_KEEPALIVE_PERIOD)
                pump.flush()
            self.assertFalse(proto.closed or server.closed, name)
            # the AARE and 13 keep-alives out, the AARQ and 13 answers in
            self.assertEqual((server.counters["pdus_out"], server.counters["pdus_in"]), (14, 14))

    def test_a_pbx_that_falls_silent_is_dropped(self) -> None:
        for name, client in self.clients().items():
            clock, proto, _, pump = self.connect(client, None)
            clock.advance(LONGEST_KEEPALIVE_PERIOD)
            pump.flush()
            self.assertFalse(proto.closed, name)
            clock.advance(WATCHDOG - LONGEST_KEEPALIVE_PERIOD)
            pump.flush()
            self.assertTrue(proto.closed, name)


class ConversationTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.client, self.server, self.pump = iosim.connectedServerAndClient(
            lambda: Switch(self.clock, keepalive_interval=None),
            lambda: CSTAClientProtocol(self.clock, request_timeout=5),
            clock=self.clock,
        )
        self.pump.flush()
        self.successResultOf(self.client.ready)

    def test_invoke_result_correlates(self) -> None:
        d = self.client.invoke("monitorStart", {"monitorObject": ("deviceObject", DEVICE_101)})
        self.pump.flush()
        self.assertEqual(self.successResultOf(d), {"crossRefIdentifier": b"\x00\x07"})

    def test_return_error_fails_with_the_universal_failure(self) -> None:
        d = self.client.invoke(
            "makeCall", {"callingDevice": DEVICE_101, "calledDirectoryNumber": DEVICE_101}
        )
        self.pump.flush()
        failure = self.failureResultOf(d, OperationFailed)
        self.assertEqual(failure.value.error, ("operation", "invalidDeviceID"))

    def test_answers_return_out_of_order(self) -> None:
        held: defer.Deferred[Any] = defer.Deferred()
        self.server.hold = held
        first = self.client.invoke("monitorStart", {"monitorObject": ("deviceObject", DEVICE_101)})
        self.pump.flush()
        self.server.hold = None
        second = self.client.invoke("monitorStart", {"monitorObject": ("deviceObject", DEVICE_101)})
        self.pump.flush()
        self.successResultOf(second)
        self.assertNoResult(first)
        held.callback({"crossRefIdentifier": b"\x00\x09"})
        self.pump.flush()
        self.assertEqual(self.successResultOf(first), {"crossRefIdentifier": b"\x00\x09"})

    def test_timeout_then_late_answer_is_dropped(self) -> None:
        held: defer.Deferred[Any] = defer.Deferred()
        self.server.hold = held
        d = self.client.invoke("monitorStart", {"monitorObject": ("deviceObject", DEVICE_101)})
        self.pump.flush()
        self.clock.advance(5)
        self.failureResultOf(d, RequestTimeout)
        self.assertEqual(self.client.in_flight, 0)
        held.callback({"crossRefIdentifier": b"\x00\x09"})
        self.pump.flush()
        self.assertFalse(self.client.closed)

    def test_loss_fails_every_outstanding_request_and_every_later_one(self) -> None:
        self.server.hold = defer.Deferred()
        first = self.client.invoke("monitorStart", {"monitorObject": ("deviceObject", DEVICE_101)})
        second = self.client.invoke("monitorStart", {"monitorObject": ("deviceObject", DEVICE_101)})
        self.pump.flush()
        self.client.transport.loseConnection()
        self.pump.flush()
        self.failureResultOf(first, LinkLost)
        self.failureResultOf(second, LinkLost)
        self.failureResultOf(
            self.client.invoke("monitorStart", {"monitorObject": ("deviceObject", DEVICE_101)}),
            LinkLost,
        )

    def test_raw_invoke_keeps_the_callers_bytes_and_uses_our_id(self) -> None:
        d = self.client.invoke_raw(MONITOR_START)
        self.pump.flush()
        answer = apdu.decode(self.successResultOf(d))
        self.assertIsInstance(answer, apdu.ReturnResult)
        self.assertNotEqual(answer.invoke_id, 0x78)
        self.assertEqual(
            self.server.received[-1].argument["monitorObject"], ("deviceObject", DEVICE_101)
        )

    def test_reject_from_peer(self) -> None:
        d = self.client.invoke("buttonPress", {"device": DEVICE_101, "button": b"\x01"})
        self.pump.flush()
        self.failureResultOf(d, OperationFailed, InvokeRejected)


class BacklogTests(SynchronousTestCase):
    def test_a_peer_that_does_not_read_is_disconnected_past_the_bound(self) -> None:
        clock = Clock()
        server = Switch(clock, keepalive_interval=None, max_backlog=1000)
        transport = StringTransport()
        server.makeConnection(transport)
        server.dataReceived(frame(AARQ))
        server.pauseProducing()
        for _ in range(30):
            server.send_pdu(b"\x30" + bytes([40]) + b"x" * 40)
        self.assertTrue(server.closed or transport.disconnecting)

    def test_what_is_written_until_the_connection_ends_repeats_no_warning_unbounded(self) -> None:
        """The connection ends when the reactor next turns; a fan-out written to it before then
        queues again past the bound, and says so a few times only."""
        lines = logged_lines(self)
        clock = Clock()
        server = Switch(clock, keepalive_interval=None, max_backlog=1000)
        server.makeConnection(StringTransport())
        server.dataReceived(frame(AARQ))
        server.pauseProducing()
        for _ in range(2000):  # about 90 times the bound
            server.send_pdu(b"\x30" + bytes([40]) + b"x" * 40)
        said = [line for line in lines if "is not reading" in line]
        self.assertTrue(said)
        self.assertLessEqual(len(said), server.warnings.burst)

    def test_a_peer_dropped_for_not_reading_is_dropped_once(self) -> None:
        """Until its connection ends, what is written to it is dropped, not queued past the
        bound again: an operator counting applications that stopped reading counts it once."""
        exceeded: list[int] = []

        class Counted(Switch):
            def backlogExceeded(self) -> None:
                exceeded.append(self.backlog)
                super().backlogExceeded()

        server = Counted(Clock(), keepalive_interval=None, max_backlog=1000)
        server.makeConnection(StringTransport())
        server.dataReceived(frame(AARQ))
        server.pauseProducing()
        for _ in range(2000):  # about 90 times the bound
            server.send_pdu(b"\x30" + bytes([40]) + b"x" * 40)
        self.assertEqual(len(exceeded), 1)
        self.assertEqual(server.backlog, 0)

    def test_a_peer_aborted_while_reading_is_sent_nothing_more(self) -> None:
        """Whatever aborted it (a misbehaving application, a silent keep-alive), what is
        written to it before its connection ends is dropped, not sent."""
        server = Switch(Clock(), keepalive_interval=None, max_backlog=1000)
        transport = StringTransport()
        server.makeConnection(transport)
        server.dataReceived(frame(AARQ))
        sent = transport.value()
        server.abort()
        server.send_pdu(b"\x30\x03\x02\x01\x05")
        self.assertEqual(transport.value(), sent)
        self.assertEqual(server.backlog, 0)

    def test_queued_output_flows_when_the_peer_reads_again(self) -> None:
        clock = Clock()
        server = Switch(clock, keepalive_interval=None, max_backlog=10000)
        transport = StringTransport()
        server.makeConnection(transport)
        server.dataReceived(frame(AARQ))
        transport.clear()
        server.pauseProducing()
        server.send_pdu(b"\x05\x00")
        self.assertEqual(transport.value(), b"")
        self.assertEqual(server.backlog, 4)
        server.resumeProducing()
        self.assertEqual(transport.value(), frame(b"\x05\x00"))


class RefusingEndpoint:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.attempts: list[float] = []

    def connect(self, factory: Any) -> defer.Deferred[Any]:
        self.attempts.append(self.clock.seconds())
        return defer.fail(ConnectionRefusedError())


class ReconnectTests(SynchronousTestCase):
    def test_reconnects_with_growing_delays(self) -> None:
        clock = Clock()
        endpoint = RefusingEndpoint(clock)
        service = pbx_client_service(
            clock,
            endpoint,
            PBXClientFactory(clock),  # type: ignore[arg-type]
            initial_delay=1.0,
            max_delay=10.0,
        )
        service.startService()
        for _ in range(200):
            clock.advance(0.5)
        gaps = [b - a for a, b in pairwise(endpoint.attempts)]
        self.assertGreater(len(gaps), 5)
        self.assertLess(gaps[0], gaps[4])
        self.assertLessEqual(max(gaps), 10.0 * 1.2 + 0.5)
        service.stopService()


class LoopbackEndpoint:
    """Connects each attempt to a fresh in-memory switch, as a PBX that comes back would."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.pumps: list[iosim.IOPump] = []
        self.servers: list[Switch] = []
        self.server_class: type[Switch] = Switch

    def connect(self, factory: Any) -> defer.Deferred[Any]:
        client = factory.buildProtocol(None)
        server = self.server_class(self.clock, keepalive_interval=None)
        self.servers.append(server)
        self.pumps.append(
            iosim.connect(
                server,
                iosim.makeFakeServer(server),
                client,
                iosim.makeFakeClient(client),
                greet=False,
                clock=self.clock,
            )
        )
        return defer.succeed(client)

    def flush(self) -> None:
        for pump in self.pumps:
            pump.flush()


class ReassociationTests(SynchronousTestCase):
    def test_hook_runs_after_each_association_and_the_service_reconnects(self) -> None:
        clock = Clock()
        endpoint = LoopbackEndpoint(clock)
        associated: list[CSTAClientProtocol] = []

        def on_associated(proto: CSTAClientProtocol) -> defer.Deferred[Any]:
            associated.append(proto)
            return proto.invoke("monitorStart", {"monitorObject": ("deviceObject", DEVICE_101)})

        service = pbx_client_service(
            clock,
            endpoint,  # type: ignore[arg-type]
            PBXClientFactory(clock, ready_wait=1),
            on_associated=on_associated,
            initial_delay=1.0,
        )
        service.startService()
        endpoint.flush()
        connected = service.whenConnected()
        endpoint.flush()
        self.successResultOf(connected)
        self.assertEqual(len(associated), 1)
        self.assertEqual(endpoint.servers[0].received[0].opcode, Opcode.monitorStart)

        endpoint.servers[0].transport.loseConnection()
        endpoint.flush()
        for _ in range(10):
            clock.advance(1)
            endpoint.flush()
        self.assertEqual(len(associated), 2)
        self.assertEqual(len(endpoint.servers), 2)
        self.assertEqual(endpoint.servers[1].received[0].opcode, Opcode.monitorStart)
        self.assertIsNot(associated[0], associated[1])
        service.stopService()
        endpoint.flush()


class HostileBytesTests(SynchronousTestCase):
    """Whatever a peer sends, nothing raises out of dataReceived and nothing is logged as a bug.

    trial fails a test when an unhandled error is logged, so this also proves that every
    malformed input takes a planned path (reject, abort) rather than an exception handler.
    """

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.binary(min_size=1, max_size=64), min_size=1, max_size=8), st.booleans())
    def test_random_frames_after_association(self, bodies: list[bytes], raw: bool) -> None:
        clock = Clock()
        server = Switch(clock, keepalive_interval=None)
        transport = StringTransport()
        server.makeConnection(transport)
        server.dataReceived(frame(AARQ))
        stream = b"".join(bodies) if raw else b"".join(frame(b) for b in bodies)
        server.dataReceived(stream)
        for pdu in FrameDecoder().feed(transport.value()):
            apdu.decode(pdu)

    @settings(max_examples=200, deadline=None)
    @given(st.binary(min_size=1, max_size=40), st.integers(min_value=0, max_value=18))
    def test_mutated_monitor_start(self, noise: bytes, position: int) -> None:
        clock = Clock()
        server = Switch(clock, keepalive_interval=None)
        transport = StringTransport()
        server.makeConnection(transport)
        server.dataReceived(frame(AARQ))
        mutated = MONITOR_START[:position] + noise + MONITOR_START[position + len(noise) :]
        server.dataReceived(frame(mutated[:65535]))
        server.dataReceived(frame(MONITOR_START))
        answers = [apdu.decode(p) for p in FrameDecoder().feed(transport.value())]
        self.assertIsInstance(answers[-1], apdu.ReturnResult)


class RefusingSwitch(Switch):
    def authorize(self, aarq: apdu.AARQ) -> bytes | None:
        return apdu.aare_rejected(2, 1)


class RefusedAssociationTests(SynchronousTestCase):
    def test_refused_associations_back_off_like_refused_connections(self) -> None:
        clock = Clock()
        endpoint = LoopbackEndpoint(clock)
        endpoint.server_class = RefusingSwitch
        service = pbx_client_service(
            clock,
            endpoint,  # type: ignore[arg-type]
            PBXClientFactory(clock),
            on_associated=lambda proto: self.fail("a refused association is not associated"),
            initial_delay=1.0,
            max_delay=30.0,
        )
        service.startService()
        attempts: list[float] = []
        seen = 0
        for _ in range(600):
            endpoint.flush()
            if len(endpoint.servers) != seen:
                seen = len(endpoint.servers)
                attempts.append(clock.seconds())
            clock.advance(0.25)
        gaps = [b - a for a, b in pairwise(attempts)]
        self.assertGreater(len(gaps), 4)
        self.assertGreater(gaps[4], gaps[0] * 2)
        service.stopService()
        endpoint.flush()
