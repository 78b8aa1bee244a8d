"""A bounded memory of PDUs already found well-formed, by their octets after the invokeId.

Most PDUs on a link are the same octets each time but for the invokeId: the empty result of a
call-control operation, the snapshot of an idle phone, the same error from the PBX; the same
request from an application. Walking each one's BER again costs as much as the rest of relaying
it, so a link remembers the octets after the invokeId of what it has checked, with its peek at
them, and a repeat is read no further than its header and invokeId, which are all that differs
(:func:`ecsta.wire.ber.repeat_peek`); a broken header or invokeId in front of a remembered
body is still found malformed, by the full peek. Events are not remembered: they carry call ids
and times, so they rarely repeat.

A multiplexer keeps one for the answers on its PBX link and one for the invokes of all its
applications (which it remembers once it has also checked their ROSE envelope).
"""

from collections.abc import Collection

from ecsta.wire import ber

#: On the PBX link: answers longer than this (octets after the invokeId) are checked every time,
MAX_REMEMBERED = 128
#: and this many different ones are remembered; the oldest makes room.
MAX_ENTRIES = 256

ANSWERS = frozenset({ber.Kind.RETURN_RESULT, ber.Kind.RETURN_ERROR, ber.Kind.REJECT})


class Seen:
    """PDUs of some kinds found well-formed, oldest first, bounded in number and in octets."""

    __slots__ = (
        "_bodies",
        "_firsts",
        "_found",
        "_kinds",
        "_octets",
        "max_body",
        "max_entries",
        "max_octets",
    )

    def __init__(
        self,
        kinds: Collection[ber.Kind],
        *,
        max_entries: int,
        max_body: int,
        max_octets: int | None = None,
    ) -> None:
        self._kinds = frozenset(kinds)
        self._firsts = frozenset(ber.FIRST_OCTETS[kind] for kind in self._kinds)
        self.max_entries = max_entries
        self.max_body = max_body
        self.max_octets = max_entries * max_body if max_octets is None else max_octets
        #: Octets after the invokeId (the whole PDU for a NULL invokeId, which cannot start
        #: like them) -> (first octet, peek at the PDU).
        self._bodies: dict[bytes, tuple[int, ber.Peek]] = {}
        self._octets = 0
        #: The PDU :meth:`peek` or :meth:`has` last found: a router asks :meth:`has` of the
        #: invoke its link has just looked up, and is answered without a second lookup.
        self._found: bytes | None = None

    def __len__(self) -> int:
        return len(self._bodies)

    @property
    def octets(self) -> int:
        """Octets remembered."""
        return self._octets

    def peek(self, pdu: bytes) -> ber.Peek | None:
        """The peek at ``pdu`` if it repeats a PDU remembered, but for its invokeId; None when
        it must be read in full."""
        # Most of what a link reads is of kinds not kept (events, on the PBX link): those are
        # told by their first octet, before any slicing.
        if not pdu or pdu[0] not in self._firsts:
            return None
        found = ber.repeat_peek(pdu, self._bodies)
        if found is not None:
            self._found = pdu
        return found

    def has(self, pdu: bytes, peek: ber.Peek) -> bool:
        """Whether ``pdu``, already peeked at, repeats a PDU remembered, but for its invokeId,
        in whatever form (a NULL invokeId, a long length)."""
        if pdu is self._found:
            return True
        if peek.kind not in self._kinds:
            return False
        start = _start(peek)
        if len(pdu) - start > self.max_body:
            return False  # never remembered: not copied to be looked up
        known = self._bodies.get(pdu[start:])
        if known is None or known[0] != pdu[0]:
            return False
        self._found = pdu
        return True

    def remember(self, pdu: bytes, peek: ber.Peek) -> None:
        """``pdu``, found well-formed, is remembered if it is of the kinds kept and short
        enough."""
        if peek.kind not in self._kinds:
            return
        start = _start(peek)
        size = len(pdu) - start
        if size > self.max_body:
            return
        key = pdu[start:]
        if key in self._bodies:
            return
        bodies = self._bodies
        while bodies and (len(bodies) >= self.max_entries or self._octets + size > self.max_octets):
            oldest = next(iter(bodies))
            del bodies[oldest]
            self._octets -= len(oldest)
        bodies[key] = (pdu[0], peek)
        self._octets += size


def answers() -> Seen:
    """The memory of a link to a PBX: its short answers."""
    return Seen(ANSWERS, max_entries=MAX_ENTRIES, max_body=MAX_REMEMBERED)


def _start(peek: ber.Peek) -> int:
    """Where the octets a PDU is remembered by start: after its invokeId, or at its first
    octet for a NULL invokeId."""
    return 0 if peek.invoke_id is None else peek.after_id
