"""The administration of a driver instance and its HTTP endpoints."""

import json
import os
from io import BytesIO
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from twisted.logger import Logger
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.server import NOT_DONE_YET
from twisted.web.test.requesthelper import DummyRequest

from ecsta.driver.admin import Administration
from ecsta.driver.adminapi import AdminResource, serves
from ecsta.driver.diagnostics import TrafficLog
from ecsta.driver.licence import LicencePool, NoLicenceLeft, issue_key
from ecsta.driver.linestore import ImportResult, LineStore, PbxDevice, StoredLine
from ecsta.driver.settings import DriverSettings, load_settings

MUNICH = {
    "location": {
        "useLocation": True,
        "countryCode": "49",
        "areaCode": "89",
        "localNumber": "1234",
        "extensionRange": "100-199",
    }
}


def call_object(origin: str, **parties: str) -> dict[str, Any]:
    call: dict[str, Any] = {"id": 1, "origin": origin, "callerId": None, "calledId": None}
    for field, number in parties.items():
        call[field] = {"number": number, "name": None}
    return call


class AdministrationTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = self.mktemp()
        os.makedirs(self.directory)
        self.signing = Ed25519PrivateKey.generate()
        self.pool = LicencePool(
            os.path.join(self.directory, "licences"), public_key=self.signing.public_key()
        )
        self.events: list[dict[str, Any]] = []
        self.admin = Administration(
            self.pool,
            settings_path=os.path.join(self.directory, "settings.json"),
            store=LineStore(os.path.join(self.directory, "lines.txt")),
            traffic=TrafficLog(Logger(observer=self.events.append)),  # type: ignore[arg-type]
            instance="munich",
        )


class NumbersTests(AdministrationTestCase):
    def test_extensions_at_the_location_and_external_numbers_by_direction(self) -> None:
        self.admin.update_settings(
            {
                **MUNICH,
                "numberFormat": {
                    "incoming": [{"search": "^0(.*)", "replace": r"\1"}],
                    "outgoing": [{"search": "^(0.*)", "replace": r"+\1"}],
                },
            }
        )
        internal = {"101", "102"}.__contains__
        inbound = self.admin.present_call(
            call_object("LINECALLORIGIN_INBOUND", callerId="0301234", calledId="101"), internal
        )
        self.assertEqual(inbound["callerId"], {"number": "301234", "name": None})
        self.assertEqual(inbound["calledId"]["number"], "49(89)1234-101")
        outbound = self.admin.present_call(
            call_object("LINECALLORIGIN_OUTBOUND", callerId="102", calledId="0301234"), internal
        )
        self.assertEqual(outbound["callerId"]["number"], "49(89)1234-102")
        self.assertEqual(outbound["calledId"]["number"], "+0301234")

    def test_a_suppressed_number_is_reported_as_none(self) -> None:
        self.admin.update_settings(
            {"numberFormat": {"incoming": [{"search": "^[0-9]{3}$", "replace": ""}]}}
        )
        call = self.admin.present_call(
            call_object("LINECALLORIGIN_INTERNAL", callerId="101", calledId="1234"), bool
        )
        self.assertEqual((call["callerId"]["number"], call["calledId"]["number"]), (None, "1234"))

    def test_without_location_internal_numbers_take_the_rules_too(self) -> None:
        self.admin.update_settings(
            {"numberFormat": {"incoming": [{"search": "^([0-9]{3})$", "replace": r"0301234\1"}]}}
        )
        call = self.admin.present_call(call_object("LINECALLORIGIN_INTERNAL", callerId="101"), bool)
        self.assertEqual(call["callerId"]["number"], "0301234101")

    def test_what_is_dialled(self) -> None:
        self.admin.update_settings(
            {
                **MUNICH,
                "numberFormat": {"dialing": [{"search": r"^\+49(.*)", "replace": r"0\1"}]},
            }
        )
        self.assertEqual(self.admin.dialable("+49(89)1234-105"), "105")
        self.assertEqual(self.admin.dialable("+4930123456"), "030123456")
        self.assertEqual(self.admin.dialable("0815"), "0815")

    def test_which_devices_become_lines(self) -> None:
        self.admin.update_settings(
            {
                **MUNICH,
                "sipFilter": {"enabled": True, "rules": [{"kind": "name-text", "search": "gw"}]},
            }
        )
        self.assertTrue(self.admin.takes_device(PbxDevice("101", "Reception")))
        self.assertTrue(self.admin.takes_device(PbxDevice("102", "GW desk")))
        self.assertFalse(self.admin.takes_device(PbxDevice("103", "GW trunk", sip=True)))
        self.assertFalse(self.admin.takes_device(PbxDevice("201", "Outside the range")))
        self.assertTrue(self.admin.is_extension("150"))
        self.assertFalse(self.admin.is_extension("250"))


