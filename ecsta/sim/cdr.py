"""Call detail records, kept until the application has acknowledged them.

A Panasonic PBX sends one cDRReport per finished call and wants each answered (PROTOCOL.md
section 5).  A record therefore moves pending -> sent -> acknowledged: :meth:`CdrQueue.take`
hands out the oldest pending records and marks them sent, :meth:`CdrQueue.ack` retires one for
good, :meth:`CdrQueue.nack` (an error answer) and :meth:`CdrQueue.resend_all` (the association
was lost with answers outstanding) put records back to be sent again, in their original order.
None is handed out again once acknowledged, and an acknowledged record is forgotten (only
counted), so a switch whose records are collected holds none.

The buffer is bounded, as a PBX's is: records pile up while nobody collects them (a simulator
left running without a CDR client records every call), and past ``capacity`` records held the
oldest one not out awaiting an answer is dropped and counted.  Below the capacity none is ever
dropped.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ecsta.sim.ids import DeviceIDValue

__all__ = ["CONDITION_CODES", "DEFAULT_BUFFER", "CdrQueue", "CdrRecord"]

#: Panasonic conditionCode values (KME additional data, PROTOCOL.md section 5).
CONDITION_CODES = {
    "reverseCharging": 0,
    "transfer": 1,
    "forwarding": 2,
    "disaTie": 3,
    "remoteMaintenance": 4,
    "noAnswer": 5,
}

PENDING = "pending"
SENT = "sent"

#: Records a switch holds unacknowledged before it drops the oldest.
DEFAULT_BUFFER = 10000


def generalized_time(seconds: float) -> str:
    """The GeneralizedTime text of an instant, in UTC without a zone suffix, whole seconds."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(seconds))


@dataclass(frozen=True)
class CdrRecord:
    """One finished call.  Times are the switch's clock (seconds since the epoch when the
    simulator runs on wall-clock time); ``answered`` is None for a call nobody answered."""

    record_id: int
    call_id: bytes
    calling: DeviceIDValue | None
    called: DeviceIDValue | None
    charged: DeviceIDValue | None
    start: float
    answered: float | None
    end: float
    condition_code: int | None

    @property
    def duration(self) -> float:
        """Seconds of conversation: from answer to release, 0 for an unanswered call."""
        return 0.0 if self.answered is None else self.end - self.answered

    def information_item(self) -> dict[str, Any]:
        """The record as an ECMA-285 CDRInformationItem value, with the fields a Panasonic PBX
        fills in and no others (PROTOCOL.md section 5).

        Applications built on real PBXs decode the item with a type that lacks the rest of
        ECMA-285's fields, recordedCall and connectionStart among them: one more field and the
        whole report fails to decode, goes unanswered and is sent again for ever.
        connectionDuration is in 100 ms units; the condition code travels in the report's KME
        private data, which the encoder adds.
        """
        item: dict[str, Any] = {"recordCreationTime": generalized_time(self.end)}
        if self.calling is not None:
            item["callingDevice"] = ("deviceIdentifier", self.calling)
        if self.called is not None:
            item["calledDevice"] = ("deviceIdentifier", self.called)
        if self.charged is not None:
            item["chargedDevice"] = ("nonOperator", self.charged)
        item["connectionEnd"] = generalized_time(self.end)
        item["connectionDuration"] = round(self.duration * 10)
        return item


class CdrQueue:
    """The records not yet acknowledged, oldest first, each pending or sent, at most
    ``capacity`` of them.

    Every count is kept as it changes, so reading them costs nothing however many records
    wait.  Pending records are two runs: those put back after being sent (a heap) and those
    never sent (in order); every record ever sent is older than every record never sent, so
    the oldest pending record is always at the head of the one or the other.
    """

    def __init__(self, capacity: int = DEFAULT_BUFFER) -> None:
        if capacity < 1:
            raise ValueError("a CDR buffer holds at least one record")
        self.capacity = capacity
        self._returned: list[tuple[int, CdrRecord]] = []
        self._fresh: deque[CdrRecord] = deque()
        self._sent: dict[int, CdrRecord] = {}
        self._next_id = 1
        self.acknowledged = 0
        #: Records lost because the buffer was full.
        self.dropped = 0

    def add(self, **fields: Any) -> CdrRecord:
        if self.pending + self.sent >= self.capacity:
            self._drop_oldest()
        record = CdrRecord(record_id=self._next_id, **fields)
        self._next_id += 1
        self._fresh.append(record)
        return record

    def _drop_oldest(self) -> None:
        """Make room: the oldest pending record goes, or, when every record held is out
        awaiting its answer, the oldest of those (its answer then finds nothing)."""
        if self._returned:
            heapq.heappop(self._returned)
        elif self._fresh:
            self._fresh.popleft()
        else:
            del self._sent[min(self._sent)]
        self.dropped += 1

    def take(self, limit: int) -> list[CdrRecord]:
        """Up to ``limit`` pending records, oldest first, now marked sent."""
        taken: list[CdrRecord] = []
        while len(taken) < limit and self._returned:
            taken.append(heapq.heappop(self._returned)[1])
        while len(taken) < limit and self._fresh:
            taken.append(self._fresh.popleft())
        for record in taken:
            self._sent[record.record_id] = record
        return taken

    def ack(self, record_id: int) -> bool:
        """Retire a sent record; False when it is not out awaiting an answer."""
        if self._sent.pop(record_id, None) is None:
            return False
        self.acknowledged += 1
        return True

    def nack(self, record_id: int) -> bool:
        """Put a sent record back to be sent again; False when it is not out."""
        record = self._sent.pop(record_id, None)
        if record is None:
            return False
        heapq.heappush(self._returned, (record_id, record))
        return True

    def resend_all(self) -> int:
        """Every sent record becomes pending again (their answers can no longer come)."""
        sent = list(self._sent)
        for record_id in sent:
            self.nack(record_id)
        return len(sent)

    def records(self, state: str | None = None) -> Iterator[CdrRecord]:
        """The records held (``state`` PENDING or SENT for some), oldest first; a full scan,
        for inspection rather than for the switch's own work."""
        held: list[CdrRecord] = []
        if state in (None, PENDING):
            held.extend(record for _, record in self._returned)
            held.extend(self._fresh)
        if state in (None, SENT):
            held.extend(self._sent.values())
        return iter(sorted(held, key=lambda record: record.record_id))

    @property
    def recorded(self) -> int:
        """Records ever added: once all are acknowledged, this equals :attr:`acknowledged`
        plus :attr:`dropped`."""
        return self._next_id - 1

    @property
    def pending(self) -> int:
        return len(self._returned) + len(self._fresh)

    @property
    def sent(self) -> int:
        return len(self._sent)
