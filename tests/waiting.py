"""Waiting in the test's real reactor for what a test expects to happen.

The loopback harnesses (a simulator, driver or multiplexer in the test's own reactor) have no
clock to advance: they poll for the event they expect and fail the test after a time limit.
"""

import inspect
from collections.abc import Callable
from typing import Any

from twisted.internet import reactor
from twisted.internet.task import deferLater


async def until(
    probe: Callable[[], Any], timeout: float = 10.0, what: str = "condition", poll: float = 0.01
) -> Any:
    """Poll ``probe()`` (which may be async) until it is true, and return what it gave; fail
    the test once ``timeout`` seconds of polling have gone by."""
    waited = 0.0
    while True:
        value = probe()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if waited >= timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        await deferLater(reactor, poll, lambda: None)
        waited += poll
