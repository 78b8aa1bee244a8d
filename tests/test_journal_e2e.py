"""The call journal end to end: a simulator and a multiplexer as processes, as operators run them.

The test that matters most kills the multiplexer with SIGKILL again and again while the
simulator finishes calls and sends their records, then lets a last multiplexer take what is
left: the journal must then hold every record the simulator made exactly once, field by field
as the simulator's own list (``GET /api/cdr``) gives them, and nothing else.
"""

import os
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Generator
from typing import Any

from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.trial.unittest import TestCase

from ecsta.sim.cdr import CONDITION_CODES
from tests.mux_e2e import Mux, Process, Simulator, wait_until, workdir

SIM_CONFIG = "[cdr]\nresend_delay = 0.2\nanswer_timeout = 3\n[csta]\nkeepalive_interval = 0\n"
MUX_CONFIG = "[pbx]\nreconnect_initial_delay = 0.1\nreconnect_max_delay = 0.5\n"

Gen = Generator[Deferred[Any], Any, None]


def caller(n: int) -> str:
    return f"+4930{n:07d}"


def device(value: dict[str, Any] | None) -> str | None:
    """A device of the simulator's list as the journal writes it."""
    if value is None:
        return None
    [(kind, number)] = value.items()
    return f"#{number}" if kind == "deviceNumber" else str(number)


def as_journaled(record: dict[str, Any]) -> tuple[Any, ...]:
    """A record of the simulator's list in the columns :meth:`JournalEndToEnd.rows` reads."""
    end = record["connectionEnd"]
    condition = record["conditionCode"]
    return (
        device(record["callingDevice"]),
        device(record["calledDevice"]),
        device(record["chargedDevice"]),
        f"{end[0:4]}-{end[4:6]}-{end[6:8]} {end[8:10]}:{end[10:12]}:{end[12:14]}",
        record["connectionDuration"] / 10,
        None if condition is None else CONDITION_CODES[condition],
    )


