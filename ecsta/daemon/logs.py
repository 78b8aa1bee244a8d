"""The log of a service: its level, and output that journald reads well.

``[log] level`` (debug, info, warn, error, critical) drops events below it; a reload changes it
in place. Run by systemd (``$JOURNAL_STREAM`` set, stdout being the journal), every line goes
out as ``<PRIORITY>namespace: text`` without twistd's timestamp: journald keeps its own, files
the line under the syslog priority (``journalctl -p warning``), and the unit's
``SyslogIdentifier=`` names the service instead of ``twistd``.
"""

import os
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from twisted.logger import (
    FilteringLogObserver,
    ILogObserver,
    LogEvent,
    LogLevel,
    LogLevelFilterPredicate,
    LogPublisher,
    formatEvent,
    globalLogPublisher,
)
from zope.interface import implementer

LEVELS: Mapping[str, LogLevel] = {
    "debug": LogLevel.debug,
    "info": LogLevel.info,
    "warn": LogLevel.warn,
    "error": LogLevel.error,
    "critical": LogLevel.critical,
}
#: syslog priorities (sd-daemon(3) prefixes) of the log levels.
PRIORITIES: Mapping[LogLevel, int] = {
    LogLevel.debug: 7,
    LogLevel.info: 6,
    LogLevel.warn: 4,
    LogLevel.error: 3,
    LogLevel.critical: 2,
}


def check_level(key: str, value: Any) -> str:
    """A log level setting, or ValueError naming ``key`` and the levels there are."""
    if value not in LEVELS:
        raise ValueError(f"{key}: expected one of {', '.join(LEVELS)}, got {value!r}")
    return str(value)


@implementer(ILogObserver)
class JournalObserver:
    """Writes each event as sd-daemon lines: ``<6>ecsta.mux.service: application 3 gone``."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, event: LogEvent) -> None:
        level = event.get("log_level", LogLevel.info)
        priority = PRIORITIES.get(level, 6)
        namespace = event.get("log_namespace", "-")
        text = formatEvent(event)
        failure = event.get("log_failure")
        if failure is not None:
            text = f"{text}\n{failure.getTraceback()}"
        lines = text.rstrip("\n").split("\n")
        self.stream.write("".join(f"<{priority}>{namespace}: {line}\n" for line in lines))
        self.stream.flush()


class LogControl:
    """The level filter in front of the service's log observers, changeable at run time."""

    def __init__(self, level: str = "info") -> None:
        self.level = level
        self.predicate = LogLevelFilterPredicate(defaultLogLevel=LEVELS[level])

    def set_level(self, level: str) -> bool:
        """Change the level; whether it changed."""
        if level == self.level:
            return False
        self.level = level
        self.predicate.setLogLevelForNamespace("", LEVELS[level])
        return True

    def install(
        self,
        publisher: LogPublisher = globalLogPublisher,
        environ: Mapping[str, str] | None = None,
        stream: TextIO | None = None,
    ) -> None:
        """Put the filter in front of the observers twistd set up, and under systemd write
        journald's lines instead of twistd's."""
        environ = os.environ if environ is None else environ
        observers = list(publisher._observers)
        if environ.get("JOURNAL_STREAM"):
            # The process's real stdout: twistd points sys.stdout into the log itself.
            observers = [JournalObserver(stream or sys.__stdout__ or sys.stdout)]
        for observer in list(publisher._observers):
            publisher.removeObserver(observer)
        for observer in observers:
            publisher.addObserver(FilteringLogObserver(observer, [self.predicate]))
