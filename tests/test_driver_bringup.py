"""The line lifecycle's core driven by hand: each request the PBX or the licence pool is asked,
answered or failed by the test, with no reactor, link or thread.

What each test checks is what an application or operator would see: which request comes next,
the line's state and errors, the messages published, whether its licence is held.
"""

import errno
from typing import Any, cast

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.logger import ILogObserver, Logger
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.admin import Administration
from ecsta.driver.bringup import (
    LIST_TIMEOUT,
    TURN,
    AbandonLists,
    BringUp,
    Effect,
    GiveBackLicence,
    Join,
    KeepLines,
    LinesNotKept,
    ListEntries,
    ListUnfinished,
    Procedure,
    Publish,
    Ready,
    Request,
    Start,
    TakeLicence,
    Turn,
    Wait,
)
from ecsta.driver.calls import CallEngine
from ecsta.driver.connection import Driver
from ecsta.driver.devicelist import ListedDevice
from ecsta.driver.devices import device_id
from ecsta.driver.licence import LicencePool, LicenceStateError, NoLicenceLeft, TrialExpired
from ecsta.driver.lifecycle import LineState
from ecsta.driver.lines import Line, Lines
from ecsta.driver.messages import Message
from ecsta.link.errors import LinkLost, OperationFailed
from tests.test_driver_names import Link, pos_ack

DESK = 0x01110001  # a wired station's deviceNumber
DECT = 0x01210001  # a DECT portable's
NOT_MONITORABLE = OperationFailed(("operation", "invalidMonitorObject"))


class Run:
    """One procedure of the core, run by the test: the messages it publishes are collected,
    every other effect waits in :attr:`effect` for the test's answer or failure."""

    def __init__(self, procedure: Procedure[Any]) -> None:
        self.procedure = procedure
        self.published: list[Message] = []
        self.done = False
        self.result: Any = None
        self.effect = self._go(procedure.send, None)

    def _go(self, step: Any, value: Any) -> Effect | None:
        while True:
            try:
                effect = step(value)
            except StopIteration as stop:
                self.done, self.result = True, stop.value
                return None
            if not isinstance(effect, Publish):
                return effect
            self.published.extend(effect.messages)
            step, value = self.procedure.send, None

    def answer(self, value: Any = None) -> Effect | None:
        self.effect = self._go(self.procedure.send, value)
        return self.effect

    def fail(self, error: Exception) -> Effect | None:
        self.effect = self._go(self.procedure.throw, error)
        return self.effect

    def states(self) -> list[tuple[str, list[str], Any]]:
        """Each LINE_LINEDEVSTATE published: its line, states and reason."""
        return [
            (m["line"], m["devState"], m.get("reason"))
            for m in self.published
            if m["msg"] == "LINE_LINEDEVSTATE"
        ]


def monitor_start(device: Any) -> Request:
    return Request("monitorStart", {"monitorObject": ("deviceObject", device_id(device))})


def snapshot(device: Any) -> Request:
    return Request("snapshotDevice", {"snapshotObject": device_id(device)})


def forwarding(device: Any) -> Request:
    return Request("getForwarding", {"device": device_id(device)})


def monitored(cross_ref: bytes) -> dict[str, Any]:
    return {"crossRefIdentifier": cross_ref}


NO_CALLS: dict[str, Any] = {"crossRefIDorSnapshotData": ("snapshotData", [])}
NO_FORWARDS: dict[str, Any] = {"forwardingList": []}


class CoreTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.lines = Lines()
        self.usable = True
        self.core = self.make_core(None)

    def make_core(self, admin: Administration | None) -> BringUp:
        return BringUp(self.lines, CallEngine(self.lines), admin, usable=lambda: self.usable)

    def licensed(self) -> None:
        """The core with a licence pool: the pool's directory does not even exist, so any
        file work by the core itself (rather than an effect) would fail."""
        self.now = 1_790_000_000.0
        pool = LicencePool(self.mktemp(), clock=lambda: self.now)
        self.core = self.make_core(Administration(pool))

    def licensed_opening(self, number: str) -> tuple[Line, Run]:
        """A new line ``number`` of a :meth:`licensed` core, being opened: its first step, the
        take of its licence, asked for."""
        self.licensed()
        line = self.lines.add(number)
        return line, Run(self.core.open_line(line))

    def opened(self, number: str = "101", cross_ref: bytes = b"\x01") -> Line:
        """A line brought into service without a pool: monitored as ``cross_ref``."""
        line = self.lines.add(number)
        run = Run(self.core.open_line(line))
        if self.core.admin is not None:
            run.answer(None)
        run.answer(monitored(cross_ref))
        run.answer(NO_FORWARDS)
        run.answer(NO_CALLS)
        self.assertTrue(run.result)
        return line


