"""A line closed or removed while the licence pool cannot record the licence it gives back:
the line is closed (or removed) all the same, the answer says that its licence is still
counted, the status names it, and the monitor retry gives it back once the pool can."""

import os

from twisted.trial.unittest import TestCase

from ecsta.driver.licence import LicencePool
from tests.driver_rig import DriverRig
from tests.logged import logged_lines

RETRY = 30.0


class LicenceReturnTests(TestCase):
    async def started(self) -> None:
        self.rig = DriverRig()
        self.addCleanup(self.rig.stop)
        await self.rig.start(["101", "102"], monitor_retry_interval=RETRY)
        self.directory = os.path.abspath(self.mktemp())
        os.makedirs(self.directory)
        self.pool = LicencePool(self.directory)
        self.rig.driver.admin.licences = self.pool
        for line in ("101", "102"):
            await self.rig.api("POST", f"/lines/{line}/close")
            await self.rig.api("POST", f"/lines/{line}/open")
        self.assertEqual(self.pool.status().lines_in_use, 2)

    def break_pool(self) -> None:
        """The pool's directory gives way to a file: nothing can be written there."""
        os.rename(self.directory, self.directory + ".kept")
        with open(self.directory, "w", encoding="utf-8") as stream:
            stream.write("a file where the licence directory was")

    def mend_pool(self) -> None:
        os.remove(self.directory)
        os.rename(self.directory + ".kept", self.directory)

    async def given_back_by_the_retry(self) -> None:
        """Once the pool can be written, the next retry gives the licence back: one line is
        left in use, and no problem is named any more."""
        self.rig.clock.advance(RETRY)
        self.rig.flush()
        self.assertEqual(self.pool.status().lines_in_use, 1)
        _, status = await self.rig.api("GET", "/status")
        self.assertEqual(status["problems"], [])

    async def test_a_line_closed_while_the_pool_cannot_record_it(self) -> None:
        await self.started()
        logged = logged_lines(self)
        self.break_pool()
        code, answer = await self.rig.api("POST", "/lines/101/close")
        self.assertEqual(code, 200, answer)
        self.assertFalse(answer["open"])
        self.assertRegex(
            answer["licenceNotReturned"],
            "^not recorded as given back to the licence pool, which counts it as in use: .*File",
        )
        code, status = await self.rig.api("GET", "/status")
        [problem] = status["problems"]
        self.assertRegex(
            problem,
            "^the licence of line 101 is not recorded as given back to the licence pool,"
            " which counts it as in use: ",
        )
        for _ in range(3):  # the retry fails again each period, and says so once
            self.rig.clock.advance(RETRY)
            self.rig.flush()
        warned = [line for line in logged if "line 101: licence not recorded" in line]
        self.assertEqual(len(warned), 1, warned)

        self.mend_pool()
        self.assertEqual(self.pool.status().lines_in_use, 2)
        await self.given_back_by_the_retry()

    async def test_a_line_removed_while_the_pool_cannot_record_it(self) -> None:
        await self.started()
        self.break_pool()
        code, answer = await self.rig.api("DELETE", "/lines/102")
        self.assertEqual(code, 200, answer)
        self.assertIn("licenceNotReturned", answer)
        code, lines = await self.rig.api("GET", "/lines")
        self.assertEqual([line["line"] for line in lines["lines"]], ["101"])
        code, status = await self.rig.api("GET", "/status")
        [problem] = status["problems"]
        self.assertIn("the licence of line 102 is not recorded as given back", problem)

        self.mend_pool()
        await self.given_back_by_the_retry()

    async def test_a_shutdown_the_pool_cannot_record_names_why(self) -> None:
        """The licences go back at shutdown; a pool that cannot be written then is one line
        in the log, and the driver stops all the same."""
        await self.started()
        logged = logged_lines(self)
        self.break_pool()
        await self.rig.api("POST", "/lines/101/close")
        stopped = self.rig.driver.stopService()
        assert stopped is not None
        self.rig.flush()
        await stopped
        self.assertFalse(self.rig.driver.running)
        [warned] = [line for line in logged if "line licences not given back" in line]
        self.assertIn("File", warned)
        self.mend_pool()
