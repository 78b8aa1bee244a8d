"""The simulator's configuration: the sample file, the command line on top, and clear refusals."""

import os
import re
import tomllib
from collections import Counter
from typing import Any

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from ecsta.daemon.config import ConfigError
from ecsta.sim.config import DEFAULT_CONTROL, DEFAULT_CSTA, SECTIONS, SimConfig, load, parse
from ecsta.sim.plan import DEVICE_KEYS, PLAN_KEYS, SwitchPlan
from ecsta.sim.tap import Options

SAMPLE = os.path.join(os.path.dirname(__file__), "..", "etc", "pbxsim.toml")


class ConfigTests(SynchronousTestCase):
    def test_sample_file_loads_with_every_section(self) -> None:
        config = load(SAMPLE)
        self.assertEqual(config.csta, DEFAULT_CSTA)
        self.assertEqual(config.control, DEFAULT_CONTROL)
        self.assertEqual((config.keepalive_interval, config.keepalive_misses), (90, 2))
        self.assertEqual(config.seed, 1)
        self.assertEqual([d.number for d in config.plan.devices][:3], ["101", "102", "103"])
        self.assertEqual(config.plan.devices[3].twin_of, "101")

    def test_sample_file_sets_and_explains_every_option(self) -> None:
        with open(SAMPLE, "rb") as f:
            data = tomllib.load(f)
        with open(SAMPLE, encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(set(data), {*SECTIONS, "plan"})
        for section, keys in SECTIONS.items():
            self.assertEqual(set(data[section]), set(keys), f"[{section}] in {SAMPLE}")
        self.assertEqual(set(data["plan"]), set(PLAN_KEYS))
        # Device keys that the sample leaves to their defaults are explained in its comments.
        comments = " ".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
        for key in DEVICE_KEYS:
            used = any(key in entry for entry in data["plan"]["devices"])
            self.assertTrue(used or re.search(rf"\b{key}\b", comments), key)

    def test_defaults_make_the_small_office(self) -> None:
        config = parse({})
        kinds = [d.kind.value for d in config.plan.devices]
        self.assertEqual(
            (kinds.count("station"), kinds.count("dect"), kinds.count("sip"), kinds.count("trunk")),
            (20, 4, 2, 4),
        )
        self.assertEqual(sum(1 for d in config.plan.devices if d.twin_of), 2)

    def test_values_are_converted(self) -> None:
        config = parse(
            {
                "csta": {
                    "keepalive_interval": 0,
                    "device_list_segment": 5,
                    "get_switching_function_devices": "refuse",
                },
                "control": {"endpoint": ""},
                "cdr": {"resend_delay": 1, "buffer": 500},
            }
        )
        self.assertIsNone(config.keepalive_interval)
        self.assertIsNone(config.control)
        self.assertEqual((config.segment_size, config.sfd_answer), (5, False))
        self.assertEqual(config.cdr_resend_delay, 1.0)
        self.assertEqual(config.cdr_buffer, 500)

    def test_bad_values_are_refused_naming_the_key(self) -> None:
        cases: dict[str, dict[str, Any]] = {
            "csta.keepalive_misses": {"csta": {"keepalive_misses": 0}},
            "csta.endpoint": {"csta": {"endpoint": 33333}},
            "csta.colour": {"csta": {"colour": "blue"}},
            "cdr.resend_delay": {"cdr": {"resend_delay": "soon"}},
            "cdr.buffer": {"cdr": {"buffer": 0}},
            "traffic.rate": {"traffic": {"rate": -1}},
            "csta.get_switching_function_devices": {
                "csta": {"get_switching_function_devices": "maybe"}
            },
            "telephony": {"telephony": {}},
            "plan.trunk_access_code": {"plan": {"trunk_access_code": "#"}},
            "plan.devices[1].number": {"plan": {"devices": [{"number": "101"}, {"number": "101"}]}},
        }
        for key, data in cases.items():
            with self.assertRaises(ConfigError, msg=key) as caught:
                parse(data)
            self.assertTrue(str(caught.exception).startswith(key), str(caught.exception))

    def test_unreadable_and_invalid_files(self) -> None:
        with self.assertRaises(ConfigError) as caught:
            load(self.mktemp())
        self.assertIn("cannot read", str(caught.exception))
        path = self.mktemp()
        with open(path, "w") as f:
            f.write("[csta\n")
        with self.assertRaises(ConfigError) as caught:
            load(path)
        self.assertIn("not valid TOML", str(caught.exception))


class OptionsTests(SynchronousTestCase):
    def test_command_line_overrides_the_file(self) -> None:
        options = Options()
        options.parseOptions(
            [
                "--config",
                SAMPLE,
                "--csta",
                "tcp:4000",
                "--traffic",
                "2.5",
                "--seed",
                "7",
                "--control",
                "none",
            ]
        )
        config: SimConfig = options.config
        self.assertEqual(config.csta, "tcp:4000")
        self.assertEqual((config.traffic, config.seed), (2.5, 7))
        self.assertIsNone(config.control)
        self.assertEqual(config.plan.devices[0].name, "Reception")  # from the file

    def test_defaults_without_a_file(self) -> None:
        options = Options()
        options.parseOptions([])
        self.assertEqual(options.config.csta, "tcp:33333:interface=127.0.0.1")
        self.assertEqual(options.config.control, "tcp:8081:interface=127.0.0.1")
        plan = options.config.plan
        kinds = Counter(d.kind.value for d in plan.devices)
        self.assertEqual(kinds, {"station": 20, "dect": 4, "sip": 2, "trunk": 4})
        twins = sorted((d.number, d.twin_of) for d in plan.devices if d.twin_of is not None)
        self.assertEqual(twins, [("101", "101"), ("102", "102")])
        self.assertEqual(
            [repr(d) for d in plan.devices], [repr(d) for d in SwitchPlan.default().devices]
        )

    def test_bad_file_is_a_usage_error_naming_the_key(self) -> None:
        path = self.mktemp()
        with open(path, "w") as f:
            f.write("[csta]\nkeepalive_misses = -2\n")
        with self.assertRaises(usage.UsageError) as caught:
            Options().parseOptions(["--config", path])
        self.assertIn("csta.keepalive_misses", str(caught.exception))

    def test_negative_traffic_is_refused(self) -> None:
        with self.assertRaises(usage.UsageError):
            Options().parseOptions(["--traffic", "-1"])
