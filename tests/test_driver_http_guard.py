"""The driver's HTTP site where requests enter: host names, body sizes, secrets in the log, and
the login password kept out of the process list."""

import io
import json
import os
from pathlib import Path
from typing import Any
from unittest import mock

from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import TCP4ClientEndpoint, serverFromString
from twisted.internet.protocol import Factory, Protocol, connectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import MemoryReactorClock, StringTransport
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase, TestCase
from twisted.web.resource import Resource

from ecsta.daemon.accesslog import REFUSALS_PER_MINUTE
from ecsta.daemon.site import GuardedSite
from ecsta.driver.config import DriverConfig
from ecsta.driver.tap import PASSWORD_VARIABLE, Options, api_hosts, build

TOKEN = "a-token-of-some-length-0123"


def driver_site(tokens: list[str] | None = None) -> GuardedSite:
    reactor = MemoryReactorClock()
    config = DriverConfig(lines=["103", "104"], tokens=list(tokens or []))
    services = build(reactor, config)
    site: Any = services.api.factory
    assert isinstance(site, GuardedSite)
    return site


def exchange(site: GuardedSite, raw: bytes) -> tuple[bytes, StringTransport]:
    transport = StringTransport(
        hostAddress=IPv4Address("TCP", "127.0.0.1", 8782),
        peerAddress=IPv4Address("TCP", "127.0.0.1", 50123),
    )
    channel = site.buildProtocol(transport.getPeer())
    assert channel is not None
    channel.makeConnection(transport)
    channel.dataReceived(raw)
    return transport.value(), transport


def status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response else 0


class HostTests(SynchronousTestCase):
    def test_a_rebound_host_name_cannot_place_calls_through_an_open_driver(self) -> None:
        site = driver_site()
        body = b'{"to": "200"}'
        request = (
            b"POST /api/v1/lines/103/makecall HTTP/1.1\r\nhost: evil.example:8782\r\n"
            b"origin: http://evil.example:8782\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n\r\n%s" % (len(body), body)
        )
        response, _ = exchange(site, request)
        self.assertEqual(status(response), 421)
        self.assertIn(b"unknownHost", response)
        for host in (b"127.0.0.1:8782", b"localhost:8782", b"[::1]:8782"):
            response, _ = exchange(site, b"GET /api/v1/lines HTTP/1.1\r\nhost: %s\r\n\r\n" % host)
            self.assertEqual(status(response), 200, host)

    def test_the_default_hosts_follow_the_listening_address(self) -> None:
        self.assertEqual(api_hosts(DriverConfig()), ["localhost", "127.0.0.1", "::1"])
        self.assertEqual(api_hosts(DriverConfig(api="tcp:8782", tokens=[TOKEN])), ["*"])
        self.assertEqual(api_hosts(DriverConfig(hosts=["driver.example"])), ["driver.example"])


