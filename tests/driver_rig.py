"""The driver against the simulator in memory: one ``MemoryReactorClock``, ``iosim`` transports.

:class:`DriverRig` builds the driver exactly as ``twistd`` does (:func:`ecsta.driver.tap.build`)
on a memory reactor, and connects each instance's PBX link to a simulator's own factory through
``iosim`` (or to a multiplexer in between, itself connected so): no socket, no thread, no
wall-clock wait. A test acts as a person at a phone (the simulator's control API), as an
application (HTTP requests to the driver's own site, and its WebSocket event stream, carried
in memory) and reads what the driver published. :meth:`DriverRig.flush` moves every byte and
every due timer until nothing is left to move: after it, nothing more is coming, by
construction rather than by a quiet period.

The rig also runs the driver as ``twistd`` does, daemon and reload included
(:meth:`DriverRig.start_daemon`, :meth:`DriverRig.reload`), restarts it on the same state
(:meth:`DriverRig.stop_driver`, then a start again), and, for the ``ecsta`` command line alone,
serves the driver's site on a loopback port (:meth:`DriverRig.loopback_url`).
"""

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypedDict, Unpack

from twisted.application.service import IService
from twisted.internet import defer
from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.interfaces import IProtocolFactory, IStreamClientEndpoint
from twisted.internet.protocol import Protocol
from twisted.internet.testing import MemoryReactorClock
from twisted.python.failure import Failure
from twisted.test import iosim
from twisted.web.client import Agent, HTTPConnectionPool
from twisted.web.server import Site
from twisted.web.websocket import WebSocketClientEndpoint
from zope.interface import implementer

from ecsta.daemon.reload import Outcome
from ecsta.daemon.startup import Daemon
from ecsta.driver.config import DriverConfig
from ecsta.driver.tap import DriverServices, PBXEndpoint, build, compose
from ecsta.sim.config import SimConfig
from ecsta.sim.control import Controller, api_root
from ecsta.sim.server import SimulatorFactory, SimulatorProtocol
from tests.driver_stream import Reading, StreamClient, StreamFactory, events_url, exchange

#: Rounds of moving bytes and firing due timers before :meth:`DriverRig.flush` gives up: far
#: more than any exchange in the tests needs, and a bound on one that never ends.
MAX_ROUNDS = 10_000
#: How far :meth:`DriverRig.until` moves the clock between two looks.
STEP = 0.05
#: What the driver's API is configured to listen on (nothing listens: requests are carried
#: in memory), and the port applications name in their Host header and URLs.
API = "tcp:0:interface=127.0.0.1"
API_PORT = 8782
#: The address every connection in the rig comes from.
PEER = IPv4Address("TCP", "127.0.0.1", 40000)


class Wanted(TypedDict, total=False):
    """What a flow test's ``start`` may ask of the simulator and the driver, alike in memory
    (:class:`DriverRig`) and on loopback (``DriverHarness``)."""

    sim: SimConfig | None
    tokens: list[str] | None
    snapshot_interval: float
    monitor_retry_interval: float


def driver_config(api: str, lines: list[str] | None, wanted: Wanted, **more: Any) -> DriverConfig:
    """The driver configuration both harnesses start from what a test's ``start`` asks for,
    so that a flow test runs alike in memory and on loopback."""
    return DriverConfig(
        api=api,
        lines=list(lines or []),
        tokens=list(wanted.get("tokens") or []),
        snapshot_interval=wanted.get("snapshot_interval", 0.0),
        monitor_retry_interval=wanted.get("monitor_retry_interval", 0.0),
        **more,
    )


class _InlineThreads:
    """A thread pool that runs each piece of work at once, in the thread that hands it over."""

    def callInThreadWithCallback(
        self, done: Callable[[bool, Any], None], work: Callable[..., Any], *args: Any
    ) -> None:
        try:
            result = work(*args)
        except BaseException:
            done(False, Failure())
        else:
            done(True, result)


