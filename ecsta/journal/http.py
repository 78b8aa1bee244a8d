"""``GET /api/v1/journal``: the call journal searched over HTTP, as JSON pages or as CSV.

Parameters: ``from`` and ``to`` (``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM[:SS]``, the PBX's
clock; a call belongs to the range in which it ended), ``number`` (calls in which that number
is the calling, called, charged party or the line), ``limit`` and ``offset`` (a JSON page;
``next`` gives the offset of the following one, null on the last page) and ``format=csv`` (every
call found, up to :data:`ecsta.journal.queries.MAX_CSV_ROWS`, as a download). A parameter that
cannot be understood is a 400 naming it; a journal that cannot be read is a 503 with the cause.

A download is read and written :data:`CSV_PAGE` calls at a time, the next page only once the
client has taken the last (a slow reader pauses it), so that it holds one page in memory however
many calls it has, and it holds none of the journal's few database connections between pages.
Its pages read up to the newest call stored when it began: calls stored meanwhile neither
appear twice nor push others out of it.
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

from ecsta.journal.export import csv_text
from ecsta.journal.queries import MAX_CSV_ROWS, MAX_LIMIT, Query, QueryError, parse_query
from ecsta.journal.service import Journal

log = Logger()
#: Calls read from the database and written to the client at a time in a CSV download.
CSV_PAGE = 500


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
            _CsvDownload(request, self.journal, query).start()
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

        d.addCallbacks(found, _unavailable, errbackArgs=(request,))
        return NOT_DONE_YET


def _unavailable(failure: Failure, request: Request) -> None:
    why = f"the call journal cannot be read: {failure.getErrorMessage()}"
    _json(request, 503, {"error": "journalUnavailable", "message": why})


@implementer(IPushProducer)
class _CsvDownload:
    """One CSV download, a page at a time (see the module's docstring)."""

    def __init__(self, request: Request, journal: Journal, query: Query) -> None:
        self.request = request
        self.journal = journal
        self.query = query
        self.sent = 0
        self.started = False
        self.paused = False
        self.reading = False
        self.over = False
        request.notifyFinish().addErrback(lambda _: self.stopProducing())

    def start(self) -> None:
        d = self.journal.last_id()
        d.addCallbacks(self._snapshot, _unavailable, errbackArgs=(self.request,))

    def _snapshot(self, through: int) -> None:
        self.query = replace(self.query, through=through)
        self._read()

    def _read(self) -> None:
        if self.paused or self.reading or self.over:
            return
        size = min(CSV_PAGE, self.query.limit - self.sent)
        page = replace(self.query, limit=size, offset=self.query.offset + self.sent)
        self.reading = True
        d = self.journal.search(page)
        d.addCallbacks(self._got, self._failed, callbackArgs=(size,))

    def _got(self, rows: list[dict[str, Any]], size: int) -> None:
        self.reading = False
        if self.over:
            return
        request = self.request
        if not self.started:
            self.started = True
            request.setResponseCode(200)
            request.setHeader("content-type", "text/csv; charset=utf-8")
            request.setHeader("cache-control", "no-store")
            request.setHeader("content-disposition", 'attachment; filename="calls.csv"')
            request.registerProducer(self, True)
        request.write(csv_text(rows, header=self.sent == 0).encode("utf-8"))
        self.sent += len(rows)
        if len(rows) < size or self.sent >= self.query.limit:
            self._end()
            request.finish()
            return
        self._read()

    def _failed(self, failure: Failure) -> None:
        self.reading = False
        if self.over:
            return
        if not self.started:
            self.over = True
            _unavailable(failure, self.request)
            return
        log.warn(
            "a CSV download of the call journal was cut short: {why}",
            why=failure.getErrorMessage(),
        )
        self._end()
        # Unfinished, so that the client sees the download failed rather than a short file.
        transport: Any = self.request.channel.transport
        transport.abortConnection()

    def _end(self) -> None:
        self.over = True
        if self.started:
            self.request.unregisterProducer()

    def pauseProducing(self) -> None:
        self.paused = True

    def resumeProducing(self) -> None:
        self.paused = False
        self._read()

    def stopProducing(self) -> None:
        self.over = True
