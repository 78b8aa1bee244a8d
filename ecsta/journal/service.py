"""The journal as a Twisted service: stores reports, says how it is doing, forgets old calls.

A service that holds the PBX link hands each cDRReport to :meth:`Journal.store` and answers the
PBX only once the Deferred fires: positively when every record of the report is committed (new
or already there), and with an error when it fails, so that the PBX keeps the record and sends
it again. While the database cannot be written, each attempt fails at once with the cause; the
status and the metrics say so (``state`` "failing", the error, the age of the oldest record not
yet stored), and storing resumes by itself with the next report that arrives once the database
is back. A database that cannot be opened at start is tried again every ``retry`` seconds.
"""

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from twisted.application.service import Service
from twisted.internet import defer, task
from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.python.failure import Failure

from ecsta.journal import queries
from ecsta.journal.record import CallRecord, records_from_report
from ecsta.journal.settings import JournalSettings
from ecsta.journal.store import JournalStore, open_pool

log = Logger()

#: Seconds between attempts to open a database that could not be opened.
RETRY = 5.0
#: Seconds between retention sweeps.
SWEEP = 3600.0
#: Records remembered as received and not yet stored (for the age of the oldest).
MAX_UNSTORED = 10_000


class StorageUnavailable(Exception):
    """The journal cannot store records now; the message says why."""


T = TypeVar("T")

#: Searches and CSV downloads run or queued at once (a download holds one place from its first
#: page to its last). Reads share the database pool with the writes of call records; past this
#: a search is refused at once rather than queued, so that no HTTP client can make the pool's
#: queue, and the PBX's wait for its acknowledgements, grow without end.
MAX_READS = 8
#: Of those, how many CSV downloads may hold at once: a client that reads its download slowly
#: (but not so slowly that it is given up) keeps its place as long as it likes, and searches
#: must always find some.
MAX_DOWNLOADS = MAX_READS // 2


