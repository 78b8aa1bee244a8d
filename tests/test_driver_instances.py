"""One driver service, several instances: each its own PBX, lines and settings, one API.

The configuration first: a file without ``[[instances]]`` is the one instance it always was,
and an ``[[instances]]`` array gives every instance its own PBX, lines, state and settings,
taking the rest from the top level. Then end to end: two instances against two simulators in
memory whose extension numbers overlap (both have 101 and 102), behind one API.
"""

import json
import os
import tomllib
from typing import Any, cast

from prometheus_client.parser import text_string_to_metric_families
from twisted.internet.testing import MemoryReactorClock
from twisted.logger import ILogObserver, globalLogPublisher
from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase, TestCase

from ecsta.driver import tap
from ecsta.driver.config import ConfigError, DriverConfig, parse
from ecsta.driver.instances import Instances
from tests.driver_rig import API, DriverRig

BERLIN = {
    "useLocation": True,
    "countryCode": "49",
    "areaCode": "30",
    "localNumber": "12345",
    "extensionRange": "101-120",
}
MUNICH = {**BERLIN, "areaCode": "89", "localNumber": "1234"}


def two_instances(**top: Any) -> dict[str, Any]:
    """A configuration document with the instances berlin and munich."""
    return {
        **top,
        "instances": [
            {"name": "berlin", "pbx": "tcp:host=192.0.2.1:port=33333", "lines": ["101"]},
            {"name": "munich", "pbx": "tcp:host=192.0.2.2:port=33333", "lines": ["101"]},
        ],
    }


