"""Warnings a peer can provoke, bounded: repeated ones are counted, not written.

A hostile peer that sends a thousand malformed PDUs a second must not turn into a thousand log
lines a second (nor into megabytes of hex): each kind of warning is written at most ``burst``
times per ``period``, and the next one written after a quiet spell, or :meth:`flush` at the end
of a connection, says how many were left out. PDUs are shown truncated by :func:`pdu_hex`.
"""

from typing import Any

from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger

#: Octets of a PDU shown in a log line; the rest is only counted.
LOGGED_OCTETS = 64
#: Integers wider than this are logged by their size (Python refuses to print very long ones).
LOGGED_BITS = 64
#: Characters of a peer's string (a user name, say) shown in a log line.
LOGGED_CHARACTERS = 64


def pdu_hex(pdu: bytes, limit: int = LOGGED_OCTETS) -> str:
    """The start of ``pdu`` in hex, and its length when that is not all of it."""
    if len(pdu) <= limit:
        return pdu.hex()
    return f"{pdu[:limit].hex()}... ({len(pdu)} octets)"


def loggable(value: Any) -> Any:
    """``value``, or a short form of an integer or string too long to print safely."""
    if isinstance(value, int) and value.bit_length() > LOGGED_BITS:
        return f"<{value.bit_length()}-bit integer>"
    if isinstance(value, str) and len(value) > LOGGED_CHARACTERS:
        return f"{value[:LOGGED_CHARACTERS]}... ({len(value)} characters)"
    return value


class Throttle:
    """At most ``burst`` warnings of each kind per ``period`` seconds; the rest are summarised."""

    def __init__(
        self, log: Logger, clock: IReactorTime, burst: int = 5, period: float = 60.0
    ) -> None:
        #: Who the warnings are about (a peer's address), named in the summaries.
        self.label = ""
        self.log = log
        self.clock = clock
        self.burst = burst
        self.period = period
        #: kind -> [start of the current period, warnings in it, warnings left out]
        self._kinds: dict[str, list[float]] = {}
        self.suppressed = 0

    def warn(self, kind: str, format: str, /, **fields: Any) -> None:
        now = self.clock.seconds()
        state = self._kinds.get(kind)
        if state is None or now - state[0] >= self.period:
            if state is not None:
                self._summary(kind, state)
            state = self._kinds[kind] = [now, 0, 0]
        state[1] += 1
        if state[1] <= self.burst:
            self.log.warn(format, **{name: loggable(v) for name, v in fields.items()})
        else:
            state[2] += 1
            self.suppressed += 1

    def flush(self) -> None:
        """Say what was left out (at the end of a connection, say)."""
        for kind, state in self._kinds.items():
            self._summary(kind, state)
        self._kinds.clear()

    def _summary(self, kind: str, state: list[float]) -> None:
        if state[2]:
            self.log.warn(
                "{label}{n} more {kind!r} warnings suppressed",
                label=f"{self.label}: " if self.label else "",
                n=int(state[2]),
                kind=kind,
            )
            state[2] = 0
