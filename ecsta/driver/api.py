"""The driver's HTTP API (REST + WebSocket, JSON) under ``/api/v1`` (DESIGN.md "Driver API").

Every answer is JSON. A refused request gets a 4xx whose body names the problem
(``{"error": "notAllowed", "message": "..."}``) and changes nothing: requests are checked
against the call model before anything is sent to the PBX. An operation's answer comes when
the PBX has answered; a CSTA error is returned with the status of
:data:`ecsta.driver.connection.ERROR_STATUS` and the CSTA error named in the body. The
administration endpoints (settings, checks, licence, line import and export) are
:mod:`ecsta.driver.adminapi`'s.

``GET /api/v1/events`` upgrades to a WebSocket streaming the line messages. A client that does
not read its stream is disconnected once ``max_queued`` messages wait for it: one slow
consumer never makes the driver's memory grow.

When bearer tokens are configured every request needs ``Authorization: Bearer <token>`` (the
WebSocket may pass ``?token=`` instead, which browsers need), or the session cookie of the web
console (:mod:`ecsta.web.console`); the service refuses to listen beyond loopback without
tokens.
"""

import hmac
import json
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast
from urllib.parse import urlsplit

from twisted.internet import defer
from twisted.internet.interfaces import IPushProducer
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.resource import IResource, Resource
from twisted.web.server import NOT_DONE_YET, Request
from twisted.web.websocket import WebSocketResource, WebSocketTransport
from zope.interface import implementer

from ecsta.driver.adminapi import AdminResource, import_into, serves
from ecsta.driver.connection import CSTAOperationError, Driver
from ecsta.driver.licence import LicenceError
from ecsta.driver.lines import Line
from ecsta.driver.messages import Message
from ecsta.driver.model import Call
from ecsta.driver.operations import (
    ApiError,
    plan_call_operation,
    plan_forward,
    plan_make_call,
    plan_pickup,
)
from ecsta.driver.settingerrors import InvalidSetting

MAX_BODY = 64 * 1024
log = Logger()

Handler = Callable[..., Awaitable[Any] | Any]


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


class Authorizer:
    """Checks bearer tokens; with no tokens configured every request is let through."""

    def __init__(
        self,
        tokens: list[str] | None = None,
        session: Callable[[Request], bool] | None = None,
    ) -> None:
        self.tokens = [t.encode() for t in tokens or []]
        #: Whether a web console session vouches for a request.
        self.session = session

    @property
    def required(self) -> bool:
        return bool(self.tokens)

    def allows(self, request: Request) -> bool:
        if not self.tokens:
            return True
        if self.session is not None and self.session(request):
            return True
        header = request.getHeader("authorization") or ""
        given = b""
        if header.lower().startswith("bearer "):
            given = header[7:].strip().encode()
        elif request.args.get(b"token"):
            given = request.args[b"token"][0]
        return any(hmac.compare_digest(given, token) for token in self.tokens)


def _refuse_unauthorized(request: Request) -> bytes:
    request.setResponseCode(401)
    request.setHeader("www-authenticate", 'Bearer realm="ecsta-driver"')
    request.setHeader("content-type", "application/json")
    return _json_bytes({"error": "unauthorized", "message": "a valid bearer token is required"})