class OpeningTests(CoreTestCase):
    def test_the_licence_comes_before_the_monitor_and_the_line_comes_into_service(self) -> None:
        line, run = self.licensed_opening("101")
        self.assertEqual(run.effect, TakeLicence("101"))
        self.assertEqual(line.state, LineState.BRINGING_UP)
        self.assertEqual(run.answer(None), monitor_start("101"))
        self.assertTrue(line.licensed)
        self.assertEqual(run.answer(monitored(b"\x07")), forwarding("101"))
        self.assertEqual(run.answer(NO_FORWARDS), snapshot("101"))
        self.assertEqual(run.states(), [])
        self.assertIsNone(run.answer(NO_CALLS))
        self.assertEqual(run.result, True)
        self.assertEqual(line.state, LineState.IN_SERVICE)
        self.assertEqual(self.lines.by_monitor(b"\x07"), line)
        self.assertEqual(run.states(), [("101", ["LINEDEVSTATE_INSERVICE"], None)])

    def test_a_refused_monitor_gives_the_licence_back_and_leaves_the_line_out_of_service(
        self,
    ) -> None:
        line, run = self.licensed_opening("109")
        run.answer(None)
        self.assertEqual(run.fail(NOT_MONITORABLE), GiveBackLicence("109"))
        self.assertFalse(line.licensed)
        self.assertIsNone(run.answer(None))
        self.assertEqual(run.result, False)
        message = "the PBX refused the operation: operation invalidMonitorObject"
        self.assertEqual(line.monitor_error, message)
        self.assertEqual(line.state, LineState.OUT_OF_SERVICE)
        self.assertEqual(run.states(), [], "never in service: nothing to announce")
        shown = line.to_json()
        self.assertEqual((shown["open"], shown["inService"]), (True, False))

    def test_a_line_refused_before_asks_the_pbx_first_and_the_pool_only_once_monitored(
        self,
    ) -> None:
        """Retrying a mistyped number never holds a licence a good line could take."""
        self.licensed()
        line = self.lines.add("109")
        line.monitor_error = "the PBX refused the operation: operation invalidMonitorObject"
        run = Run(self.core.open_line(line))
        self.assertEqual(run.effect, monitor_start("109"))
        self.assertEqual(run.fail(NOT_MONITORABLE), GiveBackLicence("109"))
        run.answer(None)
        self.assertEqual(run.result, False)

        run = Run(self.core.open_line(line))
        self.assertEqual(run.answer(monitored(b"\x09")), TakeLicence("109"))
        self.assertEqual(run.answer(None), forwarding("109"))
        self.assertIsNone(line.monitor_error)

    def refused_once_monitored(self, failure: Exception, raised: type[Exception]) -> Line:
        """A line refused before, whose licence the pool gives no more once the PBX monitors
        it: the monitor is stopped again, the line out of service."""
        self.licensed()
        line = self.lines.add("109")
        line.monitor_error = "refused before"
        run = Run(self.core.open_line(line))
        self.assertEqual(run.answer(monitored(b"\x09")), TakeLicence("109"))
        stop = Request("monitorStop", {"crossRefIdentifier": b"\x09"})
        self.assertEqual(run.fail(failure), stop)
        with self.assertRaises(raised):
            run.answer(None)
        self.assertEqual((line.state, line.monitor), (LineState.OUT_OF_SERVICE, None))
        return line

    def test_a_licence_refused_after_the_monitor_stops_the_monitor(self) -> None:
        line = self.refused_once_monitored(NoLicenceLeft("all 25 are in use"), NoLicenceLeft)
        self.assertEqual(line.licence_error, "all 25 are in use")

    def test_a_pool_that_cannot_be_written_after_the_monitor_started_stops_the_monitor(
        self,
    ) -> None:
        denied = PermissionError(errno.EACCES, "Permission denied")
        line = self.refused_once_monitored(denied, LicenceStateError)
        self.assertIn("Permission denied", line.to_json()["licenceError"])

    def refused_at_once(self, failure: Exception, raised: type[Exception], reason: str) -> None:
        """No licence, no MonitorStart: the line is out of service, says why, and asks the
        pool first again when it is retried."""
        line, run = self.licensed_opening("101")
        with self.assertRaises(raised):
            run.fail(failure)
        shown = line.to_json()
        self.assertEqual((shown["licenceError"], shown["monitorError"]), (reason, reason))
        self.assertEqual(line.state, LineState.OUT_OF_SERVICE)
        again = Run(self.core.open_line(line))
        self.assertEqual(again.effect, TakeLicence("101"), "no licence: the pool first again")

    def test_no_licence_no_monitor_start_and_the_line_says_why(self) -> None:
        trial = "the trial is over"
        self.refused_at_once(TrialExpired(trial), TrialExpired, trial)

    def test_a_pool_that_cannot_be_written_leaves_the_line_out_of_service_saying_why(
        self,
    ) -> None:
        full = OSError(errno.ENOSPC, "No space left on device")
        reason = "the licence pool cannot be used: [Errno 28] No space left on device"
        self.refused_at_once(full, LicenceStateError, reason)

    def test_a_refused_line_says_why_even_when_its_licence_cannot_be_given_back(self) -> None:
        line, run = self.licensed_opening("109")
        run.answer(None)
        self.assertEqual(run.fail(NOT_MONITORABLE), GiveBackLicence("109"))
        run.fail(OSError(errno.ENOSPC, "No space left on device"))
        self.assertEqual(run.result, False)
        self.assertEqual(line.state, LineState.OUT_OF_SERVICE)
        message = "the PBX refused the operation: operation invalidMonitorObject"
        self.assertEqual(line.monitor_error, message)
        self.assertEqual(self.core.unreturned, {"109": "[Errno 28] No space left on device"})

        # The retry asks the PBX first; once it monitors the line, the licence is the line's.
        retry = Run(self.core.open_line(line))
        self.assertEqual(retry.effect, monitor_start("109"))
        self.assertEqual(retry.answer(monitored(b"\x09")), TakeLicence("109"))
        retry.answer(None)
        self.assertEqual(self.core.unreturned, {})

    def test_a_monitor_start_without_cross_reference_is_a_refusal(self) -> None:
        line = self.lines.add("101")
        run = Run(self.core.open_line(line))
        self.assertIsNone(run.answer({"something": "else"}))
        self.assertEqual(line.monitor_error, "MonitorStart result without crossRefID")
        self.assertEqual(line.state, LineState.OUT_OF_SERVICE)

    def test_a_line_closed_while_its_monitor_starts_stops_the_monitor(self) -> None:
        line = self.lines.add("101")
        opening = Run(self.core.open_line(line))
        self.assertEqual(opening.effect, monitor_start("101"))
        closing = Run(self.core.close_line(line))
        give_back = closing.effect
        assert isinstance(give_back, Start)
        self.assertEqual(Run(give_back.procedure).done, True, "no pool: nothing to give back")
        closing.answer("give-back")
        self.assertEqual(closing.effect, Join(["give-back"]))
        closing.answer([(True, None)])
        self.assertTrue(closing.done)
        self.assertEqual(closing.states(), [("101", ["LINEDEVSTATE_CLOSE"], None)])

        stop = Request("monitorStop", {"crossRefIdentifier": b"\x05"})
        self.assertEqual(opening.answer(monitored(b"\x05")), stop)
        opening.answer(None)
        self.assertEqual(opening.result, False)
        self.assertEqual((line.state, line.monitor), (LineState.CLOSED, None))
        self.assertEqual(opening.states(), [])

    def close(self, line: Line) -> list[Effect | None]:
        """Close ``line`` to the end, its licence given back: what the pool was asked."""
        closing = Run(self.core.close_line(line))
        start = closing.effect
        assert isinstance(start, Start)
        give_back = Run(start.procedure)
        asked = [give_back.effect]
        give_back.answer(None)
        while isinstance(closing.answer("give-back"), Request):  # the line's MonitorStops
            pass
        self.assertEqual(closing.effect, Join(["give-back"]))
        closing.answer([(True, None)])
        self.assertTrue(closing.done)
        return asked

    def test_a_line_closed_and_opened_again_while_its_monitor_starts_takes_its_licence_again(
        self,
    ) -> None:
        """Otherwise it would be in service with its licence back in the pool: another line
        could take it, and every operation on this one would be refused for want of one."""
        line, opening = self.licensed_opening("101")
        pool = [opening.effect]
        self.assertEqual(opening.answer(None), monitor_start("101"))
        pool += self.close(line)
        again = Run(self.core.open_line(line))
        self.assertEqual((again.done, again.result), (True, False), "already being opened")
        pool.append(opening.answer(monitored(b"\x05")))
        self.assertEqual(pool, [TakeLicence("101"), GiveBackLicence("101"), TakeLicence("101")])
        self.assertEqual(opening.answer(self.now + 86400), forwarding("101"))
        opening.answer(NO_FORWARDS)
        opening.answer(NO_CALLS)
        self.assertEqual((opening.result, line.state), (True, LineState.IN_SERVICE))
        self.assertEqual((line.licensed, line.monitor), (True, b"\x05"))
        self.assertIsNone(Run(self.core.licence_problem(line)).result, "it may be operated")

    def test_a_line_closed_and_opened_again_whose_licence_is_gone_stops_its_monitor(
        self,
    ) -> None:
        line, opening = self.licensed_opening("101")
        opening.answer(None)
        self.close(line)
        Run(self.core.open_line(line))
        self.assertEqual(opening.answer(monitored(b"\x05")), TakeLicence("101"))
        stop = Request("monitorStop", {"crossRefIdentifier": b"\x05"})
        self.assertEqual(opening.fail(NoLicenceLeft("all 25 are in use")), stop)
        with self.assertRaises(NoLicenceLeft):
            opening.answer(None)
        self.assertEqual((line.state, line.monitor), (LineState.OUT_OF_SERVICE, None))
        self.assertEqual(line.to_json()["licenceError"], "all 25 are in use")

    def test_a_line_closed_and_opened_again_while_the_pool_is_asked_takes_its_licence_again(
        self,
    ) -> None:
        """The close's give-back comes after the take in the pool's order, so the licence just
        taken is back in the pool: the line asks again before its MonitorStart."""
        line, opening = self.licensed_opening("101")
        pool = [opening.effect]
        pool += self.close(line)
        Run(self.core.open_line(line))
        pool.append(opening.answer(None))
        self.assertEqual(pool, [TakeLicence("101"), GiveBackLicence("101"), TakeLicence("101")])
        self.assertFalse(line.licensed)
        self.assertEqual(opening.answer(None), monitor_start("101"))
        self.assertTrue(line.licensed)
        self.assertEqual(opening.answer(monitored(b"\x05")), forwarding("101"))

    def test_a_line_closed_while_the_pool_is_asked_takes_no_licence_again(self) -> None:
        line, opening = self.licensed_opening("101")
        self.close(line)
        self.assertIsNone(opening.answer(None), "no second take, no MonitorStart")
        self.assertEqual((opening.result, line.licensed), (False, False))

    def test_a_line_being_opened_is_not_opened_twice(self) -> None:
        line = self.lines.add("101")
        first = Run(self.core.open_line(line))
        second = Run(self.core.open_line(line))
        self.assertEqual((second.done, second.result), (True, False))
        self.assertEqual(first.effect, monitor_start("101"))

    def test_a_super_twin_line_monitors_and_reads_its_dect_too(self) -> None:
        self.lines.directory.add(DESK, "101", None)
        self.lines.directory.add(DECT, "101", None)
        line = self.lines.add("101")
        self.assertEqual(line.twin, DECT)
        run = Run(self.core.open_line(line))
        self.assertEqual(run.answer(monitored(b"\x01")), monitor_start(DECT))
        self.assertEqual(run.answer(monitored(b"\x02")), forwarding("101"))
        self.assertEqual(run.answer(NO_FORWARDS), forwarding(DECT))
        self.assertEqual(run.answer(NO_FORWARDS), snapshot("101"))
        self.assertEqual(run.answer(NO_CALLS), snapshot(DECT))
        run.answer(NO_CALLS)
        self.assertEqual((line.monitor, line.twin_monitor), (b"\x01", b"\x02"))
        self.assertEqual(self.lines.by_monitor(b"\x02"), line)