class ConfigTests(SynchronousTestCase):
    def refused(self, document: dict[str, Any]) -> str:
        with self.assertRaises(ConfigError) as caught:
            parse(document)
        return caught.exception.key

    def test_a_file_without_instances_is_the_one_instance(self) -> None:
        config = parse(
            {
                "pbx": {"endpoint": "tcp:host=192.0.2.1:port=33333"},
                "lines": {"numbers": ["101"]},
                "admin": {"instance": "office"},
            }
        )
        self.assertEqual(config.instances, [])
        self.assertEqual(config.each_instance(), [config])
        self.assertEqual((config.instance, config.lines), ("office", ["101"]))

    def test_instances_take_what_they_leave_out_from_the_top_level(self) -> None:
        document = two_instances(
            pbx={"requestTimeout": 4},
            advanced={"snapshotInterval": 5},
            admin={"stateDirectory": "/srv/state", "licenceDirectory": "/srv/pool"},
            location=BERLIN,
            numberFormat={"incoming": [{"search": "0", "replace": ""}]},
        )
        second = document["instances"][1]
        second.update(
            {
                "user": "driver",
                "password": "secret",
                "requestTimeout": 9,
                "names": {"101": "Reception"},
                "stateDirectory": "/srv/munich",
                "advanced": {"snapshotInterval": 0},
                "location": MUNICH,
                "sim": "munich.toml",
            }
        )
        config = parse(document)
        berlin, munich = config.each_instance()
        self.assertEqual((berlin.instance, munich.instance), ("berlin", "munich"))
        self.assertEqual(berlin.pbx, "tcp:host=192.0.2.1:port=33333")
        self.assertEqual((berlin.user, munich.user, munich.password), (None, "driver", "secret"))
        self.assertEqual((berlin.request_timeout, munich.request_timeout), (4.0, 9.0))
        self.assertEqual((berlin.snapshot_interval, munich.snapshot_interval), (5.0, 0.0))
        self.assertEqual((berlin.names, munich.names), ({}, {"101": "Reception"}))
        self.assertEqual(berlin.state_directory, os.path.join("/srv/state", "berlin"))
        self.assertEqual(munich.state_directory, "/srv/munich")
        self.assertEqual((berlin.sim_config, munich.sim_config), (None, "munich.toml"))
        self.assertEqual(berlin.settings["location"], BERLIN)
        self.assertEqual(munich.settings["location"], MUNICH)
        self.assertEqual(munich.settings["numberFormat"], berlin.settings["numberFormat"])
        self.assertEqual(munich.licence_directory, "/srv/pool")

    def test_what_is_wrong_with_an_instance_is_named(self) -> None:
        cases: list[tuple[Any, str]] = [
            ({"name": "x"}, "instances[0].pbx"),
            ({"pbx": "sim"}, "instances[0].name"),
            ({"name": "a b", "pbx": "sim"}, "instances[0].name"),
            ({"name": "a", "pbx": "sim", "api": {}}, "instances[0].api"),
            ({"name": "a", "pbx": "sim", "lines": ["1 1"]}, "instances[0].lines[0]"),
            ({"name": "a", "pbx": "sim", "advanced": {"x": 1}}, "instances[0].advanced.x"),
            ({"name": "a", "pbx": "sim", "location": "49"}, "instances[0].location"),
            ({"name": "a", "pbx": "sim", "requestTimeout": -1}, "instances[0].requestTimeout"),
        ]
        for entry, key in cases:
            self.assertEqual(self.refused({"instances": [entry]}), key, entry)
        self.assertEqual(self.refused({"instances": {"name": "a"}}), "instances")
        self.assertEqual(self.refused({"instances": []}), "instances")

    def test_instances_must_not_share_a_name_or_a_state_directory(self) -> None:
        document = two_instances()
        document["instances"][1]["name"] = "berlin"
        self.assertEqual(self.refused(document), "instances[1].name")
        document = two_instances()
        for entry in document["instances"]:
            entry["stateDirectory"] = "/srv/state"
        self.assertEqual(self.refused(document), "instances[1].stateDirectory")

    def test_what_belongs_to_one_pbx_is_refused_at_the_top_level(self) -> None:
        for section, key, value in (
            ("pbx", "endpoint", "sim"),
            ("pbx", "user", "driver"),
            ("lines", "numbers", []),
            ("admin", "instance", "office"),
        ):
            document = two_instances(**{section: {key: value}})
            self.assertEqual(self.refused(document), f"{section}.{key}")

    def test_the_command_line_cannot_name_a_pbx_for_several(self) -> None:
        path = self.mktemp()
        with open(path, "w", encoding="utf-8") as stream:
            stream.write('[[instances]]\nname = "berlin"\npbx = "tcp:host=192.0.2.1:port=33333"\n')
        options = tap.Options()
        with self.assertRaises(usage.UsageError) as caught:
            options.parseOptions(["--config", path, "--pbx", "sim"])
        self.assertIn("--pbx", str(caught.exception))
        options = tap.Options()
        options.parseOptions(["--config", path, "--api", "tcp:0:interface=127.0.0.1"])
        self.assertEqual(options.config.api, "tcp:0:interface=127.0.0.1")

    def test_each_instance_gets_its_own_login(self) -> None:
        events: list[dict[str, Any]] = []
        observer = cast(ILogObserver, events.append)
        globalLogPublisher.addObserver(observer)
        self.addCleanup(globalLogPublisher.removeObserver, observer)
        path = self.mktemp()
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(
                '[[instances]]\nname = "berlin"\npbx = "tls:host=mux.example:port=33334"\n'
                '[[instances]]\nname = "munich"\npbx = "tcp:host=192.0.2.2:port=33333"\n'
                'user = "driver"\n'
            )
        options = tap.Options()
        with self.assertRaises(usage.UsageError) as caught:
            options.parseOptions(["--config", path])
        self.assertIn("instances[1].password", str(caught.exception))
        berlin = [e for e in events if "admin/admin" in e.get("log_format", "")]
        self.assertEqual([e["instance"] for e in berlin], ["berlin"])


class SampleTests(SynchronousTestCase):
    def test_the_example_at_the_end_of_the_sample_is_valid(self) -> None:
        """etc/driver.toml ends with two instances, commented out: taken in, with the keys
        of the single instance removed as its comment says, they are a configuration."""
        path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "etc", "driver.toml")
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
        start = text.index("# [[instances]]\n# name")
        lines = text[start:].splitlines()
        example = "\n".join(line.removeprefix("#").removeprefix(" ") for line in lines)
        document = tomllib.loads(text[:start])
        del document["pbx"]["endpoint"], document["lines"], document["admin"]["instance"]
        document["instances"] = tomllib.loads(example)["instances"]
        berlin, munich = parse(document).each_instance()
        self.assertEqual((berlin.instance, munich.instance), ("berlin", "munich"))
        self.assertEqual(berlin.state_directory, "/var/lib/ecsta/driver/berlin")
        self.assertEqual(munich.state_directory, "/var/lib/ecsta/driver/munich")
        self.assertEqual(munich.settings["location"]["areaCode"], "89")
        self.assertEqual(munich.request_timeout, 10.0)


