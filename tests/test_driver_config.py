"""The driver's configuration and command line: every bad key named, safe defaults."""

import os
import tempfile
from typing import Any, cast

from twisted.logger import ILogObserver, globalLogPublisher
from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from ecsta.daemon.networks import is_loopback
from ecsta.driver.config import ConfigError, load, parse
from ecsta.driver.tap import Options


class ParseTests(SynchronousTestCase):
    def bad(self, document: dict[str, Any], key: str) -> None:
        with self.assertRaises(ConfigError) as caught:
            parse(document)
        self.assertEqual(caught.exception.key, key)
        self.assertIn(key, str(caught.exception))

    def test_full_document(self) -> None:
        config = parse(
            {
                "pbx": {"endpoint": "tls:host=mux:port=33334", "user": "u", "password": "p"},
                "api": {"endpoint": "tcp:8782", "tokens": ["x" * 20]},
                "lines": {"numbers": ["101", "102"], "names": {"101": "Reception"}},
                "advanced": {"readNames": False, "snapshotInterval": 0, "monitorRetryInterval": 5},
                "numberFormat": {"incoming": []},
            }
        )
        self.assertEqual(
            (config.pbx, config.user, config.password), ("tls:host=mux:port=33334", "u", "p")
        )
        self.assertEqual(config.lines, ["101", "102"])
        self.assertEqual(config.names, {"101": "Reception"})
        self.assertEqual(
            (config.read_names, config.snapshot_interval, config.monitor_retry_interval),
            (False, 0.0, 5.0),
        )
        self.assertEqual(config.settings, {"numberFormat": {"incoming": []}})

    def test_bad_keys_are_named(self) -> None:
        self.bad({"pbx": {"endpont": "x"}}, "pbx.endpont")
        self.bad({"nonsense": {}}, "nonsense")
        self.bad({"api": {"tokens": ["short"]}}, "api.tokens[0]")
        self.bad({"api": {"tokens": "x" * 20}}, "api.tokens")
        self.bad({"lines": {"numbers": ["101", "101"]}}, "lines.numbers")
        self.bad({"lines": {"numbers": ["1 01"]}}, "lines.numbers[0]")
        self.bad({"advanced": {"snapshotInterval": -1}}, "advanced.snapshotInterval")
        self.bad({"advanced": {"readNames": "yes"}}, "advanced.readNames")
        self.bad({"pbx": "tcp:x"}, "pbx")

    def test_file(self) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write('[pbx]\nendpoint = "sim"\n[lines]\nnumbers = ["103"]\n')
        self.addCleanup(os.unlink, f.name)
        self.assertEqual(load(f.name).lines, ["103"])
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as g:
            g.write("[pbx\n")
        self.addCleanup(os.unlink, g.name)
        with self.assertRaises(ConfigError) as caught:
            load(g.name)
        self.assertIn("not valid TOML", str(caught.exception))

    def test_loopback(self) -> None:
        self.assertTrue(is_loopback("tcp:8782:interface=127.0.0.1"))
        self.assertTrue(is_loopback("tcp:8782:interface=\\:\\:1"))
        self.assertFalse(is_loopback("tcp:8782"))
        self.assertFalse(is_loopback("tcp:8782:interface=0.0.0.0"))
        self.assertFalse(is_loopback("ssl:8782:privateKey=k.pem:interface=192.0.2.1"))


class OptionsTests(SynchronousTestCase):
    def options(self, *argv: str) -> Options:
        options = Options()
        options.parseOptions(list(argv))
        return options

    def test_defaults(self) -> None:
        config = self.options().config
        self.assertEqual(config.api, "tcp:8782:interface=127.0.0.1")
        self.assertEqual((config.user, config.password), (None, None))

    def test_command_line_overrides(self) -> None:
        config = self.options("--pbx", "sim", "--api", "tcp:9000:interface=127.0.0.1").config
        self.assertEqual((config.pbx, config.api), ("sim", "tcp:9000:interface=127.0.0.1"))

    def test_api_beyond_loopback_needs_tokens(self) -> None:
        with self.assertRaises(usage.UsageError) as caught:
            self.options("--api", "tcp:8782")
        self.assertIn("api.tokens", str(caught.exception))

    def test_login_needs_both_halves(self) -> None:
        with self.assertRaises(usage.UsageError):
            self.options("--user", "alice")

    def test_default_login_at_a_tls_mux_warns(self) -> None:
        events: list[dict[str, Any]] = []
        observer = cast(ILogObserver, events.append)
        globalLogPublisher.addObserver(observer)
        self.addCleanup(globalLogPublisher.removeObserver, observer)
        config = self.options("--pbx", "tls:host=mux.example:port=33334").config
        self.assertEqual((config.user, config.password), ("admin", "admin"))
        self.assertTrue(any("admin/admin" in e.get("log_format", "") for e in events))
        self.assertNotIn("admin", repr([e.get("password") for e in events]))
