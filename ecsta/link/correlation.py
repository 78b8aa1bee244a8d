"""The table of requests awaiting an answer on one association.

As in ``twisted.names.dns.DNSMixin``: invoke ids are allocated per connection, skipping ids still
in flight; each entry holds the Deferred and its timeout call; loss fails every entry with one
specific error. Peers may reuse their own ids (PROTOCOL.md section 3), but ours are unique
while in flight, so an answer always finds at most one request.
"""

from collections.abc import Callable
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime

from ecsta.link.errors import RequestTimeout

MAX_INVOKE_ID = 0x7FFF


class Outstanding:
    """Requests in flight, keyed by the invoke id we chose."""

    def __init__(self, clock: IReactorTime) -> None:
        self._clock = clock
        self._next = 1
        self._pending: dict[int, tuple[Deferred[Any], IDelayedCall | None]] = {}
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

    def add(
        self,
        invoke_id: int,
        timeout: float | None,
        on_timeout: Callable[[int], None] | None = None,
    ) -> Deferred[Any]:
        """Wait for the answer to ``invoke_id``; fails at once if the link is already lost."""
        d: Deferred[Any] = Deferred()
        if self._lost is not None:
            d.errback(self._lost)
            return d
        call = None
        if timeout is not None:
            call = self._clock.callLater(timeout, self._expire, invoke_id, timeout, on_timeout)
        self._pending[invoke_id] = (d, call)
        return d

    def _expire(
        self, invoke_id: int, timeout: float, on_timeout: Callable[[int], None] | None
    ) -> None:
        d, _ = self._pending.pop(invoke_id)
        if on_timeout is not None:
            on_timeout(invoke_id)
        d.errback(RequestTimeout(f"no answer to invoke {invoke_id} within {timeout:g} s"))

    def pop(self, invoke_id: int) -> Deferred[Any] | None:
        """The request an answer belongs to, or None for an id not (or no longer) in flight."""
        entry = self._pending.pop(invoke_id, None)
        if entry is None:
            return None
        d, call = entry
        if call is not None and call.active():
            call.cancel()
        return d

    def lose(self, reason: BaseException) -> None:
        """Fail everything in flight, and every later request, with ``reason``."""
        self._lost = reason
        pending, self._pending = self._pending, {}
        for d, call in pending.values():
            if call is not None and call.active():
                call.cancel()
            d.errback(self._lost)
