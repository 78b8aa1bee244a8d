"""Calls to a Super-Twin pair: both phones ring, one answers, the other stops ringing.

A Panasonic PBX names the DECT of a pair by its own deviceNumber while it shares the desk
phone's number (PROTOCOL.md section 9). When one of the two answers, the other one's ringing
connection is cleared: that is not the called party leaving, so the caller's call stays
CONNECTED and hold and retrieve go on working on both sides. First as event sequences fed to
the call model, then against the simulator in memory (:mod:`tests.driver_rig`), whose default
plan pairs 101 and 102 with a DECT each.
"""

from typing import Any

from twisted.trial.unittest import SynchronousTestCase, TestCase

from ecsta.driver.devices import Directory
from tests import driver_events as E
from tests.driver_rig import DriverRig
from tests.test_driver_calls import Rig

CALL = b"\x00\x21"
DESK_101 = 0x01110001
DESK_102 = 0x01110002
DECT_102 = 0x01210002
EVERYONE = ("101", "102", "dect")


class TwinModelTests(SynchronousTestCase):
    """Line 101 calls line 102, whose desk phone and DECT are both monitored."""

    def setUp(self) -> None:
        directory = Directory()
        directory.add(DESK_101, "101")
        directory.add(DESK_102, "102")
        directory.add(DECT_102, "102")
        rig = Rig("101", "102", directory=directory)
        line = rig.line("102")
        self.assertEqual(line.twin, DECT_102)
        rig.lines.bind_monitor(line, b"\x09", twin=True)
        rig.refs["dect"] = b"\x09"
        self.rig = rig

    def ring_both(self) -> None:
        rig = self.rig
        rig.feed(E.service_initiated(CALL, "101"), "101")
        rig.feed(E.originated(CALL, "101", "102"), "101")
        rig.feed(E.delivered(CALL, "102", "101", "102"), *EVERYONE)
        rig.feed(E.delivered(CALL, DECT_102, "101", "102"), *EVERYONE)
        self.assertEqual(
            rig.states(),
            {
                ("101", 0): "LINECALLSTATE_RINGBACK",
                ("102", 0): "LINECALLSTATE_OFFERING",
                ("102", 1): "LINECALLSTATE_OFFERING",
            },
        )

    def hold_and_retrieve(self, at: Any, held: tuple[str, int], other: tuple[str, int]) -> None:
        """Hold and retrieve at ``at``: the call of ``held`` (line, address) changes, the
        call at the other end stays CONNECTED."""
        rig = self.rig
        out = rig.feed(E.held(CALL, at), *EVERYONE)
        self.assertEqual(
            (rig.call(*held).state.name, rig.call(*other).state.name),
            ("LINECALLSTATE_ONHOLD", "LINECALLSTATE_CONNECTED"),
        )
        self.assertIn(("LINE_CALLSTATE", held[0], "LINECALLSTATE_ONHOLD"), out)
        out = rig.feed(E.retrieved(CALL, at), *EVERYONE)
        self.assertEqual(
            (rig.call(*held).state.name, rig.call(*other).state.name),
            ("LINECALLSTATE_CONNECTED", "LINECALLSTATE_CONNECTED"),
        )
        self.assertIn(("LINE_CALLSTATE", held[0], "LINECALLSTATE_CONNECTED"), out)

    def test_desk_phone_answers_and_the_dect_stops_ringing(self) -> None:
        rig = self.rig
        self.ring_both()
        out = rig.feed(E.established(CALL, "102", "101", "102"), *EVERYONE)
        self.assertIn(("LINE_CALLSTATE", "101", "LINECALLSTATE_CONNECTED"), out)
        self.assertEqual(
            rig.states(),
            {("101", 0): "LINECALLSTATE_CONNECTED", ("102", 0): "LINECALLSTATE_CONNECTED"},
        )
        # The DECT's ringing connection goes: nothing changes for the caller.
        self.assertEqual(rig.feed(E.cleared(CALL, DECT_102), *EVERYONE), [])
        self.assertEqual(
            rig.states(),
            {("101", 0): "LINECALLSTATE_CONNECTED", ("102", 0): "LINECALLSTATE_CONNECTED"},
        )
        self.assertEqual(rig.call("101").connected, {"number": "102", "name": None})
        self.hold_and_retrieve("101", ("101", 0), ("102", 0))
        self.hold_and_retrieve("102", ("102", 0), ("101", 0))
        out = rig.feed(E.cleared(CALL, "102"), *EVERYONE)
        self.assertEqual(
            out,
            [
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_DISCONNECTED"),
                ("LINE_CALLSTATE", "102", "LINECALLSTATE_IDLE"),
            ],
        )
        rig.feed(E.cleared(CALL, "101"), "101")
        self.assertEqual(rig.states(), {})
        self.assertEqual(rig.engine.unfitting, 0)

    def test_dect_answers_and_the_desk_phone_stops_ringing(self) -> None:
        rig = self.rig
        self.ring_both()
        out = rig.feed(E.established(CALL, DECT_102, "101", "102"), *EVERYONE)
        self.assertIn(("LINE_CALLSTATE", "102", "LINECALLSTATE_IDLE"), out)
        self.assertEqual(
            rig.states(),
            {("101", 0): "LINECALLSTATE_CONNECTED", ("102", 1): "LINECALLSTATE_CONNECTED"},
        )
        self.assertEqual(rig.feed(E.cleared(CALL, "102"), *EVERYONE), [])
        self.assertEqual(
            rig.states(),
            {("101", 0): "LINECALLSTATE_CONNECTED", ("102", 1): "LINECALLSTATE_CONNECTED"},
        )
        self.assertEqual(rig.call("101").connected, {"number": "102", "name": None})
        self.hold_and_retrieve("101", ("101", 0), ("102", 1))
        self.hold_and_retrieve(DECT_102, ("102", 1), ("101", 0))
        out = rig.feed(E.cleared(CALL, DECT_102), *EVERYONE)
        self.assertEqual(
            out,
            [
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_DISCONNECTED"),
                ("LINE_CALLSTATE", "102", "LINECALLSTATE_IDLE"),
            ],
        )
        self.assertEqual(rig.engine.unfitting, 0)

    def test_the_caller_alone_sees_the_same(self) -> None:
        """A caller whose line is the only one monitored: the pair is known from the
        device list only, and the DECT that stops ringing still leaves the call up."""
        directory = Directory()
        directory.add(DESK_102, "102")
        directory.add(DECT_102, "102")
        rig = Rig("101", directory=directory)
        rig.feed(E.service_initiated(CALL, "101"))
        rig.feed(E.originated(CALL, "101", "102"))
        rig.feed(E.delivered(CALL, DESK_102, "101", "102"))
        rig.feed(E.delivered(CALL, DECT_102, "101", "102"))
        rig.feed(E.established(CALL, DESK_102, "101", "102"))
        self.assertEqual(rig.feed(E.cleared(CALL, DECT_102)), [])
        self.assertEqual(rig.call("101").state.name, "LINECALLSTATE_CONNECTED")
        self.assertEqual(
            rig.feed(E.held(CALL, "101")), [("LINE_CALLSTATE", "101", "LINECALLSTATE_ONHOLD")]
        )
        self.assertEqual(
            rig.feed(E.retrieved(CALL, "101")),
            [("LINE_CALLSTATE", "101", "LINECALLSTATE_CONNECTED")],
        )
        rig.feed(E.cleared(CALL, DESK_102))
        self.assertEqual(rig.call("101").state.name, "LINECALLSTATE_DISCONNECTED")

    def test_a_twin_learned_from_events_is_told_from_its_desk_phone(self) -> None:
        """Without the pair in the device list, the first call that rings the DECT for the
        line's number makes it the twin, and the call goes on as with a listed pair."""
        rig = Rig("101", "102")
        self.assertIsNone(rig.line("102").twin)
        rig.feed(E.service_initiated(CALL, "101"), "101")
        rig.feed(E.originated(CALL, "101", "102"), "101")
        rig.feed(E.delivered(CALL, "102", "101", "102"), "101", "102")
        rig.feed(E.delivered(CALL, DECT_102, "101", "102"), "101", "102")
        self.assertEqual(rig.line("102").twin, DECT_102)
        rig.feed(E.established(CALL, "102", "101", "102"), "101", "102")
        rig.feed(E.cleared(CALL, DECT_102), "101", "102")
        self.assertEqual(
            rig.states(),
            {("101", 0): "LINECALLSTATE_CONNECTED", ("102", 0): "LINECALLSTATE_CONNECTED"},
        )
        rig.feed(E.held(CALL, "101"), "101", "102")
        self.assertEqual(rig.call("101").state.name, "LINECALLSTATE_ONHOLD")
        self.assertEqual(rig.engine.unfitting, 0)


