"""The mux's status port where requests enter: host names and body sizes, checked before the
status page, the metrics or the console's login see a request."""

import json
from typing import Any

from twisted.internet import defer
from twisted.internet.defer import Deferred
from twisted.internet.testing import MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase

from ecsta.cli.remote import mux_summary
from ecsta.daemon.site import GuardedSite
from ecsta.mux.config import from_dict
from ecsta.mux.service import STATUS_MAX_BODY, MuxService
from ecsta.web.muxconsole import StatusRoot
from tests import test_driver_http_guard as http


def status_site(status: dict[str, Any] | None = None) -> tuple[MuxService, GuardedSite]:
    config = from_dict(
        {
            "pbx": {"endpoint": "tcp:host=127.0.0.1:port=33333"},
            "status": status or {},
            "journal": {"enabled": False},
        }
    )
    service = MuxService(MemoryReactorClock(), config, status_root=StatusRoot)
    [site] = [f for d, _, f in service._listeners if d == config.status.endpoint]
    assert isinstance(site, GuardedSite)
    return service, site


def get(site: GuardedSite, host: bytes) -> bytes:
    response, _ = http.exchange(site, b"GET / HTTP/1.1\r\nhost: %s\r\n\r\n" % host)
    return response


class StatusHostTests(SynchronousTestCase):
    def test_a_rebound_host_name_cannot_read_the_status_on_loopback(self) -> None:
        _, site = status_site()
        response = get(site, b"evil.example:33335")
        self.assertEqual(http.status(response), 421)
        self.assertIn(b"unknownHost", response)
        self.assertNotIn(b'"pbx"', response)
        for host in (b"127.0.0.1:33335", b"localhost:33335", b"[::1]:33335"):
            response = get(site, host)
            self.assertEqual(http.status(response), 200, host)
            self.assertIn(b'"pbx"', response)

    def test_beyond_loopback_any_name_unless_hosts_are_configured(self) -> None:
        _, site = status_site({"endpoint": "tcp:33335"})
        self.assertEqual(http.status(get(site, b"mux.example:33335")), 200)
        _, site = status_site({"endpoint": "tcp:33335", "hosts": ["mux.example"]})
        self.assertEqual(http.status(get(site, b"mux.example:33335")), 200)
        self.assertEqual(http.status(get(site, b"other.example:33335")), 421)

    def test_hosts_must_be_a_list_of_names(self) -> None:
        with self.assertRaises(Exception) as caught:
            from_dict({"status": {"hosts": "localhost"}})
        self.assertIn("status.hosts", str(caught.exception))


class StatusBodyTests(SynchronousTestCase):
    def test_a_huge_login_body_is_refused_unread_before_the_login_is_checked(self) -> None:
        service, site = status_site()
        checked: list[str] = []

        def check(user: str, password: str) -> "Deferred[bool]":
            checked.append(user)
            return defer.succeed(False)

        service.mux.check_password = check
        head = (
            b"POST /console/login HTTP/1.1\r\nhost: 127.0.0.1:33335\r\n"
            b"origin: http://127.0.0.1:33335\r\ncontent-type: application/json\r\n"
            b"content-length: 300000000\r\n\r\n"
        )
        response, transport = http.exchange(site, head + b'{"user": "alice", ' + b" " * 4096)
        self.assertEqual(http.status(response), 413)
        self.assertIn(b"tooLarge", response)
        self.assertTrue(transport.disconnecting)
        self.assertEqual(checked, [])
        self.assertEqual(service.mux.logins["failed"], 0)

    def test_a_chunked_body_is_cut_off_once_it_grows_past_the_limit(self) -> None:
        _, site = status_site()
        chunk = b"x" * 8192
        body = b"".join(
            b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(STATUS_MAX_BODY // 8192 + 2)
        )
        head = (
            b"POST /console/login HTTP/1.1\r\nhost: 127.0.0.1:33335\r\n"
            b"content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
        )
        response, transport = http.exchange(site, head + body)
        self.assertEqual(http.status(response), 413)
        self.assertTrue(transport.disconnecting)


class StatusConnectionTests(SynchronousTestCase):
    def test_connections_refused_show_in_the_status_and_the_metrics(self) -> None:
        _, site = status_site()
        site.max_connections = 1
        kept = site.buildProtocol(None)
        self.assertIsNotNone(kept)
        site.buildProtocol(None)  # refused: one is open already
        kept.connectionLost(None)
        response = get(site, b"127.0.0.1:33335")
        document = json.loads(response.split(b"\r\n\r\n", 1)[1])
        self.assertEqual(document["http"], {"open": 1, "most": 1, "refused": 1})
        self.assertIn(
            "HTTP: 1 connections refused because 1 were open", "\n".join(mux_summary(document))
        )
        site.max_connections = 3  # room for the scrape, beside the status reader
        response, _ = http.exchange(site, b"GET /metrics HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
        self.assertIn(b"\necsta_http_connections_refused_total 1.0\n", response)
        self.assertIn(b"\necsta_mux_pbx_link_up ", response)  # beside the mux's own

    def test_nothing_is_said_of_http_while_nothing_was_refused(self) -> None:
        _, site = status_site()
        document = json.loads(get(site, b"127.0.0.1:33335").split(b"\r\n\r\n", 1)[1])
        self.assertEqual(document["http"]["refused"], 0)
        self.assertFalse(any(line.startswith("HTTP") for line in mux_summary(document)))