class EventStream:
    """One WebSocket client of the event stream, with a bounded queue of unsent messages."""

    def __init__(self, driver: Driver, max_queued: int) -> None:
        self.driver = driver
        self.max_queued = max_queued
        self.transport: WebSocketTransport | None = None
        self.paused = False
        self.queue: deque[str] = deque()

    # WebSocketProtocol

    def negotiationStarted(self, transport: WebSocketTransport) -> None:
        self.transport = transport

    def negotiationFinished(self) -> None:
        assert self.transport is not None
        # The HTTP channel that carried the upgrade is still the connection's producer; the
        # stream takes its place so that it learns when the client stops reading.
        self.transport.detachProducer()
        self.transport.attachProducer(cast(IPushProducer, _Pauser(self)))
        self.driver.subscribers.append(self.send)
        self.send({"msg": "HELLO", "lines": [line.number for line in self.driver.lines]})

    def pongReceived(self, payload: bytes) -> None:
        pass

    def textMessageReceived(self, message: str) -> None:
        pass

    def bytesMessageReceived(self, data: bytes | bytearray) -> None:
        pass

    def connectionLost(self, reason: Failure) -> None:
        if self.send in self.driver.subscribers:
            self.driver.subscribers.remove(self.send)
        self.transport = None
        self.queue.clear()

    # delivery

    def send(self, message: Message) -> None:
        if self.transport is None:
            return
        text = json.dumps(message, separators=(",", ":"))
        if self.paused or self.queue:
            if len(self.queue) >= self.max_queued:
                log.warn("event stream client is not reading: disconnected")
                transport, self.transport = self.transport, None
                self.queue.clear()
                if self.send in self.driver.subscribers:
                    self.driver.subscribers.remove(self.send)
                transport.loseConnection(1008)
                return
            self.queue.append(text)
            return
        self._write(text)

    def _write(self, text: str) -> None:
        assert self.transport is not None
        try:
            self.transport.sendTextMessage(text)
        except Exception:
            # The client started closing the stream; nothing more goes to it.
            self.transport = None
            self.queue.clear()
            if self.send in self.driver.subscribers:
                self.driver.subscribers.remove(self.send)

    def resume(self) -> None:
        self.paused = False
        while self.queue and not self.paused and self.transport is not None:
            self._write(self.queue.popleft())


@implementer(IPushProducer)
class _Pauser:
    def __init__(self, stream: EventStream) -> None:
        self.stream = stream

    def pauseProducing(self) -> None:
        self.stream.paused = True

    def resumeProducing(self) -> None:
        self.stream.resume()

    def stopProducing(self) -> None:
        self.stream.paused = True


class _EventStreamFactory:
    def __init__(self, driver: Driver, max_queued: int) -> None:
        self.driver = driver
        self.max_queued = max_queued

    def buildProtocol(self, request: Request) -> EventStream:
        return EventStream(self.driver, self.max_queued)


class _Guarded(Resource):
    """The WebSocket resource behind the token check."""

    def __init__(self, inner: Resource, auth: Authorizer) -> None:
        super().__init__()
        self.inner = inner
        self.auth = auth
        self.isLeaf = True

    def render(self, request: Request) -> bytes | int:
        if not self.auth.allows(request):
            return _refuse_unauthorized(request)
        return self.inner.render(request)


def _foreign_origin(request: Request) -> bool:
    """Whether a browser sent this request from a page of another site.

    Browsers name the page's origin on every cross-site POST and WebSocket; without this check
    any web page a user visits could drive an open (token-less) API on 127.0.0.1 through the
    user's browser. Clients that are not browsers send no Origin and are unaffected.
    """
    origin = request.getHeader("origin")
    if origin is None:
        return False
    host = (request.getHeader("host") or "").lower()
    return urlsplit(origin).netloc.lower() != host


class _CrossSite(Resource):
    isLeaf = True

    def render(self, request: Request) -> bytes:
        request.setResponseCode(403)
        request.setHeader("content-type", "application/json")
        return _json_bytes(
            {"error": "crossSite", "message": "requests from other sites' pages are refused"}
        )


_CROSS_SITE = _CrossSite()


class ApiV1(Resource):
    """``/api/v1``: the REST routes and the event stream."""

    def __init__(self, driver: Driver, auth: Authorizer, max_queued: int = 10000) -> None:
        super().__init__()
        self.driver = driver
        self.auth = auth
        self.events = _Guarded(WebSocketResource(_EventStreamFactory(driver, max_queued)), auth)
        self.routes = _Routes(driver, auth)
        self.admin = None
        if driver.admin is not None:
            imported = import_into(driver, driver.admin.store)
            self.admin = AdminResource(driver.admin, auth.allows, imported)

    def getChild(self, path: bytes, request: Request) -> Resource:
        postpath, prepath = request.postpath, request.prepath
        assert postpath is not None and prepath is not None
        if _foreign_origin(request):
            return _CROSS_SITE
        if path == b"events" and not postpath:
            return self.events
        postpath.insert(0, path)
        prepath.pop()
        if self.admin is not None and serves([p.decode("utf-8", "replace") for p in postpath]):
            return self.admin
        return self.routes


