"""The multiplexer between in-memory applications and an in-memory PBX.

Each test drives real associations (applications, multiplexer, PBX) over iosim on one Clock and
checks what a user of the multiplexer would notice: what the PBX receives, and what each
application receives, byte for byte where it matters.
"""

from typing import Any

from twisted.internet.defer import Deferred
from twisted.trial.unittest import SynchronousTestCase

from ecsta.daemon.auth import hash_password
from ecsta.link.errors import OperationFailed
from ecsta.sim.config import SimConfig
from ecsta.wire import apdu, ber
from ecsta.wire.errors import DecodeError
from ecsta.wire.opcodes import Opcode
from tests.ber_pdus import AARE
from tests.ber_pdus import SYSTEM_STATUS as FIRST_STATUS
from tests.mux_harness import (
    FakePBX,
    RecordingApp,
    Rig,
    call_of,
    cdr_start,
    decoded,
    device,
    held_event,
    make_call,
    monitor_start,
    tlv,
)
from tests.sim_wire import simulator

HELD = (0, 9)
RETRIEVED = (0, 15)
#: MonitorFilter removing held (callControl bit 7).
NO_HELD = {"callControl": (b"\x01", 8)}
DEVICE_LIST = bytes.fromhex("a11602020602020133300da40ba009a407a105a0030a0105")


def retrieved_event(number: str) -> dict[str, Any]:
    return {
        "retrievedConnection": (
            "both",
            {"callID": b"\x00\x01", "deviceID": ("staticID", device(number))},
        ),
        "retrievingDevice": ("deviceIdentifier", device(number)),
        "cause": "normal",
    }


def result_of(app: RecordingApp, invoke_id: int) -> Any:
    answers = app.answers(invoke_id)
    assert len(answers) == 1, answers
    return answers[0]


def failure_of(app: RecordingApp, invoke_id: int) -> Any:
    answer = result_of(app, invoke_id)
    assert isinstance(answer, apdu.ReturnError), answer
    return answer.error


class AssociationTests(SynchronousTestCase):
    def test_an_application_gets_the_panasonic_aare_and_status_with_id_1(self) -> None:
        rig = Rig()
        app = rig.connect_app()
        self.assertEqual(app.seen[:2], [AARE, FIRST_STATUS])

    def test_an_application_that_stops_answering_keepalives_is_dropped(self) -> None:
        class Deaf(RecordingApp):
            def systemStatusReceived(self, pdu: bytes, peek: ber.Peek) -> None:
                self.seen.append(pdu)

        rig = Rig({"applications": {"keepalive_interval": 10, "keepalive_misses": 3}})
        deaf = rig.connect_app(app_class=Deaf)
        hearing = rig.connect_app()
        for _ in range(4):
            rig.advance(10)
        self.assertTrue(deaf.closed)
        self.assertFalse(hearing.closed)
        self.assertEqual(len(rig.mux.router.apps), 1)

    def test_over_the_application_limit_is_rejected_transient(self) -> None:
        rig = Rig({"applications": {"max_applications": 2}})
        rig.connect_app()
        rig.connect_app()
        third = rig.connect_app()
        failure = self.failureResultOf(third.ready)
        self.assertEqual(failure.value.result, 2)
        self.assertEqual(len(rig.mux.router.apps), 2)


class MonitorTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.rig = Rig()
        self.a = self.rig.connect_app()
        self.b = self.rig.connect_app()
        self.c = self.rig.connect_app()
        assert self.rig.pbx is not None
        self.pbx = self.rig.pbx

    def start(
        self, app: RecordingApp, number: str, filter_value: Any = None, invoke_id: int = 9
    ) -> bytes:
        app.seen.clear()
        self.rig.send(app, monitor_start(invoke_id, number, filter_value))
        result = result_of(app, invoke_id)
        self.assertIsInstance(result, apdu.ReturnResult)
        xref: bytes = result.result["crossRefIdentifier"]
        return xref

    def pbx_ref(self, number: str) -> bytes:
        refs = [ref for ref, obj in self.pbx.monitors.items() if obj[1] == device(number)]
        self.assertEqual(len(refs), 1)
        return refs[0]

    def test_sharers_share_one_pbx_monitor_and_one_cross_reference(self) -> None:
        xa = self.start(self.a, "101")
        xb = self.start(self.b, "101")
        self.assertEqual(len(self.pbx.ops(Opcode.monitorStart)), 1)
        self.assertEqual(xa, xb)
        self.assertNotEqual(xa, self.pbx_ref("101"))

    def test_the_pbx_monitor_is_requested_without_a_filter(self) -> None:
        self.start(self.a, "101", NO_HELD)
        [request] = self.pbx.ops(Opcode.monitorStart)
        self.assertNotIn("requestedMonitorFilter", request.argument)
        result = self.a.answers(9)[0]
        self.assertEqual(result.result["actualmonitorFilter"]["callControl"], (b"\x01", 8))

    def test_events_go_to_sharers_only_rewritten_once(self) -> None:
        xref = self.start(self.a, "101")
        self.start(self.b, "101")
        self.start(self.c, "102")
        ref = self.pbx_ref("101")
        sent = self.pbx.send_event(ref, "callControlEvents", "held", held_event(ref, "101"))
        self.rig.flush()
        [at_a] = self.a.invokes(21)
        [at_b] = self.b.invokes(21)
        self.assertEqual(self.c.invokes(21), [])
        self.assertEqual(at_a, at_b)
        self.assertEqual(ber.peek(at_a).cross_ref, xref)
        self.assertEqual(at_a, ber.with_cross_ref(sent, xref))

    def test_each_application_filter_is_honoured(self) -> None:
        self.start(self.a, "101", NO_HELD)
        self.start(self.b, "101")
        ref = self.pbx_ref("101")
        self.pbx.send_event(ref, "callControlEvents", "held", held_event(ref, "101"))
        self.pbx.send_event(ref, "callControlEvents", "retrieved", retrieved_event("101"))
        self.rig.flush()
        self.assertEqual([p.event for p in self.a.events()], [RETRIEVED])
        self.assertEqual([p.event for p in self.b.events()], [HELD, RETRIEVED])

    def test_change_monitor_filter_is_applied_by_the_mux(self) -> None:
        xref = self.start(self.a, "101")
        change = apdu.Invoke(
            11,
            Opcode.changeMonitorFilter,
            {"crossRefIdentifier": xref, "requestedFilterList": NO_HELD},
        )
        self.rig.send(self.a, apdu.encode(change))
        self.assertIsInstance(result_of(self.a, 11), apdu.ReturnResult)
        self.assertEqual(self.pbx.ops(Opcode.changeMonitorFilter), [])
        ref = self.pbx_ref("101")
        self.pbx.send_event(ref, "callControlEvents", "held", held_event(ref, "101"))
        self.rig.flush()
        self.assertEqual(self.a.events(), [])

    def test_the_last_monitor_stop_stops_the_pbx_monitor(self) -> None:
        xref = self.start(self.a, "101")
        self.start(self.b, "101")
        ref = self.pbx_ref("101")
        stop = apdu.encode(apdu.Invoke(12, Opcode.monitorStop, {"crossRefIdentifier": xref}))
        self.rig.send(self.a, stop)
        self.assertIsInstance(result_of(self.a, 12), apdu.ReturnResult)
        self.assertEqual(self.pbx.ops(Opcode.monitorStop), [])
        self.pbx.send_event(ref, "callControlEvents", "held", held_event(ref, "101"))
        self.rig.flush()
        self.assertEqual(self.a.events(), [])
        self.assertEqual(len(self.b.events()), 1)
        self.rig.send(self.b, stop)
        [pbx_stop] = self.pbx.ops(Opcode.monitorStop)
        self.assertEqual(pbx_stop.argument["crossRefIdentifier"], ref)
        self.assertEqual(self.pbx.monitors, {})

    def test_disconnecting_releases_the_share(self) -> None:
        self.start(self.a, "101")
        self.start(self.b, "102")
        self.a.transport.loseConnection()  # type: ignore[union-attr]
        self.rig.flush()
        self.assertEqual(len(self.pbx.ops(Opcode.monitorStop)), 1)
        self.assertEqual(list(self.pbx.monitors.values()), [("deviceObject", device("102"))])

    def test_a_stop_for_a_monitor_the_application_does_not_hold_is_an_error(self) -> None:
        xref = self.start(self.a, "101")
        self.rig.send(
            self.b, apdu.encode(apdu.Invoke(3, Opcode.monitorStop, {"crossRefIdentifier": xref}))
        )
        self.assertEqual(failure_of(self.b, 3), ("operation", "invalidMonitorCrossRefID"))
        self.assertEqual(self.pbx.ops(Opcode.monitorStop), [])

    def test_a_monitor_ended_by_the_pbx_is_reported_to_every_sharer(self) -> None:
        xref = self.start(self.a, "101")
        self.start(self.b, "101")
        ref = self.pbx_ref("101")
        d = self.pbx.invoke("monitorStop", {"crossRefIdentifier": ref})
        self.rig.flush()
        self.successResultOf(d)
        for app in (self.a, self.b):
            [notice] = app.invokes(73)
            self.assertEqual(decoded(notice).argument["crossRefIdentifier"], xref)
        self.assertEqual(self.c.invokes(73), [])
        self.assertEqual(len(self.rig.mux.router.monitors), 0)

    def test_a_second_start_while_the_first_is_on_its_way_waits_for_it(self) -> None:
        self.pbx.holding.add(71)
        self.rig.send(self.a, monitor_start(9, "101"))
        self.rig.send(self.b, monitor_start(9, "101"))
        self.assertEqual(len(self.pbx.ops(Opcode.monitorStart)), 1)
        self.assertEqual(self.a.answers(9) + self.b.answers(9), [])
        self.pbx.held[0].callback({"crossRefIdentifier": b"\x77\x77"})
        self.rig.flush()
        xa = result_of(self.a, 9).result["crossRefIdentifier"]
        xb = result_of(self.b, 9).result["crossRefIdentifier"]
        self.assertEqual(xa, xb)

    def test_a_start_answered_after_its_application_left_is_stopped_at_the_pbx(self) -> None:
        self.pbx.holding.add(71)
        self.rig.send(self.a, monitor_start(9, "101"))
        self.a.transport.loseConnection()  # type: ignore[union-attr]
        self.rig.flush()
        self.pbx.release({"crossRefIdentifier": b"\x77\x77"})
        self.rig.flush()
        [stop] = self.pbx.ops(Opcode.monitorStop)
        self.assertEqual(stop.argument["crossRefIdentifier"], b"\x77\x77")
        self.assertEqual(len(self.rig.mux.router.monitors), 0)

    def test_a_start_left_in_flight_serves_the_next_application_once(self) -> None:
        self.pbx.holding.add(71)
        self.rig.send(self.a, monitor_start(9, "101"))
        self.a.transport.loseConnection()  # type: ignore[union-attr]
        self.rig.flush()
        self.rig.send(self.b, monitor_start(5, "101"))
        self.assertEqual(len(self.pbx.ops(Opcode.monitorStart)), 1)
        self.pbx.release({"crossRefIdentifier": b"\x77\x77"})
        self.rig.flush()
        xref = result_of(self.b, 5).result["crossRefIdentifier"]
        self.assertEqual(self.pbx.ops(Opcode.monitorStop), [])
        self.pbx.send_event(b"\x77\x77", "callControlEvents", "held", held_event(b"", "101"))
        self.rig.flush()
        self.assertEqual([event.cross_ref for event in self.b.events()], [xref])
        self.rig.send(
            self.b, apdu.encode(apdu.Invoke(6, Opcode.monitorStop, {"crossRefIdentifier": xref}))
        )
        [stop] = self.pbx.ops(Opcode.monitorStop)
        self.assertEqual(stop.argument["crossRefIdentifier"], b"\x77\x77")

    def test_a_refused_start_reaches_every_waiter_under_its_own_id(self) -> None:
        self.pbx.fail[71] = ("operation", "invalidDeviceID")
        self.rig.send(self.a, monitor_start(4, "999"))
        self.assertEqual(failure_of(self.a, 4), ("operation", "invalidDeviceID"))
        self.assertEqual(len(self.rig.mux.router.monitors), 0)

    def test_dialing_number_and_device_number_are_separate_monitors(self) -> None:
        self.start(self.a, "101")
        by_number = {
            "monitorObject": ("deviceObject", {"deviceIdentifier": ("deviceNumber", 0x01110000)})
        }
        self.rig.send(self.b, apdu.encode(apdu.Invoke(9, Opcode.monitorStart, by_number)))
        self.assertEqual(len(self.pbx.ops(Opcode.monitorStart)), 2)


class MonitorLimitTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.rig = Rig({"applications": {"max_monitors": 2}})
        self.a = self.rig.connect_app()
        self.b = self.rig.connect_app()
        assert self.rig.pbx is not None
        self.pbx = self.rig.pbx

    def test_a_start_beyond_the_limit_is_refused_and_never_reaches_the_pbx(self) -> None:
        self.rig.send(self.a, monitor_start(1, "101"))
        self.rig.send(self.a, monitor_start(2, "102"))
        self.rig.send(self.a, monitor_start(3, "103"))
        self.assertEqual(
            failure_of(self.a, 3), ("subscribedResourceAvailability", "objectMonitorLimitExceeded")
        )
        self.assertEqual(len(self.pbx.ops(Opcode.monitorStart)), 2)
        # Another start of an object it monitors is no new monitor; another application has
        # a limit of its own.
        self.rig.send(self.a, monitor_start(4, "101"))
        self.assertIsInstance(result_of(self.a, 4), apdu.ReturnResult)
        self.rig.send(self.b, monitor_start(5, "103"))
        self.assertIsInstance(result_of(self.b, 5), apdu.ReturnResult)

    def test_starts_on_their_way_count_and_a_stop_frees_a_place(self) -> None:
        self.pbx.holding.add(71)
        self.rig.send(self.a, monitor_start(1, "101"))
        self.rig.send(self.a, monitor_start(2, "102"))
        self.rig.send(self.a, monitor_start(3, "103"))
        self.assertEqual(
            failure_of(self.a, 3), ("subscribedResourceAvailability", "objectMonitorLimitExceeded")
        )
        self.pbx.holding.clear()
        for n, held in enumerate(self.pbx.held, 1):
            held.callback({"crossRefIdentifier": bytes([0x66, n])})
        self.rig.flush()
        xref = result_of(self.a, 1).result["crossRefIdentifier"]
        self.rig.send(
            self.a, apdu.encode(apdu.Invoke(7, Opcode.monitorStop, {"crossRefIdentifier": xref}))
        )
        self.rig.send(self.a, monitor_start(8, "103"))
        self.assertIsInstance(result_of(self.a, 8), apdu.ReturnResult)


