"""The table of requests awaiting an answer on one association.

As in ``twisted.names.dns.DNSMixin``: invoke ids are allocated per connection, skipping ids still
in flight; loss fails every entry with one specific error. Peers may reuse their own ids
(PROTOCOL.md section 3), but ours are unique while in flight, so an answer always finds at most
one request.

A multiplexer keeps thousands of requests a second in flight, nearly all answered within
milliseconds, so two costs per request are left out: a request's :class:`Waiter` is whatever
the sender makes of the answer (a Deferred behind a small adapter, or the multiplexer's own
ticket), and there is one timer for the whole table rather than one per request. Requests made
with the same timeout expire in the order they were made, so each timeout keeps its requests in
insertion order and the one timer is set for the earliest deadline of all; an answered request
leaves its place and the timer stays, to find nothing due when it fires and move on to the next
deadline.
"""

from typing import Protocol

from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.logger import Logger

from ecsta.link.errors import RequestTimeout
from ecsta.wire.ber import Peek

MAX_INVOKE_ID = 0x7FFF

log = Logger()


class Waiter(Protocol):
    """Who hears how a request ended, once: its answer with the link's peek at it, or the
    reason there is none (timeout, loss of the link)."""

    def answered(self, pdu: bytes, peek: Peek) -> None: ...

    def failed(self, reason: BaseException) -> None: ...


#: A request in flight: its waiter and its timeout (None: it waits as long as the link lives).
_Entry = tuple[Waiter, float | None]


class Outstanding:
    """Requests in flight, keyed by the invoke id we chose."""

    def __init__(self, clock: IReactorTime) -> None:
        self._clock = clock
        self._next = 1
        self._pending: dict[int, _Entry] = {}
        #: timeout -> {invoke id: deadline}, in the order the requests were made.
        self._deadlines: dict[float, dict[int, float]] = {}
        self._timer: IDelayedCall | None = None
        self._lost: BaseException | None = None

    def __len__(self) -> int:
        return len(self._pending)

    def allocate(self) -> int:
        """A fresh id, not in flight; ids wrap at 32767 so they stay two bytes on the wire."""
        if len(self._pending) >= MAX_INVOKE_ID:
            raise OverflowError("every invoke id is in flight")
        while True:
            candidate = self._next
            self._next = 1 if candidate >= MAX_INVOKE_ID else candidate + 1
            if candidate not in self._pending:
                return candidate

    def add(self, invoke_id: int, timeout: float | None, waiter: Waiter) -> None:
        """``waiter`` waits for the answer to ``invoke_id``; it fails at once if the link is
        already lost."""
        if self._lost is not None:
            waiter.failed(self._lost)
            return
        self._pending[invoke_id] = (waiter, timeout)
        if timeout is not None:
            deadline = self._clock.seconds() + timeout
            queue = self._deadlines.get(timeout)
            if queue is None:
                queue = self._deadlines[timeout] = {}
            queue[invoke_id] = deadline
            timer = self._timer
            if timer is None:
                self._timer = self._clock.callLater(timeout, self._expire)
            elif timer.getTime() > deadline:
                timer.reset(timeout)

    def pop(self, invoke_id: int) -> Waiter | None:
        """The request an answer belongs to, or None for an id not (or no longer) in flight."""
        entry = self._pending.pop(invoke_id, None)
        if entry is None:
            return None
        waiter, timeout = entry
        if timeout is not None:
            del self._deadlines[timeout][invoke_id]
        return waiter

    def _expire(self) -> None:
        self._timer = None
        now = self._clock.seconds()
        expired: list[tuple[int, _Entry]] = []
        for queue in self._deadlines.values():
            while queue:
                invoke_id, deadline = next(iter(queue.items()))
                if deadline > now:
                    break
                del queue[invoke_id]
                expired.append((invoke_id, self._pending.pop(invoke_id)))
        # Failing a request may make another (a retry, the next in a queue): the timer is set
        # for what is left once they are all failed.
        try:
            for invoke_id, (waiter, timeout) in expired:
                reason = RequestTimeout(f"no answer to invoke {invoke_id} within {timeout:g} s")
                _tell(waiter, reason)
        finally:
            self._schedule()

    def _schedule(self) -> None:
        """The timer, set for the earliest deadline left (or none when nothing waits)."""
        earliest = min(
            (next(iter(queue.values())) for queue in self._deadlines.values() if queue),
            default=None,
        )
        timer = self._timer
        if earliest is None:
            if timer is not None:
                timer.cancel()
                self._timer = None
            return
        delay = max(0.0, earliest - self._clock.seconds())
        if timer is None:
            self._timer = self._clock.callLater(delay, self._expire)
        elif timer.getTime() > earliest:
            timer.reset(delay)

    def lose(self, reason: BaseException) -> None:
        """Fail everything in flight, and every later request, with ``reason``."""
        self._lost = reason
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, {}
        self._deadlines.clear()
        for waiter, _ in pending.values():
            _tell(waiter, reason)


def _tell(waiter: Waiter, reason: BaseException) -> None:
    """``waiter`` fails with ``reason``; should it raise, the others in the same turn still hear
    theirs, and the failure is logged."""
    try:
        waiter.failed(reason)
    except Exception:
        log.failure("a request's waiter failed on {reason}", reason=reason)
