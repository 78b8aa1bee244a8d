"""``GET /api/v1/journal``: the call journal searched over HTTP, as JSON pages or as CSV.

Parameters: ``from`` and ``to`` (``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM[:SS]``, the PBX's
clock; a call belongs to the range in which it ended), ``number`` (calls in which that number
is the calling, called, charged party or the line), ``limit`` and ``offset`` (a JSON page;
``next`` gives the offset of the following one, null on the last page) and ``format=csv`` (every
call found, up to :data:`ecsta.journal.queries.MAX_CSV_ROWS`, as a download). A parameter that
cannot be understood is a 400 naming it; a journal that cannot be read is a 503 with the cause.

A CSV download is read from the database a page at a time and written as it is read, paced by
the client (:class:`CsvDownload` pauses while the connection's buffer is full), so its memory
is one page however many calls it holds. Its pages read up to the newest call stored when it
began: calls stored meanwhile neither appear twice nor push others out of it. It holds one of
the journal's places for reading from before its first byte to its end, so that a flood of
searches can refuse it only before it has begun, with a 503 like theirs.
"""

import json
from dataclasses import replace
from typing import Any

from twisted.internet.interfaces import IPushProducer
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request
from zope.interface import implementer

from ecsta.journal.export import csv_lines
from ecsta.journal.queries import MAX_CSV_ROWS, MAX_LIMIT, Query, QueryError, parse_query
from ecsta.journal.service import Journal, ReadSlot, StorageUnavailable

log = Logger()

#: Rows a CSV download reads from the database at once.
CSV_PAGE = 1000
#: Seconds a CSV download waits for a client that has stopped reading before it gives up.
STALLED = 60.0


def _send(request: Request, status: int, content_type: str, body: bytes) -> None:
    if request.finished or getattr(request, "_disconnected", False):
        return
    request.setResponseCode(status)
    request.setHeader("content-type", content_type)
    request.setHeader("cache-control", "no-store")
    request.write(body)
    request.finish()


def _json(request: Request, status: int, value: Any) -> None:
    _send(request, status, "application/json", json.dumps(value).encode("utf-8"))


class JournalResource(Resource):
    isLeaf = True

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self.journal = journal

    def render_GET(self, request: Request) -> int:
        params = {
            key.decode("utf-8", "replace"): values[0].decode("utf-8", "replace")
            for key, values in (request.args or {}).items()
            if values
        }
        as_csv = params.get("format", "json") == "csv"
        if params.get("format", "json") not in ("json", "csv"):
            _json(request, 400, {"error": "badRequest", "message": "format: json or csv"})
            return NOT_DONE_YET
        try:
            if as_csv:
                params.setdefault("limit", str(MAX_CSV_ROWS))
            query = parse_query(params, MAX_CSV_ROWS if as_csv else MAX_LIMIT)
        except QueryError as error:
            _json(request, 400, {"error": "badRequest", "message": str(error)})
            return NOT_DONE_YET
        if as_csv:
            CsvDownload(self.journal, query, request).start()
            return NOT_DONE_YET
        d = self.journal.search(query)

        def found(rows: list[dict[str, Any]]) -> None:
            full = len(rows) == query.limit
            _json(
                request,
                200,
                {
                    "calls": rows,
                    "offset": query.offset,
                    "limit": query.limit,
                    "next": query.offset + query.limit if full else None,
                    "journal": self.journal.status(),
                },
            )

        d.addCallbacks(found, lambda failure: _unavailable(request, failure))
        return NOT_DONE_YET


def _unavailable(request: Request, failure: Failure) -> None:
    why = f"the call journal cannot be read: {failure.getErrorMessage()}"
    _json(request, 503, {"error": "journalUnavailable", "message": why})


