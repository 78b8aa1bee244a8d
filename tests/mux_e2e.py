"""Real processes on loopback for the multiplexer's end-to-end tests: a simulator, a mux, apps.

The simulator and the multiplexer run as ``twistd`` processes, exactly as an operator starts
them; the applications are ``CSTAClientProtocol`` associations in the test's own reactor (or,
where a test kills one, a process of their own). The simulator's control API is how the tests act
on the PBX and count what reached it.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from twisted.internet import reactor as _reactor
from twisted.internet import task
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.internet.endpoints import SSL4ClientEndpoint, TCP4ClientEndpoint
from twisted.internet.protocol import Factory
from twisted.internet.ssl import CertificateOptions

from tests.mux_harness import RecordingApp

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
reactor: Any = _reactor


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def json_request(method: str, url: str, body: Any = None) -> urllib.request.Request:
    """An HTTP request carrying ``body`` (when not None) as JSON."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"content-type": "application/json; charset=utf-8"}
    return urllib.request.Request(url, data=data, method=method, headers=headers)


class Process:
    """A ``twistd -n`` (or any Python) process with its output in a log file."""

    def __init__(self, name: str, arguments: list[str], workdir: str) -> None:
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log = open(self.log_path, "wb")
        env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.popen = subprocess.Popen(
            [sys.executable, *arguments],
            cwd=workdir,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )

    @classmethod
    def twistd(cls, name: str, plugin: str, options: list[str], workdir: str) -> "Process":
        starter = "from twisted.scripts.twistd import run; run()"
        return cls(name, ["-c", starter, "-n", "--pidfile=", plugin, *options], workdir)

    def output(self) -> str:
        self.log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as stream:
            return stream.read()

    def wait_listening(self, port: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.output()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} does not listen on {port}:\n{self.output()[-3000:]}")

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        if self.alive:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> None:
        if self.alive:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)
        self.log.close()


class Simulator:
    def __init__(self, workdir: str, config: str = "") -> None:
        self.csta = free_port()
        self.control = free_port()
        path = os.path.join(workdir, f"sim-{self.csta}.toml")
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(config)
        self.process = Process.twistd(
            f"sim-{self.csta}",
            "ecsta-pbxsim",
            [
                "--config",
                path,
                "--csta",
                f"tcp:{self.csta}:interface=127.0.0.1",
                "--control",
                f"tcp:{self.control}:interface=127.0.0.1",
            ],
            workdir,
        )
        self.process.wait_listening(self.csta)
        self.process.wait_listening(self.control)

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        request = json_request(method, f"http://127.0.0.1:{self.control}/api/{path}", body)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def state(self) -> Any:
        return self._call("GET", "state")

    def cdr(self) -> Any:
        """The simulator's own list of the call records it made."""
        return self._call("GET", "cdr")

    def post(self, path: str, body: Any = None) -> Any:
        return self._call("POST", path, body if body is not None else {})

    def call(self, calling: str, called: str) -> None:
        """A person at ``calling`` phones ``called``, who answers."""
        self.post(f"devices/{calling}/offhook")
        self.post(f"devices/{calling}/dial", {"digits": called})
        self.post(f"devices/{called}/answer")

    def hang_up(self, number: str) -> None:
        self.post(f"devices/{number}/onhook")


class Mux:
    def __init__(self, workdir: str, pbx_port: int, config: str = "", tls: str = "") -> None:
        self.port = free_port()
        self.status = free_port()
        self.tls_port = free_port() if tls else None
        path = os.path.join(workdir, f"mux-{self.port}.toml")
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(config)
        options = [
            "--config",
            path,
            "--pbx",
            f"tcp:host=127.0.0.1:port={pbx_port}",
            "--listen",
            f"tcp:{self.port}:interface=127.0.0.1",
            "--status",
            f"tcp:{self.status}:interface=127.0.0.1",
        ]
        if tls:
            options += ["--listen-tls", f"ssl:{self.tls_port}:interface=127.0.0.1:{tls}"]
        self.process = Process.twistd(f"mux-{self.port}", "ecsta-mux", options, workdir)
        self.process.wait_listening(self.port)

    def state(self) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.status}/", timeout=10) as answer:
            return json.loads(answer.read())


def workdir() -> str:
    return tempfile.mkdtemp(prefix="ecsta-mux-e2e-")


class _AppFactory(Factory):
    def __init__(self, kwargs: dict[str, Any], app_class: type[RecordingApp]) -> None:
        self.kwargs = kwargs
        self.app_class = app_class

    def buildProtocol(self, addr: Any) -> RecordingApp:
        return self.app_class(reactor, **self.kwargs)


def connect(
    port: int,
    *,
    tls: bool = False,
    user: str | None = None,
    password: str | None = None,
    app_class: type[RecordingApp] = RecordingApp,
) -> "Deferred[RecordingApp]":
    """An application associated with the process at ``port`` (fails if it is refused)."""
    if tls:
        endpoint: Any = SSL4ClientEndpoint(reactor, "127.0.0.1", port, CertificateOptions())
    else:
        endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    kwargs = {"user": user, "password": password, "watchdog": None, "request_timeout": 10}
    d: Deferred[Any] = endpoint.connect(_AppFactory(kwargs, app_class))
    d.addCallback(lambda app: app.ready)
    return d


@inlineCallbacks
def wait_until(condition: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    """Poll ``condition`` in the reactor until it is true."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        yield task.deferLater(reactor, 0.02, lambda: None)


def settle(seconds: float = 0.3) -> "Deferred[None]":
    return task.deferLater(reactor, seconds, lambda: None)