class ClosingTests(CoreTestCase):
    def test_closing_gives_the_licence_back_first_stops_both_monitors_and_says_closed(
        self,
    ) -> None:
        self.licensed()
        self.lines.directory.add(DESK, "101", None)
        self.lines.directory.add(DECT, "101", None)
        line = self.lines.add("101")
        run = Run(self.core.open_line(line))
        run.answer(None)
        run.answer(monitored(b"\x01"))
        run.answer(monitored(b"\x02"))
        while not run.done:
            run.answer(NO_CALLS)
        closing = Run(self.core.close_line(line))
        start = closing.effect
        assert isinstance(start, Start)
        give_back = Run(start.procedure)
        self.assertEqual(give_back.effect, GiveBackLicence("101"))
        self.assertFalse(line.licensed)
        self.assertEqual(
            closing.answer("handle"), Request("monitorStop", {"crossRefIdentifier": b"\x01"})
        )
        self.assertEqual(
            closing.answer(None), Request("monitorStop", {"crossRefIdentifier": b"\x02"})
        )
        self.assertEqual(closing.answer(None), Join(["handle"]))
        self.assertEqual(closing.states(), [("101", ["LINEDEVSTATE_CLOSE"], None)])
        self.assertIsNone(self.lines.by_monitor(b"\x01"))
        # A pool that cannot take the licence back leaves the line closed, the licence named.
        give_back.fail(OSError(errno.ENOSPC, "No space left on device"))
        self.assertTrue(give_back.done)
        self.assertEqual(self.core.unreturned, {"101": "[Errno 28] No space left on device"})
        closing.answer([(True, None)])
        self.assertTrue(closing.done)

    def test_the_retry_gives_back_the_licences_the_pool_could_not_take_back(self) -> None:
        self.licensed()
        self.usable = False
        self.assertTrue(self.lines.add("101").opened)
        self.core.unreturned.update({"101": "disk full", "102": "disk full", "103": "disk full"})
        run = Run(self.core.retry_monitors())
        asked = []
        while isinstance(run.effect, Start):
            give_back = Run(run.effect.procedure)
            asked.append(give_back.effect)
            give_back.answer(None)
            run.answer(len(asked))
        self.assertEqual(asked, [GiveBackLicence("102"), GiveBackLicence("103")])
        self.assertEqual(run.effect, Join([1, 2]))
        run.answer([(True, None), (True, None)])
        self.assertTrue(run.done, "no PBX: nothing more to retry")
        self.assertEqual(self.core.unreturned, {"101": "disk full"}, "an open line keeps it")

    def test_removing_a_line_closes_it_and_says_so(self) -> None:
        line = self.opened()
        run = Run(self.core.remove_line(line))
        assert isinstance(run.effect, Start)
        run.answer("handle")
        run.answer(None)  # MonitorStop
        run.answer([(True, None)])
        self.assertEqual(run.published[-1], {"msg": "LINE_REMOVE", "line": "101"})
        self.assertNotIn("101", self.lines)


