"""A web console on Twisted: its pages, the login, and the gate in front of what it shows.

:class:`ConsoleResource` is mounted at ``/console/`` of the multiplexer's status port and of
the driver's API port. It serves the console's static files (see :mod:`ecsta.web.files`) and:

- ``GET session``: who is logged in and the session's CSRF token (401 with the login form to
  show when nobody is);
- ``POST login``: a JSON form (``{"user", "password"}`` or ``{"token"}``) that opens a
  session, set as an HttpOnly, SameSite=Strict cookie; failed logins are slowed down and then
  locked out per address (:class:`ecsta.daemon.auth.LoginGuard`);
- ``POST logout``;
- ``api/...``: the JSON the page reads, behind the gate.

:class:`ConsoleGate` decides whether a request comes from a logged-in console: a live session
cookie, an ``Origin`` (when the browser sends one) that is this server's own, and for every
request that changes something the session's CSRF token in the ``X-CSRF-Token`` header. The
driver's API asks the same gate, so that the page can call it with the cookie instead of
holding a bearer token in script-readable storage.

The cookie's name carries the server's port: browsers share cookies between the ports of one
host, and the multiplexer's and the driver's consoles often run side by side.
"""

import hmac
import json
from collections.abc import Mapping
from typing import Any

from twisted.internet import defer, task
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.resource import IResource, NoResource, Resource
from twisted.web.server import NOT_DONE_YET, Request

from ecsta.daemon import jsonbody
from ecsta.daemon.auth import LoginGuard, LoginsBusy
from ecsta.link.throttle import Throttle
from ecsta.web.files import FileResource, StaticFile
from ecsta.web.logins import Login
from ecsta.web.sessions import Session, SessionStore

log = Logger()

#: Largest login form accepted, in bytes.
MAX_FORM = 4096
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = (b"GET", b"HEAD", b"OPTIONS")
#: What every console answer may load and who may frame it: itself only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _secure(request: Request) -> None:
    request.setHeader("x-content-type-options", "nosniff")
    request.setHeader("x-frame-options", "DENY")
    request.setHeader("referrer-policy", "no-referrer")
    request.setHeader("content-security-policy", CONTENT_SECURITY_POLICY)


def _json(request: Request, status: int, value: Any) -> bytes:
    request.setResponseCode(status)
    request.setHeader("content-type", "application/json")
    request.setHeader("cache-control", "no-store")
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def _same_origin(request: Request) -> bool:
    """False only when the browser says the request comes from another site."""
    origin = request.getHeader("origin")
    if origin is None:
        return True
    host = request.getHeader("host") or ""
    scheme = "https" if request.isSecure() else "http"
    return origin == f"{scheme}://{host}"


class ConsoleGate:
    """The sessions of one console, and the check of a request against them."""

    def __init__(self, login: Login, sessions: SessionStore, cookie: str = "ecsta_console") -> None:
        self.login = login
        self.sessions = sessions
        self.cookie = cookie

    def cookie_name(self, request: Request) -> bytes:
        port = getattr(request.getHost(), "port", 0)
        return f"{self.cookie}_{port}".encode("ascii")

    def session(self, request: Request) -> Session | None:
        """The session a request's cookie names, if it is live and the request same-origin."""
        value = request.getCookie(self.cookie_name(request))
        if not value or not _same_origin(request):
            return None
        return self.sessions.find(value.decode("ascii", "replace"))

    def allows(self, request: Request) -> bool:
        """Whether a console session vouches for this request (always, when none is needed)."""
        if not self.login.required:
            return True
        session = self.session(request)
        if session is None:
            return False
        if request.method in _SAFE_METHODS:
            return True
        given = (request.getHeader(CSRF_HEADER) or "").encode("utf-8", "replace")
        return hmac.compare_digest(given, session.csrf.encode("ascii"))


class _SessionInfo(Resource):
    isLeaf = True

    def __init__(self, gate: ConsoleGate) -> None:
        super().__init__()
        self.gate = gate

    def render_GET(self, request: Request) -> bytes:
        login = self.gate.login
        if not login.required:
            return _json(request, 200, {"user": None, "csrf": None, "login": "none"})
        session = self.gate.session(request)
        if session is None:
            return _json(
                request, 401, {"error": "unauthorized", "message": "log in", "login": login.kind}
            )
        return _json(
            request, 200, {"user": session.user, "csrf": session.csrf, "login": login.kind}
        )


class _PostOnly(Resource):
    """A form target: HEAD (which Twisted would hand to a missing render_GET) is a 405 too."""

    isLeaf = True
    allowedMethods = (b"POST",)
    render_HEAD = None  # type: ignore[assignment]


