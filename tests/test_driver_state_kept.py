"""Settings and lines changed through the API survive a restart, with no stateDirectory
configured, and a change the driver cannot keep is refused rather than answered 200."""

import os
import shutil
from typing import Any

from twisted.internet import defer, reactor
from twisted.trial.unittest import TestCase

from ecsta.driver import tap
from tests.driver_harness import DriverHarness, port_of


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
        self.http = DriverHarness()

    async def start(self) -> int:
        options = tap.Options()
        options.parseOptions(["--config", self.config, "--api", "tcp:0:interface=127.0.0.1"])
        services = tap.build(reactor, options.config)
        services.top.privilegedStartService()
        services.top.startService()
        self.addCleanup(lambda: services.top.running and services.top.stopService())
        self.services = services
        waiting: Any = services.api.listening
        return port_of(await waiting)

    async def stop(self) -> None:
        await defer.maybeDeferred(self.services.top.stopService)

    async def api(self, port: int, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return await self.http.request(port, method, f"/api/v1{path}", body)

    async def test_settings_and_lines_survive_a_restart(self) -> None:
        port = await self.start()
        rule = {"search": "^\\+49", "replace": "0", "regex": True}
        code, _ = await self.api(port, "PUT", "/settings", {"numberFormat": {"dialing": [rule]}})
        self.assertEqual(code, 200)
        code, _ = await self.api(port, "POST", "/lines", {"number": "101", "name": "Desk"})
        self.assertEqual(code, 200)
        await self.stop()

        port = await self.start()
        code, settings = await self.api(port, "GET", "/settings")
        self.assertEqual(settings["numberFormat"]["dialing"], [rule])
        code, lines = await self.api(port, "GET", "/lines")
        self.assertEqual([(x["line"], x["name"]) for x in lines["lines"]], [("101", "Desk")])
        self.assertTrue(os.path.exists(os.path.join(self.state, "settings.json")))

    async def test_a_change_that_cannot_be_kept_is_refused(self) -> None:
        port = await self.start()
        shutil.rmtree(self.state)
        with open(self.state, "w", encoding="utf-8") as stream:
            stream.write("a file where the state directory was")
        code, answer = await self.api(port, "POST", "/lines", {"number": "102"})
        self.assertEqual((code, answer["error"]), (500, "storage"), answer)
        self.assertIn("not saved", answer["message"])
        code, lines = await self.api(port, "GET", "/lines")
        self.assertEqual(lines["lines"], [])
        code, answer = await self.api(port, "PUT", "/settings", {"sipFilter": {"enabled": True}})
        self.assertEqual((code, answer["error"]), (500, "storage"), answer)
        code, settings = await self.api(port, "GET", "/settings")
        self.assertFalse(settings["sipFilter"]["enabled"])
