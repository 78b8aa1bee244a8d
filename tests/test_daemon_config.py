"""Every service reads its file with the same kit: the same mistake is named the same way.

An operator who runs the multiplexer, the driver and the simulator on one host gets one kind
of error from each (:class:`ecsta.daemon.config.ConfigError`, with the dotted key), whichever
service's file holds the mistake.
"""

from collections.abc import Callable
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.daemon.config import ConfigError
from ecsta.driver import config as driver_config
from ecsta.journal import settings as journal_settings
from ecsta.mux import config as mux_config
from ecsta.sim import config as sim_config

#: Each service's file loader and parser, by name.
LOADERS: dict[str, Callable[[str], Any]] = {
    "mux": mux_config.load,
    "driver": driver_config.load,
    "sim": sim_config.load,
}


class SharedKitTests(SynchronousTestCase):
    def refused(self, parse: Callable[[Any], Any], document: Any) -> ConfigError:
        with self.assertRaises(ConfigError) as caught:
            parse(document)
        return caught.exception

    def test_a_word_where_seconds_belong_is_named_alike_in_every_service(self) -> None:
        cases: list[tuple[Callable[[Any], Any], dict[str, Any], str]] = [
            (mux_config.from_dict, {"pbx": {"request_timeout": "x"}}, "pbx.request_timeout"),
            (driver_config.parse, {"pbx": {"requestTimeout": "x"}}, "pbx.requestTimeout"),
            (sim_config.parse, {"cdr": {"resend_delay": "x"}}, "cdr.resend_delay"),
        ]
        for parse, document, key in cases:
            error = self.refused(parse, document)
            self.assertEqual(error.key, key)
            self.assertRegex(error.message, r"^expected a number >=? 0, got 'x'$")
            self.assertEqual(str(error), f"{key}: {error.message}")

    def test_an_unknown_key_is_named_with_its_section(self) -> None:
        self.assertEqual(self.refused(mux_config.from_dict, {"log": {"levle": 1}}).key, "log.levle")
        self.assertEqual(self.refused(sim_config.parse, {"log": {"levle": 1}}).key, "log.levle")
        self.assertEqual(self.refused(driver_config.parse, {"log": {"levle": 1}}).key, "log.levle")
        error = self.refused(journal_settings.check, {"retention": 3})
        self.assertEqual(error.key, "journal.retention")
        self.assertIn("known: enabled, path, postgres, retention_days", error.message)

    def test_a_log_level_is_checked_the_same_everywhere(self) -> None:
        messages = {
            self.refused(mux_config.from_dict, {"log": {"level": "loud"}}).message,
            self.refused(driver_config.parse, {"log": {"level": "loud"}}).message,
            self.refused(sim_config.parse, {"log": {"level": "loud"}}).message,
        }
        self.assertEqual(
            messages, {"expected one of debug, info, warn, error, critical, got 'loud'"}
        )

    def test_the_journal_section_is_checked_once_for_every_service(self) -> None:
        document = {"journal": {"retention_days": -1}}
        for parse in (mux_config.from_dict, driver_config.parse):
            error = self.refused(parse, document)
            self.assertEqual(error.key, "journal.retention_days")
            self.assertEqual(error.message, "expected an integer >= 0, got -1")

    def test_unreadable_and_broken_files_are_named(self) -> None:
        broken = self.mktemp()
        with open(broken, "w") as stream:
            stream.write("[pbx\n")
        missing = self.mktemp()
        for name, load in LOADERS.items():
            with self.assertRaises(ConfigError, msg=name) as caught:
                load(missing)
            self.assertEqual(caught.exception.key, missing)
            self.assertIn("cannot read the configuration", caught.exception.message)
            with self.assertRaises(ConfigError, msg=name) as caught:
                load(broken)
            self.assertEqual(caught.exception.key, broken)
            self.assertIn("not valid TOML", caught.exception.message)