class SettingsTests(AdministrationTestCase):
    def test_an_update_is_saved_applied_and_announced(self) -> None:
        seen: list[DriverSettings] = []
        self.admin.listeners.append(seen.append)
        updated = self.successResultOf(
            self.admin.update_settings({"advanced": {"snapshotInterval": 5}})
        )
        self.assertEqual(seen, [updated])
        self.assertEqual(load_settings(self.admin.settings_path or ""), updated)

    def test_a_refused_update_changes_nothing(self) -> None:
        seen: list[DriverSettings] = []
        self.admin.listeners.append(seen.append)
        with self.assertRaises(ValueError):
            self.admin.update_settings({"sipFilter": {"rules": [{"kind": "x", "search": "y"}]}})
        self.assertEqual((seen, self.admin.settings), ([], DriverSettings()))
        self.assertFalse(os.path.exists(self.admin.settings_path or ""))

    def test_traffic_logging_follows_the_setting_while_running(self) -> None:
        monitor_start = bytes.fromhex("a111020178020147300930058003313031a000")
        self.admin.traffic.sent(monitor_start, "pbx")
        self.admin.update_settings({"diagnostics": {"trafficLog": True}})
        self.admin.traffic.sent(monitor_start, "pbx")
        self.admin.update_settings({"diagnostics": {"trafficLog": False}})
        self.admin.traffic.sent(monitor_start, "pbx")
        self.assertEqual(len(self.events), 1)


class LicenceTests(AdministrationTestCase):
    def test_lines_of_two_instances_share_the_pool_without_mixing_up(self) -> None:
        self.pool.install_key(issue_key(self.signing, 2, "A"))
        other = Administration(self.pool, instance="berlin")
        self.admin.take_licence("101")
        other.take_licence("101")
        with self.assertRaises(NoLicenceLeft):
            other.take_licence("102")
        self.admin.give_back_licence("101")
        other.take_licence("102")
        self.assertEqual(self.admin.licence_status()["linesInUse"], 2)


