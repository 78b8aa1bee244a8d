"""A small W3C WebDriver client on ``urllib``: chromedriver driving a headless chromium.

Every call blocks (tests run them in a thread, so that the reactor serving the page keeps
running) and every wait is bounded. :meth:`Chromium.close` ends the browser session and then
the processes: chromedriver runs in a process group of its own, which holds every chromium
process it started, and that group is killed by its id.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar

from tests.mux_e2e import free_port, json_request

CHROMIUM = os.environ.get("ECSTA_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ECSTA_CHROMEDRIVER", "/usr/bin/chromedriver")
#: The key under which W3C WebDriver names an element.
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-proxy-server",
    "--window-size=1400,1000",
]

T = TypeVar("T")


def unavailable() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return f"{path} is missing: install Debian's {package} to run the browser tests"
    return None


class WebDriverError(Exception):
    """chromedriver refused a command; the message is its own."""


class Chromium:
    """One headless chromium with a fresh profile, driven through chromedriver."""

    def __init__(self, start_timeout: float = 30.0) -> None:
        self.profile = tempfile.mkdtemp(prefix="ecsta-chromium-")
        self.port = free_port()
        self.log = open(os.path.join(self.profile, "chromedriver.log"), "wb")
        self.process = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.session: str | None = None
        # Requests to chromedriver never go through a proxy, whatever the environment says.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            self._wait_ready(start_timeout)
            capabilities = {
                "browserName": "chrome",
                "goog:loggingPrefs": {"browser": "ALL"},
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": [*ARGUMENTS, f"--user-data-dir={self.profile}/profile"],
                },
            }
            answer = self._call(
                "POST", "/session", {"capabilities": {"alwaysMatch": capabilities}}, start_timeout
            )
            self.session = answer["sessionId"]
            self._call("POST", self._path("timeouts"), {"script": 10_000, "pageLoad": 20_000})
        except BaseException:
            self.close()
            raise

    # -- plumbing -------------------------------------------------------------------------------

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise WebDriverError(f"chromedriver exited with {self.process.returncode}")
            try:
                if self._call("GET", "/status", timeout=1.0).get("ready"):
                    return
            except (OSError, WebDriverError):
                pass
            time.sleep(0.05)
        raise WebDriverError(f"chromedriver not ready within {timeout} s")

    def _path(self, command: str) -> str:
        return f"/session/{self.session}/{command}"

    def _call(self, method: str, path: str, body: Any = None, timeout: float = 30.0) -> Any:
        request = json_request(method, f"http://127.0.0.1:{self.port}{path}", body)
        try:
            with self._opener.open(request, timeout=timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                value = json.loads(error.read()).get("value", {})
            except ValueError:
                value = {}
            raise WebDriverError(
                f"{method} {path}: {value.get('error', error.code)}: {value.get('message', '')}"
            ) from None
        return answer.get("value")

    # -- what a test does -----------------------------------------------------------------------

    def get(self, url: str) -> None:
        self._call("POST", self._path("url"), {"url": url})

    @property
    def url(self) -> str:
        value: str = self._call("GET", self._path("url"))
        return value

    def find(self, css: str) -> str | None:
        """The first element matching ``css``, or None."""
        found = self._call("POST", self._path("elements"), {"using": "css selector", "value": css})
        return found[0][ELEMENT] if found else None

    def element(self, css: str, timeout: float = 10.0) -> str:
        """The first element matching ``css`` once it is there and shown."""

        def shown() -> str | None:
            element = self.find(css)
            return element if element is not None and self.displayed(element) else None

        found = self.wait(shown, timeout, f"an element {css!r} on the page")
        assert found is not None
        return found

    def displayed(self, element: str) -> bool:
        return bool(self._call("GET", self._path(f"element/{element}/displayed")))

    def click(self, css: str) -> None:
        self._call("POST", self._path(f"element/{self.element(css)}/click"), {})

    def type(self, css: str, text: str) -> None:
        element = self.element(css)
        self._call("POST", self._path(f"element/{element}/clear"), {})
        self._call("POST", self._path(f"element/{element}/value"), {"text": text})

    def run(self, script: str, *arguments: Any) -> Any:
        """Run a script in the page; its ``return`` value comes back."""
        return self._call(
            "POST", self._path("execute/sync"), {"script": script, "args": list(arguments)}
        )

    def text(self, css: str) -> str:
        value = self.run(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null",
            css,
        )
        return "" if value is None else str(value)

    def console(self) -> list[str]:
        """What the page logged to its console since the last call (errors included)."""
        try:
            entries = self._call("POST", self._path("se/log"), {"type": "browser"})
        except WebDriverError:
            return []
        return [f"{e.get('level')}: {e.get('message')}" for e in entries or []]

    def wait(self, probe: Callable[[], T], timeout: float = 10.0, what: str = "") -> T:
        """``probe()``'s first true value, asked every 50 ms for at most ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"not seen within {timeout} s: {what or probe}\npage console: {self.console()}"
                )
            time.sleep(0.05)

    # -- the end --------------------------------------------------------------------------------

    def close(self) -> None:
        # ``returncode`` stays None until the process is reaped: until then its pid, which is
        # also its process group's id, cannot have been given to anyone else.
        if self.process.returncode is None:
            if self.session is not None:
                try:
                    self._call("DELETE", f"/session/{self.session}", timeout=10.0)
                except (OSError, WebDriverError):
                    pass
                self.session = None
            # chromedriver leads a process group of its own, which holds every chromium
            # process it started (but chromium's crash handler, which leaves the group and
            # ends by itself when chromium does).
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)
