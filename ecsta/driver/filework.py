"""File work off the reactor thread: a thread runner, and a writer that batches edits.

Every file the driver keeps (settings, lines, licences) is locked, written and fsynced; done
on the reactor thread, each of those would hold up every API client and every line for as long
as the disk takes. The work goes to the reactor's thread pool instead, whose size bounds how
much runs at once. Edits of one file are applied in the order they were asked for, and those
asked for while a write runs go together into the next one, so that a burst (a thousand lines
loaded from the PBX) costs a few writes, not a thousand.
"""

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from twisted.internet import defer, threads
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorThreads

E = TypeVar("E")
#: Runs ``work(*args)`` somewhere and answers with a Deferred of its result.
Runner = Callable[..., "Deferred[Any]"]


def at_once(work: Callable[..., Any], *args: Any) -> Deferred[Any]:
    """The runner of a process without a reactor (the CLI, tests on their own): in this thread."""
    return defer.maybeDeferred(work, *args)


def thread_runner(clock: Any) -> Runner:
    """Work in ``clock``'s thread pool; on a clock without threads (a ``task.Clock``), at once."""
    if not IReactorThreads.providedBy(clock):
        return at_once

    def run(work: Callable[..., Any], *args: Any) -> Deferred[Any]:
        return threads.deferToThreadPool(clock, clock.getThreadPool(), work, *args)

    return run


class BatchWriter(Generic[E]):
    """Edits of one file, written one batch at a time through ``runner``.

    ``write(batch)`` applies a batch of edits in order and returns what each one answers; each
    edit's Deferred gets its own answer, or the failure of the batch (a batch is all or
    nothing, as each write of the file is).
    """

    def __init__(self, write: Callable[[Sequence[E]], list[Any]], runner: Runner) -> None:
        self.write = write
        self.runner = runner
        self._pending: list[tuple[E, Deferred[Any]]] = []
        self._writing = False
        self._idle: list[Deferred[None]] = []

    def submit(self, edit: E) -> Deferred[Any]:
        done: Deferred[Any] = Deferred()
        self._pending.append((edit, done))
        if not self._writing:
            self._next()
        return done

    def idle(self) -> Deferred[None]:
        """Fires once every edit submitted so far is written (or has failed)."""
        if not self._writing:
            return defer.succeed(None)
        waiting: Deferred[None] = Deferred()
        self._idle.append(waiting)
        return waiting

    def _next(self) -> None:
        if not self._pending:
            self._writing = False
            idle, self._idle = self._idle, []
            for waiting in idle:
                waiting.callback(None)
            return
        self._writing = True
        batch, self._pending = self._pending, []
        written = self.runner(self.write, [edit for edit, _ in batch])

        def answer(results: list[Any]) -> None:
            for (_, done), result in zip(batch, results, strict=True):
                done.callback(result)

        def fail(failure: Any) -> None:
            for _, done in batch:
                done.errback(failure)

        written.addCallbacks(answer, fail).addBoth(lambda _: self._next())