class RigReactor(MemoryReactorClock):
    """A memory reactor whose work "in a thread" (a reload's reading of the configuration)
    runs at once, and whose calls "from a thread" run at once too: what the daemon hands to
    threads is done by the time the request that asked for it is answered."""

    def getThreadPool(self) -> _InlineThreads:
        return _InlineThreads()

    def callFromThread(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        call(*args, **kwargs)


@implementer(IStreamClientEndpoint)
class MemoryEndpoint:
    """Connects each connection to a new protocol of ``serve`` through ``iosim``.

    ``serve`` is a factory's ``buildProtocol``; when it builds none (a listener that turns
    the address away) the connection is refused, as the kernel would.
    """

    def __init__(self, rig: "DriverRig", serve: Callable[[Any], Protocol | None]) -> None:
        self.rig = rig
        self.serve = serve

    def connect(self, factory: IProtocolFactory) -> defer.Deferred[Any]:
        server = self.serve(PEER)
        if server is None:
            return defer.fail(ConnectionRefusedError())
        client = factory.buildProtocol(PEER)
        assert client is not None
        pump = iosim.connect(
            server,
            iosim.FakeTransport(server, isServer=True, peerAddress=PEER),
            client,
            iosim.FakeTransport(client, isServer=False, hostAddress=PEER),
            greet=False,
        )
        self.rig.pumps.append(pump)
        return defer.succeed(client)


class _EndpointFactory:
    """What an ``Agent`` (and a WebSocket client) connects through: always ``endpoint``."""

    def __init__(self, endpoint: MemoryEndpoint) -> None:
        self.endpoint = endpoint

    def endpointForURI(self, uri: Any) -> MemoryEndpoint:
        return self.endpoint


class DriverRig(Reading):
    """Simulators + driver (+ a multiplexer) in memory: :meth:`start` it, :meth:`stop` it in
    cleanup. Its methods are awaitable, but each is done when it returns."""

    def __init__(self) -> None:
        self.clock = RigReactor()
        self.pumps: list[iosim.IOPump] = []
        self.stream = StreamClient()
        self.services: DriverServices | None = None
        #: The simulators by name; the one of :meth:`start` is "".
        self.sims: dict[str, SimulatorFactory] = {}
        self.controls: dict[str, Site] = {}
        #: Services started beside the driver (a multiplexer), stopped with it.
        self.extra: list[IService] = []
        #: Real loopback ports of :meth:`loopback_url`.
        self.ports: list[Any] = []
        #: The links to simulators that :meth:`silence_pbx` holds back.
        self.silenced: list[iosim.IOPump] = []

    @property
    def sim(self) -> SimulatorFactory:
        return self.sims[""]

    # -- building -------------------------------------------------------------------------------

    def add_sim(self, name: str = "", config: SimConfig | None = None) -> MemoryEndpoint:
        """A simulator (keep-alives off: the clock jumps); the endpoint that reaches it."""
        sim = SimulatorFactory(self.clock, replace(config or SimConfig(), keepalive_interval=None))
        self.sims[name] = sim
        self.controls[name] = Site(api_root(Controller(sim)), reactor=self.clock)
        return MemoryEndpoint(self, sim.buildProtocol)

    def mux(self, document: dict[str, Any], pbx: IStreamClientEndpoint) -> MemoryEndpoint:
        """A multiplexer configured by ``document``, connected to ``pbx`` and started; the
        endpoint that reaches its (first) application listener."""
        from ecsta.mux.config import from_dict
        from ecsta.mux.service import MuxService

        config = from_dict({"listen": {"tcp": [API]}, "status": {"endpoint": ""}, **document})
        service = MuxService(self.clock, config, pbx_endpoint=pbx)
        # The service checks passwords on a pool of real threads, whose answers would come
        # back outside the rig's clock: here they are checked inline, as a Multiplexer
        # without that pool does.
        users = service.mux
        users.check_password = lambda user, password: defer.maybeDeferred(
            users.users.verify, user, password
        )
        service.privilegedStartService()
        service.startService()
        self.extra.append(service)
        listening = self.clock.tcpServers[-1][1]
        return MemoryEndpoint(self, listening.buildProtocol)

    async def start(
        self,
        lines: list[str] | None = None,
        *,
        via: Callable[[MemoryEndpoint], IStreamClientEndpoint] | None = None,
        user: str | None = None,
        password: str | None = None,
        ready: bool = True,
        **wanted: Unpack[Wanted],
    ) -> None:
        """Start a simulator (unless :meth:`add_sim` did) and the driver connected to it
        (``via`` turns the simulator's endpoint into the one the driver connects to: a
        multiplexer in between); ``ready`` waits for its lines to be up."""
        endpoint: IStreamClientEndpoint = (
            self.sim_endpoint() if "" in self.sims else self.add_sim("", wanted.get("sim"))
        )
        if via is not None:
            endpoint = via(self.sim_endpoint())
        config = driver_config(API, lines, wanted, user=user, password=password)
        await self.start_config(config, lambda _: endpoint, ready)

    def sim_endpoint(self, name: str = "") -> MemoryEndpoint:
        return MemoryEndpoint(self, self.sims[name].buildProtocol)

    async def start_config(
        self, config: DriverConfig, pbx_endpoint: PBXEndpoint | None, ready: bool = True
    ) -> None:
        """The driver of ``config``, each instance connected through ``pbx_endpoint`` (or
        its configured endpoint, which nothing in memory answers), started, and the event
        stream subscribed; ``ready`` waits for every instance's lines."""
        self.services = build(self.clock, config, pbx_endpoint=pbx_endpoint)
        for login in self.services.logins.values():
            login.link._retryPolicy = lambda attempt: 0.2  # type: ignore[attr-defined]
        self.services.top.privilegedStartService()
        self.services.top.startService()
        if ready:
            instances = self.services.instances
            await self.until(lambda: all(i.driver.ready.called for i in instances))
        self.subscribe(config.tokens)

    def start_daemon(self, options: Any, pbx_endpoint: PBXEndpoint) -> Daemon:
        """What ``twistd`` runs of ``options`` (its daemon, with the reload SIGHUP and ``POST
        /reload`` run), each instance connected through ``pbx_endpoint``, started."""
        daemon, self.services = compose(self.clock, options, pbx_endpoint)
        daemon.privilegedStartService()
        daemon.startService()
        self.flush()
        return daemon

    async def reload(self) -> Outcome:
        """What SIGHUP runs, run; its outcome."""
        assert self.services is not None and self.services.reloader is not None
        outcome: list[Outcome] = []
        self.services.reloader.reload().addCallback(outcome.append)
        self.flush()
        assert outcome, "the reload did not end"
        return outcome[0]

    def subscribe(self, tokens: list[str] | None) -> None:
        """Open the event stream, as an application does; returns once HELLO has arrived."""
        endpoint = _EndpointFactory(self._to_api())
        ws = WebSocketClientEndpoint(endpoint, events_url(API_PORT, tokens))  # type: ignore[arg-type]
        connected = defer.Deferred.fromCoroutine(ws.connect(StreamFactory(self.stream)))
        self.flush()
        assert connected.called, "the event stream did not open"
        assert any(m["msg"] == "HELLO" for m in self.stream.messages), "no HELLO"

    async def stop_driver(self) -> None:
        """Stop the driver (as ``systemctl stop`` does); its stream client is closed and a
        new one waits for the next start."""
        if self.stream.transport is not None and not self.stream.closed.called:
            self.stream.transport.loseConnection()
        if self.services is not None:
            # The daemon around the driver's services, when the rig started one.
            outer: Any = self.services.top.parent or self.services.top
            if outer.running:
                outer.stopService()
        self.flush()
        self.stream = StreamClient()

    async def stop(self) -> None:
        for port in self.ports:
            await port.stopListening()
        await self.stop_driver()
        for service in self.extra:
            if service.running:
                service.stopService()
        self.flush()
        for sim in self.sims.values():
            sim.stop()

    # -- time -----------------------------------------------------------------------------------

    def flush(self) -> None:
        """Move every byte and fire every timer due now, until nothing moves any more."""
        for _ in range(MAX_ROUNDS):
            moved = any([pump.pump() for pump in self.pumps])
            self.pumps = [
                p for p in self.pumps if not (p.clientIO.disconnected and p.serverIO.disconnected)
            ]
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

    def silence_pbx(self) -> None:
        """From now on nothing moves between the simulators and their peers: requests stay in
        flight, as with a PBX that stopped answering, until :meth:`unsilence_pbx`."""
        self.silenced += [p for p in self.pumps if isinstance(p.server, SimulatorProtocol)]
        self.pumps = [p for p in self.pumps if p not in self.silenced]

    def unsilence_pbx(self) -> None:
        self.pumps += self.silenced
        self.silenced = []

    # -- acting ---------------------------------------------------------------------------------

    def _to_api(self) -> MemoryEndpoint:
        assert self.services is not None
        site: Any = self.services.api.factory
        return MemoryEndpoint(self, site.buildProtocol)

    async def request(
        self, endpoint: MemoryEndpoint, method: str, path: str, body: Any = None, **kwargs: Any
    ) -> tuple[int, bytes]:
        """An HTTP request through ``endpoint``, answered by the time it returns (``kwargs``
        as for :func:`tests.driver_stream.exchange`)."""
        answer = self._sent(endpoint, method, path, body, **kwargs)
        self.flush()
        assert answer.called, f"{method} {path} was not answered"
        result: tuple[int, bytes] = answer.result
        return result

    def _sent(
        self, endpoint: MemoryEndpoint, method: str, path: str, body: Any = None, **kwargs: Any
    ) -> defer.Deferred[tuple[int, bytes]]:
        pool = HTTPConnectionPool(self.clock, persistent=False)
        agent = Agent.usingEndpointFactory(self.clock, _EndpointFactory(endpoint), pool)
        url = f"http://127.0.0.1:{API_PORT}{path}"
        return defer.Deferred.fromCoroutine(exchange(agent, url, method, body, **kwargs))

    def api_later(self, method: str, path: str, body: Any = None) -> defer.Deferred[int]:
        """An application's request to the driver API (``path`` under ``/api/v1``), sent
        when the rig next moves bytes: fires with its HTTP status once it is answered."""
        sent = self._sent(self._to_api(), method, f"/api/v1{path}", body)
        return sent.addCallback(lambda answer: answer[0])

    async def api_request(
        self, method: str, path: str, body: Any, headers: dict[str, str], raw: bytes | None
    ) -> tuple[int, bytes]:
        return await self.request(self._to_api(), method, path, body, headers=headers, raw=raw)

    async def text(self, path: str, token: str | None = None) -> tuple[int, bytes]:
        """A GET of the driver's site that answers in text (``/lines/export`` under
        ``/api/v1``, or ``/metrics``)."""
        full = path if path.startswith("/metrics") else f"/api/v1{path}"
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return await self.request(self._to_api(), "GET", full, headers=headers)

    def loopback_url(self) -> str:
        """The driver's site, served on a real loopback port as well, for the one client that
        only speaks through sockets: the ``ecsta`` command line (a blocking urllib client,
        run in a thread). The driver behind the site stays on the rig's clock, which nothing
        moves meanwhile: a request it answers at once (status, reload) works this way, one that
        waits for the PBX would wait until the test's timeout."""
        from twisted.internet import reactor

        assert self.services is not None
        if not self.ports:
            port = reactor.listenTCP(0, self.services.api.factory, interface="127.0.0.1")
            self.ports.append(port)
        return f"http://127.0.0.1:{self.ports[0].getHost().port}"

    async def control(self, method: str, path: str, body: Any = None, site: str = "") -> Any:
        """A request to a simulator's control API (``path`` under ``/api``)."""
        endpoint = MemoryEndpoint(self, self.controls[site].buildProtocol)
        status, content = await self.request(endpoint, method, f"/api{path}", body)
        answer = json.loads(content) if content else None
        assert status == 200, f"control {method} {path}: {status} {answer}"
        return answer
