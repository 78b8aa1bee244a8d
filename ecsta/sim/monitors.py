"""The switch's monitors: which association watches which device, and which events it wants.

A monitor lives as long as the association that started it, as on a Panasonic PBX: after a
reconnect an application starts its monitors again and gets new crossRefIDs. CrossRefIDs are
never reused while the simulator runs, so an event that arrives late can never be mistaken for
one of a newer monitor.

``MonitorFilter`` (CSTA-status-reporting) is a SEQUENCE of BIT STRINGs, one per event group;
a bit that is set filters that event **out**, and an absent or empty filter lets everything
through. The bit numbers are those of CSTA-application-context-information-csta3, which are not
the tag numbers of the event CHOICE (delivered is tag 4 but bit 3), hence the tables below.
"""

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["FILTER_BITS", "Monitor", "MonitorTable", "filtered_out"]

#: EventSpecificInfo alternative -> (MonitorFilter component, {event name: bit number}).
FILTER_BITS: Mapping[str, tuple[str, Mapping[str, int]]] = MappingProxyType(
    {
        "callControlEvents": (
            "callControl",
            {
                "callCleared": 0,
                "conferenced": 1,
                "connectionCleared": 2,
                "delivered": 3,
                "diverted": 4,
                "established": 5,
                "failed": 6,
                "held": 7,
                "networkReached": 8,
                "originated": 9,
                "queued": 10,
                "retrieved": 11,
                "serviceInitiated": 12,
                "transferred": 13,
                "digitsDialed": 14,
                "bridged": 15,
                "networkCapabilitiesChanged": 16,
                "offered": 17,
            },
        ),
        "callAssociatedEvents": (
            "callAssociated",
            {
                "callInformation": 0,
                "charging": 1,
                "dTMFDigitsDetected": 2,
                "telephonyTonesDetected": 3,
                "serviceCompletionFailure": 4,
            },
        ),
        "mediaAttachmentEvents": ("mediaAttachment", {"mediaAttached": 0, "mediaDetached": 1}),
        "physicalDeviceFeatureEvents": (
            "physicalDeviceFeature",
            {
                "buttonInformation": 0,
                "buttonPress": 1,
                "displayUpdated": 2,
                "hookswitch": 3,
                "lampMode": 4,
                "messageWaiting": 5,
                "microphoneGain": 6,
                "microphoneMute": 7,
                "ringerStatus": 8,
                "speakerMute": 9,
                "speakerVolume": 10,
            },
        ),
        "logicalDeviceFeatureEvents": (
            "logicalDeviceFeature",
            {
                "agentBusy": 0,
                "agentLoggedOn": 1,
                "agentLoggedOff": 2,
                "agentNotReady": 3,
                "agentReady": 4,
                "agentWorkingAfterCall": 5,
                "autoAnswer": 6,
                "autoWorkMode": 7,
                "callBack": 8,
                "callBackMessage": 9,
                "callerIDStatus": 10,
                "doNotDisturb": 11,
                "forwarding": 12,
                "routeingMode": 13,
                "presenceState": 14,
            },
        ),
        "deviceMaintenanceEvents": (
            "maintenance",
            {
                "backInService": 0,
                "outOfService": 1,
                "deviceCapabilityChanged": 2,
                "partiallyInService": 3,
            },
        ),
        "voiceUnitEvents": (
            "voiceUnit",
            {
                "stop": 0,
                "play": 1,
                "suspendPlay": 2,
                "record": 3,
                "suspendRecord": 4,
                "review": 5,
                "voiceAttributesChange": 6,
                "bookmarkReached": 7,
                "completed": 8,
                "dtmfDetected": 9,
                "emptied": 10,
                "interruptionDetected": 11,
                "notRecognized": 12,
                "recognized": 13,
                "started": 14,
                "silenceTimeoutExpired": 15,
                "speechDetected": 16,
                "voiceErrorOccured": 17,
            },
        ),
        "vendorSpecEvents": ("private", {"privateEvent": 0}),
    }
)


def filtered_out(monitor_filter: Mapping[str, Any] | None, group: str, event: str) -> bool:
    """Whether a monitor with this MonitorFilter value does not want the event.

    Events that have no bit (callAssociated's digitsGenerated, for one) cannot be filtered.
    """
    if not monitor_filter:
        return False
    component, bits = FILTER_BITS.get(group, ("", {}))
    bit = bits.get(event)
    value = monitor_filter.get(component)
    if bit is None or value is None:
        return False
    data, nbits = value
    return bit < nbits and bool(data[bit // 8] & (0x80 >> (bit % 8)))


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

    def wants(self, group: str, event: str) -> bool:
        return not filtered_out(self.monitor_filter, group, event)


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