class _Routes(Resource):
    isLeaf = True

    def __init__(self, driver: Driver, auth: Authorizer) -> None:
        super().__init__()
        self.driver = driver
        self.auth = auth

    def render(self, request: Request) -> bytes | int:
        request.setHeader("content-type", "application/json")
        if not self.auth.allows(request):
            return _refuse_unauthorized(request)
        method = request.method.decode("ascii", "replace")
        segments = [s.decode("utf-8", "replace") for s in request.postpath or [] if s]
        d = defer.maybeDeferred(self._dispatch, method, segments, request)
        d.addCallbacks(
            lambda value: self._answer(request, 200, value),
            lambda failure: self._failed(request, failure),
        )
        return NOT_DONE_YET

    @staticmethod
    def _answer(request: Request, status: int, value: Any) -> None:
        if request.finished or getattr(request, "_disconnected", False):
            return
        request.setResponseCode(status)
        request.write(_json_bytes(value))
        request.finish()

    def _failed(self, request: Request, failure: Failure) -> None:
        error = failure.value
        if isinstance(error, ApiError):
            self._answer(request, error.status, error.to_json())
        elif isinstance(error, CSTAOperationError):
            self._answer(request, error.status, error.body)
        elif isinstance(error, LicenceError):
            self._answer(request, 403, {"error": "noLicence", "message": str(error)})
        elif isinstance(error, InvalidSetting):
            body = {"error": "badRequest", "field": error.path, "message": str(error)}
            self._answer(request, 400, body)
        else:
            log.failure(
                "API request {method} {path} failed",
                failure,
                method=request.method,
                path=request.path,
            )
            self._answer(request, 500, {"error": "internal", "message": "internal error"})

    # -- routing --------------------------------------------------------------------------------

    def _dispatch(self, method: str, segments: list[str], request: Request) -> Any:
        match method, segments:
            case "GET", ["lines"]:
                return {"lines": [line.to_json() for line in self.driver.lines]}
            case "POST", ["lines", "query"]:
                return self._query(request)
            case "POST", ["lines"]:
                return self._add_line(self._body(request))
            case "GET", ["lines", number]:
                return self._line(number).to_json()
            case "DELETE", ["lines", number]:
                return self._remove_line(self._line(number))
            case "GET", ["lines", number, "addresses", address, "status"]:
                line = self._line(number)
                index = self._address(line, address)
                return self.driver.engine.address_status(line, index)
            case "POST", ["lines", number, "makecall"]:
                line = self._serving(number)
                body = self._dialled("makecall", self._body(request))
                return self._run(plan_make_call(self.driver.engine, line, body))
            case "POST", ["lines", number, "pickup"]:
                line = self._serving(number)
                return self._run(plan_pickup(self.driver.engine, line, self._body(request)))
            case "POST", ["lines", number, "forward"]:
                line = self._serving(number)
                body = self._dialled("forward", self._body(request))
                return self._run(plan_forward(self.driver.engine, line, body))
            case "POST", ["lines", number, "open"]:
                return self._open(self._line(number))
            case "POST", ["lines", number, "close"]:
                return self._close(self._line(number))
            case "GET", ["calls"]:
                return {
                    "calls": [
                        self._present(c)
                        for c in sorted(self.driver.engine.calls.values(), key=lambda c: c.id)
                        if c.exists
                    ]
                }
            case "GET", ["calls", call_id]:
                return self._present(self._call(call_id))
            case "POST", ["calls", call_id, operation]:
                call = self._call(call_id)
                body = self._dialled(operation, self._body(request))
                self._serving(call.line)
                return self._run(plan_call_operation(self.driver.engine, call, operation, body))
        raise ApiError(404, "notFound", f"no route {method} /api/v1/{'/'.join(segments)}")

    @staticmethod
    def _body(request: Request) -> Mapping[str, Any]:
        content = request.content.read(MAX_BODY + 1) if request.content is not None else b""
        if len(content) > MAX_BODY:
            raise ApiError(413, "tooLarge", f"the body exceeds {MAX_BODY} bytes")
        if not content.strip():
            return {}
        try:
            body = json.loads(content)
        except (ValueError, UnicodeDecodeError) as error:
            raise ApiError(400, "badJson", f"the body is not JSON: {error}") from None
        if not isinstance(body, dict):
            raise ApiError(400, "badJson", "the body must be a JSON object")
        return body

    def _dialled(self, operation: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        """The numbers of a request as the PBX is to dial them (the dialling rules)."""
        admin = self.driver.admin
        return body if admin is None else admin.dialled_body(operation, body)

    def _present(self, call: Call) -> dict[str, Any]:
        """A call object with its numbers as applications are to see them."""
        admin = self.driver.admin
        shown = call.to_json()
        return shown if admin is None else admin.present_call(shown, self.driver.engine.internal)

    def _line(self, number: str) -> Line:
        line = self.driver.lines.get(number)
        if line is None:
            raise ApiError(404, "unknownLine", f"no line {number!r}")
        return line

    def _serving(self, number: str) -> Line:
        line = self._line(number)
        if not line.opened:
            raise ApiError(409, "lineClosed", f"line {number} is closed")
        if not self.driver.link_up:
            raise ApiError(503, "pbxUnavailable", "the PBX link is down")
        return line

    @staticmethod
    def _address(line: Line, text: str) -> int:
        if not text.isdigit() or int(text) not in [a["address"] for a in line.addresses]:
            raise ApiError(404, "unknownAddress", f"line {line.number} has no address {text!r}")
        return int(text)

    def _call(self, text: str) -> Call:
        call = self.driver.engine.call(int(text)) if text.isdigit() else None
        if call is None or not call.exists:
            raise ApiError(404, "unknownCall", f"no call {text!r}")
        return call

    def _run(self, plan: Any) -> Any:
        return defer.Deferred.fromCoroutine(self.driver.execute(plan))

    async def _query_lines(self) -> Any:
        if not self.driver.link_up:
            raise ApiError(503, "pbxUnavailable", "the PBX link is down")
        devices = await self.driver.load_lines(add=True)
        await self.driver.open_all()
        return {"devices": len(devices), "lines": [line.to_json() for line in self.driver.lines]}

    def _query(self, request: Request) -> Any:
        return defer.Deferred.fromCoroutine(self._query_lines())

    def _add_line(self, body: Mapping[str, Any]) -> Any:
        number = body.get("number")
        name = body.get("name", "")
        if not isinstance(number, str) or not number.strip() or not number.strip().isalnum():
            raise ApiError(400, "badRequest", "'number' must be the line's extension number")
        if not isinstance(name, str):
            raise ApiError(400, "badRequest", "'name' must be a string")
        if number.strip() in self.driver.lines:
            raise ApiError(409, "exists", f"line {number} already exists")

        async def add() -> Any:
            line = await self.driver.add_line(number.strip(), name)
            return line.to_json()

        return defer.Deferred.fromCoroutine(add())

    def _remove_line(self, line: Line) -> Any:
        async def remove() -> Any:
            await self.driver.remove_line(line)
            return {"removed": line.number}

        return defer.Deferred.fromCoroutine(remove())

    def _open(self, line: Line) -> Any:
        async def open_() -> Any:
            if not self.driver.link_up:
                line.opened = True
                return line.to_json()
            await self.driver.open_line(line)
            return line.to_json()

        return defer.Deferred.fromCoroutine(open_())

    def _close(self, line: Line) -> Any:
        async def close() -> Any:
            await self.driver.close_line(line)
            return line.to_json()

        return defer.Deferred.fromCoroutine(close())


def api_root(
    driver: Driver,
    tokens: list[str] | None = None,
    max_queued: int = 10000,
    session: Callable[[Request], bool] | None = None,
) -> Resource:
    """The site root: ``/api/v1/...``; ``session`` is the web console's check, if it runs."""
    root = Resource()
    api = Resource()
    root.putChild(b"api", cast(IResource, api))
    api.putChild(b"v1", cast(IResource, ApiV1(driver, Authorizer(tokens, session), max_queued)))
    return root
