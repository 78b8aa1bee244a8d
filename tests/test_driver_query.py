"""Queries of the PBX's stations sent at once share the PBX's answers: the device list is read
twice at most however many come, not once each ahead of the applications' requests."""

from twisted.trial.unittest import TestCase

from tests.driver_rig import DriverRig


class QuerySharingTests(TestCase):
    async def test_queries_sent_at_once_read_the_device_list_twice_at_most(self) -> None:
        rig = DriverRig()
        self.addCleanup(rig.stop)
        await rig.start(["103"])
        asked = rig.sim.operation_counts
        before = asked["escape"]
        code, alone = await rig.api("POST", "/lines/query")
        self.assertEqual(code, 200, alone)
        one = asked["escape"] - before
        self.assertGreater(one, 0)

        before = asked["escape"]
        answers = [rig.api_later("POST", "/lines/query") for _ in range(10)]
        rig.flush()
        self.assertEqual([answer.result for answer in answers], [200] * 10)
        self.assertEqual(asked["escape"] - before, 2 * one)
