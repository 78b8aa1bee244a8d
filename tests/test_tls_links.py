"""Every outgoing link verifies its peer, and every TLS listener's certificate is checked at start.

``ssl:`` client endpoints (no verification) are refused by the mux and the driver with one line
naming the ``tls:`` form; a certificate that fails verification is named as such in the log; an
expired or not-yet-valid listener certificate stops the start, and the metrics count its days.
"""

from pathlib import Path
from typing import Any

from prometheus_client import generate_latest
from twisted.internet import defer, reactor
from twisted.internet.endpoints import serverFromString
from twisted.internet.protocol import Factory
from twisted.internet.task import Clock
from twisted.internet.testing import MemoryReactorClock
from twisted.logger import formatEvent, globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase, TestCase

from ecsta.daemon.endpoints import client_endpoint
from ecsta.driver.config import ConfigError, DriverConfig
from ecsta.driver.tap import build
from ecsta.link.protocol import CSTAClientProtocol, CSTAServerProtocol
from ecsta.link.service import PBXClientFactory, pbx_client_service
from ecsta.mux.config import from_dict
from ecsta.mux.service import MuxService, StartupError
from tests.mux_e2e import free_port
from tests.test_web_console import USERS
from tests.tls_certs import make_ca_and_server


class UnverifiedTLSTests(SynchronousTestCase):
    def test_the_mux_refuses_an_ssl_pbx_link(self) -> None:
        config = from_dict({"pbx": {"endpoint": "ssl:host=pbx.example:port=33334"}})
        with self.assertRaises(StartupError) as caught:
            MuxService(Clock(), config)
        message = str(caught.exception)
        self.assertIn("pbx.endpoint", message)
        self.assertIn("tls:host=NAME:port=N", message)
        self.assertNotIn("\n", message)

    def test_the_driver_refuses_an_ssl_link_to_its_mux(self) -> None:
        config = DriverConfig(pbx="ssl:host=mux.example:port=33334", user="crm", password="x")
        with self.assertRaises(ConfigError) as caught:
            build(MemoryReactorClock(), config)
        self.assertEqual(caught.exception.key, "pbx.endpoint")
        self.assertIn("tls:host=NAME:port=N", str(caught.exception))


class ListenerCertificateTests(SynchronousTestCase):
    def config(self, valid_days: tuple[int, int]) -> Any:
        paths = make_ca_and_server(Path(self.mktemp()), ["localhost"], valid_days)
        listener = f"ssl:0:interface=127.0.0.1:privateKey={paths['key']}:certKey={paths['cert']}"
        return from_dict(
            {"users": USERS, "listen": {"tls": [listener]}, "status": {"endpoint": ""}}
        )

    def test_an_expired_certificate_stops_the_start(self) -> None:
        with self.assertRaises(StartupError) as caught:
            MuxService(Clock(), self.config((-10, -1)), pbx_endpoint=object())
        self.assertIn("expired on", str(caught.exception))
        self.assertIn("server.pem", str(caught.exception))

    def test_a_certificate_not_valid_yet_stops_the_start(self) -> None:
        with self.assertRaises(StartupError) as caught:
            MuxService(Clock(), self.config((1, 10)), pbx_endpoint=object())
        self.assertIn("not valid before", str(caught.exception))

    def test_the_metrics_show_the_days_left(self) -> None:
        service = MuxService(Clock(), self.config((-1, 30)), pbx_endpoint=object())
        scrape = generate_latest(service.metrics).decode()
        [line] = [x for x in scrape.splitlines() if x.startswith("ecsta_mux_tls_certificate_days")]
        self.assertTrue(29.9 < float(line.split()[-1]) <= 30, line)


class VerificationFailureTests(TestCase):
    @defer.inlineCallbacks
    def test_a_certificate_that_does_not_verify_is_named_in_the_log(self) -> Any:
        base = Path(self.mktemp())
        server = make_ca_and_server(base / "server", ["localhost"])
        other = make_ca_and_server(base / "other", ["localhost"])  # a CA the server is not from
        port_number = free_port()
        listener = serverFromString(
            reactor,
            f"ssl:{port_number}:interface=127.0.0.1:privateKey={server['key']}"
            f":certKey={server['cert']}",
        )
        port = yield listener.listen(Factory.forProtocol(lambda: CSTAServerProtocol(reactor)))
        self.addCleanup(port.stopListening)
        seen: defer.Deferred[str] = defer.Deferred()

        def observe(event: dict[str, Any]) -> None:
            text = formatEvent(event)
            if "certificate verify failed" in text and not seen.called:
                seen.callback(text)

        globalLogPublisher.addObserver(observe)
        self.addCleanup(globalLogPublisher.removeObserver, observe)
        endpoint = client_endpoint(
            reactor,
            f"tls:host=localhost:port={port_number}:trustRoots={other['ca'].parent}",
        )
        factory = PBXClientFactory(reactor, CSTAClientProtocol)
        service = pbx_client_service(reactor, endpoint, factory, initial_delay=60)
        service.startService()
        self.addCleanup(service.stopService)
        text = yield seen.addTimeout(10, reactor)
        self.assertIn("certificate verify failed", text)
