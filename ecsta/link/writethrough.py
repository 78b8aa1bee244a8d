"""Writing a PDU to a plain TCP socket at once, rather than when the reactor next turns.

A Twisted transport keeps what it is given until the reactor's next turn, so the requests a
multiplexer forwards while it reads a burst reach the PBX together, once the whole burst is
read: the PBX waits while the multiplexer reads, then the multiplexer while the PBX answers.
Written at once, the first request reaches the PBX while the rest are still being read, and the
two work at the same time (``bench/mux.py`` (a)); an answer reaches its application without
waiting for the reactor to look at every other socket (``bench/mux.py`` (d)).

Each system call costs, though, and a burst of events fanned out to a thousand applications
is best sent to each in one. So while the multiplexer handles what one read brought
(``with`` :class:`Pushes`), a link sends its first PDU at once and holds the rest, and an event
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
from typing import Any

from twisted.internet.abstract import FileDescriptor
from twisted.internet.interfaces import ISystemHandle
from twisted.logger import Logger

log = Logger()

#: PDUs held within a read before the next one that is not an event takes them to the socket.
MAX_HELD = 8


class WriteThrough:
    """Writes to one transport, at once where it can."""

    __slots__ = ("_held", "_socket", "transport")

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        plain = isinstance(transport, FileDescriptor) and ISystemHandle.providedBy(transport)
        handle = transport.getHandle() if plain else None
        #: The socket while it is written directly; None once the transport holds the order.
        self._socket: socket.socket | None = handle if isinstance(handle, socket.socket) else None
        #: What waits for :meth:`release`, once one PDU of a read went out at once.
        self._held: list[bytes] | None = None

    @property
    def direct(self) -> bool:
        """Whether writes still go straight to the socket."""
        return self._socket is not None

    def write(self, data: bytes, pushed: bool = False, hold: bool = False) -> None:
        """``data`` to the socket at once, unless something waits before it. Within a read
        whose end will :meth:`release` it (``pushed``), only the first PDU goes at once and
        the rest wait for that end, and one that may wait (``hold``) does; one that may not
        takes what is held with it once :data:`MAX_HELD` PDUs are."""
        held = self._held
        if held is not None:
            held.append(data)
            if not hold and len(held) > MAX_HELD:
                self._held = []
                self._send(b"".join(held))
            return
        if pushed and hold:
            self._held = [data]
            return
        self._send(data)
        if pushed and self._socket is not None:
            self._held = []

    def release(self) -> None:
        """What is held, to the socket in one write."""
        held, self._held = self._held, None
        if held:
            self._send(b"".join(held))

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
    """The links written to while what one read brought is handled, pushed once it is."""

    __slots__ = ("_depth", "_links")

    def __init__(self) -> None:
        self._links: set[Any] = set()
        self._depth = 0

    def written(self, link: Any) -> bool:
        """``link`` was written to; whether it will be pushed (outside a read the
        reactor writes it, as always)."""
        if self._depth:
            self._links.add(link)
            return True
        return False

    def __enter__(self) -> None:
        """Around the handling of one read (``with pushes:``): every link written to meanwhile
        is pushed (``link.push()``) at its end."""
        self._depth += 1

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1
        if not self._depth and self._links:
            links, self._links = self._links, set()
            for link in links:
                # Around a read: nothing may raise out of dataReceived, and one link's failure
                # must not leave what the others hold unsent.
                try:
                    link.push()
                except Exception:
                    log.failure("pushing what a read wrote to {link}", link=link)


def push(transport: Any) -> None:
    """What ``transport`` holds, handed to its socket now by the transport's own ``doWrite``,
    where it is a plain TCP connection that is not closing: the write that completes a close is
    the reactor's to make, so that it sees the close."""
    if isinstance(transport, FileDescriptor) and transport.connected:
        if not transport.disconnecting:
            transport.doWrite()
