"""Settings and lines changed through the API survive a restart, with no stateDirectory
configured, and a change the driver cannot keep is refused rather than answered 200."""

import os
import shutil
from typing import Any

from twisted.trial.unittest import TestCase

from ecsta.driver import tap
from tests.driver_rig import API, DriverRig, driver_config


class StateKeptTests(TestCase):
    def setUp(self) -> None:
        self.base = os.path.abspath(self.mktemp())
        os.makedirs(self.base)
        self.config = os.path.join(self.base, "driver.toml")
        with open(self.config, "w", encoding="utf-8") as stream:
            stream.write(
                f'[admin]\nlicenceDirectory = "{self.base}/pool"\n'
                '[pbx]\nendpoint = "tcp:host=127.0.0.1:port=9"\n'
            )
        # What systemd's StateDirectory=ecsta ecsta/driver hands the service.
        self.state = os.path.join(self.base, "lib", "driver")
        environ = dict(os.environ, STATE_DIRECTORY=f"{self.base}/lib:{self.state}")
        self.patch(os, "environ", environ)
        self.rig = DriverRig()
        self.addCleanup(self.rig.stop)

    async def start(self) -> None:
        """The driver as ``twistd`` configures it from the file; the PBX it names never
        answers."""
        options = tap.Options()
        options.parseOptions(["--config", self.config, "--api", "tcp:0:interface=127.0.0.1"])
        await self.rig.start_config(options.config, None, ready=False)

    async def stop(self) -> None:
        await self.rig.stop_driver()

    def break_state_directory(self) -> None:
        """A file where the state directory was, so that nothing can be saved."""
        os.rename(self.state, self.state + ".kept")
        with open(self.state, "w", encoding="utf-8") as stream:
            stream.write("a file where the state directory was")

    def mend_state_directory(self) -> None:
        os.remove(self.state)
        os.rename(self.state + ".kept", self.state)

    async def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return await self.rig.api(method, path, body)

    async def test_settings_and_lines_survive_a_restart(self) -> None:
        await self.start()
        rule = {"search": "^\\+49", "replace": "0", "regex": True}
        code, _ = await self.api("PUT", "/settings", {"numberFormat": {"dialing": [rule]}})
        self.assertEqual(code, 200)
        code, _ = await self.api("POST", "/lines", {"number": "101", "name": "Desk"})
        self.assertEqual(code, 200)
        await self.stop()

        await self.start()
        code, settings = await self.api("GET", "/settings")
        self.assertEqual(settings["numberFormat"]["dialing"], [rule])
        code, lines = await self.api("GET", "/lines")
        self.assertEqual([(x["line"], x["name"]) for x in lines["lines"]], [("101", "Desk")])
        self.assertTrue(os.path.exists(os.path.join(self.state, "settings.json")))

    async def test_a_change_that_cannot_be_kept_is_refused(self) -> None:
        await self.start()
        shutil.rmtree(self.state)
        with open(self.state, "w", encoding="utf-8") as stream:
            stream.write("a file where the state directory was")
        code, answer = await self.api("POST", "/lines", {"number": "102"})
        self.assertEqual((code, answer["error"]), (500, "storage"), answer)
        self.assertIn("not saved", answer["message"])
        code, lines = await self.api("GET", "/lines")
        self.assertEqual(lines["lines"], [])
        code, answer = await self.api("PUT", "/settings", {"sipFilter": {"enabled": True}})
        self.assertEqual((code, answer["error"]), (500, "storage"), answer)
        code, settings = await self.api("GET", "/settings")
        self.assertFalse(settings["sipFilter"]["enabled"])

    async def test_lines_loaded_from_the_pbx_that_cannot_be_kept_are_a_problem(self) -> None:
        """Lines the PBX lists work, but a restart forgets those the line store could not take:
        the query answers 500 "not saved" as every other change that cannot be kept, saying
        that they work; the status says so too, and a later load that is kept clears it."""
        config = driver_config(API, ["103"], {}, state_directory=self.state)
        await self.rig.start_config(config, lambda _: self.rig.add_sim())
        self.break_state_directory()
        code, answer = await self.api("POST", "/lines/query")
        self.assertEqual((code, answer["error"]), (500, "storage"), answer)
        self.assertRegex(
            answer["message"],
            "^not saved: lines loaded from the PBX work but are lost at a restart"
            r" \([0-9]+ not kept\): ",
        )
        code, lines = await self.api("GET", "/lines")
        self.assertIn(("120", True), [(line["line"], line["inService"]) for line in lines["lines"]])
        code, status = await self.api("GET", "/status")
        [problem] = status["problems"]
        self.assertIn("lines loaded from the PBX not kept, lost at a restart", problem)

        self.mend_state_directory()
        code, _ = await self.api("DELETE", "/lines/120")
        self.assertEqual(code, 200)
        code, _ = await self.api("POST", "/lines/query")
        self.assertEqual(code, 200)
        await self.rig.until(lambda: self.rig.driver.keep_error is None)
        code, status = await self.api("GET", "/status")
        self.assertEqual(status["problems"], [])
        # Cleared because every line the first query made is kept now, not only line 120.
        assert self.rig.driver.admin is not None
        stored = {line.number for line in self.rig.driver.admin.store.lines}
        self.assertLessEqual({line.number for line in self.rig.driver.lines}, stored)

    async def test_lines_not_kept_are_saved_by_the_periodic_retry_once_they_can_be(self) -> None:
        """Once the state directory takes writes again, the lines a query could not keep are
        saved without another query, and the problem goes."""
        retry = 30.0
        wanted: Any = {"monitor_retry_interval": retry}
        config = driver_config(API, ["103"], wanted, state_directory=self.state)
        await self.rig.start_config(config, lambda _: self.rig.add_sim())
        self.break_state_directory()
        code, _ = await self.api("POST", "/lines/query")
        self.assertEqual(code, 500)
        self.assertIsNotNone(self.rig.driver.keep_error)
        self.mend_state_directory()
        await self.rig.until(lambda: self.rig.driver.keep_error is None, timeout=2 * retry)
        code, status = await self.api("GET", "/status")
        self.assertEqual(status["problems"], [])
        assert self.rig.driver.admin is not None
        stored = {line.number for line in self.rig.driver.admin.store.lines}
        self.assertLessEqual({line.number for line in self.rig.driver.lines}, stored)
