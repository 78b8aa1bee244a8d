"""``ecsta watch``: a device's events as one line each, from the simulator, a mux, or a process.

The watcher runs in this process against the simulator (and a mux with logins) on loopback;
the command itself runs as ``python -m ecsta.cli watch`` in a child process, ended with Ctrl-C
(SIGINT) as an operator ends it.
"""

import io
import os
import re
import signal
import socket
import sys
from typing import Any

from twisted.internet import defer, error, protocol, reactor
from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.internet.interfaces import IStreamClientEndpoint
from twisted.internet.task import Clock, deferLater
from twisted.trial.unittest import SynchronousTestCase, TestCase
from zope.interface import implementer

from ecsta.cli import main
from ecsta.cli.watch import (
    STOP_TIMEOUT,
    Watcher,
    connection_text,
    device_argument,
    device_text,
    summary,
)
from ecsta.daemon.auth import hash_password
from ecsta.daemon.endpoints import client_endpoint
from ecsta.mux.config import from_dict
from ecsta.mux.service import MuxService
from ecsta.sim.config import SimConfig
from ecsta.sim.control import Controller
from ecsta.sim.runtime import SimulatorService
from tests.driver_harness import port_of
from tests.test_mux_tap import pem_pair

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOOPBACK = "tcp:0:interface=127.0.0.1"
NOON = 1_795_780_800.0  # a time whose local hour does not matter to the tests

DELIVERED = {
    "crossRefIdentifier": b"\x00\x00\x00\x01",
    "eventSpecificInfo": (
        "callControlEvents",
        (
            "delivered",
            {
                "connection": (
                    "both",
                    {
                        "callID": b"\x00\x01",
                        "deviceID": ("staticID", {"deviceIdentifier": ("dialingNumber", "102")}),
                    },
                ),
                "alertingDevice": (
                    "deviceIdentifier",
                    {"deviceIdentifier": ("deviceNumber", 0x01210001)},
                ),
                "callingDevice": (
                    "deviceIdentifier",
                    {"deviceIdentifier": ("dialingNumber", "101")},
                ),
                "calledDevice": (
                    "deviceIdentifier",
                    {"deviceIdentifier": ("dialingNumber", "102")},
                ),
                "lastRedirectionDevice": ("notRequired", None),
                "localConnectionInfo": "connected",
                "cause": "newCall",
                "extensions": {"privateData": []},
            },
        ),
    ),
}


class SummaryTests(SynchronousTestCase):
    def test_a_delivered_event_in_one_line(self) -> None:
        line = summary(DELIVERED, NOON)
        self.assertRegex(
            line,
            r"^\d\d:\d\d:\d\d delivered          call 0001 at 102  alerting=0x01210001"
            r" calling=101 called=102 state=connected cause=newCall$",
        )

    def test_an_event_of_another_group_shows_its_plain_fields(self) -> None:
        argument = {
            "crossRefIdentifier": b"\x00\x00\x00\x02",
            "eventSpecificInfo": (
                "logicalDeviceFeatureEvents",
                (
                    "forwarding",
                    {
                        "device": (
                            "deviceIdentifier",
                            {"deviceIdentifier": ("dialingNumber", "101")},
                        ),
                        "forwardingType": "forwardImmediate",
                        "forwardStatus": True,
                        "forwardTo": {"deviceIdentifier": ("dialingNumber", "0301234")},
                        "cause": "normal",
                    },
                ),
            ),
        }
        self.assertTrue(
            summary(argument, NOON).endswith(
                "forwarding          device=101 forwardingType=forwardImmediate forwardStatus=true"
                " forwardTo=0301234 cause=normal"
            ),
            summary(argument, NOON),
        )

    def test_devices_and_connections(self) -> None:
        self.assertEqual(device_text({"deviceIdentifier": ("dialingNumber", "101")}), "101")
        self.assertEqual(device_text(("notKnown", None)), None)
        self.assertEqual(
            device_text(("deviceIdentifier", {"deviceIdentifier": ("other", b"\x01")})), "0x01"
        )
        self.assertEqual(connection_text(("callID", b"\x00\x07")), "call 0007")
        self.assertEqual(
            connection_text(
                ("deviceID", ("staticID", {"deviceIdentifier": ("dialingNumber", "7")}))
            ),
            "at 7",
        )
        self.assertIsNone(connection_text("not a connection"))

    def test_device_arguments(self) -> None:
        self.assertEqual(device_argument("101"), {"deviceIdentifier": ("dialingNumber", "101")})
        self.assertEqual(
            device_argument("0x01210001"), {"deviceIdentifier": ("deviceNumber", 0x01210001)}
        )
        with self.assertRaises(ValueError):
            device_argument("1 01")


