"""``--capture FILE``: the PBX link of a running service written to a pcap file.

The file is opened before the service connects anywhere (and before twistd gives up root, if
it was started as root), so that a path that cannot be written stops the start at once with a
message naming it, and it is closed when the service stops. Read it with tshark; see
docs/operators.md.
"""

from twisted.application.service import Service
from twisted.logger import Logger

from ecsta.daemon.metrics import PDUCounts
from ecsta.link.capture import Capture

log = Logger()


class CaptureError(Exception):
    """The capture file cannot be written; the message names it."""


class CaptureFile(Service):
    """While running, everything ``pdus`` counts also goes to the pcap file at ``path``."""

    def __init__(self, pdus: PDUCounts, path: str) -> None:
        self.pdus = pdus
        self.path = path
        self.capture: Capture | None = None

    def privilegedStartService(self) -> None:
        try:
            self.capture = Capture.open(self.path)
        except OSError as error:
            raise CaptureError(
                f"cannot write the capture file {self.path}: {error.strerror or error}"
            ) from error
        self.pdus.capture = self.capture
        log.info("capturing the PBX link to {path}", path=self.path)
        super().privilegedStartService()

    def startService(self) -> None:
        if self.capture is None:
            self.privilegedStartService()
        super().startService()

    def stopService(self) -> None:
        super().stopService()
        capture, self.capture = self.capture, None
        if capture is not None:
            if self.pdus.capture is capture:
                self.pdus.capture = None
            capture.close()
