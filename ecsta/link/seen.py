"""A bounded memory of short answers already found well-formed, but for their invokeId.

Most answers a PBX sends are the same octets each time but for the invokeId: the empty result
of a call-control operation, the snapshot of an idle phone, the same error. Walking each one's
BER again costs as much as the rest of relaying it, so a link remembers the octets after the
invokeId of the short answers it has checked, and spares the walk when they come again (the
peek checks the header and the invokeId, which are all that differs). Events are not
remembered: they carry call ids and times, so they rarely repeat.
"""

from ecsta.wire import ber

#: Answers longer than this (octets after the invokeId) are checked every time.
MAX_REMEMBERED = 128
#: How many different answers are remembered; the oldest makes room.
MAX_ENTRIES = 256


class SeenAnswers:
    """The short answers found well-formed on one link, oldest first."""

    __slots__ = ("_bodies",)

    def __init__(self) -> None:
        self._bodies: dict[bytes, None] = {}

    def __len__(self) -> int:
        return len(self._bodies)

    def seen(self, pdu: bytes, peek: ber.Peek) -> bool:
        """Whether ``pdu`` repeats an answer found well-formed, but for its invokeId."""
        after = peek.after_id
        return bool(after) and peek.kind is not ber.Kind.INVOKE and pdu[after:] in self._bodies

    def remember(self, pdu: bytes, peek: ber.Peek) -> None:
        """``pdu`` was found well-formed: remembered if it is a short answer."""
        after = peek.after_id
        if not after or peek.kind is ber.Kind.INVOKE or len(pdu) - after > MAX_REMEMBERED:
            return
        bodies = self._bodies
        if len(bodies) >= MAX_ENTRIES:
            del bodies[next(iter(bodies))]
        bodies[pdu[after:]] = None
