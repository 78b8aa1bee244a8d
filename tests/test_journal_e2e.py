"""The call journal end to end: a simulator and a multiplexer as processes, as operators run them.

The test that matters most kills the multiplexer with SIGKILL again and again while the
simulator finishes calls and sends their records, then lets a last multiplexer take what is
left: the journal must then hold every call exactly once, compared with the calls the simulator
recorded, and the simulator must hold no record unacknowledged.
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

from tests.mux_e2e import Mux, Process, Simulator, wait_until, workdir

SIM_CONFIG = "[cdr]\nresend_delay = 0.2\nanswer_timeout = 3\n[csta]\nkeepalive_interval = 0\n"
MUX_CONFIG = "[pbx]\nreconnect_initial_delay = 0.1\nreconnect_max_delay = 0.5\n"

Gen = Generator[Deferred[Any], Any, None]


def caller(n: int) -> str:
    return f"+4930{n:07d}"


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

    def incoming(self, n: int) -> None:
        """An outside caller rings 101, who answers and hangs up: one finished call."""
        self.sim.post("incoming", {"from": caller(n), "to": "101"})
        self.sim.post("devices/101/answer")
        self.sim.post("devices/101/onhook")

    def journal(self) -> list[tuple[Any, ...]]:
        with sqlite3.connect(os.path.join(self.dir, "journal.sqlite")) as db:
            return list(db.execute("SELECT calling, called, key FROM calls ORDER BY id"))

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
        made = calls + sum(1 for n in range(calls) if n % 120 == 119)
        yield wait_until(
            lambda: self.sim.state()["cdr"]["acknowledged"] == made,
            timeout=120,
            what=f"{made} records acknowledged",
        )
        cdr = self.sim.state()["cdr"]
        self.assertEqual((cdr["pending"], cdr["sent"], cdr["dropped"]), (0, 0, 0), cdr)
        self.assertGreaterEqual(kills, 8)
        rows = self.journal()
        expected = [caller(n) for n in range(calls)]
        expected += [caller(10_000 + n) for n in range(calls) if n % 120 == 119]
        self.assertEqual(Counter(row[0] for row in rows), Counter(expected))
        self.assertEqual({row[1] for row in rows}, {"101"})
        self.assertEqual(len({row[2] for row in rows}), len(rows))

    @inlineCallbacks
    def test_an_owning_application_still_confirms_and_the_journal_keeps(self) -> Gen:
        mux = self.start_mux()
        owner = Process("cdr-owner", ["-m", "tests.mux_e2e_owner", str(mux.port)], self.dir)
        self.addCleanup(owner.stop)
        yield wait_until(lambda: "started" in owner.output(), what="the owner's start answered")
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
        with sqlite3.connect(os.path.join(self.dir, "journal.sqlite")) as db:
            db.execute("ALTER TABLE calls RENAME TO calls_away")
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
        with sqlite3.connect(os.path.join(self.dir, "journal.sqlite")) as db:
            db.execute("ALTER TABLE calls_away RENAME TO calls")
        yield wait_until(
            lambda: self.sim.state()["cdr"]["acknowledged"] == 2, what="acknowledged once stored"
        )
        self.assertEqual(mux.state()["journal"]["state"], "ok")
        self.assertEqual([row[0] for row in self.journal()], [caller(0), caller(1)])
