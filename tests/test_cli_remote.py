"""``ecsta dial``, ``ecsta lines query`` and ``ecsta status`` against running services.

The driver (with the simulator) and the mux run in this process on loopback ports; the command
runs as ``main([...])`` in a thread, since it makes blocking HTTP requests to them.
"""

import io
import json
import os
import urllib.error
from contextlib import redirect_stderr
from typing import Any
from unittest import mock

from twisted.internet import defer, reactor, threads
from twisted.internet.endpoints import serverFromString
from twisted.internet.task import deferLater
from twisted.trial.unittest import SynchronousTestCase, TestCase
from twisted.web.resource import Resource
from twisted.web.server import Request, Site

from ecsta import __version__
from ecsta.cli import main
from ecsta.cli.remote import RemoteError, fetch
from ecsta.daemon.site import GuardedSite
from ecsta.mux.config import from_dict
from ecsta.mux.service import MuxService
from ecsta.sim.runtime import embedded_simulator
from ecsta.web.muxconsole import StatusRoot
from tests.driver_harness import DriverHarness, port_of
from tests.mux_e2e import free_port

TOKEN = "a-token-of-at-least-sixteen-characters"


async def run(*argv: str) -> tuple[int, str, str]:
    """``ecsta ARGV`` in a thread: (exit status, standard output, standard error)."""
    out, err = io.StringIO(), io.StringIO()
    status = await threads.deferToThread(main, list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


class TargetTests(SynchronousTestCase):
    def test_two_services_named_at_once_is_a_usage_error(self) -> None:
        nobody = "http://127.0.0.1:9"
        for argv in (
            ["reload", "--api", nobody, "--sim", nobody],
            ["reload", "--mux", nobody, "--sim", nobody],
            ["reload", "--mux", nobody, "--api", nobody],
            ["status", "--mux", nobody, "--api", nobody],
        ):
            out, err = io.StringIO(), io.StringIO()
            with redirect_stderr(err):  # argparse writes usage errors to sys.stderr itself
                status = main(argv, out, err)
            self.assertEqual((status, out.getvalue()), (2, ""), argv)
            second = argv[3]
            self.assertIn(f"argument {second}: not allowed with argument {argv[1]}", err.getvalue())


class UnreachableTests(SynchronousTestCase):
    def test_a_connection_reset_names_a_port_with_every_connection_taken(self) -> None:
        """The reset comes wrapped when the request is being sent, bare when its answer is
        awaited: the same cause either way."""
        reset = ConnectionResetError(104, "Connection reset by peer")
        for raised in (reset, urllib.error.URLError(reset)):
            with mock.patch("urllib.request.urlopen", side_effect=raised):
                with self.assertRaises(RemoteError) as caught:
                    fetch("GET", "http://127.0.0.1:9/")
            self.assertIn(
                "the port may have all the connections it keeps open", str(caught.exception)
            )
        with mock.patch(
            "urllib.request.urlopen", side_effect=ConnectionRefusedError(111, "refused")
        ):
            with self.assertRaises(RemoteError) as caught:
                fetch("GET", "http://127.0.0.1:9/")
        self.assertEqual(
            str(caught.exception), "cannot reach http://127.0.0.1:9/: [Errno 111] refused"
        )


class DriverCommandTests(TestCase):
    timeout = 60

    async def start(self, tokens: list[str] | None = None) -> DriverHarness:
        harness = DriverHarness()
        self.addCleanup(lambda: defer.Deferred.fromCoroutine(harness.stop()))
        await harness.start(["101", "102"], tokens=tokens)
        self.api = f"http://127.0.0.1:{harness.api_port}"
        return harness

    async def test_dial_makes_the_call_on_the_pbx(self) -> None:
        harness = await self.start()
        status, out, err = await run("dial", "--api", self.api, "101", "102")
        self.assertEqual((status, err), (0, ""))
        self.assertRegex(out, r"^call \d+ on line 101 to 102: LINECALLSTATE_RINGBACK\n$")
        call_id = int(out.split()[1])
        self.assertIn(call_id, harness.calls("101"))
        state = await harness.control("GET", "/state")
        self.assertTrue(
            any(
                {c["device"] for c in call["connections"]} >= {"101", "102"}
                for call in state["calls"]
            ),
            state["calls"],
        )

    async def test_dial_to_a_busy_or_missing_number_fails(self) -> None:
        harness = await self.start()
        await harness.person("104", "offhook")  # 104 has no Super-Twin DECT to ring instead
        status, out, err = await run("dial", "--api", self.api, "--wait", "10", "101", "104")
        self.assertEqual(status, 1, out)
        self.assertEqual(err, "ecsta dial: the call to 104 failed: busy (LINEBUSYMODE_STATION)\n")
        await harness.person("101", "onhook")
        await harness.until(lambda: not harness.calls("101"))
        status, out, err = await run("dial", "--api", self.api, "--wait", "10", "101", "555")
        self.assertEqual(status, 1, out)
        self.assertEqual(
            err,
            "ecsta dial: the call to 555 failed: disconnected (LINEDISCONNECTMODE_UNREACHABLE)\n",
        )

    async def test_dial_from_an_unknown_line_fails_with_the_drivers_reason(self) -> None:
        await self.start()
        status, out, err = await run("dial", "--api", self.api, "999", "102")
        self.assertEqual((status, out), (1, ""))
        self.assertIn("404", err)
        self.assertIn("no line '999'", err)

    async def test_a_driver_with_tokens_wants_one_and_takes_it_from_the_environment(self) -> None:
        await self.start(tokens=[TOKEN])
        self.patch(os, "environ", {k: v for k, v in os.environ.items() if k != "ECSTA_API_TOKEN"})
        status, _, err = await run("dial", "--api", self.api, "101", "102")
        self.assertEqual(status, 1)
        self.assertIn("wants a bearer token: give --token or set ECSTA_API_TOKEN", err)
        status, _, err = await run("dial", "--api", self.api, "--token", "x" * 20, "101", "102")
        self.assertEqual(status, 1)
        self.assertIn("token refused (not one of the driver's [api] tokens)", err)
        self.patch(os, "environ", dict(os.environ, ECSTA_API_TOKEN=TOKEN))
        status, out, err = await run("dial", "--api", self.api, "101", "102")
        self.assertEqual((status, err), (0, ""), out)

    async def test_lines_query_loads_the_pbx_stations(self) -> None:
        harness = await self.start()
        status, out, err = await run("lines", "query", "--api", self.api)
        self.assertEqual((status, err), (0, ""))
        first, *rows = out.splitlines()
        self.assertRegex(first, r"^the PBX lists \d+ devices; the driver has \d+ lines:$")
        numbers = [row.split()[0] for row in rows]
        self.assertEqual(numbers, [line.number for line in harness.driver.lines])
        self.assertIn("103", numbers)  # a station the driver did not have before
        self.assertTrue(all(row.endswith("in service") for row in rows), rows)

    async def test_status_of_a_driver(self) -> None:
        harness = await self.start()
        await harness.person("101", "offhook")
        await harness.person("101", "dial", digits="102")
        await harness.until(lambda: harness.calls("102"))
        status, out, err = await run("status", "--api", self.api)
        self.assertEqual((status, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual(lines[0], f"ecsta-driver {__version__}")
        self.assertEqual(lines[1], "PBX link: up")
        self.assertEqual(lines[2], "lines: 2 (2 in service)")
        calls = [c for c in harness.driver.engine.calls.values() if c.exists]
        self.assertIn(f"calls: {len(calls)}", lines)
        self.assertTrue(any(line.strip().endswith("101 -> 102") for line in lines), lines)

    async def test_status_of_a_driver_names_requests_refused_while_the_pbx_was_busy(
        self,
    ) -> None:
        harness = await self.start()
        status, out, _ = await run("status", "--api", self.api)
        self.assertNotIn("refused as busy", out)  # nothing to say while nothing was refused
        harness.driver.refused_busy = 3
        status, out, err = await run("status", "--api", self.api)
        self.assertEqual((status, err), (0, ""))
        limit = harness.driver.max_waiting
        self.assertIn(f": 0 requests waiting for the PBX (at most {limit}), 3 refused as busy", out)

    async def test_status_of_a_driver_names_http_connections_refused(self) -> None:
        harness = await self.start()
        status, out, _ = await run("status", "--api", self.api)
        self.assertNotIn("HTTP:", out)  # nothing to say while nothing was refused
        harness.services.api.factory.refused_connections = 4
        status, out, err = await run("status", "--api", self.api)
        self.assertEqual((status, err), (0, ""))
        self.assertRegex(
            out, r"\nHTTP: 4 connections refused because 512 were open \(\d+ open now\)\n"
        )

    async def test_status_of_a_mux_pointed_at_a_driver_says_so(self) -> None:
        await self.start()
        status, _, err = await run("status", "--mux", self.api)
        self.assertEqual(status, 1)
        self.assertIn("is not a mux status page (for a driver give --api URL instead)", err)

    async def test_status_fails_when_nothing_listens(self) -> None:
        port = free_port()
        status, out, err = await run("status", "--mux", f"http://127.0.0.1:{port}")
        self.assertEqual((status, out), (1, ""))
        self.assertIn(f"cannot reach http://127.0.0.1:{port}/", err)

    async def test_status_of_a_port_with_every_connection_taken_names_the_likely_cause(
        self,
    ) -> None:
        site = GuardedSite(Resource(), reactor=reactor, max_connections=0)
        port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(site)
        self.addCleanup(port.stopListening)
        url = f"http://127.0.0.1:{port.getHost().port}"  # type: ignore[attr-defined]
        status, out, err = await run("status", "--api", url)
        self.assertEqual((status, out), (1, ""))
        self.assertIn(f"cannot reach {url}/api/v1/status: the connection was closed", err)
        self.assertIn("may have all the connections it keeps open", err)
        self.assertEqual(site.refused_connections, 1)


class MuxStatusTests(TestCase):
    timeout = 60

    async def start_mux(self, pbx: str = "sim") -> str:
        config = from_dict(
            {
                "pbx": {"endpoint": pbx},
                "listen": {"tcp": ["tcp:0:interface=127.0.0.1"]},
                "status": {"endpoint": "tcp:0:interface=127.0.0.1"},
            }
        )
        parts: list[Any] = []
        endpoint = None
        if pbx == "sim":
            simulator, endpoint = embedded_simulator(reactor)
            parts.append(simulator)
        service = MuxService(reactor, config, pbx_endpoint=endpoint, status_root=StatusRoot)
        parts.append(service)
        for part in parts:
            part.privilegedStartService()
        for part in parts:
            part.startService()
        for part in reversed(parts):
            self.addCleanup(part.stopService)
        self.service = service
        status_port = service._ports[-1]
        return f"http://127.0.0.1:{port_of(status_port)}"

    async def until_up(self) -> None:
        for _ in range(500):
            if self.service.mux.router.link.value == "up":
                return
            await defer.Deferred.fromCoroutine(_sleep(0.01))
        self.fail("the mux did not associate with the simulator")

    async def test_status_of_a_mux_with_its_pbx(self) -> None:
        url = await self.start_mux()
        await self.until_up()
        status, out, err = await run("status", "--mux", url)
        self.assertEqual((status, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual(lines.pop(0), f"ecsta-mux {__version__}")
        self.assertRegex(
            lines[0],
            r"^PBX link: up \(127\.0\.0\.1:\d+, since .*\); applications are shown"
            r" systemStatus normal$",
        )
        self.assertIn("applications: 0", lines)
        self.assertIn("CDR: no owner, 0 reports relayed", lines)

    async def test_status_is_a_failure_while_the_pbx_is_away(self) -> None:
        port = free_port()
        url = await self.start_mux(f"tcp:host=127.0.0.1:port={port}")
        for _ in range(500):
            if self.service.mux.pbx_health.last_error is not None:
                break
            await defer.Deferred.fromCoroutine(_sleep(0.01))
        status, out, err = await run("status", "--mux", url)
        self.assertEqual(status, 1)
        lines = out.splitlines()
        self.assertRegex(
            lines[1], rf"^last error: 127\.0\.0\.1:{port}: connection refused, since \d{{4}}-"
        )
        self.assertTrue(lines[2].startswith("PBX link: down"), out)
        self.assertEqual(err, "ecsta status: the PBX link is not up\n")

    async def test_status_of_a_driver_pointed_at_a_mux_says_so(self) -> None:
        url = await self.start_mux()
        status, _, err = await run("status", "--api", url)
        self.assertEqual(status, 1)
        self.assertIn(f"{url} is not an ecsta driver's API: is it the right port?", err)

    async def test_status_json_is_the_status_document(self) -> None:
        url = await self.start_mux()
        await self.until_up()
        status, out, _ = await run("status", "--mux", url, "--json")
        self.assertEqual(status, 0)
        document = json.loads(out)
        self.assertEqual(document["pbx"]["state"], "up")
        self.assertEqual(document["applications"], [])


async def _sleep(seconds: float) -> None:
    await deferLater(reactor, seconds, lambda: None)


class _LostDriver(Resource):
    """A driver that takes a call and then fails every question about it (a restart, a proxy's
    error page): what ``ecsta dial`` must not read as the call having ended."""

    isLeaf = True

    def render_POST(self, request: Request) -> bytes:
        request.setHeader("content-type", "application/json")
        return json.dumps({"call": 7}).encode()

    def render_GET(self, request: Request) -> bytes:
        request.setResponseCode(502)
        return b"bad gateway"


class DialOutcomeTests(TestCase):
    timeout = 30

    async def test_dial_names_a_driver_lost_after_the_call_was_made(self) -> None:
        site = Site(_LostDriver())
        port = reactor.listenTCP(0, site, interface="127.0.0.1")  # type: ignore[arg-type]
        self.addCleanup(port.stopListening)
        api = f"http://127.0.0.1:{port_of(port)}"
        status, out, err = await run("dial", "--api", api, "--wait", "5", "101", "102")
        self.assertEqual((status, out), (1, ""))
        self.assertEqual(
            err,
            f"ecsta dial: call 7 was made, but how it went is unknown: GET {api}/api/v1/calls/7:"
            " 502 Bad Gateway\n",
        )
