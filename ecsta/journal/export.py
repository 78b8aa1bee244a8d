"""Journal rows as CSV, the form spreadsheets and billing programs take, a line at a time.

**Formulas.** A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return before one) as a formula, and a caller's number, an account code or a name
is text the PBX took from outside. Such a cell is written with a leading ``'``, which
spreadsheets read as "text" and do not show. The exception is a phone number in international
form, ``+`` followed by digits only (``+4930123456``): it is written as it is, because billing
programs read the CSV too and need the number exactly, and a spreadsheet can do nothing worse
with it than read it as a number. Numbers the journal computes (duration, units, the row id)
are never text and are written as they are.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ecsta.journal.queries import SHOWN

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_INTERNATIONAL = re.compile(r"^\+[0-9]+$")


def cell(value: Any) -> Any:
    """A value as its CSV cell, made inert for spreadsheets (see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if not _INTERNATIONAL.match(value):
            return "'" + value
    return value


def csv_lines(rows: Iterable[dict[str, Any]], header: bool = True) -> Iterator[str]:
    """The header line (unless ``header`` is False), then one line per call, every column of
    :data:`SHOWN`; lines are made as rows come, so a long export is never held whole."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(SHOWN)
        yield _take(out)
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in SHOWN])
        yield _take(out)


def _take(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text
