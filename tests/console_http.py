"""A browser's side of HTTP, in memory: requests to a ``Site`` over a ``StringTransport``.

Each request is a fresh HTTP/1.0 connection to the site, on a ``Clock`` so that answers the
site delays (slowed-down logins) come when a test advances it. Cookies the site sets are kept
and sent back, as a browser would, and a request can say where it comes from (``Origin``).
"""

import json
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.web.resource import Resource
from twisted.web.server import Site


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Browser:
    resource: Resource
    clock: Clock = field(default_factory=Clock)
    port: int = 8782
    address: str = "192.0.2.7"
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.site = Site(self.resource, reactor=self.clock)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """One request and its answer, as far as it came without the clock moving."""
        return self.send(method, path, body, headers).response()

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> "Exchange":
        if isinstance(body, bytes):
            data = body
        elif body is None:
            data = b""
        else:
            data = json.dumps(body).encode()
        all_headers = {"host": f"127.0.0.1:{self.port}", "content-length": str(len(data))}
        if body is not None and not isinstance(body, bytes):
            all_headers["content-type"] = "application/json"
        if self.cookies:
            all_headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        head = f"{method} {path} HTTP/1.0\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in all_headers.items()
        )
        transport = StringTransport(
            hostAddress=IPv4Address("TCP", "127.0.0.1", self.port),
            peerAddress=IPv4Address("TCP", self.address, 50123),
        )
        channel = self.site.buildProtocol(transport.getPeer())
        assert channel is not None
        channel.makeConnection(transport)
        channel.dataReceived(head.encode() + b"\r\n" + data)
        return Exchange(self, transport)

    def _keep_cookies(self, response: Response) -> None:
        for line in response.headers.get("set-cookie", []):
            self.set_cookies.append(line)
            cookie = SimpleCookie()
            cookie.load(line)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


@dataclass
class Exchange:
    """A request sent; its answer is read when the test asks (status 0: nothing came yet)."""

    browser: Browser
    transport: StringTransport

    def response(self) -> Response:
        response = _parse(self.transport.value())
        self.browser._keep_cookies(response)
        return response


def _parse(raw: bytes) -> Response:
    if not raw:
        return Response(0, {}, b"")
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return Response(int(status_line.split()[1]), headers, body)
