"""The ``ecsta`` console script for operators.

Each command is an argparse subcommand whose ``handler(args, out, err)`` returns the exit
status: 0 when it did its job, 1 when the input was bad or the job failed, 2 for a usage error.

``ecsta decode`` prints CSTA PDUs as a readable tree: the APDU kind, the invokeId, the operation
and its decoded argument or result. Input is hex on the command line (spaces allowed) or a file,
binary or hex text; with or without the link's 2-byte length headers. When bytes do not decode,
it says which octet and which field, and which ROSE reject a server would answer with.

The administration commands (``rules``, ``lines``, ``license``) live in :mod:`ecsta.cli.admin`;
``watch`` in :mod:`ecsta.cli.watch`; ``dial``, ``lines query``, ``status`` and ``reload``,
which talk to running services, in :mod:`ecsta.cli.remote`; ``hash-password`` in
:mod:`ecsta.cli.password`; ``check`` (a configuration file) in :mod:`ecsta.cli.check`;
``settings`` and ``sipfilter`` (a running driver's settings) in :mod:`ecsta.cli.settings`;
``journal export`` in :mod:`ecsta.cli.journal`.
"""

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ecsta import __version__
from ecsta.cli import admin as cli_admin
from ecsta.cli import check as cli_check
from ecsta.cli import journal as cli_journal
from ecsta.cli import password as cli_password
from ecsta.cli import remote as cli_remote
from ecsta.cli import settings as cli_settings
from ecsta.cli import watch as cli_watch
from ecsta.link.capture import read_capture
from ecsta.wire import apdu
from ecsta.wire.errors import DecodeError
from ecsta.wire.framing import HEADER_SIZE, FrameDecoder, FramingError
from ecsta.wire.operations import BY_CODE

_SEPARATORS = re.compile(r"0[xX]|[\s:,.\-]")
_COMMENT = re.compile(r"#[^\n]*")


class InputError(ValueError):
    """Input that cannot be read as bytes: a usage problem, not a PDU problem."""


class FramingProblem(ValueError):
    """Input that ``--framed`` says is length-prefixed and is not."""


# --------------------------------------------------------------------------------------------
# input


def parse_hex(text: str) -> bytes:
    """Bytes from hex text: spaces, colons, commas, ``0x`` prefixes and ``#`` comments allowed."""
    digits = _SEPARATORS.sub("", _COMMENT.sub("", text))
    bad = re.search(r"[^0-9a-fA-F]", digits)
    if bad:
        raise InputError(f"{bad.group()!r} is not a hex digit")
    if len(digits) % 2:
        raise InputError(f"odd number of hex digits ({len(digits)})")
    return bytes.fromhex(digits)


def read_input(path: str) -> bytes:
    """A file's bytes: hex text if it holds nothing else, else the binary content."""
    with open(path, "rb") as handle:
        content = handle.read()
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError:
        return content
    try:
        return parse_hex(text)
    except InputError:
        return content


def split_frames(data: bytes) -> list[bytes] | None:
    """The PDUs of ``data`` if it is one or more whole length-prefixed frames, else None."""
    frames = FrameDecoder()
    try:
        pdus = frames.feed(data)
    except FramingError:
        return None
    return pdus if pdus and not frames.buffered else None


def _pdus(data: bytes, framing: str) -> tuple[list[bytes], bool]:
    """(PDUs, whether they came framed) as ``framing`` ("auto", "framed", "raw") says."""
    if framing == "raw":
        return [data], False
    frames = split_frames(data)
    if frames is not None:
        return frames, True
    if framing == "framed":
        raise FramingProblem(_framing_problem(data))
    return [data], False


def _framing_problem(data: bytes) -> str:
    pos = 0
    while pos + HEADER_SIZE <= len(data):
        size = int.from_bytes(data[pos : pos + HEADER_SIZE], "big")
        if size == 0:
            return f"length header at byte {pos} is 0"
        if pos + HEADER_SIZE + size > len(data):
            available = len(data) - pos - HEADER_SIZE
            return f"length header at byte {pos} announces {size} octets, only {available} follow"
        pos += HEADER_SIZE + size
    return f"{len(data) - pos} octet(s) at byte {pos} are too few for a length header"


# --------------------------------------------------------------------------------------------
# output


def _bits(value: tuple[bytes, int]) -> str:
    octets, count = value
    if count <= 32:
        binary = "".join(f"{octet:08b}" for octet in octets)[:count]
        return f"'{binary}'B"
    return f"'{octets.hex()}'H ({count} bits)"


