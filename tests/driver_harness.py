"""The driver against the simulator, in this process, over real loopback sockets.

:class:`DriverHarness` starts the simulator (CSTA and control API on free loopback ports), the
driver connected to it and its API, and subscribes to the WebSocket event stream, so that a
test can act as a person at a phone (simulator control API), as an application (driver API),
and read everything the driver published.

Driver tests run in memory (:mod:`tests.driver_rig`); this harness is for what only real
sockets and threads show: clients that are programs of their own (the ``ecsta`` command
line, a browser), and parts that work through the real reactor's threads (the call journal's
database, the licence pool's lock held by another process).
"""

import json
from collections.abc import Callable
from typing import Any, Unpack

from twisted.internet import defer, reactor
from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.web.client import Agent
from twisted.web.websocket import WebSocketClientEndpoint

from ecsta.driver.tap import DriverServices, build
from ecsta.journal.settings import JournalSettings
from ecsta.sim.config import SimConfig
from ecsta.sim.runtime import SimulatorService
from tests.driver_rig import Wanted, driver_config
from tests.driver_stream import Reading, StreamClient, StreamFactory, events_url, exchange
from tests.waiting import until

LOOPBACK = "tcp:0:interface=127.0.0.1"


def port_of(listening: Any) -> int:
    """The TCP port a listening port got."""
    return int(listening.getHost().port)


class DriverHarness(Reading):
    """Simulator + driver (+ optional mux) on loopback; call :meth:`stop` in cleanup."""

    def __init__(self) -> None:
        self.sim: SimulatorService | None = None
        self.services: DriverServices | None = None
        self.agent = Agent(reactor)
        self.stream = StreamClient()
        self.api_port = 0
        self.control_port = 0
        self.csta_port = 0

    async def start(
        self,
        lines: list[str] | None = None,
        *,
        journal: JournalSettings | None = None,
        **wanted: Unpack[Wanted],
    ) -> None:
        """Start everything: the simulator, the driver connected to it, its event stream."""
        sim = wanted.get("sim") or SimConfig(csta=LOOPBACK, control=LOOPBACK)
        self.sim = SimulatorService(reactor, sim)
        self.sim.privilegedStartService()
        self.sim.startService()
        self.csta_port = port_of(await self.sim.csta.listening)
        assert self.sim.control is not None
        self.control_port = port_of(await self.sim.control.listening)
        endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", self.csta_port)
        config = driver_config(LOOPBACK, lines, wanted)
        if journal is not None:
            config.journal = journal
        self.services = build(reactor, config, pbx_endpoint=lambda _: endpoint)
        self.services.link._retryPolicy = lambda attempt: 0.2  # type: ignore[attr-defined]
        self.services.top.privilegedStartService()
        self.services.top.startService()
        waiting: Any = self.services.api.listening
        self.api_port = port_of(await waiting)
        await self.driver.ready
        ws = WebSocketClientEndpoint.new(reactor, events_url(self.api_port, wanted.get("tokens")))
        await ws.connect(StreamFactory(self.stream))
        await self.until(lambda: any(m["msg"] == "HELLO" for m in self.stream.messages))

    async def stop(self) -> None:
        if self.stream.transport is not None and not self.stream.closed.called:
            try:
                self.stream.transport.loseConnection()
            except Exception:
                pass
            await self.stream.closed
        for service in [self.services.top if self.services else None, self.sim]:
            if service is not None and service.running:
                await defer.maybeDeferred(service.stopService)

    # -- talking to things ----------------------------------------------------------------------

    async def request(
        self,
        port: int,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """A request to a port on loopback; its status and JSON answer."""
        url = f"http://127.0.0.1:{port}{path}"
        code, content = await exchange(self.agent, url, method, body, headers)
        return code, json.loads(content) if content else None

    async def api_request(
        self, method: str, path: str, body: Any, headers: dict[str, str], raw: bytes | None
    ) -> tuple[int, bytes]:
        url = f"http://127.0.0.1:{self.api_port}{path}"
        return await exchange(self.agent, url, method, body, headers, raw)

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = await self.request(self.control_port, method, f"/api{path}", body)
        assert status == 200, f"control {method} {path}: {status} {answer}"
        return answer

    async def until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate`` holds, polling; fails the test after ``timeout``."""
        return await until(predicate, timeout)

    async def caught_up(self, rounds: int = 2) -> None:
        """Until every driver has taken in what its PBX (or mux) sent so far and the event
        stream has received all they published (the loopback counterpart of the rig's flush).

        A request on a PBX link is answered after every event sent before it (one TCP stream,
        read in order), so its answer means the driver has handled them; a second round takes
        in what the driver asked the PBX in reply. The driver writes what it publishes to the
        stream at once, so a WebSocket ping sent then is answered after all of it."""
        assert self.services is not None
        for _ in range(rounds):
            await defer.gatherResults(
                [
                    defer.Deferred.fromCoroutine(instance.driver.invoke("requestSysStat", {}))
                    for instance in self.services.instances
                ]
            )
        assert self.stream.transport is not None
        pong = self.stream.next_pong()
        self.stream.transport.ping(b"caught-up")
        await pong.addTimeout(5, reactor)
