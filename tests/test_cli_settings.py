"""``ecsta settings show|set`` and ``ecsta sipfilter check`` against a running driver.

On loopback: the command is a blocking HTTP client (run in a thread), which reaches only real
sockets.
"""

import json

from twisted.internet import defer
from twisted.trial.unittest import TestCase

from ecsta.cli.settings import patch_of
from tests.driver_harness import DriverHarness
from tests.test_cli_remote import run


class PatchTests(TestCase):
    def test_assignments_become_one_partial_document(self) -> None:
        self.assertEqual(
            patch_of(
                ["advanced.snapshotInterval=30", "advanced.readNames=false", "location.areaCode=89"]
            ),
            {
                "advanced": {"snapshotInterval": 30, "readNames": False},
                "location": {"areaCode": 89},
            },
        )
        self.assertEqual(
            patch_of(["location.localNumber=1234-0"]), {"location": {"localNumber": "1234-0"}}
        )

    def test_an_assignment_without_value_is_refused(self) -> None:
        self.assertRaises(ValueError, patch_of, ["advanced.readNames"])


class SettingsCommandTests(TestCase):
    timeout = 60

    async def start(self) -> DriverHarness:
        harness = DriverHarness()
        self.addCleanup(lambda: defer.Deferred.fromCoroutine(harness.stop()))
        await harness.start(["101", "102"])
        self.api = f"http://127.0.0.1:{harness.api_port}"
        return harness

    async def test_show_set_and_a_refused_value(self) -> None:
        harness = await self.start()
        status, out, err = await run("settings", "show", "advanced", "--api", self.api)
        self.assertEqual((status, err), (0, ""))
        self.assertIn("snapshotInterval", json.loads(out))

        status, out, err = await run(
            "settings",
            "set",
            "--api",
            self.api,
            "advanced.snapshotInterval=45",
            "sipFilter.enabled=true",
            'sipFilter.rules=[{"kind": "name-text", "search": "SIP"}]',
        )
        self.assertEqual((status, err), (0, ""), out)
        _, document = await harness.api("GET", "/settings")
        self.assertEqual(document["advanced"]["snapshotInterval"], 45)
        self.assertTrue(document["sipFilter"]["enabled"])

        status, out, err = await run(
            "sipfilter", "check", "--api", self.api, "--name", "SIP phone", "--number", "150"
        )
        self.assertEqual((status, out), (0, "filtered (rule 0)\n"), err)

        status, out, err = await run(
            "settings",
            "set",
            "--api",
            self.api,
            'numberFormat.incoming=[{"search": "(", "regex": true}]',
        )
        self.assertEqual((status, out), (1, ""))
        self.assertIn("numberFormat.incoming[0].search", err)
        _, after = await harness.api("GET", "/settings")
        self.assertEqual(after["numberFormat"], document["numberFormat"])
