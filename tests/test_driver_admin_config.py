"""Where a driver's administration comes from: its configuration and its state directory."""

import json
import os

from twisted.internet.testing import MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.admin import Administration
from ecsta.driver.config import ConfigError, DriverConfig, parse
from ecsta.driver.licence import default_state_directory
from ecsta.driver.linestore import StoredLine
from ecsta.driver.settingerrors import InvalidSetting
from ecsta.driver.tap import Options, build

RULES = [{"search": "^0(.*)", "replace": r"\1", "regex": True}]


class ConfigTests(SynchronousTestCase):
    def test_the_admin_section(self) -> None:
        config = parse(
            {
                "admin": {
                    "stateDirectory": "/srv/ecsta/a",
                    "licenceDirectory": "/srv/ecsta",
                    "logDirectory": "/var/log/ecsta",
                    "instance": "munich",
                },
                "diagnostics": {"trafficLog": True},
            }
        )
        self.assertEqual(
            (
                config.state_directory,
                config.licence_directory,
                config.log_directory,
                config.instance,
            ),
            ("/srv/ecsta/a", "/srv/ecsta", "/var/log/ecsta", "munich"),
        )
        self.assertEqual(config.settings, {"diagnostics": {"trafficLog": True}})
        for document, key in (
            ({"admin": {"instance": ""}}, "admin.instance"),
            ({"admin": {"stateDir": "/x"}}, "admin.stateDir"),
        ):
            with self.assertRaises(ConfigError) as caught:
                parse(document)
            self.assertEqual(caught.exception.key, key)

    def test_twistd_always_has_a_licence_pool(self) -> None:
        options = Options()
        options.parseOptions([])
        self.assertEqual(options.config.licence_directory, default_state_directory())
        path = self.mktemp()
        with open(path, "w") as handle:
            handle.write('[admin]\nlicenceDirectory = "/srv/pool"\n')
        options = Options()
        options.parseOptions(["--config", path])
        self.assertEqual(options.config.licence_directory, "/srv/pool")


class FromConfigTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.state = self.mktemp()

    def test_settings_from_the_configuration(self) -> None:
        config = DriverConfig(
            snapshot_interval=7,
            read_names=False,
            settings={"numberFormat": {"incoming": RULES}},
        )
        admin = Administration.from_config(config)
        self.assertEqual(admin.settings.number_format.check("incoming", "0301").number, "301")
        self.assertEqual(
            (admin.settings.advanced.snapshot_interval, admin.settings.advanced.read_names),
            (7.0, False),
        )
        self.assertIsNone(admin.licences)
        self.assertEqual(admin.licence_status(), {"mode": "off"})

    def test_a_bad_setting_in_the_configuration_names_the_field(self) -> None:
        config = DriverConfig(settings={"numberFormat": {"incoming": [{"search": "("}]}})
        with self.assertRaises(InvalidSetting) as caught:
            Administration.from_config(config)
        self.assertEqual(caught.exception.path, "numberFormat.incoming[0].search")
        with self.assertRaises(ConfigError) as refused:
            build(MemoryReactorClock(), config)
        self.assertEqual(refused.exception.key, "numberFormat.incoming[0].search")

    def test_settings_saved_through_the_api_outlive_a_restart(self) -> None:
        config = DriverConfig(state_directory=self.state, settings={"numberFormat": {}})
        Administration.from_config(config).update_settings({"numberFormat": {"outgoing": RULES}})
        with open(os.path.join(self.state, "settings.json")) as handle:
            self.assertEqual(json.load(handle)["numberFormat"]["outgoing"], RULES)
        again = Administration.from_config(config)
        self.assertEqual(again.settings.number_format.check("outgoing", "089").number, "89")

    def test_the_configured_lines_seed_the_line_file_once(self) -> None:
        config = DriverConfig(
            state_directory=self.state,
            licence_directory=os.path.join(self.state, "pool"),
            lines=["101", "102"],
            names={"101": "Reception"},
        )
        services = build(MemoryReactorClock(), config)
        self.assertEqual([line.number for line in services.driver.lines], ["101", "102"])
        self.assertFalse(services.driver.auto_load)
        admin = services.driver.admin
        assert admin is not None
        self.assertEqual(admin.store.lines, (StoredLine("101", "Reception"), StoredLine("102")))
        admin.store.remove("102")
        admin.store.add("103", "Lab")
        again = build(MemoryReactorClock(), config)
        self.assertEqual([line.number for line in again.driver.lines], ["101", "103"])
        self.assertEqual(again.driver.lines.get("103").name, "Lab")  # type: ignore[union-attr]
        assert again.driver.admin is not None
        self.assertEqual(again.driver.admin.licence_status()["mode"], "trial")

    def test_a_configured_number_the_line_file_cannot_hold_is_named(self) -> None:
        config = DriverConfig(state_directory=self.state, lines=["10A"])
        with self.assertRaises(ConfigError) as refused:
            build(MemoryReactorClock(), config)
        self.assertEqual(refused.exception.key, "lines.numbers")
