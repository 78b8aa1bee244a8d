"""A driver that starts before its PBX: lines appear once the PBX does, and until then the
driver says it has none, in its status document, its metrics and ``ecsta status``; a driver
whose login the mux refuses says that."""

import io
from typing import Any

from twisted.internet import defer, reactor
from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.internet.threads import deferToThread
from twisted.trial.unittest import TestCase

from ecsta.cli import main
from tests.driver_harness import LOOPBACK, DriverHarness
from tests.mux_e2e import free_port


def mux_in_front(h: DriverHarness, csta_port: int, document: dict[str, Any]) -> Any:
    """A mux on the simulator's CSTA port, started; the endpoint the driver connects to."""
    from ecsta.mux.config import from_dict
    from ecsta.mux.service import MuxService

    config = from_dict({"status": {"endpoint": ""}, **document})
    mux = MuxService(
        reactor, config, pbx_endpoint=TCP4ClientEndpoint(reactor, "127.0.0.1", csta_port)
    )
    mux.privilegedStartService()
    mux.startService()
    h.extra.append(mux)
    return TCP4ClientEndpoint(reactor, "127.0.0.1", mux._ports[0].getHost().port)


class LatePBXTests(TestCase):
    async def start_behind_a_mux_whose_pbx_refuses(self, seconds: float) -> DriverHarness:
        h = DriverHarness()
        self.addCleanup(h.stop)

        async def via(csta_port: int) -> Any:
            await h.control("POST", "/link/refuse", {"seconds": seconds})
            pbx = {"reconnect_initial_delay": 0.2, "reconnect_max_delay": 0.5}
            return mux_in_front(h, csta_port, {"listen": {"tcp": [LOOPBACK]}, "pbx": pbx})

        # ``start`` returns once the lines are up; what comes before is what is tested here.
        self.started = defer.Deferred.fromCoroutine(h.start([], via=via))
        await h.until(lambda: h.api_port and h.driver.link_up, timeout=15)
        return h

    async def status(self, h: DriverHarness) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        api = f"http://127.0.0.1:{h.api_port}"
        code = await deferToThread(main, ["status", "--api", api], out, err)
        return code, out.getvalue(), err.getvalue()

    async def test_lines_load_when_the_pbx_comes_up_and_no_lines_is_a_problem_until_then(
        self,
    ) -> None:
        h = await self.start_behind_a_mux_whose_pbx_refuses(2.0)
        self.assertEqual(len(h.driver.lines), 0)
        code, document = await h.api("GET", "/status")
        self.assertEqual(code, 200)
        self.assertIn("the PBX is not available (systemStatus disabled)", document["problems"])
        self.assertTrue(any(p.startswith("no lines") for p in document["problems"]), document)
        exit_code, out, err = await self.status(h)
        self.assertEqual(exit_code, 1)
        self.assertIn("no lines", out + err)

        await self.started
        await h.until(lambda: len(h.driver.lines) > 0, timeout=15)
        await h.until(lambda: all(line.in_service for line in h.driver.lines), timeout=15)
        code, document = await h.api("GET", "/status")
        self.assertEqual(document["problems"], [])
        exit_code, out, err = await self.status(h)
        self.assertEqual((exit_code, err), (0, ""))


class RefusedLoginTests(TestCase):
    async def test_a_wrong_password_at_the_mux_is_named_in_the_status(self) -> None:
        from ecsta.daemon.auth import hash_password

        h = DriverHarness()
        self.addCleanup(h.stop)

        async def via(csta_port: int) -> Any:
            users = {"driver": hash_password("right", "pbkdf2-sha256", iterations=100_000)}
            listen = {"tcp": [LOOPBACK], "require_login": True}
            return mux_in_front(h, csta_port, {"listen": listen, "users": users})

        started = defer.Deferred.fromCoroutine(
            h.start(["101"], via=via, user="driver", password="wrong")
        )
        started.addErrback(lambda _: None)  # never ready: the login is refused
        await h.until(lambda: h.driver.health.last_error, timeout=15)
        code, document = await h.api("GET", "/status")
        self.assertEqual(code, 200)
        [instance] = document["instances"]
        self.assertTrue(
            instance["lastError"].endswith(": login refused (wrong user or password)"), instance
        )
        self.assertIn("the PBX link is down", document["problems"])

    async def test_a_pbx_that_refuses_tcp_is_named_with_since_when_in_ecsta_status(self) -> None:
        port = free_port()
        h = DriverHarness()
        self.addCleanup(h.stop)

        async def via(csta_port: int) -> Any:
            return TCP4ClientEndpoint(reactor, "127.0.0.1", port)

        started = defer.Deferred.fromCoroutine(h.start(["101"], via=via))
        started.addErrback(lambda _: None)  # never ready: nothing listens there
        await h.until(lambda: h.api_port and h.driver.health.last_error, timeout=15)
        out, err = io.StringIO(), io.StringIO()
        api = f"http://127.0.0.1:{h.api_port}"
        code = await deferToThread(main, ["status", "--api", api], out, err)
        self.assertEqual(code, 1)
        self.assertRegex(
            out.getvalue(),
            rf"\ndriver: last error: 127\.0\.0\.1:{port}: connection refused, since \d{{4}}-",
        )
        self.assertIn("ecsta status: the PBX link is down\n", err.getvalue())