class BuildTests(SynchronousTestCase):
    def test_instances_share_the_pool_and_report_canonical_numbers(self) -> None:
        state = os.path.abspath(self.mktemp())
        document = two_instances(
            admin={"stateDirectory": state, "licenceDirectory": os.path.join(state, "pool")},
            location=BERLIN,
        )
        services = tap.build(MemoryReactorClock(), parse(document))
        berlin, munich = services.instances
        self.assertEqual((berlin.prefix, munich.prefix), ("berlin:", "munich:"))
        assert berlin.driver.admin is not None and munich.driver.admin is not None
        self.assertIs(berlin.driver.admin.licences, munich.driver.admin.licences)
        self.assertIs(services.driver, berlin.driver)
        self.assertEqual(berlin.driver.admin.reported("105", "incoming", True), "+49(30)12345-105")
        for name in ("berlin", "munich"):
            with open(os.path.join(state, name, "lines.txt"), encoding="utf-8") as stream:
                self.assertEqual(stream.read().split(), ["101"])

    def test_one_instance_keeps_its_number_form_and_plain_ids(self) -> None:
        config = DriverConfig(settings={"location": BERLIN}, lines=["101"])
        services = tap.build(MemoryReactorClock(), config)
        (alone,) = services.instances
        self.assertEqual(alone.prefix, "")
        assert alone.driver.admin is not None
        self.assertEqual(alone.driver.admin.reported("105", "incoming", True), "49(30)12345-105")
        line = alone.driver.lines.get("101")
        assert line is not None
        self.assertEqual(alone.line_json(line), line.to_json())


class TwoSites(DriverRig):
    """Two simulators (default plan each: both have 101 to 120) and one driver service with
    the instances berlin and munich, one per simulator, each monitoring 101 and 102."""

    def __init__(self, state: str) -> None:
        super().__init__()
        self.state = state

    async def start_sites(self) -> None:
        endpoints = {name: self.add_sim(name) for name in ("berlin", "munich")}
        document = {
            "api": {"endpoint": API},
            "advanced": {"snapshotInterval": 0, "monitorRetryInterval": 0},
            "admin": {
                "stateDirectory": self.state,
                "licenceDirectory": os.path.join(self.state, "pool"),
            },
            "instances": [
                {
                    "name": name,
                    "pbx": f"tcp:host=192.0.2.{n}:port=33333",
                    "lines": ["101", "102"],
                    "location": location,
                }
                for n, (name, location) in enumerate((("berlin", BERLIN), ("munich", MUNICH)), 1)
            ],
        }
        await self.start_config(parse(document), lambda instance: endpoints[instance.instance])

    @property
    def instances(self) -> Instances:
        assert self.services is not None
        return self.services.instances

    async def at(self, site: str, number: str, action: str, **body: Any) -> Any:
        """What a person does at a phone of ``site``'s PBX."""
        return await self.control("POST", f"/devices/{number}/{action}", body or None, site)

    async def sim_calls(self, site: str) -> list[Any]:
        return list((await self.control("GET", "/state", site=site))["calls"])

    def calls_of(self, line_id: str) -> list[dict[str, Any]]:
        """The calls on the phone (address 0) of a line; 102's DECT rings on address 1."""
        found = self.instances.find_line(line_id)
        assert found is not None, line_id
        instance, line = found
        return [instance.call_json(c) for c in line.calls.values() if c.address == 0]

    async def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = await self.api(method, path, body)
        assert status == 200, f"{method} {path}: {status} {answer}"
        return answer


