"""The services' HTTP sites (driver API, mux status and console), guarded where a request
enters, before any resource sees it.

- **Host names.** A browser page from another site can reach a service on 127.0.0.1 through
  DNS rebinding: its own name, re-pointed at 127.0.0.1, makes the request same-origin, and only
  the ``Host`` header still tells. Requests naming a host that is not configured are refused
  (loopback names by default).
- **Body size.** Twisted reads a whole body before the resource (and its login check) runs; a
  body larger than ``max_body`` is refused from its ``Content-Length`` (or as soon as a chunked
  one grows past it), and the connection closed, before it is read.
- **Secrets.** The access log never shows a ``token`` (or ``password``) query parameter.
- **Connections.** At most ``max_connections`` are open at once; more are closed as they come
  (counted, and a warning a minute says so), so that a client opening connections, each with
  an event stream or a request waiting for the PBX, cannot make a service hold more of them.
"""

import json
import re
from collections.abc import Collection, Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from twisted.internet.protocol import Protocol
from twisted.logger import Logger
from twisted.web.http import combinedLogFormatter
from twisted.web.resource import IResource, Resource
from twisted.web.server import Request

from ecsta.daemon.accesslog import QuietSite
from ecsta.daemon.networks import is_loopback

log = Logger()

#: Connections a site keeps open at once by default.
MAX_CONNECTIONS = 512
#: Seconds between two warnings that connections are being refused.
REFUSAL_WARNING_PERIOD = 60.0

#: Host names a service on loopback answers to by default.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
#: Query parameters whose values are never written to the access log.
_SECRET = re.compile(rb"([?&](?:token|password)=)[^&#\s]*", re.IGNORECASE)


def answered_hosts(endpoint: str, configured: Collection[str] | None) -> list[str]:
    """The host names a site on ``endpoint`` answers to: as configured, else loopback names on
    loopback and any beyond it (where a login is required, so that a rebound name gains
    nothing)."""
    if configured is not None:
        return list(configured)
    return list(LOOPBACK_HOSTS) if is_loopback(endpoint) else ["*"]


def redact(uri: bytes) -> bytes:
    """``uri`` with the values of secret query parameters replaced."""
    return _SECRET.sub(rb"\1<redacted>", uri)


def host_name(header: str) -> str:
    """The host of a ``Host`` header, without its port, lowercased (IPv6 without brackets)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class _Redacted:
    """A request as the access log sees it: the same, minus secrets."""

    def __init__(self, request: Request) -> None:
        self._request = request
        self.uri = redact(request.uri)

    def getHeader(self, name: bytes) -> bytes | None:
        value = self._request.getHeader(name)
        return None if value is None else redact(value)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


def _log_line(timestamp: str, request: Request) -> str:
    redacted: Any = _Redacted(request)
    return combinedLogFormatter(timestamp, redacted)


class Refusal(Resource):
    """A request refused before it reaches a route: the status and body are fixed."""

    isLeaf = True

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__()
        self.status = status
        self.body = body

    def render(self, request: Request) -> bytes:
        request.setResponseCode(self.status)
        request.setHeader("content-type", "application/json")
        return json.dumps(self.body, separators=(",", ":")).encode()


_BAD_HOST = Refusal(
    421, {"error": "unknownHost", "message": "this service does not answer to that host name"}
)


class GuardedRequest(Request):
    """A request whose body may not exceed its site's ``max_body``."""

    _received = 0
    _refused = False

    @property
    def _limit(self) -> int:
        site: Any = getattr(self.channel, "site", None)
        return int(getattr(site, "max_body", 1 << 20))

    def gotLength(self, length: int | None) -> None:
        if length is not None and length > self._limit:
            self._refuse_body()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        if self._refused:
            return
        self._received += len(data)
        if self._received > self._limit:
            self._refuse_body()
            return
        super().handleContentChunk(data)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        if not self._refused:
            super().requestReceived(command, path, version)

    def _refuse_body(self) -> None:
        """Answer 413 at once and hang up: the rest of the body is never read. The refusal is
        written to the access log like any other, since the request never reaches
        ``finish``, which is where Twisted logs."""
        if self._refused:
            return
        self._refused = True
        body = b'{"error":"tooLarge","message":"the body exceeds %d bytes"}' % self._limit
        channel: Any = self.channel
        transport: Any = channel.transport
        transport.write(
            b"HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body)
        )
        transport.loseConnection()
        # The request line is still the channel's until the whole body has been read.
        self.method = getattr(channel, "_command", self.method)
        self.uri = getattr(channel, "_path", self.uri)
        self.clientproto = getattr(channel, "_version", self.clientproto)
        self.code, self.sentLength = 413, len(body)
        site: Any = getattr(channel, "site", None)
        if site is not None:
            site.log(self)


