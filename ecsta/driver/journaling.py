"""The call journal of a driver that holds the PBX link itself (no mux in between).

At each association the driver starts CDR transmission, as the mux does with its journal on;
each cDRReport is stored first and answered after: confirmed once its records are committed,
refused (the PBX keeps the record and sends it again) when they cannot be. A driver that logs
in at a mux leaves the journal to the mux, which holds the PBX link.
"""

from typing import Any

from twisted.logger import Logger
from twisted.python.failure import Failure

from ecsta.journal.record import confirmation, refusal
from ecsta.journal.service import Journal
from ecsta.wire import ber

log = Logger()

START_CDR = "startCDRTransmission"


class CdrJournaling:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.transmitting = False

    def associated(self, proto: Any) -> None:
        """Ask the PBX for CDR on the new association."""
        self.transmitting = False
        d = proto.invoke(START_CDR, {"transferMode": "transferAtEndOfCall"})

        def started(_: Any) -> None:
            self.transmitting = True

        def refused(failure: Failure) -> None:
            log.warn(
                "the PBX did not start CDR transmission, so no calls are journaled: {why}",
                why=failure.getErrorMessage(),
            )

        d.addCallbacks(started, refused)

    def report(self, proto: Any, pdu: bytes, peek: ber.Peek) -> None:
        """A cDRReport: stored, then answered on the association it came on."""

        def answer(_: Any) -> None:
            if not proto.closed:
                proto.send_pdu(confirmation(peek.invoke_id))

        def not_stored(failure: Failure) -> None:
            if not proto.closed:
                proto.send_pdu(refusal(peek.invoke_id))

        self.journal.store_report(pdu).addCallbacks(answer, not_stored)
