"""Shared device monitors: one PBX monitor per monitored object, many applications on it.

Every application that monitors the same object (a device, or a call) shares one PBX monitor,
started without a filter. Applications are given a crossRefIdentifier that the multiplexer owns,
the same one for every sharer of a monitor: an event is rewritten to it once and the same bytes
go to everyone. That identifier outlives the PBX association: when the PBX comes back the
monitor is started again and the PBX's new identifier is mapped to the old stable one, so that
applications notice nothing but a systemStatus.

Objects are keyed exactly as the application named them: ``dialingNumber "101"`` and the same
station's ``deviceNumber`` are two keys and two PBX monitors (docs/mux.md says why).
"""

import enum
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ecsta.wire.monitorfilter import NO_FILTER, EventKey

#: Width of a multiplexer crossRefIdentifier; Panasonic's own are four octets too.
CROSS_REF_SIZE = 4


def freeze(value: Any) -> Hashable:
    """A hashable, order-independent key for a decoded value (dicts, lists, choices)."""
    if isinstance(value, dict):
        return tuple(sorted((name, freeze(item)) for name, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    return value


class MonitorState(enum.Enum):
    STARTING = "starting"  # the PBX's MonitorStart is in flight
    ACTIVE = "active"  # the PBX monitors it; events flow
    LOST = "lost"  # the PBX association is gone; started again when it returns


@dataclass(eq=False)
class Share:
    """One application's part in a monitor."""

    filter: frozenset[EventKey] = NO_FILTER
    #: The MonitorFilter value the application asked for, echoed in its results (None: none).
    filter_value: Any = None
    #: MonitorStarts this application made on the object and has not stopped.
    count: int = 1


@dataclass(eq=False)
class Waiter:
    """An application's MonitorStart waiting for the PBX's answer to the shared one."""

    app: Any
    invoke_id: int | None
    filter: frozenset[EventKey]
    filter_value: Any


@dataclass(eq=False)
class Monitor:
    key: Hashable
    xref: bytes
    #: The MonitorStart argument the PBX gets (the first requester's, without its filter).
    argument: dict[str, Any]
    state: MonitorState = MonitorState.STARTING
    #: A MonitorStart for it is queued or in flight; its answer settles the monitor, wanted or not.
    start_in_flight: bool = False
    pbx_xref: bytes | None = None
    #: The PBX's MonitorStartResult, the template of every sharer's result.
    result: dict[str, Any] | None = None
    sharers: dict[Any, Share] = field(default_factory=dict)
    waiting: list[Waiter] = field(default_factory=list)
    events: int = 0
    _recipients: dict[EventKey | None, tuple[Any, ...]] = field(default_factory=dict)

    def recipients(self, event: EventKey | None) -> tuple[Any, ...]:
        """The applications an event goes to: the sharers that did not filter it out."""
        found = self._recipients.get(event)
        if found is None:
            found = tuple(app for app, share in self.sharers.items() if event not in share.filter)
            self._recipients[event] = found
        return found

    def join(self, app: Any, events: frozenset[EventKey], filter_value: Any) -> None:
        share = self.sharers.get(app)
        if share is None:
            self.sharers[app] = Share(events, filter_value)
            self._recipients.clear()
        else:
            share.count += 1
            self.set_filter(app, events, filter_value)

    def set_filter(self, app: Any, events: frozenset[EventKey], filter_value: Any) -> None:
        share = self.sharers[app]
        share.filter = events
        share.filter_value = filter_value
        self._recipients.clear()

    def leave(self, app: Any, everything: bool = False) -> None:
        """Release one share of ``app`` (all of them with ``everything``)."""
        share = self.sharers.get(app)
        if share is None:
            return
        share.count -= 1
        if everything or share.count <= 0:
            del self.sharers[app]
            self._recipients.clear()

    @property
    def wanted(self) -> bool:
        return bool(self.sharers or self.waiting)


class MonitorTable:
    """The monitors, found by object, by stable crossRefIdentifier and by the PBX's one."""

    def __init__(self) -> None:
        self.by_key: dict[Hashable, Monitor] = {}
        self.by_xref: dict[bytes, Monitor] = {}
        self.by_pbx: dict[bytes, Monitor] = {}
        self._next = 1

    def __iter__(self) -> Iterator[Monitor]:
        return iter(list(self.by_key.values()))

    def __len__(self) -> int:
        return len(self.by_key)

    def create(self, key: Hashable, argument: dict[str, Any]) -> Monitor:
        monitor = Monitor(key, self._allocate(), argument)
        self.by_key[key] = monitor
        self.by_xref[monitor.xref] = monitor
        return monitor

    def _allocate(self) -> bytes:
        limit = 1 << (8 * CROSS_REF_SIZE)
        while True:
            candidate = self._next.to_bytes(CROSS_REF_SIZE, "big")
            self._next = self._next + 1 if self._next + 1 < limit else 1
            if candidate not in self.by_xref:
                return candidate

    def bind(self, monitor: Monitor, pbx_xref: bytes, result: dict[str, Any]) -> None:
        """The PBX monitors the object under ``pbx_xref``."""
        if monitor.pbx_xref is not None:
            self.by_pbx.pop(monitor.pbx_xref, None)
        monitor.pbx_xref = pbx_xref
        monitor.result = result
        monitor.state = MonitorState.ACTIVE
        self.by_pbx[pbx_xref] = monitor

    def lose_all(self) -> None:
        """The PBX association ended: every PBX crossRefIdentifier is void."""
        self.by_pbx.clear()
        for monitor in self.by_key.values():
            monitor.pbx_xref = None
            if monitor.state is MonitorState.ACTIVE:
                monitor.state = MonitorState.LOST

    def remove(self, monitor: Monitor) -> None:
        if self.by_key.get(monitor.key) is monitor:
            del self.by_key[monitor.key]
        self.by_xref.pop(monitor.xref, None)
        if monitor.pbx_xref is not None and self.by_pbx.get(monitor.pbx_xref) is monitor:
            del self.by_pbx[monitor.pbx_xref]
