"""Writing a PDU to a plain TCP socket at once, rather than when the reactor next turns.

A Twisted transport keeps what it is given until the reactor's next turn, so the requests a
multiplexer forwards while it reads a burst reach the PBX together, once the whole burst is
read: the PBX waits while the multiplexer reads, then the multiplexer while the PBX answers.
Written at once, the first request reaches the PBX while the rest are still being read, and the
two work at the same time (``bench/mux.py`` (a)); an answer reaches its application without
waiting for the reactor to look at every other socket (``bench/mux.py`` (d)).

Each system call costs, though, and a burst of events fanned out to a thousand applications
is best sent to each in one. So while the multiplexer handles what one read brought
(:meth:`Pushes.read`), a link sends its first PDU at once and holds the rest, and an event
(``hold``) waits from the start; at the end of the read, what each link holds goes to its
socket in one write (``bench/mux.py`` (b)). Only events wait for the end of a long read,
though: once :data:`MAX_HELD` PDUs are held, the next PDU that is not an event takes them all
to the socket with it, so that an answer waits behind the handling of a few others at most,
and its application works on the first answers of a burst while the multiplexer still handles
the rest, instead of both taking turns (``bench/mux.py`` (a)).

The socket (the transport's public ``getHandle()``) takes each write directly while nothing
waits in the transport, which costs one system call and leaves the reactor's write
registration as it is. Once the socket takes only part of one (the peer reads slower than it
is written to), the rest goes to the transport, and so does everything after it for the rest
of the connection, so that the order holds; each write is then handed to the socket by the
transport's own ``doWrite`` at once. TLS connections and in-memory transports are written the
ordinary way.
"""

import socket
from collections.abc import Callable
from typing import Any

from twisted.internet.abstract import FileDescriptor
from twisted.internet.interfaces import ISystemHandle
from twisted.logger import Logger

log = Logger()

#: PDUs held within a read before the next one that is not an event takes them to the socket.
MAX_HELD = 8


class WriteThrough:
    """Writes to one transport, at once where it can."""

    __slots__ = ("_held", "_pushes", "_read", "_socket", "transport")

    def __init__(self, transport: Any, pushes: "Pushes | None" = None) -> None:
        self.transport = transport
        plain = isinstance(transport, FileDescriptor) and ISystemHandle.providedBy(transport)
        handle = transport.getHandle() if plain else None
        #: The socket while it is written directly; None once the transport holds the order.
        self._socket: socket.socket | None = handle if isinstance(handle, socket.socket) else None
        #: The reads this writer's link is written to in, whose ends release what it holds.
        self._pushes = pushes
        #: The read (:attr:`Pushes.reads`) whose later PDUs wait in :attr:`_held`.
        self._read = 0
        self._held: list[bytes] = []

    @property
    def direct(self) -> bool:
        """Whether writes still go straight to the socket."""
        return self._socket is not None

    def write(self, data: bytes, hold: bool = False) -> None:
        """``data`` to the socket at once, unless something waits before it. Within a read
        (:class:`Pushes`), only the first PDU goes at once and the rest wait for the read's
        end, and one that may wait (``hold``) does; one that may not takes what is held with
        it once :data:`MAX_HELD` PDUs are."""
        pushes = self._pushes
        if pushes is not None and pushes.depth:
            if self._read == pushes.reads:  # written to before in this read
                held = self._held
                if not held:
                    pushes.writers.add(self)
                held.append(data)
                if not hold and len(held) > MAX_HELD:
                    self._held = []
                    self._send(b"".join(held))
                return
            if hold or self._socket is not None:
                self._read = pushes.reads
                if hold:
                    self._held.append(data)
                    pushes.writers.add(self)
                    return
        self._send(data)

    def release(self) -> None:
        """What is held, to the socket in one write."""
        held = self._held
        if held:
            self._held = []
            self._send(b"".join(held))

    def close(self) -> None:
        """The connection is gone: what is held goes nowhere."""
        self._held = []
        self._socket = None

    def _send(self, data: bytes) -> None:
        sock = self._socket
        if sock is not None:
            try:
                sent = sock.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                # The connection failed: the transport finds out and ends it the usual way.
                sent = 0
            if sent == len(data):
                return
            self._socket = None
            data = data[sent:]
        self.transport.write(data)
        push(self.transport)


class Pushes:
    """The reads of the links that share it, and the writers that hold PDUs until the read
    being handled ends."""

    __slots__ = ("depth", "reads", "writers")

    def __init__(self) -> None:
        #: Reads being handled, one inside another when a write is read at once (in memory).
        self.depth = 0
        #: Outermost reads begun: what a writer holds belongs to one of them.
        self.reads = 0
        #: Writers holding PDUs for the end of the read.
        self.writers: set[WriteThrough] = set()

    def read(self, handle: Callable[[bytes], None], data: bytes) -> None:
        """``handle(data)``, one read's handling; every writer holding PDUs at its end, once
        it is the outermost, sends them."""
        if not self.depth:
            self.reads += 1
        self.depth += 1
        try:
            handle(data)
        finally:
            # The read lasts while what it wrote goes out: what an in-memory peer reads of it
            # at once, and answers, belongs to it, and follows what the others still hold.
            if self.depth == 1 and self.writers:
                self._release()
            self.depth -= 1

    def _release(self) -> None:
        while self.writers:
            writers, self.writers = self.writers, set()
            for writer in writers:
                # Around a read: nothing may raise out of dataReceived, and one link's failure
                # must not leave what the others hold unsent.
                try:
                    writer.release()
                except Exception:
                    log.failure(
                        "sending what a read wrote to {transport}", transport=writer.transport
                    )


def push(transport: Any) -> None:
    """What ``transport`` holds, handed to its socket now by the transport's own ``doWrite``,
    where it is a plain TCP connection that is not closing: the write that completes a close is
    the reactor's to make, so that it sees the close."""
    if isinstance(transport, FileDescriptor) and transport.connected:
        if not transport.disconnecting:
            transport.doWrite()
