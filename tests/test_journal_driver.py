"""A driver connected straight to the PBX keeps the call journal as the mux does."""

from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase

from tests.driver_harness import DriverHarness


class DriverJournalTests(TestCase):
    timeout = 60

    async def test_a_call_on_the_pbx_is_journaled_and_served(self) -> None:
        h = DriverHarness()
        self.addCleanup(h.stop)
        await h.start(["101", "102"])
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
