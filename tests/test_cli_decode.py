"""``ecsta decode``: what an operator sees for good PDUs, bad PDUs and bad input."""

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

from twisted.trial.unittest import SynchronousTestCase

from ecsta import cli
from ecsta.wire import apdu

SYSTEM_STATUS = "a1 0c 02 01 01 02 02 00 d3 30 03 0a 01 02"
SYSTEM_STATUS_ANSWER = "a2 0b 02 01 01 30 06 02 02 00 d3 05 00"
MONITOR_START = "a1 11 02 01 78 02 01 47 30 09 30 05 80 03 31 30 31 a0 00"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    err = io.StringIO()
    # argparse writes help and usage errors to sys.stdout and sys.stderr itself.
    with redirect_stdout(out), redirect_stderr(err):
        status = cli.main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


class GoodInputTests(SynchronousTestCase):
    def test_invoke_from_hex_arguments(self) -> None:
        status, out, err = run("decode", *SYSTEM_STATUS.split())
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(
            out.splitlines(),
            [
                "invoke  invokeId 1  operation systemStatus (211)",
                "  argument:",
                '    systemStatus: "normal"',
            ],
        )

    def test_one_argument_with_spaces_and_colons(self) -> None:
        spaced = run("decode", SYSTEM_STATUS)
        colons = run("decode", SYSTEM_STATUS.replace(" ", ":"))
        self.assertEqual(spaced, colons)
        self.assertEqual(spaced[0], 0)

    def test_argument_tree(self) -> None:
        status, out, _ = run("decode", MONITOR_START)
        self.assertEqual(status, 0)
        self.assertIn("operation monitorStart (71)", out)
        self.assertIn("    monitorObject: <deviceObject>\n", out)
        self.assertIn('      deviceIdentifier: <dialingNumber> "101"\n', out)
        self.assertIn("      callControl: ''B\n", out)

    def test_length_header_is_detected(self) -> None:
        status, out, _ = run("decode", "00 0d " + SYSTEM_STATUS_ANSWER)
        self.assertEqual(status, 0)
        lines = out.splitlines()
        self.assertEqual(lines[0], "PDU 1: 13 octets (length header 000d)")
        self.assertEqual(lines[1], "returnResult  invokeId 1  operation systemStatus (211)")
        self.assertEqual(lines[3], "    <noData> NULL")

    def test_raw_forces_no_header(self) -> None:
        status, out, _ = run("decode", "--raw", "00 0d " + SYSTEM_STATUS_ANSWER)
        self.assertEqual(status, 1)
        self.assertIn("first octet 0x00", out)

    def test_framed_stream_in_a_binary_file(self) -> None:
        path = self.mktemp()
        with open(path, "wb") as handle:
            for text in (SYSTEM_STATUS, SYSTEM_STATUS_ANSWER):
                pdu = bytes.fromhex(text)
                handle.write(len(pdu).to_bytes(2, "big") + pdu)
        status, out, _ = run("decode", "--framed", "--file", path)
        self.assertEqual(status, 0)
        self.assertIn("PDU 1: 14 octets", out)
        self.assertIn("PDU 2: 13 octets", out)
        self.assertIn("invoke  invokeId 1", out)
        self.assertIn("returnResult  invokeId 1", out)
        self.assertEqual(run("decode", "--file", path), (status, out, ""))

    def test_hex_text_file_with_comments(self) -> None:
        path = self.mktemp()
        with open(path, "w") as handle:
            handle.write("# keep-alive from the PBX\n" + SYSTEM_STATUS.replace(" ", "\n", 3) + "\n")
        status, out, _ = run("decode", "--file", path)
        self.assertEqual(status, 0)
        self.assertIn("operation systemStatus (211)", out)

    def test_association_pdus(self) -> None:
        status, out, _ = run("decode", apdu.aarq("app", "secret").hex())
        self.assertEqual(status, 0)
        self.assertIn("aarq  context 1.3.12.0.218", out)
        self.assertIn("CSTA versions: versionFive", out)
        self.assertIn("login: user 'app', password not shown", out)
        self.assertNotIn("secret", out)
        status, out, _ = run("decode", apdu.aare_rejected(1, 13).hex())
        self.assertEqual(status, 0)
        self.assertIn("result: rejected-permanent (1)", out)
        self.assertIn("diagnostic: <acse-service-user> 13", out)
        self.assertEqual(run("decode", "64 03 80 01 00")[1], "abrt  source 0 acse-service-user\n")

    def test_return_error_and_reject(self) -> None:
        _, out, _ = run("decode", apdu.return_error(5, "operation", "invalidDeviceID").hex())
        self.assertIn("returnError  invokeId 5  error universalFailure (1)", out)
        self.assertIn('<operation> "invalidDeviceID"', out)
        _, out, _ = run("decode", "a4 06 02 01 05 81 01 01")
        self.assertEqual(out, "reject  invokeId 5  problem <invoke> unrecognizedOperation\n")