class BodyTests(SynchronousTestCase):
    def test_a_huge_unauthenticated_upload_is_refused_before_it_is_read(self) -> None:
        site = driver_site([TOKEN])
        head = (
            b"POST /api/v1/lines/import HTTP/1.1\r\nhost: 127.0.0.1:8782\r\n"
            b"content-length: 300000000\r\n\r\n"
        )
        response, transport = exchange(site, head + b"x" * 65536)
        self.assertEqual(status(response), 413)
        self.assertIn(b"tooLarge", response)
        self.assertTrue(transport.disconnecting)

    def test_a_chunked_body_is_cut_off_as_it_grows(self) -> None:
        site = driver_site([TOKEN])
        chunk = b"%x\r\n%s\r\n" % (60000, b"y" * 60000)
        head = (
            b"POST /api/v1/settings HTTP/1.1\r\nhost: 127.0.0.1:8782\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        response, transport = exchange(site, head + chunk * 20)
        self.assertEqual(status(response), 413)
        self.assertTrue(transport.disconnecting)

    def test_an_ordinary_body_still_reaches_the_login_check(self) -> None:
        site = driver_site([TOKEN])
        body = b'{"to": "200"}'
        response, _ = exchange(
            site,
            b"POST /api/v1/lines/103/makecall HTTP/1.1\r\nhost: 127.0.0.1:8782\r\n"
            b"content-length: %d\r\n\r\n%s" % (len(body), body),
        )
        self.assertEqual(status(response), 401)


class ConnectionTests(SynchronousTestCase):
    def test_connections_past_the_most_are_closed_counted_and_warned_of_once(self) -> None:
        site = driver_site()
        site.max_connections = 2
        peer = IPv4Address("TCP", "127.0.0.1", 50123)
        with mock.patch("ecsta.daemon.site.log") as logged:
            first, second = site.buildProtocol(peer), site.buildProtocol(peer)
            self.assertIsNotNone(second)
            for _ in range(2):
                refused = StringTransport(peerAddress=peer)
                site.buildProtocol(peer).makeConnection(refused)
                self.assertTrue(refused.disconnected)  # closed at once, nothing read
        self.assertEqual((site.open_connections, site.refused_connections), (2, 2))
        self.assertEqual(logged.warn.call_count, 1)
        first.makeConnection(StringTransport(peerAddress=peer))
        first.connectionLost(None)
        self.assertEqual(site.open_connections, 1)
        answer, _ = exchange(site, b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertEqual(status(answer), 200)  # room again: the next one is served
        # The refusals are in the status and the metrics, not only in the log.
        body = answer.split(b"\r\n\r\n", 1)[1]  # one chunk
        document = json.loads(body[body.index(b"{") : body.rindex(b"}") + 1])
        self.assertEqual(document["http"], {"open": 2, "most": 2, "refused": 2})
        site.max_connections = 3  # room for the scrape, beside the status reader
        answer, _ = exchange(site, b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertEqual(status(answer), 200)
        self.assertIn(b"\necsta_http_connections_refused_total 2.0\n", answer)
        self.assertIn(b"\necsta_http_connections_open 3.0\n", answer)  # the scrape's own too
        self.assertIn(b"\necsta_driver_pbx_link_up ", answer)  # beside the driver's own


class _Client(Protocol):
    def __init__(self) -> None:
        self.lost: Deferred[None] = Deferred()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.lost.callback(None)


class TlsConnectionTests(TestCase):
    timeout = 30

    async def test_on_a_tls_port_connections_past_the_most_are_closed_too(self) -> None:
        """A TLS port wraps what the site builds for each connection: one past the most is
        closed all the same, with nothing logged as an error."""
        from tests.tls_certs import make_ca_and_server

        paths = make_ca_and_server(Path(self.mktemp()), ["localhost"])
        site = GuardedSite(Resource(), reactor=reactor, max_connections=1)
        listener = serverFromString(
            reactor,
            f"ssl:0:interface=127.0.0.1:privateKey={paths['key']}:certKey={paths['cert']}",
        )
        port = await listener.listen(site)
        self.addCleanup(port.stopListening)
        client = TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port)  # type: ignore[attr-defined]
        first = await client.connect(Factory.forProtocol(_Client))
        self.addCleanup(first.transport.loseConnection)
        second = await client.connect(Factory.forProtocol(_Client))
        await second.lost  # closed by the site, before the client sent a byte
        self.assertEqual((site.open_connections, site.refused_connections), (1, 1))
        first.transport.loseConnection()
        await first.lost


class AccessLogTests(SynchronousTestCase):
    def test_tokens_never_reach_the_access_log(self) -> None:
        site = GuardedSite(driver_site([TOKEN]).resource, reactor=Clock())
        site.startFactory()
        self.addCleanup(site.stopFactory)
        written = io.StringIO()
        site.logFile = written
        exchange(
            site,
            b"GET /api/v1/events?token=%s&x=1 HTTP/1.1\r\nhost: 127.0.0.1\r\n"
            b"referer: http://127.0.0.1/?token=%s\r\n\r\n" % (TOKEN.encode(), TOKEN.encode()),
        )
        line = written.getvalue()
        self.assertIn("/api/v1/events?token=<redacted>&x=1", line)
        self.assertNotIn(TOKEN, line)

    def test_oversized_bodies_are_logged_as_refusals_within_the_same_throttle(self) -> None:
        site = GuardedSite(driver_site([TOKEN]).resource, reactor=Clock(), max_body=1000)
        site.startFactory()
        self.addCleanup(site.stopFactory)
        written = io.StringIO()
        site.logFile = written
        declared = (
            b"POST /api/v1/lines/import?token=%s HTTP/1.1\r\nhost: 127.0.0.1\r\n"
            b"content-length: 300000000\r\n\r\n" % TOKEN.encode()
        )
        chunked = (
            b"POST /api/v1/settings?password=%s HTTP/1.1\r\nhost: 127.0.0.1\r\n"
            b"transfer-encoding: chunked\r\n\r\n%x\r\n%s\r\n" % (TOKEN.encode(), 2000, b"y" * 2000)
        )
        for raw in (declared, chunked):
            response, _ = exchange(site, raw)
            self.assertEqual(status(response), 413)
        lines = written.getvalue().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertIn('"POST /api/v1/lines/import?token=<redacted> HTTP/1.1" 413 ', lines[0])
        self.assertIn('"POST /api/v1/settings?password=<redacted> HTTP/1.1" 413 ', lines[1])
        self.assertNotIn(TOKEN, written.getvalue())
        for _ in range(REFUSALS_PER_MINUTE + 10):
            exchange(site, declared)
        self.assertEqual(len(written.getvalue().splitlines()), REFUSALS_PER_MINUTE)


class PasswordTests(SynchronousTestCase):
    def options(self, *argv: str) -> Options:
        options = Options()
        options.parseOptions(["--pbx", "tcp:host=127.0.0.1:port=33334", "--user", "crm", *argv])
        return options

    def test_the_password_comes_from_a_file(self) -> None:
        path = self.mktemp()
        with open(path, "w", encoding="utf-8") as stream:
            stream.write("from-a-file\n")
        self.assertEqual(self.options("--password-file", path).config.password, "from-a-file")

    def test_the_password_comes_from_the_environment(self) -> None:
        with mock.patch.dict(os.environ, {PASSWORD_VARIABLE: "from-the-environment"}):
            self.assertEqual(self.options().config.password, "from-the-environment")

    def test_an_unreadable_password_file_is_named(self) -> None:
        with self.assertRaises(Exception) as caught:
            self.options("--password-file", "/nonexistent/secret")
        self.assertIn("--password-file", str(caught.exception))
        self.assertIn("/nonexistent/secret", str(caught.exception))