class InstancesEndToEndTests(TestCase):
    async def begin(self) -> TwoSites:
        h = TwoSites(os.path.abspath(self.mktemp()))
        self.addCleanup(h.stop)
        await h.start_sites()
        return h

    async def test_lines_of_both_instances_have_their_own_ids(self) -> None:
        h = await self.begin()
        ids = ["berlin:101", "berlin:102", "munich:101", "munich:102"]
        hello = next(m for m in h.stream.messages if m["msg"] == "HELLO")
        self.assertEqual((hello["lines"], hello["instances"]), (ids, ["berlin", "munich"]))
        lines = (await h.ok("GET", "/lines"))["lines"]
        self.assertEqual([line["line"] for line in lines], ids)
        self.assertEqual(
            [(line["instance"], line["number"], line["inService"]) for line in lines],
            [(site, number, True) for site in ("berlin", "munich") for number in ("101", "102")],
        )
        line = await h.ok("GET", "/lines/munich:102")
        self.assertEqual((line["line"], line["number"]), ("munich:102", "102"))
        self.assertEqual(await h.ok("GET", "/lines/munich%3A102"), line)
        self.assertEqual(
            (await h.ok("GET", "/instances"))["instances"],
            [
                {"name": "berlin", "linePrefix": "berlin:", "linkUp": True, "lines": 2},
                {"name": "munich", "linePrefix": "munich:", "linkUp": True, "lines": 2},
            ],
        )
        for unknown in ("101", "paris:101", "berlin:103"):
            status, answer = await h.api("GET", f"/lines/{unknown}")
            self.assertEqual((status, answer["error"]), (404, "unknownLine"), unknown)
        status, answer = await h.api("GET", "/lines/munich:101/addresses/0/status")
        self.assertEqual(
            (status, answer["line"], answer["instance"]), (200, "munich:101", "munich")
        )

    async def test_a_call_shows_on_its_own_instance_only(self) -> None:
        h = await self.begin()
        mark = h.mark()
        # A person at munich's 101 calls 102.
        await h.at("munich", "101", "offhook")
        await h.at("munich", "101", "dial", digits="102")
        h.flush()
        self.assertEqual(sorted({m["line"] for m in h.since(mark)}), ["munich:101", "munich:102"])
        self.assertEqual({m.get("instance") for m in h.since(mark)}, {"munich"})
        (ringing,) = h.calls_of("munich:102")
        self.assertEqual(ringing["state"], "LINECALLSTATE_OFFERING")
        self.assertEqual(ringing["line"], "munich:102")
        self.assertEqual(ringing["callerId"]["number"], "+49(89)1234-101")
        self.assertEqual((h.calls_of("berlin:101"), h.calls_of("berlin:102")), ([], []))
        # An application makes a call on berlin's 101 to 102.
        mark = h.mark()
        made = await h.ok("POST", "/lines/berlin:101/makecall", {"to": "102"})
        self.assertEqual(
            sorted({m["line"] for m in h.since(mark) if m["msg"] != "LINE_REPLY"}),
            ["berlin:101", "berlin:102"],
        )
        (offered,) = h.calls_of("berlin:102")
        self.assertNotEqual(offered["id"], ringing["id"])
        self.assertEqual(offered["callerId"]["number"], "+49(30)12345-101")
        self.assertEqual(len(await h.sim_calls("berlin")), 1)
        self.assertEqual(len(await h.sim_calls("munich")), 1)
        new_call = next(m for m in h.since(mark) if m["msg"] == "LINE_NEWCALL")
        self.assertEqual(new_call["callInfo"]["line"], new_call["line"])
        # Operations find the call by its id alone, on the right PBX.
        await h.ok("POST", f"/calls/{offered['id']}/answer")
        (answered,) = h.calls_of("berlin:102")
        self.assertEqual(answered["state"], "LINECALLSTATE_CONNECTED")
        (outgoing,) = h.calls_of("berlin:101")
        self.assertEqual(outgoing["id"], made["call"])
        self.assertEqual(outgoing["state"], "LINECALLSTATE_CONNECTED")
        self.assertEqual(h.calls_of("munich:102")[0]["state"], "LINECALLSTATE_OFFERING")
        every = (await h.ok("GET", "/calls"))["calls"]
        self.assertEqual(
            sorted((c["line"], c["id"]) for c in every if c["address"] == 0),
            sorted(
                [
                    ("munich:101", h.calls_of("munich:101")[0]["id"]),
                    ("munich:102", ringing["id"]),
                    ("berlin:101", outgoing["id"]),
                    ("berlin:102", answered["id"]),
                ]
            ),
        )
        self.assertEqual(len({c["id"] for c in every}), len(every))
        self.assertEqual((await h.ok("GET", f"/calls/{ringing['id']}"))["line"], "munich:102")

    async def test_settings_of_one_instance_leave_the_other_alone(self) -> None:
        h = await self.begin()
        default = await h.ok("GET", "/settings")
        berlin = await h.ok("GET", "/settings?instance=berlin")
        self.assertEqual(default, berlin)
        self.assertEqual(berlin["location"]["areaCode"], "30")
        changed = await h.ok(
            "PUT", "/settings?instance=munich", {"location": {"localNumber": "5555"}}
        )
        self.assertEqual(changed["location"]["localNumber"], "5555")
        self.assertEqual(await h.ok("GET", "/settings?instance=berlin"), berlin)
        munich = await h.ok("GET", "/settings?instance=munich")
        self.assertEqual(
            (munich["location"]["areaCode"], munich["location"]["localNumber"]), ("89", "5555")
        )
        with open(os.path.join(h.state, "munich", "settings.json"), encoding="utf-8") as stream:
            self.assertEqual(json.load(stream)["location"]["localNumber"], "5555")
        self.assertFalse(os.path.exists(os.path.join(h.state, "berlin", "settings.json")))
        checked = await h.ok(
            "POST", "/numberformat/check?instance=munich", {"category": "incoming", "number": "0"}
        )
        self.assertEqual(checked, {"number": "0", "rule": None})
        # What applications see follows each instance's own settings.
        await h.at("munich", "101", "offhook")
        await h.at("munich", "101", "dial", digits="102")
        await h.at("berlin", "101", "offhook")
        await h.at("berlin", "101", "dial", digits="102")
        h.flush()
        self.assertEqual(h.calls_of("munich:102")[0]["callerId"]["number"], "+49(89)5555-101")
        self.assertEqual(h.calls_of("berlin:102")[0]["callerId"]["number"], "+49(30)12345-101")
        status, answer = await h.api("GET", "/settings?instance=paris")
        self.assertEqual((status, answer["error"]), (404, "unknownInstance"))

    async def test_lines_are_added_and_exported_per_instance(self) -> None:
        h = await self.begin()
        added = await h.ok("POST", "/lines?instance=munich", {"number": "105", "name": "Lab"})
        self.assertEqual(
            (added["line"], added["instance"], added["inService"]), ("munich:105", "munich", True)
        )
        status, answer = await h.api("POST", "/lines?instance=munich", {"number": "105"})
        self.assertEqual((status, answer["error"]), (409, "exists"))
        exported = {}
        for name in ("berlin", "munich"):
            _, text = await h.text(f"/lines/export?instance={name}")
            exported[name] = text.decode("utf-8").split()
        self.assertEqual(exported, {"berlin": ["101", "102"], "munich": ["101", "102", "105,Lab"]})
        removed = await h.ok("DELETE", "/lines/munich:105")
        self.assertEqual(removed, {"removed": "munich:105"})
        self.assertIsNone(h.instances.find_line("munich:105"))

    async def test_licences_come_from_one_pool(self) -> None:
        h = await self.begin()
        licence = await h.ok("GET", "/license")
        self.assertEqual((licence["mode"], licence["linesInUse"]), ("trial", 4))
        self.assertEqual(await h.ok("GET", "/license?instance=munich"), licence)
        pool = h.services.driver.admin.licences  # type: ignore[union-attr]
        assert pool is not None
        pool.trial_lines = 5
        added = await h.ok("POST", "/lines?instance=berlin", {"number": "103"})
        self.assertTrue(added["inService"])
        refused = await h.ok("POST", "/lines?instance=munich", {"number": "103"})
        self.assertFalse(refused["inService"])
        self.assertIn("no line licence left", refused["monitorError"])
        status, answer = await h.api("POST", "/lines/munich:103/open")
        self.assertEqual((status, answer["error"]), (403, "noLicence"))
        await h.ok("POST", "/lines/berlin:103/close")
        opened = await h.ok("POST", "/lines/munich:103/open")
        self.assertTrue(opened["inService"])
        self.assertEqual((await h.ok("GET", "/license"))["linesInUse"], 5)

    async def test_metrics_are_labelled_by_instance(self) -> None:
        h = await self.begin()
        await h.at("berlin", "101", "offhook")
        h.flush()
        text = (await h.text("/metrics"))[1].decode("utf-8")
        samples = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }
        for name in ("berlin", "munich"):
            key = ("ecsta_driver_lines", (("driver_instance", name), ("state", "inService")))
            self.assertEqual(samples[key], 2)
            link = ("ecsta_driver_pbx_link_up", (("driver_instance", name),))
            self.assertEqual(samples[link], 1)
        dialtone = (("driver_instance", "berlin"), ("state", "LINECALLSTATE_DIALTONE"))
        self.assertEqual(samples[("ecsta_driver_calls", dialtone)], 1)
        dialtone = (("driver_instance", "munich"), ("state", "LINECALLSTATE_DIALTONE"))
        self.assertEqual(samples[("ecsta_driver_calls", dialtone)], 0)


class StreamOfOneTests(TestCase):
    async def test_one_instance_streams_plain_line_ids(self) -> None:
        """The stream of a single instance is what it always was: no instance names."""
        h = DriverRig()
        self.addCleanup(h.stop)
        await h.start(["103", "104"])
        mark = h.mark()
        await h.person("103", "offhook")
        h.flush()
        (message, *_) = h.since(mark)
        self.assertEqual(message["line"], "103")
        self.assertNotIn("instance", message)
        hello = next(m for m in h.stream.messages if m["msg"] == "HELLO")
        self.assertEqual(hello, {"msg": "HELLO", "lines": ["103", "104"]})
        status, line = await h.api("GET", "/lines/103")
        self.assertEqual((status, line["line"]), (200, "103"))
        self.assertNotIn("instance", line)
