"""Writing each PDU to a plain TCP socket at once, rather than when the reactor next turns.

A Twisted transport keeps what it is given until the reactor's next turn, so the requests a
multiplexer forwards while it reads a burst reach the PBX together, once the whole burst is
read: the PBX waits while the multiplexer reads, then the multiplexer while the PBX answers.
Written at once, the first request reaches the PBX while the rest are still being read, and the
two work at the same time (``bench/mux.py`` (a)). Only the multiplexer's PBX link is written
so: what it fans out to applications comes in bursts of events that each application is
better sent in one write per burst (``bench/mux.py`` (b)). Those links are pushed instead
(:class:`Pushes`): once the multiplexer has handled what one read brought, whatever it wrote
to each goes to its socket at once, rather than after the reactor has looked at every other
socket (``bench/mux.py`` (d)).

The socket (the transport's public ``getHandle()``) takes each PDU directly while nothing waits
in the transport, which costs one system call and leaves the reactor's write registration as
it is. Once the socket takes only part of one (the peer reads slower than it is written to),
the rest goes to the transport, and so does everything after it for the rest of the
connection, so that the order holds; each write is then handed to the socket by the
transport's own ``doWrite`` at once. TLS connections and in-memory transports are written the
ordinary way.
"""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from twisted.internet.abstract import FileDescriptor
from twisted.internet.interfaces import ISystemHandle


class WriteThrough:
    """Writes to one transport, at once where it can."""

    __slots__ = ("_socket", "transport")

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        plain = isinstance(transport, FileDescriptor) and ISystemHandle.providedBy(transport)
        handle = transport.getHandle() if plain else None
        #: The socket while it is written directly; None once the transport holds the order.
        self._socket: socket.socket | None = handle if isinstance(handle, socket.socket) else None

    @property
    def direct(self) -> bool:
        """Whether writes still go straight to the socket."""
        return self._socket is not None

    def write(self, data: bytes) -> None:
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

    def written(self, link: Any) -> None:
        """``link`` was written to; outside :meth:`reading` the reactor writes it, as always."""
        if self._depth:
            self._links.add(link)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Around the handling of one read: every link written to meanwhile is pushed
        (``link.push()``) at its end."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth and self._links:
                links, self._links = self._links, set()
                for link in links:
                    link.push()


def push(transport: Any) -> None:
    """What ``transport`` holds, handed to its socket now by the transport's own ``doWrite``,
    where it is a plain TCP connection that is not closing: the write that completes a close is
    the reactor's to make, so that it sees the close."""
    if isinstance(transport, FileDescriptor) and transport.connected:
        if not transport.disconnecting:
            transport.doWrite()
