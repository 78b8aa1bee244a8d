"""Listen now or fail with one line: the same words for every service's ports."""

from twisted.internet.endpoints import TCP4ServerEndpoint
from twisted.internet.error import CannotListenError
from twisted.internet.protocol import Factory, Protocol
from twisted.test.proto_helpers import MemoryReactor
from twisted.trial.unittest import SynchronousTestCase

from ecsta.daemon.listening import Listener, listen_now
from ecsta.daemon.startup import StartupError


class ListenNowTests(SynchronousTestCase):
    def taken(self) -> MemoryReactor:
        """A reactor whose ports are all taken, as by another process."""
        reactor = MemoryReactor()

        def refuse(port: int, factory: object, backlog: int = 50, interface: str = "") -> None:
            raise CannotListenError(interface, port, OSError(98, "Address already in use"))

        reactor.listenTCP = refuse  # type: ignore[method-assign]
        return reactor

    def test_a_taken_port_is_named_as_written_or_by_its_address(self) -> None:
        endpoint = TCP4ServerEndpoint(self.taken(), 33399, interface="127.0.0.1")
        factory = Factory.forProtocol(Protocol)
        with self.assertRaises(StartupError) as caught:
            listen_now(endpoint, factory, "tcp:33399:interface=127.0.0.1")
        self.assertEqual(
            str(caught.exception),
            "cannot listen on tcp:33399:interface=127.0.0.1: Address already in use",
        )
        with self.assertRaises(StartupError) as caught:
            listen_now(endpoint, factory)
        self.assertEqual(
            str(caught.exception), "cannot listen on 127.0.0.1:33399: Address already in use"
        )

    def test_a_listener_service_fails_its_start_and_holds_no_port(self) -> None:
        endpoint = TCP4ServerEndpoint(self.taken(), 33399, interface="127.0.0.1")
        listener = Listener(endpoint, Factory.forProtocol(Protocol))
        self.assertRaises(StartupError, listener.privilegedStartService)
        self.assertIsNone(listener.port)
        self.assertNoResult(listener.listening)

    def test_a_listener_listens_before_the_reactor_runs(self) -> None:
        reactor = MemoryReactor()
        listener = Listener(TCP4ServerEndpoint(reactor, 0), Factory.forProtocol(Protocol))
        listener.privilegedStartService()
        self.assertEqual(len(reactor.tcpServers), 1)
        self.assertIs(self.successResultOf(listener.listening), listener.port)
        listener.startService()
        listener.stopService()
        self.assertIsNone(listener.port)
