"""The administration endpoints of the driver API (DESIGN.md, "Driver administration API").

``GET``/``PUT /settings``, ``POST /numberformat/check``, ``POST /sipfilter/check``,
``GET /license``, ``GET /lines/export`` and ``POST /lines/import``, under ``/api/v1`` beside
the driver's own routes, which mount this resource for the paths :func:`serves` names.

A setting that cannot be taken is a 400 naming the field
(``{"error": "invalidSetting", "field": "numberFormat.incoming[2].search", "message": ...}``);
an import with bad lines is a 400 listing every bad line with its line number, and imports
nothing. Export and import speak the text format of the line file (``text/plain``); an import
takes ``?replace=true`` to drop the lines the file does not list. What an import changed is
handed to ``lines_imported`` so that the driver opens and closes the lines at once.
"""

import json
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from twisted.internet.defer import Deferred, maybeDeferred
from twisted.logger import Logger
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request

from ecsta.daemon import jsonbody
from ecsta.driver.admin import Administration
from ecsta.driver.connection import Driver
from ecsta.driver.linestore import (
    ImportFailed,
    ImportResult,
    LineStore,
    LineStoreError,
    merging,
    parse_lines,
)
from ecsta.driver.settingerrors import InvalidSetting

MAX_BODY = 1024 * 1024
log = Logger()
_ROUTES = {
    ("GET", ("settings",)),
    ("PUT", ("settings",)),
    ("POST", ("numberformat", "check")),
    ("POST", ("sipfilter", "check")),
    ("GET", ("license",)),
    ("GET", ("lines", "export")),
    ("POST", ("lines", "import")),
}
_PATHS = {path for _, path in _ROUTES}


def serves(segments: list[str]) -> bool:
    """Whether a path under ``/api/v1`` (as segments) is an administration endpoint."""
    return tuple(segments) in _PATHS


def import_into(driver: Driver, store: LineStore) -> Callable[[ImportResult], None]:
    """What applies an import to the running driver: new lines open, dropped lines close."""

    def apply(result: ImportResult) -> None:
        for number in result.removed:
            line = driver.lines.get(number)
            if line is not None:
                _logged(driver.remove_line(line), f"removing line {number}")
        for number in result.added:
            stored = store.get(number)
            if stored is not None:
                _logged(driver.add_line(number, stored.name), f"adding line {number}")
        for number in result.renamed:
            line, stored = driver.lines.get(number), store.get(number)
            if line is not None and stored is not None:
                line.name = stored.name

    return apply


def _logged(work: Coroutine[Any, Any, Any], what: str) -> None:
    Deferred.fromCoroutine(work).addErrback(lambda failure: log.failure(what, failure))


class _Refused(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message"))
        self.status = status
        self.body = body


class AdminResource(Resource):
    """Answers the administration endpoints; ``allows`` is the API's bearer token check."""

    isLeaf = True

    def __init__(
        self,
        admin: Administration,
        allows: Callable[[Request], bool],
        lines_imported: Callable[[ImportResult], object] | None = None,
    ) -> None:
        super().__init__()
        self.admin = admin
        self.allows = allows
        self.lines_imported = lines_imported

    def render(self, request: Request) -> bytes | int:
        if not self.allows(request):
            request.setHeader("www-authenticate", 'Bearer realm="ecsta-driver"')
            return self._json(
                request,
                401,
                {"error": "unauthorized", "message": "a valid bearer token is required"},
            )
        method = request.method.decode("ascii", "replace")
        segments = tuple(s.decode("utf-8", "replace") for s in request.postpath or [] if s)
        if (method, segments) not in _ROUTES:
            return self._json(
                request,
                405 if segments in _PATHS else 404,
                {"error": "notFound", "message": f"no route {method} /api/v1/{'/'.join(segments)}"},
            )
        if segments == ("lines", "export"):
            request.setResponseCode(200)
            request.setHeader("content-type", "text/plain; charset=utf-8")
            return self.admin.store.export_text().encode("utf-8")
        answer = maybeDeferred(self._handle, method, segments, request)
        answer.addCallbacks(
            lambda value: self._finish(request, 200, value),
            lambda failure: self._finish(request, *self._refusal(failure.value)),
        )
        return NOT_DONE_YET

    def _finish(self, request: Request, status: int, value: Any) -> None:
        if request.finished or getattr(request, "_disconnected", False):
            return
        request.write(self._json(request, status, value))
        request.finish()

    @staticmethod
    def _refusal(error: BaseException) -> tuple[int, Any]:
        if isinstance(error, _Refused):
            return error.status, error.body
        if isinstance(error, InvalidSetting):
            return 400, {"error": "invalidSetting", "field": error.path, "message": str(error)}
        if isinstance(error, OSError):
            # The settings or line file could not be written: nothing was changed.
            return 500, {"error": "storage", "message": f"not saved: {error}"}
        log.error("administration request failed: {error!r}", error=error)
        return 500, {"error": "internal", "message": "internal error"}

    def _handle(self, method: str, segments: tuple[str, ...], request: Request) -> Any:
        admin = self.admin
        match method, segments:
            case "GET", ("settings",):
                return admin.settings.to_document()
            case "PUT", ("settings",):
                updating = admin.update_settings(self._document(request))
                return updating.addCallback(lambda updated: updated.to_document())
            case "POST", ("numberformat", "check"):
                return admin.check_number(self._document(request))
            case "POST", ("sipfilter", "check"):
                return admin.check_sip(self._document(request))
            case "GET", ("license",):
                return admin.licence_status()
        return self._import(request)

    def _import(self, request: Request) -> Deferred[dict[str, Any]]:
        replace = request.args.get(b"replace", [b"false"])[0].lower() in (b"true", b"1", b"yes")
        try:
            text = self._body(request).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _Refused(
                400, {"error": "badLines", "message": "the line list is not UTF-8 text"}
            ) from None
        try:
            merge = merging(parse_lines(text), replace=replace)
        except ImportFailed as failure:
            problems = [{"line": n, "message": reason} for n, reason in failure.problems]
            raise _Refused(
                400, {"error": "badLines", "message": str(failure), "problems": problems}
            ) from None
        except LineStoreError as error:
            raise _Refused(400, {"error": "badLines", "message": str(error)}) from None

        def imported(result: ImportResult) -> dict[str, Any]:
            if self.lines_imported is not None:
                self.lines_imported(result)
            return {
                "added": list(result.added),
                "renamed": list(result.renamed),
                "removed": list(result.removed),
                "lines": len(self.admin.store.lines),
            }

        return self.admin.keep_lines(merge).addCallback(imported)

    @staticmethod
    def _body(request: Request) -> bytes:
        content = request.content.read(MAX_BODY + 1) if request.content is not None else b""
        if len(content) > MAX_BODY:
            raise _Refused(
                413, {"error": "tooLarge", "message": f"the body exceeds {MAX_BODY} bytes"}
            )
        return bytes(content)

    def _document(self, request: Request) -> Mapping[str, Any]:
        try:
            document = jsonbody.loads(self._body(request) or b"{}")
        except jsonbody.BodyError as error:
            raise _Refused(
                400, {"error": "badJson", "message": f"the body is not JSON: {error}"}
            ) from None
        if not isinstance(document, dict):
            raise _Refused(400, {"error": "badJson", "message": "the body must be a JSON object"})
        return document

    @staticmethod
    def _json(request: Request, status: int, value: Any) -> bytes:
        request.setResponseCode(status)
        request.setHeader("content-type", "application/json")
        return json.dumps(value, separators=(",", ":")).encode("utf-8")
