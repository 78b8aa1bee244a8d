"""A driver that cannot write its log files refuses to start, naming the setting to change."""

import os

from twisted.trial.unittest import SynchronousTestCase

from tests.test_driver_licence_directory import (
    READ_ONLY,
    DirectoriesCase,
    as_ordinary_user,
    start_service,
)


class UnwritableLogDirectoryTests(DirectoriesCase):
    def test_a_read_only_log_directory_stops_the_start(self) -> None:
        pool = self.directory("pool", 0o777)
        logs = self.directory("logs", READ_ONLY)
        state = self.directory("state", 0o777)
        self.write_config(
            f'[admin]\nlicenceDirectory = "{pool}"\nlogDirectory = "{logs}"\n'
            f'stateDirectory = "{state}"\n'
        )
        message = as_ordinary_user(start_service(self.config))
        self.assertEqual(
            message,
            f"exit 1: ecsta-driver: admin.logDirectory: the log directory {logs} cannot be "
            "written by this user (Permission denied): set logDirectory in the [admin] section "
            "of the configuration to a directory this user can write, or give this user write "
            "access to it\n",
        )
        self.assertEqual(os.listdir(logs), [])


class ServiceUnitTests(SynchronousTestCase):
    def test_the_unit_lets_the_driver_write_the_sample_configurations_directories(self) -> None:
        """ProtectSystem=strict makes every path read-only but those systemd makes for the
        service: the sample's log, state and licence directories must be among them."""
        etc = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "etc")
        with open(os.path.join(etc, "systemd", "ecsta-driver.service"), encoding="utf-8") as f:
            unit = f.read().splitlines()
        with open(os.path.join(etc, "driver.toml"), encoding="utf-8") as f:
            sample = f.read()
        writable: set[str] = set()
        for line in unit:
            key, _, value = line.partition("=")
            root = {"StateDirectory": "/var/lib", "LogsDirectory": "/var/log"}.get(key)
            if root is not None:
                writable.update(f"{root}/{name}" for name in value.split())
        self.assertIn("ProtectSystem=strict", unit)
        for key in ("stateDirectory", "licenceDirectory", "logDirectory"):
            found = [
                line.split("=", 1)[1].strip().strip('"')
                for line in sample.splitlines()
                if line.lstrip("# ").startswith(f"{key} = ")
            ]
            self.assertTrue(found, key)
            self.assertIn(found[0], writable, key)
