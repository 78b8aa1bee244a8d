"""Client endpoints for links: TLS that verifies the host name, and clear errors for the rest.

These tests use real sockets on 127.0.0.1 because certificate checking happens in OpenSSL.
"""

from pathlib import Path
from typing import Any

from twisted.internet import defer, reactor
from twisted.internet.endpoints import connectProtocol, serverFromString
from twisted.internet.protocol import Factory
from twisted.trial.unittest import TestCase

from ecsta.daemon.endpoints import EndpointError, client_endpoint
from ecsta.link.errors import LinkLost
from ecsta.link.protocol import CSTAClientProtocol, CSTAServerProtocol
from tests.tls_certs import make_ca_and_server


class TLSTests(TestCase):
    timeout = 20

    def setUp(self) -> None:
        self.dir = Path(self.mktemp())
        self.dir.mkdir()
        self.servers: list[CSTAServerProtocol] = []

    def listen(self, names: list[str]) -> defer.Deferred[Any]:
        paths = make_ca_and_server(self.dir, names)
        self.ca_dir = paths["ca"].parent
        factory = Factory.forProtocol(
            lambda: self._server()  # type: ignore[arg-type, return-value]
        )
        endpoint = serverFromString(
            reactor,
            f"ssl:0:interface=127.0.0.1:privateKey={paths['key']}:certKey={paths['cert']}",
        )
        d = endpoint.listen(factory)
        d.addCallback(self._listening)
        return d

    def _server(self) -> CSTAServerProtocol:
        server = CSTAServerProtocol(reactor, keepalive_interval=None)
        self.servers.append(server)
        return server

    def _listening(self, port: Any) -> int:
        self.addCleanup(port.stopListening)
        return int(port.getHost().port)

    def connect(self, port: int, host: str) -> CSTAClientProtocol:
        endpoint = client_endpoint(reactor, f"tls:host={host}:port={port}:trustRoots={self.ca_dir}")
        client = CSTAClientProtocol(reactor, ready_wait=0.2, watchdog=None)
        d = connectProtocol(endpoint, client)
        d.addErrback(lambda f: client.ready.errback(f) if not client.ready.called else None)
        self.addCleanup(lambda: client.abort() if client.transport else None)
        return client

    def tearDown(self) -> None:
        for server in self.servers:
            server.abort()

    @defer.inlineCallbacks
    def test_matching_host_name_associates(self) -> Any:
        port = yield self.listen(["localhost"])
        client = self.connect(port, "localhost")
        ready = yield client.ready
        self.assertIs(ready, client)
        self.assertTrue(client.associated)

    @defer.inlineCallbacks
    def test_wrong_host_name_is_refused(self) -> Any:
        port = yield self.listen(["pbx.example"])
        client = self.connect(port, "localhost")
        with self.assertRaises(LinkLost):
            yield client.ready
        self.assertFalse(client.associated)
        self.assertEqual([s.associated for s in self.servers], [False])


class DescriptionTests(TestCase):
    def test_ssl_client_is_refused_with_the_right_form(self) -> None:
        with self.assertRaises(EndpointError) as caught:
            client_endpoint(reactor, "ssl:host=mux.example:port=33334")
        self.assertIn("tls:host=", str(caught.exception))

    def test_unknown_kind(self) -> None:
        self.assertRaises(EndpointError, client_endpoint, reactor, "carrier-pigeon:host=x")

    def test_missing_port(self) -> None:
        self.assertRaises(EndpointError, client_endpoint, reactor, "tcp:host=pbx")

    def test_tcp(self) -> None:
        self.assertIsNotNone(client_endpoint(reactor, "tcp:host=127.0.0.1:port=33333"))