class ForwardingTests(SynchronousTestCase):
    def test_answers_return_under_the_applications_own_reused_ids(self) -> None:
        rig = Rig()
        assert rig.pbx is not None
        rig.pbx.holding.add(10)
        app = rig.connect_app()
        rig.send(app, make_call(9, "101", "102"))
        rig.pbx.holding.clear()
        rig.send(app, make_call(9, "103", "104"))
        ids = [ber.peek(pdu).invoke_id for pdu in rig.pbx.raw_invokes]
        self.assertEqual(len(set(ids)), 2)
        [second] = app.answers(9)
        self.assertEqual(second.result["callingDevice"][1]["deviceID"][1], device("103"))
        rig.pbx.release(call_of("101"))
        rig.flush()
        first = app.answers(9)[1]
        self.assertEqual(first.result["callingDevice"][1]["deviceID"][1], device("101"))

    def test_per_application_limit_of_open_requests(self) -> None:
        rig = Rig({"applications": {"max_open_requests": 2}})
        assert rig.pbx is not None
        rig.pbx.holding.add(10)
        busy = rig.connect_app()
        other = rig.connect_app()
        for invoke_id in (1, 2, 3):
            rig.send(busy, make_call(invoke_id, "101", "102"))
        self.assertEqual(
            failure_of(busy, 3), ("subscribedResourceAvailability", "outstandingReqLimitExceeded")
        )
        self.assertEqual(len(rig.pbx.ops(Opcode.makeCall)), 2)
        rig.send(other, make_call(1, "103", "102"))
        self.assertEqual(len(rig.pbx.ops(Opcode.makeCall)), 3)

    def test_global_limit_queues_requests_instead_of_overloading_the_pbx(self) -> None:
        rig = Rig({"pbx": {"max_in_flight": 2}})
        assert rig.pbx is not None
        rig.pbx.holding.add(10)
        apps = [rig.connect_app() for _ in range(3)]
        for app in apps:
            rig.send(app, make_call(5, "101", "102"))
        self.assertEqual(len(rig.pbx.ops(Opcode.makeCall)), 2)
        self.assertEqual(rig.mux.router.queued, 1)
        rig.pbx.holding.clear()
        rig.pbx.release(call_of("101"))
        rig.flush()
        self.assertEqual(len(rig.pbx.ops(Opcode.makeCall)), 3)
        for app in apps:
            self.assertIsInstance(result_of(app, 5), apdu.ReturnResult)

    def test_a_request_that_times_out_gets_a_universal_failure(self) -> None:
        rig = Rig({"pbx": {"request_timeout": 5}})
        assert rig.pbx is not None
        rig.pbx.holding.add(10)
        app = rig.connect_app()
        rig.send(app, make_call(7, "101", "102"))
        rig.advance(4)
        self.assertEqual(app.answers(7), [])
        rig.advance(1.5)
        self.assertEqual(failure_of(app, 7), ("performanceManagement", "performanceLimitExceeded"))
        rig.pbx.release(call_of("101"))
        rig.flush()
        self.assertEqual(len(app.answers(7)), 1)
        self.assertEqual(rig.mux.router.counters["timeouts"], 1)

    def test_operations_without_special_handling_reach_the_pbx_and_get_its_answer(self) -> None:
        """systemRegister (207, outside ecsta's table), an opcode nobody knows and an argument
        ecsta's types refuse all go to the PBX, under the mux's invokeIds; each application
        gets the PBX's own answer, byte for byte, under its own invokeId, even when two
        applications use the same one."""
        rig = Rig()
        pbx = rig.pbx
        assert pbx is not None
        pbx.raw_results[207] = bytes.fromhex("0402abcd")
        a, b = rig.connect_app(), rig.connect_app()
        system_register = bytes.fromhex("a10c020121020200cf30030a0100")
        unknown_operation = bytes.fromhex("a10b0201220202270f30020500")
        mistyped = bytes.fromhex("a10b02012302010a3003020101")  # makeCall with an INTEGER
        for pdu in (system_register, unknown_operation, mistyped):
            rig.send(a, pdu)
        rig.send(b, system_register)
        self.assertEqual(len(pbx.raw_invokes), 4)
        for sent, received in zip(
            (system_register, unknown_operation, mistyped, system_register),
            pbx.raw_invokes,
            strict=True,
        ):
            self.assertEqual(received, ber.with_invoke_id(sent, ber.peek(received).invoke_id))
        self.assertEqual(
            len({ber.peek(p).invoke_id for p in pbx.raw_invokes}), 4, "one PBX id per request"
        )
        register_answer = bytes.fromhex("a20d0201213008020200cf0402abcd")
        self.assertEqual([p for p in a.seen if p[0] == 0xA2], [register_answer])
        self.assertEqual([p for p in b.seen if p[0] == 0xA2], [register_answer])
        self.assertEqual(
            [decoded(p) for p in a.seen if p[0] == 0xA4],
            [
                apdu.Reject(0x22, ("invoke", "unrecognizedOperation")),
                apdu.Reject(0x23, ("invoke", "mistypedArgument")),
            ],
        )
        self.assertEqual(pbx.counters["rejects_sent"], 2)
        self.assertEqual(rig.mux.router.counters["rejected"], 0)
        self.assertEqual(rig.mux.router.in_flight, 0)

    def test_the_simulator_behind_the_mux_answers_what_it_does_not_serve(self) -> None:
        """Through the mux to the simulator: systemRegister and an unknown opcode come back as
        the simulator's own invoke rejects, under the application's ids, and the PBX link and
        the application's association both stay up."""
        rig = Rig(connect_pbx=False)
        factory = simulator(SimConfig(keepalive_interval=None), clock=rig.clock)
        rig.connect_pbx(lambda clock: factory.buildProtocol(None))  # type: ignore[arg-type,return-value]
        app = rig.connect_app()
        rig.send(app, bytes.fromhex("a10c020121020200cf30030a0100"))
        rig.send(app, bytes.fromhex("a10b0201220202270f30020500"))
        self.assertEqual(
            app.answers(),
            [
                apdu.Reject(0x21, ("invoke", "unrecognizedOperation")),
                apdu.Reject(0x22, ("invoke", "unrecognizedOperation")),
            ],
        )
        self.assertEqual(factory.counters["rejects_sent"], 2)
        self.assertEqual(rig.mux.router.counters["rejected"], 0)
        rig.send(app, monitor_start(0x23, "101"))
        self.assertIsInstance(result_of(app, 0x23), apdu.ReturnResult)
        self.assertEqual(factory.counters["associations"], 1)

    def test_a_passed_on_invoke_the_pbx_never_answers_still_ends_and_frees_its_place(
        self,
    ) -> None:
        """An unknown operation the PBX leaves unanswered gets the mux's timeout failure under
        the application's id; its place among the open requests is free again, the PBX's late
        answer goes nowhere, and the next request is served."""
        rig = Rig({"pbx": {"request_timeout": 5}, "applications": {"max_open_requests": 1}})
        pbx = rig.pbx
        assert pbx is not None
        pbx.silent.add(9999)
        app = rig.connect_app()
        unknown = bytes.fromhex("a10b0201220202270f30020500")
        rig.send(app, unknown)
        rig.send(app, ber.with_invoke_id(unknown, 0x23))
        self.assertEqual(
            failure_of(app, 0x23),
            ("subscribedResourceAvailability", "outstandingReqLimitExceeded"),
        )
        [sent] = pbx.raw_invokes
        rig.advance(4.9)
        self.assertEqual(app.answers(0x22), [])
        rig.advance(0.2)
        timed_out = ("performanceManagement", "performanceLimitExceeded")
        self.assertEqual(failure_of(app, 0x22), timed_out)
        router = rig.mux.router
        self.assertEqual((router.in_flight, router.counters["timeouts"]), (0, 1))
        late = bytes.fromhex("a20b02010030060202270f0500")
        pbx_id = ber.peek(sent).invoke_id
        assert pbx_id is not None
        pbx.send_pdu(ber.with_invoke_id(late, pbx_id))
        rig.flush()
        self.assertEqual(len(app.answers(0x22)), 1)
        pbx.silent.clear()
        pbx.raw_results[9999] = bytes.fromhex("0500")
        rig.send(app, ber.with_invoke_id(unknown, 0x24))
        answers = [p for p in app.seen if p[0] == 0xA2]
        self.assertEqual(answers, [ber.with_invoke_id(late, 0x24)])

    def test_escapes_and_status_requests_reach_the_pbx_whatever_their_argument(self) -> None:
        """The mux acts on the answers of escapes and requestSystemStatus, never on their
        arguments: a KME request ecsta's types do not know, and a status request with an
        argument they refuse, reach the PBX byte for byte, and the escape's linked replies
        still come to the application that asked."""
        rig = Rig()
        pbx = rig.pbx
        assert pbx is not None
        pbx.raw_results[51] = bytes.fromhex("7e0aa108a406a4040402e507")
        app, other = rig.connect_app(), rig.connect_app()
        unknown_request = bytes.fromhex("a111020144020133" + "3009a407a005a1030a0105")
        odd_status = bytes.fromhex("a10c020145020200d23003020101")
        rig.send(app, unknown_request)
        rig.send(app, odd_status)
        self.assertEqual(
            [ber.with_invoke_id(p, 0) for p in pbx.raw_invokes],
            [ber.with_invoke_id(p, 0) for p in (unknown_request, odd_status)],
        )
        self.assertEqual(rig.mux.router.counters["rejected"], 0)
        ack = result_of(app, 0x44)
        self.assertIsInstance(ack, apdu.ReturnResult)
        self.assertEqual(result_of(app, 0x45), apdu.Reject(0x45, ("invoke", "mistypedArgument")))
        reply = {"crossRefID": b"\xe5\x07", "segmentID": 1, "lastSegment": True}
        argument = {"privateData": ("private", ("kmeSystemData", ("systemDataLinkedReply", reply)))}
        pbx.send_pdu(apdu.encode(apdu.Invoke(90, Opcode.escape, argument)))
        rig.flush()
        self.assertEqual(len(app.invokes(51)), 1)
        self.assertEqual(other.invokes(51), [])

    def test_what_is_not_a_rose_invoke_never_reaches_the_pbx(self) -> None:
        rig = Rig()
        assert rig.pbx is not None
        app = rig.connect_app()
        event_from_app = apdu.event_report(
            11, b"\x01", "callControlEvents", "held", held_event(b"\x01", "101")
        )
        broken = bytes.fromhex("a10502010c0201")
        two_arguments = bytes.fromhex("a10b02010e0202270f30003000")
        global_opcode = bytes.fromhex("a10a02010f06032b0c003000")
        for pdu in (event_from_app, broken, two_arguments, global_opcode):
            rig.send(app, pdu)
        self.assertEqual(rig.pbx.raw_invokes, [])
        problems = [a.problem for a in app.answers() if isinstance(a, apdu.Reject)]
        self.assertEqual(
            problems,
            [
                ("invoke", "unrecognizedOperation"),
                ("general", "badlyStructuredPDU"),
                ("general", "mistypedPDU"),
                ("invoke", "unrecognizedOperation"),
            ],
        )
        rig.send(app, make_call(13, "101", "102"))
        self.assertIsInstance(result_of(app, 13), apdu.ReturnResult)


class OwnershipTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.rig = Rig({"applications": {"owner_answer_timeout": 10}})
        assert self.rig.pbx is not None
        self.pbx = self.rig.pbx
        self.a = self.rig.connect_app()
        self.b = self.rig.connect_app()

    def start_cdr(self, app: RecordingApp, invoke_id: int = 20) -> Any:
        start = apdu.Invoke(
            invoke_id, Opcode.startCDRTransmission, {"transferMode": "transferAtEndOfCall"}
        )
        self.rig.send(app, apdu.encode(start))
        return result_of(app, invoke_id)

    def report(self, number: int = 1) -> Deferred[Any]:
        [ref] = self.pbx.cdr_running
        d = self.pbx.invoke(
            "cDRReport",
            {
                "cdrCrossRefID": ref,
                "numberOfRecordsSent": 1,
                "cdrInfo": [
                    {
                        "recordCreationTime": "20261127103000",
                        "callingDevice": ("deviceIdentifier", device(f"{100 + number}")),
                    }
                ],
            },
        )
        self.rig.flush()
        return d

    def test_the_first_to_start_owns_cdr_and_a_second_is_refused(self) -> None:
        self.assertIsInstance(self.start_cdr(self.a), apdu.ReturnResult)
        answer = self.start_cdr(self.b)
        self.assertEqual(answer.error, ("operation", "generic"))
        self.assertEqual(len(self.pbx.ops(Opcode.startCDRTransmission)), 1)

    def test_reports_go_to_the_owner_and_the_pbx_is_answered_after_it(self) -> None:
        self.start_cdr(self.a)
        self.a.answer_reports = False
        d = self.report()
        self.assertEqual(len(self.a.reports), 1)
        self.assertEqual(self.b.reports, [])
        self.assertNoResult(d)
        report = self.a.reports[0]
        self.rig.send(
            self.a,
            apdu.encode(apdu.ReturnResult(report.invoke_id, Opcode.cDRReport, ("noData", None))),
        )
        self.assertEqual(self.successResultOf(d), ("noData", None))

    def test_an_owner_that_does_not_answer_loses_cdr_and_its_connection(self) -> None:
        self.start_cdr(self.a)
        self.a.answer_reports = False
        d = self.report()
        self.rig.advance(10.5)
        self.failureResultOf(d, OperationFailed)
        self.assertEqual(len(self.pbx.ops(Opcode.stopCDRTransmission)), 1)
        self.assertEqual(self.pbx.cdr_running, set())
        self.assertTrue(self.a.closed)
        self.assertIsInstance(self.start_cdr(self.b), apdu.ReturnResult)

    def test_an_owner_that_goes_away_stops_cdr_and_reports_are_refused(self) -> None:
        self.start_cdr(self.a)
        self.a.answer_reports = False
        d = self.report()
        self.a.transport.loseConnection()  # type: ignore[union-attr]
        self.rig.flush()
        self.failureResultOf(d, OperationFailed)
        self.assertEqual(self.pbx.cdr_running, set())
        self.assertIsInstance(self.start_cdr(self.b), apdu.ReturnResult)

    def test_the_owner_stop_ends_the_ownership(self) -> None:
        xref = self.start_cdr(self.a).result["cdrCrossRefID"]
        self.rig.send(
            self.a,
            apdu.encode(apdu.Invoke(21, Opcode.stopCDRTransmission, {"cdrCrossRefID": xref})),
        )
        self.assertIsInstance(result_of(self.a, 21), apdu.ReturnResult)
        self.assertIsInstance(self.start_cdr(self.b), apdu.ReturnResult)

    def test_data_collection_has_one_owner_and_its_reports(self) -> None:
        start = apdu.Invoke(30, Opcode.startDataCollection, {"object": ("device", device("101"))})
        self.rig.send(self.a, apdu.encode(start))
        xref = result_of(self.a, 30).result["dcollCrossRefID"]
        self.rig.send(self.b, apdu.encode(start))
        self.assertEqual(failure_of(self.b, 30), ("operation", "generic"))
        d = self.pbx.invoke(
            "dataCollected", {"dcollCrossRefID": xref, "digitsData": {"digitsDetected": "12"}}
        )
        self.rig.flush()
        self.successResultOf(d)
        self.assertEqual(len(self.a.reports), 1)
        self.assertEqual(self.b.reports, [])


