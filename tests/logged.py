"""What a test's code logs, as the lines an operator would read."""

from typing import cast

from twisted.logger import ILogObserver, LogEvent, formatEvent, globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase


def logged_lines(case: SynchronousTestCase) -> list[str]:
    """A list that receives the text of every event logged from now until ``case`` ends."""
    lines: list[str] = []

    def observe(event: LogEvent) -> None:
        lines.append(formatEvent(event))

    observer = cast(ILogObserver, observe)
    globalLogPublisher.addObserver(observer)
    case.addCleanup(globalLogPublisher.removeObserver, observer)
    return lines
