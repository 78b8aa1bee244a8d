"""The sample configurations in etc/ load, show every option, and the systemd units are valid."""

import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import fields

from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver import config as driver_config
from ecsta.driver.settings import DriverSettings
from ecsta.mux import config as mux_config

ETC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "etc")
MUX = os.path.join(ETC, "mux.toml")
DRIVER = os.path.join(ETC, "driver.toml")

#: The administration settings sections of the driver's file and the keys each takes.
SETTINGS_KEYS = {
    "location": {
        "useLocation",
        "countryCode",
        "areaCode",
        "localNumber",
        "canonical",
        "extensionRange",
    },
    "numberFormat": {"incoming", "outgoing", "dialing"},
    "sipFilter": {"enabled", "rules"},
    "diagnostics": {"trafficLog"},
}


def shown(text: str, key: str) -> bool:
    """Whether ``key = ...`` stands in the file, set or commented out."""
    return re.search(rf"^\s*(#\s*)?{re.escape(key)}\s*=", text, re.MULTILINE) is not None


class MuxSampleTests(SynchronousTestCase):
    def test_the_sample_loads_and_shows_the_defaults(self) -> None:
        self.assertEqual(mux_config.load(MUX), mux_config.MuxConfig())

    def test_every_setting_is_in_the_sample(self) -> None:
        with open(MUX, "rb") as stream:
            document = tomllib.load(stream)
        for section, kind in mux_config._SECTIONS.items():
            self.assertEqual(set(document[section]), {f.name for f in fields(kind)}, f"[{section}]")
        self.assertEqual(document["users"], {})
        self.assertEqual(document["sim"], {})

    def test_the_users_table_comes_last_so_that_hash_password_can_append(self) -> None:
        with open(MUX, encoding="utf-8") as stream:
            headers = re.findall(r"^\[([^\]]+)\]", stream.read(), re.MULTILINE)
        self.assertEqual(headers[-1], "users")

    def test_a_user_line_appended_to_the_sample_is_a_user(self) -> None:
        path = self.mktemp()
        shutil.copy(MUX, path)
        with open(path, "a", encoding="utf-8") as stream:
            stream.write('crm = "pbkdf2-sha256$100000$c2FsdA==$aGFzaA=="\n')
        self.assertEqual(list(mux_config.load(path).users), ["crm"])


class DriverSampleTests(SynchronousTestCase):
    def test_the_sample_loads_with_the_defaults_of_the_driver(self) -> None:
        config = driver_config.load(DRIVER)
        defaults = driver_config.DriverConfig()
        for name in ("pbx", "api", "tokens", "lines", "names", "request_timeout", "read_names"):
            self.assertEqual(getattr(config, name), getattr(defaults, name), name)
        self.assertEqual(config.snapshot_interval, defaults.snapshot_interval)
        self.assertEqual(config.monitor_retry_interval, defaults.monitor_retry_interval)
        self.assertEqual(config.state_directory, "/var/lib/ecsta/driver")
        self.assertEqual(config.licence_directory, "/var/lib/ecsta")
        self.assertEqual(DriverSettings.from_document(config.settings), DriverSettings())

    def test_every_key_is_shown(self) -> None:
        with open(DRIVER, encoding="utf-8") as stream:
            text = stream.read()
        sections = {**driver_config._SECTIONS, **SETTINGS_KEYS}
        self.assertEqual(
            set(SETTINGS_KEYS), set(driver_config._SETTINGS_SECTIONS), "settings sections"
        )
        for section, keys in sections.items():
            self.assertIn(f"[{section}]", text)
            for key in keys:
                self.assertTrue(shown(text, key), f"{section}.{key} is not in etc/driver.toml")


class SystemdUnitTests(SynchronousTestCase):
    def test_the_units_reload_on_sighup_and_name_their_service_in_the_journal(self) -> None:
        for program in ("ecsta-mux", "ecsta-driver"):
            with open(os.path.join(ETC, "systemd", f"{program}.service"), encoding="utf-8") as f:
                text = f.read()
            self.assertIn("\nExecReload=/bin/kill -HUP $MAINPID\n", text)
            self.assertIn(f"\nSyslogIdentifier={program}\n", text)

    def test_the_units_are_valid_and_notify_when_ready(self) -> None:
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            raise self.skipTest("systemd-analyze is not installed")
        directory = self.mktemp()
        os.makedirs(directory)
        units = []
        for name in ("ecsta-mux.service", "ecsta-driver.service"):
            with open(os.path.join(ETC, "systemd", name), encoding="utf-8") as stream:
                text = stream.read()
            for line in (
                "Type=notify",
                "Restart=on-failure",
                "ProtectSystem=strict",
                "NoNewPrivileges=yes",
                "PrivateTmp=yes",
                "User=ecsta",
            ):
                self.assertIn(f"\n{line}\n", text, f"{name}: {line}")
            self.assertIn("--config /etc/ecsta/", text)
            # systemd checks that ExecStart's program exists; the install puts it in /opt/ecsta.
            path = os.path.join(directory, name)
            with open(path, "w", encoding="utf-8") as stream:
                stream.write(
                    text.replace("/opt/ecsta/bin/twistd", shutil.which("true") or "/bin/true")
                )
            units.append(path)
        result = subprocess.run(
            [analyze, "verify", "--man=no", *units], capture_output=True, text=True, timeout=60
        )
        self.assertEqual((result.returncode, result.stderr.strip()), (0, ""), result.stdout)
