"""What receptionists and integrators rely on, against the simulator (in memory but for the
licence pool's threads).

Licences that hold for every operation, transfers while the consultation call still rings,
the remaining parties' ids after transfers, numbers of other sites, and the origin of outside
calls. Each test checks the HTTP answer and the full sequence of TAPI messages on every line
involved (compact form, as in ``test_driver_e2e``).
"""

import os
import threading
from collections.abc import Callable
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from twisted.internet import defer
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.filelock import locked
from ecsta.driver.licence import LicencePool, issue_key
from ecsta.driver.operations import _CALL_OPERATIONS, plan_call_operation
from tests import driver_events as E
from tests import test_driver_calls
from tests.test_driver_calls import CALL, CONSULT, NEW_CALL
from tests.test_driver_e2e import OUTGOING, Flow

DAY = 86400.0


class PoolClock:
    """The licence pool's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def ids(call: dict[str, Any]) -> tuple[Any, ...]:
    """State, origin, reason, caller, called, connected, redirecting and redirection of a call."""
    numbers = [
        None if call[key] is None else call[key]["number"]
        for key in ("callerId", "calledId", "connectedId", "redirectingId", "redirectionId")
    ]
    return (
        call["state"].removeprefix("LINECALLSTATE_"),
        call["origin"].removeprefix("LINECALLORIGIN_"),
        call["reason"].removeprefix("LINECALLREASON_"),
        *numbers,
    )


class LicenceFlow(Flow):
    """The driver's lines under a licence pool of the test's own."""

    async def licensed(self, pool: LicencePool, *lines: str) -> None:
        """Give the running driver ``pool`` and reopen ``lines`` under it."""
        assert self.h.driver.admin is not None
        self.h.driver.admin.licences = pool
        for line in lines:
            await self.op(f"/lines/{line}/close")
        for line in lines:
            await self.h.api("POST", f"/lines/{line}/open")
        await self.quiet()

    def pool(self, clock: PoolClock | None = None, keys: int = 0) -> LicencePool:
        self.signing = Ed25519PrivateKey.generate()
        directory = self.mktemp()
        os.makedirs(directory)
        pool = LicencePool(
            directory, public_key=self.signing.public_key(), clock=clock or PoolClock()
        )
        if keys:
            pool.install_key(issue_key(self.signing, keys, "Test"))
        return pool

    def assert_refused(self, answer: Any, line: str) -> None:
        self.assertEqual(answer["error"], "noLicence")
        self.assertEqual(answer["lineError"], "LINEERR_OPERATIONUNAVAIL")
        self.assertTrue(answer["message"].startswith(f"no licence for line {line}: "), answer)


class LicenceTests(LicenceFlow):
    async def test_after_the_trial_every_operation_is_refused(self) -> None:
        h = await self.begin()
        clock = PoolClock()
        pool = self.pool(clock)
        await self.licensed(pool, "103", "104")
        caller, callee = await self.connected()
        clock.now += 45 * DAY
        mark = h.mark()
        refused = await self.op("/lines/103/makecall", {"to": "105"}, status=403)
        self.assert_refused(refused, "103")
        self.assertIn("45-day trial has ended", refused["message"])
        self.assertEqual(
            self.seq(mark, "103"), ["LINEDEVSTATE:OUTOFSERVICE"], "the line says why, once"
        )
        forward = {"forwards": [{"mode": "LINEFORWARDMODE_UNCOND", "to": "105"}]}
        for line, path, body in (
            ("103", "/lines/103/forward", forward),
            ("103", f"/calls/{caller}/hold", None),
            ("104", f"/calls/{callee}/drop", None),
            ("104", "/lines/104/pickup", {"from": "105"}),
        ):
            self.assert_refused(await self.op(path, body, status=403), line)
        self.assertEqual(self.seq(mark, "103"), ["LINEDEVSTATE:OUTOFSERVICE"])
        self.assertEqual(self.seq(mark, "104"), ["LINEDEVSTATE:OUTOFSERVICE"])
        self.assertEqual({c["state"] for c in h.calls("103").values()}, {"LINECALLSTATE_CONNECTED"})
        # A key installed afterwards is taken by the periodic retry: the lines work again.
        pool.install_key(issue_key(self.signing, 5, "Test"))
        mark = h.mark()
        await self.retry_monitors()
        await self.quiet()
        self.assertEqual(self.seq(mark, "103"), ["LINEDEVSTATE:INSERVICE"])
        await self.op(f"/calls/{caller}/hold")
        self.assertEqual(self.seq(mark, "103")[-2:], ["REPLY:hold", "CALLSTATE:ONHOLD"])

    async def test_a_line_refused_for_want_of_a_licence_refuses_every_operation(self) -> None:
        h = await self.begin()
        await self.licensed(self.pool(keys=1), "103", "104")
        self.assertEqual(
            h.driver.lines.get("104").licence_error,
            ("no line licence left: all 1 are in use on this host"),
        )
        mark = h.mark()
        refused = await self.op("/lines/104/makecall", {"to": "105"}, status=403)
        self.assert_refused(refused, "104")
        self.assertIn("no line licence left", refused["message"])
        forward = {"forwards": [{"mode": "LINEFORWARDMODE_UNCOND", "to": "105"}]}
        self.assert_refused(await self.op("/lines/104/forward", forward, status=403), "104")
        self.assertEqual(h.calls("104"), {}, "no stale call in DIALTONE")
        self.assertEqual(self.seq(mark, "104"), [])
        self.assertEqual(h.driver.lines.get("104").forwarding.get(0, []), [])
        # The licensed line goes on working.
        made = await self.op("/lines/103/makecall", {"to": "105"})
        self.assertEqual(self.seq(mark, "103"), OUTGOING)
        await self.op(f"/calls/{made['call']}/drop")

    async def test_every_route_refuses_a_line_whose_trial_ended(self) -> None:
        """Every line and call operation, including the PUT routes, answers noLicence and
        changes nothing; the other line hears of the trial's end at the periodic retry,
        without any operation and without a restart."""
        h = await self.begin()
        clock = PoolClock()
        await self.licensed(self.pool(clock), "103", "104")
        caller, callee = await self.connected()
        clock.now += 45 * DAY
        mark = h.mark()
        for operation in sorted(_CALL_OPERATIONS):
            answer = await self.op(f"/calls/{caller}/{operation}", {}, status=403)
            self.assert_refused(answer, "103")
        for what, value in (("data", {"data": "ticket 1"}), ("appspecific", {"value": 1})):
            code, answer = await h.api("PUT", f"/calls/{caller}/{what}", value)
            self.assertEqual(code, 403, answer)
            self.assert_refused(answer, "103")
        forward = {"forwards": [{"mode": "LINEFORWARDMODE_UNCOND", "to": "105"}]}
        for path, body in (
            ("makecall", {"to": "105"}),
            ("makecall", {}),
            ("pickup", {}),
            ("pickup", {"from": "105"}),
            ("forward", forward),
        ):
            self.assert_refused(await self.op(f"/lines/103/{path}", body, status=403), "103")
        self.assertEqual(self.seq(mark, "103"), ["LINEDEVSTATE:OUTOFSERVICE"])
        shown = h.calls("103")[caller]
        self.assertEqual(
            (shown["state"], shown["callData"], shown["appSpecific"]),
            ("LINECALLSTATE_CONNECTED", None, 0),
        )
        self.assertEqual(h.driver.engine.collections, {})
        self.assertEqual(self.seq(mark, "104"), [])
        await self.retry_monitors()
        await self.quiet()
        self.assertEqual(self.seq(mark, "104"), ["LINEDEVSTATE:OUTOFSERVICE"])
        self.assert_refused(await self.op(f"/calls/{callee}/drop", status=403), "104")

    async def test_the_retries_of_a_line_the_pbx_refuses_hold_no_licence(self) -> None:
        """A mistyped line is retried without taking the last licence from under a line the
        PBX monitors: it asks the PBX first, and takes a licence once the PBX accepts it."""
        h = await self.begin(monitor_retry_interval=0)
        pool = self.pool(keys=1)
        await self.licensed(pool, "103")
        await self.op("/lines/103/close")
        taken: list[str] = []
        acquire = pool.acquire

        def acquire_noting(holder: str) -> float | None:
            taken.append(holder.rpartition("/")[2])
            return acquire(holder)

        self.patch(pool, "acquire", acquire_noting)
        code, line = await h.api("POST", "/lines", {"number": "150"})
        self.assertEqual(code, 200, line)
        await self.quiet()
        self.assertEqual(taken, ["150"], "the first try takes one, and gives it back")
        for _ in range(3):
            await self.retry_monitors()
        self.assertEqual(taken, ["150"])
        self.assertEqual(pool.status().lines_in_use, 0)
        answer = await self.op("/lines/103/open")
        self.assertTrue(answer["inService"])
        await self.op("/lines/103/close")
        await h.control("POST", "/devices", {"number": "150", "kind": "station"})
        await self.retry_monitors()
        await self.quiet()
        self.assertEqual(taken, ["150", "103", "150"])
        self.assertTrue(h.driver.lines.get("150").in_service)
        self.assertEqual(pool.status().lines_in_use, 1)


class LicenceThreadTests(LicenceFlow):
    """Over loopback, on the real reactor: the pool's files are used in its threads, and a
    lock held by another process is waited for there, which a memory reactor cannot show."""

    loopback = True

    async def test_the_pool_is_used_off_the_reactor_thread(self) -> None:
        """Another process holding the licence pool's lock when the trial ends does not stop
        the API: the operation waits for the pool in a thread while other requests answer.
        Opening and closing lines use the pool in threads too."""
        h = await self.begin()
        clock = PoolClock()
        pool = self.pool(clock)
        used: list[tuple[str, threading.Thread]] = []

        def noting(name: str, work: Callable[[str], Any]) -> Callable[[str], Any]:
            def run(holder: str) -> Any:
                used.append((name, threading.current_thread()))
                return work(holder)

            return run

        self.patch(pool, "acquire", noting("acquire", pool.acquire))
        self.patch(pool, "release", noting("release", pool.release))
        await self.licensed(pool, "103")
        self.assertEqual([name for name, _ in used], ["release", "acquire"])
        clock.now += 45 * DAY
        with locked(pool.lock_path):
            refused = [
                defer.Deferred.fromCoroutine(h.api("POST", "/lines/103/makecall", {"to": "105"}))
                for _ in range(2)
            ]
            await h.until(lambda: len(used) == 3)
            code, _ = await h.api("GET", "/lines/103")
            self.assertEqual(code, 200)
            self.assertEqual([d.called for d in refused], [False, False])
        for waiting in refused:
            code, answer = await waiting
            self.assertEqual(code, 403, answer)
            self.assert_refused(answer, "103")
            self.assertIn("45-day trial has ended", answer["message"])
        self.assertEqual(len(used), 3, "both requests wait for one reading of the pool")
        self.assertNotIn(threading.main_thread(), [thread for _, thread in used])


class UnannouncedTransferTests(Flow):
    async def test_completetransfer_while_the_consultation_call_rings(self) -> None:
        """103 talks to 104, consults 105 and hangs up before 105 answers: 104 hears 105 ring,
        105 is offered 104's call, and 103 is free."""
        h = await self.begin()
        caller, callee = await self.connected()
        setup = await self.op(f"/calls/{caller}/setuptransfer")
        consult = setup["consult"]
        await self.op(f"/calls/{consult}/dial", {"digits": "105"})
        ringing = await self.call_on("105")
        calls = h.calls("103")
        self.assertEqual(calls[consult]["state"], "LINECALLSTATE_RINGBACK")
        self.assertIn("LINECALLFEATURE_COMPLETETRANSF", calls[consult]["features"])
        self.assertIn("LINECALLFEATURE_COMPLETETRANSF", calls[caller]["features"])
        refused = await self.op(
            f"/calls/{caller}/completetransfer", {"consult": consult, "mode": "conference"}, 409
        )
        self.assertEqual(
            (refused["error"], refused["lineError"]), ("notAllowed", "LINEERR_INVALCALLSTATE")
        )
        refused = await self.op(f"/calls/{ringing}/hold", {}, 409)
        self.assertEqual(
            (refused["error"], refused["lineError"]), ("notAllowed", "LINEERR_INVALCALLSTATE")
        )
        mark = h.mark()
        done = await self.op(
            f"/calls/{caller}/completetransfer", {"consult": consult, "mode": "transfer"}
        )
        self.assertEqual(set(done), {"transferredCallID"})
        self.assertEqual(
            self.seq(mark, "103"), ["REPLY:completetransfer", "CALLSTATE:IDLE", "CALLSTATE:IDLE"]
        )
        self.assertEqual(h.calls("103"), {})
        self.assertEqual(self.seq(mark, "104"), ["CALLINFO:CONNECTEDID+REDIRECTIONID"])
        self.assertEqual(self.seq(mark, "105"), ["CALLINFO:CALLID+REASON+CALLERID+REDIRECTINGID"])
        remaining = h.calls("104")[callee]
        offered = h.calls("105")[ringing]
        self.assertEqual(remaining["callID"], offered["callID"])
        self.assertEqual(
            ids(offered),
            ("OFFERING", "INTERNAL", "TRANSFER", "104", "105", None, "103", None),
        )
        self.assertEqual(
            ids(remaining), ("CONNECTED", "INTERNAL", "DIRECT", "103", "104", "105", None, "105")
        )
        mark = h.mark()
        await self.op(f"/calls/{ringing}/answer")
        self.assertEqual(
            self.seq(mark, "105"), ["REPLY:answer", "CALLINFO:CONNECTEDID", "CALLSTATE:CONNECTED"]
        )
        self.assertEqual(self.seq(mark, "104"), [])
        self.assertEqual(
            ids(h.calls("105")[ringing]),
            ("CONNECTED", "INTERNAL", "TRANSFER", "104", "105", "104", "103", None),
        )
        self.assertEqual(
            ids(h.calls("104")[callee]),
            ("CONNECTED", "INTERNAL", "DIRECT", "103", "104", "105", None, "105"),
        )

    async def test_blindtransfer_shows_the_remaining_party_its_new_partner(self) -> None:
        """103 calls 104 and hands 104 to 105 without consulting: 104 keeps who called it and
        sees 105 as its partner, never its own number; 105 is offered 104's call."""
        h = await self.begin()
        caller, callee = await self.connected()
        mark = h.mark()
        await self.op(f"/calls/{caller}/blindtransfer", {"to": "105"})
        self.assertEqual(self.seq(mark, "103"), ["REPLY:blindtransfer", "CALLSTATE:IDLE"])
        self.assertEqual(self.seq(mark, "104"), ["CALLINFO:CONNECTEDID+REDIRECTIONID"])
        self.assertEqual(self.seq(mark, "105"), ["NEWCALL", "CALLSTATE:OFFERING"])
        self.assertEqual(
            ids(h.calls("104")[callee]),
            ("CONNECTED", "INTERNAL", "DIRECT", "103", "104", "105", None, "105"),
        )
        offered = await self.call_on("105")
        # The Delivered event names no redirecting device: 103 is known from the Transferred.
        self.assertEqual(
            ids(h.calls("105")[offered]),
            ("OFFERING", "INTERNAL", "TRANSFER", "104", "105", None, "103", None),
        )
        mark = h.mark()
        await self.op(f"/calls/{offered}/answer")
        self.assertEqual(self.seq(mark, "104"), [])
        self.assertEqual(
            self.seq(mark, "105"), ["REPLY:answer", "CALLINFO:CONNECTEDID", "CALLSTATE:CONNECTED"]
        )
        self.assertEqual(h.calls("105")[offered]["connectedId"]["number"], "104")


