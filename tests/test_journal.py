"""The call journal: records out of real-PBX-shaped reports, stored once, searched, exported.

The storage tests run twice: against SQLite, and against a real PostgreSQL server when
``ECSTA_TEST_POSTGRES`` names one (``.ci/run`` starts one); without it they are skipped and say
why.
"""

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Callable, Generator
from typing import Any
from unittest import mock
from urllib.parse import urlencode

from twisted.internet import reactor, task
from twisted.internet.defer import Deferred, gatherResults, inlineCallbacks
from twisted.internet.task import Clock
from twisted.trial.unittest import SkipTest, SynchronousTestCase, TestCase
from twisted.web.client import Agent, HTTPConnectionPool, readBody
from twisted.web.server import Site

from ecsta import cli
from ecsta.journal import queries, schema
from ecsta.journal.http import CSV_PAGE, JournalResource
from ecsta.journal.record import NotACallRecord, records_from_report
from ecsta.journal.schema import SCHEMA_VERSION
from ecsta.journal.service import SWEEP, Journal, StorageUnavailable
from ecsta.journal.settings import JournalSettings
from ecsta.journal.store import MAX_CONNECTIONS, connect_blocking
from tests.console_http import Browser, Exchange
from tests.journal_support import Database, item, report

Gen = Generator[Deferred[Any], Any, None]


class RecordTests(SynchronousTestCase):
    def test_a_panasonic_record_is_normalised(self) -> None:
        pdu = report(
            [
                item(
                    "101", "0301234567", "20261206101500", 653, line="501", account=b"4711", units=3
                )
            ],
            condition="callForwarding",
        )
        (record,) = records_from_report(pdu)
        self.assertEqual(record.end, "2026-12-06 10:15:00")
        self.assertEqual(record.duration, 65.3)
        self.assertEqual(record.start, "2026-12-06 10:13:54")
        self.assertEqual(
            (record.calling, record.called, record.charged), ("101", "0301234567", "101")
        )
        self.assertEqual(record.line, "501")
        self.assertEqual(record.condition, 2)
        self.assertEqual(record.account, "4711")
        self.assertEqual(record.units, 3)
        self.assertEqual(record.raw, pdu)

    def test_a_resent_record_keeps_its_key(self) -> None:
        """The PBX resends under another invokeId, on another association's cross reference."""
        first = records_from_report(report([item("101", "102")], 5, b"\x00\x00\x00\x01"))
        again = records_from_report(report([item("101", "102")], 9, b"\x00\x00\x00\x07"))
        self.assertEqual(first[0].key, again[0].key)

    def test_different_calls_and_identical_items_of_one_report_differ(self) -> None:
        base = records_from_report(report([item("101", "102")]))[0].key
        self.assertNotEqual(records_from_report(report([item("101", "103")]))[0].key, base)
        self.assertNotEqual(
            records_from_report(report([item("101", "102", tenths=654)]))[0].key, base
        )
        self.assertNotEqual(
            records_from_report(report([item("101", "102")], condition="noAnswer"))[0].key, base
        )
        twins = records_from_report(report([item("101", "102"), item("101", "102")]))
        self.assertEqual(len({r.key for r in twins}), 2)

    def test_what_is_not_a_report_is_named(self) -> None:
        self.assertRaises(NotACallRecord, records_from_report, b"\xa1\x03\x02\x01\x01")
        with self.assertRaises(NotACallRecord) as caught:
            records_from_report(b"\x30\x00")
        self.assertIn("does not decode", str(caught.exception))


class QueryTests(SynchronousTestCase):
    def test_dates_and_limits(self) -> None:
        query = queries.parse_query({"from": "2026-12-01", "to": "2026-12-06", "limit": "5"})
        self.assertEqual(query.start, "2026-12-01 00:00:00")
        self.assertEqual(query.stop, "2026-12-07 00:00:00")
        self.assertEqual(query.limit, 5)
        query = queries.parse_query({"to": "2026-12-06T10:15"})
        self.assertEqual(query.stop, "2026-12-06 10:16:00")

    def test_bad_parameters_are_named(self) -> None:
        for params, name in (
            ({"from": "yesterday"}, "from"),
            ({"to": "2026-13-01"}, "to"),
            ({"limit": "0"}, "limit"),
            ({"limit": "x"}, "limit"),
            ({"number": "1' OR 1=1"}, "number"),
        ):
            with self.assertRaises(queries.QueryError) as caught:
                queries.parse_query(params)
            self.assertTrue(str(caught.exception).startswith(name + ":"), caught.exception)


def closes_of(journal: Journal) -> list[bool]:
    """A list that grows by one each time the journal's store is closed."""
    store = journal.store
    assert store is not None
    closed: list[bool] = []
    close = store.close
    store.close = lambda: (closed.append(True), close())[1]  # type: ignore[method-assign]
    return closed


