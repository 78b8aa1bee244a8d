"""A driver connected straight to the PBX keeps the call journal as the mux does, when asked to.

Only when asked: the driver cannot tell a PBX from a mux it reaches without a login, and a
journal would start CDR transmission there and take the CDR from the application (or the mux)
that should have it.
"""

import tempfile
import tomllib

from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase

from ecsta.driver.config import parse
from ecsta.journal.settings import JournalSettings
from tests.driver_harness import DriverHarness
from tests.driver_rig import DriverRig


class DriverJournalTests(TestCase):
    timeout = 60

    async def test_a_call_on_the_pbx_is_journaled_and_served(self) -> None:
        """Over loopback, on the real reactor: the journal keeps its records in SQLite
        through a pool of threads that hands each result back to the reactor thread, which a
        memory reactor does not have."""
        h = DriverHarness()
        self.addCleanup(h.stop)
        journal = JournalSettings(enabled=True, path=f"{tempfile.mkdtemp()}/journal.sqlite")
        await h.start(["101", "102"], journal=journal)
        journaling = h.driver.journaling
        self.assertIsNotNone(journaling)
        await h.until(lambda: journaling.transmitting)
        await h.control("POST", "/incoming", {"from": "+4930777001", "to": "101"})
        await h.person("101", "answer")
        await h.person("101", "onhook")
        await h.until(lambda: journaling.journal.stored >= 1)
        # The PBX's record is acknowledged once stored, and only then.
        for _ in range(200):
            state = await h.control("GET", "/state")
            if state["cdr"]["acknowledged"] == 1:
                break
            await deferLater(reactor, 0.02, lambda: None)
        self.assertEqual((state["cdr"]["acknowledged"], state["cdr"]["pending"]), (1, 0))
        status, body = await h.api("GET", "/journal?number=%2B4930777001")
        self.assertEqual(status, 200)
        self.assertEqual(
            [(c["calling"], c["called"]) for c in body["calls"]], [("+4930777001", "101")]
        )

    async def test_by_default_the_driver_leaves_the_cdr_to_others(self) -> None:
        h = DriverRig()
        self.addCleanup(h.stop)
        await h.start(["101", "102"])
        self.assertIsNone(h.driver.journaling)
        await h.control("POST", "/incoming", {"from": "+4930777002", "to": "101"})
        await h.person("101", "answer")
        await h.person("101", "onhook")
        state = await h.control("GET", "/state")
        # The record waits in the PBX for the application or the mux that collects CDR.
        self.assertTrue(state["association"]["connected"])
        self.assertEqual((state["cdr"]["pending"], state["cdr"]["transmitting"]), (1, False))
        self.assertNotIn("startCDRTransmission", state["operations"])
        status, _ = await h.api("GET", "/journal")
        self.assertEqual(status, 404)

    def test_the_journal_is_off_unless_the_configuration_turns_it_on(self) -> None:
        pbx = '[pbx]\nendpoint = "tcp:host=127.0.0.1:port=33333"\n'
        self.assertFalse(parse(tomllib.loads(pbx)).journal.enabled)
        kept = parse(tomllib.loads(pbx + "[journal]\nretention_days = 9\n")).journal
        self.assertFalse(kept.enabled)
        on = parse(tomllib.loads(pbx + "[journal]\nenabled = true\n")).journal
        self.assertEqual((on.enabled, on.path), (True, "journal.sqlite"))
