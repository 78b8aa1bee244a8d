"""The driver's HTTP API (REST + WebSocket, JSON) under ``/api/v1`` (DESIGN.md "Driver API").

Every answer is JSON. A refused request gets a 4xx whose body names the problem
(``{"error": "notAllowed", "message": "..."}``) and changes nothing: requests are checked
against the call model before anything is sent to the PBX. An operation's answer comes when
the PBX has answered; a CSTA error is returned with the status of :data:`ERROR_STATUS` and the
CSTA error named in the body. HTTP statuses are this module's alone: below it, refusals and
failures name their kind, and :func:`http_status` maps it. The
administration endpoints (settings, checks, licence, line import and export) are
:mod:`ecsta.driver.adminapi`'s.

``GET /api/v1/events`` upgrades to a WebSocket streaming the line messages, each encoded once
for every client. A client that does not read its stream is disconnected once ``max_queued``
messages wait for it: one slow consumer never makes the driver's memory grow.

One API serves every instance of the service (:mod:`ecsta.driver.instances`): lines and calls
of all of them, by ids unique across them. What belongs to one instance's administration
(settings, checks, line import and export, adding lines, querying the PBX) takes
``?instance=NAME``, the first instance by default; ``GET /instances`` lists them.

When bearer tokens are configured every request needs ``Authorization: Bearer <token>`` (the
WebSocket may pass ``?token=`` instead, which browsers need), or the session cookie of the web
console (:mod:`ecsta.web.console`); the service refuses to listen beyond loopback without
tokens.
"""

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

from ecsta import __version__
from ecsta.daemon import jsonbody
from ecsta.daemon.site import Refusal, serving_site
from ecsta.daemon.tokens import BearerTokens, bearer_tokens
from ecsta.driver.adminapi import AdminResource, import_into, serves
from ecsta.driver.bringup import NOT_RETURNED
from ecsta.driver.failures import CSTAOperationError
from ecsta.driver.instances import Instance, Instances
from ecsta.driver.licence import LicenceError
from ecsta.driver.lines import Line
from ecsta.driver.linestore import StoredLine, check_line, dropping, keeping
from ecsta.driver.messages import Message
from ecsta.driver.model import Call
from ecsta.driver.operations import (
    MAX_CALL_DATA,
    ApiError,
    plan_call_operation,
    plan_forward,
    plan_make_call,
    plan_pickup,
    plan_set_app_specific,
    plan_set_call_data,
)
from ecsta.driver.settingerrors import InvalidSetting
from ecsta.journal.http import JournalResource

MAX_BODY = 64 * 1024

#: The line operations, by the name of their route.
_LINE_PLANS = {"makecall": plan_make_call, "pickup": plan_pickup, "forward": plan_forward}
log = Logger()

Handler = Callable[..., Awaitable[Any] | Any]


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _json_bytes(value: Any) -> bytes:
    return _json_text(value).encode()


class Authorizer:
    """Checks bearer tokens; with no tokens configured every request is let through."""

    def __init__(
        self,
        tokens: "list[str] | BearerTokens | None" = None,
        session: Callable[[Request], bool] | None = None,
    ) -> None:
        self.tokens = bearer_tokens(tokens)
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
        return self.tokens.place(given) is not None


def _refuse_unauthorized(request: Request) -> bytes:
    request.setResponseCode(401)
    request.setHeader("www-authenticate", 'Bearer realm="ecsta-driver"')
    request.setHeader("content-type", "application/json")
    return _json_bytes({"error": "unauthorized", "message": "a valid bearer token is required"})


class Broadcast:
    """The event stream of every instance, each message encoded once and the same text handed
    to every WebSocket client: a thousand clients cost one encoding, not a thousand.

    It listens to the drivers only while a client is connected.
    """

    def __init__(self, instances: Instances) -> None:
        self.instances = instances
        #: The connected clients, in the order they came (a dict as an ordered set).
        self.streams: dict[EventStream, None] = {}

    def add(self, stream: "EventStream") -> None:
        if not self.streams:
            self.instances.subscribe(self.publish)
        self.streams[stream] = None

    def discard(self, stream: "EventStream") -> None:
        if stream in self.streams:
            del self.streams[stream]
            if not self.streams:
                self.instances.unsubscribe(self.publish)

    def publish(self, message: Message) -> None:
        text = _json_text(message)
        for stream in list(self.streams):
            stream.send(text)


