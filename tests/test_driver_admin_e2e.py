"""Administration in the running driver: settings, numbers, dialling, lines and licences.

The driver runs against the simulator in memory (the rig of the driver's own end to end tests);
everything is done through its HTTP API, as an administrator or an application would.
"""

import os
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from twisted.logger import Logger, formatEvent
from twisted.trial.unittest import TestCase

from ecsta.driver.licence import LicencePool, issue_key
from ecsta.sim.config import SimConfig
from tests.driver_rig import DriverRig
from tests.test_driver_admin_lines import LOCATION


class AdministrationFlow(TestCase):
    async def begin(self) -> DriverRig:
        h = DriverRig()
        self.addCleanup(h.stop)
        await h.start(["103", "104", "105"])
        self.h = h
        return h

    async def put(self, document: dict[str, Any], status: int = 200) -> Any:
        code, answer = await self.h.api("PUT", "/settings", document)
        self.assertEqual(code, status, answer)
        return answer

    async def test_settings_through_the_api(self) -> None:
        h = await self.begin()
        code, document = await h.api("GET", "/settings")
        self.assertEqual((code, document["advanced"]["readNames"]), (200, True))
        bad = {"numberFormat": {"incoming": [{"search": "^0"}, {"search": "(0"}]}}
        refused = await self.put(bad, 400)
        self.assertEqual(refused["field"], "numberFormat.incoming[1].search")
        self.assertIn("invalid regular expression", refused["message"])
        rules = [{"search": "^0(.*)", "replace": r"\1", "regex": True}]
        taken = await self.put({"numberFormat": {"incoming": rules}})
        self.assertEqual(taken["numberFormat"]["incoming"], rules)
        code, checked = await h.api(
            "POST", "/numberformat/check", {"category": "incoming", "number": "0301"}
        )
        self.assertEqual((code, checked), (200, {"number": "301", "rule": 0}))

    async def test_numbers_of_incoming_calls_follow_the_rules(self) -> None:
        h = await self.begin()
        await self.put(
            {"numberFormat": {"incoming": [{"search": r"^\+49(.*)", "replace": r"0\1"}]}}
        )
        mark = h.mark()
        await h.control("POST", "/incoming", {"from": "+4930123456", "to": "104"})
        h.flush()
        new = next(m for m in h.since(mark, "104") if m["msg"] == "LINE_NEWCALL")["callInfo"]
        self.assertEqual(new["callerId"]["number"], "030123456")
        code, calls = await h.api("GET", "/calls")
        self.assertEqual((code, calls["calls"][0]["callerId"]["number"]), (200, "030123456"))
        await h.person("104", "onhook")

    async def test_internal_numbers_at_the_location(self) -> None:
        h = await self.begin()
        await self.put({"location": LOCATION})
        mark = h.mark()
        code, made = await h.api("POST", "/lines/103/makecall", {"to": "+49(89)1234-104"})
        self.assertEqual(code, 200, made)
        h.flush()
        self.assertTrue(any(m["msg"] == "LINE_NEWCALL" for m in h.since(mark, "104")))
        code, call = await h.api("GET", f"/calls/{made['call']}")
        self.assertEqual(
            (call["callerId"]["number"], call["calledId"]["number"]),
            ("+49(89)1234-103", "+49(89)1234-104"),
        )
        await h.api("POST", f"/calls/{made['call']}/drop")

    async def test_a_number_the_dialling_rules_suppress_is_not_dialled(self) -> None:
        h = await self.begin()
        await self.put({"numberFormat": {"dialing": [{"search": "^0900", "replace": ""}]}})
        code, answer = await h.api("POST", "/lines/103/makecall", {"to": "0900123"})
        self.assertEqual((code, answer["field"]), (400, "to"))
        self.assertEqual(h.calls("103"), {})

    async def test_lines_import_and_export(self) -> None:
        h = await self.begin()
        code, out = await h.api("POST", "/lines/import", raw=b"106,Lab\n103,Desk\n1x\n")
        self.assertEqual((code, [p["line"] for p in out["problems"]]), (400, [3]))
        code, out = await h.api("POST", "/lines/import", raw=b"106,Lab\n103,Desk\n")
        self.assertEqual((code, out["added"], out["renamed"]), (200, ["106"], ["103"]))
        await h.until(lambda: h.driver.lines.get("106") is not None)
        self.assertEqual(h.driver.lines.get("103").name, "Desk")
        code, text = await h.text("/lines/export")
        self.assertEqual((code, text), (200, b"103,Desk\n104\n105\n106,Lab\n"))

    async def test_line_names_read_from_the_pbx_and_the_sip_filter_acting_on_them(self) -> None:
        """The simulator gives the names of its extensions: lines loaded from it carry them in
        GET /lines, and a name rule of the SIP filter leaves out the SIP line it matches."""
        h = await self.begin()
        rule = {"kind": "name-text", "search": "sip 132"}
        await self.put({"sipFilter": {"enabled": True, "rules": [rule]}})
        code, out = await h.api("POST", "/lines/query")
        self.assertEqual(code, 200, out)
        code, answer = await h.api("GET", "/lines")
        self.assertEqual(code, 200)
        names = {line["line"]: line["name"] for line in answer["lines"]}
        self.assertEqual(names["103"], "Extension 103")
        self.assertEqual(names["120"], "Extension 120")
        self.assertEqual(names["121"], "Portable 121")
        self.assertEqual(names["131"], "SIP 131")
        self.assertNotIn("132", names)
        code, checked = await h.api(
            "POST", "/sipfilter/check", {"name": "SIP 132", "number": "132"}
        )
        self.assertEqual(checked, {"filtered": True, "rule": 0})

    async def test_a_pbx_that_refuses_the_names_still_gives_its_lines(self) -> None:
        h = DriverRig()
        self.addCleanup(h.stop)
        sim = SimConfig(names_answer=False)
        await h.start(["103"], sim=sim)
        self.h = h
        await self.put(
            {"sipFilter": {"enabled": True, "rules": [{"kind": "name-text", "search": "sip"}]}}
        )
        code, out = await h.api("POST", "/lines/import", raw=b"103,Front desk\n")
        self.assertEqual((code, out["renamed"]), (200, ["103"]))
        code, out = await h.api("POST", "/lines/query")
        self.assertEqual(code, 200, out)
        code, answer = await h.api("GET", "/lines")
        lines = answer["lines"]
        names = {line["line"]: line["name"] for line in lines}
        self.assertEqual(len(names), 26 - 2)  # every station but the Super-Twin DECTs
        self.assertEqual(names.pop("103"), "Front desk")
        self.assertEqual(set(names.values()), {""})  # nothing for the name rule to match
        self.assertTrue(all(line["inService"] for line in lines))

    async def test_opening_a_line_takes_a_licence(self) -> None:
        h = await self.begin()
        signing = Ed25519PrivateKey.generate()
        directory = self.mktemp()
        os.makedirs(directory)
        pool = LicencePool(directory, public_key=signing.public_key())
        pool.install_key(issue_key(signing, 1, "Test"))
        assert h.driver.admin is not None
        h.driver.admin.licences = pool
        for line in ("103", "104", "105"):
            await h.api("POST", f"/lines/{line}/close")
        code, _ = await h.api("POST", "/lines/103/open")
        self.assertEqual(code, 200)
        code, refused = await h.api("POST", "/lines/104/open")
        self.assertEqual(
            (code, refused["error"], refused["message"]),
            (403, "noLicence", "no line licence left: all 1 are in use on this host"),
        )
        self.assertEqual(h.driver.lines.get("104").monitor_error, refused["message"])
        code, status = await h.api("GET", "/license")
        self.assertEqual(
            (status["mode"], status["linesLicensed"], status["linesInUse"]), ("licensed", 1, 1)
        )
        await h.api("POST", "/lines/103/close")
        code, _ = await h.api("POST", "/lines/104/open")
        self.assertEqual(code, 200)

    async def test_advanced_settings_and_traffic_logging_take_effect_while_running(self) -> None:
        h = await self.begin()
        events: list[dict[str, Any]] = []
        h.driver.traffic.log = Logger(namespace="ecsta.traffic", observer=cast(Any, events.append))
        await h.api("POST", "/lines/103/close")
        self.assertEqual(events, [])
        await self.put(
            {
                "advanced": {"readNames": False, "snapshotInterval": 5},
                "diagnostics": {"trafficLog": True},
            }
        )
        self.assertEqual((h.driver.read_names, h.driver.snapshot_interval), (False, 5.0))
        await h.api("POST", "/lines/103/open")
        logged = [formatEvent(event) for event in events]
        self.assertTrue(
            any(line.startswith("CSTA -> ") and " monitorStart Invoke(" in line for line in logged),
            logged,
        )
        self.assertTrue(
            any(
                line.startswith("CSTA <- ") and " monitorStart ReturnResult(" in line
                for line in logged
            ),
            logged,
        )
        await self.put({"diagnostics": {"trafficLog": False}})
        count = len(events)
        await h.api("POST", "/lines/103/close")
        self.assertEqual(len(events), count)
