"""The PBX link written as a pcap file, read back by tshark as a TCP flow on port 33333."""

import io
import shutil
import struct
import subprocess
from pathlib import Path

from twisted.internet.task import Clock
from twisted.test import iosim
from twisted.trial.unittest import SynchronousTestCase

from ecsta.cli import main
from ecsta.link.capture import Capture
from ecsta.link.protocol import CSTAClientProtocol, CSTAServerProtocol
from ecsta.wire.framing import frame
from tests.ber_pdus import AARQ
from tests.ber_pdus import SYSTEM_STATUS as FIRST_STATUS


def capture_a_conversation(capture: Capture) -> None:
    clock = Clock()
    client = CSTAClientProtocol(clock, watchdog=None)
    client.capture = capture
    _, _, pump = iosim.connectedServerAndClient(
        lambda: CSTAServerProtocol(clock, keepalive_interval=None),
        lambda: client,
        clock=clock,
    )
    pump.flush()


def records(data: bytes) -> list[bytes]:
    out = []
    pos = 24
    while pos < len(data):
        _, _, included, _ = struct.unpack("<IIII", data[pos : pos + 16])
        out.append(data[pos + 16 : pos + 16 + included])
        pos += 16 + included
    return out


class CaptureFileTests(SynchronousTestCase):
    def test_each_pdu_is_one_segment_with_its_length_header(self) -> None:
        buffer = io.BytesIO()
        capture_a_conversation(Capture(buffer, now=lambda: 1_700_000_000.25))
        packets = records(buffer.getvalue())
        payloads = [p[40:] for p in packets]
        self.assertEqual(payloads[0], frame(AARQ))
        self.assertEqual(payloads[2], frame(FIRST_STATUS))
        self.assertEqual(packets[0][12:16], bytes([10, 0, 0, 1]))
        self.assertEqual(struct.unpack("!H", packets[0][22:24])[0], 33333)
        self.assertEqual(struct.unpack("!H", packets[1][20:22])[0], 33333)

    def test_capture_stops_at_its_size_limit(self) -> None:
        buffer = io.BytesIO()
        capture = Capture(buffer, max_bytes=200)
        capture_a_conversation(capture)
        self.assertTrue(capture.full)
        self.assertLessEqual(len(buffer.getvalue()), 200)


def tshark_payloads(path: str) -> list[tuple[str, str, str]]:
    """(source port, destination port, payload hex) of each packet, as tshark reads them."""
    result = subprocess.run(
        [
            "tshark",
            "-r",
            path,
            "-T",
            "fields",
            "-e",
            "tcp.srcport",
            "-e",
            "tcp.dstport",
            "-e",
            "tcp.payload",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = [line.split("\t") for line in result.stdout.splitlines() if line.strip()]
    return [(row[0], row[1], row[2]) for row in rows]


class TsharkTests(SynchronousTestCase):
    def setUp(self) -> None:
        if shutil.which("tshark") is None:
            self.skipTest("tshark is not installed (.ci/run installs it)")

    def test_tshark_reads_the_flow(self) -> None:
        path = Path(self.mktemp())
        capture = Capture.open(str(path))
        capture_a_conversation(capture)
        capture.close()
        rows = tshark_payloads(str(path))
        self.assertEqual(len(rows), 4)
        self.assertEqual(rows[0][:2], ("50000", "33333"))
        self.assertEqual(bytes.fromhex(rows[0][2].replace(":", "")), frame(AARQ))
        self.assertEqual(rows[2][:2], ("33333", "50000"))
        self.assertEqual(bytes.fromhex(rows[2][2].replace(":", "")), frame(FIRST_STATUS))


class DecodeCaptureTests(SynchronousTestCase):
    def test_ecsta_decode_reads_its_own_capture_files(self) -> None:
        path = Path(self.mktemp())
        capture = Capture.open(str(path))
        capture_a_conversation(capture)
        capture.file.close()
        out, err = io.StringIO(), io.StringIO()
        status = main(["decode", "--file", str(path)], out, err)
        self.assertEqual((status, err.getvalue()), (0, ""))
        text = out.getvalue()
        self.assertIn(
            f"PDU 1: {len(AARQ)} octets (length header {len(AARQ):04x}), ecsta -> peer", text
        )
        self.assertIn("peer -> ecsta", text)
        self.assertIn("aarq", text)
        self.assertIn("systemStatus", text)