def _octets(value: bytes) -> str:
    if not value:
        return "''H (empty)"
    shown = "0x" + value.hex()
    if all(0x20 <= octet < 0x7F for octet in value):
        return f'{shown} ("{value.decode("ascii")}")'
    return shown


def scalar_text(value: Any) -> str:
    """One plain value the way the tree shows it."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return _octets(value)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], bytes):
        return _bits(value)
    return str(value)


def tree_lines(value: Any, indent: int = 0) -> list[str]:
    """A plain value as indented lines: ``name: value`` for components, ``<alternative>`` for
    CHOICEs, ``[i]`` for list items, hex for octets, ``'...'B`` for bits."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return [pad + "{}"]
        return [line for key, item in value.items() for line in _entry(key, item, indent)]
    if isinstance(value, list):
        if not value:
            return [pad + "[]"]
        return [line for i, item in enumerate(value) for line in _entry(f"[{i}]", item, indent)]
    return _entry(None, value, indent)


def _entry(label: str | None, value: Any, indent: int) -> list[str]:
    pad = "  " * indent
    head = [] if label is None else [f"{label}:"]
    while isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        head.append(f"<{value[0]}>")
        value = value[1]
    if isinstance(value, dict | list) and value:
        return [pad + " ".join(head), *tree_lines(value, indent + 1)]
    if isinstance(value, dict | list):
        head.append("{}" if isinstance(value, dict) else "[]")
    else:
        head.append(scalar_text(value))
    return [pad + " ".join(head)]


def _operation_text(code: int | None) -> str:
    if code is None:
        return "none"
    operation = BY_CODE.get(code)
    return f"{code}" if operation is None else f"{operation.name} ({code})"


def describe(pdu: apdu.APDU) -> list[str]:
    """The lines that show one decoded APDU."""
    if isinstance(pdu, apdu.Invoke):
        lines = [f"invoke  invokeId {pdu.invoke_id}  operation {_operation_text(pdu.opcode)}"]
        if pdu.linked_id is not None:
            lines.append(f"  linkedId: {pdu.linked_id}")
        if pdu.argument is None:
            lines.append("  argument: none")
        else:
            lines += ["  argument:", *tree_lines(pdu.argument, 2)]
        return lines
    if isinstance(pdu, apdu.ReturnResult):
        lines = [f"returnResult  invokeId {pdu.invoke_id}  operation {_operation_text(pdu.opcode)}"]
        if pdu.opcode is not None:
            lines += ["  result:", *tree_lines(pdu.result, 2)]
        return lines
    if isinstance(pdu, apdu.ReturnError):
        lines = [f"returnError  invokeId {pdu.invoke_id}  error {pdu.error_name} ({pdu.errcode})"]
        if pdu.error is not None:
            lines += ["  parameter:", *tree_lines(pdu.error, 2)]
        return lines
    if isinstance(pdu, apdu.Reject):
        kind, problem = pdu.problem
        return [f"reject  invokeId {pdu.invoke_id}  problem <{kind}> {problem}"]
    return _describe_acse(pdu)


def _describe_acse(pdu: apdu.APDU) -> list[str]:
    if isinstance(pdu, apdu.AARQ | apdu.AARE):
        kind = "aarq" if isinstance(pdu, apdu.AARQ) else "aare"
        lines = [f"{kind}  context {pdu.context}"]
        if isinstance(pdu, apdu.AARE):
            results = {0: "accepted", 1: "rejected-permanent", 2: "rejected-transient"}
            result = results.get(pdu.result, str(pdu.result))
            lines.append(f"  result: {result} ({pdu.result})")
            lines.append(f"  diagnostic: <{pdu.diagnostic[0]}> {pdu.diagnostic[1]}")
        if pdu.protocol_version is None:
            lines.append("  protocol-version: absent (version1)")
        else:
            lines.append(f"  protocol-version: {_bits(pdu.protocol_version)}")
        if pdu.csta_user_information is None:
            lines.append("  CSTA user information: none")
        else:
            versions = ", ".join(sorted(pdu.csta_versions)) or "none"
            lines.append(f"  CSTA versions: {versions}")
            lines += ["  CSTA user information:", *tree_lines(pdu.csta_user_information, 2)]
        if isinstance(pdu, apdu.AARQ):
            if pdu.user is None:
                lines.append("  login: none")
            else:
                reference = pdu.login_reference or "none"
                lines.append(f"  login: user {pdu.user!r}, password not shown")
                lines.append(f"    direct-reference: {reference}")
    elif isinstance(pdu, apdu.RLRQ | apdu.RLRE):
        kind = "rlrq" if isinstance(pdu, apdu.RLRQ) else "rlre"
        lines = [f"{kind}  reason {'absent' if pdu.reason is None else pdu.reason}"]
    else:
        assert isinstance(pdu, apdu.ABRT)
        source = {0: "acse-service-user", 1: "acse-service-provider"}.get(pdu.source, "")
        lines = [f"abrt  source {pdu.source} {source}".rstrip()]
        if pdu.diagnostic is not None:
            lines.append(f"  diagnostic: {pdu.diagnostic}")
    if pdu.other:
        lines += ["  other components:", *tree_lines(dict(pdu.other), 2)]
    return lines