class EventStream:
    """One WebSocket client of the event stream, with a bounded queue of unsent messages."""

    def __init__(self, broadcast: Broadcast, max_queued: int) -> None:
        self.broadcast = broadcast
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
        self.broadcast.add(self)
        instances = self.broadcast.instances
        hello: Message = {"msg": "HELLO", "lines": instances.line_ids()}
        if len(instances) > 1:
            hello["instances"] = instances.names
        self.send(_json_text(hello))

    def pongReceived(self, payload: bytes) -> None:
        pass

    def textMessageReceived(self, message: str) -> None:
        pass

    def bytesMessageReceived(self, data: bytes | bytearray) -> None:
        pass

    def connectionLost(self, reason: Failure) -> None:
        self._stop()

    # delivery

    def send(self, text: str) -> None:
        """Send one encoded message, or queue it while the client does not read; a client
        with ``max_queued`` waiting is disconnected (1008), never left short of messages."""
        if self.transport is None:
            return
        if self.paused or self.queue:
            if len(self.queue) >= self.max_queued:
                log.warn("event stream client is not reading: disconnected")
                transport = self.transport
                self._stop()
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
            self._stop()

    def _stop(self) -> None:
        self.transport = None
        self.queue.clear()
        self.broadcast.discard(self)

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
    def __init__(self, instances: Instances, max_queued: int) -> None:
        self.broadcast = Broadcast(instances)
        self.max_queued = max_queued

    def buildProtocol(self, request: Request) -> EventStream:
        return EventStream(self.broadcast, self.max_queued)


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


#: Requests the driver refuses, by the ``error`` they name -> the HTTP status.
REFUSAL_STATUS = {
    "badJson": 400,
    "badRequest": 400,
    "noLicence": 403,
    "notFound": 404,
    "unknownAddress": 404,
    "unknownCall": 404,
    "unknownInstance": 404,
    "unknownLine": 404,
    "unknownOperation": 404,
    "exists": 409,
    "lineClosed": 409,
    "notAllowed": 409,
    "tooLarge": 413,
    "pbxUnavailable": 503,
    "lineOutOfService": 503,
}
#: universalFailure kinds -> the HTTP status an API client gets.
ERROR_STATUS = {
    "operation": 409,
    "stateIncompatibility": 409,
    "security": 403,
    "systemResourceAvailability": 503,
    "subscribedResourceAvailability": 503,
    "performanceManagement": 503,
    "privateData": 502,
    "unspecified": 502,
}
#: How a CSTA request failed other than by a CSTA error -> the HTTP status.
FAILURE_STATUS = {"timeout": 504, "pbxUnavailable": 503, "pbxBusy": 503}


def http_status(error: ApiError | CSTAOperationError) -> int:
    """The HTTP status of a refused request or a failed CSTA request."""
    if isinstance(error, ApiError):
        return REFUSAL_STATUS.get(error.error, 400)
    csta_error = error.body.get("cstaError")
    if isinstance(csta_error, dict) and csta_error:
        return ERROR_STATUS.get(next(iter(csta_error)), 502)
    return FAILURE_STATUS.get(error.body.get("error", ""), 502)


_CROSS_SITE = Refusal(
    403, {"error": "crossSite", "message": "requests from other sites' pages are refused"}
)


def instance_named(instances: Instances, request: Request) -> Instance:
    """The instance ``?instance=NAME`` names, the first without one; 404 for an unknown one."""
    given = request.args.get(b"instance")
    name = None if not given else given[0].decode("utf-8", "replace")
    instance = instances.get(name)
    if instance is None:
        raise ApiError("unknownInstance", f"no instance {name!r}")
    return instance


