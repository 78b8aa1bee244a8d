"""Journal rows as CSV, the form spreadsheets and billing programs take."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from ecsta.journal.queries import SHOWN


def csv_text(rows: Iterable[dict[str, Any]], header: bool = True) -> str:
    """A header line (unless a download goes on) and one line per call, every column of
    :data:`SHOWN`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(SHOWN)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else row[name] for name in SHOWN])
    return out.getvalue()
