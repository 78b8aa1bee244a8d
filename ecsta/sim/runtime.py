"""The simulator as a running service: its CSTA listener, control API and traffic together,
whether run by ``twistd -n ecsta-pbxsim`` or embedded in the process of another service
(``--pbx sim``)."""

from typing import Any

from twisted.application import service
from twisted.internet import defer
from twisted.internet.endpoints import TCP4ClientEndpoint, serverFromString
from twisted.internet.interfaces import (
    IProtocol,
    IProtocolFactory,
)

from ecsta.daemon.listening import Listener
from ecsta.daemon.reload import Reloader, ReloadResource
from ecsta.daemon.site import GuardedSite, answered_hosts
from ecsta.sim.config import SimConfig
from ecsta.sim.control import MAX_BODY, Controller, api_root
from ecsta.sim.server import SimulatorFactory
from ecsta.sim.traffic import TrafficGenerator


class SimulatorService(service.MultiService):
    """The switch with its CSTA listener, its control API and its traffic.

    ``factory`` is the simulator; ``csta.listening`` fires with the CSTA port once it listens.
    """

    def __init__(self, reactor: Any, config: SimConfig) -> None:
        super().__init__()
        self.config = config
        self.factory = SimulatorFactory(reactor, config)
        self.traffic = TrafficGenerator(self.factory, 0.0, config.seed)
        self.controller = Controller(self.factory, self.traffic)
        self.csta = Listener(serverFromString(reactor, config.csta), self.factory)
        self.csta.setServiceParent(self)
        self.control: Listener | None = None
        #: Set by ``makeService``: what SIGHUP and ``POST /reload`` on the control API run.
        self.reloader: Reloader[SimConfig] | None = None
        if config.control is not None:
            root = api_root(self.controller)
            without = "this simulator runs inside a mux or driver: reload that instead"
            root.putChild(b"reload", ReloadResource(lambda: self.reloader, without=without))
            # Guarded as the other services' sites are: a web page re-pointed at 127.0.0.1 by
            # DNS rebinding cannot drive the switch, and a body is refused before it is read.
            site = GuardedSite(
                root,
                hosts=answered_hosts(config.control, None),
                max_body=MAX_BODY,
                reactor=reactor,
            )
            site.noisy = False
            self.control = Listener(serverFromString(reactor, config.control), site)
            self.control.setServiceParent(self)

    def startService(self) -> None:
        super().startService()
        self.traffic.set_rate(self.config.traffic)

    def stopService(self) -> Any:
        self.traffic.stop()
        self.factory.stop()
        return super().stopService()


class _EmbeddedEndpoint:
    """Connects to an embedded simulator once it listens, on whatever port it got."""

    def __init__(self, reactor: Any, simulator: SimulatorService) -> None:
        self.reactor = reactor
        self.simulator = simulator

    def connect(self, factory: IProtocolFactory) -> "defer.Deferred[IProtocol]":
        return defer.ensureDeferred(self._connect(factory))

    async def _connect(self, factory: IProtocolFactory) -> IProtocol:
        listening: Any = self.simulator.csta.listening
        port = self.simulator.csta.port
        if port is None:
            # Wait for the port without taking it from others who wait for it too.
            ready: defer.Deferred[Any] = defer.Deferred()

            def relay(result: Any) -> Any:
                ready.callback(result)
                return result

            listening.addBoth(relay)
            port = await ready
        endpoint: Any = TCP4ClientEndpoint(self.reactor, "127.0.0.1", port.getHost().port)
        protocol: IProtocol = await endpoint.connect(factory)
        return protocol


def embedded_simulator(
    reactor: Any, config: SimConfig | None = None
) -> tuple[SimulatorService, _EmbeddedEndpoint]:
    """A simulator inside another service's process (``--pbx sim``), and how to reach it.

    Unless the configuration says otherwise the simulator listens on a free loopback port and
    runs no control API, so that it never clashes with the host service's own ports. The
    returned client endpoint connects to it once it listens; add the service to the parent
    before the client service that uses the endpoint.
    """
    if config is None:
        config = SimConfig(csta="tcp:0:interface=127.0.0.1", control=None)
    simulator = SimulatorService(reactor, config)
    return simulator, _EmbeddedEndpoint(reactor, simulator)