class ApiV1(Resource):
    """``/api/v1``: the REST routes and the event stream of every instance."""

    def __init__(self, instances: Instances, auth: Authorizer, max_queued: int = 10000) -> None:
        super().__init__()
        self.instances = instances
        self.auth = auth
        self.events = _Guarded(WebSocketResource(_EventStreamFactory(instances, max_queued)), auth)
        self.routes = _Routes(instances, auth)
        #: The call journal of the first instance that keeps one (docs/journal.md).
        self.journal: Resource | None = next(
            (
                _Guarded(JournalResource(i.driver.journaling.journal), auth)
                for i in instances
                if i.driver.journaling is not None
            ),
            None,
        )
        self.admin: dict[str, AdminResource] = {}
        for instance in instances:
            admin = instance.driver.admin
            if admin is not None:
                imported = import_into(instance.driver, admin.store)
                self.admin[instance.name] = AdminResource(admin, auth.allows, imported)

    def getChild(self, path: bytes, request: Request) -> Resource:
        postpath, prepath = request.postpath, request.prepath
        assert postpath is not None and prepath is not None
        if _foreign_origin(request):
            return _CROSS_SITE
        if path == b"events" and not postpath:
            return self.events
        if path == b"journal" and not postpath and self.journal is not None:
            return self.journal
        postpath.insert(0, path)
        prepath.pop()
        if self.admin and serves([p.decode("utf-8", "replace") for p in postpath]):
            if not self.auth.allows(request):
                return self.routes  # refused there, before any instance is looked up
            try:
                instance = instance_named(self.instances, request)
            except ApiError as error:
                return Refusal(http_status(error), error.to_json())
            return self.admin.get(instance.name, self.routes)
        return self.routes