@implementer(IPushProducer)
class CsvDownload:
    """The calls of ``query`` (from its offset, at most its limit) written to ``request`` as
    CSV, one database page at a time, pausing while the client is not reading.

    It holds one of the journal's places for reading from before its first byte to its last
    page, so that once begun it is never refused half-way by the searches of others; a client
    that reads nothing for :data:`STALLED` seconds loses the download, and the place with it.
    """

    def __init__(self, journal: Journal, query: Query, request: Request) -> None:
        self.journal = journal
        self.query = query
        self.request = request
        self.sent = 0
        self._slot: ReadSlot | None = None
        self._paused = False
        self._reading = False
        self._stopped = False
        self._stall: Any = None

    def start(self) -> None:
        try:
            self._slot = self.journal.hold_read(download=True)
        except StorageUnavailable as refused:
            _unavailable(self.request, Failure(refused))
            return
        self.request.notifyFinish().addErrback(lambda _: self.stopProducing())
        self._reading = True
        d = self.journal.last_id(self._slot)
        d.addCallbacks(self._snapshot, self._failed)

    def _snapshot(self, through: int) -> None:
        self._reading = False
        if self._stopped:
            self._release()
            return
        self.query = replace(self.query, through=through)
        self._read()

    def _read(self) -> None:
        if self._paused or self._reading or self._stopped:
            return
        self._reading = True
        wanted = min(CSV_PAGE, self.query.limit - self.sent)
        page = replace(self.query, limit=wanted, offset=self.query.offset + self.sent)
        d = self.journal.search(page, self._slot)
        d.addCallbacks(self._got, self._failed, callbackArgs=(wanted,))

    def _got(self, rows: list[dict[str, Any]], wanted: int) -> None:
        self._reading = False
        if self._stopped:
            self._release()
            return
        request = self.request
        if self.sent == 0:
            request.setResponseCode(200)
            request.setHeader("content-type", "text/csv; charset=utf-8")
            request.setHeader("content-disposition", 'attachment; filename="calls.csv"')
            request.setHeader("cache-control", "no-store")
            request.registerProducer(self, True)
        request.write("".join(csv_lines(rows, header=self.sent == 0)).encode("utf-8"))
        self.sent += len(rows)
        if len(rows) < wanted or self.sent >= self.query.limit:
            self._stopped = True
            self._release()
            request.unregisterProducer()
            request.finish()
            return
        self._read()

    def _failed(self, failure: Failure) -> None:
        self._reading = False
        was_stopped, self._stopped = self._stopped, True
        self._release()
        if was_stopped:
            return
        if self.sent == 0:
            _unavailable(self.request, failure)
            return
        self._cut(failure.getErrorMessage())

    def _cut(self, why: str) -> None:
        """End a download whose status line went out with its first page: with no last chunk,
        the client sees it incomplete. The connection is aborted, not closed after what is
        buffered: a client that reads nothing would never take that, and its connection, held
        with no idle timeout while a response is under way, would stay open for good."""
        log.warn("CSV download cut short after {sent} calls: {why}", sent=self.sent, why=why)
        self.request.unregisterProducer()
        transport: Any = self.request.transport
        transport.abortConnection()

    def _release(self) -> None:
        self._unwatch()
        if self._slot is not None:
            self._slot.release()

    def _unwatch(self) -> None:
        """Forget the stall timer, if one is set (set means not fired yet)."""
        stall, self._stall = self._stall, None
        if stall is not None:
            stall.cancel()

    def _stalled(self) -> None:
        self._stall = None
        self._stopped = True
        if not self._reading:
            self._release()
        self._cut(f"the client read nothing for {STALLED:g} seconds")

    def pauseProducing(self) -> None:
        self._paused = True
        if self._stall is None and not self._stopped:
            self._stall = self.journal.clock.callLater(STALLED, self._stalled)

    def resumeProducing(self) -> None:
        self._paused = False
        self._unwatch()
        self._read()

    def stopProducing(self) -> None:
        """The client has gone (or the download ended): nothing is left to give up on, so the
        stall timer goes at once, even while a page is still being read."""
        self._stopped = True
        self._unwatch()
        if not self._reading:
            self._release()