class LinkTests(CoreTestCase):
    def test_a_lost_link_ends_every_monitor_and_every_list_then_puts_lines_out(self) -> None:
        line = self.opened()
        run = Run(self.core.link_lost())
        self.assertIsNone(line.monitor)
        self.assertEqual(run.effect, AbandonLists())
        run.answer(None)
        self.assertEqual(run.states(), [("101", ["LINEDEVSTATE_OUTOFSERVICE"], "link lost")])

    def test_lines_follow_whether_the_pbx_behind_the_link_is_there(self) -> None:
        line = self.opened()
        self.usable = False
        gone = Run(self.core.pbx_changed())
        self.assertEqual(
            gone.states(), [("101", ["LINEDEVSTATE_OUTOFSERVICE"], "PBX not available")]
        )
        self.assertTrue(gone.done, "nothing is asked of a PBX that is not there")
        self.usable = True
        back = Run(self.core.pbx_changed())
        assert isinstance(back.effect, Request)
        self.assertEqual(back.effect.service, "escape", "the device list is read first")
        self.assertEqual(line.state, LineState.OUT_OF_SERVICE)

    def test_a_line_whose_monitor_outlived_the_pbx_is_read_again_then_in_service(self) -> None:
        line = self.opened()
        Run(self.core.out_of_service("PBX not available"))
        self.assertEqual(line.state, LineState.OUT_OF_SERVICE)
        run = Run(self.core.bring_up())
        run.fail(LinkLost("down"))  # the device list
        resumes = run.effect
        assert isinstance(resumes, Join) and resumes.handles == []
        start = run.answer([])
        assert isinstance(start, Start)
        resume = Run(start.procedure)
        self.assertEqual(resume.effect, snapshot("101"))
        self.assertEqual(run.answer("resume"), Join(["resume"]))
        resume.answer(NO_CALLS)
        self.assertEqual(resume.states(), [("101", ["LINEDEVSTATE_INSERVICE"], None)])
        self.assertEqual(run.answer([(True, None)]), Ready())