class _Routes(Resource):
    isLeaf = True

    def __init__(self, instances: Instances, auth: Authorizer) -> None:
        super().__init__()
        self.instances = instances
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
            self._answer(request, http_status(error), error.to_json())
        elif isinstance(error, CSTAOperationError):
            self._answer(request, http_status(error), error.body)
        elif isinstance(error, LicenceError):
            self._answer(request, 403, {"error": "noLicence", "message": str(error)})
        elif isinstance(error, InvalidSetting):
            body = {"error": "badRequest", "field": error.path, "message": str(error)}
            self._answer(request, 400, body)
        elif isinstance(error, OSError):
            # The line file could not be written: the change was not made.
            log.warn("line change not saved: {error}", error=error)
            self._answer(request, 500, {"error": "storage", "message": f"not saved: {error}"})
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
            case "GET", ["instances"]:
                return {"instances": [self._instance_json(i) for i in self.instances]}
            case "GET", ["status"]:
                return self._status(request)
            case "GET", ["lines"]:
                return {
                    "lines": [i.line_json(line) for i in self.instances for line in i.driver.lines]
                }
            case "POST", ["lines", "query"]:
                return self._query(instance_named(self.instances, request))
            case "POST", ["lines"]:
                return self._add_line(instance_named(self.instances, request), self._body(request))
            case "GET", ["lines", line_id]:
                instance, line = self._line(line_id)
                return instance.line_json(line)
            case "DELETE", ["lines", line_id]:
                return self._remove_line(*self._line(line_id))
            case "GET", ["lines", line_id, "addresses", address, "status"]:
                instance, line = self._line(line_id)
                index = self._address(line, address)
                return instance.named(instance.driver.engine.address_status(line, index))
            case "POST", ["lines", line_id, ("makecall" | "pickup" | "forward") as operation]:
                return self._on_line(line_id, operation, request)
            case "POST", ["lines", line_id, "open"]:
                return self._open(*self._line(line_id))
            case "POST", ["lines", line_id, "close"]:
                return self._close(*self._line(line_id))
            case "GET", ["calls"]:
                calls = [
                    (call, instance)
                    for instance in self.instances
                    for call in instance.driver.engine.calls.values()
                    if call.exists
                ]
                calls.sort(key=lambda pair: pair[0].id)
                return {"calls": [instance.call_json(call) for call, instance in calls]}
            case "GET", ["calls", call_id]:
                instance, call = self._call(call_id)
                return instance.call_json(call)
            case "PUT", ["calls", call_id, ("data" | "appspecific") as what]:
                return self._on_call(call_id, what, request)
            case "POST", ["calls", call_id, operation]:
                return self._on_call(call_id, operation, request)
        raise ApiError("notFound", f"no route {method} /api/v1/{'/'.join(segments)}")

    @staticmethod
    def _instance_json(instance: Instance) -> dict[str, Any]:
        driver = instance.driver
        return {
            "name": instance.name,
            "linePrefix": instance.prefix,
            "linkUp": driver.link_up,
            "lines": len(driver.lines),
        }

    def _status(self, request: Request) -> dict[str, Any]:
        """``GET /status``: the version, every instance's problems and the connections of the
        API's port, for ``ecsta status``."""
        instances = [
            {
                **self._instance_json(i),
                "pbxAvailable": i.driver.usable,
                "systemStatus": i.driver.pbx_status,
                "lastError": i.driver.health.last_error,
                "lastErrorSince": i.driver.health.since,
                "problems": i.driver.problems,
                "requests": {
                    "waiting": i.driver.waiting,
                    "maxWaiting": i.driver.max_waiting,
                    "refusedBusy": i.driver.refused_busy,
                },
            }
            for i in self.instances
        ]
        problems = [
            f"{i['name']}: {problem}" if len(instances) > 1 else problem
            for i in instances
            for problem in i["problems"]
        ]
        site = serving_site(request)
        return {
            "service": "ecsta-driver",
            "version": __version__,
            "problems": problems,
            "instances": instances,
            **({} if site is None else {"http": site.figures()}),
        }

    @staticmethod
    def _body(request: Request, limit: int = MAX_BODY) -> Mapping[str, Any]:
        """The JSON object of the body, of at most ``limit`` bytes."""
        content = request.content.read(limit + 1) if request.content is not None else b""
        if len(content) > limit:
            raise ApiError("tooLarge", f"the body exceeds {limit} bytes")
        if not content.strip():
            return {}
        try:
            body = jsonbody.loads(content)
        except jsonbody.BodyError as error:
            raise ApiError("badJson", f"the body is not JSON: {error}") from None
        if not isinstance(body, dict):
            raise ApiError("badJson", "the body must be a JSON object")
        return body

    @staticmethod
    def _dialled(instance: Instance, operation: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        """The numbers of a request as the instance's PBX is to dial them (its dialling rules)."""
        admin = instance.driver.admin
        return body if admin is None else admin.dialled_body(operation, body)

    def _line(self, line_id: str) -> tuple[Instance, Line]:
        found = self.instances.find_line(line_id)
        if found is None:
            raise ApiError("unknownLine", f"no line {line_id!r}")
        return found

    async def _on_line(self, line_id: str, operation: str, request: Request) -> Any:
        """A line operation, once the line may be operated; the PBX's answer."""
        instance, line = await self._serving(line_id)
        body = self._dialled(instance, operation, self._body(request))
        plan = _LINE_PLANS[operation](instance.driver.engine, line, body)
        return await self._run(instance, plan)

    async def _on_call(self, call_id: str, operation: str, request: Request) -> Any:
        """A call operation (``data`` and ``appspecific``: a PUT), once its line may be
        operated; the PBX's answer."""
        instance, call = self._call(call_id)
        await self._serving(instance.line_id(call.line))
        engine = instance.driver.engine
        if operation in ("data", "appspecific"):
            # Every character of the data may come escaped (\uXXXX: 6 bytes).
            body = self._body(request, limit=6 * MAX_CALL_DATA + 1024)
            setter = plan_set_call_data if operation == "data" else plan_set_app_specific
            return await self._run(instance, setter(engine, call, body))
        body = self._dialled(instance, operation, self._body(request))
        return await self._run(instance, plan_call_operation(engine, call, operation, body))

    async def _serving(self, line_id: str) -> tuple[Instance, Line]:
        """The line and its instance, if it may be operated now; else the error that says why."""
        instance, line = self._line(line_id)
        if not line.opened:
            raise ApiError("lineClosed", f"line {line_id} is closed")
        if not instance.driver.link_up:
            raise ApiError("pbxUnavailable", "the PBX link is down")
        problem = await instance.driver.licence_problem(line)
        if problem is not None:
            raise ApiError("noLicence", problem, line_error="LINEERR_OPERATIONUNAVAIL")
        if line.monitor is None:
            raise ApiError(
                "lineOutOfService",
                f"line {line_id} is not monitored: {line.monitor_error or 'not yet'}",
                line_error="LINEERR_OPERATIONUNAVAIL",
            )
        return instance, line

    @staticmethod
    def _address(line: Line, text: str) -> int:
        if not text.isdigit() or not line.has_address(int(text)):
            raise ApiError("unknownAddress", f"line {line.number} has no address {text!r}")
        return int(text)

    def _call(self, text: str) -> tuple[Instance, Call]:
        found = self.instances.find_call(int(text)) if text.isdigit() else None
        if found is None or not found[1].exists:
            raise ApiError("unknownCall", f"no call {text!r}")
        return found

    @staticmethod
    def _run(instance: Instance, plan: Any) -> Any:
        return defer.Deferred.fromCoroutine(instance.driver.execute(plan))

    @staticmethod
    def _query(instance: Instance) -> Any:
        driver = instance.driver

        async def query() -> Any:
            if not driver.usable:
                raise ApiError("pbxUnavailable", "; ".join(driver.problems[:1]))
            devices = await driver.query_lines()
            return {
                "devices": len(devices),
                "lines": [instance.line_json(line) for line in driver.lines],
            }

        return defer.Deferred.fromCoroutine(query())

    @staticmethod
    def _add_line(instance: Instance, body: Mapping[str, Any]) -> Any:
        number = body.get("number")
        name = body.get("name", "")
        if not isinstance(number, str):
            raise ApiError("badRequest", "'number' must be the line's extension number")
        if not isinstance(name, str):
            raise ApiError("badRequest", "'name' must be a string")
        number, name = number.strip(), name.strip()
        # The line file's own rule: a line the API takes is always one the driver can save.
        for field, problem in (("number", check_line(number, "")), ("name", check_line("0", name))):
            if problem is not None:
                raise ApiError("badRequest", f"'{field}': {problem}")
        if number in instance.driver.lines:
            raise ApiError("exists", f"line {instance.line_id(number)} already exists")

        async def add() -> Any:
            admin = instance.driver.admin
            if admin is not None:
                # Kept first: a line that cannot be kept is refused.
                await admin.keep_lines(keeping([StoredLine(number, name)]))
            line = await instance.driver.add_line(number, name)
            return instance.line_json(line)

        return defer.Deferred.fromCoroutine(add())

    @staticmethod
    def _remove_line(instance: Instance, line: Line) -> Any:
        async def remove() -> Any:
            admin = instance.driver.admin
            if admin is not None:
                # Kept first: a removal that cannot be kept is refused.
                await admin.keep_lines(dropping(line.number))
            await instance.driver.remove_line(line)
            return _licence_left(instance, line.number, {"removed": instance.line_id(line.number)})

        return defer.Deferred.fromCoroutine(remove())

    @staticmethod
    def _open(instance: Instance, line: Line) -> Any:
        driver = instance.driver

        async def open_() -> Any:
            if not driver.link_up:
                driver.open_later(line)
                return instance.line_json(line)
            await driver.open_line(line)
            return instance.line_json(line)

        return defer.Deferred.fromCoroutine(open_())

    @staticmethod
    def _close(instance: Instance, line: Line) -> Any:
        async def close() -> Any:
            await instance.driver.close_line(line)
            return _licence_left(instance, line.number, instance.line_json(line))

        return defer.Deferred.fromCoroutine(close())


def _licence_left(instance: Instance, number: str, answer: dict[str, Any]) -> dict[str, Any]:
    """The answer to a close or removal, with ``licenceNotReturned`` when the line is closed
    but the licence pool could not record its licence as given back."""
    error = instance.driver.core.unreturned.get(number)
    if error is not None:
        answer["licenceNotReturned"] = f"{NOT_RETURNED}: {error}"
    return answer


def api_root(
    instances: Instances,
    tokens: "list[str] | BearerTokens | None" = None,
    max_queued: int = 10000,
    session: Callable[[Request], bool] | None = None,
) -> Resource:
    """The site root: ``/api/v1/...``; ``session`` is the web console's check, if it runs."""
    root = Resource()
    api = Resource()
    root.putChild(b"api", cast(IResource, api))
    api.putChild(b"v1", cast(IResource, ApiV1(instances, Authorizer(tokens, session), max_queued)))
    return root