class JournalEndToEnd(TestCase):
    timeout = 300

    def setUp(self) -> None:
        self.dir = workdir()
        self.sim = Simulator(self.dir, SIM_CONFIG)
        self.addCleanup(self.sim.process.stop)
        self.muxes: list[Mux] = []

    def start_mux(self, config: str = MUX_CONFIG) -> Mux:
        mux = Mux(self.dir, self.sim.csta, config)
        self.addCleanup(mux.process.stop)
        self.muxes.append(mux)
        return mux

    @inlineCallbacks
    def start_owner(self, mux: Mux) -> Generator[Deferred[Any], Any, Process]:
        """An application of its own process that owns CDR at ``mux`` and acknowledges each."""
        owner = Process("cdr-owner", ["-m", "tests.mux_e2e_owner", str(mux.port)], self.dir)
        self.addCleanup(owner.stop)
        yield wait_until(lambda: "started" in owner.output(), what="the owner's start answered")
        return owner

    def incoming(self, n: int) -> None:
        """An outside caller rings 101, who answers and hangs up: one finished call."""
        self.sim.post("incoming", {"from": caller(n), "to": "101"})
        self.sim.post("devices/101/answer")
        self.sim.post("devices/101/onhook")

    def journal(self) -> list[tuple[Any, ...]]:
        """The calls stored; none while the mux has not created its journal yet."""
        path = os.path.join(self.dir, "journal.sqlite")
        if not os.path.exists(path):
            return []
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            try:
                return list(db.execute("SELECT calling, called, key FROM calls ORDER BY id"))
            except sqlite3.OperationalError as error:
                if "no such table" in str(error):
                    return []
                raise

    def rename(self, table: str, to: str) -> None:
        """The journal's table out of the way (the database fails), or back."""
        with sqlite3.connect(os.path.join(self.dir, "journal.sqlite")) as db:
            db.execute(f"ALTER TABLE {table} RENAME TO {to}")

    def rows(self) -> list[tuple[Any, ...]]:
        with sqlite3.connect(os.path.join(self.dir, "journal.sqlite")) as db:
            return list(
                db.execute(
                    "SELECT calling, called, charged, end_time, duration, condition FROM calls"
                )
            )

    @inlineCallbacks
    def test_every_record_exactly_once_through_repeated_sigkills(self) -> Gen:
        calls = 500
        chance = random.Random(15)
        mux = self.start_mux()
        kills = 0
        for n in range(calls):
            self.incoming(n)
            if n % 60 == 59:
                # Let records flow into the middle of storing, then kill without warning.
                time.sleep(chance.uniform(0.0, 0.2))
                mux.process.kill()
                kills += 1
                if n % 120 == 119:
                    self.incoming(10_000 + n)  # finished while no multiplexer is there
                mux = self.start_mux()
        made_count = calls + sum(1 for n in range(calls) if n % 120 == 119)
        yield wait_until(
            lambda: self.sim.state()["cdr"]["acknowledged"] == made_count,
            timeout=120,
            what=f"{made_count} records acknowledged",
        )
        cdr = self.sim.state()["cdr"]
        self.assertEqual((cdr["pending"], cdr["sent"], cdr["dropped"]), (0, 0, 0), cdr)
        self.assertGreaterEqual(kills, 8)
        made = self.sim.cdr()
        self.assertEqual(
            (made["recorded"], made["dropped"], made["forgotten"], len(made["records"])),
            (made_count, 0, 0, made_count),
        )
        self.assertEqual({r["state"] for r in made["records"]}, {"acknowledged"})
        # Every record the simulator made is in the journal exactly once, and nothing else is.
        self.assertEqual(Counter(self.rows()), Counter(map(as_journaled, made["records"])))
        expected = [caller(n) for n in range(calls)]
        expected += [caller(10_000 + n) for n in range(calls) if n % 120 == 119]
        self.assertEqual(sorted(row[0] for row in self.rows()), sorted(expected))
        keys = [row[2] for row in self.journal()]
        self.assertEqual(len(set(keys)), len(keys))

    @inlineCallbacks
    def test_an_owning_application_still_confirms_and_the_journal_keeps(self) -> Gen:
        mux = self.start_mux()
        owner = yield self.start_owner(mux)
        for n in range(3):
            self.incoming(n)
        yield wait_until(
            lambda: self.sim.state()["cdr"]["acknowledged"] == 3, what="3 records acknowledged"
        )
        self.assertEqual(owner.output().count("acknowledged"), 3)
        self.assertEqual([row[0] for row in self.journal()], [caller(n) for n in range(3)])
        self.assertEqual(self.sim.state()["operations"]["startCDRTransmission"], 1)
        # The owner goes; the multiplexer keeps collecting on its own.
        owner.kill()
        self.incoming(3)
        yield wait_until(
            lambda: self.sim.state()["cdr"]["acknowledged"] == 4, what="the 4th acknowledged"
        )
        self.assertEqual(len(self.journal()), 4)
        self.assertTrue(self.sim.state()["cdr"]["transmitting"])

    @inlineCallbacks
    def test_a_record_that_cannot_be_stored_stays_in_the_pbx_until_it_can(self) -> Gen:
        mux = self.start_mux()
        self.incoming(0)
        yield wait_until(lambda: len(self.journal()) == 1, what="the first record stored")
        self.rename("calls", "calls_away")
        self.incoming(1)
        yield wait_until(
            lambda: mux.state()["journal"]["state"] == "failing", what="status says failing"
        )
        yield wait_until(
            lambda: self.sim.state()["cdr"]["pending"] + self.sim.state()["cdr"]["sent"] == 1,
            what="the record kept by the PBX",
        )
        self.assertEqual(self.sim.state()["cdr"]["acknowledged"], 1)
        self.assertIn("calls", mux.state()["journal"]["error"])
        self.rename("calls_away", "calls")
        yield wait_until(
            lambda: self.sim.state()["cdr"]["acknowledged"] == 2, what="acknowledged once stored"
        )
        self.assertEqual(mux.state()["journal"]["state"], "ok")
        self.assertEqual([row[0] for row in self.journal()], [caller(0), caller(1)])

    @inlineCallbacks
    def test_with_an_owner_a_record_reaches_it_only_once_stored(self) -> Gen:
        mux = self.start_mux()
        owner = yield self.start_owner(mux)
        yield wait_until(lambda: mux.state()["journal"]["state"] == "ok", what="the journal open")
        self.rename("calls", "calls_away")
        self.incoming(0)
        yield wait_until(
            lambda: self.sim.state()["counters"]["cdr_refused"] >= 2,
            what="the record refused twice",
        )
        # Not stored, so neither passed to the owner nor acknowledged to the PBX.
        self.assertEqual(owner.output().count("acknowledged"), 0)
        self.assertEqual(self.sim.state()["cdr"]["acknowledged"], 0)
        self.assertEqual(mux.state()["journal"]["state"], "failing")
        self.rename("calls_away", "calls")
        yield wait_until(
            lambda: self.sim.state()["cdr"]["acknowledged"] == 1, what="acknowledged once stored"
        )
        self.assertEqual(owner.output().count("acknowledged"), 1)
        self.assertEqual([row[0] for row in self.journal()], [caller(0)])