class DeviceListTests(CoreTestCase):
    def listed(self, *numbers: str) -> list[ListedDevice]:
        return [ListedDevice(DESK + i, n, True) for i, n in enumerate(numbers)]

    def test_an_unacknowledged_list_is_the_load_error_and_configured_lines_still_open(
        self,
    ) -> None:
        line = self.lines.add("101")
        run = Run(self.core.bring_up())
        assert isinstance(run.effect, Request) and run.effect.service == "escape"
        start = run.answer(("extensions", {}))
        self.assertEqual(
            self.core.load_error, "device list not read: the PBX did not acknowledge the list"
        )
        assert isinstance(start, Start)
        self.assertEqual(Run(start.procedure).effect, monitor_start("101"))
        self.assertEqual(line.state, LineState.BRINGING_UP)

    def test_stations_become_lines_kept_in_the_store_with_names_when_the_pbx_has_them(
        self,
    ) -> None:
        self.core.auto_load = True
        run = Run(self.core.load_device_list())
        self.assertEqual(run.answer(pos_ack(b"\x01")), ListEntries(b"\x01"))
        names_request = run.answer(self.listed("101", "102"))
        assert isinstance(names_request, Request)
        self.assertEqual(run.answer(pos_ack(b"\x02")), ListEntries(b"\x02"))
        run.answer([ListedDevice(DESK, "", True, "Reception")])
        self.assertEqual([m["msg"] for m in run.published], ["LINE_CREATE", "LINE_CREATE"])
        self.assertEqual(
            [(line.number, line.name) for line in self.lines], [("101", "Reception"), ("102", "")]
        )
        self.assertIsNone(run.effect, "no store without an administration")
        self.assertIsNone(self.core.load_error)

        self.licensed()
        run = Run(self.core.load_lines(add=True))
        run.answer(pos_ack(b"\x03"))
        run.answer(self.listed("101", "102", "103"))
        run.fail(ListUnfinished("the PBX did not finish the list within 30 s"))
        self.assertIsInstance(run.effect, KeepLines, "the new line is kept")
        run.answer(None)
        self.assertEqual([line.number for line in self.lines], ["101", "102", "103"])

    def test_a_query_whose_lines_cannot_be_kept_opens_them_and_then_says_so(self) -> None:
        self.licensed()
        self.core.read_names = False
        run = Run(self.core.query_lines())
        run.answer(pos_ack(b"\x01"))
        keep = run.answer(self.listed("101", "102"))
        assert isinstance(keep, KeepLines) and keep.wait, "the query waits for the store"
        self.assertEqual([stored.number for stored in keep.lines], ["101", "102"])
        opening = run.fail(OSError(28, "No space left on device"))
        assert isinstance(opening, Start), "the lines open all the same"
        while isinstance(run.effect, Start):
            run.answer(run.effect.procedure)
        with self.assertRaises(LinesNotKept) as raised:
            run.answer([(True, True), (True, True)])
        self.assertEqual(
            str(raised.exception),
            "lines loaded from the PBX work but are lost at a restart (2 not kept):"
            " [Errno 28] No space left on device",
        )
        self.assertEqual([line.number for line in self.lines], ["101", "102"])

    def test_a_thousand_stations_are_created_with_the_reactor_handed_back_between(self) -> None:
        self.core.read_names = False
        run = Run(self.core.load_lines(add=True))
        run.answer(pos_ack(b"\x01"))
        numbers = [str(1000 + n) for n in range(1000)]
        turns = 0
        effect = run.answer([ListedDevice(None, n, True) for n in numbers])
        while effect is not None:
            self.assertEqual(effect, Turn())
            self.assertEqual(len(self.lines), (turns + 1) * TURN)
            turns += 1
            effect = run.answer(None)
        self.assertEqual((turns, len(self.lines)), (9, 1000))

    def test_a_list_that_leaves_no_line_says_so(self) -> None:
        run = Run(self.core.load_device_list())
        run.answer(pos_ack(b"\x01"))
        run.answer([])
        run.fail(LinkLost("the PBX link is down"))
        self.assertEqual(self.core.load_error, "the PBX lists no station to take as a line")


