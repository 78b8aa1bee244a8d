"""One operation vocabulary: opcodes named, errors and rejects built by ``ecsta.wire.apdu``.

CSTA opcodes are written as numbers in one place (``ecsta/wire/opcodes.py``), named elsewhere.

The scan reads every module of ``ecsta/`` outside ``wire/``, of ``bench/`` and of ``tests/`` as
a syntax tree and flags an integer that is a known opcode where the code uses it as one:
compared with something called an opcode (in a test's assertion too), given as the opcode of an
APDU, an invoke or a lookup, given to an owned service's start/stop/report, paired with an
argument to send, or bound to a constant named after an operation. Other integers (HTTP 204, 13
for an ACSE diagnostic, 64 octets, an invoke id) are not opcodes in those places and are left
alone, so the scan has no list of exceptions. Bytes a test writes raw (a captured PDU) are not
numbers in this sense: they stay as captured.
"""

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from twisted.trial import unittest

from ecsta.wire.opcodes import Opcode
from ecsta.wire.operations import BY_NAME
from ecsta.wire.responders import Responders

ROOT = Path(__file__).resolve().parent.parent
CODES = frozenset(int(code) for code in Opcode)

#: Calls whose argument at this position is an opcode.
OPCODE_ARGUMENT = {
    "Invoke": 1,
    "ReturnResult": 1,
    "tell": 0,
    "invoke": 0,
    "lookup": 0,
    "notify": 0,
}
#: Of those, names whose plain function (not a method) takes something else first: the
#: ``invoke(invoke_id, opcode, ...)`` encoders of the tests.
METHODS_ONLY = frozenset({"invoke"})
OPCODE_KEYWORDS = frozenset({"opcode", "operation", "start", "stop", "report"})
#: Calls whose start= counts something else.
COUNTING = frozenset({"enumerate", "range", "slice"})


def _words(name: str) -> list[str]:
    """``requestSysStat`` -> request, sys, stat; ``REQUEST_SYSTEM_STATUS`` -> request, ..."""
    if "_" in name or name.isupper():
        return [w.lower() for w in name.split("_") if w]
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", name)]


def _names_operation(constant: str) -> bool:
    """Whether a constant's name says it holds an operation's code (``MONITOR_STOP``,
    ``CDR_REPORT``, ``REQUEST_SYSTEM_STATUS`` for requestSysStat)."""
    words = _words(constant)
    if "opcode" in words or "op" in words:
        return True
    joined = "".join(words)
    for name in BY_NAME:
        theirs = _words(name)
        if joined == "".join(theirs):
            return True
        if len(words) == len(theirs) and all(
            w.startswith(t) for w, t in zip(words, theirs, strict=True)
        ):
            return True
    return False


