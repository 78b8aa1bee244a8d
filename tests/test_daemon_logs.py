"""What the services' logs hold: the level setting, journald's lines, no line per poll."""

import io
from typing import Any
from unittest import mock

from prometheus_client import generate_latest
from twisted.internet.task import Clock
from twisted.logger import Logger, LogLevel, LogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.resource import Resource
from twisted.web.test.requesthelper import DummyRequest

from ecsta import __version__
from ecsta.daemon.accesslog import REFUSALS_PER_MINUTE, QuietSite
from ecsta.daemon.logs import JournalObserver, LogControl
from ecsta.daemon.metrics import registry_of


class LogControlTests(SynchronousTestCase):
    def publisher(self) -> tuple[LogPublisher, list[Any], Logger]:
        publisher = LogPublisher()
        seen: list[Any] = []
        publisher.addObserver(seen.append)
        return publisher, seen, Logger(namespace="ecsta.test", observer=publisher)

    def test_the_level_drops_what_is_below_it_and_a_reload_changes_it(self) -> None:
        publisher, seen, log = self.publisher()
        control = LogControl("warn")
        control.install(publisher, environ={})
        log.info("routine")
        log.warn("odd")
        self.assertEqual([e["log_format"] for e in seen], ["odd"])
        self.assertTrue(control.set_level("debug"))
        self.assertFalse(control.set_level("debug"))
        log.debug("detail")
        self.assertEqual([e["log_format"] for e in seen], ["odd", "detail"])

    def test_under_systemd_lines_carry_journald_priorities(self) -> None:
        publisher, seen, log = self.publisher()
        stream = io.StringIO()
        LogControl("info").install(publisher, environ={"JOURNAL_STREAM": "8:1234"}, stream=stream)
        log.info("application {id} gone", id=3)
        log.error("two\nlines")
        self.assertEqual(seen, [])  # twistd's own observer is replaced, not doubled
        self.assertEqual(
            stream.getvalue(),
            "<6>ecsta.test: application 3 gone\n<3>ecsta.test: two\n<3>ecsta.test: lines\n",
        )

    def test_a_journal_observer_writes_tracebacks_line_by_line(self) -> None:
        stream = io.StringIO()
        failure = Failure(ZeroDivisionError("division by zero"))
        JournalObserver(stream)(
            {
                "log_level": LogLevel.critical,
                "log_namespace": "x",
                "log_format": "boom",
                "log_failure": failure,
            }
        )
        lines = stream.getvalue().splitlines()
        self.assertEqual(lines[0], "<2>x: boom")
        self.assertTrue(all(line.startswith("<2>x: ") for line in lines))
        self.assertIn("ZeroDivisionError", stream.getvalue())


class AccessLogTests(SynchronousTestCase):
    def logged(self, method: bytes, code: int) -> bool:
        site = QuietSite(Resource())
        lines: list[str] = []
        site._logFormatter = lambda timestamp, request: "line"  # type: ignore[method-assign]
        site.logFile = type("F", (), {"write": lambda self, text: lines.append(text)})()
        request: Any = DummyRequest([b""])
        request.method = method
        request.code = code
        site.log(request)
        return bool(lines)

    def test_successful_polls_are_not_logged_but_changes_and_failures_are(self) -> None:
        self.assertFalse(self.logged(b"GET", 200))
        self.assertTrue(self.logged(b"GET", 401))
        self.assertTrue(self.logged(b"POST", 200))

    def test_refusals_any_client_can_provoke_are_written_a_few_a_minute(self) -> None:
        clock = Clock()
        site = QuietSite(Resource(), reactor=clock)
        lines: list[str] = []
        site._logFormatter = lambda timestamp, request: "line"  # type: ignore[method-assign]
        site.logFile = type("F", (), {"write": lambda self, text: lines.append(text)})()
        request: Any = DummyRequest([b""])
        request.method, request.code = b"GET", 401
        with mock.patch("ecsta.daemon.accesslog.log") as warned:
            for _ in range(REFUSALS_PER_MINUTE + 500):
                site.log(request)
            self.assertEqual(len(lines), REFUSALS_PER_MINUTE)
            clock.advance(60)
            site.log(request)
        self.assertEqual(len(lines), REFUSALS_PER_MINUTE + 1)
        self.assertEqual(warned.warn.call_args.kwargs["count"], 500)


class BuildInfoTests(SynchronousTestCase):
    def test_metrics_say_which_program_and_version_serve_them(self) -> None:
        text = generate_latest(registry_of(lambda: iter([]), "ecsta-mux")).decode()
        self.assertIn(f'ecsta_build_info{{program="ecsta-mux",version="{__version__}"}} 1.0', text)