class JournalTests:
    """Storage through the service, for one kind of database (set ``kind``)."""

    kind = "sqlite"
    timeout = 60

    def setUp(self) -> None:
        self.db = Database(self.kind)
        self.addCleanup(self.db.drop)  # type: ignore[attr-defined]
        self.clock = Clock()
        self.clock.advance(1_000_000)

    @inlineCallbacks
    def start(self, retention: int = 0) -> Generator[Deferred[Any], Any, Journal]:
        from dataclasses import replace

        settings = replace(self.db.settings, retention_days=retention)
        journal = Journal(reactor, settings, self.db.dir, clock=self.clock)
        journal.startService()
        self.addCleanup(journal.stopService)  # type: ignore[attr-defined]
        while not journal.ready and journal.error is None:
            assert journal._opening is not None
            yield journal._opening
        return journal

    @inlineCallbacks
    def test_records_are_stored_once_in_a_versioned_schema(self) -> Gen:
        journal = yield self.start()
        yield journal.store_report(report([item("101", "102"), item("103", "0301234")], 1))
        yield journal.store_report(report([item("101", "102"), item("103", "0301234")], 2))
        yield journal.store_report(report([item("104", "105")], 3))
        self.assertEqual((journal.stored, journal.duplicates), (3, 2))  # type: ignore[attr-defined]
        rows = self.db.execute("SELECT calling, called FROM calls ORDER BY id")
        self.assertEqual(  # type: ignore[attr-defined]
            [tuple(r) for r in rows], [("101", "102"), ("103", "0301234"), ("104", "105")]
        )
        self.assertEqual(  # type: ignore[attr-defined]
            self.db.execute("SELECT version FROM journal_version"), [(SCHEMA_VERSION,)]
        )

    @inlineCallbacks
    def test_a_burst_is_committed_in_few_batches(self) -> Gen:
        journal = yield self.start()
        burst = [
            journal.store_report(report([item(f"1{n:02d}", f"0301{n:04d}")], n)) for n in range(200)
        ]
        yield gatherResults(burst)
        self.assertEqual(journal.stored, 200)  # type: ignore[attr-defined]
        assert journal.store is not None
        self.assertLess(journal.store.commits, 20)  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_search_by_period_and_number_newest_first(self) -> Gen:
        journal = yield self.start()
        yield journal.store_report(report([item("101", "102", "20261205235959")]))
        yield journal.store_report(report([item("101", "0301234", "20261206080000")]))
        yield journal.store_report(report([item("103", "104", "20261206090000")]))
        yield journal.store_report(report([item("105", "101", "20261207000000")]))
        rows = yield journal.search(queries.parse_query({"from": "2026-12-06", "to": "2026-12-06"}))
        self.assertEqual([r["calling"] for r in rows], ["103", "101"])  # type: ignore[attr-defined]
        rows = yield journal.search(queries.parse_query({"number": "101"}))
        self.assertEqual(  # type: ignore[attr-defined]
            [r["end"] for r in rows],
            ["2026-12-07 00:00:00", "2026-12-06 08:00:00", "2026-12-05 23:59:59"],
        )
        rows = yield journal.search(
            queries.parse_query({"number": "101", "limit": "1", "offset": "1"})
        )
        self.assertEqual([r["called"] for r in rows], ["0301234"])  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_a_failing_database_refuses_and_recovers_by_itself(self) -> Gen:
        journal = yield self.start()
        self.db.execute("ALTER TABLE calls RENAME TO calls_away")
        with self.assertRaises(StorageUnavailable):  # type: ignore[attr-defined]
            yield journal.store_report(report([item("101", "102")]))
        self.clock.advance(30)
        status = journal.status()
        self.assertEqual(status["state"], "failing")  # type: ignore[attr-defined]
        self.assertIn("calls", status["error"])  # type: ignore[attr-defined]
        self.assertEqual(status["oldestUnstoredSeconds"], 30)  # type: ignore[attr-defined]
        metrics = {m.name: m.samples[0].value for m in journal.families("ecsta_test")}
        self.assertEqual(metrics["ecsta_test_journal_up"], 0)  # type: ignore[attr-defined]
        self.assertEqual(metrics["ecsta_test_journal_storage_errors"], 1)  # type: ignore[attr-defined]
        self.assertEqual(  # type: ignore[attr-defined]
            metrics["ecsta_test_journal_oldest_unacknowledged_seconds"], 30
        )
        self.db.execute("ALTER TABLE calls_away RENAME TO calls")
        yield journal.store_report(report([item("101", "102")], 8))
        status = journal.status()
        self.assertEqual(  # type: ignore[attr-defined]
            (status["state"], status["stored"], status["oldestUnstoredSeconds"]), ("ok", 1, 0)
        )

    @inlineCallbacks
    def test_a_search_that_fails_is_logged_once_and_shown_in_the_status(self) -> Gen:
        from tests.logged import logged_lines

        journal = yield self.start()
        get = self.serve(JournalResource(journal))
        logged = logged_lines(self)  # type: ignore[arg-type]
        self.db.execute("ALTER TABLE calls RENAME TO calls_away")
        for _ in range(2):
            status, body = yield get({})
            self.assertEqual(status, 503)  # type: ignore[attr-defined]
            self.assertIn("calls", json.loads(body)["message"])  # type: ignore[attr-defined]
        lines = [line for line in logged if "cannot be searched" in line]
        self.assertEqual(len(lines), 1, logged)  # type: ignore[attr-defined]
        self.assertIn("calls", lines[0])  # type: ignore[attr-defined]
        self.assertIn("calls", journal.status()["readError"])  # type: ignore[attr-defined]
        self.db.execute("ALTER TABLE calls_away RENAME TO calls")
        status, _ = yield get({})
        self.assertEqual((status, journal.status()["readError"]), (200, None))  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_searches_beyond_the_bound_are_refused_not_queued(self) -> Gen:
        from ecsta.journal.service import MAX_READS

        journal = yield self.start()
        running = [journal.search(queries.parse_query({})) for _ in range(MAX_READS)]
        with self.assertRaises(StorageUnavailable) as refused:  # type: ignore[attr-defined]
            yield journal.search(queries.parse_query({}))
        self.assertIn("searches are running already", str(refused.exception))  # type: ignore[attr-defined]
        self.assertEqual(journal.status()["readsRefused"], 1)  # type: ignore[attr-defined]
        metrics = {m.name: m.samples[0].value for m in journal.families("ecsta_test")}
        self.assertEqual(metrics["ecsta_test_journal_searches_refused"], 1)  # type: ignore[attr-defined]
        yield gatherResults(running)
        self.assertEqual((yield journal.search(queries.parse_query({}))), [])  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_retention_forgets_old_calls_in_the_background(self) -> Gen:
        journal = yield self.start(retention=30)
        yield journal._sweeping  # the sweep at start: nothing to forget yet
        yield journal.store_report(report([item("101", "102")]))
        self.clock.advance(29 * 86400)  # the hourly sweep comes round, and keeps the call
        self.assertIsNotNone(journal._sweeping)  # type: ignore[attr-defined]
        yield journal._sweeping
        yield journal.store_report(report([item("103", "104")]))
        self.clock.advance(86400 + 1)  # the first call is now past 30 days
        self.assertIsNotNone(journal._sweeping)  # type: ignore[attr-defined]
        yield journal._sweeping
        rows = self.db.execute("SELECT calling FROM calls")
        self.assertEqual([tuple(r) for r in rows], [("103",)])  # type: ignore[attr-defined]
        self.assertEqual(journal.swept, 1)  # type: ignore[attr-defined]
        self.clock.advance(SWEEP)  # and again an hour later, with nothing more to forget
        yield journal._sweeping
        self.assertEqual(journal.swept, 1)  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_a_first_version_database_gains_the_owners_confirmations(self) -> Gen:
        dialect = schema.POSTGRES if self.kind == "postgres" else schema.SQLITE
        for statement in schema.MIGRATIONS[1]:
            self.db.execute(dialect.sql(statement))
        self.db.execute("CREATE TABLE journal_version (version INTEGER NOT NULL)")
        self.db.execute("INSERT INTO journal_version (version) VALUES (1)")
        journal = yield self.start()
        self.assertEqual(self.db.execute("SELECT version FROM journal_version"), [(2,)])  # type: ignore[attr-defined]
        pdu = report([item("101", "102")])
        records = yield journal.store_report(pdu)
        self.assertFalse((yield journal.all_confirmed(records)))  # type: ignore[attr-defined]
        yield journal.confirm(records)
        self.assertTrue((yield journal.all_confirmed(records)))  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_stopping_waits_for_a_running_search_before_closing(self) -> Gen:
        """Closing joins the pool's threads: a search still running ends first, or the
        reactor's thread would wait for it, unable to answer anyone meanwhile."""
        journal = yield self.start()
        yield journal.store_report(report([item("101", "102")]))
        release = threading.Event()
        search = queries.search

        def slow(*args: Any) -> Any:
            release.wait(10)  # a bound, should the test fail
            return search(*args)

        with mock.patch.object(queries, "search", slow):
            searched = journal.search(queries.parse_query({}))
        closed = closes_of(journal)
        with mock.patch("ecsta.journal.service.log") as logged:
            stopping = journal.stopService()
        self.assertEqual(closed, [])  # type: ignore[attr-defined]
        self.assertEqual(logged.info.call_args.kwargs["count"], 1)  # type: ignore[attr-defined]
        release.set()
        rows = yield searched
        yield stopping
        self.assertEqual(closed, [True])  # type: ignore[attr-defined]
        self.assertEqual([r["calling"] for r in rows], ["101"])  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_stopping_waits_for_a_write_begun_while_a_search_ran(self) -> Gen:
        """Records queued behind a write go to the database as it ends: if a search still runs
        then, that next write runs on the pool's threads beside it, and closing waits for it
        too, not only for what ran when the journal was asked to stop."""
        journal = yield self.start()
        insert, search = queries.insert, queries.search
        writes = [threading.Event(), threading.Event()]
        entered: list[int] = []  # appended to from the pool's threads
        searching = threading.Event()

        def slow_insert(*args: Any) -> Any:
            entered.append(len(entered))
            writes[entered[-1]].wait(10)  # a bound, should the test fail
            return insert(*args)

        def slow_search(*args: Any) -> Any:
            searching.wait(10)
            return search(*args)

        with (
            mock.patch.object(queries, "insert", slow_insert),
            mock.patch.object(queries, "search", slow_search),
        ):
            journal.store_report(report([item("101", "102")]))
            journal.store_report(report([item("103", "104")]))  # queued behind the first
            searched = journal.search(queries.parse_query({}))
            closed = closes_of(journal)
            stopping = journal.stopService()
            writes[0].set()
            yield self.until(lambda: len(entered) == 2, "the second write")
            searching.set()
            yield searched
            self.assertEqual(closed, [])  # type: ignore[attr-defined]  # the second write runs
            writes[1].set()
            yield stopping
        self.assertEqual(closed, [True])  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_a_database_of_a_newer_schema_is_refused(self) -> Gen:
        journal = yield self.start()
        yield journal.stopService()
        self.db.execute(f"UPDATE journal_version SET version = {SCHEMA_VERSION + 1}")
        journal = yield self.start()
        self.assertFalse(journal.ready)  # type: ignore[attr-defined]
        self.assertIn("newer ecsta", journal.status()["error"])  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_api_pages_and_csv(self) -> Gen:
        journal = yield self.start()
        for n in range(3):
            yield journal.store_report(report([item("101", f"20{n}", f"2026120610000{n}")]))
        get = self.serve(JournalResource(journal))
        status, page = yield get({"limit": "2"})
        body = json.loads(page)
        self.assertEqual(status, 200)  # type: ignore[attr-defined]
        self.assertEqual([c["called"] for c in body["calls"]], ["202", "201"])  # type: ignore[attr-defined]
        self.assertEqual(body["next"], 2)  # type: ignore[attr-defined]
        status, text = yield get({"format": "csv", "number": "201"})
        lines = text.decode().splitlines()
        self.assertEqual(  # type: ignore[attr-defined]
            lines[0].split(",")[:6], ["id", "start", "end", "duration", "calling", "called"]
        )
        self.assertEqual(len(lines), 2)  # type: ignore[attr-defined]
        self.assertIn(",101,201,", lines[1])  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_the_api_names_the_parameter_it_cannot_use(self) -> Gen:
        journal = yield self.start()
        get = self.serve(JournalResource(journal))
        for params, named in [
            ({"from": "soon"}, "from:"),
            ({"to": "2026-02-30"}, "to:"),
            ({"limit": "1000000"}, "limit:"),
            ({"limit": "-1"}, "limit:"),
            ({"offset": "x"}, "offset:"),
            ({"number": "=1+2"}, "number:"),
            ({"format": "xls"}, "format:"),
            ({"format": "csv", "limit": "100001"}, "limit:"),
        ]:
            status, body = yield get(params)
            self.assertEqual(status, 400, params)  # type: ignore[attr-defined]
            self.assertTrue(json.loads(body)["message"].startswith(named), body)  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_a_csv_download_is_read_a_page_at_a_time_and_is_inert_in_spreadsheets(self) -> Gen:
        from ecsta.journal import http

        self.patch(http, "CSV_PAGE", 2)  # type: ignore[attr-defined]
        journal = yield self.start()
        callers = ["+4930111", '=HYPERLINK("http://x")', "@SUM(1)", "-2+3", "104", "105", "106"]
        for n, calling in enumerate(callers):
            yield journal.store_report(report([item(calling, "101", f"2026120610000{n}")], n))
        searched: list[queries.Query] = []
        search = journal.search

        def counted(query: queries.Query, within: Any = None) -> Deferred[list[dict[str, Any]]]:
            searched.append(query)
            return search(query, within)

        self.patch(journal, "search", counted)  # type: ignore[attr-defined]
        status, text = yield self.serve(JournalResource(journal))({"format": "csv"})
        self.assertEqual(status, 200)  # type: ignore[attr-defined]
        rows = list(csv.DictReader(io.StringIO(text.decode())))
        self.assertEqual(  # type: ignore[attr-defined]
            [r["calling"] for r in rows],
            ["106", "105", "104", "'-2+3", "'@SUM(1)", '\'=HYPERLINK("http://x")', "+4930111"],
        )
        self.assertEqual([q.limit for q in searched], [2, 2, 2, 2])  # type: ignore[attr-defined]

    def serve(
        self, resource: JournalResource
    ) -> Callable[[dict[str, str]], "Deferred[tuple[int, bytes]]"]:
        """``resource`` on a loopback port; a function that GETs it with the given parameters."""
        port = reactor.listenTCP(0, Site(resource), interface="127.0.0.1")  # type: ignore[arg-type]
        self.addCleanup(port.stopListening)  # type: ignore[attr-defined]
        pool = HTTPConnectionPool(reactor, persistent=False)
        self.addCleanup(pool.closeCachedConnections)  # type: ignore[attr-defined]
        agent = Agent(reactor, pool=pool)

        @inlineCallbacks
        def get(params: dict[str, str]) -> Generator[Deferred[Any], Any, tuple[int, bytes]]:
            address: Any = port.getHost()
            url = f"http://127.0.0.1:{address.port}/?{urlencode(params)}"
            response = yield agent.request(b"GET", url.encode())
            body = yield readBody(response)
            return response.code, body

        return get

    @inlineCallbacks
    def until(self, condition: Any, what: str) -> Gen:
        """Wait, while the journal's threads work, for ``condition``."""
        for _ in range(4000):
            if condition():
                return
            yield task.deferLater(reactor, 0.005, lambda: None)
        raise AssertionError(f"timed out waiting for {what}")

    @inlineCallbacks
    def test_a_csv_download_is_read_a_page_at_a_time_while_the_client_keeps_up(self) -> Gen:
        journal = yield self.start()
        calls = 2 * CSV_PAGE + 7
        for start in range(0, calls, 100):
            items = [
                item(f"1{n:04d}", "200", f"20261206{n // 3600:02d}{n // 60 % 60:02d}{n % 60:02d}")
                for n in range(start, min(start + 100, calls))
            ]
            yield journal.store_report(report(items))
        # Each page the download reads waits until the test lets it through.
        pages: list[tuple[queries.Query, Any, Deferred[list[dict[str, Any]]]]] = []
        search = journal.search

        def held(query: queries.Query, within: Any = None) -> "Deferred[list[dict[str, Any]]]":
            pages.append((query, within, Deferred()))
            return pages[-1][2]

        def release(n: int) -> None:
            query, within, d = pages[n]
            search(query, within).chainDeferred(d)

        journal.search = held
        exchange = _send(JournalResource(journal), {"format": "csv"})
        yield self.until(lambda: len(pages) == 1, "the first page read")
        release(0)
        yield self.until(lambda: len(pages) == 2, "the second page read once the first is sent")
        # The client stops reading: the page being read is sent, and no further one is read.
        channel: Any = exchange.transport.producer
        channel.pauseProducing()
        release(1)
        rows = 1 + 2 * CSV_PAGE
        yield self.until(
            lambda: exchange.transport.value().count(b"\r\n") > rows, "the second page sent"
        )
        self.assertEqual(len(pages), 2)  # type: ignore[attr-defined]
        yield journal.store_report(report([item("19999", "200", "20261207000000")]))
        channel.resumeProducing()
        yield self.until(lambda: len(pages) == 3, "the third page read once the client reads")
        release(2)
        yield _answered(exchange)
        response = exchange.response()
        self.assertEqual(response.status, 200)  # type: ignore[attr-defined]
        lines = response.body.decode().splitlines()
        self.assertEqual(lines[0].split(",")[0], "id")  # type: ignore[attr-defined]
        ids = [line.split(",")[0] for line in lines[1:]]
        # Every call stored when it began, once; the one stored meanwhile is not in it.
        self.assertEqual(len(ids), calls)  # type: ignore[attr-defined]
        self.assertEqual(len(set(ids)), calls)  # type: ignore[attr-defined]
        self.assertNotIn(",19999,", response.body.decode())  # type: ignore[attr-defined]
        self.assertEqual([q.limit for q, _, _ in pages], [CSV_PAGE] * 3)  # type: ignore[attr-defined]

    def held_searches(self, journal: Journal) -> tuple[list[Any], Callable[[], None]]:
        """Make every search of ``journal`` wait in the database: the searches waiting, and a
        function that lets them through."""
        assert journal.store is not None
        search = journal.store.search
        waiting: list[tuple[queries.Query, Deferred[list[dict[str, Any]]]]] = []

        def held(query: queries.Query) -> "Deferred[list[dict[str, Any]]]":
            waiting.append((query, Deferred()))
            return waiting[-1][1]

        def release_all() -> None:
            while waiting:
                query, d = waiting.pop(0)
                search(query).chainDeferred(d)

        self.patch(journal.store, "search", held)  # type: ignore[attr-defined]
        return waiting, release_all

    @inlineCallbacks
    def paused_download(self, calls: int) -> Gen:
        """A journal of ``calls`` calls, read 5 a page, whose searches are held; a CSV download
        of it whose client stopped reading after two pages."""
        from ecsta.journal import http

        self.patch(http, "CSV_PAGE", 5)  # type: ignore[attr-defined]
        journal = yield self.start()
        yield journal.store_report(
            report([item(f"1{n:04d}", "200", f"202612061000{n:02d}") for n in range(calls)])
        )
        waiting, release_all = self.held_searches(journal)
        resource = JournalResource(journal)
        download = _send(resource, {"format": "csv"})
        yield self.until(lambda: len(waiting) == 1, "the first page read")
        release_all()
        yield self.until(lambda: len(waiting) == 1, "the second page read")
        channel: Any = download.transport.producer
        channel.pauseProducing()
        release_all()
        yield self.until(lambda: download.response().body.count(b"\r\n") == 11, "two pages")
        self.assertEqual(waiting, [])  # type: ignore[attr-defined]  # none read while paused
        return journal, resource, download, waiting, release_all

    @inlineCallbacks
    def every_place_free(
        self, resource: JournalResource, waiting: list[Any], release_all: Callable[[], None]
    ) -> Gen:
        """As many searches as the journal has places are all read, and answered."""
        from ecsta.journal.service import MAX_READS

        flood = [_send(resource, {"number": "200"}) for _ in range(MAX_READS)]
        self.assertEqual(len(waiting), MAX_READS)  # type: ignore[attr-defined]
        release_all()
        for exchange in flood:
            yield _answered(exchange)
            self.assertEqual(exchange.response().status, 200)  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_a_csv_download_begun_is_not_refused_by_a_flood_of_searches(self) -> Gen:
        from ecsta.journal.service import MAX_READS

        calls = 23
        journal, resource, download, waiting, release_all = yield self.paused_download(calls)
        # A flood of searches and another download, while every search waits.
        flood = [_send(resource, {"number": "200"}) for _ in range(MAX_READS + 4)]
        late = _send(resource, {"format": "csv"}).response()
        self.assertEqual(late.status, 503)  # type: ignore[attr-defined]
        self.assertIn(b"searches are running already", late.body)  # type: ignore[attr-defined]
        self.assertEqual(len(waiting), MAX_READS - 1)  # type: ignore[attr-defined]
        self.assertEqual(  # type: ignore[attr-defined]
            [e.response().status for e in flood].count(503), 5
        )
        download.transport.producer.resumeProducing()
        while not download.transport.disconnecting:
            release_all()
            yield self.until(
                lambda: waiting or download.transport.disconnecting, "the next page or the end"
            )
        ids = [line.split(",")[0] for line in download.response().body.decode().splitlines()[1:]]
        self.assertEqual((len(ids), len(set(ids))), (calls, calls))  # type: ignore[attr-defined]
        for exchange in flood:
            yield _answered(exchange)
        self.assertEqual(  # type: ignore[attr-defined]
            sorted(e.response().status for e in flood), [200] * (MAX_READS - 1) + [503] * 5
        )
        self.assertEqual(journal.status()["readsRefused"], 6)  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_slow_downloads_never_take_every_place_from_searches(self) -> Gen:
        from ecsta.journal.service import MAX_DOWNLOADS

        journal = yield self.start()
        yield journal.store_report(report([item("10001", "200", "20261206100000")]))
        waiting, release_all = self.held_searches(journal)
        resource = JournalResource(journal)
        downloads = [_send(resource, {"format": "csv"}) for _ in range(MAX_DOWNLOADS)]
        yield self.until(lambda: len(waiting) == MAX_DOWNLOADS, "every download reading")
        late = _send(resource, {"format": "csv"}).response()
        self.assertEqual(late.status, 503)  # type: ignore[attr-defined]
        self.assertIn(b"downloads are running already", late.body)  # type: ignore[attr-defined]
        search = _send(resource, {"number": "200"})
        self.assertEqual(len(waiting), MAX_DOWNLOADS + 1)  # type: ignore[attr-defined]
        release_all()
        yield _answered(search)
        self.assertEqual(search.response().status, 200)  # type: ignore[attr-defined]
        for download in downloads:
            yield self.until(lambda d=download: d.transport.disconnecting, "the download's end")
            self.assertIn(b"10001", download.response().body)  # type: ignore[attr-defined]
        self.assertEqual(journal.status()["readsRefused"], 1)  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_a_download_whose_client_stops_reading_gives_its_place_back(self) -> Gen:
        from ecsta.journal.http import STALLED
        from tests.logged import logged_lines

        logged = logged_lines(self)  # type: ignore[arg-type]
        _journal, resource, download, waiting, release_all = yield self.paused_download(23)
        self.clock.advance(STALLED - 1)
        self.assertFalse(download.transport.disconnecting)  # type: ignore[attr-defined]
        self.clock.advance(1)
        self.assertTrue(download.transport.disconnecting)  # type: ignore[attr-defined]
        self.assertIn(  # type: ignore[attr-defined]
            "CSV download cut short after 10 calls: the client read nothing for 60 seconds",
            logged,
        )
        yield self.every_place_free(resource, waiting, release_all)

    @inlineCallbacks
    def test_a_download_given_up_does_not_wait_for_its_client_to_read_the_rest(self) -> Gen:
        """A client that reads nothing would never take what is buffered for it: its
        connection is aborted, not closed once that is sent, or it would stay open for good."""
        from ecsta.journal.http import STALLED

        _journal, _resource, download, _waiting, _release = yield self.paused_download(23)
        self.clock.advance(STALLED)
        self.assertTrue(download.transport.disconnected)  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_a_client_that_leaves_during_a_slow_page_is_not_given_up_later(self) -> Gen:
        """The client goes while a page is still being read and the download is paused: the
        read ends in silence, however long it takes, and the place comes back with it."""
        from twisted.internet.error import ConnectionDone
        from twisted.python.failure import Failure

        from ecsta.journal.http import STALLED
        from tests.logged import logged_lines

        logged = logged_lines(self)  # type: ignore[arg-type]
        _journal, resource, download, waiting, release_all = yield self.paused_download(23)
        channel: Any = download.transport.producer
        channel.resumeProducing()
        self.assertEqual(len(waiting), 1)  # type: ignore[attr-defined]  # the third page
        channel.pauseProducing()
        channel.connectionLost(Failure(ConnectionDone()))
        self.clock.advance(STALLED)
        page = waiting[0][1]
        release_all()
        yield page
        yield self.every_place_free(resource, waiting, release_all)
        self.assertEqual(  # type: ignore[attr-defined]
            [line for line in logged if "cut short" in line], []
        )

    @inlineCallbacks
    def test_cli_export(self) -> Gen:
        journal = yield self.start()
        yield journal.store_report(report([item("101", "102", "20261206100000")]))
        yield journal.store_report(report([item("103", "104", "20261201100000")]))
        if self.kind == "postgres":
            source = ["--postgres", self.db.dsn]
        else:
            source = ["--database", os.path.join(self.db.dir, "journal.sqlite")]
        out, err = io.StringIO(), io.StringIO()
        status = cli.main(
            ["journal", "export", *source, "--from", "2026-12-06", "--to", "2026-12-06", "--csv"],
            out,
            err,
        )
        self.assertEqual((status, err.getvalue()), (0, ""))  # type: ignore[attr-defined]
        lines = out.getvalue().splitlines()
        self.assertEqual(len(lines), 2)  # type: ignore[attr-defined]
        self.assertIn(",101,102,", lines[1])  # type: ignore[attr-defined]
        out = io.StringIO()
        self.assertEqual(cli.main(["journal", "export", *source], out, err), 0)  # type: ignore[attr-defined]
        self.assertEqual([r["calling"] for r in json.loads(out.getvalue())], ["101", "103"])  # type: ignore[attr-defined]

    @inlineCallbacks
    def test_cli_export_writes_as_it_reads_what_was_there_when_it_began(self) -> Gen:
        journal = yield self.start()
        calls = 1500  # two of the export's pages
        for start in range(0, calls, 100):
            items = [
                item(f"1{n:04d}", "200", f"2026120610{n // 60:02d}{n % 60:02d}")
                for n in range(start, start + 100)
            ]
            yield journal.store_report(report(items))
        yield journal.stopService()
        if self.kind == "postgres":
            source = ["--postgres", self.db.dsn]
        else:
            source = ["--database", os.path.join(self.db.dir, "journal.sqlite")]
        db = self.db

        class Output(io.StringIO):
            """Where the export writes; a call ends (newest of all) while it writes its first."""

            writes = 0

            def write(self, text: str) -> int:
                if self.writes == 1:
                    connection, dialect = connect_blocking(
                        os.path.join(db.dir, "journal.sqlite"), db.dsn
                    )
                    late = records_from_report(report([item("19999", "200", "20261207000000")]))
                    queries.insert(connection.cursor(), dialect, late, 0.0)
                    connection.commit()
                    connection.close()
                self.writes += 1
                return super().write(text)

        out, err = Output(), io.StringIO()
        self.assertEqual(cli.main(["journal", "export", *source, "--csv"], out, err), 0)  # type: ignore[attr-defined]
        self.assertEqual(err.getvalue(), "")  # type: ignore[attr-defined]
        self.assertGreaterEqual(out.writes, 3)  # type: ignore[attr-defined]  # header, page, page
        ids = [line.split(",")[0] for line in out.getvalue().splitlines()[1:]]
        self.assertEqual((len(ids), len(set(ids))), (calls, calls))  # type: ignore[attr-defined]


