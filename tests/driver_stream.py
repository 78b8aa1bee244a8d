"""What an application reads of a running driver: its event stream, and the calls it keeps.

Shared by the in-memory rig (:mod:`tests.driver_rig`) and the loopback harness
(:mod:`tests.driver_harness`), which differ only in how bytes travel.
"""

import json
from typing import Any

from twisted.internet import defer
from twisted.web.client import readBody
from twisted.web.http_headers import Headers
from twisted.web.iweb import IBodyProducer
from twisted.web.websocket import WebSocketTransport
from zope.interface import implementer

from ecsta.driver.tap import DriverServices


@implementer(IBodyProducer)
class Body:
    """A request's body, written at once."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.length = len(data)

    def startProducing(self, consumer: Any) -> defer.Deferred[None]:
        consumer.write(self.data)
        return defer.succeed(None)

    def pauseProducing(self) -> None:
        pass

    def resumeProducing(self) -> None:
        pass

    def stopProducing(self) -> None:
        pass


class StreamClient:
    """Collects what the driver's event stream sends."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.transport: WebSocketTransport | None = None
        self.closed: defer.Deferred[None] = defer.Deferred()
        self._pongs: list[defer.Deferred[None]] = []

    def next_pong(self) -> "defer.Deferred[None]":
        """Fires when the next pong arrives (every message sent before it has arrived too)."""
        waiting: defer.Deferred[None] = defer.Deferred()
        self._pongs.append(waiting)
        return waiting

    def negotiationStarted(self, transport: WebSocketTransport) -> None:
        self.transport = transport

    def negotiationFinished(self) -> None:
        pass

    def pongReceived(self, payload: bytes) -> None:
        waiting, self._pongs = self._pongs, []
        for pong in waiting:
            pong.callback(None)

    def textMessageReceived(self, message: str) -> None:
        self.messages.append(json.loads(message))

    def bytesMessageReceived(self, data: bytes | bytearray) -> None:
        pass

    def connectionLost(self, reason: Any) -> None:
        if not self.closed.called:
            self.closed.callback(None)


class StreamFactory:
    def __init__(self, client: StreamClient) -> None:
        self.client = client

    def buildProtocol(self, url: str) -> StreamClient:
        return self.client


async def exchange(
    agent: Any,
    url: str,
    method: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> tuple[int, bytes]:
    """One HTTP request through ``agent`` (``body`` as JSON, or ``raw``), and its answer."""
    data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    all_headers = Headers({"content-type": ["application/json"]})
    for key, value in (headers or {}).items():
        all_headers.addRawHeader(key, value)
    response = await agent.request(
        method.encode(), url.encode(), all_headers, Body(data) if data else None
    )
    return response.code, await readBody(response)


def events_url(port: int, tokens: list[str] | None) -> str:
    """The event stream's URL, with the first token when the API wants one."""
    token = f"?token={tokens[0]}" if tokens else ""
    return f"ws://127.0.0.1:{port}/api/v1/events{token}"


class Reading:
    """The reading side of a rig or harness: what the stream brought, what the driver keeps."""

    services: DriverServices | None
    stream: StreamClient

    @property
    def driver(self) -> Any:
        assert self.services is not None
        return self.services.driver

    def mark(self) -> int:
        return len(self.stream.messages)

    def since(self, mark: int, line: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.stream.messages[mark:] if line is None or m.get("line") == line]

    def states(self, mark: int, line: str) -> list[str]:
        """The LINE_CALLSTATE states published for ``line`` since ``mark``, in order."""
        return [m["state"] for m in self.since(mark, line) if m["msg"] == "LINE_CALLSTATE"]

    def calls(self, line: str) -> dict[int, dict[str, Any]]:
        found = self.driver.lines.get(line)
        return {} if found is None else {c.id: c.to_json() for c in found.calls.values()}

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        """A request to the simulator's control API (``path`` under ``/api``)."""
        raise NotImplementedError

    async def api_request(
        self, method: str, path: str, body: Any, headers: dict[str, str], raw: bytes | None
    ) -> tuple[int, bytes]:
        """An HTTP request to the driver's site, and its answer."""
        raise NotImplementedError

    async def api(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """An application's request to the driver API (``path`` under ``/api/v1``)."""
        all_headers = {"authorization": f"Bearer {token}"} if token else {}
        all_headers.update(headers or {})
        code, content = await self.api_request(method, f"/api/v1{path}", body, all_headers, raw)
        return code, json.loads(content) if content else None

    async def person(self, number: str, action: str, **body: Any) -> Any:
        return await self.control("POST", f"/devices/{number}/{action}", body or None)
