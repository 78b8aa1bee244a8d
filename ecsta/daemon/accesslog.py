"""The web sites of the services log what changes something, or fails, not every poll.

A console open in a browser polls the status every few seconds, and Prometheus scrapes
``/metrics``: an access-log line for each would bury the lines that matter. Reads that succeed
are not logged; every other request is, in the usual combined format.
"""

from twisted.web.http import Request
from twisted.web.server import Site

#: Methods that only read: not logged when they succeed.
READS = (b"GET", b"HEAD")


class QuietSite(Site):
    """A ``Site`` whose access log leaves out successful reads."""

    displayTracebacks = False

    def log(self, request: Request) -> None:
        if request.method in READS and request.code < 400:
            return
        super().log(request)