@inlineCallbacks
def _get(
    resource: JournalResource, args: dict[str, str], status: int = 200
) -> Generator[Deferred[Any], Any, bytes]:
    """The whole answer to a GET, over a real HTTP channel (a download streams through it)."""
    exchange = _send(resource, args)
    yield _answered(exchange)
    response = exchange.response()
    assert response.status == status, (response.status, response.body)
    return response.body


def _send(resource: JournalResource, args: dict[str, str]) -> Exchange:
    return Browser(resource).send("GET", "/?" + urlencode(args))


@inlineCallbacks
def _answered(exchange: Exchange) -> Generator[Deferred[Any], Any, None]:
    """Wait, while the journal's threads work, for the answer to end (HTTP/1.0: the close)."""
    for _ in range(4000):
        if exchange.transport.disconnecting:
            return
        yield task.deferLater(reactor, 0.005, lambda: None)
    raise AssertionError("no complete answer")


class SQLiteJournalTests(JournalTests, TestCase):
    kind = "sqlite"

    @inlineCallbacks
    def test_a_burst_costs_one_durable_commit_per_batch(self) -> Gen:
        """Counted at the database: every COMMIT statement any pool connection runs."""
        from ecsta.journal import store

        statements: list[str] = []
        synchronous: list[int] = []
        opened = store._sqlite_open

        def traced(connection: sqlite3.Connection) -> None:
            opened(connection)
            synchronous.append(connection.execute("PRAGMA synchronous").fetchone()[0])
            connection.set_trace_callback(statements.append)

        self.patch(store, "_sqlite_open", traced)
        journal = yield self.start()
        del statements[:]
        burst = [journal.store_report(report([item(f"1{n:03d}", "0301")], n)) for n in range(1200)]
        yield gatherResults(burst)
        commits = [s for s in statements if s.strip().upper().startswith("COMMIT")]
        # The first report goes alone; the 1199 that arrive meanwhile fill batches of 500.
        self.assertEqual(len(commits), 4)
        self.assertEqual(journal.store.commits, 4)
        self.assertEqual(journal.stored, 1200)
        self.assertEqual(set(synchronous), {2})  # FULL: each commit waits for its fsync

    @inlineCallbacks
    def test_the_file_is_in_wal_mode(self) -> Gen:
        yield self.start()
        self.assertEqual(self.db.execute("PRAGMA journal_mode"), [("wal",)])