class FailureLogTests(CoreTestCase):
    """A procedure run alongside others fails unheard by anyone but the log."""

    def setUp(self) -> None:
        super().setUp()
        self.logged: list[dict[str, Any]] = []
        self.core.log = Logger(observer=cast(ILogObserver, self.logged.append))

    def failures(self) -> list[BaseException]:
        return [event["log_failure"].value for event in self.logged if "log_failure" in event]

    def test_a_line_whose_opening_failed_is_logged_and_a_refusal_only_once(self) -> None:
        self.lines.add("101")
        self.lines.add("102")
        run = Run(self.core.open_all())
        while isinstance(run.effect, Start):
            run.answer(run.effect.procedure)
        bug = KeyError("crossRefIdentifier")
        run.answer([(False, bug), (False, NoLicenceLeft("all 25 are in use"))])
        self.assertTrue(run.done)
        self.assertEqual(self.failures(), [bug], "the refusal was logged with its line")

    def test_a_snapshot_or_retry_that_failed_is_logged(self) -> None:
        self.opened()
        run = Run(self.core.snapshot_all())
        assert isinstance(run.effect, Start)
        self.assertEqual(run.answer("snapshot"), Join(["snapshot"]))
        bug = TypeError("'NoneType' object is not subscriptable")
        run.answer([(False, bug)])
        self.assertEqual(self.failures(), [bug])


