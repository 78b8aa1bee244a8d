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
from io import BytesIO
from typing import Any, cast

from twisted.internet import defer
from twisted.internet.interfaces import IStreamClientEndpoint
from twisted.internet.testing import MemoryReactorClock
from twisted.test import iosim
from twisted.web.resource import IResource, getChildForRequest
from twisted.web.server import NOT_DONE_YET
from twisted.web.test.requesthelper import DummyRequest
from zope.interface import implementer

from ecsta.driver.config import DriverConfig
from ecsta.driver.tap import DriverServices, build
from ecsta.sim.config import SimConfig
from ecsta.sim.control import Controller
from ecsta.sim.server import SimulatorFactory

#: Rounds of moving bytes and firing due timers before :meth:`DriverRig.flush` gives up: far
#: more than any exchange in the tests needs, and a bound on one that never ends.
MAX_ROUNDS = 10_000


@implementer(IStreamClientEndpoint)
class _SimulatorEndpoint:
    """Connects each association of the driver to a new protocol of the simulator's factory."""

    def __init__(self, rig: "DriverRig") -> None:
        self.rig = rig

    def connect(self, factory: Any) -> defer.Deferred[Any]:
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
    """Simulator + driver in memory; :meth:`start` it, and :meth:`stop` it in cleanup."""

    def __init__(self, sim: SimConfig | None = None) -> None:
        self.clock = MemoryReactorClock()
        self.sim = SimulatorFactory(self.clock, sim or SimConfig(keepalive_interval=None))
        self.control = Controller(self.sim)
        self.pumps: list[iosim.IOPump] = []
        self.messages: list[dict[str, Any]] = []
        self.services: DriverServices | None = None

    @property
    def driver(self) -> Any:
        assert self.services is not None
        return self.services.driver

    def start(self, lines: list[str]) -> None:
        config = DriverConfig(
            api="tcp:0:interface=127.0.0.1",
            lines=list(lines),
            snapshot_interval=0,
            monitor_retry_interval=0,
        )
        self.services = build(self.clock, config, endpoint=_SimulatorEndpoint(self))
        self.driver.subscribers.append(self.messages.append)
        self.services.top.startService()
        self.flush()
        assert self.driver.ready.called, "the driver did not bring its lines up"

    def stop(self) -> None:
        if self.services is not None and self.services.top.running:
            self.services.top.stopService()
        self.flush()
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

    # -- acting ---------------------------------------------------------------------------------

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """An application's request to the driver API (``path`` under ``/api/v1``)."""
        assert self.services is not None
        site: Any = self.services.api.factory
        segments = [b"api", b"v1", *path.strip("/").encode().split(b"/")]
        request = DummyRequest(segments)
        request.method = method.encode()
        request.content = BytesIO(b"" if body is None else json.dumps(body).encode())
        request.requestHeaders.addRawHeader(b"content-type", b"application/json")
        resource = cast(IResource, getChildForRequest(site.resource, request))
        out = resource.render(request)  # type: ignore[arg-type]
        if out != NOT_DONE_YET:
            request.write(out)
            request.finish()
        self.flush()
        assert request.finished, f"{method} {path} was not answered"
        content = b"".join(request.written)
        return request.responseCode or 200, json.loads(content) if content else None

    def person(self, number: str, action: str, **body: Any) -> Any:
        answer = self.control.person(number, action, body)
        self.flush()
        return answer

    # -- reading --------------------------------------------------------------------------------

    def mark(self) -> int:
        return len(self.messages)

    def since(self, mark: int, line: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.messages[mark:] if line is None or m.get("line") == line]

    def calls(self, line: str) -> dict[int, dict[str, Any]]:
        found = self.driver.lines.get(line)
        return {} if found is None else {c.id: c.to_json() for c in found.calls.values()}
