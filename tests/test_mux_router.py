"""The multiplexer's core without any I/O: events in, actions out."""

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.mux import actions
from ecsta.mux.actions import AskPBX, Fanout, NotifyApp, Relay, SetStatus, ToApp, ToPBX
from ecsta.mux.router import Router, RouterSettings
from ecsta.wire import apdu, ber
from ecsta.wire.framing import MAX_FRAME, frame
from ecsta.wire.opcodes import Opcode
from tests.mux_harness import decoded, held_event, make_call, monitor_start


class Handle:
    """Stands for an application's connection; the core only carries it around."""


def of(kind: type, out: list[Any]) -> list[Any]:
    return [action for action in out if isinstance(action, kind)]


class CoreTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.router = Router(RouterSettings(max_in_flight=2, max_open_requests=5))
        self.router.pbx_up()
        self.apps = [
            self.router.app_connected(Handle(), f"10.0.0.{n}:1", None, False, 0.0) for n in range(3)
        ]

    def invoke(self, app: Any, pdu: bytes) -> list[Any]:
        return self.router.app_invoke(app, pdu, ber.peek(pdu))

    def answer(self, ask: AskPBX, result: Any) -> list[Any]:
        invoke = decoded(ask.pdu)
        return self.router.pbx_answered(
            ask.ticket, apdu.encode(apdu.ReturnResult(77, invoke.opcode, result))
        )

    def test_an_event_becomes_one_fanout_of_one_rewritten_pdu(self) -> None:
        [ask] = of(AskPBX, self.invoke(self.apps[0], monitor_start(1, "101")))
        [joined] = self.answer(ask, {"crossRefIdentifier": b"\xab"})
        xref = decoded(joined.pdu).result["crossRefIdentifier"]
        for app in self.apps[1:]:
            self.assertEqual(of(AskPBX, self.invoke(app, monitor_start(1, "101"))), [])
        event = apdu.event_report(
            5, b"\xab", "callControlEvents", "held", held_event(b"\xab", "101")
        )
        [fanout] = self.router.pbx_invoke(event, ber.peek(event))
        assert isinstance(fanout, Fanout)
        self.assertEqual(list(fanout.apps), self.apps)
        self.assertEqual(fanout.framed, frame(ber.with_cross_ref(event, xref)))

    def test_an_answer_goes_back_framed_under_the_applications_own_id(self) -> None:
        for app_id in (5, 300, 2**20):
            [ask] = of(AskPBX, self.invoke(self.apps[0], make_call(app_id, "101", "102")))
            answer = b"\xa2\x03\x02\x01\x4d"  # a returnResult without result
            [relayed] = self.router.pbx_answered(ask.ticket, answer, ber.peek(answer))
            assert isinstance(relayed, Relay)
            self.assertIs(relayed.app, self.apps[0])
            self.assertEqual(relayed.framed, frame(ber.with_invoke_id(answer, app_id)))

    def test_an_answer_the_applications_id_makes_too_long_is_an_error_to_it(self) -> None:
        [ask] = of(AskPBX, self.invoke(self.apps[0], make_call(2**20, "101", "102")))

        # A result that fills a frame under the PBX link's one-octet id, not under the
        # application's three-octet one.
        def tlv(tag: bytes, content: bytes) -> bytes:
            return tag + b"\x82" + len(content).to_bytes(2, "big") + content

        filler = tlv(b"\x04", bytes(MAX_FRAME - 18))
        answer = tlv(b"\xa2", b"\x02\x01\x4d" + tlv(b"\x30", b"\x02\x01\x0a" + filler))
        self.assertEqual(len(answer), MAX_FRAME)
        [error] = self.router.pbx_answered(ask.ticket, answer, ber.peek(answer))
        assert isinstance(error, ToApp)
        self.assertEqual(decoded(error.pdu).error, ("systemResourceAvailability", "generic"))
        self.assertEqual(decoded(error.pdu).invoke_id, 2**20)
        self.assertEqual(self.router.counters["unreadable_answers"], 0)
        self.assertEqual(self.apps[0].open_requests, 0)

    def test_requests_beyond_the_global_limit_wait_their_turn(self) -> None:
        asks = [of(AskPBX, self.invoke(app, make_call(1, "101", "102"))) for app in self.apps]
        self.assertEqual([len(a) for a in asks], [1, 1, 0])
        out = self.router.pbx_failed(asks[0][0].ticket, actions.TIMEOUT)
        [error] = of(ToApp, out)
        self.assertIs(error.app, self.apps[0])
        self.assertEqual(
            decoded(error.pdu).error, ("performanceManagement", "performanceLimitExceeded")
        )
        [next_ask] = of(AskPBX, out)
        self.assertEqual(ber.peek(next_ask.pdu).opcode, Opcode.makeCall)
        self.assertIs(next_ask.ticket.app, self.apps[2])

    def test_queued_requests_fail_at_once_when_the_pbx_goes(self) -> None:
        for app in self.apps:
            self.invoke(app, make_call(1, "101", "102"))
        out = self.router.pbx_down()
        [error] = of(ToApp, out)
        self.assertIs(error.app, self.apps[2])
        self.assertEqual(
            decoded(error.pdu).error, ("systemResourceAvailability", "resourceOutOfService")
        )
        [status] = of(SetStatus, out)
        self.assertEqual(status.status, "disabled")
        self.assertEqual(self.router.queued, 0)

    def test_normal_status_only_after_every_monitor_is_back(self) -> None:
        for number in ("101", "102"):
            [ask] = of(AskPBX, self.invoke(self.apps[0], monitor_start(1, number)))
            self.answer(ask, {"crossRefIdentifier": number.encode()})
        self.router.pbx_down()
        out = self.router.pbx_up()
        restarts = of(AskPBX, out)
        self.assertEqual(len(restarts), 2)
        self.assertEqual(of(SetStatus, out), [])
        self.assertEqual(of(SetStatus, self.answer(restarts[0], {"crossRefIdentifier": b"1"})), [])
        [status] = of(SetStatus, self.answer(restarts[1], {"crossRefIdentifier": b"2"}))
        self.assertEqual(status.status, "normal")
        self.assertEqual(set(self.router.monitors.by_pbx), {b"1", b"2"})

    def test_a_repeated_request_is_validated_once(self) -> None:
        calls = []
        original = apdu.check_invoke

        def counting(pdu: bytes) -> None:
            calls.append(pdu)
            original(pdu)

        self.patch(apdu, "check_invoke", counting)
        for invoke_id in range(5):
            self.invoke(self.apps[0], make_call(invoke_id, "101", "102"))
        self.assertEqual(len(calls), 1)

    def test_a_device_list_segment_is_answered_to_the_pbx_and_notified_to_its_requester(
        self,
    ) -> None:
        [ask] = of(
            AskPBX,
            self.invoke(
                self.apps[1], apdu.encode(apdu.Invoke(4, Opcode.getSwitchingFunctionDevices, {}))
            ),
        )
        self.answer(ask, {"serviceCrossRefID": b"\x5f\x01"})
        argument = {"serviceCrossRefID": b"\x5f\x01", "lastSegment": True, "deviceList": []}
        segment = apdu.encode(apdu.Invoke(66, Opcode.switchingFunctionDevices, argument))
        answered, notice = self.router.pbx_invoke(segment, ber.peek(segment))
        assert isinstance(answered, ToPBX) and isinstance(notice, NotifyApp)
        self.assertEqual(decoded(answered.pdu), apdu.ReturnResult(66))
        self.assertIs(notice.app, self.apps[1])
        self.assertEqual(decoded(notice.pdu).argument, argument)
        # The last segment ended the route: a later one is answered and goes nowhere.
        self.assertEqual(
            [type(action) for action in self.router.pbx_invoke(segment, ber.peek(segment))],
            [ToPBX],
        )

    def test_a_start_in_flight_outlives_its_requester_and_is_sent_once(self) -> None:
        [ask] = of(AskPBX, self.invoke(self.apps[0], monitor_start(1, "101")))
        self.router.app_gone(self.apps[0])
        self.assertEqual(of(AskPBX, self.invoke(self.apps[1], monitor_start(2, "101"))), [])
        [joined] = self.answer(ask, {"crossRefIdentifier": b"\xab"})
        self.assertIs(joined.app, self.apps[1])
        self.assertEqual(self.router.monitors.by_pbx[b"\xab"].sharers.keys(), {self.apps[1]})

    def test_a_start_answered_when_nobody_wants_it_is_stopped(self) -> None:
        [ask] = of(AskPBX, self.invoke(self.apps[0], monitor_start(1, "101")))
        self.router.app_gone(self.apps[0])
        [stop] = of(AskPBX, self.answer(ask, {"crossRefIdentifier": b"\xab"}))
        self.assertEqual(decoded(stop.pdu).argument, {"crossRefIdentifier": b"\xab"})
        self.assertEqual(len(self.router.monitors), 0)
