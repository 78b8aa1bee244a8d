"""How long applications' monitors take to come back after the PBX link drops.

    python bench/restore.py [--monitors N] [--applications N] [--runs N]

The mux runs as ``twistd -n ecsta-mux --pbx sim`` with a simulator of N stations and its control
API; the applications (in this process) monitor every station between them. The bench then
drops the PBX link through the control API (``POST /api/link/drop``) and measures, from the
drop, the time until the mux tells the applications systemStatus ``normal`` again: the PBX
link re-associated and every monitor started again. Target: at most 2 s with 1000 monitors.

Exit status 0 when the target is met in every run, 1 when not.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Generator
from typing import Any

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mux import free_port, mux_in, wait_port  # noqa: E402
from twisted.internet import defer, protocol, task  # noqa: E402
from twisted.internet.endpoints import TCP4ClientEndpoint  # noqa: E402
from verdict import verdict  # noqa: E402

from ecsta.link.protocol import CSTAClientProtocol  # noqa: E402
from ecsta.wire.opcodes import Opcode  # noqa: E402

TARGET = 2.0
Gen = Generator[defer.Deferred[Any], Any, Any]


class Watcher(CSTAClientProtocol):
    """An application that notes when the mux says the switch is normal again."""

    def __init__(self, reactor: Any) -> None:
        super().__init__(reactor, watchdog=None)
        self.normal_at: float | None = None

    def systemStatusChanged(self, argument: dict[str, Any]) -> None:
        if argument.get("systemStatus") == "normal":
            self.normal_at = time.perf_counter()
        else:
            self.normal_at = None


def simulator_plan(stations: int) -> str:
    lines = ["[sim.plan]", 'extension_range = ["1000", "9999"]']
    for index in range(stations):
        lines += ["[[sim.plan.devices]]", 'kind = "station"', f'number = "{1000 + index}"']
    return "\n".join(lines) + "\n"


@defer.inlineCallbacks
def main(reactor: Any, monitors: int, applications: int, runs: int) -> Gen:
    workdir = tempfile.mkdtemp(prefix="ecsta-restore-")
    port, control = free_port(), free_port()
    config = f'[sim.control]\nendpoint = "tcp:{control}:interface=127.0.0.1"\n'
    listen = f"tcp:{port}:interface=127.0.0.1"
    mux = mux_in(
        workdir,
        config + simulator_plan(monitors),
        *("--pbx", "sim", "--listen", listen, "--status", ""),
    )
    times: list[float] = []
    try:
        wait_port(port, mux)
        wait_port(control, mux)
        factory = protocol.Factory.forProtocol(lambda: Watcher(reactor))
        apps = []
        for _ in range(applications):
            app = yield TCP4ClientEndpoint(reactor, "127.0.0.1", port).connect(factory)
            yield app.ready
            apps.append(app)
        started = []
        for index in range(monitors):
            device = {"deviceIdentifier": ("dialingNumber", str(1000 + index))}
            app = apps[index % len(apps)]
            started.append(
                app.invoke(Opcode.monitorStart, {"monitorObject": ("deviceObject", device)})
            )
        yield defer.gatherResults(started)
        for _ in range(runs):
            for app in apps:
                app.normal_at = None
            drop = urllib.request.Request(
                f"http://127.0.0.1:{control}/api/link/drop", data=b"{}", method="POST"
            )
            dropped = time.perf_counter()
            yield task.deferLater(reactor, 0, urllib.request.urlopen, drop, None, 5)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not all(a.normal_at for a in apps):
                yield task.deferLater(reactor, 0.01, lambda: None)
            back = max(a.normal_at or float("inf") for a in apps)
            times.append(back - dropped)
            yield task.deferLater(reactor, 1.0, lambda: None)
        for app in apps:
            app.transport.loseConnection()
    finally:
        mux.terminate()
        mux.wait(timeout=30)
    verdict(
        max(times) <= TARGET,
        f"{monitors} monitors of {applications} applications back after a PBX link drop in "
        f"{statistics.median(times):.2f} s median ({min(times):.2f}-{max(times):.2f} s, "
        f"{runs} runs; target <= {TARGET:g} s)",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--monitors", type=int, default=1000)
    parser.add_argument("--applications", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    task.react(main, [arguments.monitors, arguments.applications, arguments.runs])