class BadPduTests(SynchronousTestCase):
    def test_truncated(self) -> None:
        status, out, _ = run("decode", SYSTEM_STATUS[:-3])
        self.assertEqual(status, 1)
        lines = out.splitlines()
        self.assertIn("runs past the end", lines[0])
        self.assertIn("(at byte 0)", lines[0])
        self.assertEqual(
            lines[1], "  a server answers: reject <general> badlyStructuredPDU, invokeId 1"
        )

    def test_unknown_opcode_points_at_it(self) -> None:
        status, out, _ = run("decode", "a1 0c 02 01 07 02 02 03 e7 30 03 0a 01 02")
        self.assertEqual(status, 1)
        self.assertEqual(
            out.splitlines(),
            [
                "error: invoke: unknown operation code 999 (at byte 5)",
                "  a server answers: reject <invoke> unrecognizedOperation, invokeId 7",
                "  0000  a1 0c 02 01 07 02 02 03 e7 30 03 0a 01 02",
                "                       ^^",
            ],
        )

    def test_wrong_field_names_the_path(self) -> None:
        pdu = "a1 13 02 01 04 02 01 0a 30 0b 30 05 80 03 31 30 31 30 02 05 00"
        status, out, _ = run("decode", pdu)
        self.assertEqual(status, 1)
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("error: makeCall.calledDirectoryNumber: "))
        self.assertTrue(lines[0].endswith("found NULL (at byte 19)"))
        self.assertIn("mistypedArgument, invokeId 4", lines[1])
        self.assertEqual(lines[2], "  0010  31 30 02 05 00")
        self.assertEqual(lines[3], " " * 17 + "^^")

    def test_one_bad_pdu_among_good_ones(self) -> None:
        good = bytes.fromhex(SYSTEM_STATUS)
        bad = bytes.fromhex("a1 03 02 01 01")
        stream = b"".join(len(p).to_bytes(2, "big") + p for p in (good, bad, good))
        status, out, _ = run("decode", stream.hex())
        self.assertEqual(status, 1)
        self.assertEqual(out.count("operation systemStatus (211)"), 2)
        self.assertIn("PDU 2: 5 octets", out)
        self.assertIn("error: ", out)


class UsageTests(SynchronousTestCase):
    def test_bad_hex(self) -> None:
        status, out, err = run("decode", "a1 0c zz")
        self.assertEqual((status, out), (2, ""))
        self.assertIn("'z' is not a hex digit", err)
        status, _, err = run("decode", "a1 0")
        self.assertEqual(status, 2)
        self.assertIn("odd number of hex digits", err)

    def test_nothing_to_decode(self) -> None:
        status, _, err = run("decode")
        self.assertEqual(status, 2)
        self.assertIn("nothing to decode", err)

    def test_hex_and_file_together(self) -> None:
        self.assertEqual(run("decode", "--file", "x", "a1")[0], 2)

    def test_framed_and_raw_together(self) -> None:
        status, _, err = run("decode", "--framed", "--raw", SYSTEM_STATUS)
        self.assertEqual(status, 2)
        self.assertIn("not allowed with argument", err)

    def test_no_command(self) -> None:
        self.assertEqual(run()[0], 2)

    def test_help(self) -> None:
        status, out, _ = run("decode", "--help")
        self.assertEqual(status, 0)
        self.assertIn("--framed", out)

    def test_framed_input_that_is_not(self) -> None:
        status, _, err = run("decode", "--framed", SYSTEM_STATUS)
        self.assertEqual(status, 1)
        self.assertIn("length header at byte 0 announces 41228 octets, only 12 follow", err)

    def test_missing_file(self) -> None:
        status, _, err = run("decode", "--file", os.path.join(self.mktemp(), "nothing"))
        self.assertEqual(status, 1)
        self.assertIn("No such file", err)


class ProcessTests(SynchronousTestCase):
    def test_python_dash_m(self) -> None:
        env = {**os.environ, "PYTHONPATH": REPO}
        good = subprocess.run(
            [sys.executable, "-m", "ecsta.cli", "decode", SYSTEM_STATUS],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            timeout=60,
        )
        self.assertEqual(good.returncode, 0, good.stderr)
        self.assertIn("operation systemStatus (211)", good.stdout)
        bad = subprocess.run(
            [sys.executable, "-m", "ecsta.cli", "decode", SYSTEM_STATUS[:-3]],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            timeout=60,
        )
        self.assertEqual(bad.returncode, 1)
        self.assertIn("error: ", bad.stdout)
