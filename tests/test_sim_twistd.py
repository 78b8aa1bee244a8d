"""End to end: ``twistd -n ecsta-pbxsim`` as a real process on loopback ports.

A client made of a plain socket associates, lists the devices with the KME escape and monitors
a device by deviceNumber exactly as PROTOCOL.md section 5 shows; the control API makes a
person dial, and the events arrive over TCP. The process is always killed at the end.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import apdu
from ecsta.wire.framing import FrameDecoder, frame
from ecsta.wire.opcodes import Opcode
from tests.mux_e2e import free_port
from tests.sim_wire import AARE, AARQ, DEVICE_LIST_STATIONS, FIRST_STATUS

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
#: twistd itself, run by this interpreter (whichever virtualenv the tests run in).
TWISTD = "from twisted.scripts.twistd import run; run()"
#: MonitorStart of desk phone 101 by its deviceNumber, invokeId 9 as a real client sends it.
MONITOR_101_BY_DEVICE_NUMBER = apdu.encode(
    apdu.Invoke(
        9,
        Opcode.monitorStart,
        {"monitorObject": ("deviceObject", {"deviceIdentifier": ("deviceNumber", 0x01110000)})},
    )
)


class Simulator:
    """One ``twistd -n ecsta-pbxsim`` process."""

    def __init__(self, test: SynchronousTestCase, *args: str) -> None:
        self.csta = free_port()
        self.control = free_port()
        env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.log = open(test.mktemp(), "w+b")  # closed in stop()
        workdir = test.mktemp()
        os.makedirs(workdir)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                TWISTD,
                "--nodaemon",
                "--pidfile=",
                "ecsta-pbxsim",
                "--csta",
                f"tcp:{self.csta}:interface=127.0.0.1",
                "--control",
                f"tcp:{self.control}:interface=127.0.0.1",
                *args,
            ],
            cwd=workdir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        test.addCleanup(self.stop)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def wait_until_up(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"simulator exited:\n{self.output()}")
            try:
                self.api("GET", "state")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        raise AssertionError(f"simulator did not come up:\n{self.output()}")

    def api(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.control}/api/{path}", data=data, method=method
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())


class Client:
    """A CSTA client on a blocking socket."""

    def __init__(self, port: int) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.frames = FrameDecoder()
        self.pending: list[bytes] = []

    def close(self) -> None:
        self.socket.close()

    def send(self, pdu: bytes) -> None:
        self.socket.sendall(frame(pdu))

    def next(self) -> bytes:
        while not self.pending:
            data = self.socket.recv(65536)
            if not data:
                raise AssertionError("the simulator closed the connection")
            self.pending.extend(self.frames.feed(data))
        return self.pending.pop(0)


class TwistdTests(SynchronousTestCase):
    def test_a_client_associates_lists_devices_monitors_and_sees_a_call(self) -> None:
        sim = Simulator(self)
        sim.wait_until_up()
        client = Client(sim.csta)
        self.addCleanup(client.close)
        client.send(AARQ)
        self.assertEqual(client.next(), AARE)
        self.assertEqual(client.next(), FIRST_STATUS)

        client.send(DEVICE_LIST_STATIONS)
        answer = apdu.decode(client.next())
        assert isinstance(answer, apdu.ReturnResult)
        self.assertEqual(answer.invoke_id, 0x0602)
        numbers = []
        while True:
            invoke = apdu.decode(client.next())
            assert isinstance(invoke, apdu.Invoke) and invoke.opcode == Opcode.escape
            segment = invoke.argument["privateData"][1][1][1]
            numbers += [entry["number"] for entry in segment["sysData"]["deviceList"]]
            if segment["lastSegment"]:
                break
        self.assertIn("101", numbers)

        client.send(MONITOR_101_BY_DEVICE_NUMBER)
        started = apdu.decode(client.next())
        assert isinstance(started, apdu.ReturnResult)
        self.assertEqual(started.invoke_id, 9)
        cross_ref = started.result["crossRefIdentifier"]

        sim.api("POST", "devices/101/dial", {"digits": "102"})
        seen = []
        for _ in range(3):
            event = apdu.decode(client.next())
            assert isinstance(event, apdu.Invoke) and event.opcode == Opcode.cSTAEventReport
            self.assertEqual(event.argument["crossRefIdentifier"], cross_ref)
            seen.append(event.argument["eventSpecificInfo"][1][0])
        self.assertEqual(seen, ["serviceInitiated", "originated", "delivered"])

        state = sim.api("GET", "state")
        self.assertTrue(state["association"]["connected"])
        self.assertEqual(len(state["calls"]), 1)
        self.assertEqual(sim.api("POST", "link/drop"), {"dropped": True})
        # The PBX drops the link as a failing one does: the connection is reset or closed.
        try:
            self.assertEqual(client.socket.recv(100), b"")
        except ConnectionResetError:
            pass

    def test_a_taken_port_stops_the_simulator_with_a_clear_message(self) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            sim = Simulator(self, "--csta", f"tcp:{port}:interface=127.0.0.1")
            self.assertNotEqual(sim.process.wait(30), 0)
        self.assertIn("Address already in use", sim.output())

    def test_a_bad_configuration_is_refused_naming_the_key(self) -> None:
        path = self.mktemp()
        with open(path, "w") as f:
            f.write("[csta]\nkeepalive_misses = 0\n")
        sim = Simulator(self, "--config", os.path.abspath(path))
        self.assertNotEqual(sim.process.wait(30), 0)
        self.assertIn("csta.keepalive_misses", sim.output())