class _Closed(Protocol):
    """A connection past the most a site keeps: closed as soon as it is made. Not ``None`` from
    ``buildProtocol``, which closes it only on a plain TCP port: a TLS port wraps what the site
    builds, and around ``None`` it would keep the connection open, with a traceback for each."""

    def connectionMade(self) -> None:
        assert self.transport is not None
        self.transport.abortConnection()  # type: ignore[attr-defined]


class GuardedSite(QuietSite):
    """A ``Site`` that checks the host name and the body size before any resource runs, and
    logs what changes something or fails (not every poll)."""

    requestFactory = GuardedRequest

    def __init__(
        self,
        resource: IResource,
        *,
        hosts: Collection[str] = LOOPBACK_HOSTS,
        max_body: int = 1 << 20,
        max_connections: int = MAX_CONNECTIONS,
        **kwargs: Any,
    ) -> None:
        super().__init__(resource, logFormatter=_log_line, **kwargs)
        self.hosts = frozenset(h.lower() for h in hosts)
        self.max_body = max_body
        self.displayTracebacks = False
        self.max_connections = max_connections
        #: Connections open now, and those closed as they came because too many were open.
        self.open_connections = 0
        self.refused_connections = 0
        self._last_warning: float | None = None

    def buildProtocol(self, addr: Any) -> Any:
        if self.open_connections >= self.max_connections:
            self.refused_connections += 1
            now = self.reactor.seconds()
            if self._last_warning is None or now - self._last_warning >= REFUSAL_WARNING_PERIOD:
                self._last_warning = now
                log.warn(
                    "{open} HTTP connections open, the most allowed: new ones are closed "
                    "({refused} so far)",
                    open=self.open_connections,
                    refused=self.refused_connections,
                )
            return _Closed()
        channel = super().buildProtocol(addr)
        self.open_connections += 1
        lost = channel.connectionLost

        def connection_lost(reason: Any) -> None:
            self.open_connections -= 1
            lost(reason)

        channel.connectionLost = connection_lost
        return channel

    def figures(self) -> dict[str, int]:
        """Its connections, for a status page: a refusal is otherwise seen only in the log."""
        return {
            "open": self.open_connections,
            "most": self.max_connections,
            "refused": self.refused_connections,
        }

    def families(self) -> Iterator[Metric]:
        """Its connections, as metrics of whichever program serves it."""
        yield GaugeMetricFamily(
            "ecsta_http_connections_open",
            "HTTP connections open on the port that answers this scrape",
            value=self.open_connections,
        )
        yield CounterMetricFamily(
            "ecsta_http_connections_refused",
            "HTTP connections closed as they came because the most the port keeps were open",
            value=self.refused_connections,
        )

    def getResourceFor(self, request: Request) -> IResource:
        if "*" not in self.hosts:
            header = request.getHeader("host")
            if header is None or host_name(header) not in self.hosts:
                return _BAD_HOST
        resource: IResource = super().getResourceFor(request)
        return resource


def serving_site(request: Request) -> GuardedSite | None:
    """The guarded site that answers ``request``: its status and metrics tell of the port the
    reader asked (None for a request made in memory)."""
    site = getattr(getattr(request, "channel", None), "site", None)
    return site if isinstance(site, GuardedSite) else None