class ReadSlot:
    """A place among the journal's ``MAX_READS``, from :meth:`Journal.hold_read` until
    :meth:`release` (once; later calls do nothing)."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()

    def released(self, outcome: T) -> T:
        """Release, and pass ``outcome`` on (a callback for the end of a read)."""
        self.release()
        return outcome


class Journal(Service):
    """One service's call journal."""

    def __init__(
        self, reactor: Any, settings: JournalSettings, state_directory: str, clock: Any = None
    ) -> None:
        self.reactor = reactor
        #: Time and timers; the reactor unless a test gives a ``task.Clock``.
        self.clock = clock if clock is not None else reactor
        self.settings = settings
        self.state_directory = state_directory
        self.where = settings.describe(state_directory)
        self.store: JournalStore | None = None
        self.ready = False
        self.stored = 0
        self.duplicates = 0
        self.errors = 0
        self.swept = 0
        self.error: str | None = None
        self.failing_since: float | None = None
        #: Why the last search failed, None once one succeeds; searches refused as too many.
        self.read_error: str | None = None
        self.reads_refused = 0
        self._reads = 0
        self._downloads = 0
        #: key -> when the record first arrived, for records not stored yet.
        self._unstored: OrderedDict[str, float] = OrderedDict()
        self._opening: Deferred[Any] | None = None
        self._retry: Any = None
        self._sweeper: task.LoopingCall | None = None
        #: The retention sweep in progress, if any.
        self._sweeping: Deferred[int] | None = None

    def now(self) -> float:
        seconds: float = self.clock.seconds()
        return seconds

    # -- life -----------------------------------------------------------------------------------

    def startService(self) -> None:
        super().startService()
        pool, dialect = open_pool(
            self.reactor,
            self.settings.database_path(self.state_directory),
            self.settings.postgres,
        )
        self.store = JournalStore(pool, dialect, self.now)
        log.info("call journal in {where}", where=self.where)
        self._open()
        if self.settings.retention_days > 0:
            self._sweeper = task.LoopingCall(self.sweep)
            self._sweeper.clock = self.clock
            self._sweeper.start(SWEEP, now=False)

    def _open(self) -> None:
        assert self.store is not None
        self._retry = None
        self._opening = self.store.migrate()
        self._opening.addCallbacks(self._opened, self._not_opened)

    def _opened(self, found: int) -> None:
        self._opening = None
        self.ready = True
        self._recovered()
        if self.settings.retention_days > 0:
            self.sweep()

    def _not_opened(self, failure: Failure) -> None:
        self._opening = None
        self._failed(failure)
        if self.running:
            self._retry = self.clock.callLater(RETRY, self._open)

    def stopService(self) -> "Deferred[None]":
        super().stopService()
        if self._sweeper is not None and self._sweeper.running:
            self._sweeper.stop()
        if self._retry is not None and self._retry.active():
            self._retry.cancel()
        store, self.store = self.store, None
        self.ready = False
        if store is None:
            return defer.succeed(None)
        # The pool's threads are joined on close: let what runs in them finish first (a
        # search or a write as much as the opening), so that closing does not wait on the
        # reactor thread. A stop that waits says what for: a query may take long.
        if store.running:
            log.info(
                "call journal ({where}) closes once {count} running transactions end",
                where=self.where,
                count=store.running,
            )
        return store.idle().addBoth(lambda _: store.close())

    # -- storing --------------------------------------------------------------------------------

    def store_report(self, pdu: bytes) -> "Deferred[list[CallRecord]]":
        """Store the records of a cDRReport; fires when all of them are safely kept.

        Fails with :class:`ecsta.journal.record.NotACallRecord` for a report that does not
        decode, and with :class:`StorageUnavailable` when the database cannot take it.
        """
        try:
            records = records_from_report(pdu)
        except ValueError as error:
            return defer.fail(error)
        now = self.now()
        for record in records:
            if record.key not in self._unstored and len(self._unstored) < MAX_UNSTORED:
                self._unstored[record.key] = now
        if not self.ready or self.store is None:
            why = self.error or "the journal database is not open yet"
            return defer.fail(StorageUnavailable(why))
        stored: Deferred[list[CallRecord]] = self.store.add(records).addCallbacks(
            self._added, self._add_failed, callbackArgs=(records,)
        )
        return stored

    def _added(self, added: list[bool], records: list[CallRecord]) -> list[CallRecord]:
        for record, new in zip(records, added, strict=True):
            self._unstored.pop(record.key, None)
            if new:
                self.stored += 1
            else:
                self.duplicates += 1
        self._recovered()
        return records

    def _add_failed(self, failure: Failure) -> Failure:
        self._failed(failure)
        return Failure(StorageUnavailable(self.error))

    def _failed(self, failure: Failure) -> None:
        self.errors += 1
        why = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
        if self.error != why:
            log.error("call journal ({where}) cannot store: {why}", where=self.where, why=why)
        self.error = why
        if self.failing_since is None:
            self.failing_since = self.now()

    def _recovered(self) -> None:
        if self.error is not None:
            log.info("call journal ({where}) stores again", where=self.where)
        self.error = None
        self.failing_since = None

    def oldest_unstored_age(self) -> float:
        """Seconds since the oldest record still waiting to be stored arrived; 0 for none."""
        if not self._unstored:
            return 0.0
        return max(0.0, self.now() - next(iter(self._unstored.values())))

    # -- the owner's confirmation -----------------------------------------------------------------

    def confirm(self, records: Sequence[CallRecord]) -> "Deferred[None]":
        """Keep that the application owning CDR confirmed these (stored) records, before its
        answer is relayed: if the service stops before the PBX hears it, the PBX sends them
        again and :meth:`all_confirmed` says they are not to be delivered a second time."""
        if self.store is None or not self.ready:
            return defer.fail(StorageUnavailable(self.error or "the journal is not open"))
        return self.store.confirm([record.key for record in records])

    def all_confirmed(self, records: Sequence[CallRecord]) -> "Deferred[bool]":
        """Whether the owning application confirmed every one of these records before."""
        if self.store is None or not self.ready:
            return defer.succeed(False)
        return self.store.all_confirmed([record.key for record in records])

    # -- retention ------------------------------------------------------------------------------

    def sweep(self) -> "Deferred[int]":
        """Forget the calls stored more than ``retention_days`` ago; fires with how many."""
        if self.store is None or not self.ready or self.settings.retention_days <= 0:
            return defer.succeed(0)
        cutoff = self.now() - self.settings.retention_days * 86400
        d = self.store.forget_before(cutoff)

        def done(count: int) -> int:
            self.swept += count
            if count:
                log.info("call journal: {count} calls past retention forgotten", count=count)
            return count

        def failed(failure: Failure) -> int:
            log.warn("call journal: retention sweep failed: {why}", why=failure.getErrorMessage())
            return 0

        def over(count: int) -> int:
            self._sweeping = None
            return count

        self._sweeping = d.addCallbacks(done, failed).addBoth(over)
        return self._sweeping

    # -- reading --------------------------------------------------------------------------------

    def hold_read(self, download: bool = False) -> "ReadSlot":
        """One of the ``MAX_READS`` places for reading, held until released: a reader of many
        pages (a CSV ``download``, at most ``MAX_DOWNLOADS`` of them) takes one before it sends
        anything, so that searches coming after cannot refuse it half-way. Raises
        :class:`StorageUnavailable` (counted in ``readsRefused``) when none is free."""
        if self.store is None:
            raise StorageUnavailable("the journal is not running")
        if self._reads >= MAX_READS:
            self.reads_refused += 1
            raise StorageUnavailable(f"{MAX_READS} searches are running already; try again")
        if download and self._downloads >= MAX_DOWNLOADS:
            self.reads_refused += 1
            raise StorageUnavailable(f"{MAX_DOWNLOADS} downloads are running already; try again")
        self._reads += 1
        self._downloads += download
        return ReadSlot(lambda: self._read_ended(download))

    def search(
        self, query: queries.Query, within: "ReadSlot | None" = None
    ) -> "Deferred[list[dict[str, Any]]]":
        """The calls of ``query``: within ``within`` when given, else in a place of its own."""
        return self._read(lambda store: store.search(query), within)

    def last_id(self, within: "ReadSlot | None" = None) -> "Deferred[int]":
        return self._read(lambda store: store.last_id(), within)

    def _read(
        self, run: Callable[[JournalStore], "Deferred[T]"], within: "ReadSlot | None"
    ) -> "Deferred[T]":
        """One bounded read; its failure is logged once per cause and shown in the status."""
        slot = within
        if slot is None:
            try:
                slot = self.hold_read()
            except StorageUnavailable as refused:
                return defer.fail(refused)
        if self.store is None:
            d: Deferred[T] = defer.fail(StorageUnavailable("the journal is not running"))
        else:
            d = run(self.store).addCallbacks(self._read_succeeded, self._read_failed)
        if within is None:
            d.addBoth(slot.released)
        return d

    def _read_ended(self, download: bool) -> None:
        self._reads -= 1
        self._downloads -= download

    def _read_succeeded(self, result: T) -> T:
        if self.read_error is not None:
            log.info("call journal ({where}) can be searched again", where=self.where)
        self.read_error = None
        return result

    def _read_failed(self, failure: Failure) -> Failure:
        why = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
        if self.read_error != why:
            log.error("call journal ({where}) cannot be searched: {why}", where=self.where, why=why)
        self.read_error = why
        return failure

    def status(self) -> dict[str, Any]:
        state = "ok" if self.ready and self.error is None else "failing"
        if not self.ready and self.error is None:
            state = "opening"
        return {
            "database": self.where,
            "state": state,
            "error": self.error,
            "failingSince": self.failing_since,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "readError": self.read_error,
            "readsRefused": self.reads_refused,
            "unstored": len(self._unstored),
            "oldestUnstoredSeconds": round(self.oldest_unstored_age(), 3),
            "retentionDays": self.settings.retention_days,
        }

    def families(self, prefix: str) -> Iterator[Metric]:
        """The journal's Prometheus families, named ``{prefix}_journal_...``."""
        name = f"{prefix}_journal"
        yield GaugeMetricFamily(
            f"{name}_up",
            "1 while call records can be stored, else 0",
            value=1 if self.ready and self.error is None else 0,
        )
        yield CounterMetricFamily(
            f"{name}_records_stored", "Call records stored", value=self.stored
        )
        yield CounterMetricFamily(
            f"{name}_duplicates_ignored",
            "Call records received again and already stored (the PBX resent them)",
            value=self.duplicates,
        )
        yield CounterMetricFamily(
            f"{name}_storage_errors",
            "Attempts to store call records that failed (the PBX keeps those records)",
            value=self.errors,
        )
        yield CounterMetricFamily(
            f"{name}_searches_refused",
            f"Searches and CSV downloads answered 503 because {MAX_READS} were running or "
            f"queued already ({MAX_DOWNLOADS}, for a download)",
            value=self.reads_refused,
        )
        yield GaugeMetricFamily(
            f"{name}_oldest_unacknowledged_seconds",
            "Age of the oldest call record received and not yet stored, so not acknowledged "
            "to the PBX (0: none)",
            value=self.oldest_unstored_age(),
        )
