"""Call detail records, kept until the application has acknowledged them.

A Panasonic PBX sends one cDRReport per finished call and wants each answered (PROTOCOL.md
section 5).  A record therefore moves pending -> sent -> acknowledged: :meth:`CdrQueue.take`
hands out the oldest pending records and marks them sent, :meth:`CdrQueue.ack` retires one for
good, :meth:`CdrQueue.nack` (an error answer) and :meth:`CdrQueue.resend_all` (the association
was lost with answers outstanding) put records back to be sent again, in their original order.
No record is ever dropped, and none is handed out again once acknowledged.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ecsta.sim.ids import DeviceIDValue

__all__ = ["CONDITION_CODES", "CdrQueue", "CdrRecord"]

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
        """The record as an ECMA-285 CDRInformationItem value.

        connectionDuration is in 100 ms units (an inference from Panasonic logs, PROTOCOL.md
        section 5).  The condition code travels in KME private data, which the encoder adds.
        """
        item: dict[str, Any] = {"recordCreationTime": generalized_time(self.end)}
        if self.calling is not None:
            item["callingDevice"] = ("deviceIdentifier", self.calling)
        if self.called is not None:
            item["calledDevice"] = ("deviceIdentifier", self.called)
        if self.charged is not None:
            item["chargedDevice"] = ("nonOperator", self.charged)
        item["recordedCall"] = ("callID", self.call_id)
        if self.answered is not None:
            item["connectionStart"] = generalized_time(self.answered)
        item["connectionEnd"] = generalized_time(self.end)
        item["connectionDuration"] = round(self.duration * 10)
        return item


class CdrQueue:
    """The records not yet acknowledged, oldest first, each pending or sent."""

    def __init__(self) -> None:
        self._records: dict[int, tuple[CdrRecord, str]] = {}
        self._next_id = 1
        self.acknowledged = 0

    def add(self, **fields: Any) -> CdrRecord:
        record = CdrRecord(record_id=self._next_id, **fields)
        self._next_id += 1
        self._records[record.record_id] = (record, PENDING)
        return record

    def take(self, limit: int) -> list[CdrRecord]:
        """Up to ``limit`` pending records, oldest first, now marked sent."""
        taken: list[CdrRecord] = []
        for record in self.records(PENDING):
            if len(taken) >= limit:
                break
            taken.append(record)
        for record in taken:
            self._records[record.record_id] = (record, SENT)
        return taken

    def ack(self, record_id: int) -> bool:
        """Retire a sent record; False when it is not out awaiting an answer."""
        entry = self._records.get(record_id)
        if entry is None or entry[1] != SENT:
            return False
        del self._records[record_id]
        self.acknowledged += 1
        return True

    def nack(self, record_id: int) -> bool:
        """Put a sent record back to be sent again; False when it is not out."""
        entry = self._records.get(record_id)
        if entry is None or entry[1] != SENT:
            return False
        self._records[record_id] = (entry[0], PENDING)
        return True

    def resend_all(self) -> int:
        """Every sent record becomes pending again (their answers can no longer come)."""
        sent = [rid for rid, (_, state) in self._records.items() if state == SENT]
        for record_id in sent:
            self._records[record_id] = (self._records[record_id][0], PENDING)
        return len(sent)

    def records(self, state: str | None = None) -> Iterator[CdrRecord]:
        for record, record_state in self._records.values():
            if state is None or state == record_state:
                yield record

    @property
    def recorded(self) -> int:
        """Records ever added: once all are acknowledged, this equals :attr:`acknowledged`."""
        return self._next_id - 1

    @property
    def pending(self) -> int:
        return sum(1 for _ in self.records(PENDING))

    @property
    def sent(self) -> int:
        return sum(1 for _ in self.records(SENT))