class RetryTests(CoreTestCase):
    def test_the_retry_opens_unmonitored_lines_and_asks_again_for_missing_licences(
        self,
    ) -> None:
        self.licensed()
        served = self.opened("101", b"\x01")
        refused = self.lines.add("102")
        closed = self.lines.add("103")
        Run(self.core.close_line(closed)).answer("handle")
        without = self.opened("104", b"\x04")
        without.licence_error = "all 25 are in use"
        run = Run(self.core.retry_monitors())
        started = []
        while isinstance(run.effect, Start):
            started.append(Run(run.effect.procedure).effect)
            run.answer(len(started))
        self.assertEqual(started, [TakeLicence("104"), TakeLicence("102")])
        self.assertEqual(run.effect, Join([1, 2]))
        self.assertTrue(served.in_service)
        self.assertFalse(refused.in_service)

    def test_the_retry_reads_the_device_list_first_while_it_could_not(self) -> None:
        self.core.load_error = "device list not read: the PBX link is down"
        run = Run(self.core.retry_monitors())
        assert isinstance(run.effect, Request)
        self.assertEqual(run.effect.service, "escape")

    def test_nothing_is_retried_or_snapshot_while_the_pbx_cannot_be_reached(self) -> None:
        self.lines.add("101")
        self.usable = False
        self.assertTrue(Run(self.core.retry_monitors()).done)
        self.assertTrue(Run(self.core.snapshot_all()).done)

    def test_an_expired_licence_is_asked_for_once_for_everyone_who_needs_it(self) -> None:
        self.licensed()
        line = self.opened()
        line.licensed_until = self.now
        first = Run(self.core.licence_problem(line))
        self.assertEqual(first.effect, TakeLicence("101"))
        second = Run(self.core.licence_problem(line))
        wait = second.effect
        assert isinstance(wait, Wait)
        answers: list[bool] = []
        wait.waiters.append(answers.append)
        first.fail(TrialExpired("the trial is over"))
        self.assertEqual(answers, [False], "the waiting request has the same answer")
        self.assertEqual(first.result, "no licence for line 101: the trial is over")
        self.assertEqual(
            first.states(), [("101", ["LINEDEVSTATE_OUTOFSERVICE"], "the trial is over")]
        )
        second.answer(False)
        self.assertEqual(second.result, first.result)

        retry = Run(self.core.retry_monitors())
        assert isinstance(retry.effect, Start)
        relicense = Run(retry.effect.procedure)
        self.assertEqual(relicense.effect, TakeLicence("101"))
        relicense.answer(self.now + 86400)
        self.assertEqual(relicense.states(), [("101", ["LINEDEVSTATE_INSERVICE"], None)])
        self.assertIsNone(line.licence_error)

    def test_a_failure_while_the_pool_is_asked_again_still_answers_whoever_waits(self) -> None:
        """Otherwise the operations waiting on the line would never be answered, and every
        later one, and the retry of every line, would wait with them."""
        self.licensed()
        line = self.opened()
        line.licensed_until = self.now
        first = Run(self.core.licence_problem(line))
        second = Run(self.core.licence_problem(line))
        wait = second.effect
        assert isinstance(wait, Wait)
        answers: list[bool] = []
        wait.waiters.append(answers.append)
        with self.assertRaises(RuntimeError):
            first.fail(RuntimeError("the pool's thread pool is stopped"))
        self.assertEqual(answers, [False])
        second.answer(False)
        self.assertEqual(
            second.result,
            "no licence for line 101: it ran out, and the pool could not be asked again",
        )
        third = Run(self.core.licence_problem(line))
        self.assertEqual(third.effect, TakeLicence("101"), "the pool is asked again")
        third.answer(self.now + 86400)
        self.assertIsNone(third.result)