class BlindTransferRedirectingTests(Flow):
    lines = ["103", "105"]

    async def test_the_new_party_learns_who_transferred_without_the_partner_monitored(
        self,
    ) -> None:
        """Only the transferring line and the new party are lines: the Transferred event at
        103's own monitor names 103 as the one who redirected the call 105 is offered."""
        h = await self.begin()
        made = await self.op("/lines/103/makecall", {"to": "104"})
        await h.person("104", "answer")
        await self.quiet()
        mark = h.mark()
        await self.op(f"/calls/{made['call']}/blindtransfer", {"to": "105"})
        self.assertEqual(self.seq(mark, "103"), ["REPLY:blindtransfer", "CALLSTATE:IDLE"])
        self.assertEqual(self.seq(mark, "105"), ["NEWCALL", "CALLSTATE:OFFERING"])
        self.assertEqual(
            ids(h.calls("105")[await self.call_on("105")]),
            ("OFFERING", "INTERNAL", "TRANSFER", "104", "105", None, "103", None),
        )


def as_a_pbx_sends(event: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """``event`` with connection lists as real PBXs send them: newConnection and nothing else
    of oldConnection or endpoint (PROTOCOL.md section 5)."""
    name, value = event
    value = dict(value)
    for key in ("transferredConnections", "conferenceConnections"):
        if key in value:
            value[key] = [
                {k: v for k, v in entry.items() if k not in ("oldConnection", "endpoint")}
                for entry in value[key]
            ]
    return name, value


class AnnouncedTransferTests(Flow):
    async def test_every_party_of_an_announced_transfer(self) -> None:
        """103 talks to 104, consults 105 who answers, and completes the transfer."""
        h = await self.begin()
        caller, callee = await self.connected()
        setup = await self.op(f"/calls/{caller}/setuptransfer")
        await self.op(f"/calls/{setup['consult']}/dial", {"digits": "105"})
        third = await self.call_on("105")
        await self.op(f"/calls/{third}/answer")
        mark = h.mark()
        await self.op(
            f"/calls/{caller}/completetransfer", {"consult": setup["consult"], "mode": "transfer"}
        )
        self.assertEqual(
            self.seq(mark, "103"), ["REPLY:completetransfer", "CALLSTATE:IDLE", "CALLSTATE:IDLE"]
        )
        self.assertEqual(self.seq(mark, "104"), ["CALLINFO:CONNECTEDID+REDIRECTIONID"])
        self.assertEqual(
            self.seq(mark, "105"), ["CALLINFO:CALLID+REASON+CALLERID+CONNECTEDID+REDIRECTINGID"]
        )
        self.assertEqual(
            ids(h.calls("104")[callee]),
            ("CONNECTED", "INTERNAL", "DIRECT", "103", "104", "105", None, "105"),
        )
        self.assertEqual(
            ids(h.calls("105")[third]),
            ("CONNECTED", "INTERNAL", "TRANSFER", "104", "105", "104", "103", None),
        )
        mark = h.mark()
        await self.op(f"/calls/{third}/drop")
        self.assertEqual(self.seq(mark, "105"), ["REPLY:drop", "CALLSTATE:IDLE"])
        self.assertEqual(self.seq(mark, "104"), ["CALLSTATE:DISCONNECTED", "CALLSTATE:IDLE"])


class TransferIdsTests(SynchronousTestCase):
    """The ids of the parties a transfer leaves, from Transferred events as a PBX sends them."""

    rig = test_driver_calls.Rig

    def test_transfer_while_the_consultation_call_rings(self) -> None:
        rig = test_driver_calls.HoldTransferConferenceTests.connected(cast(Any, self))
        rig.call("101").pending = "transfer"
        rig.feed(E.held(CALL, "101"), "101", "102")
        rig.feed(E.service_initiated(CONSULT, "101"), "101")
        rig.feed(E.originated(CONSULT, "101", "103"), "101")
        rig.feed(E.delivered(CONSULT, "103", "101", "103"), "101", "103")
        consult = next(c for c in rig.line("101").calls.values() if c.csta_call == CONSULT)
        self.assertEqual(consult.state.name, "LINECALLSTATE_RINGBACK")
        self.assertIn("LINECALLFEATURE_COMPLETETRANSF", consult.to_json()["features"])
        event = as_a_pbx_sends(E.transferred(CALL, CONSULT, "101", "103", NEW_CALL, ["102", "103"]))
        out = rig.feed(event)
        self.assertEqual(
            out,
            [
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_IDLE"),
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_IDLE"),
                (
                    "LINE_CALLINFO",
                    "102",
                    (
                        "LINECALLINFOSTATE_CALLID",
                        "LINECALLINFOSTATE_CONNECTEDID",
                        "LINECALLINFOSTATE_REDIRECTIONID",
                    ),
                ),
                (
                    "LINE_CALLINFO",
                    "103",
                    (
                        "LINECALLINFOSTATE_CALLID",
                        "LINECALLINFOSTATE_REASON",
                        "LINECALLINFOSTATE_CALLERID",
                        "LINECALLINFOSTATE_REDIRECTINGID",
                    ),
                ),
            ],
        )
        remaining, offered = rig.call("102").to_json(), rig.call("103").to_json()
        self.assertEqual(
            ids(remaining), ("CONNECTED", "INTERNAL", "DIRECT", "101", "102", "103", None, "103")
        )
        self.assertEqual(
            ids(offered), ("OFFERING", "INTERNAL", "TRANSFER", "102", "103", None, "101", None)
        )
        self.assertEqual(rig.call("103").csta_call, NEW_CALL)
        rig.feed(E.established(NEW_CALL, "103", "102", "103", cause="transfer"), "102", "103")
        self.assertEqual(
            ids(rig.call("103").to_json())[:6],
            ("CONNECTED", "INTERNAL", "TRANSFER", "102", "103", "102"),
        )
        self.assertEqual(ids(rig.call("102").to_json())[3:6], ("101", "102", "103"))


class GenerateDigitsTests(SynchronousTestCase):
    """LINE_GENERATE ends every lineGenerateDigits: DONE when the PBX reports the digits sent,
    CANCEL when a new request replaces it or the call leaves the phone first."""

    rig = test_driver_calls.Rig

    def generated(self, rig: Any, event: tuple[str, dict[str, Any]]) -> list[tuple[str, Any]]:
        """What ``event`` reported to 101's monitor publishes, with LINE_GENERATE's end."""
        out = rig.engine.report(E.report(rig.refs["101"], *event))
        return [(m["msg"], m.get("generateTermination", m.get("state"))) for m in out]

    def test_done_replaced_and_cut_short_by_the_end_of_the_call(self) -> None:
        rig = test_driver_calls.HoldTransferConferenceTests.connected(cast(Any, self))
        call = rig.call("101")
        first = plan_call_operation(rig.engine, call, "generatedigits", {"digits": "12"})
        first.prepare()
        self.assertEqual(first.finish([{}]), ({}, []))
        digits = E.digits_generated(CALL, "101", "12")
        self.assertEqual(self.generated(rig, digits), [("LINE_GENERATE", "LINEGENERATETERM_DONE")])
        # Reported to the other party's monitor too: only the line that asked hears of it.
        self.assertEqual(rig.engine.report(E.report(rig.refs["102"], *digits)), [])
        self.assertEqual(self.generated(rig, digits), [], "once per request")
        second = plan_call_operation(rig.engine, call, "generatedigits", {"digits": "3"})
        second.prepare()
        third = plan_call_operation(rig.engine, call, "generatedigits", {"digits": "4"})
        third.prepare()
        _, out = third.finish([{}])
        self.assertEqual([m["generateTermination"] for m in out], ["LINEGENERATETERM_CANCEL"])
        self.assertEqual(
            self.generated(rig, E.cleared(CALL, "102")),
            [("LINE_CALLSTATE", "LINECALLSTATE_DISCONNECTED")],
        )
        self.assertEqual(
            self.generated(rig, E.cleared(CALL, "101")),
            [
                ("LINE_GENERATE", "LINEGENERATETERM_CANCEL"),
                ("LINE_CALLSTATE", "LINECALLSTATE_IDLE"),
            ],
        )

    def test_a_refused_request_leaves_nothing_due(self) -> None:
        rig = test_driver_calls.HoldTransferConferenceTests.connected(cast(Any, self))
        call = rig.call("101")
        plan = plan_call_operation(rig.engine, call, "generatedigits", {"digits": "12"})
        plan.prepare()
        plan.undo()
        self.assertEqual(
            self.generated(rig, E.cleared(CALL, "101")),
            [("LINE_CALLSTATE", "LINECALLSTATE_IDLE")],
        )


class NumberTests(Flow):
    async def put(self, document: dict[str, Any]) -> None:
        code, answer = await self.h.api("PUT", "/settings", document)
        self.assertEqual(code, 200, answer)

    async def test_rules_format_the_other_parties_not_the_lines_own_number(self) -> None:
        h = await self.begin()
        rule = [{"search": "^([0-9]{3})$", "replace": r"0301234\1", "regex": True}]
        await self.put({"numberFormat": {"incoming": rule, "outgoing": rule}})
        mark = h.mark()
        caller, callee = await self.connected()
        self.assertEqual(
            self.seq(mark, "103"), [*OUTGOING, "CALLINFO:CONNECTEDID", "CALLSTATE:CONNECTED"]
        )
        shown = [m["callInfo"] for m in h.since(mark, "103") if "callInfo" in m]
        self.assertEqual(
            {(c["callerId"] or {}).get("number") for c in shown} - {None},
            {"103"},
            "103's own number is never rewritten on its calls",
        )
        _, made = await h.api("GET", f"/calls/{caller}")
        self.assertEqual(
            (made["callerId"]["number"], made["calledId"]["number"], made["connectedId"]["number"]),
            ("103", "0301234104", "0301234104"),
        )
        _code, answered = await h.api("GET", f"/calls/{callee}")
        self.assertEqual(
            (answered["callerId"]["number"], answered["calledId"]["number"]),
            ("0301234103", "104"),
        )

    async def test_canonical_numbers_of_another_site_are_dialled_from_this_one(self) -> None:
        """A Berlin instance dials Munich's canonical +49(89)1234-104 as 0891234104, and its
        own canonical numbers as extensions."""
        h = await self.begin()
        berlin = {
            "useLocation": True,
            "countryCode": "49",
            "areaCode": "30",
            "localNumber": "12345",
            "extensionRange": "100-199",
        }
        await self.put({"location": berlin})
        mark = h.mark()
        made = await self.op("/lines/103/makecall", {"to": "+49(89)1234-104"})
        self.assertEqual(self.seq(mark, "103"), OUTGOING)
        self.assertEqual(self.seq(mark, "104"), [], "not Berlin's 104")
        _code, call = await h.api("GET", f"/calls/{made['call']}")
        # The PBX took 0 to seize a trunk and sent 891234104 out on it.
        self.assertEqual(call["calledId"]["number"], "891234104")
        own = await self.op("/lines/105/makecall", {"to": "+49 (30) 12345-104"})
        self.assertEqual(h.calls("105")[own["call"]]["state"], "LINECALLSTATE_RINGBACK")
        self.assertEqual(self.seq(mark, "104")[:2], ["NEWCALL", "CALLSTATE:OFFERING"])


class CanonicalDiallingTests(SynchronousTestCase):
    def test_what_a_location_dials_for_canonical_numbers(self) -> None:
        from ecsta.driver.location import ExtensionRange, Location

        berlin = Location(
            True, "49", "30", "12345", extension_range=ExtensionRange.parse("100-199")
        )
        new_york = Location(True, "1", "212", "5550000")
        for number, here, there, nowhere in (
            ("+49(89)1234-104", "0891234104", "01149891234104", "+49891234104"),
            ("+49 (30) 12345-104", "104", "011493012345104", "+493012345104"),
            ("+49(30)999-1", "9991", "01149309991", "+49309991"),
            ("+1 (212) 555-1234", "0012125551234", "5551234", "+12125551234"),
            ("+1 415 555 1234", "0014155551234", "14155551234", "+14155551234"),
            ("+4930123456", "+4930123456", "+4930123456", "+4930123456"),
            ("0301234", "0301234", "0301234", "0301234"),
        ):
            self.assertEqual(
                (berlin.dialable(number), new_york.dialable(number), Location().dialable(number)),
                (here, there, nowhere),
                number,
            )


class OutsideCallTests(Flow):
    async def test_an_outside_call_without_a_number_is_external(self) -> None:
        h = await self.begin()
        mark = h.mark()
        await h.control("POST", "/incoming", {"from": "", "to": "104"})
        offered = await self.call_on("104")
        self.assertEqual(self.seq(mark, "104"), ["NEWCALL", "CALLSTATE:OFFERING"])
        self.assertEqual(
            ids(h.calls("104")[offered]),
            ("OFFERING", "EXTERNAL", "DIRECT", None, "104", None, None, None),
        )
        await self.op(f"/calls/{offered}/answer")
        self.assertEqual(h.calls("104")[offered]["origin"], "LINECALLORIGIN_EXTERNAL")
        await self.op(f"/calls/{offered}/drop")

    async def test_an_answered_outgoing_outside_call_names_its_party(self) -> None:
        h = await self.begin()
        await h.control("POST", "/external/301234", {"mode": "no_answer"})
        mark = h.mark()
        made = await self.op("/lines/103/makecall", {"to": "0301234"})
        await h.control("POST", "/external/301234/answer")
        await self.quiet()
        self.assertEqual(
            self.seq(mark, "103"),
            [*OUTGOING, "CALLINFO:CONNECTEDID", "CALLSTATE:CONNECTED"],
        )
        self.assertEqual(
            ids(h.calls("103")[made["call"]]),
            ("CONNECTED", "OUTBOUND", "DIRECT", "103", "301234", "301234", None, None),
        )


class AddressTests(Flow):
    async def test_every_line_has_two_addresses_the_second_used_only_with_a_twin(self) -> None:
        h = await self.begin()
        _, line = await h.api("GET", "/lines/103")
        self.assertEqual(
            line["addresses"], [{"address": 0, "name": "103"}, {"address": 1, "name": "Mobile"}]
        )
        self.assertFalse(line["superTwin"])
        code, status = await h.api("GET", "/lines/103/addresses/1/status")
        self.assertEqual((code, status["numCalls"], status["forwards"]), (200, 0, []))
        mark = h.mark()
        refused = await self.op("/lines/103/makecall", {"to": "104", "address": 1}, 409)
        self.assertEqual(
            (refused["error"], refused["lineError"]), ("notAllowed", "LINEERR_OPERATIONUNAVAIL")
        )
        self.assertIn("no Super-Twin partner", refused["message"])
        forward = {"address": 1, "forwards": [{"mode": "LINEFORWARDMODE_UNCOND", "to": "105"}]}
        await self.op("/lines/103/forward", forward, 409)
        self.assertEqual(
            (h.calls("103"), self.seq(mark, "103"), self.seq(mark, "104")), ({}, [], [])
        )
        made = await self.op("/lines/103/makecall", {"to": "104", "address": 0})
        self.assertEqual(self.seq(mark, "103"), OUTGOING)
        await self.op(f"/calls/{made['call']}/drop")


class MakeCallWithoutNumberTests(Flow):
    async def test_dial_tone_first_then_dial(self) -> None:
        h = await self.begin()
        mark = h.mark()
        made = await self.op("/lines/103/makecall", {})
        self.assertEqual(set(made), {"call", "callID"})
        self.assertEqual(self.seq(mark, "103"), ["NEWCALL", "CALLSTATE:DIALTONE", "REPLY:makecall"])
        call = h.calls("103")[made["call"]]
        self.assertEqual(
            (call["state"], call["origin"]), ("LINECALLSTATE_DIALTONE", "LINECALLORIGIN_OUTBOUND")
        )
        self.assertEqual(call["features"], ["LINECALLFEATURE_DIAL", "LINECALLFEATURE_DROP"])
        dialled = await self.op(f"/calls/{made['call']}/dial", {"digits": "104"})
        self.assertEqual(dialled, {"call": made["call"]})
        self.assertEqual(self.seq(mark, "103"), [*OUTGOING[:3], "REPLY:dial", *OUTGOING[3:]])
        self.assertEqual(self.seq(mark, "104"), ["NEWCALL", "CALLSTATE:OFFERING"])
        self.assertEqual(h.calls("103")[made["call"]]["calledId"]["number"], "104")

    async def test_a_call_never_dialled_is_dropped_without_the_pbx(self) -> None:
        h = await self.begin()
        mark = h.mark()
        made = await self.op("/lines/103/makecall", {"to": None})
        await self.op(f"/calls/{made['call']}/drop")
        self.assertEqual(
            self.seq(mark, "103"),
            ["NEWCALL", "CALLSTATE:DIALTONE", "REPLY:makecall", "CALLSTATE:IDLE", "REPLY:drop"],
        )
        self.assertEqual(h.calls("103"), {})


class GroupPickupTests(Flow):
    async def test_pickup_without_from_takes_the_call_ringing_in_the_group(self) -> None:
        h = await self.begin()
        mark = h.mark()
        await self.op("/lines/103/makecall", {"to": "104"})
        await self.call_on("104")
        picked = await self.op("/lines/105/pickup", {})
        self.assertEqual(set(picked), {"call", "callID"})
        self.assertEqual(self.seq(mark, "104"), ["NEWCALL", "CALLSTATE:OFFERING", "CALLSTATE:IDLE"])
        self.assertEqual(
            self.seq(mark, "105"),
            [
                "NEWCALL",
                "CALLSTATE:CONNECTED",
                "REPLY:pickup",
                "CALLINFO:CALLERID+CALLEDID+CONNECTEDID+REDIRECTINGID",
            ],
        )
        self.assertEqual(
            self.seq(mark, "103"),
            [*OUTGOING, "CALLINFO:REDIRECTIONID", "CALLINFO:CONNECTEDID", "CALLSTATE:CONNECTED"],
        )
        self.assertEqual(
            ids(h.calls("105")[picked["call"]]),
            ("CONNECTED", "INTERNAL", "PICKUP", "103", "104", "103", "104", None),
        )
        self.assertEqual(h.calls("103")[next(iter(h.calls("103")))]["connectedId"]["number"], "105")

    async def test_nothing_ringing_in_the_group(self) -> None:
        h = await self.begin()
        mark = h.mark()
        refused = await self.op("/lines/105/pickup", {}, 409)
        self.assertEqual(refused["error"], "cstaError")
        self.assertEqual(self.seq(mark, "105"), ["REPLY:pickup!"])
        self.assertEqual(h.calls("105"), {})


async def conference(flow: Flow) -> tuple[int, int, dict[str, Any], int, dict[str, Any]]:
    """103 calls 104, consults 105 and conferences the three: 103's first call, 104's call,
    the answer of setupconference, 105's call, and the answer of completetransfer."""
    caller, callee = await flow.connected()
    setup = await flow.op(f"/calls/{caller}/setupconference")
    await flow.op(f"/calls/{setup['consult']}/dial", {"digits": "105"})
    second = await flow.call_on("105")
    await flow.op(f"/calls/{second}/answer")
    done = await flow.op(
        f"/calls/{caller}/completetransfer", {"consult": setup["consult"], "mode": "conference"}
    )
    return caller, callee, setup, second, done


def shown_ids(h: Any, *calls: tuple[str, int]) -> list[tuple[Any, ...]]:
    """The state and ids (as :func:`ids` lists them) each (line, call) shows now."""
    return [ids(h.calls(line)[call]) for line, call in calls]


class ConferenceTests(Flow):
    lines = ["103", "104", "105", "106"]
    #: How the conference call is prepared for one more party.
    prepare = "setupconference"

    async def test_setupconference_on_a_conference_then_addtoconference(self) -> None:
        """103 confers with 104 and 105, then adds 106 the TAPI way: lineSetupConference (or
        linePrepareAddToConference) on the conference call, lineDial, lineAddToConference."""
        h = await self.begin()
        caller, callee, setup, second, done = await conference(self)
        parent = done["conferenceCall"]
        features = h.calls("103")[parent]["features"]
        self.assertIn("LINECALLFEATURE_SETUPCONF", features)
        self.assertIn("LINECALLFEATURE_PREPAREADDCONF", features)
        self.assertNotIn("LINECALLFEATURE_SETUPTRANSFER", features)
        mark = h.mark()
        more = await self.op(f"/calls/{parent}/{self.prepare}")
        consult = more["consult"]
        calls = h.calls("103")
        self.assertEqual(calls[parent]["state"], "LINECALLSTATE_ONHOLDPENDCONF")
        self.assertEqual(calls[consult]["state"], "LINECALLSTATE_DIALTONE")
        await self.op(f"/calls/{consult}/dial", {"digits": "106"})
        third = await self.call_on("106")
        await self.op(f"/calls/{third}/answer")
        self.assertIn("LINECALLFEATURE_ADDTOCONF", h.calls("103")[consult]["features"])
        added = await self.op(f"/calls/{parent}/addtoconference", {"consult": consult})
        self.assertEqual(added["conferenceCall"], parent)
        self.assertEqual(
            self.seq(mark, "103"),
            [
                "NEWCALL",
                "CALLSTATE:DIALTONE",
                f"REPLY:{self.prepare}",
                "CALLSTATE:ONHOLDPENDCONF",
                "REPLY:dial",
                "CALLINFO:CALLERID+CALLEDID",
                "CALLSTATE:PROCEEDING",
                "CALLSTATE:RINGBACK",
                "CALLINFO:CONNECTEDID",
                "CALLSTATE:CONNECTED",
                "CALLSTATE:ONHOLDPENDCONF",
                "REPLY:addtoconference",
                "CALLINFO:CALLID+RELATEDCALLID",
                "CALLSTATE:CONFERENCED",
                "CALLSTATE:CONNECTED",
            ],
        )
        calls = h.calls("103")
        self.assertEqual(
            {calls[c]["state"] for c in (caller, setup["consult"], consult)},
            {"LINECALLSTATE_CONFERENCED"},
        )
        self.assertEqual(calls[parent]["state"], "LINECALLSTATE_CONNECTED")
        self.assertEqual(self.seq(mark, "104"), [])
        self.assertEqual(self.seq(mark, "105"), [])
        self.assertEqual(
            self.seq(mark, "106"),
            [
                "NEWCALL",
                "CALLSTATE:OFFERING",
                "REPLY:answer",
                "CALLINFO:CONNECTEDID",
                "CALLSTATE:CONNECTED",
                "CALLINFO:CALLID",
            ],
        )
        conference_id = calls[parent]["callID"]
        for line, call in (("104", callee), ("105", second), ("106", third)):
            shown = h.calls(line)[call]
            self.assertEqual(
                (shown["state"], shown["callID"], shown["connectedId"]["number"]),
                ("LINECALLSTATE_CONNECTED", conference_id, "103"),
                line,
            )
        self.assertEqual(ids(h.calls("104")[callee])[1:5], ("INTERNAL", "DIRECT", "103", "104"))
        self.assertEqual(ids(h.calls("106")[third])[1:5], ("INTERNAL", "DIRECT", "103", "106"))


class IntrusionTests(Flow):
    async def test_every_party_of_an_intrusion_and_after_the_intruder_leaves(self) -> None:
        """105 finds 104 busy on a call with 103 and intrudes (lineCompleteCall,
        LINECALLCOMPLMODE_INTRUDE): the three share one call; when 105 hangs up, 103 and 104
        see each other as connected again."""
        h = await self.begin()
        caller, callee = await self.connected()
        mark = h.mark()
        busy = (await self.op("/lines/105/makecall", {"to": "104"}))["call"]
        answer = await self.op(f"/calls/{busy}/completecall", {"mode": "intrude"})
        self.assertEqual(answer, {"mode": "LINECALLCOMPLMODE_INTRUDE"})
        self.assertEqual(
            self.seq(mark, "105"),
            [
                *OUTGOING[:5],
                "CALLSTATE:BUSY",
                "REPLY:completecall",
                "CALLINFO:CALLID+CONNECTEDID",
                "CALLSTATE:CONNECTED",
            ],
        )
        self.assertEqual(self.seq(mark, "103"), ["CALLINFO:CONNECTEDID"])
        self.assertEqual(self.seq(mark, "104"), ["CALLINFO:CONNECTEDID"])
        shared = h.calls("103")[caller]["callID"]
        for line, call, expected in (
            ("103", caller, ("CONNECTED", "OUTBOUND", "DIRECT", "103", "104", "105", None, None)),
            ("104", callee, ("CONNECTED", "INTERNAL", "DIRECT", "103", "104", "105", None, None)),
            ("105", busy, ("CONNECTED", "OUTBOUND", "DIRECT", "105", "104", "104", None, None)),
        ):
            shown = h.calls(line)[call]
            self.assertEqual((ids(shown), shown["callID"]), (expected, shared), line)
        mark = h.mark()
        await self.op(f"/calls/{busy}/drop")
        self.assertEqual(self.seq(mark, "105"), ["REPLY:drop", "CALLSTATE:IDLE"])
        self.assertEqual(self.seq(mark, "103"), ["CALLINFO:CONNECTEDID"])
        self.assertEqual(self.seq(mark, "104"), ["CALLINFO:CONNECTEDID"])
        self.assertEqual(
            shown_ids(h, ("103", caller), ("104", callee)),
            [
                ("CONNECTED", "OUTBOUND", "DIRECT", "103", "104", "104", None, None),
                ("CONNECTED", "INTERNAL", "DIRECT", "103", "104", "103", None, None),
            ],
        )
        mark = h.mark()
        await self.op(f"/calls/{callee}/drop")
        self.assertEqual(self.seq(mark, "103"), ["CALLSTATE:DISCONNECTED", "CALLSTATE:IDLE"])
        self.assertEqual(self.seq(mark, "104"), ["REPLY:drop", "CALLSTATE:IDLE"])

    async def test_the_intruded_party_leaves(self) -> None:
        """103 hangs up after 105 intruded: 104 and 105 go on together, each seeing the other."""
        h = await self.begin()
        caller, callee = await self.connected()
        busy = (await self.op("/lines/105/makecall", {"to": "104"}))["call"]
        await self.op(f"/calls/{busy}/completecall", {"mode": "intrude"})
        mark = h.mark()
        await self.op(f"/calls/{caller}/drop")
        self.assertEqual(self.seq(mark, "103"), ["REPLY:drop", "CALLSTATE:IDLE"])
        self.assertEqual(self.seq(mark, "104"), [])
        self.assertEqual(self.seq(mark, "105"), [])
        self.assertEqual(
            shown_ids(h, ("104", callee), ("105", busy)),
            [
                ("CONNECTED", "INTERNAL", "DIRECT", "103", "104", "105", None, None),
                ("CONNECTED", "OUTBOUND", "DIRECT", "105", "104", "104", None, None),
            ],
        )


class PrepareAddToConferenceTests(ConferenceTests):
    """The same with TAPI's own way to add to a conference: linePrepareAddToConference."""

    prepare = "prepareaddtoconference"

    async def test_only_a_conference_call_is_prepared_for_more(self) -> None:
        await self.begin()
        caller, _callee = await self.connected()
        refused = await self.op(f"/calls/{caller}/prepareaddtoconference", {}, 409)
        self.assertEqual(refused["lineError"], "LINEERR_INVALCALLSTATE")


class ConferenceLeftTests(Flow):
    async def test_the_two_left_when_the_conferencing_line_hangs_up_see_each_other(self) -> None:
        """103 confers with 104 and 105, then drops the conference: 104 and 105 talk on, each
        with the other as connectedId, not the line that left."""
        h = await self.begin()
        _, callee, _, second, done = await conference(self)
        mark = h.mark()
        await self.op(f"/calls/{done['conferenceCall']}/drop")
        self.assertEqual(
            self.seq(mark, "103"),
            ["REPLY:drop", "CALLSTATE:IDLE", "CALLSTATE:IDLE", "CALLSTATE:IDLE"],
        )
        self.assertEqual(h.calls("103"), {})
        self.assertEqual(self.seq(mark, "104"), ["CALLINFO:CONNECTEDID"])
        self.assertEqual(self.seq(mark, "105"), ["CALLINFO:CONNECTEDID"])
        self.assertEqual(
            shown_ids(h, ("104", callee), ("105", second)),
            [
                ("CONNECTED", "INTERNAL", "DIRECT", "103", "104", "105", None, None),
                ("CONNECTED", "INTERNAL", "DIRECT", "103", "105", "104", None, None),
            ],
        )


class CallDataTests(Flow):
    async def put(self, path: str, body: Any, status: int = 200) -> Any:
        code, answer = await self.h.api("PUT", path, body)
        self.assertEqual(code, status, answer)
        await self.quiet()
        return answer

    async def test_call_data_and_app_specific_are_kept_and_shown_to_every_client(self) -> None:
        h = await self.begin()
        caller, callee = await self.connected()
        mark = h.mark()
        ticket = "CRM ticket 4711, Müller"
        self.assertEqual(
            await self.put(f"/calls/{callee}/data", {"data": ticket}), {"callData": ticket}
        )
        self.assertEqual(
            await self.put(f"/calls/{callee}/appspecific", {"value": 0xFFFFFFFF}),
            {"appSpecific": 0xFFFFFFFF},
        )
        self.assertEqual(
            self.seq(mark, "104"),
            [
                "CALLINFO:CALLDATA",
                "REPLY:setcalldata",
                "CALLINFO:APPSPECIFIC",
                "REPLY:setappspecific",
            ],
        )
        self.assertEqual(self.seq(mark, "103"), [])
        info = [m["callInfo"] for m in h.since(mark, "104") if m["msg"] == "LINE_CALLINFO"]
        self.assertEqual(
            [(i["callData"], i["appSpecific"]) for i in info], [(ticket, 0), (ticket, 0xFFFFFFFF)]
        )
        _, shown = await h.api("GET", f"/calls/{callee}")
        self.assertEqual((shown["callData"], shown["appSpecific"]), (ticket, 0xFFFFFFFF))
        # The data stays with the call when the call moves on (103 hands it to 105).
        await self.op(f"/calls/{caller}/blindtransfer", {"to": "105"})
        _, shown = await h.api("GET", f"/calls/{callee}")
        self.assertEqual(shown["callData"], ticket)
        # Bounded, and checked before anything changes.
        mark = h.mark()
        refused = await self.put(f"/calls/{callee}/data", {"data": "x" * (64 * 1024 + 1)}, 400)
        self.assertIn("exceeds 65536 bytes", refused["message"])
        await self.put(f"/calls/{callee}/data", {"data": "é" * (32 * 1024)})
        for value in (-1, 2**32, "1", True):
            await self.put(f"/calls/{callee}/appspecific", {"value": value}, 400)
        await self.put(f"/calls/{callee}/data", {"data": 5}, 400)
        self.assertEqual(self.seq(mark, "104"), ["CALLINFO:CALLDATA", "REPLY:setcalldata"])
        await self.put(f"/calls/{callee}/data", {"data": None})
        _, shown = await h.api("GET", f"/calls/{callee}")
        self.assertIsNone(shown["callData"])
        code, _ = await h.api("PUT", "/calls/999/data", {"data": "x"})
        self.assertEqual(code, 404)


class MonitorDigitsTests(Flow):
    async def test_digits_dialled_at_the_phone_during_a_call(self) -> None:
        h = await self.begin()
        caller, _callee = await self.connected()
        mark = h.mark()
        self.assertEqual(await self.op(f"/calls/{caller}/monitordigits", {}), {})
        await h.person("103", "dial", digits="12#")
        await h.until(lambda: len(self.seq(mark, "103")) >= 4)
        await self.quiet()
        self.assertEqual(self.seq(mark, "103"), ["REPLY:monitordigits", *["MONITORDIGITS"] * 3])
        self.assertEqual(
            [(m["call"], m["digit"], m["digitMode"]) for m in h.since(mark, "103")[1:]],
            [(caller, d, "LINEDIGITMODE_DTMF") for d in "12#"],
        )
        self.assertEqual(self.seq(mark, "104"), [])
        mark = h.mark()
        await self.op(f"/calls/{caller}/monitordigits", {"modes": []})
        await h.person("103", "dial", digits="9")
        await self.quiet()
        self.assertEqual(self.seq(mark, "103"), ["REPLY:monitordigits"])
        await self.op(f"/calls/{caller}/monitordigits", {"modes": ["LINEDIGITMODE_PULSE"]}, 400)

    async def test_the_collection_ends_with_the_call(self) -> None:
        h = await self.begin()
        caller, _callee = await self.connected()
        await self.op(f"/calls/{caller}/monitordigits", {"modes": ["LINEDIGITMODE_DTMF"]})
        self.assertEqual(len(h.driver.engine.collections), 1)
        await self.op(f"/calls/{caller}/drop")
        await h.until(lambda: not h.driver.engine.collections)
        await self.quiet()
        # 103's digits route calls again: the PBX no longer hands them to the collection.
        mark = h.mark()
        await h.person("103", "dial", digits="105")
        await self.quiet()
        self.assertEqual(self.seq(mark, "105"), ["NEWCALL", "CALLSTATE:OFFERING"])


class MonitorDigitsThroughMuxTests(MonitorDigitsTests):
    """The same digits through the multiplexer: it routes the PBX's data collection reports
    to the application that started the collection."""

    through_mux = True