class EndpointTests(AdministrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.imported: list[ImportResult] = []
        self.resource = AdminResource(
            self.admin,
            lambda request: request.getHeader("authorization") == "Bearer letmein",
            self.imported.append,
        )

    def request(
        self, method: str, path: str, body: Any = None, authorized: bool = True
    ) -> tuple[int, bytes, DummyRequest]:
        request = DummyRequest([p.encode() for p in path.split("?")[0].split("/")])
        request.method = method.encode()
        if "?" in path:
            name, _, value = path.split("?")[1].partition("=")
            request.args[name.encode()] = [value.encode()]
        raw = (
            b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        )
        request.content = BytesIO(raw)  # type: ignore[attr-defined]
        if authorized:
            request.requestHeaders.addRawHeader(b"authorization", b"Bearer letmein")
        out = self.resource.render(request)  # type: ignore[arg-type]
        if out == NOT_DONE_YET:
            out = b"".join(request.written)
        return request.responseCode or 200, out, request

    def json(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, out, _ = self.request(method, path, body)
        return status, json.loads(out)

    def test_the_administration_paths(self) -> None:
        for path in (["settings"], ["numberformat", "check"], ["lines", "export"], ["license"]):
            self.assertTrue(serves(path), path)
        for path in (["lines"], ["lines", "101"], ["lines", "query"], ["calls"]):
            self.assertFalse(serves(path), path)

    def test_settings_read_and_partial_update(self) -> None:
        status, document = self.json("GET", "settings")
        self.assertEqual((status, document), (200, DriverSettings().to_document()))
        status, document = self.json("PUT", "settings", {"advanced": {"readNames": False}})
        self.assertEqual((status, document["advanced"]["readNames"]), (200, False))
        self.assertEqual(document["advanced"]["snapshotInterval"], 60.0)

    def test_an_invalid_setting_is_a_400_naming_the_field(self) -> None:
        rules = [{"search": "^0"}, {"search": "^1"}, {"search": "^(2"}]
        status, body = self.json("PUT", "settings", {"numberFormat": {"incoming": rules}})
        self.assertEqual(
            (status, body["error"], body["field"]),
            (400, "invalidSetting", "numberFormat.incoming[2].search"),
        )
        self.assertTrue(
            body["message"].startswith("numberFormat.incoming[2].search: invalid regular")
        )
        self.assertEqual(self.json("GET", "settings")[1], DriverSettings().to_document())

    def test_bad_json_is_refused(self) -> None:
        self.assertEqual(self.json("PUT", "settings", b"{")[0], 400)
        self.assertEqual(self.json("PUT", "settings", [1])[1]["error"], "badJson")

    def test_number_format_check(self) -> None:
        self.json(
            "PUT",
            "settings",
            {"numberFormat": {"dialing": [{"search": "115", "replace": "215", "regex": False}]}},
        )
        self.assertEqual(
            self.json("POST", "numberformat/check", {"category": "dialing", "number": "115"}),
            (200, {"number": "215", "rule": 0}),
        )
        self.assertEqual(
            self.json("POST", "numberformat/check", {"category": "dialing", "number": "116"}),
            (200, {"number": "116", "rule": None}),
        )
        status, body = self.json("POST", "numberformat/check", {"category": "x", "number": "1"})
        self.assertEqual((status, body["field"]), (400, "category"))

    def test_sip_filter_check(self) -> None:
        self.json(
            "PUT",
            "settings",
            {"sipFilter": {"enabled": True, "rules": [{"kind": "number-regex", "search": "^9"}]}},
        )
        self.assertEqual(
            self.json("POST", "sipfilter/check", {"name": "x", "number": "901"}),
            (200, {"filtered": True, "rule": 0}),
        )
        self.assertEqual(
            self.json("POST", "sipfilter/check", {"name": "x", "number": "101"}),
            (200, {"filtered": False, "rule": None}),
        )

    def test_licence_status(self) -> None:
        status, body = self.json("GET", "license")
        self.assertEqual(
            (status, body["mode"], body["linesLicensed"], body["daysLeft"]), (200, "trial", 25, 45)
        )

    def test_import_and_export_in_the_text_format(self) -> None:
        status, body = self.json("POST", "lines/import", b"101,Reception\n102\n")
        self.assertEqual(
            (status, body),
            (200, {"added": ["101", "102"], "renamed": [], "removed": [], "lines": 2}),
        )
        self.assertEqual(self.imported, [ImportResult(added=("101", "102"))])
        status, out, request = self.request("GET", "lines/export")
        self.assertEqual((status, out), (200, b"101,Reception\n102\n"))
        self.assertEqual(
            request.responseHeaders.getRawHeaders(b"content-type"), [b"text/plain; charset=utf-8"]
        )
        status, body = self.json("POST", "lines/import?replace=true", b"102\n")
        self.assertEqual(body["removed"], ["101"])

    def test_an_import_with_bad_lines_is_refused_whole(self) -> None:
        self.json("POST", "lines/import", b"100\n")
        status, body = self.json("POST", "lines/import", b"101\nbad\n102\n103,\x01\n")
        self.assertEqual((status, body["error"]), (400, "badLines"))
        self.assertEqual([p["line"] for p in body["problems"]], [2, 4])
        self.assertEqual(self.admin.store.lines, (StoredLine("100"),))
        self.assertEqual(len(self.imported), 1)
        self.assertEqual(self.json("POST", "lines/import", b"\xff\xfe1")[0], 400)

    def test_a_token_is_required(self) -> None:
        status, out, request = self.request("GET", "settings", authorized=False)
        self.assertEqual(status, 401)
        self.assertEqual(
            request.responseHeaders.getRawHeaders(b"www-authenticate"),
            [b'Bearer realm="ecsta-driver"'],
        )
        self.assertEqual(json.loads(out)["error"], "unauthorized")

    def test_wrong_methods_and_paths(self) -> None:
        self.assertEqual(self.json("DELETE", "settings")[0], 405)
        self.assertEqual(self.json("GET", "settings/extra")[0], 404)

    def test_a_failed_save_is_reported_and_changes_nothing(self) -> None:
        os.makedirs(self.admin.settings_path or "")
        status, body = self.json("PUT", "settings", {"advanced": {"readNames": False}})
        self.assertEqual((status, body["error"]), (500, "storage"))
        self.assertTrue(self.admin.settings.advanced.read_names)