class ReplyRoutingTests(SynchronousTestCase):
    def test_device_list_linked_replies_go_only_to_the_requester(self) -> None:
        rig = Rig()
        assert rig.pbx is not None
        asker, other = rig.connect_app(), rig.connect_app()
        rig.send(asker, DEVICE_LIST)
        self.assertIsInstance(result_of(asker, 0x0602), apdu.ReturnResult)
        reply = {
            "crossRefID": b"\xe5\x01",
            "segmentID": 1,
            "lastSegment": False,
            "sysData": {
                "deviceList": [
                    {
                        "device": {"deviceIdentifier": ("deviceNumber", 0x01110000)},
                        "number": "101",
                        "status": "ins",
                    }
                ]
            },
        }
        for last in (False, True):
            argument = {
                "privateData": (
                    "private",
                    ("kmeSystemData", ("systemDataLinkedReply", dict(reply, lastSegment=last))),
                )
            }
            rig.pbx.send_pdu(apdu.encode(apdu.Invoke(90, Opcode.escape, argument)))
        rig.flush()
        self.assertEqual(len(asker.invokes(51)), 2)
        self.assertEqual(other.invokes(51), [])
        self.assertEqual(rig.mux.router._escape_routes, {})

    def test_segments_of_system_data_ecsta_does_not_know_go_to_the_requester(self) -> None:
        """An application asks for KME system data outside ecsta's types; the PBX's linked
        replies, whose sysData holds an item ([40]) ecsta cannot type, reach that application
        byte for byte, and no other."""
        rig = Rig()
        assert rig.pbx is not None
        rig.pbx.raw_results[51] = bytes.fromhex("7e0aa108a406a4040402e507")
        asker, other = rig.connect_app(), rig.connect_app()
        rig.send(asker, bytes.fromhex("a111020144020133" + "3009a407a005a1030a0105"))
        self.assertIsInstance(result_of(asker, 0x44), apdu.ReturnResult)
        segments = []
        for last in (b"\x00", b"\xff"):
            item = bytes.fromhex("bf28053003020107")  # [40] { 02 01 07 }
            reply = tlv(
                0x30,
                tlv(0xA0, tlv(0x04, b"\xe5\x07"))
                + tlv(0xA1, bytes.fromhex("020101"))
                + tlv(0xA2, tlv(0x01, last))
                + tlv(0xA3, tlv(0x30, item)),
            )
            argument = tlv(0x30, tlv(0xA4, tlv(0xA3, reply)))
            segment = tlv(0xA1, bytes.fromhex("02015a020133") + argument)
            self.assertRaises(DecodeError, apdu.decode, segment)
            segments.append(segment)
            rig.pbx.send_pdu(segment)
        rig.flush()
        self.assertEqual(asker.invokes(51), segments)
        self.assertEqual(other.invokes(51), [])
        self.assertEqual(rig.mux.router._escape_routes, {})
        self.assertEqual([p for p in rig.pbx.received if p[0] == 0xA4], [], "no reject")

    def test_switching_function_devices_go_to_the_requester_and_changes_to_all(self) -> None:
        rig = Rig()
        assert rig.pbx is not None
        asker, other = rig.connect_app(), rig.connect_app()
        rig.send(asker, apdu.encode(apdu.Invoke(40, Opcode.getSwitchingFunctionDevices, {})))
        self.assertEqual(result_of(asker, 40).result["serviceCrossRefID"], b"\x5f\x01")
        rig.pbx.send_pdu(
            apdu.encode(
                apdu.Invoke(
                    91,
                    Opcode.switchingFunctionDevices,
                    {
                        "serviceCrossRefID": b"\x5f\x01",
                        "lastSegment": True,
                        "deviceList": [{"deviceID": device("101")}],
                    },
                )
            )
        )
        d = rig.pbx.invoke("swFunctionDevicesChanged", {})
        rig.flush()
        self.assertEqual(len(asker.invokes(205)), 1)
        self.assertEqual(other.invokes(205), [])
        self.successResultOf(d)
        self.assertEqual(len(asker.invokes(213)), 1)
        self.assertEqual(len(other.invokes(213)), 1)


class AnsweringApp(RecordingApp):
    """An application that answers every switchingFunctionDevices it gets, as a PBX client does."""

    def invokeReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        super().invokeReceived(pdu, peek)
        if peek.opcode == Opcode.switchingFunctionDevices:
            self.send_pdu(apdu.encode(apdu.ReturnResult(peek.invoke_id)))


class SwitchingDevicesTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.rig = Rig({"applications": {"owner_answer_timeout": 10}})
        assert self.rig.pbx is not None
        self.pbx = self.rig.pbx
        self.asker = self.rig.connect_app(app_class=AnsweringApp)

    def segment(self, invoke_id: int, xref: bytes = b"\x5f\x01") -> None:
        argument = {
            "serviceCrossRefID": xref,
            "lastSegment": True,
            "deviceList": [{"deviceID": device("101")}],
        }
        self.pbx.send_pdu(
            apdu.encode(apdu.Invoke(invoke_id, Opcode.switchingFunctionDevices, argument))
        )
        self.rig.flush()

    def answers_to_pbx(self, invoke_id: int) -> list[Any]:
        answers = [decoded(pdu) for pdu in self.pbx.received if pdu[0] in (0xA2, 0xA3, 0xA4)]
        return [answer for answer in answers if answer.invoke_id == invoke_id]

    def test_the_mux_answers_the_pbx_and_the_application_answer_goes_nowhere(self) -> None:
        self.rig.send(
            self.asker, apdu.encode(apdu.Invoke(40, Opcode.getSwitchingFunctionDevices, {}))
        )
        self.segment(91)
        self.assertEqual(self.answers_to_pbx(91), [apdu.ReturnResult(91)])
        self.assertEqual(len(self.asker.invokes(205)), 1)
        self.assertEqual(self.rig.server_of(self.asker).in_flight, 0)

    def test_a_segment_nobody_asked_for_is_still_answered(self) -> None:
        self.segment(92, b"\x5f\x09")
        self.assertEqual(self.answers_to_pbx(92), [apdu.ReturnResult(92)])
        self.assertEqual(self.asker.invokes(205), [])

    def test_the_pbx_id_never_meets_an_id_the_mux_has_in_flight(self) -> None:
        # The requester owns CDR and holds a report unanswered; a segment arrives under the
        # very id the mux gave that report: the requester's answer to the segment must not be
        # taken for its confirmation of the record.
        start = apdu.Invoke(
            20, Opcode.startCDRTransmission, {"transferMode": "transferAtEndOfCall"}
        )
        self.rig.send(self.asker, apdu.encode(start))
        self.asker.answer_reports = False
        [ref] = self.pbx.cdr_running
        argument = {
            "cdrCrossRefID": ref,
            "numberOfRecordsSent": 1,
            "cdrInfo": [{"recordCreationTime": "20261127103000"}],
        }
        self.pbx.send_pdu(apdu.encode(apdu.Invoke(500, Opcode.cDRReport, argument)))
        self.rig.flush()
        [relayed] = self.asker.reports
        assert relayed.invoke_id is not None
        self.rig.send(
            self.asker, apdu.encode(apdu.Invoke(40, Opcode.getSwitchingFunctionDevices, {}))
        )
        self.segment(relayed.invoke_id)
        [got] = self.asker.invokes(205)
        self.assertNotEqual(ber.peek(got).invoke_id, relayed.invoke_id)
        self.assertEqual(self.answers_to_pbx(500), [])
        self.rig.advance(10)
        [refused] = self.answers_to_pbx(500)
        self.assertIsInstance(refused, apdu.ReturnError)


