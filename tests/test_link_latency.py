"""What keeps a request fast on a busy link, and a lost PBX link short."""

import socket
from pathlib import Path
from typing import Any

from twisted.internet import defer, reactor, task
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP4ServerEndpoint, serverFromString
from twisted.internet.protocol import Factory
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase, TestCase

from ecsta.daemon.endpoints import client_endpoint
from ecsta.link.protocol import CSTAClientProtocol, CSTAServerProtocol
from ecsta.link.service import LinkHealth, _Associations
from tests.tls_certs import make_ca_and_server


class NoDelayTests(TestCase):
    @defer.inlineCallbacks
    def test_both_ends_of_an_association_send_small_pdus_at_once(self) -> Any:
        servers: list[CSTAServerProtocol] = []

        def server() -> CSTAServerProtocol:
            proto = CSTAServerProtocol(reactor, keepalive_interval=None)
            servers.append(proto)
            return proto

        port = yield TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(
            Factory.forProtocol(server)
        )
        self.addCleanup(port.stopListening)
        client = yield TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port).connect(
            Factory.forProtocol(lambda: CSTAClientProtocol(reactor, watchdog=None))
        )
        yield client.ready
        self.addCleanup(client.transport.loseConnection)
        for proto in (client, servers[0]):
            handle = proto.transport.getHandle()
            self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1)

    @defer.inlineCallbacks
    def test_tls_associations_too(self) -> Any:
        certs = make_ca_and_server(Path(self.mktemp()), ["localhost"])
        servers: list[CSTAServerProtocol] = []

        def server() -> CSTAServerProtocol:
            proto = CSTAServerProtocol(reactor, keepalive_interval=None)
            servers.append(proto)
            return proto

        listener = serverFromString(
            reactor,
            f"ssl:0:interface=127.0.0.1:privateKey={certs['key']}:certKey={certs['cert']}",
        )
        port = yield listener.listen(Factory.forProtocol(server))
        self.addCleanup(port.stopListening)
        endpoint = client_endpoint(
            reactor,
            f"tls:host=localhost:port={port.getHost().port}:trustRoots={certs['ca'].parent}",
        )
        client = yield endpoint.connect(
            Factory.forProtocol(lambda: CSTAClientProtocol(reactor, watchdog=None))
        )
        yield client.ready
        self.addCleanup(self.closed, client, servers[0])
        for proto in (client, servers[0]):
            tcp = proto.transport.transport  # under TLS
            handle = tcp.getHandle()
            self.assertEqual(handle.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1)

    @defer.inlineCallbacks
    def closed(self, *protos: Any) -> Any:
        """Drop the connection and wait until both ends have seen it go."""
        protos[0].transport.abortConnection()
        for _ in range(1000):
            if all(proto.closed for proto in protos):
                return
            yield task.deferLater(reactor, 0.01, lambda: None)


def associations() -> _Associations:
    """The retry policy of a PBX link that starts at 1 s and waits at most 60 s."""
    return _Associations(
        None,
        initial_delay=1.0,
        max_delay=60.0,
        health=LinkHealth(Clock()),
        address="192.0.2.1:33333",
        refused_delay=300.0,
    )


class ReconnectTests(SynchronousTestCase):
    def test_the_first_attempt_after_a_loss_is_immediate_then_it_doubles(self) -> None:
        policy = associations()
        policy.jitter = lambda: 1.0  # the most it adds: a tenth
        self.assertEqual(policy.delay(1), 0.0)
        self.assertEqual([policy.delay(n) for n in (2, 3, 4)], [1.1, 2.2, 4.4])
        self.assertEqual(policy.delay(40), 66.0)
        policy.jitter = lambda: 0.0
        self.assertEqual(policy.delay(2), 1.0)

    def test_refused_associations_count_as_failures(self) -> None:
        policy = associations()
        policy.jitter = lambda: 0.0
        policy.failures = 2  # the PBX accepted TCP twice and refused the AARQ
        self.assertEqual(policy.delay(1), 2.0)
