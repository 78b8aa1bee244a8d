"""The switch's monitors: which association watches which device, and which events it wants.

A monitor lives as long as the association that started it, as on a Panasonic PBX: after a
reconnect an application starts its monitors again and gets new crossRefIDs. CrossRefIDs are
never reused while the simulator runs, so an event that arrives late can never be mistaken for
one of a newer monitor.

A monitor's ``MonitorFilter`` (bits set = events filtered **out**) is turned once, when it is
set, into the events it removes (:mod:`ecsta.wire.monitorfilter`).
"""

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ecsta.wire.monitorfilter import NO_FILTER, EventKey, event_key, filtered_events

__all__ = ["Monitor", "MonitorTable"]


@dataclass
class Monitor:
    """One MonitorStart that succeeded.

    ``device`` is the switch's key for the monitored device; ``requested`` is the DeviceID value
    as the application gave it, kept for the control API and for snapshots of the monitor list.
    """

    cross_ref: bytes
    device: Hashable
    requested: Any
    monitor_filter: dict[str, Any] = field(default_factory=dict)
    removed: frozenset[EventKey] = field(init=False, default=NO_FILTER)

    def __post_init__(self) -> None:
        self.set_filter(self.monitor_filter)

    def set_filter(self, monitor_filter: Mapping[str, Any]) -> None:
        self.monitor_filter = dict(monitor_filter)
        self.removed = filtered_events(self.monitor_filter)

    def wants(self, group: str, event: str) -> bool:
        return event_key(group, event) not in self.removed


class MonitorTable:
    """Monitors by crossRefID and by device, with crossRefIDs unique for the table's lifetime."""

    def __init__(self, cross_ref_size: int = 4) -> None:
        self._cross_ref_size = cross_ref_size
        self._next = 1
        self._by_ref: dict[bytes, Monitor] = {}
        self._by_device: dict[Hashable, list[Monitor]] = {}

    def __len__(self) -> int:
        return len(self._by_ref)

    def __iter__(self) -> Iterator[Monitor]:
        return iter(list(self._by_ref.values()))

    def start(
        self, device: Hashable, requested: Any, monitor_filter: Mapping[str, Any] | None = None
    ) -> Monitor:
        cross_ref = self._next.to_bytes(self._cross_ref_size, "big")
        self._next += 1
        monitor = Monitor(cross_ref, device, requested, dict(monitor_filter or {}))
        self._by_ref[cross_ref] = monitor
        self._by_device.setdefault(device, []).append(monitor)
        return monitor

    def get(self, cross_ref: bytes) -> Monitor | None:
        return self._by_ref.get(cross_ref)

    def stop(self, cross_ref: bytes) -> Monitor | None:
        monitor = self._by_ref.pop(cross_ref, None)
        if monitor is not None:
            watchers = self._by_device[monitor.device]
            watchers.remove(monitor)
            if not watchers:
                del self._by_device[monitor.device]
        return monitor

    def stop_device(self, device: Hashable) -> list[Monitor]:
        """End every monitor of a device that left the switch."""
        stopped = list(self._by_device.get(device, ()))
        for monitor in stopped:
            self.stop(monitor.cross_ref)
        return stopped

    def watching(self, device: Hashable) -> list[Monitor]:
        return list(self._by_device.get(device, ()))

    def clear(self) -> None:
        """The association ended: its monitors end with it (the numbering goes on)."""
        self._by_ref.clear()
        self._by_device.clear()