def _spaced_hex(data: bytes) -> str:
    return " ".join(f"{octet:02x}" for octet in data)


def failure_lines(pdu: bytes, error: DecodeError) -> list[str]:
    """What is wrong with ``pdu``, with a caret under the octet where decoding stopped."""
    lines = [f"error: {error}"]
    if isinstance(error, apdu.RejectableError):
        kind, problem = error.reject
        invoke_id = "absent" if error.invoke_id is None else error.invoke_id
        lines.append(f"  a server answers: reject <{kind}> {problem}, invokeId {invoke_id}")
    if error.offset is not None and pdu:
        row = 16
        start = min(error.offset, len(pdu) - 1) // row * row
        window = pdu[start : start + row]
        lines.append(f"  {start:04x}  {_spaced_hex(window)}")
        caret = min(error.offset, len(pdu)) - start
        lines.append("        " + "   " * caret + "^^")
    return lines


# --------------------------------------------------------------------------------------------
# commands


def decode_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        if args.file is not None:
            if args.hex:
                raise InputError("give hex arguments or --file, not both")
            data = read_input(args.file)
        elif args.hex:
            data = parse_hex(" ".join(args.hex))
        else:
            raise InputError("nothing to decode: give hex arguments or --file")
        if not data:
            raise InputError("the input holds no bytes")
        captured = read_capture(data)
        directions: list[str] = []
        if captured is not None:
            data = b"".join(payload for _, payload in captured)
            directions = [
                "ecsta -> peer" if outgoing else "peer -> ecsta"
                for outgoing, payload in captured
                for _ in split_frames(payload) or [payload]
            ]
            if not data:
                raise InputError("the capture holds no PDUs")
        framing = "framed" if args.framed or captured is not None else "raw" if args.raw else "auto"
        pdus, framed = _pdus(data, framing)
    except InputError as error:
        err.write(f"ecsta decode: {error}\n")
        return 2
    except (OSError, FramingProblem) as error:
        err.write(f"ecsta decode: {error}\n")
        return 1
    status = 0
    for number, pdu in enumerate(pdus, 1):
        if framed or len(pdus) > 1:
            way = f", {directions[number - 1]}" if number <= len(directions) else ""
            out.write(f"PDU {number}: {len(pdu)} octets (length header {len(pdu):04x}){way}\n")
        try:
            decoded = apdu.decode(pdu)
        except DecodeError as error:
            out.write("\n".join(failure_lines(pdu, error)) + "\n")
            status = 1
            continue
        out.write("\n".join(describe(decoded)) + "\n")
    return status


def register_decode(subcommands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subcommands.add_parser(
        "decode",
        help="print CSTA PDUs as a readable tree",
        description="Decode CSTA PDUs (ACSE and ROSE) given as hex or in a file. Input that is"
        " one or more whole length-prefixed frames is read as such unless --raw is given.",
    )
    parser.add_argument("hex", nargs="*", help="PDU bytes in hex; spaces, colons allowed")
    parser.add_argument(
        "--file",
        metavar="PATH",
        help="read the bytes from a file: binary, hex, or a capture file of --capture",
    )
    framing = parser.add_mutually_exclusive_group()
    framing.add_argument(
        "--framed", action="store_true", help="the input has 2-byte length headers"
    )
    framing.add_argument(
        "--raw", action="store_true", help="the input is one PDU without length header"
    )
    parser.set_defaults(handler=decode_command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecsta", description="ecsta operator tools")
    parser.add_argument("--version", action="version", version=f"ecsta {__version__}")
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register_decode(subcommands)
    cli_watch.register(subcommands)
    cli_remote.register(subcommands)
    cli_admin.register(subcommands)
    cli_password.register(subcommands)
    cli_check.register(subcommands)
    cli_settings.register(subcommands)
    cli_journal.register(subcommands)
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run one ``ecsta`` command and return its exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:
        return exit_request.code if isinstance(exit_request.code, int) else 2
    status: int = args.handler(args, out or sys.stdout, err or sys.stderr)
    return status