class AssociatedLink(Link):
    last_status = None
    peer = "pbx"


class AdapterTests(SynchronousTestCase):
    """The Twisted adapter performs the core's effects: here a list wait on its clock."""

    def test_a_device_list_never_finished_is_named_as_such_and_retried(self) -> None:
        clock = Clock()
        driver = Driver(clock)
        link = AssociatedLink()
        driver.associated(link)  # type: ignore[arg-type]
        [(_, device_list)] = link.asked
        device_list.callback(pos_ack(b"\x01"))
        clock.advance(LIST_TIMEOUT)
        self.assertEqual(
            driver.problems,
            ["no lines (device list not read: the PBX did not finish the list within 30 s)"],
        )
        self.assertEqual(driver._lists, {})
        self.assertTrue(driver.ready.called, "the start is over, lines or not")
        driver.retry_monitors()
        self.assertEqual(len(link.asked), 2, "the retry asks for the list again")

    def test_operations_that_find_a_licence_expired_share_one_answer_of_the_pool(self) -> None:
        now = 1_790_000_000.0
        admin = Administration(LicencePool(self.mktemp(), clock=lambda: now))
        driver = Driver(Clock(), admin=admin)
        line = driver.lines.add("101")
        line.licensed, line.licensed_until = True, now
        asked: list[str] = []
        take = admin.take_licence

        def counted(number: str) -> float | None:
            asked.append(number)
            return take(number)

        self.patch(admin, "take_licence", counted)
        self.successResultOf(driver._pool_gate.acquire())  # another line's turn at the pool
        first = Deferred.fromCoroutine(driver.licence_problem(line))
        second = Deferred.fromCoroutine(driver.licence_problem(line))
        self.assertNoResult(first)
        self.assertNoResult(second)
        driver._pool_gate.release()
        self.assertEqual((self.successResultOf(first), self.successResultOf(second)), (None, None))
        self.assertEqual(asked, ["101"], "the pool was asked once")
        self.assertTrue(line.licensed)
