"""A driver that starts before its PBX: lines appear once the PBX does, and until then the
driver says it has none, in its status document, its metrics and ``ecsta status``; a driver
whose login the mux refuses says that.

The driver, the mux and the simulator run in memory; ``ecsta status`` reaches the driver's
site through a loopback port (it is a blocking HTTP client, run in a thread).
"""

import io

from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure
from twisted.trial.unittest import TestCase

from ecsta.cli import main
from tests.driver_rig import DriverRig

#: Where the PBX that refuses TCP connections would be.
PBX_PORT = 33333


async def status(h: DriverRig) -> tuple[int, str, str]:
    """What ``ecsta status --api URL`` says of the driver, and its exit status."""
    out, err = io.StringIO(), io.StringIO()
    code = await deferToThread(main, ["status", "--api", h.loopback_url()], out, err)
    return code, out.getvalue(), err.getvalue()


def refuse_connections(h: DriverRig) -> None:
    """Answer every TCP connection asked for so far as a host with nothing listening does."""
    while h.clock.tcpClients:
        factory = h.clock.tcpClients.pop()[2]
        factory.clientConnectionFailed(None, Failure(ConnectionRefusedError()))


class LatePBXTests(TestCase):
    async def test_lines_load_when_the_pbx_comes_up_and_no_lines_is_a_problem_until_then(
        self,
    ) -> None:
        h = DriverRig()
        self.addCleanup(h.stop)
        h.add_sim()
        await h.control("POST", "/link/refuse", {"seconds": 2.0})
        pbx = {"reconnect_initial_delay": 0.2, "reconnect_max_delay": 0.5}
        await h.start([], via=lambda sim: h.mux({"pbx": pbx}, sim), ready=False)
        await h.until(lambda: h.driver.link_up)
        self.assertEqual(len(h.driver.lines), 0)
        code, document = await h.api("GET", "/status")
        self.assertEqual(code, 200)
        self.assertIn("the PBX is not available (systemStatus disabled)", document["problems"])
        self.assertTrue(any(p.startswith("no lines") for p in document["problems"]), document)
        exit_code, out, err = await status(h)
        self.assertEqual(exit_code, 1)
        self.assertIn("no lines", out + err)

        await h.until(lambda: h.driver.ready.called, timeout=15)
        await h.until(lambda: len(h.driver.lines) > 0, timeout=15)
        await h.until(lambda: all(line.in_service for line in h.driver.lines), timeout=15)
        code, document = await h.api("GET", "/status")
        self.assertEqual(document["problems"], [])
        exit_code, out, err = await status(h)
        self.assertEqual((exit_code, err), (0, ""))


class RefusedLoginTests(TestCase):
    async def test_a_wrong_password_at_the_mux_is_named_in_the_status(self) -> None:
        from ecsta.daemon.auth import hash_password

        h = DriverRig()
        self.addCleanup(h.stop)
        users = {"driver": hash_password("right", "pbkdf2-sha256", iterations=100_000)}
        document = {"listen": {"tcp": ["tcp:0:interface=127.0.0.1"], "require_login": True}}
        await h.start(
            ["101"],
            via=lambda sim: h.mux({**document, "users": users}, sim),
            user="driver",
            password="wrong",
            ready=False,
        )
        await h.until(lambda: h.driver.health.last_error)
        code, document = await h.api("GET", "/status")
        self.assertEqual(code, 200)
        [instance] = document["instances"]
        self.assertTrue(
            instance["lastError"].endswith(": login refused (wrong user or password)"), instance
        )
        self.assertIn("the PBX link is down", document["problems"])

    async def test_a_pbx_that_refuses_tcp_is_named_with_since_when_in_ecsta_status(self) -> None:
        h = DriverRig()
        self.addCleanup(h.stop)
        await h.start(
            ["101"], via=lambda _: TCP4ClientEndpoint(h.clock, "127.0.0.1", PBX_PORT), ready=False
        )
        await h.until(lambda: refuse_connections(h) or h.driver.health.last_error)
        code, out, err = await status(h)
        self.assertEqual(code, 1)
        self.assertRegex(
            out,
            rf"\ndriver: last error: 127\.0\.0\.1:{PBX_PORT}: connection refused, since \d{{4}}-",
        )
        self.assertIn("ecsta status: the PBX link is down\n", err)
