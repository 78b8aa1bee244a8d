"""The journal's database on ``twisted.enterprise.adbapi``: batched durable writes, searches.

Every call into the database runs in the pool's threads; the reactor thread only queues work and
gets Deferreds. Writes are batched: while one transaction is being committed, the records that
arrive wait, and the next transaction takes all of them (up to ``max_batch``), so a burst of
records costs one commit (one fsync) per batch rather than one per record. Only one write
transaction runs at a time; reads run beside it.

SQLite runs in WAL mode with ``synchronous=FULL``: a commit has reached the disk when it
returns, and readers (the API, ``ecsta journal export``, a backup) never block the writer.
PostgreSQL is reached through psycopg with a DSN; a connection that broke is replaced on the
next use (adbapi's reconnect), so storing resumes by itself when the server is back.
"""

import os
import sqlite3
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from twisted.enterprise import adbapi
from twisted.internet import defer
from twisted.internet.defer import Deferred

from ecsta.journal import queries, schema
from ecsta.journal.record import CallRecord
from ecsta.journal.schema import POSTGRES, SQLITE, Dialect

T = TypeVar("T")

#: Records one write transaction takes at most.
MAX_BATCH = 500
#: Connections (and threads) a pool opens at most: one writer and a few readers.
MAX_CONNECTIONS = 3


@dataclass
class _Waiting:
    records: Sequence[CallRecord]
    done: "Deferred[list[bool]]" = field(default_factory=Deferred)


def _sqlite_open(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=10000")


def open_pool(reactor: Any, path: str, dsn: str) -> tuple[adbapi.ConnectionPool, Dialect]:
    """A pool for the PostgreSQL ``dsn`` if one is given, else for the SQLite file ``path``.

    Nothing is connected yet: adbapi connects in its threads on first use.
    """
    if dsn:
        pool = adbapi.ConnectionPool(
            "psycopg",
            dsn,
            cp_min=1,
            cp_max=MAX_CONNECTIONS,
            cp_reconnect=True,
            cp_good_sql="SELECT 1",
            cp_reactor=reactor,
            connect_timeout=10,
        )
        return pool, POSTGRES
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    pool = adbapi.ConnectionPool(
        "sqlite3",
        path,
        cp_min=1,
        cp_max=MAX_CONNECTIONS,
        cp_openfun=_sqlite_open,
        cp_reactor=reactor,
        check_same_thread=False,
        timeout=10,
    )
    return pool, SQLITE


def connect_blocking(path: str, dsn: str) -> tuple[Any, Dialect]:
    """A plain DB-API connection, for the command line (which has no reactor to keep free)."""
    if dsn:
        import psycopg

        return psycopg.connect(dsn, connect_timeout=10), POSTGRES
    if not os.path.exists(path):
        raise FileNotFoundError(f"no journal database at {path}")
    connection = sqlite3.connect(path, timeout=10)
    connection.execute("PRAGMA busy_timeout=10000")
    return connection, SQLITE


class JournalStore:
    """Durable storage of call records, keyed so that a record is kept once."""

    def __init__(
        self,
        pool: adbapi.ConnectionPool,
        dialect: Dialect,
        now: Callable[[], float],
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.pool = pool
        self.dialect = dialect
        self.now = now
        self.max_batch = max_batch
        self._waiting: deque[_Waiting] = deque()
        #: Whether a write transaction is in progress: one at a time, batched.
        self._writing = False
        self.commits = 0
        #: Transactions running on the pool's threads.
        self.running = 0
        #: What :meth:`idle` gave out, fired once none is running.
        self._idle: list[Deferred[None]] = []

    def migrate(self) -> "Deferred[int]":
        """Create or update the tables; fires with the schema version found before."""
        return self._transaction(schema.migrate, self.dialect)

    def add(self, records: Sequence[CallRecord]) -> "Deferred[list[bool]]":
        """Store ``records``; fires, once they are committed, with True for each new one."""
        waiting = _Waiting(records)
        self._waiting.append(waiting)
        self._write_next()
        return waiting.done

    @property
    def queued(self) -> int:
        return sum(len(w.records) for w in self._waiting)

    def _write_next(self) -> None:
        if self._writing or not self._waiting:
            return
        batch: list[_Waiting] = []
        size = 0
        while self._waiting and (
            not batch or size + len(self._waiting[0].records) <= self.max_batch
        ):
            waiting = self._waiting.popleft()
            batch.append(waiting)
            size += len(waiting.records)
        records = [record for waiting in batch for record in waiting.records]
        self._writing = True
        self._transaction(queries.insert, self.dialect, records, self.now()).addBoth(
            self._written, batch
        )

    def _written(self, outcome: Any, batch: list[_Waiting]) -> None:
        self._writing = False
        if isinstance(outcome, list):
            self.commits += 1
            position = 0
            for waiting in batch:
                count = len(waiting.records)
                waiting.done.callback(outcome[position : position + count])
                position += count
        else:
            for waiting in batch:
                waiting.done.errback(outcome)
        self._write_next()

    def confirm(self, keys: Sequence[str]) -> "Deferred[None]":
        """Mark the records as confirmed by their owner; fires once that is committed."""
        return self._transaction(queries.confirm, self.dialect, keys, self.now())

    def all_confirmed(self, keys: Sequence[str]) -> "Deferred[bool]":
        return self._transaction(queries.all_confirmed, self.dialect, keys)

    def search(self, query: queries.Query) -> "Deferred[list[dict[str, Any]]]":
        return self._transaction(queries.search, self.dialect, query)

    def last_id(self) -> "Deferred[int]":
        return self._transaction(queries.last_id, self.dialect)

    def forget_before(self, cutoff: float) -> "Deferred[int]":
        return self._transaction(queries.delete_stored_before, self.dialect, cutoff)

    def _transaction(self, work: Callable[..., T], *args: Any) -> "Deferred[T]":
        """``work(cursor, *args)`` in a transaction on one of the pool's threads; counted
        among those :meth:`idle` waits for."""
        self.running += 1
        return self.pool.runInteraction(work, *args).addBoth(self._ended)

    def _ended(self, outcome: T) -> T:
        self.running -= 1
        if not self.running:
            waiting, self._idle = self._idle, []
            for idle in waiting:
                idle.callback(None)
        return outcome

    def idle(self) -> "Deferred[None]":
        """Fires once no transaction runs, whatever their outcomes: the pool's threads are
        joined on :meth:`close`, which would otherwise wait for them on the reactor's thread.
        One begun while others still run (the next batch of records, once one is written) is
        waited for too, not only those running when this was asked."""
        if not self.running:
            return defer.succeed(None)
        self._idle.append(Deferred())
        return self._idle[-1]

    def close(self) -> None:
        self.pool.close()
