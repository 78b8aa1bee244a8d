"""MonitorFilter: which events a monitor does not want.

The multiplexer applies each application's filter itself (the PBX monitor it shares is started
without one) and the simulator applies the filter of each monitor it holds. Both turn a filter
once, when it is set, into the set of ``(group, event)`` tag pairs it removes, in the form
:func:`ecsta.wire.ber.peek` reports an event; checking an event is then one set lookup.

The filter's BIT STRINGs (CSTA-application-context-information-csta3) do not number the events as
the EventSpecificInfo CHOICE (CSTA-event-report-definitions) tags them: deviceMaintenance's
outOfService is bit 1 but tag [2], voiceUnit's stop is bit 0 but tag [3]. Both are read here by
name. Two callAssociated events are named differently in the two modules (the choice says
digitsGeneratedEvent and telephonyTonesGeneratedEvent where the filter says dTMFDigitsDetected and
telephonyTonesDetected); they hold the same positions in both and are paired by position.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ecsta.wire.ber import EVENT_GROUPS, EVENT_NAMES

#: An event as peek reports it: (EventSpecificInfo tag number, event tag number).
EventKey = tuple[int, int]

#: MonitorFilter component -> (EventSpecificInfo tag number, {filter bit name: bit number}).
FILTER_BITS: Mapping[str, tuple[int, Mapping[str, int]]] = MappingProxyType(
    {
        "callControl": (
            0,
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
        "callAssociated": (
            1,
            {
                "callInformation": 0,
                "charging": 1,
                "dTMFDigitsDetected": 2,
                "telephonyTonesDetected": 3,
                "serviceCompletionFailure": 4,
            },
        ),
        "mediaAttachment": (2, {"mediaAttached": 0, "mediaDetached": 1}),
        "physicalDeviceFeature": (
            3,
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
        "logicalDeviceFeature": (
            4,
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
        "maintenance": (
            5,
            {
                "backInService": 0,
                "outOfService": 1,
                "deviceCapabilityChanged": 2,
                "partiallyInService": 3,
            },
        ),
        "voiceUnit": (
            6,
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
        "private": (7, {"privateEvent": 0}),
    }
)

_CHOICE_ALIASES = {
    "digitsGeneratedEvent": "dTMFDigitsDetected",
    "telephonyTonesGeneratedEvent": "telephonyTonesDetected",
}


def _event_keys() -> dict[tuple[str, int], EventKey]:
    by_name = {(group, name): (group, number) for (group, number), name in EVENT_NAMES.items()}
    keys: dict[tuple[str, int], EventKey] = {}
    for component, (group, bits) in FILTER_BITS.items():
        for bit_name, bit in bits.items():
            choice_names = [bit_name] + [c for c, b in _CHOICE_ALIASES.items() if b == bit_name]
            for name in choice_names:
                key = by_name.get((group, name))
                if key is not None:
                    keys[component, bit] = key
    return keys


#: (MonitorFilter component, bit number) -> the event that bit removes.
_EVENT_OF_BIT: Mapping[tuple[str, int], EventKey] = MappingProxyType(_event_keys())

#: The filter that removes nothing: every event reaches the application.
NO_FILTER: frozenset[EventKey] = frozenset()


def filtered_events(monitor_filter: Mapping[str, Any] | None) -> frozenset[EventKey]:
    """The events a MonitorFilter value removes (bits set = filtered out; absent = none).

    ``monitor_filter`` is the decoded MonitorFilter, each present component a BIT STRING value
    ``(bytes, number_of_bits)``. Bits that name no event are ignored, as a PBX would.
    """
    if not monitor_filter:
        return NO_FILTER
    removed: set[EventKey] = set()
    for component, value in monitor_filter.items():
        data, nbits = value
        for bit in range(min(nbits, len(data) * 8)):
            if data[bit >> 3] & (0x80 >> (bit & 7)):
                key = _EVENT_OF_BIT.get((component, bit))
                if key is not None:
                    removed.add(key)
    return frozenset(removed) if removed else NO_FILTER


_KEY_OF_NAMES: Mapping[tuple[str, str], EventKey] = MappingProxyType(
    {(EVENT_GROUPS[group], name): (group, event) for (group, event), name in EVENT_NAMES.items()}
)


def event_key(group: str, event: str) -> EventKey | None:
    """The tag pair of an event named as in EventSpecificInfo (``"callControlEvents"``, ...)."""
    return _KEY_OF_NAMES.get((group, event))
