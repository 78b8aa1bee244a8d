"""What the journal asks of its database: insert records, find calls, forget old ones.

Each function takes a DB-API cursor and blocks; the service runs them in the adbapi pool's
threads and ``ecsta journal export`` runs them directly. A search is described by a
:class:`Query`, built from what an operator typed by :func:`parse_query`, which names the
parameter at fault when it cannot be understood.
"""

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ecsta.journal.record import CallRecord
from ecsta.journal.schema import Dialect

#: Rows one page of the API holds unless ``limit`` says otherwise, and at most.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: Rows a CSV download holds at most: a spreadsheet's worth.
MAX_CSV_ROWS = 100_000

#: What a record says about its call, under the same name in the table, the API and the CSV.
_DETAILS = (
    "duration",
    "calling",
    "called",
    "line",
    "charged",
    "condition",
    "account",
    "units",
    "billing",
    "reason",
    "created",
)
_STORED = ("key", "start_time", "end_time", *_DETAILS, "stored_at", "raw")
#: Columns shown to people, by their names in the API (the table's names differ for two).
SHOWN = ("id", "start", "end", *_DETAILS, "key", "raw")
_SELECT = f"SELECT id, start_time, end_time, {', '.join(_DETAILS)}, key, raw FROM calls"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
_NUMBER = re.compile(r"^[0-9A-Za-z*#+ ]{1,32}$")


class QueryError(ValueError):
    """A search parameter that cannot be used; the message names it."""


@dataclass(frozen=True)
class Query:
    """Calls that ended in ``[start, stop)`` (PBX clock) and involve ``number``, newest first."""

    start: str | None = None
    stop: str | None = None
    number: str | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    #: Only rows up to this id: pages read one after the other then see the same calls, however
    #: many are stored meanwhile.
    through: int | None = None


def parse_query(params: Mapping[str, str], max_limit: int = MAX_LIMIT) -> Query:
    """A :class:`Query` from ``from``, ``to``, ``number``, ``limit`` and ``offset`` as typed.

    ``from`` and ``to`` take ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM[:SS]``; a bare date as ``to``
    takes in the whole of that day, a time takes in that second.
    """
    start = _moment(params.get("from"), "from", end=False)
    stop = _moment(params.get("to"), "to", end=True)
    number = (params.get("number") or "").strip() or None
    if number is not None and not _NUMBER.match(number):
        raise QueryError(f"number: expected digits (and * # +), got {number!r}")
    limit = _count(params.get("limit"), "limit", DEFAULT_LIMIT, 1, max_limit)
    offset = _count(params.get("offset"), "offset", 0, 0, 10_000_000)
    return Query(start, stop, number, limit, offset)


def _moment(text: str | None, name: str, end: bool) -> str | None:
    if text is None or not text.strip():
        return None
    text = text.strip()
    if _DATE.match(text):
        day = _parse(text, "%Y-%m-%d", name)
        return _stamp(day + timedelta(days=1)) if end else _stamp(day)
    if _MOMENT.match(text):
        text = text.replace("T", " ")
        layout = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
        moment = _parse(text, layout, name)
        if end:
            moment += timedelta(seconds=1) if text.count(":") == 2 else timedelta(minutes=1)
        return _stamp(moment)
    raise QueryError(f"{name}: expected YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS], got {text!r}")


def _parse(text: str, layout: str, name: str) -> datetime:
    try:
        return datetime.strptime(text, layout)
    except ValueError as error:
        raise QueryError(f"{name}: {text!r} is not a date: {error}") from None


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _count(text: str | None, name: str, default: int, low: int, high: int) -> int:
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise QueryError(f"{name}: expected a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise QueryError(f"{name}: expected {low} to {high}, got {value}")
    return value


def insert(cursor: Any, dialect: Dialect, records: Iterable[CallRecord], now: float) -> list[bool]:
    """Insert each record unless its key is there; True for each one that is new."""
    statement = dialect.sql(
        f"INSERT INTO calls ({', '.join(_STORED)}) VALUES ({', '.join('?' * len(_STORED))}) "
        "ON CONFLICT (key) DO NOTHING"
    )
    added = []
    for r in records:
        details = tuple(getattr(r, name) for name in _DETAILS)
        cursor.execute(statement, (r.key, r.start, r.end, *details, now, r.raw))
        added.append(cursor.rowcount == 1)
    return added


def confirm(cursor: Any, dialect: Dialect, keys: Sequence[str], now: float) -> None:
    """Note that the owning application confirmed the records with these keys."""
    statement = dialect.sql("UPDATE calls SET owner_confirmed = ? WHERE key = ?")
    for key in keys:
        cursor.execute(statement, (now, key))


def all_confirmed(cursor: Any, dialect: Dialect, keys: Sequence[str]) -> bool:
    """Whether the owning application confirmed every record with these keys (False for none)."""
    statement = dialect.sql("SELECT 1 FROM calls WHERE key = ? AND owner_confirmed IS NOT NULL")
    for key in keys:
        cursor.execute(statement, (key,))
        if cursor.fetchone() is None:
            return False
    return bool(keys)


def search(cursor: Any, dialect: Dialect, query: Query) -> list[dict[str, Any]]:
    """One page of calls, newest first."""
    where: list[str] = []
    args: list[Any] = []
    if query.start is not None:
        where.append("end_time >= ?")
        args.append(query.start)
    if query.stop is not None:
        where.append("end_time < ?")
        args.append(query.stop)
    if query.number is not None:
        where.append("(calling = ? OR called = ? OR line = ? OR charged = ?)")
        args.extend([query.number] * 4)
    if query.through is not None:
        where.append("id <= ?")
        args.append(query.through)
    statement = _SELECT
    if where:
        statement += " WHERE " + " AND ".join(where)
    statement += " ORDER BY end_time DESC, id DESC LIMIT ? OFFSET ?"
    args.extend([query.limit, query.offset])
    cursor.execute(dialect.sql(statement), args)
    return [_row(row) for row in cursor.fetchall()]


def _row(row: Any) -> dict[str, Any]:
    out = dict(zip(SHOWN, row, strict=True))
    out["raw"] = bytes(out["raw"]).hex()
    return out


def pages(
    cursor: Any, dialect: Dialect, query: Query, page: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every call the query finds (its limit and offset ignored), a page at a time."""
    offset = 0
    while True:
        rows = search(cursor, dialect, replace(query, limit=page, offset=offset))
        yield from rows
        if len(rows) < page:
            return
        offset += page


def last_id(cursor: Any, dialect: Dialect) -> int:
    """The id of the newest row (0 for none): the snapshot a paged download reads up to."""
    cursor.execute("SELECT MAX(id) FROM calls")
    row = cursor.fetchone()
    return int(row[0] or 0)


def delete_stored_before(cursor: Any, dialect: Dialect, cutoff: float) -> int:
    """Forget the calls stored before ``cutoff`` (seconds since the epoch); how many went."""
    cursor.execute(dialect.sql("DELETE FROM calls WHERE stored_at < ?"), (cutoff,))
    return max(0, int(cursor.rowcount))


def oldest_and_count(cursor: Any) -> tuple[str | None, int]:
    cursor.execute("SELECT MIN(end_time), COUNT(*) FROM calls")
    row = cursor.fetchone()
    return row[0], int(row[1])