def states(h: DriverRig, mark: int, line: str) -> list[tuple[int, str]]:
    """(address, state) of every LINE_CALLSTATE published for ``line`` since ``mark``."""
    return [
        (m["address"], m["state"].removeprefix("LINECALLSTATE_"))
        for m in h.since(mark, line)
        if m["msg"] == "LINE_CALLSTATE"
    ]


class TwinEndToEndTests(TestCase):
    """Lines 101 and 102 of the simulator's default plan; 102's DECT shares its number."""

    async def begin(self) -> DriverRig:
        h = DriverRig()
        self.addCleanup(h.stop)
        await h.start(["101", "102"])
        self.h = h
        twin = h.driver.lines.get("102").twin
        self.assertIsNotNone(twin)
        self.dect = f"0x{twin:08x}"
        return h

    async def post(self, path: str, body: Any = None) -> Any:
        status, answer = await self.h.api("POST", path, body)
        self.assertEqual(status, 200, answer)
        return answer

    def only_call(self, line: str) -> dict[str, Any]:
        calls = list(self.h.calls(line).values())
        self.assertEqual(len(calls), 1, calls)
        return calls[0]

    async def ring_both(self) -> int:
        h = self.h
        made = await self.post("/lines/101/makecall", {"to": "102"})
        offered = sorted((c["address"], c["state"]) for c in h.calls("102").values())
        self.assertEqual(offered, [(0, "LINECALLSTATE_OFFERING"), (1, "LINECALLSTATE_OFFERING")])
        return int(made["call"])

    async def hold_and_unhold(self, call: int, line: str, address: int, other: str) -> None:
        """Hold and unhold ``call`` through the API: it goes ONHOLD and back, the call at the
        other end stays CONNECTED throughout."""
        h = self.h
        mark = h.mark()
        await self.post(f"/calls/{call}/hold")
        self.assertEqual(self.only_call(other)["state"], "LINECALLSTATE_CONNECTED")
        await self.post(f"/calls/{call}/unhold")
        self.assertEqual(states(h, mark, line), [(address, "ONHOLD"), (address, "CONNECTED")])
        self.assertEqual(states(h, mark, other), [])
        self.assertEqual(self.only_call(other)["state"], "LINECALLSTATE_CONNECTED")

    async def test_desk_phone_answers(self) -> None:
        h = await self.begin()
        mark = h.mark()
        outgoing = await self.ring_both()
        await h.person("102", "answer")
        self.assertEqual(self.only_call("101")["state"], "LINECALLSTATE_CONNECTED")
        self.assertEqual(self.only_call("101")["connectedId"]["number"], "102")
        answered = self.only_call("102")
        self.assertEqual((answered["address"], answered["state"]), (0, "LINECALLSTATE_CONNECTED"))
        self.assertEqual(
            states(h, mark, "101"),
            [(0, "DIALTONE"), (0, "PROCEEDING"), (0, "RINGBACK"), (0, "CONNECTED")],
        )
        self.assertEqual(
            states(h, mark, "102"),
            [(0, "OFFERING"), (1, "OFFERING"), (0, "CONNECTED"), (1, "IDLE")],
        )
        await self.hold_and_unhold(outgoing, "101", 0, "102")
        await self.hold_and_unhold(answered["id"], "102", 0, "101")
        mark = h.mark()
        await self.post(f"/calls/{outgoing}/drop")
        self.assertEqual(states(h, mark, "101"), [(0, "IDLE")])
        self.assertEqual(states(h, mark, "102"), [(0, "DISCONNECTED"), (0, "IDLE")])
        self.assertEqual(h.driver.engine.unfitting, 0)

    async def test_dect_answers(self) -> None:
        h = await self.begin()
        mark = h.mark()
        outgoing = await self.ring_both()
        await h.person(self.dect, "answer")
        self.assertEqual(self.only_call("101")["state"], "LINECALLSTATE_CONNECTED")
        self.assertEqual(self.only_call("101")["connectedId"]["number"], "102")
        answered = self.only_call("102")
        self.assertEqual((answered["address"], answered["state"]), (1, "LINECALLSTATE_CONNECTED"))
        self.assertEqual(
            states(h, mark, "102"),
            [(0, "OFFERING"), (1, "OFFERING"), (0, "IDLE"), (1, "CONNECTED")],
        )
        self.assertNotIn((0, "DISCONNECTED"), states(h, mark, "101"))
        await self.hold_and_unhold(outgoing, "101", 0, "102")
        await self.hold_and_unhold(answered["id"], "102", 1, "101")
        mark = h.mark()
        await h.person(self.dect, "onhook")
        self.assertEqual(states(h, mark, "101"), [(0, "DISCONNECTED"), (0, "IDLE")])
        self.assertEqual(states(h, mark, "102"), [(1, "IDLE")])
        self.assertEqual(h.driver.engine.unfitting, 0)