class UsageTests(SynchronousTestCase):
    def run_main(self, *argv: str) -> tuple[int, str]:
        err = io.StringIO()
        return main(list(argv), io.StringIO(), err), err.getvalue()

    def test_a_malformed_device_is_a_usage_error(self) -> None:
        status, err = self.run_main("watch", "10;1")
        self.assertEqual(status, 2)
        self.assertIn("is not a device", err)

    def test_an_unverified_tls_endpoint_is_refused(self) -> None:
        status, err = self.run_main("watch", "--pbx", "ssl:host=mux:port=33334", "101")
        self.assertEqual(status, 2)
        self.assertIn("use 'tls:host=NAME:port=N'", err)

    def test_a_count_below_one_is_a_usage_error(self) -> None:
        self.assertEqual(self.run_main("watch", "--count", "0", "101")[0], 2)


class InterruptTests(SynchronousTestCase):
    def test_ctrl_c_while_connecting_to_a_silent_host_ends_within_seconds(self) -> None:
        clock = Clock()

        @implementer(IStreamClientEndpoint)
        class Silent:
            def connect(self, factory: Any) -> defer.Deferred[Any]:
                return defer.Deferred()

        watcher = Watcher(clock, Silent(), "101", io.StringIO(), io.StringIO())
        running = defer.Deferred.fromCoroutine(watcher.run())
        ended = watcher.interrupted()
        self.assertNoResult(ended)
        clock.advance(STOP_TIMEOUT + 1)
        self.assertIsNone(self.successResultOf(ended))
        self.assertNoResult(running)


