"""Readiness for systemd: READY=1 once the ports accept, STOPPING=1 on the way out.

The process tests run ``twistd -n ecsta-mux --pbx sim`` (and ecsta-driver) as systemd would,
with ``$NOTIFY_SOCKET`` naming a unix datagram socket the test listens on.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.daemon.sdnotify import Readiness, notify
from tests.mux_e2e import free_port

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class NotifySocket:
    """A unix datagram socket standing in for systemd's, at a short path."""

    def __init__(self, test: SynchronousTestCase) -> None:
        self.directory = tempfile.mkdtemp(prefix="ecsta-notify-")
        self.path = os.path.join(self.directory, "notify")
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.path)
        test.addCleanup(self.close)

    def close(self) -> None:
        self.socket.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def receive(self, timeout: float) -> str:
        self.socket.settimeout(timeout)
        return self.socket.recv(4096).decode("utf-8")


class FakeReactor:
    def __init__(self) -> None:
        self.when_running: list[Any] = []

    def callWhenRunning(self, function: Any, *args: Any) -> None:
        self.when_running.append((function, args))

    def run(self) -> None:
        for function, args in self.when_running:
            function(*args)


class NotifyTests(SynchronousTestCase):
    def test_a_notice_reaches_a_socket_given_by_path(self) -> None:
        listener = NotifySocket(self)
        self.assertTrue(notify("READY=1", {"NOTIFY_SOCKET": listener.path}))
        self.assertEqual(listener.receive(1), "READY=1")

    def test_a_notice_reaches_an_abstract_socket(self) -> None:
        name = f"ecsta-test-{uuid.uuid4().hex}"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
            listener.bind("\0" + name)
            listener.settimeout(1)
            self.assertTrue(notify("STOPPING=1", {"NOTIFY_SOCKET": "@" + name}))
            self.assertEqual(listener.recv(100), b"STOPPING=1")

    def test_without_a_manager_nothing_is_sent(self) -> None:
        self.assertFalse(notify("READY=1", {}))

    def test_a_manager_that_went_away_does_not_stop_the_service(self) -> None:
        path = os.path.join(tempfile.mkdtemp(prefix="ecsta-notify-"), "gone")
        self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
        self.assertFalse(notify("READY=1", {"NOTIFY_SOCKET": path}))

    def test_ready_once_the_reactor_runs_and_stopping_on_stop(self) -> None:
        listener = NotifySocket(self)
        reactor = FakeReactor()
        readiness = Readiness(reactor, {"NOTIFY_SOCKET": listener.path})
        readiness.startService()
        listener.socket.setblocking(False)
        with self.assertRaises(BlockingIOError):
            listener.socket.recv(100)  # nothing before the reactor runs
        reactor.run()
        self.assertEqual(listener.receive(1), "READY=1")
        readiness.stopService()
        self.assertEqual(listener.receive(1), "STOPPING=1")

    def test_a_service_stopped_before_the_reactor_ran_is_never_ready(self) -> None:
        listener = NotifySocket(self)
        reactor = FakeReactor()
        readiness = Readiness(reactor, {"NOTIFY_SOCKET": listener.path})
        readiness.startService()
        readiness.stopService()
        self.assertEqual(listener.receive(1), "STOPPING=1")
        reactor.run()
        listener.socket.setblocking(False)
        with self.assertRaises(BlockingIOError):
            listener.socket.recv(100)


class TwistdReadinessTests(SynchronousTestCase):
    def start(
        self, plugin: str, options: list[str], listener: NotifySocket
    ) -> subprocess.Popen[bytes]:
        workdir = tempfile.mkdtemp(prefix="ecsta-twistd-")
        self.addCleanup(shutil.rmtree, workdir, True)
        log = open(os.path.join(workdir, "twistd.log"), "w+b")
        self.addCleanup(log.close)
        env = dict(
            os.environ,
            NOTIFY_SOCKET=listener.path,
            PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""),
            STATE_DIRECTORY=workdir,  # as systemd gives it: the driver keeps its state there
        )
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from twisted.scripts.twistd import run; run()",
                "-n",
                "--pidfile=",
                plugin,
                *options,
            ],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        def stop() -> None:
            if process.poll() is None:
                process.kill()
                process.wait(10)

        self.addCleanup(stop)
        self.log = log
        return process

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-3000:]

    def ready_then_stopping(
        self, process: subprocess.Popen[bytes], listener: NotifySocket, ports: list[int]
    ) -> None:
        try:
            message = listener.receive(60)
        except TimeoutError:
            self.fail(f"no READY=1 within 60 s:\n{self.output()}")
        self.assertEqual(message, "READY=1")
        for port in ports:
            self.assertTrue(accepts(port), f"port {port} does not accept at READY=1")
        process.send_signal(signal.SIGTERM)
        self.assertEqual(listener.receive(30), "STOPPING=1")
        # twistd ends by its signal after a clean shutdown; systemd counts that as a success.
        self.assertIn(process.wait(30), (0, -signal.SIGTERM), self.output())

    def test_the_mux_is_ready_when_its_ports_accept(self) -> None:
        listener = NotifySocket(self)
        application, status = free_port(), free_port()
        process = self.start(
            "ecsta-mux",
            [
                "--pbx",
                "sim",
                "--listen",
                f"tcp:{application}:interface=127.0.0.1",
                "--status",
                f"tcp:{status}:interface=127.0.0.1",
            ],
            listener,
        )
        started = time.monotonic()
        self.ready_then_stopping(process, listener, [application, status])
        self.assertLess(time.monotonic() - started, 90)

    def test_the_driver_is_ready_when_its_api_accepts(self) -> None:
        listener = NotifySocket(self)
        api = free_port()
        state = tempfile.mkdtemp(prefix="ecsta-state-")
        self.addCleanup(shutil.rmtree, state, True)
        config = os.path.join(state, "driver.toml")
        with open(config, "w") as stream:
            stream.write(f'[admin]\nlicenceDirectory = "{state}"\n')
        process = self.start(
            "ecsta-driver",
            ["--config", config, "--pbx", "sim", "--api", f"tcp:{api}:interface=127.0.0.1"],
            listener,
        )
        self.ready_then_stopping(process, listener, [api])