class PostgreSQLJournalTests(JournalTests, TestCase):
    kind = "postgres"


CI_POSTGRES = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".ci", "postgres"
)


class PostgreSQLOutageTests(TestCase):
    """A real PostgreSQL server that stops and starts again under a running journal.

    The test starts a server of its own (``.ci/postgres``), so that it can take it away without
    disturbing a server other tests use; it is skipped, with the reason, where none can start.
    """

    timeout = 180

    def setUp(self) -> None:
        parent = tempfile.mkdtemp(prefix="ecsta-pg-")
        self.addCleanup(shutil.rmtree, parent, True)
        os.chmod(parent, 0o755)  # the server may run as the postgres user
        self.parent = parent
        self.server = os.path.join(parent, "server")
        started = self.ci("start")
        if started.returncode != 0:
            raise SkipTest(f"no PostgreSQL server of the test's own: {started.stderr.strip()}")
        self.addCleanup(self.ci, "stop")
        self.dsn = started.stdout.strip()

    def ci(self, action: str) -> "subprocess.CompletedProcess[str]":
        return subprocess.run(
            [CI_POSTGRES, action, self.server], capture_output=True, text=True, timeout=120
        )

    @inlineCallbacks
    def test_storing_resumes_by_itself_when_the_server_comes_back(self) -> Gen:
        settings = JournalSettings(path="unused.sqlite", postgres=self.dsn)
        journal = Journal(reactor, settings, self.parent, clock=Clock())
        journal.startService()
        self.addCleanup(journal.stopService)
        while not journal.ready and journal.error is None:
            assert journal._opening is not None
            yield journal._opening
        yield journal.store_report(report([item("101", "102")], 1))
        self.assertEqual(self.ci("down").returncode, 0)
        with self.assertRaises(StorageUnavailable):
            yield journal.store_report(report([item("103", "104")], 2))
        status = journal.status()
        self.assertEqual((status["state"], status["unstored"]), ("failing", 1))
        metrics = {m.name: m.samples[0].value for m in journal.families("t")}
        self.assertEqual(metrics["t_journal_up"], 0)
        self.assertEqual(self.ci("up").returncode, 0)
        # The PBX sends the record again until it is acknowledged; a connection that broke
        # with the server fails its one next attempt and is replaced, so a few resends do.
        for attempt in range(1, MAX_CONNECTIONS + 2):
            try:
                yield journal.store_report(report([item("103", "104")], 2 + attempt))
                break
            except StorageUnavailable:
                self.assertLessEqual(attempt, MAX_CONNECTIONS)
        status = journal.status()
        self.assertEqual((status["state"], status["stored"], status["unstored"]), ("ok", 2, 0))
        import psycopg

        with psycopg.connect(self.dsn) as connection:
            rows = connection.execute("SELECT calling FROM calls ORDER BY id").fetchall()
        self.assertEqual([r[0] for r in rows], ["101", "103"])
        self.flushLoggedErrors()  # adbapi logs each connection it had to give up
