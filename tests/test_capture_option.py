"""``--capture FILE`` on ecsta-mux and ecsta-driver: the PBX link in a pcap file that tshark reads,
and whose payloads ``ecsta decode`` turns back into the CSTA conversation (docs/operators.md).

The services run as ``twistd`` builds them, on loopback (``--pbx sim`` starts the simulator
listening there), and tshark reads the file as a program of its own.
"""

import io
import os
import shutil
from typing import Any

from twisted.internet import defer, reactor
from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.trial.unittest import SynchronousTestCase, TestCase

from ecsta.cli import main
from ecsta.daemon.capture import CaptureError, CaptureFile
from ecsta.daemon.metrics import PDUCounts
from ecsta.driver import tap as driver_tap
from ecsta.link.protocol import CSTAClientProtocol
from ecsta.link.service import PBXClientFactory
from ecsta.mux import tap as mux_tap
from tests.driver_harness import port_of
from tests.test_link_capture import tshark_payloads
from tests.waiting import until

MONITOR_101 = {"monitorObject": ("deviceObject", {"deviceIdentifier": ("dialingNumber", "101")})}


class MuxCaptureTests(TestCase):
    timeout = 90

    def setUp(self) -> None:
        if shutil.which("tshark") is None:
            raise self.skipTest("tshark is not installed (.ci/run installs it)")

    async def test_the_mux_link_read_back_by_tshark_and_decoded(self) -> None:
        path = os.path.abspath(self.mktemp()) + ".pcap"
        options = mux_tap.Options()
        options.parseOptions(
            [
                "--pbx",
                "sim",
                "--capture",
                path,
                "--listen",
                "tcp:0:interface=127.0.0.1",
                "--status",
                "",
            ]
        )
        self.assertEqual(options.config.pbx.capture, path)
        top = mux_tap.makeService(options)
        top.privilegedStartService()
        top.startService()
        stopped = False

        def stop() -> Any:
            return None if stopped else top.stopService()

        self.addCleanup(stop)
        mux = next(s for s in top if isinstance(s, mux_tap.MuxService))
        await until(lambda: mux.mux.router.link.value == "up")
        app: Any = await TCP4ClientEndpoint(reactor, "127.0.0.1", port_of(mux._ports[0])).connect(
            PBXClientFactory(reactor, CSTAClientProtocol, watchdog=None)
        )
        await app.ready
        await app.invoke("monitorStart", MONITOR_101)
        app.transport.loseConnection()
        await until(lambda: not mux.mux.router.apps)
        await defer.maybeDeferred(top.stopService)
        stopped = True

        rows = tshark_payloads(path)
        self.assertGreaterEqual(len(rows), 5)
        self.assertEqual(rows[0][:2], ("50000", "33333"))  # ecsta -> PBX: the AARQ
        self.assertEqual(rows[1][:2], ("33333", "50000"))
        hex_file = self.mktemp()
        with open(hex_file, "w") as stream:
            stream.write("\n".join(payload for _, _, payload in rows) + "\n")
        out, err = io.StringIO(), io.StringIO()
        self.assertEqual(main(["decode", "--file", hex_file], out, err), 0, err.getvalue())
        text = out.getvalue()
        self.assertIn("aarq  context 1.3.12.0.218", text)
        self.assertIn("aare  context 1.3.12.0.218", text)
        self.assertIn("invoke  invokeId 1  operation systemStatus (211)", text)
        self.assertIn("operation monitorStart (71)", text)
        self.assertIn("returnResult", text)
        # The mux's own stop of the monitor, once its only sharer went away.
        self.assertIn("operation monitorStop (73)", text)


class DriverCaptureTests(TestCase):
    timeout = 60

    def setUp(self) -> None:
        if shutil.which("tshark") is None:
            raise self.skipTest("tshark is not installed (.ci/run installs it)")

    async def test_the_driver_link_read_back_by_tshark(self) -> None:
        path = os.path.abspath(self.mktemp()) + ".pcap"
        state = os.path.abspath(self.mktemp())
        config = state + ".toml"
        with open(config, "w") as stream:
            stream.write(f'[admin]\nlicenceDirectory = "{state}"\n')
        options = driver_tap.Options()
        options.parseOptions(
            [
                "--config",
                config,
                "--pbx",
                "sim",
                "--capture",
                path,
                "--api",
                "tcp:0:interface=127.0.0.1",
            ]
        )
        self.assertEqual(options.config.capture, path)
        services = driver_tap.build(reactor, options.config)
        services.top.privilegedStartService()
        services.top.startService()
        await services.driver.ready
        await defer.maybeDeferred(services.top.stopService)
        rows = tshark_payloads(path)
        decoded = io.StringIO()
        hex_file = self.mktemp()
        with open(hex_file, "w") as stream:
            stream.write("\n".join(payload for _, _, payload in rows) + "\n")
        self.assertEqual(main(["decode", "--file", hex_file], decoded, io.StringIO()), 0)
        self.assertIn("aarq", decoded.getvalue())
        self.assertIn("operation monitorStart (71)", decoded.getvalue())


class CaptureFileTests(SynchronousTestCase):
    def test_a_path_that_cannot_be_written_stops_the_start_and_is_named(self) -> None:
        path = os.path.join(self.mktemp(), "missing-directory", "pbx.pcap")
        service = CaptureFile(PDUCounts(), path)
        with self.assertRaises(CaptureError) as caught:
            service.privilegedStartService()
        self.assertEqual(
            str(caught.exception),
            f"cannot write the capture file {path}: No such file or directory",
        )

    def test_the_file_is_closed_and_let_go_on_stop(self) -> None:
        pdus = PDUCounts()
        service = CaptureFile(pdus, self.mktemp())
        service.privilegedStartService()
        service.startService()
        self.assertIs(pdus.capture, service.capture)
        capture = service.capture
        assert capture is not None
        service.stopService()
        self.assertIsNone(pdus.capture)
        self.assertTrue(capture.file.closed)
