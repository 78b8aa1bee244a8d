"""Lines added through the API and the licences they hold, in the running driver.

The driver runs against the simulator in memory (the rig of the driver's end to end tests);
everything is done through its HTTP API.
"""

import os
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from twisted.trial.unittest import TestCase

from ecsta.driver.licence import LicencePool, issue_key
from tests.driver_rig import DriverRig


class LinesFlow(TestCase):
    async def begin(self, lines: list[str], **kwargs: Any) -> DriverRig:
        h = DriverRig()
        self.addCleanup(h.stop)
        await h.start(lines, **kwargs)
        return h

    def pool(self, h: DriverRig, lines: int) -> LicencePool:
        """A pool of ``lines`` licences for the running driver."""
        signing = Ed25519PrivateKey.generate()
        directory = self.mktemp()
        os.makedirs(directory)
        pool = LicencePool(directory, public_key=signing.public_key())
        pool.install_key(issue_key(signing, lines, "Test"))
        assert h.driver.admin is not None
        h.driver.admin.licences = pool
        return pool


class AddLineTests(LinesFlow):
    async def test_numbers_follow_the_rule_of_the_line_file(self) -> None:
        h = await self.begin(["103"])
        pool = self.pool(h, 5)
        for number, words in (
            ("10a", "not a phone number"),
            ("1" * 40, "not a phone number"),
            ("", "not a phone number"),
        ):
            code, answer = await h.api("POST", "/lines", {"number": number})
            self.assertEqual((code, answer["error"]), (400, "badRequest"), number)
            self.assertIn("'number'", answer["message"])
            self.assertIn(words, answer["message"])
        code, answer = await h.api("POST", "/lines", {"number": "150", "name": "a\nb"})
        self.assertEqual(code, 400)
        self.assertIn("'name'", answer["message"])
        self.assertEqual([line.number for line in h.driver.lines], ["103"])
        self.assertEqual(pool.status().to_document()["linesInUse"], 0)
        self.assertEqual([line.number for line in h.driver.admin.store.lines], ["103"])

    async def test_a_feature_code_is_a_line_the_store_keeps(self) -> None:
        h = await self.begin(["103"])
        code, answer = await h.api("POST", "/lines", {"number": " *7 ", "name": "Night"})
        self.assertEqual((code, answer["line"]), (200, "*7"), answer)
        h.flush()
        stored = h.driver.admin.store.get("*7")
        self.assertEqual((stored.number, stored.name), ("*7", "Night"))


class RefusedLineLicenceTests(LinesFlow):
    async def test_a_line_the_pbx_refuses_holds_no_licence(self) -> None:
        h = await self.begin(["103"], monitor_retry_interval=0.2)
        pool = self.pool(h, 1)
        await h.api("POST", "/lines/103/close")

        def in_use() -> int:
            return int(pool.status().to_document()["linesInUse"])

        code, line = await h.api("POST", "/lines", {"number": "150"})
        self.assertEqual(code, 200, line)
        h.flush()
        line = (await h.api("GET", "/lines/150"))[1]
        self.assertIn("invalidDeviceID", line["monitorError"])
        self.assertEqual(in_use(), 0)
        # The licence the mistyped line gave back serves a line the PBX monitors.
        code, line = await h.api("POST", "/lines/103/open")
        self.assertEqual((code, line["inService"]), (200, True), line)
        self.assertEqual(in_use(), 1)
        # The extension appears: the retry finds the pool empty and says so.
        await h.control("POST", "/devices", {"number": "150", "kind": "station"})
        await h.until(
            lambda: "no line licence left" in (h.driver.lines.get("150").monitor_error or ""),
            timeout=5,
        )
        self.assertFalse(h.driver.lines.get("150").in_service)
        # Once a licence is free, the retry takes it and monitors the line.
        await h.api("POST", "/lines/103/close")
        await h.until(lambda: h.driver.lines.get("150").in_service, timeout=5)
        line = (await h.api("GET", "/lines/150"))[1]
        self.assertEqual((line["inService"], line["monitorError"]), (True, None))
        self.assertEqual(in_use(), 1)


LOCATION = {
    "useLocation": True,
    "canonical": True,
    "countryCode": "49",
    "areaCode": "89",
    "localNumber": "1234",
    "extensionRange": "100-199",
}


class LineNumberFormTests(LinesFlow):
    async def test_line_objects_show_the_canonical_number_under_the_same_id(self) -> None:
        h = await self.begin(["103"])
        code, line = await h.api("GET", "/lines/103")
        self.assertEqual((code, line["line"], line.get("number")), (200, "103", None))
        code, answer = await h.api(
            "PUT", "/settings", {"location": {**LOCATION, "lineNumbers": "canonical"}}
        )
        self.assertEqual((code, answer["location"]["lineNumbers"]), (200, "canonical"), answer)
        code, line = await h.api("GET", "/lines/103")
        self.assertEqual((line["line"], line["number"]), ("103", "+49(89)1234-103"))
        code, lines = await h.api("GET", "/lines")
        self.assertEqual([item["number"] for item in lines["lines"]], ["+49(89)1234-103"])
        mark = h.mark()
        await h.api("POST", "/lines", {"number": "104"})
        h.flush()
        created = next(m for m in h.since(mark, "104") if m["msg"] == "LINE_CREATE")
        self.assertEqual(
            (created["line"], created["lineInfo"]["number"]), ("104", "+49(89)1234-104")
        )
        await h.api("PUT", "/settings", {"location": {**LOCATION, "canonical": False}})
        code, line = await h.api("GET", "/lines/104")
        self.assertEqual((line["line"], line["number"]), ("104", "49(89)1234-104"))

    async def test_the_canonical_form_needs_the_location(self) -> None:
        h = await self.begin(["103"])
        code, answer = await h.api("PUT", "/settings", {"location": {"lineNumbers": "canonical"}})
        self.assertEqual((code, answer["field"]), (400, "location.lineNumbers"), answer)
        code, answer = await h.api("PUT", "/settings", {"location": {"lineNumbers": "located"}})
        self.assertEqual((code, answer["field"]), (400, "location.lineNumbers"), answer)
        code, line = await h.api("GET", "/lines/103")
        self.assertNotIn("number", line)
