"""Readiness and shutdown notices for systemd (``Type=notify``), without a dependency.

systemd hands a ``Type=notify`` service the address of a unix datagram socket in
``$NOTIFY_SOCKET`` (a path, or ``@name`` in the abstract namespace) and waits for ``READY=1``
before it counts the service as started: units ordered after it, and ``systemctl start``
itself, wait for that. Sending it only once the listeners accept is what makes
``After=ecsta-mux.service`` mean "the mux takes connections". Without ``$NOTIFY_SOCKET`` (run by
hand, under NSSM, in tests) every notice is silently skipped.
"""

import os
import socket
from collections.abc import Mapping
from typing import Any

from twisted.application.service import Service
from twisted.logger import Logger

log = Logger()


def notify(state: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send ``state`` (e.g. ``"READY=1"``) to the service manager; False when there is none."""
    address = (os.environ if environ is None else environ).get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode("utf-8"))
    except OSError as error:
        # The service runs on without a manager that listens; it must not die of it.
        log.warn(
            "cannot notify the service manager at {address}: {error}", address=address, error=error
        )
        return False
    return True


class Readiness(Service):
    """Tells systemd the service is ready once the reactor runs, and that it stops on the way out.

    Make it the last child of the service it speaks for. twistd runs every
    ``privilegedStartService`` (where ecsta's listeners bind and listen) before any
    ``startService``, and starts the children in order, so by the time this one runs with the
    reactor every port of the process accepts connections.
    """

    def __init__(self, reactor: Any, environ: Mapping[str, str] | None = None) -> None:
        self.reactor = reactor
        self.environ = environ

    def startService(self) -> None:
        super().startService()
        self.reactor.callWhenRunning(self._ready)

    def _ready(self) -> None:
        if self.running:
            notify("READY=1", self.environ)

    def stopService(self) -> None:
        notify("STOPPING=1", self.environ)
        super().stopService()