def _identifier(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _opcode_literal(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value in CODES


def _literals(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` itself, or the items of a tuple/list/set literal of it."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        yield from node.elts
    else:
        yield node


def _asserted_pairs(node: ast.Call) -> Iterator[tuple[ast.AST, ast.AST]]:
    """What a test's ``assertEqual(a, b)`` holds side by side: ``a`` and ``b``, or the items
    of two tuples of one length (``(pdu.opcode, pdu.argument), (343, {...})``)."""
    if not _identifier(node.func).startswith("assert") or len(node.args) < 2:
        return
    first, second = node.args[:2]
    if isinstance(first, ast.Tuple) and isinstance(second, ast.Tuple):
        if len(first.elts) == len(second.elts):
            yield from zip(first.elts, second.elts, strict=True)
            return
    yield first, second


def opcode_literals(source: str) -> list[tuple[ast.Constant, str]]:
    """Each integer of ``source`` used as an opcode, and why it counts as one."""
    found: list[tuple[ast.Constant, str]] = []

    def flag(node: ast.AST | None, why: str) -> None:
        if isinstance(node, ast.Constant) and _opcode_literal(node):
            found.append((node, why))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any("opcode" in _identifier(side).lower() for side in sides):
                for side in sides:
                    for item in _literals(side):
                        flag(item, "compared with an opcode")
        elif isinstance(node, ast.Call):
            name = _identifier(node.func)
            position = OPCODE_ARGUMENT.get(name)
            if name in METHODS_ONLY and not isinstance(node.func, ast.Attribute):
                position = None
            if position is not None and len(node.args) > position:
                flag(node.args[position], f"opcode of {name}")
            for keyword in node.keywords:
                if name in COUNTING:
                    break
                if keyword.arg in OPCODE_KEYWORDS:
                    flag(keyword.value, f"{keyword.arg}= of {name}")
            if name in ("append", "extend", "insert") and node.args:
                pair = node.args[-1]
                if isinstance(pair, ast.Tuple) and pair.elts:
                    flag(pair.elts[0], "an (opcode, argument) pair")
            for one, other in _asserted_pairs(node):
                if "opcode" in _identifier(one).lower():
                    flag(other, "asserted as an opcode")
                if "opcode" in _identifier(other).lower():
                    flag(one, "asserted as an opcode")
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_names_operation(_identifier(target)) for target in targets):
                flag(node.value, "a constant named after an operation")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(value, ast.Name | ast.Attribute):
                    flag(key, "a handler bound to an opcode")
    return found


def opcode_numbers(source: str) -> list[tuple[int, str]]:
    """(line, why) for each opcode used as a number in ``source``."""
    return [(node.lineno, why) for node, why in opcode_literals(source)]


def hand_built_answers(source: str) -> list[int]:
    """Lines that build a returnError or reject APDU themselves instead of asking
    :func:`ecsta.wire.apdu.return_error` / :func:`ecsta.wire.apdu.reject` for one."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and _identifier(node.func) in ("ReturnError", "Reject")
    ]


def _outside_wire() -> Iterator[tuple[str, str]]:
    """The modules of ecsta/ outside wire/."""
    for path in sorted((ROOT / "ecsta").rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[1] != "wire":
            yield str(relative), path.read_text(encoding="utf-8")


def _benches_and_tests() -> Iterator[tuple[str, str]]:
    for folder in ("bench", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


class OpcodeNumbersTests(unittest.TestCase):
    def test_no_opcode_number_outside_wire(self) -> None:
        """Every module of ecsta/ outside wire/, of bench/ and of tests/ names its opcodes."""
        offences = [
            f"{name}:{line}: {why}"
            for name, source in [*_outside_wire(), *_benches_and_tests()]
            for line, why in opcode_numbers(source)
        ]
        self.assertEqual(offences, [])

    def test_the_scan_finds_each_shape(self) -> None:
        """The shapes opcodes were written in before they had names are each caught, so that
        the scan above can fail."""
        shapes = [
            "MONITOR_STOP = 73",
            "CDR_REPORT = 361",
            "REQUEST_SYSTEM_STATUS = 210",
            "SWITCHING_FUNCTION_DEVICES_CHANGED = 213",
            "if invoke.opcode == 73: pass",
            "if peek.opcode in (361, 343): pass",
            "apdu.Invoke(0, 51, argument)",
            "apdu.ReturnResult(invoke_id, 211, None)",
            "protocol.tell(343, value)",
            "lookup(21)",
            'OwnedService("cdr", start=363, stop=364, report=361, xref_field="x")',
            "self._after_answer.append((51, reply))",
            "handlers = {71: self._monitor_start}",
            "self._after_answer.append((205, segment))",
            "app.invoke(71, argument)",
            "self.assertEqual(collected.opcode, 343)",
            "self.assertEqual((collected.opcode, collected.argument), (343, {}))",
        ]
        for shape in shapes:
            self.assertNotEqual(opcode_numbers(shape), [], shape)

    def test_other_numbers_pass(self) -> None:
        """Numbers that are not opcodes where they stand are not flagged."""
        innocent = [
            "AUTHENTICATION_FAILURE = 13",
            "REJECTED_PERMANENT = 1",
            "MAX_ROTATED_FILES = 10",
            "if request.code == 204: pass",
            "apdu.ReturnError(invoke_id, 1, failure)",
            "apdu.Invoke(1, Opcode.snapshotDevice, argument)",
            "REFUSALS = {14: 'a login is required', 1: 'refused'}",
            "for n, item in enumerate(items, start=1): pass",
            "invoke(1, code, encoded)",
            "self.assertEqual((pdu.invoke_id, pdu.opcode), (71, Opcode.monitorStart))",
        ]
        for shape in innocent:
            self.assertEqual(opcode_numbers(shape), [], shape)

    def test_every_opcode_has_one_operation(self) -> None:
        self.assertEqual(sorted(op.code for op in BY_NAME.values()), sorted(Opcode))
        for opcode in Opcode:
            self.assertEqual(BY_NAME[opcode.name].code, opcode)


class AnswersBuiltByApduTests(unittest.TestCase):
    def test_no_hand_built_error_or_reject_outside_wire(self) -> None:
        offences = [
            f"{name}:{line}"
            for name, source in _outside_wire()
            for line in hand_built_answers(source)
        ]
        self.assertEqual(offences, [])

    def test_the_scan_finds_a_hand_built_answer(self) -> None:
        self.assertEqual(hand_built_answers("apdu.encode(apdu.ReturnError(5, 1, failure))"), [1])
        self.assertEqual(hand_built_answers("x = 1\nencode(Reject(None, problem))"), [2])
        self.assertEqual(hand_built_answers("apdu.return_error(5, *failure)"), [])


class RespondersTests(unittest.TestCase):
    def test_bound_handlers_are_found_by_opcode(self) -> None:
        responders: Responders[Callable[[Any], Any]] = Responders()

        @responders(Opcode.monitorStart, Opcode.changeMonitorFilter)
        def monitor(argument: Any) -> Any:
            return ("monitor", argument)

        self.assertIs(responders.get(Opcode.monitorStart), monitor)
        self.assertIs(responders.get(72), monitor)  # a peeked opcode is a plain int
        self.assertIsNone(responders.get(Opcode.monitorStop))
        self.assertIsNone(responders.get(None))
        self.assertEqual(monitor(1), ("monitor", 1))  # the handler is left as it is

    def test_an_operation_bound_twice_is_refused(self) -> None:
        responders: Responders[Callable[[Any], Any]] = Responders()

        @responders(Opcode.monitorStop)
        def first(argument: Any) -> None:
            pass

        def second(argument: Any) -> None:
            pass

        with self.assertRaises(ValueError) as caught:
            responders(Opcode.escape, Opcode.monitorStop)(second)
        self.assertEqual(
            str(caught.exception), "monitorStop is answered by first already, not also by second"
        )
        self.assertIs(responders.get(Opcode.monitorStop), first)
        self.assertIsNone(responders.get(Opcode.escape))  # nothing of a refused binding stays
