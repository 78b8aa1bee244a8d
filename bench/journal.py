"""What the call journal costs: records stored per second, and the wait it adds to each ack.

    python bench/journal.py [--records N] [--postgres DSN]

(a) records per second stored durably into SQLite (WAL, synchronous=FULL: each commit is on the
    disk when it returns), reports arriving as a burst, 200 of them waiting at a time
    (target >= 2,000/s);
(b) the same into PostgreSQL, on the server ``--postgres`` names (or ``ECSTA_TEST_POSTGRES``;
    the benchmark's calls stay in its table ``calls``, tagged with the run's account code);
    without one, a throw-away server is started with ``.ci/postgres`` where it can be, and the
    figure is left out with the reason where it cannot;
(c) the latency the journal adds to a record's acknowledgement to the PBX, p50 and p99: a PBX
    sends one report and waits for its answer, and the service answers only once the record is
    committed, so the added latency is the time from the report's arrival to its commit,
    measured one report at a time as the PBX sends them.

Everything runs in this process through :class:`ecsta.journal.service.Journal`, the code the
services run. Exit status 0 when the SQLite target is met, 1 when not.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator
from typing import Any

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, REPO)

from twisted.internet import defer, reactor  # noqa: E402
from twisted.internet.defer import Deferred, inlineCallbacks  # noqa: E402
from verdict import percentile  # noqa: E402

from ecsta.journal.service import Journal  # noqa: E402
from ecsta.journal.settings import JournalSettings  # noqa: E402
from ecsta.wire import apdu  # noqa: E402
from ecsta.wire.opcodes import Opcode  # noqa: E402

TARGET = 2000.0
WINDOW = 200


#: Tells this run's calls from those of earlier runs in the same database (the account code).
RUN = os.urandom(4).hex().encode()


def report(n: int) -> bytes:
    """A cDRReport as a Panasonic PBX sends it, one distinct call per ``n`` and run."""
    number = {"deviceIdentifier": ("dialingNumber", f"0{n:09d}")}
    end = time.strftime("%Y%m%d%H%M%S", time.gmtime(1_700_000_000 + n))
    item = {
        "recordCreationTime": end,
        "callingDevice": ("deviceIdentifier", {"deviceIdentifier": ("dialingNumber", "101")}),
        "calledDevice": ("deviceIdentifier", number),
        "chargedDevice": ("nonOperator", {"deviceIdentifier": ("dialingNumber", "101")}),
        "connectionEnd": end,
        "connectionDuration": 10 * (n % 600),
        "accountInfo": RUN,
    }
    argument = {"cdrCrossRefID": b"\x00\x00\x00\x01", "numberOfRecordsSent": 1, "cdrInfo": [item]}
    return apdu.encode(apdu.Invoke(n % 32000 + 1, Opcode.cDRReport, argument))


@inlineCallbacks
def opened(settings: JournalSettings, directory: str) -> Generator[Deferred[Any], Any, Journal]:
    journal = Journal(reactor, settings, directory)
    journal.startService()
    while not journal.ready:
        if journal.error is not None:
            raise RuntimeError(journal.error)
        yield journal._opening
    return journal


@inlineCallbacks
def throughput(journal: Journal, first: int, count: int) -> Generator[Deferred[Any], Any, float]:
    pdus = [report(first + n) for n in range(count)]
    window = defer.DeferredSemaphore(WINDOW)
    started = time.perf_counter()
    yield defer.gatherResults([window.run(journal.store_report, pdu) for pdu in pdus])
    elapsed = time.perf_counter() - started
    assert journal.stored >= count, (journal.stored, count)
    return count / elapsed


@inlineCallbacks
def latency(journal: Journal, first: int, count: int) -> Generator[Deferred[Any], Any, list[float]]:
    samples = []
    for n in range(count):
        pdu = report(first + n)
        started = time.perf_counter()
        yield journal.store_report(pdu)
        samples.append(time.perf_counter() - started)
    return samples


@inlineCallbacks
def measure(
    name: str, settings: JournalSettings, records: int
) -> Generator[Deferred[Any], Any, float]:
    directory = tempfile.mkdtemp(prefix="ecsta-bench-journal-")
    try:
        journal = yield opened(settings, directory)
        rate = yield throughput(journal, 0, records)
        samples = yield latency(journal, records, 500)
        assert journal.store is not None
        print(
            f"{name}: {rate:,.0f} records/s stored durably ({records} records, "
            f"{journal.store.commits} commits); added ack latency "
            f"p50 {statistics.median(samples) * 1000:.2f} ms, "
            f"p99 {percentile(samples, 0.99) * 1000:.2f} ms (500 reports one at a time)"
        )
        yield journal.stopService()
        return float(rate)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def postgres(given: str) -> tuple[str, str | None, str]:
    """(DSN, directory of a server started here or None, why there is none)."""
    if given:
        return given, None, ""
    directory = tempfile.mkdtemp(prefix="ecsta-bench-pg-")
    started = subprocess.run(
        ["bash", os.path.join(REPO, ".ci", "postgres"), "start", directory],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        return "", None, started.stderr.strip() or "the server did not start"
    return started.stdout.strip(), directory, ""


@inlineCallbacks
def main(args: argparse.Namespace) -> Generator[Deferred[Any], Any, None]:
    status = 1
    server: str | None = None
    try:
        rate = yield measure("SQLite", JournalSettings(), args.records)
        print(f"  target >= {TARGET:,.0f}/s: {'met' if rate >= TARGET else 'NOT met'}")
        status = 0 if rate >= TARGET else 1
        dsn, server, why = postgres(args.postgres or os.environ.get("ECSTA_TEST_POSTGRES", ""))
        if dsn:
            yield measure("PostgreSQL", JournalSettings(postgres=dsn), args.records)
        else:
            print(f"PostgreSQL: not measured: {why}")
    finally:
        if server is not None:
            subprocess.run(["bash", os.path.join(REPO, ".ci", "postgres"), "stop", server])
        reactor.callLater(0, reactor.stop)
        main.status = status  # type: ignore[attr-defined]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--postgres", default="", help="a PostgreSQL DSN to measure against")
    arguments = parser.parse_args()
    reactor.callWhenRunning(main, arguments)
    reactor.run()
    sys.exit(getattr(main, "status", 1))
