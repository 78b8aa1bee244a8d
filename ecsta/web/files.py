"""The consoles' static files: read from the installed package once, served by exact name only.

A console's files are the flat contents of ``static/common`` and of its own folder
(``static/mux``, ``static/driver``); the latter wins where both have a file of the same name.
A request names a file or gets a 404: there is no directory, no listing and no path to walk,
so that ``..``, encoded slashes and symbolic links lead nowhere. Only files whose suffix has a
known content type are served; a browser is never left to guess one.

What several pages show alike (the login form) is written once in ``static/pieces``: a page's
line ``<!-- piece: NAME -->`` is replaced, when the files are read, by ``static/pieces/NAME``
indented as that line is. Pieces are not served on their own.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files

from twisted.web.resource import Resource
from twisted.web.server import Request

CONTENT_TYPES: Mapping[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/vnd.microsoft.icon",
}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    content_type: str


_PIECE = re.compile(rb"^([ \t]*)<!-- piece: ([\w.-]+) -->$", re.MULTILINE)


def load(*folders: str) -> dict[str, StaticFile]:
    """The files of ``static/<folder>`` for each folder in turn, by file name."""
    root = files("ecsta.web").joinpath("static")
    table: dict[str, StaticFile] = {}
    for folder in folders:
        for entry in root.joinpath(folder).iterdir():
            suffix = entry.name[entry.name.rfind(".") :] if "." in entry.name else ""
            if entry.is_file() and suffix in CONTENT_TYPES:
                body = entry.read_bytes()
                if suffix == ".html":
                    body = _PIECE.sub(_piece, body)
                table[entry.name] = StaticFile(body, CONTENT_TYPES[suffix])
    return table


def _piece(marker: re.Match[bytes]) -> bytes:
    """The piece a marker line names, each of its lines indented as the marker is."""
    indent, name = marker.groups()
    piece = files("ecsta.web").joinpath("static", "pieces", name.decode()).read_bytes()
    return b"\n".join(indent + line if line else line for line in piece.rstrip().split(b"\n"))


class FileResource(Resource):
    """One static file."""

    isLeaf = True

    def __init__(self, file: StaticFile) -> None:
        super().__init__()
        self.file = file

    def render_GET(self, request: Request) -> bytes:
        request.setHeader("content-type", self.file.content_type)
        # Fetched again on every load, so that an upgrade's pages are never mixed with old ones.
        request.setHeader("cache-control", "no-cache")
        return self.file.body
