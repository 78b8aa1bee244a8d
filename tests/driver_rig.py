"""The driver against the simulator in memory: one ``MemoryReactorClock``, ``iosim`` transports.

:class:`DriverRig` builds the driver exactly as ``twistd`` does (:func:`ecsta.driver.tap.build`)
on a memory reactor, and connects its PBX link to the simulator's own factory through
``iosim``: no socket, no thread, no wall-clock wait. A test acts as a person at a phone (the
simulator's control operations, called directly), as an application (the driver's API
resources, rendered in memory) and reads what the driver published. :meth:`DriverRig.flush`
moves every byte and every due timer until nothing is left to move: after it, nothing more is
coming, by construction rather than by a quiet period.
"""

import json
from collections.abc import Callable
from dataclasses import replace
from io import BytesIO
from typing import Any, cast
from urllib.parse import parse_qsl

from twisted.internet import defer
from twisted.internet.interfaces import IStreamClientEndpoint
from twisted.internet.testing import MemoryReactorClock
from twisted.test import iosim
from twisted.web.resource import IResource, Resource, getChildForRequest
from twisted.web.server import NOT_DONE_YET
from twisted.web.test.requesthelper import DummyRequest
from zope.interface import implementer

from ecsta.driver.config import DriverConfig
from ecsta.driver.tap import DriverServices, build
from ecsta.sim.config import SimConfig
from ecsta.sim.control import Controller, api_root
from ecsta.sim.server import SimulatorFactory

#: Rounds of moving bytes and firing due timers before :meth:`DriverRig.flush` gives up: far
#: more than any exchange in the tests needs, and a bound on one that never ends.
MAX_ROUNDS = 10_000
#: How far :meth:`DriverRig.until` moves the clock between two looks.
STEP = 0.05


def _decoded(answer: tuple[int, bytes]) -> tuple[int, Any]:
    status, content = answer
    return status, json.loads(content) if content else None


class _Request(DummyRequest):
    """A request of an application, which sends no cookie (the web console's session is one)."""

    def getCookie(self, key: bytes) -> bytes | None:
        return None


@implementer(IStreamClientEndpoint)
class _SimulatorEndpoint:
    """Connects each association of the driver to a new protocol of the simulator's factory."""

    def __init__(self, rig: "DriverRig") -> None:
        self.rig = rig

    def connect(self, factory: Any) -> defer.Deferred[Any]:
        assert self.rig.sim is not None
        server = self.rig.sim.buildProtocol(None)
        client = factory.buildProtocol(None)
        pump = iosim.connect(
            server,
            iosim.FakeTransport(server, isServer=True),
            client,
            iosim.FakeTransport(client, isServer=False),
            greet=False,
        )
        self.rig.pumps.append(pump)
        return defer.succeed(client)