class PBXLossTests(SynchronousTestCase):
    def test_a_pbx_keeping_five_minutes_between_keepalives_keeps_its_link(self) -> None:
        """With the default configuration, a PBX that sends a keep-alive only every five
        minutes (the longest a Panasonic PBX may keep) holds its link for an hour, and the
        applications keep theirs, with keep-alives more than 60 s apart."""
        rig = Rig(connect_pbx=False)
        pbx = rig.connect_pbx(lambda clock: FakePBX(clock, keepalive_interval=300))
        link = rig.pbx_link
        app = rig.connect_app()
        for _ in range(120):
            rig.advance(30)
        self.assertIs(rig.pbx_link, link)
        self.assertFalse(pbx.closed or app.closed)
        self.assertEqual(rig.mux.router.counters["associations"], 1)
        self.assertEqual(app.statuses(), ["normal"] * (1 + 3600 // 90))

    def test_applications_stay_and_everything_is_restored_on_reassociation(self) -> None:
        rig = Rig()
        a, b = rig.connect_app(), rig.connect_app()
        rig.send(a, monitor_start(9, "101", NO_HELD))
        rig.send(b, monitor_start(9, "101"))
        xref = result_of(a, 9).result["crossRefIdentifier"]
        rig.send(a, cdr_start(20))
        rig.drop_pbx()
        self.assertFalse(a.closed or b.closed)
        self.assertEqual(a.statuses()[-1], "disabled")
        rig.send(b, make_call(3, "101", "102"))
        self.assertEqual(failure_of(b, 3), ("systemResourceAvailability", "resourceOutOfService"))
        rig.send(b, apdu.encode(apdu.Invoke(4, Opcode.requestSysStat, {})))
        self.assertEqual(result_of(b, 4).result["systemStatus"], "disabled")

        pbx = rig.connect_pbx()
        self.assertEqual(len(pbx.ops(Opcode.monitorStart)), 1)
        self.assertNotIn("requestedMonitorFilter", pbx.ops(Opcode.monitorStart)[0].argument)
        self.assertEqual(len(pbx.ops(Opcode.startCDRTransmission)), 1)
        self.assertEqual(a.statuses()[-1], "normal")
        self.assertEqual(b.statuses()[-1], "normal")
        [ref] = pbx.monitors
        pbx.send_event(ref, "callControlEvents", "held", held_event(ref, "101"))
        pbx.send_event(ref, "callControlEvents", "retrieved", retrieved_event("101"))
        rig.flush()
        self.assertEqual([(p.cross_ref, p.event) for p in a.events()], [(xref, RETRIEVED)])
        self.assertEqual([p.event for p in b.events()], [HELD, RETRIEVED])

    def test_cdr_reports_after_a_restart_carry_the_owners_cross_reference(self) -> None:
        rig = Rig()
        a = rig.connect_app()
        rig.send(a, cdr_start(20))
        xref = result_of(a, 20).result["cdrCrossRefID"]
        rig.drop_pbx()
        pbx = rig.connect_pbx()
        [new_ref] = pbx.cdr_running
        self.assertNotEqual(new_ref, xref)
        d = pbx.invoke(
            "cDRReport",
            {
                "cdrCrossRefID": new_ref,
                "numberOfRecordsSent": 1,
                "cdrInfo": [{"recordCreationTime": "20261127103000"}],
            },
        )
        rig.flush()
        self.successResultOf(d)
        self.assertEqual(a.reports[0].argument["cdrCrossRefID"], xref)

    def test_a_restart_the_pbx_refuses_ends_the_monitor_for_its_sharers(self) -> None:
        rig = Rig()
        a = rig.connect_app()
        rig.send(a, monitor_start(9, "101"))
        rig.drop_pbx()

        def refusing(clock: Any) -> FakePBX:
            pbx = FakePBX(clock)
            pbx.fail[71] = ("operation", "invalidDeviceID")
            return pbx

        rig.connect_pbx(refusing)
        self.assertEqual(len(a.invokes(73)), 1)
        self.assertEqual(a.statuses()[-1], "normal")
        self.assertEqual(len(rig.mux.router.monitors), 0)


class SlowApplicationTests(SynchronousTestCase):
    def test_a_slow_application_is_dropped_and_the_others_keep_receiving(self) -> None:
        rig = Rig({"applications": {"max_output_buffer": 2048}})
        assert rig.pbx is not None
        slow, fast = rig.connect_app(), rig.connect_app()
        rig.send(slow, monitor_start(9, "101"))
        rig.send(slow, monitor_start(10, "102"))
        rig.send(fast, monitor_start(9, "101"))
        rig.server_of(slow).pauseProducing()
        ref = next(r for r, o in rig.pbx.monitors.items() if o[1] == device("101"))
        for _ in range(100):
            rig.pbx.send_event(ref, "callControlEvents", "held", held_event(ref, "101"))
        rig.flush()
        self.assertTrue(slow.closed)
        self.assertEqual(len(fast.events()), 100)
        self.assertEqual(list(rig.pbx.monitors.values()), [("deviceObject", device("101"))])
        self.assertEqual(len(rig.mux.router.apps), 1)


class LoginTests(SynchronousTestCase):
    def setUp(self) -> None:
        secret = hash_password("s3cret", "pbkdf2-sha256", iterations=100_000)
        self.users = {"alice": secret}

    def rig(self, **listen: Any) -> Rig:
        return Rig(
            {
                "users": self.users,
                "listen": {"tls": ["ssl:33334:privateKey=k.pem:certKey=c.pem"], **listen},
                "login": {
                    "free_failures": 2,
                    "delay": 1,
                    "max_delay": 4,
                    "lockout_failures": 5,
                    "lockout_seconds": 60,
                },
            }
        )

    def test_tls_requires_a_login(self) -> None:
        rig = self.rig()
        app = rig.connect_app(tls=True)
        self.assertEqual(
            self.failureResultOf(app.ready).value.diagnostic, ("acse-service-user", 14)
        )

    def test_good_bad_and_unknown_logins(self) -> None:
        rig = self.rig()
        good = rig.connect_app(tls=True, user="alice", password="s3cret")
        self.successResultOf(good.ready)
        self.assertEqual(rig.server_of(good).user, "alice")
        for user, password in (("alice", "wrong"), ("mallory", "s3cret")):
            bad = rig.connect_app(tls=True, user=user, password=password)
            self.assertEqual(
                self.failureResultOf(bad.ready).value.diagnostic, ("acse-service-user", 13)
            )
        self.assertEqual(len(rig.mux.router.apps), 1)

    def test_login_is_optional_on_tcp_unless_required(self) -> None:
        self.successResultOf(self.rig().connect_app().ready)
        strict = self.rig(require_login=True)
        self.assertEqual(
            self.failureResultOf(strict.connect_app().ready).value.diagnostic,
            ("acse-service-user", 14),
        )
        self.successResultOf(strict.connect_app(user="alice", password="s3cret").ready)

    def test_clients_are_told_a_wrong_password_from_a_lockout(self) -> None:
        rig = self.rig()
        wrong = [
            self.failureResultOf(rig.connect_app(host="10.9.9.9", user="alice", password="x").ready)
        ]
        for _ in range(4):
            attempt = rig.connect_app(host="10.9.9.9", user="alice", password="x")
            rig.advance(4)
            wrong.append(self.failureResultOf(attempt.ready))
        self.assertEqual(str(wrong[0].value), "login refused (wrong user or password)")
        locked = rig.connect_app(host="10.9.9.9", user="alice", password="s3cret")
        rig.advance(4)
        self.assertIn("locked out", str(self.failureResultOf(locked.ready).value))

    def test_repeated_failures_are_slowed_down_then_locked_out(self) -> None:
        rig = self.rig()
        for _ in range(2):
            self.failureResultOf(rig.connect_app(host="10.9.9.9", user="alice", password="x").ready)
        slowed = rig.connect_app(host="10.9.9.9", user="alice", password="x")
        self.assertNoResult(slowed.ready)
        rig.advance(1)
        self.failureResultOf(slowed.ready)
        for _ in range(2):
            attempt = rig.connect_app(host="10.9.9.9", user="alice", password="x")
            rig.advance(4)
            self.failureResultOf(attempt.ready)
        locked = rig.connect_app(host="10.9.9.9", user="alice", password="s3cret")
        rig.advance(4)
        self.failureResultOf(locked.ready)
        elsewhere = rig.connect_app(host="10.1.1.1", user="alice", password="s3cret")
        self.successResultOf(elsewhere.ready)
        rig.advance(60)
        unlocked = rig.connect_app(host="10.9.9.9", user="alice", password="s3cret")
        self.successResultOf(unlocked.ready)
