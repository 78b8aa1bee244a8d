"""The journal's tables in SQLite and PostgreSQL, and the steps that bring a database up to date.

The database says which schema it holds in ``journal_version``; :func:`migrate` applies the
steps it lacks, in one transaction, and refuses a database written by a newer ecsta rather than
guess at its tables. Functions here take a DB-API cursor and do blocking I/O: they run in the
adbapi pool's threads, or in the ``ecsta journal`` command, never on the reactor thread.
"""

from dataclasses import dataclass
from typing import Any


class SchemaError(Exception):
    """The database holds a schema this program cannot use; the message says why."""


@dataclass(frozen=True)
class Dialect:
    """What differs between the two databases: parameter style and a few column types."""

    name: str
    param: str
    serial: str
    real: str
    blob: str

    def sql(self, statement: str) -> str:
        """``statement`` written with ``?`` placeholders and ``{serial}``-style types."""
        text = statement.format(serial=self.serial, real=self.real, blob=self.blob)
        return text.replace("?", self.param)


SQLITE = Dialect("sqlite", "?", "INTEGER PRIMARY KEY", "REAL", "BLOB")
POSTGRES = Dialect("postgres", "%s", "BIGSERIAL PRIMARY KEY", "DOUBLE PRECISION", "BYTEA")

#: Each step takes the schema from the version before it to its own number.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE calls (
            id {serial},
            key TEXT NOT NULL UNIQUE,
            start_time TEXT,
            end_time TEXT,
            duration {real},
            calling TEXT,
            called TEXT,
            line TEXT,
            charged TEXT,
            condition INTEGER,
            account TEXT,
            units INTEGER,
            billing TEXT,
            reason TEXT,
            created TEXT,
            stored_at {real} NOT NULL,
            raw {blob} NOT NULL
        )""",
        "CREATE INDEX calls_end_time ON calls (end_time)",
        "CREATE INDEX calls_calling ON calls (calling)",
        "CREATE INDEX calls_called ON calls (called)",
        "CREATE INDEX calls_stored_at ON calls (stored_at)",
    ),
    # When the application that owned CDR confirmed the record (NULL: it did not, or there was
    # none): a record the PBX sends again after a restart is then not delivered again.
    2: ("ALTER TABLE calls ADD COLUMN owner_confirmed {real}",),
}
SCHEMA_VERSION = max(MIGRATIONS)


def current_version(cursor: Any, dialect: Dialect) -> int:
    cursor.execute(
        dialect.sql("CREATE TABLE IF NOT EXISTS journal_version (version INTEGER NOT NULL)")
    )
    cursor.execute("SELECT version FROM journal_version")
    row = cursor.fetchone()
    return int(row[0]) if row is not None else 0


def migrate(cursor: Any, dialect: Dialect) -> int:
    """Bring the schema up to :data:`SCHEMA_VERSION`; return the version found before."""
    found = current_version(cursor, dialect)
    if found > SCHEMA_VERSION:
        raise SchemaError(
            f"the journal database has schema version {found}, written by a newer ecsta; "
            f"this one knows versions up to {SCHEMA_VERSION}"
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[version]:
            cursor.execute(dialect.sql(statement))
    if found == 0:
        cursor.execute(
            dialect.sql("INSERT INTO journal_version (version) VALUES (?)"), (SCHEMA_VERSION,)
        )
    elif found < SCHEMA_VERSION:
        cursor.execute(dialect.sql("UPDATE journal_version SET version = ?"), (SCHEMA_VERSION,))
    return found
