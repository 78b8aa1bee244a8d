"""Services a PBX gives to one client only: call detail records and data collection.

The first application that starts one owns it; another gets "operation error generic" until the
owner stops it or goes away. Every report the PBX sends for the service (cDRReport, dataCollected)
goes to the owner, and the PBX is answered only with the owner's answer, so that a record the
owner never confirmed stays in the PBX to be sent again.

With the call journal on, the multiplexer runs CDR transmission itself (``keep``): its one
session is started at every association whether or not an application owns the service, an
application that starts it is given that session's identifier, and its stop or its departure
ends only its ownership, never the session.

A service may run in several sessions (data collection on several devices), each with the
cross-reference the PBX gave when it was started. As with monitors, the identifier the owner holds
is stable: when the PBX association is re-established the session is started again and the
PBX's new identifier is mapped to the one the owner knows.

A report reaches its owner once: the digests of the last :data:`CONFIRMED_REPORTS` reports the
owner confirmed are remembered, and when the PBX sends one of them again (the link dropped
between the owner's answer and its relay, so the PBX never heard it) the PBX is answered as the
owner answered, without a second delivery.
"""

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from ecsta.wire.opcodes import Opcode

#: Confirmed reports remembered per service (digest and answer, well under 100 octets each).
CONFIRMED_REPORTS = 4096


@dataclass(frozen=True)
class OwnedService:
    """The operations of one owned service and the argument field that names a session."""

    name: str
    start: Opcode
    stop: Opcode
    report: Opcode
    xref_field: str


CDR = OwnedService(
    "cdr",
    start=Opcode.startCDRTransmission,
    stop=Opcode.stopCDRTransmission,
    report=Opcode.cDRReport,
    xref_field="cdrCrossRefID",
)
DATA_COLLECTION = OwnedService(
    "dataCollection",
    start=Opcode.startDataCollection,
    stop=Opcode.stopDataCollection,
    report=Opcode.dataCollected,
    xref_field="dcollCrossRefID",
)


@dataclass(eq=False)
class Session:
    #: The identifier the owner was given.
    xref: bytes
    #: The PBX's identifier on the current association (None while the PBX is away).
    pbx_xref: bytes | None
    #: The owner's start invoke, sent again after a re-association.
    start_pdu: bytes


class Confirmed:
    """The answers owners gave to recent reports, by the report's digest; bounded."""

    def __init__(self, size: int = CONFIRMED_REPORTS) -> None:
        self.size = size
        self._answers: OrderedDict[bytes, bytes] = OrderedDict()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, digest: bytes) -> bytes | None:
        return self._answers.get(digest)

    def remember(self, digest: bytes, answer: bytes) -> None:
        self._answers[digest] = answer
        self._answers.move_to_end(digest)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)


def report_digest(service: OwnedService, encoded_argument: bytes) -> bytes:
    """What identifies a report across re-associations: its argument with the session's
    cross reference left out (the PBX gives a new one each time)."""
    return hashlib.sha256(service.name.encode() + b"\0" + encoded_argument).digest()


@dataclass(eq=False)
class Ownership:
    service: OwnedService
    owner: Any = None
    #: Starts sent to the PBX and not yet answered.
    starting: int = 0
    sessions: list[Session] = field(default_factory=list)
    reports: int = 0
    #: Reports relayed to the owner whose answer has not come yet.
    pending: int = 0
    #: The multiplexer runs the service for itself: sessions outlive owners.
    keep: bool = False
    #: Reports the owner confirmed, answered again without delivery if the PBX resends them.
    confirmed: Confirmed = field(default_factory=Confirmed)

    def session_for_owner(self, xref: bytes) -> Session | None:
        for session in self.sessions:
            if session.xref == xref:
                return session
        return None

    def session_for_pbx(self, pbx_xref: bytes) -> Session | None:
        for session in self.sessions:
            if session.pbx_xref == pbx_xref:
                return session
        return None

    def release(self) -> list[Session]:
        """End the ownership; return the sessions the PBX still runs, to be stopped."""
        self.owner = None
        self.starting = 0
        if self.keep:
            return []
        running = [s for s in self.sessions if s.pbx_xref is not None]
        self.sessions = []
        return running

    def settle(self) -> None:
        """Without a session or a start in flight there is nothing left to own."""
        if not self.sessions and not self.starting:
            self.owner = None
