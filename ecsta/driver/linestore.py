"""The driver's line devices: which PBX numbers are offered to applications as TAPI lines.

Lines are added by hand (number, optional name), removed, loaded from the PBX, or imported from
a text file with one line device per line: the number, optionally followed by a comma and the
name (``101,Reception``; the name may itself contain commas). Export writes the same format, so
an exported file imports back unchanged, and the store keeps its own file in that format too,
readable and editable with any text editor.

Every change is all or nothing. An import is checked completely before anything is taken, and
every bad line is reported with its line number; a change whose save fails is undone in memory
too, so that what the driver serves is always what is on disk. The file is replaced atomically
(:func:`ecsta.driver.atomicfile.atomic_write`): a crash in the middle of a save loses nothing.
Changes from several processes (the running driver, ``ecsta lines import``) follow one another
under the file's lock, each applied to what the file holds then: none is lost.
"""

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ecsta.driver.atomicfile import atomic_write
from ecsta.driver.filelock import locked
from ecsta.driver.location import ExtensionRange
from ecsta.driver.sipfilter import SipFilter

#: Digits with the * and # of feature codes, optionally international (+); Panasonic numbers
#: are far shorter than this bound, which only keeps nonsense out.
_NUMBER = re.compile(r"\+?[0-9*#]{1,32}")
MAX_NAME_LENGTH = 100
#: Unicode categories that would break the one-line-per-device format or the display.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})


class LineStoreError(ValueError):
    """A change to the lines that cannot be made; nothing was changed."""


class ImportFailed(LineStoreError):
    """A line file with bad lines; ``problems`` holds (line number, reason), in file order."""

    def __init__(self, problems: list[tuple[int, str]], source: str = "import") -> None:
        listed = "; ".join(f"line {number}: {reason}" for number, reason in problems)
        super().__init__(f"{source}: nothing imported, {len(problems)} bad line(s): {listed}")
        self.problems = problems


@dataclass(frozen=True)
class StoredLine:
    """A line device: the PBX number and the name applications show (may be empty)."""

    number: str
    name: str = ""


@dataclass(frozen=True)
class ImportResult:
    """What an import or a load from the PBX changed, as numbers."""

    added: tuple[str, ...] = ()
    renamed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class PbxDevice:
    """A device as the PBX lists it when lines are loaded."""

    number: str
    name: str = ""
    sip: bool = False


def check_line(number: str, name: str) -> str | None:
    """Why this number and name cannot be a line, or None if they can."""
    if not _NUMBER.fullmatch(number):
        return f"{number!r} is not a phone number (digits, * and #, optionally a leading +)"
    if len(name) > MAX_NAME_LENGTH:
        return f"name longer than {MAX_NAME_LENGTH} characters"
    if any(unicodedata.category(character) in _BREAKING for character in name):
        return "name contains control characters or line breaks"
    return None


def parse_lines(text: str, source: str = "import") -> list[StoredLine]:
    """Read the line file format; every bad line is reported at once, with its number."""
    lines: list[StoredLine] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line_number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not raw.strip():
            continue
        number, _, name = (part.strip() for part in raw.partition(","))
        problem = check_line(number, name)
        if problem is None and number in seen:
            problem = f"number {number} already on line {seen[number]}"
        if problem is not None:
            problems.append((line_number, problem))
            continue
        seen[number] = line_number
        lines.append(StoredLine(number, name))
    if problems:
        raise ImportFailed(problems, source)
    return lines


def format_lines(lines: Iterable[StoredLine]) -> str:
    """Write lines in the format :func:`parse_lines` reads."""
    return "".join(
        f"{line.number},{line.name}\n" if line.name else f"{line.number}\n" for line in lines
    )


def takes_device(device: PbxDevice, extension_range: ExtensionRange, sip_filter: SipFilter) -> bool:
    """Whether a listed device becomes a line: a usable number inside the range, not filtered."""
    return (
        check_line(device.number, device.name) is None
        and device.number in extension_range
        and not (device.sip and sip_filter.check(device.name, device.number).filtered)
    )


def lines_from_pbx(
    devices: Iterable[PbxDevice], extension_range: ExtensionRange, sip_filter: SipFilter
) -> list[StoredLine]:
    """The devices the PBX listed that become lines."""
    return [
        StoredLine(device.number, device.name)
        for device in devices
        if takes_device(device, extension_range, sip_filter)
    ]


#: A change to the lines: what the file holds -> (what it is to hold, what to answer).
Edit = Callable[[dict[str, StoredLine]], tuple[dict[str, StoredLine], Any]]


