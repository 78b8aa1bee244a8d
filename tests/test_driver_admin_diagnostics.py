"""Diagnostics: rotated log files and the CSTA traffic log switched on and off while running."""

import os
from typing import Any, cast

from twisted.logger import ILogObserver, Logger, formatEvent
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.diagnostics import LogDirectory, TrafficLog, describe
from ecsta.wire import apdu

MONITOR_START = bytes.fromhex("a111020178020147300930058003313031a000")
STATUS_ANSWER = bytes.fromhex("a20b0201013006020200d30500")


class LogDirectoryTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = self.mktemp()
        self.files = LogDirectory(self.directory, rotate_length=2000, max_rotated_files=3)
        self.addCleanup(self.files.close)
        self.log = Logger(namespace="ecsta.driver", observer=self.files.observer)

    def read_all(self) -> str:
        text = ""
        for name in sorted(os.listdir(self.directory)):
            with open(os.path.join(self.directory, name), encoding="utf-8") as handle:
                text += handle.read()
        return text

    def test_events_are_written_to_the_file_in_the_directory(self) -> None:
        self.log.info("line {line} opened", line="101")
        self.files.file.flush()
        self.assertEqual(self.files.path, os.path.join(self.directory, "ecsta-driver.log"))
        self.assertIn("line 101 opened", self.read_all())

    def test_the_file_is_rotated_and_old_files_are_bounded(self) -> None:
        for count in range(400):
            self.log.info("event {count:04d} with some padding to fill the file", count=count)
        self.files.file.flush()
        names = sorted(os.listdir(self.directory))
        self.assertEqual(
            names,
            ["ecsta-driver.log", "ecsta-driver.log.1", "ecsta-driver.log.2", "ecsta-driver.log.3"],
        )
        for name in names:
            self.assertLessEqual(os.path.getsize(os.path.join(self.directory, name)), 2200)
        text = self.read_all()
        self.assertIn("event 0399", text)
        self.assertNotIn("event 0000", text)


class TrafficLogTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.events: list[dict[str, Any]] = []
        observer = cast(ILogObserver, self.events.append)
        self.traffic = TrafficLog(Logger(namespace="ecsta.traffic", observer=observer))

    def lines(self) -> list[str]:
        return [formatEvent(event) for event in self.events]

    def test_off_by_default_and_nothing_is_logged(self) -> None:
        self.traffic.sent(MONITOR_START, "pbx")
        self.traffic.received(STATUS_ANSWER, "pbx")
        self.assertEqual(self.events, [])

    def test_switched_on_and_off_while_running(self) -> None:
        self.traffic.sent(MONITOR_START, "pbx")
        self.traffic.enabled = True
        self.traffic.sent(MONITOR_START, "pbx")
        self.traffic.received(STATUS_ANSWER, "pbx")
        self.traffic.enabled = False
        self.traffic.received(STATUS_ANSWER, "pbx")
        lines = self.lines()
        self.assertEqual(len(lines), 2)
        self.assertTrue(
            lines[0].startswith("CSTA -> pbx: monitorStart Invoke(invoke_id=120"), lines[0]
        )
        self.assertIn("'dialingNumber', '101'", lines[0])
        self.assertTrue(lines[1].startswith("CSTA <- pbx: systemStatus ReturnResult("), lines[1])

    def test_undecodable_bytes_are_logged_in_hex_with_the_reason(self) -> None:
        line = describe(bytes.fromhex("a1030201"))
        self.assertTrue(line.startswith("undecodable ("), line)
        self.assertTrue(line.endswith(": a1030201"), line)

    def test_the_login_password_never_reaches_the_log(self) -> None:
        aarq = apdu.encode(apdu.AARQ(user="admin", password="s3cret-pw"))
        self.assertIn(b"s3cret-pw", aarq)
        self.traffic.enabled = True
        self.traffic.received(aarq, "app")
        self.traffic.received(aarq[:-5], "app")
        lines = self.lines()
        self.assertEqual(lines[0], "CSTA <- app: AARQ user='admin' versions=['versionFive']")
        self.assertIn("undecodable AARQ", lines[1])
        for line in lines:
            self.assertNotIn("s3cret", line)
            self.assertNotIn(b"s3cret-pw".hex(), line)
