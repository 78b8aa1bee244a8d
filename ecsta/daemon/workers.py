"""Work that must not run on the reactor thread, on a small pool of threads of its own.

Password hashing takes tens of milliseconds on purpose; on the reactor thread ten logins at once
would stall every connection for half a second. A :class:`Workers` pool runs such calls on at
most ``max_threads`` threads (so a login flood costs a bounded share of the CPU, and the reactor
none), and hands the result back to the reactor thread as a Deferred.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from twisted.application.service import Service
from twisted.internet import threads
from twisted.internet.defer import Deferred
from twisted.python.threadpool import ThreadPool

T = TypeVar("T")


class Workers(Service):
    """A bounded thread pool that lives as long as the service it belongs to."""

    def __init__(self, reactor: Any, max_threads: int, name: str) -> None:
        self.reactor = reactor
        self.pool = ThreadPool(minthreads=0, maxthreads=max_threads, name=name)

    def startService(self) -> None:
        super().startService()
        self.pool.start()

    def stopService(self) -> None:
        super().stopService()
        self.pool.stop()

    def run(self, function: Callable[..., T], *args: Any) -> Deferred[T]:
        """``function(*args)`` on a pool thread; work waits its turn while every thread is busy."""
        return threads.deferToThreadPool(self.reactor, self.pool, function, *args)
