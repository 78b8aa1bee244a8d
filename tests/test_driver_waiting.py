"""Applications' requests that wait for a place in flight to the PBX are bounded: one more is
refused at once, and status and metrics count the refusals."""

from typing import Any, cast

from twisted.internet.defer import Deferred
from twisted.logger import ILogObserver, Logger, formatEvent
from twisted.trial.unittest import TestCase

from tests.driver_rig import DriverRig
from tests.test_metrics import parse, value

FORWARD = {"forwards": [{"mode": "LINEFORWARDMODE_UNCOND", "to": "104"}]}


class WaitingBoundTests(TestCase):
    async def filled(self) -> tuple[DriverRig, list[Deferred[int]]]:
        """A driver whose PBX stopped answering, with every place in flight taken and as many
        requests waiting as may: the requests' answers, none given yet."""
        rig = DriverRig()
        self.addCleanup(rig.stop)
        await rig.start(["103"])
        driver = rig.driver
        rig.silence_pbx()
        taken = driver.max_in_flight + driver.max_waiting
        pending = [rig.api_later("POST", "/lines/103/forward", FORWARD) for _ in range(taken)]
        rig.flush()
        self.assertEqual([d for d in pending if d.called], [])
        self.assertEqual(driver.waiting, driver.max_waiting)
        return rig, pending

    async def test_a_request_past_the_bound_is_refused_at_once(self) -> None:
        rig, pending = await self.filled()
        driver = rig.driver
        taken = len(pending)
        sent = rig.sim.operation_counts
        before = sent["setForwarding"]  # the silenced PBX has none of them yet

        mark = rig.mark()
        code, answer = await rig.api("POST", "/lines/103/forward", FORWARD)
        self.assertEqual(
            (code, answer["error"], answer["lineError"]),
            (503, "pbxBusy", "LINEERR_RESOURCEUNAVAIL"),
            answer,
        )
        self.assertIn("too many requests waiting for the PBX", answer["message"])
        [reply] = [m for m in rig.since(mark) if m["msg"] == "LINE_REPLY"]
        self.assertEqual(reply["error"]["error"], "pbxBusy")
        code, status = await rig.api("GET", "/status")
        self.assertEqual(
            status["instances"][0]["requests"],
            {"waiting": driver.max_waiting, "maxWaiting": driver.max_waiting, "refusedBusy": 1},
        )
        samples = parse((await rig.text("/metrics"))[1].decode("utf-8"))
        self.assertEqual(value(samples, "ecsta_driver_pbx_requests_refused_busy_total"), 1)
        self.assertEqual(value(samples, "ecsta_driver_pbx_requests_waiting"), driver.max_waiting)

        # Those let through are sent and answered once the PBX answers again; the one
        # refused never reached it.
        rig.unsilence_pbx()
        rig.flush()
        self.assertEqual([d.result for d in pending], [200] * taken)
        self.assertEqual(sent["setForwarding"] - before, taken)
        code, status = await rig.api("GET", "/status")
        self.assertEqual(status["instances"][0]["requests"]["waiting"], 0)
        self.assertEqual(status["instances"][0]["requests"]["refusedBusy"], 1)

    async def test_a_burst_of_refusals_is_warned_of_once_naming_the_cause(self) -> None:
        rig, _ = await self.filled()
        logged: list[dict[str, Any]] = []
        rig.driver.log = Logger(observer=cast(ILogObserver, logged.append))
        for _ in range(3):
            code, answer = await rig.api("POST", "/lines/103/forward", FORWARD)
            self.assertEqual((code, answer["error"]), (503, "pbxBusy"))
        [warning] = [formatEvent(event) for event in logged]
        self.assertIn(
            "application requests refused: too many requests waiting for the PBX", warning
        )
        self.assertEqual(rig.driver.refused_busy, 3)