class DriverRig:
    """Simulator + driver in memory: :meth:`start` it, and :meth:`stop` it in cleanup.

    Its methods have the shape of :class:`tests.driver_harness.DriverHarness`'s (awaitable),
    so that a test runs on either; here each is done when it returns.
    """

    def __init__(self) -> None:
        self.clock = MemoryReactorClock()
        self.sim: SimulatorFactory | None = None
        self.control_root: Resource | None = None
        self.pumps: list[iosim.IOPump] = []
        self.messages: list[dict[str, Any]] = []
        self.services: DriverServices | None = None

    @property
    def driver(self) -> Any:
        assert self.services is not None
        return self.services.driver

    async def start(
        self,
        lines: list[str] | None = None,
        *,
        sim: SimConfig | None = None,
        tokens: list[str] | None = None,
        snapshot_interval: float = 0.0,
        monitor_retry_interval: float = 0.0,
    ) -> None:
        self.sim = SimulatorFactory(
            self.clock, replace(sim or SimConfig(), keepalive_interval=None)
        )
        self.control_root = api_root(Controller(self.sim))
        driver_config = DriverConfig(
            api="tcp:0:interface=127.0.0.1",
            lines=list(lines or []),
            tokens=list(tokens or []),
            snapshot_interval=snapshot_interval,
            monitor_retry_interval=monitor_retry_interval,
        )
        self.services = build(self.clock, driver_config, endpoint=_SimulatorEndpoint(self))
        self.services.link._retryPolicy = lambda attempt: 0.2  # type: ignore[attr-defined]
        # What the event stream sends applications: every instance's messages as they see
        # them, through JSON.
        self.services.instances.subscribe(lambda m: self.messages.append(json.loads(json.dumps(m))))
        self.services.top.startService()
        await self.until(lambda: self.driver.ready.called)

    async def stop(self) -> None:
        if self.services is not None and self.services.top.running:
            self.services.top.stopService()
        self.flush()
        if self.sim is not None:
            self.sim.stop()

    def flush(self) -> None:
        """Move every byte and fire every timer due now, until nothing moves any more."""
        for _ in range(MAX_ROUNDS):
            moved = any([pump.pump() for pump in self.pumps])
            due = any(call.getTime() <= self.clock.seconds() for call in self.clock.calls)
            if not moved and not due:
                return
            self.clock.advance(0)
        raise AssertionError(f"still moving after {MAX_ROUNDS} rounds")

    async def until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Advance the clock in steps of :data:`STEP` until ``predicate`` holds; fails the test
        once ``timeout`` seconds of the clock have gone by."""
        for _ in range(int(timeout / STEP) + 1):
            self.flush()
            value = predicate()
            if value:
                return value
            self.clock.advance(STEP)
        raise AssertionError(f"condition not met within {timeout} s of the clock")

    # -- acting ---------------------------------------------------------------------------------

    async def api(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        raw: bytes | None = None,
    ) -> tuple[int, Any]:
        """An application's request to the driver API (``path`` under ``/api/v1``)."""
        assert self.services is not None
        site: Any = self.services.api.factory
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return _decoded(self._request(site.resource, method, f"/api/v1{path}", body, raw, headers))

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        """A request to the simulator's control API (``path`` under ``/api``)."""
        assert self.control_root is not None
        status, answer = _decoded(self._request(self.control_root, method, f"/api{path}", body))
        assert status == 200, f"control {method} {path}: {status} {answer}"
        return answer

    async def person(self, number: str, action: str, **body: Any) -> Any:
        return await self.control("POST", f"/devices/{number}/{action}", body or None)

    async def text(self, path: str) -> tuple[int, bytes]:
        """A GET of the driver API that answers in text (``/lines/export``)."""
        assert self.services is not None
        site: Any = self.services.api.factory
        return self._request(site.resource, "GET", f"/api/v1{path}")

    def _request(
        self,
        root: Resource,
        method: str,
        path: str,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        location, _, query = path.partition("?")
        request = _Request(location.strip("/").encode().split(b"/"))
        request.method = method.encode()
        for name, value in parse_qsl(query):
            request.addArg(name.encode(), value.encode())
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        request.content = BytesIO(data)
        request.requestHeaders.addRawHeader(b"content-type", b"application/json")
        for name, value in (headers or {}).items():
            request.requestHeaders.addRawHeader(name.encode(), value.encode())
        resource = cast(IResource, getChildForRequest(root, request))
        out = resource.render(request)  # type: ignore[arg-type]
        if out != NOT_DONE_YET:
            request.write(out)
            request.finish()
        self.flush()
        assert request.finished, f"{method} {path} was not answered"
        return request.responseCode or 200, b"".join(request.written)

    # -- reading --------------------------------------------------------------------------------

    def mark(self) -> int:
        return len(self.messages)

    def since(self, mark: int, line: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.messages[mark:] if line is None or m.get("line") == line]

    def states(self, mark: int, line: str) -> list[str]:
        """The LINE_CALLSTATE states published for ``line`` since ``mark``, in order."""
        return [m["state"] for m in self.since(mark, line) if m["msg"] == "LINE_CALLSTATE"]

    def calls(self, line: str) -> dict[int, dict[str, Any]]:
        found = self.driver.lines.get(line)
        return {} if found is None else {c.id: c.to_json() for c in found.calls.values()}
