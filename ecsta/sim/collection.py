"""Data collection: the digits dialled at a device, handed to the application.

Hotels use it for room status: the maid dials a code at the room phone and the PMS learns it.
While a collection is active on a device the switch passes that device's dialled digits to the
collection instead of routing them, and reports them (ECMA-285 dataCollected) when the
DigitsReportingCriteria are met: ``num_chars`` digits collected (charCountReached), the
``flush_char`` dialled (flushCharReceived; the flush character itself is not reported), or
``timeout`` seconds without a further digit (timeout).  Without criteria every dialling is
reported as it comes, with no dcollCause.  A collection the switch ends itself (its device was
removed) is reported a last time with dcollCause sfTerminated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ecsta.sim.plan import Device
from ecsta.sim.timers import Timer

__all__ = ["Collection", "DataCollected"]


@dataclass(frozen=True)
class DataCollected:
    """A dataCollected request for the application: ``value`` is a DataCollectedArgument."""

    cross_ref: bytes
    value: dict[str, Any]

    @property
    def ends_collection(self) -> bool:
        """Whether this is the last report: the switch ended the collection."""
        return self.value.get("dcollCause") == "sfTerminated"


@dataclass(eq=False)
class Collection:
    cross_ref: bytes
    device: Device
    num_chars: int | None = None
    flush_char: str | None = None
    timeout: float | None = None
    buffer: str = ""
    timer: Timer | None = field(default=None, repr=False)

    @property
    def has_criteria(self) -> bool:
        return self.num_chars is not None or self.flush_char is not None or bool(self.timeout)

    def feed(self, digits: str) -> list[DataCollected]:
        """Take dialled digits; return the reports they complete."""
        reports: list[DataCollected] = []
        for char in digits:
            if char == self.flush_char:
                reports.append(self.report("flushCharReceived"))
                continue
            self.buffer += char
            if self.num_chars is not None and len(self.buffer) >= self.num_chars:
                reports.append(self.report("charCountReached"))
        if not self.has_criteria and self.buffer:
            reports.append(self.report(None))
        return reports

    def report(self, cause: str | None) -> DataCollected:
        value: dict[str, Any] = {
            "dcollCrossRefID": self.cross_ref,
            "digitsData": {"digitsDetected": self.buffer},
        }
        if cause is not None:
            value["dcollCause"] = cause
        self.buffer = ""
        return DataCollected(self.cross_ref, value)
