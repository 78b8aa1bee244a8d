"""The web sites of the services log what changes something, or fails, not every poll.

A console open in a browser polls the status every few seconds, and Prometheus scrapes
``/metrics``: an access-log line for each would bury the lines that matter. Reads that succeed
are not logged; every other request is, in the usual combined format. Refusals (4xx and 5xx)
are what any client can provoke: at most ``REFUSALS_PER_MINUTE`` of them are written a minute,
and the first line after a minute that had more says how many were left out.
"""

from typing import Any

from twisted.logger import Logger
from twisted.web.http import Request
from twisted.web.server import Site

#: Methods that only read: not logged when they succeed.
READS = (b"GET", b"HEAD")
#: Refused requests written to the access log in one minute, at the most.
REFUSALS_PER_MINUTE = 60

log = Logger()


class QuietSite(Site):
    """A ``Site`` whose access log leaves out successful reads, and refusals past a few a
    minute."""

    displayTracebacks = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._minute = 0.0
        self._refusals = 0
        self._left_out = 0

    def log(self, request: Request) -> None:
        if request.code < 400:
            if request.method not in READS:
                super().log(request)
            return
        now = self.reactor.seconds()
        if now - self._minute >= 60:
            if self._left_out:
                log.warn(
                    "{count} more refused HTTP requests were not written to the access log",
                    count=self._left_out,
                )
            self._minute, self._refusals, self._left_out = now, 0, 0
        self._refusals += 1
        if self._refusals <= REFUSALS_PER_MINUTE:
            super().log(request)
        else:
            self._left_out += 1