def merging(lines: Iterable[StoredLine], replace: bool = False) -> Edit:
    """The edit of :meth:`LineStore.merge`; ``lines`` are checked now, before any is taken."""
    wanted = list(lines)
    for line in wanted:
        problem = check_line(line.number, line.name)
        if problem is not None:
            raise LineStoreError(problem)

    def merge(current: dict[str, StoredLine]) -> tuple[dict[str, StoredLine], ImportResult]:
        given: dict[str, StoredLine] = {}
        for line in wanted:
            known = current.get(line.number)
            name = line.name or (known.name if known else "")
            given[line.number] = StoredLine(line.number, name)
        merged = {
            number: given.get(number, line)
            for number, line in current.items()
            if not replace or number in given
        }
        for number, line in given.items():
            merged.setdefault(number, line)
        result = ImportResult(
            added=tuple(number for number in given if number not in current),
            renamed=tuple(
                number
                for number, line in given.items()
                if number in current and current[number].name != line.name
            ),
            removed=tuple(number for number in current if number not in merged),
        )
        return merged, result

    return merge


def keeping(lines: Iterable[StoredLine]) -> Edit:
    """Lines the driver created: each is kept unless the file has it already (with the name
    it has there, which may have been typed in by hand)."""
    created = list(lines)

    def keep(current: dict[str, StoredLine]) -> tuple[dict[str, StoredLine], None]:
        kept = dict(current)
        for line in created:
            kept.setdefault(line.number, line)
        return kept, None

    return keep


def dropping(number: str) -> Edit:
    """A line the driver removed: it leaves the file, if the file has it."""

    def drop(current: dict[str, StoredLine]) -> tuple[dict[str, StoredLine], None]:
        return {key: line for key, line in current.items() if key != number}, None

    return drop


class LineStore:
    """The ordered set of lines, kept in a file when given a path.

    Other programs may change the file while the driver runs (``ecsta lines import``): every
    change therefore takes the file's lock (:func:`ecsta.driver.filelock.locked` on
    ``PATH.lock``), reads the file again, applies itself to what it read and saves before it
    lets go, so that no writer ever saves over a change it has not seen.
    """

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._lines: dict[str, StoredLine] = {}
        if path is not None:
            self._lines = self._read(path)

    @property
    def lines(self) -> tuple[StoredLine, ...]:
        return tuple(self._lines.values())

    def get(self, number: str) -> StoredLine | None:
        return self._lines.get(number)

    def add(self, number: str, name: str = "") -> StoredLine:
        """Add one line by hand; a number that is already a line is an error."""
        number, name = number.strip(), name.strip()
        problem = check_line(number, name)
        if problem is not None:
            raise LineStoreError(problem)
        line = StoredLine(number, name)
        with self._latest() as current:
            if number in current:
                raise LineStoreError(f"line {number} already exists")
            self._save({**current, number: line})
        return line

    def remove(self, number: str) -> StoredLine:
        with self._latest() as current:
            if number not in current:
                raise LineStoreError(f"there is no line {number}")
            line = current[number]
            self._save({key: value for key, value in current.items() if key != number})
        return line

    def merge(self, lines: Iterable[StoredLine], replace: bool = False) -> ImportResult:
        """Take new lines and new names; with ``replace``, drop the lines not given.

        A line given without a name keeps the name it has, so that a list without names (or a
        PBX that is not asked for names) never wipes names typed in by hand.
        """
        result: ImportResult = self.edit([merging(lines, replace)])[0]
        return result

    def edit(self, edits: Sequence[Edit]) -> list[Any]:
        """Apply ``edits`` in order to what the file holds, under one lock and with at most one
        save; what each edit returned, in order. Edits asked for together by the driver are
        written together: a thousand lines loaded from the PBX cost one fsync, not a thousand.
        """
        with self._latest() as current:
            lines, results = current, []
            for change in edits:
                lines, result = change(lines)
                results.append(result)
            if lines != current:
                self._save(lines)
        return results

    def import_text(self, text: str, replace: bool = False) -> ImportResult:
        """Import a line file: all of it, or (on any bad line) none of it."""
        return self.merge(parse_lines(text), replace=replace)

    def export_text(self) -> str:
        return format_lines(self._lines.values())

    @contextmanager
    def _latest(self) -> Iterator[dict[str, StoredLine]]:
        """The lines as the file holds them now, locked against other writers meanwhile."""
        if self.path is None:
            yield dict(self._lines)
            return
        with locked(f"{self.path}.lock"):
            self._lines = self._read(self.path)
            yield dict(self._lines)

    @staticmethod
    def _read(path: str) -> dict[str, StoredLine]:
        if not os.path.exists(path):
            return {}
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        return {line.number: line for line in parse_lines(text, source=path)}

    def _save(self, lines: dict[str, StoredLine]) -> None:
        if self.path is not None:
            atomic_write(self.path, format_lines(lines.values()).encode("utf-8"))
        self._lines = lines