class WatcherTests(TestCase):
    timeout = 30

    async def start_simulator(self) -> tuple[SimulatorService, int]:
        simulator = SimulatorService(reactor, SimConfig(csta=LOOPBACK, control=None))
        simulator.privilegedStartService()
        simulator.startService()
        self.addCleanup(simulator.stopService)
        return simulator, port_of(await simulator.csta.listening)

    async def call_101_to_102(self, simulator: SimulatorService) -> None:
        controller = Controller(simulator.factory)
        controller.person("101", "offhook", {})
        controller.person("101", "dial", {"digits": "102"})
        await deferLater(reactor, 0.1, lambda: None)
        controller.person("102", "answer", {})

    async def test_the_events_of_a_call_one_line_each(self) -> None:
        simulator, port = await self.start_simulator()
        out, err = io.StringIO(), io.StringIO()
        watcher = Watcher(
            reactor, TCP4ClientEndpoint(reactor, "127.0.0.1", port), "101", out, err, count=5
        )
        running = defer.Deferred.fromCoroutine(watcher.run())
        await watcher.monitoring
        self.assertEqual(len(simulator.factory.monitors), 1)
        await self.call_101_to_102(simulator)
        status = await running
        self.assertEqual(status, 0)
        events = [line.split()[1] for line in out.getvalue().splitlines()]
        # 102 rings on its desk phone and on its Super-Twin DECT: two delivered events.
        self.assertEqual(
            events, ["serviceInitiated", "originated", "delivered", "delivered", "established"]
        )
        self.assertIn("call 0001 at 101", out.getvalue().splitlines()[0])
        self.assertRegex(err.getvalue(), r"^monitoring 101 \(crossRefIdentifier [0-9a-f]+\)")
        for _ in range(500):  # the watcher's monitorStop reaching the simulator
            if not simulator.factory.monitors:
                break
            await deferLater(reactor, 0.01, lambda: None)
        self.assertEqual(len(simulator.factory.monitors), 0)

    async def test_seconds_bound_a_quiet_watch(self) -> None:
        _, port = await self.start_simulator()
        out = io.StringIO()
        watcher = Watcher(
            reactor,
            TCP4ClientEndpoint(reactor, "127.0.0.1", port),
            "101",
            out,
            io.StringIO(),
            seconds=0.2,
        )
        self.assertEqual(await defer.Deferred.fromCoroutine(watcher.run()), 0)
        self.assertEqual(out.getvalue(), "")

    async def test_a_device_the_pbx_does_not_have(self) -> None:
        _, port = await self.start_simulator()
        err = io.StringIO()
        watcher = Watcher(
            reactor, TCP4ClientEndpoint(reactor, "127.0.0.1", port), "999", io.StringIO(), err
        )
        self.assertEqual(await defer.Deferred.fromCoroutine(watcher.run()), 1)
        self.assertRegex(err.getvalue(), r"^ecsta watch: the PBX refused to monitor 999: \w+")
        self.assertEqual(len(err.getvalue().splitlines()), 1, err.getvalue())

    async def test_nothing_listening(self) -> None:
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]
        err = io.StringIO()
        watcher = Watcher(
            reactor, TCP4ClientEndpoint(reactor, "127.0.0.1", port), "101", io.StringIO(), err
        )
        self.assertEqual(await defer.Deferred.fromCoroutine(watcher.run()), 1)
        self.assertEqual(
            err.getvalue(), f"ecsta watch: cannot connect to 127.0.0.1:{port}: connection refused\n"
        )

    async def test_a_locked_out_host_is_told_so(self) -> None:
        _, sim_port = await self.start_simulator()
        config = from_dict(
            {
                "pbx": {"endpoint": f"tcp:host=127.0.0.1:port={sim_port}"},
                "listen": {"tcp": [LOOPBACK], "require_login": True},
                "status": {"endpoint": ""},
                "users": {"crm": hash_password("right", "pbkdf2-sha256", iterations=100_000)},
                "login": {"free_failures": 5, "lockout_failures": 1, "delay": 0, "max_delay": 0},
            }
        )
        mux = MuxService(reactor, config)
        mux.privilegedStartService()
        mux.startService()
        self.addCleanup(mux.stopService)
        endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", port_of(mux._ports[0]))
        said = []
        for password in ("wrong", "right"):
            err = io.StringIO()
            watcher = Watcher(
                reactor, endpoint, "101", io.StringIO(), err, user="crm", password=password
            )
            self.assertEqual(await defer.Deferred.fromCoroutine(watcher.run()), 1)
            said.append(err.getvalue())
        self.assertEqual(said[0], "ecsta watch: login refused (wrong user or password)\n")
        self.assertIn("locked out after failed logins", said[1])

    async def test_a_certificate_that_does_not_verify_is_named_with_the_reason(self) -> None:
        _, sim_port = await self.start_simulator()
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        key, cert = pem_pair("localhost", san="localhost")
        paths = []
        for name, data in (("key.pem", key), ("cert.pem", cert)):
            paths.append(os.path.join(directory, name))
            with open(paths[-1], "wb") as stream:
                stream.write(data)
        config = from_dict(
            {
                "pbx": {"endpoint": f"tcp:host=127.0.0.1:port={sim_port}"},
                "listen": {
                    "tcp": [],
                    "tls": [f"ssl:0:interface=127.0.0.1:privateKey={paths[0]}:certKey={paths[1]}"],
                },
                "status": {"endpoint": ""},
                "users": {"crm": hash_password("right", "pbkdf2-sha256", iterations=100_000)},
            }
        )
        mux = MuxService(reactor, config)
        mux.privilegedStartService()
        mux.startService()
        self.addCleanup(mux.stopService)
        endpoint = client_endpoint(reactor, f"tls:host=localhost:port={port_of(mux._ports[0])}")
        err = io.StringIO()
        watcher = Watcher(reactor, endpoint, "101", io.StringIO(), err, user="crm", password="x")
        self.assertEqual(await defer.Deferred.fromCoroutine(watcher.run()), 1)
        self.assertEqual(
            err.getvalue(), "ecsta watch: certificate verify failed: self-signed certificate\n"
        )

    async def test_through_a_mux_that_wants_a_login(self) -> None:
        simulator, sim_port = await self.start_simulator()
        config = from_dict(
            {
                "pbx": {"endpoint": f"tcp:host=127.0.0.1:port={sim_port}"},
                "listen": {"tcp": [LOOPBACK], "require_login": True},
                "status": {"endpoint": ""},
                "users": {"crm": hash_password("right", "pbkdf2-sha256", iterations=100_000)},
                "login": {"free_failures": 5},
            }
        )
        mux = MuxService(reactor, config)
        mux.privilegedStartService()
        mux.startService()
        self.addCleanup(mux.stopService)
        mux_port = port_of(mux._ports[0])
        endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", mux_port)

        err = io.StringIO()
        refused = Watcher(
            reactor, endpoint, "101", io.StringIO(), err, user="crm", password="wrong"
        )
        self.assertEqual(await defer.Deferred.fromCoroutine(refused.run()), 1)
        self.assertEqual(err.getvalue(), "ecsta watch: login refused (wrong user or password)\n")

        out = io.StringIO()
        watcher = Watcher(
            reactor, endpoint, "101", out, io.StringIO(), user="crm", password="right", count=2
        )
        running = defer.Deferred.fromCoroutine(watcher.run())
        await watcher.monitoring
        await self.call_101_to_102(simulator)
        self.assertEqual(await running, 0)
        self.assertEqual(
            [line.split()[1] for line in out.getvalue().splitlines()],
            ["serviceInitiated", "originated"],
        )


