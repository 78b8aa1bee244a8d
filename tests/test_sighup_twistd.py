"""``kill -HUP`` on a service run by twistd reloads it and logs so; the process lives on."""

import os
import signal
import sys
from typing import Any

from twisted.internet import defer, protocol, reactor
from twisted.trial.unittest import TestCase

from tests.test_startup_errors import REPO


class Output(protocol.ProcessProtocol):
    """Collects what the process prints; ``waiting`` fire when their text appears."""

    def __init__(self) -> None:
        self.text = ""
        self.waiting: list[tuple[str, defer.Deferred[None]]] = []
        self.ended: defer.Deferred[Any] = defer.Deferred()

    def outReceived(self, data: bytes) -> None:
        self.text += data.decode(errors="replace")
        for wanted, d in list(self.waiting):
            if wanted in self.text:
                self.waiting.remove((wanted, d))
                d.callback(None)

    errReceived = outReceived

    def seen(self, wanted: str, timeout: float = 30) -> defer.Deferred[None]:
        d: defer.Deferred[None] = defer.Deferred()
        if wanted in self.text:
            d.callback(None)
        else:
            self.waiting.append((wanted, d))
            d.addTimeout(timeout, reactor)
        return d

    def processEnded(self, reason: Any) -> None:
        self.ended.callback(reason.value)


class SighupTests(TestCase):
    timeout = 90

    async def run_twistd(
        self, plugin: str, *options: str, journal: bool = False
    ) -> tuple[Output, Any]:
        env = dict(
            os.environ,
            PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""),
            STATE_DIRECTORY=os.path.abspath(self.mktemp()),
        )
        if journal:
            env["JOURNAL_STREAM"] = "8:12345"  # what systemd sets when stdout is the journal
        output = Output()
        starter = "from twisted.scripts.twistd import run; run()"
        arguments = [sys.executable, "-c", starter, "-n", "--pidfile=", plugin, *options]
        process = reactor.spawnProcess(output, sys.executable, arguments, env=env, path=REPO)

        def stop() -> defer.Deferred[Any]:
            if output.ended.called:
                return defer.succeed(None)
            process.signalProcess("TERM")
            return output.ended

        self.addCleanup(stop)
        return output, process

    async def hup(self, plugin: str, ready: str, *options: str) -> Output:
        output, process = await self.run_twistd(plugin, *options)
        await output.seen(ready)
        self.assertIn(f"{plugin} ", output.text)  # the version line
        os.kill(process.pid, signal.SIGHUP)
        await output.seen(f"{plugin}: reloaded")
        self.assertFalse(output.ended.called, output.text)
        return output

    async def test_the_simulator_lives_on(self) -> None:
        await self.hup(
            "ecsta-pbxsim",
            "Starting factory",
            "--csta",
            "tcp:0:interface=127.0.0.1",
            "--control",
            "none",
        )

    async def test_the_mux_lives_on(self) -> None:
        await self.hup(
            "ecsta-mux",
            "PBX association with",
            "--pbx",
            "sim",
            "--listen",
            "tcp:0:interface=127.0.0.1",
            "--status=",
        )

    async def test_under_systemd_the_log_carries_journal_priorities(self) -> None:
        output, process = await self.run_twistd(
            "ecsta-pbxsim",
            "--csta",
            "tcp:0:interface=127.0.0.1",
            "--control",
            "none",
            journal=True,
        )
        await output.seen("<6>ecsta.sim")
        os.kill(process.pid, signal.SIGHUP)
        await output.seen("<6>ecsta.daemon.reload: ecsta-pbxsim: reloaded")
