"""``GET /api/v1/journal``: the call journal searched over HTTP, as JSON pages or as CSV.

Parameters: ``from`` and ``to`` (``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM[:SS]``, the PBX's
clock; a call belongs to the range in which it ended), ``number`` (calls in which that number
is the calling, called, charged party or the line), ``limit`` and ``offset`` (a JSON page;
``next`` gives the offset of the following one, null on the last page) and ``format=csv`` (every
call found, up to :data:`ecsta.journal.queries.MAX_CSV_ROWS`, as a download). A parameter that
cannot be understood is a 400 naming it; a journal that cannot be read is a 503 with the cause.
"""

import json
from typing import Any

from twisted.python.failure import Failure
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request

from ecsta.journal.export import csv_text
from ecsta.journal.queries import MAX_CSV_ROWS, MAX_LIMIT, QueryError, parse_query
from ecsta.journal.service import Journal


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
        d = self.journal.search(query)

        def found(rows: list[dict[str, Any]]) -> None:
            if as_csv:
                request.setHeader("content-disposition", 'attachment; filename="calls.csv"')
                _send(request, 200, "text/csv; charset=utf-8", csv_text(rows).encode("utf-8"))
                return
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

        def failed(failure: Failure) -> None:
            why = f"the call journal cannot be read: {failure.getErrorMessage()}"
            _json(request, 503, {"error": "journalUnavailable", "message": why})

        d.addCallbacks(found, failed)
        return NOT_DONE_YET