class _Child(protocol.ProcessProtocol):
    def __init__(self) -> None:
        self.out = b""
        self.err = b""
        self.monitoring: defer.Deferred[None] = defer.Deferred()
        self.lines: defer.Deferred[None] = defer.Deferred()
        self.ended: defer.Deferred[int] = defer.Deferred()
        self.wanted = 0

    def outReceived(self, data: bytes) -> None:
        self.out += data
        if self.wanted and self.out.count(b"\n") >= self.wanted and not self.lines.called:
            self.lines.callback(None)

    def errReceived(self, data: bytes) -> None:
        self.err += data
        if b"monitoring" in self.err and not self.monitoring.called:
            self.monitoring.callback(None)

    def processEnded(self, reason: Any) -> None:
        code = reason.value.exitCode if isinstance(reason.value, error.ProcessTerminated) else 0
        self.ended.callback(code)


class CommandProcessTests(TestCase):
    timeout = 60

    async def test_watch_until_ctrl_c(self) -> None:
        simulator = SimulatorService(reactor, SimConfig(csta=LOOPBACK, control=None))
        simulator.privilegedStartService()
        simulator.startService()
        self.addCleanup(simulator.stopService)
        port = port_of(await simulator.csta.listening)
        child = _Child()
        child.wanted = 3
        env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
        process = reactor.spawnProcess(
            child,
            sys.executable,
            [
                sys.executable,
                "-m",
                "ecsta.cli",
                "watch",
                "--pbx",
                f"tcp:host=127.0.0.1:port={port}",
                "101",
            ],
            env=env,
        )

        def kill() -> None:
            if process.pid is not None:
                process.signalProcess("KILL")

        self.addCleanup(kill)
        await child.monitoring
        controller = Controller(simulator.factory)
        controller.person("101", "offhook", {})
        controller.person("101", "dial", {"digits": "102"})
        await child.lines
        os.kill(process.pid, signal.SIGINT)
        self.assertEqual(await child.ended, 0, child.err)
        lines = child.out.decode().splitlines()
        self.assertEqual(
            [re.split(r"\s+", line)[1] for line in lines[:3]],
            ["serviceInitiated", "originated", "delivered"],
        )
        # The monitor was stopped on the way out.
        self.assertEqual(len(simulator.factory.monitors), 0)