class _Login(_PostOnly):
    def __init__(self, gate: ConsoleGate, guard: LoginGuard, clock: IReactorTime) -> None:
        super().__init__()
        self.gate = gate
        self.guard = guard
        self.clock = clock
        #: Refused logins are logged a few a minute: a flood of them is not a flood of lines.
        self.warnings = Throttle(log, clock)

    def render_POST(self, request: Request) -> bytes | int:
        login = self.gate.login
        if not login.required:
            return _json(request, 409, {"error": "noLogin", "message": "no login is configured"})
        form = _form(request)
        if form is None:
            return _json(
                request,
                400,
                {"error": "badRequest", "message": "a same-origin JSON login form is required"},
            )
        address = str(getattr(request.getClientAddress(), "host", "?"))
        subject = login.subject(form)
        verdict = self.guard.assess(address, self.clock.seconds(), subject)
        if verdict.locked:
            self.warnings.warn(
                "console locked out", "console login from {address}: locked out", address=address
            )
            request.setHeader("retry-after", str(int(verdict.seconds_left) + 1))
            return _json(
                request,
                429,
                {"error": "lockedOut", "message": "too many failed logins: try again later"},
            )
        checked: Deferred[Any] = defer.maybeDeferred(login.check, form)
        checked.addCallback(self._checked, request, address, subject)
        checked.addErrback(self._broken, request)
        return NOT_DONE_YET

    def _checked(
        self, user: str | None, request: Request, address: str, subject: str | None
    ) -> None:
        login = self.gate.login
        if user is None:
            delay = self.guard.failed(address, self.clock.seconds(), subject)
            self.warnings.warn(
                "failed console login",
                "failed console login from {address}, answered in {delay:g} s",
                address=address,
                delay=delay,
            )
            refusal = {"error": "unauthorized", "message": "wrong login", "login": login.kind}
            if delay <= 0:
                _finish(request, 401, refusal)
            else:
                task.deferLater(self.clock, delay, _finish, request, 401, refusal)
            return
        self.guard.succeeded(address, subject)
        name = self.gate.cookie_name(request)
        previous = request.getCookie(name)
        if previous:
            self.gate.sessions.close(previous.decode("ascii", "replace"))
        session_id, session = self.gate.sessions.open(user)
        request.addCookie(
            name,
            session_id.encode("ascii"),
            path=b"/",
            max_age=str(int(self.gate.sessions.max_lifetime)).encode("ascii"),
            secure=request.isSecure(),
            httpOnly=True,
            sameSite="strict",
        )
        log.info("console login of {user} from {address}", user=user, address=address)
        _finish(request, 200, {"user": user, "csrf": session.csrf, "login": login.kind})

    @staticmethod
    def _broken(failure: Failure, request: Request) -> None:
        if failure.check(LoginsBusy):
            request.setHeader("retry-after", "1")
            _finish(request, 503, {"error": "busy", "message": "too many logins at once"})
            return
        log.failure("checking a console login", failure)
        _finish(request, 500, {"error": "internal", "message": "the login could not be checked"})


def _finish(request: Request, status: int, value: Any) -> None:
    if request.finished or getattr(request, "_disconnected", False):
        return
    request.write(_json(request, status, value))
    request.finish()


def _form(request: Request) -> Mapping[str, Any] | None:
    """The login form, if it is a same-origin JSON object.

    Browsers send a JSON body to another site only after a CORS preflight, which this server
    never grants, so that a login cannot be forced on a browser from elsewhere.
    """
    content_type = (request.getHeader("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json" or not _same_origin(request):
        return None
    data = request.content.read(MAX_FORM + 1) if request.content is not None else b""
    if len(data) > MAX_FORM:
        return None
    try:
        form = jsonbody.loads(data)
    except jsonbody.BodyError:
        return None
    return form if isinstance(form, dict) else None


class _Logout(_PostOnly):
    def __init__(self, gate: ConsoleGate) -> None:
        super().__init__()
        self.gate = gate

    def render_POST(self, request: Request) -> bytes:
        name = self.gate.cookie_name(request)
        value = request.getCookie(name)
        if value and self.gate.login.required:
            if not self.gate.allows(request):
                return _json(request, 401, {"error": "unauthorized", "message": "not logged in"})
            self.gate.sessions.close(value.decode("ascii", "replace"))
        request.addCookie(
            name,
            b"",
            path=b"/",
            max_age=b"0",
            secure=request.isSecure(),
            httpOnly=True,
            sameSite="strict",
        )
        return _json(request, 200, {})


class Gated(Resource):
    """A resource that answers only requests the gate allows; others get a JSON 401."""

    isLeaf = True

    def __init__(self, inner: Resource, gate: ConsoleGate) -> None:
        super().__init__()
        self.inner = inner
        self.gate = gate

    def render(self, request: Request) -> bytes | int:
        if not self.gate.allows(request):
            return _json(request, 401, {"error": "unauthorized", "message": "log in first"})
        request.setHeader("cache-control", "no-store")
        answer: bytes | int = self.inner.render(request)
        return answer


class ConsoleResource(Resource):
    """``/console/``: pages, login, logout, session, and ``api/<name>`` behind the gate."""

    def __init__(
        self,
        gate: ConsoleGate,
        files: Mapping[str, StaticFile],
        clock: IReactorTime,
        guard: LoginGuard,
        api: Mapping[str, Resource] | None = None,
    ) -> None:
        super().__init__()
        self.gate = gate
        self.files = {name.encode("utf-8"): FileResource(file) for name, file in files.items()}
        self.putChild(b"session", _SessionInfo(gate))
        self.putChild(b"login", _Login(gate, guard, clock))
        self.putChild(b"logout", _Logout(gate))
        api_root = Resource()
        for name, resource in (api or {}).items():
            api_root.putChild(name.encode("utf-8"), Gated(resource, gate))
        self.putChild(b"api", api_root)

    def getChildWithDefault(self, path: bytes, request: Request) -> IResource:
        _secure(request)
        return super().getChildWithDefault(path, request)

    def getChild(self, path: bytes, request: Request) -> IResource:
        found = self.files.get(path or b"index.html")
        if found is None or (request.postpath or []):
            return NoResource("no such page")
        return found

    def render_GET(self, request: Request) -> bytes:
        # ``/console`` without its slash: relative links only work from ``/console/``.
        _secure(request)
        request.redirect(b"console/")
        return b""
