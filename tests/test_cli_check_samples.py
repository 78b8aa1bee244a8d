"""``ecsta check`` knows every key of the sample files in etc/, those shown commented out
included, and names the key of each one given a wrong value or misspelt, in one line."""

import copy
import glob
import io
import json
import os
import re
import tomllib
from collections.abc import Iterator
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.cli import main

ETC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "etc")
SAMPLES = sorted(glob.glob(os.path.join(ETC, "*.toml")))

#: A value of another type than the sample's, for each type a sample value has.
WRONG: dict[type, Any] = {bool: "maybe", int: "many", float: "many", str: 12345, list: 7, dict: "x"}

#: What the commented-out examples name that this host does not have: a placeholder hash, and
#: the simulator's file where it would be installed.
EXAMPLE_ONLY = re.compile(
    r"^(users\.crm: not base64|(instances\[0\]\.)?sim\.config: .*cannot read)"
)

#: The keys that describe the single instance, which [[instances]] replaces (as the sample says).
ONE_INSTANCE = {"pbx": ("endpoint", "user", "password", "capture"), "lines": ("numbers", "names")}

Path = tuple[str | int, ...]


def toml(value: Any) -> str:
    """A parsed TOML value written back, every table inline."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml(item) for item in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + " }"


def dumps(document: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(key)} = {toml(value)}\n" for key, value in document.items())


def tables(node: dict[str, Any], path: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every table of a document, arrays of tables entry by entry."""
    yield path, node
    for key, value in node.items():
        if isinstance(value, dict):
            yield from tables(value, (*path, key))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for index, entry in enumerate(value):
                yield from tables(entry, (*path, key, index))


def leaves(document: dict[str, Any]) -> Iterator[tuple[Path, Any]]:
    """Every key holding a value (a table with keys is gone into instead)."""
    for path, table in tables(document):
        for key, value in table.items():
            is_table = isinstance(value, dict) and value
            is_array = isinstance(value, list) and value and isinstance(value[0], dict)
            if not is_table and not is_array:
                yield (*path, key), value


def at(document: dict[str, Any], path: Path) -> Any:
    for key in path:
        document = document[key]  # type: ignore[index]
    return document


_HEADER = re.compile(r"^\[\[?[A-Za-z_.-]+\]\]?$")
_KEY = re.compile(r'^[A-Za-z_"][^=]*=')


def commented_out(text: str) -> dict[str, Any]:
    """The keys a sample shows commented out (``# key = value``), under their tables."""
    lines: list[str] = []
    header, written = "", ""
    for line in text.splitlines():
        stripped = line.strip()
        body = stripped[2:].strip() if stripped.startswith("# ") else None
        if _HEADER.match(stripped) or (body is not None and _HEADER.match(body)):
            header = body if body is not None else stripped
            continue
        if body is None or not _KEY.match(body):
            continue
        try:
            tomllib.loads(body)
        except tomllib.TOMLDecodeError:
            continue  # prose with an equals sign
        if header != written:
            lines.append(header)
            written = header
        lines.append(body)
    return tomllib.loads("\n".join(lines))


class SampleKeysTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.dir = os.path.abspath(self.mktemp())
        os.makedirs(self.dir)

    def check(self, sample: str, document: dict[str, Any]) -> tuple[int, list[str]]:
        """``ecsta check`` of ``document`` in a file named as the sample is."""
        path = os.path.join(self.dir, os.path.basename(sample))
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(dumps(document))
        out, err = io.StringIO(), io.StringIO()
        code = main(["check", path], out, err)
        self.assertEqual(err.getvalue(), "")
        return code, [line.removeprefix(f"{path}: ") for line in out.getvalue().splitlines()]

    def load(self, sample: str) -> dict[str, Any]:
        with open(sample, "rb") as stream:
            document = tomllib.load(stream)
        self.assertEqual(tomllib.loads(dumps(document)), document)
        return document

    def test_every_sample_passes(self) -> None:
        self.assertEqual(
            sorted(os.path.basename(s) for s in SAMPLES),
            ["driver.toml", "mux.toml", "pbxsim.toml"],
        )
        for sample in SAMPLES:
            out = io.StringIO()
            self.assertEqual(main(["check", sample], out, io.StringIO()), 0, out.getvalue())

    def test_a_wrong_value_for_any_key_is_named_in_one_line(self) -> None:
        for sample in SAMPLES:
            document = self.load(sample)
            for path, value in leaves(document):
                broken = copy.deepcopy(document)
                at(broken, path[:-1])[path[-1]] = WRONG[type(value)]
                code, lines = self.check(sample, broken)
                where = f"{os.path.basename(sample)} {path}"
                self.assertEqual((code, len(lines)), (1, 1), f"{where}: {lines}")
                self.assertIn(str(path[-1]), lines[0], where)
                self.assertTrue(lines[0].startswith(str(path[0])), f"{where}: {lines}")

    def test_a_misspelt_key_in_any_table_is_named_in_one_line(self) -> None:
        for sample in SAMPLES:
            document = self.load(sample)
            for path, _ in list(tables(document)):
                broken = copy.deepcopy(document)
                at(broken, path)["colour"] = 1
                code, lines = self.check(sample, broken)
                where = f"{os.path.basename(sample)} {path}"
                self.assertEqual((code, len(lines)), (1, 1), f"{where}: {lines}")
                self.assertIn("colour", lines[0], where)

    def test_the_keys_shown_commented_out_are_known(self) -> None:
        shown = 0
        for sample in SAMPLES:
            with open(sample, encoding="utf-8") as stream:
                text = stream.read()
            document = tomllib.loads(text)
            for table, keys in commented_out(text).items():
                given = copy.deepcopy(document)
                if isinstance(keys, list):  # [[instances]] replace the single instance
                    given[table] = keys
                    for section, names in ONE_INSTANCE.items():
                        for name in names:
                            given[section].pop(name, None)
                    given["admin"].pop("instance", None)
                else:
                    given.setdefault(table, {}).update(keys)
                shown += len(list(leaves({table: keys})))
                code, lines = self.check(sample, given)
                problems = lines if code else []
                unexpected = [line for line in problems if not EXAMPLE_ONLY.match(line)]
                self.assertEqual(unexpected, [], f"{sample} [{table}]: {lines}")
        self.assertGreater(shown, 20)
