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
telephonyTonesDetected); they hold the same positions in both and are paired here by name.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ecsta.wire.asn1 import monitor
from ecsta.wire.ber import EVENT_GROUPS, EVENT_NAMES

#: An event as peek reports it: (EventSpecificInfo tag number, event tag number).
EventKey = tuple[int, int]


def _filter_bits() -> dict[str, tuple[int, Mapping[str, int]]]:
    """Each MonitorFilter component's bits, from its BIT STRING type, and the group it filters.

    A component's type shares its name with the EventSpecificInfo alternative whose events its
    bits name (``CallControlEvents``, ``callControlEvents``), as in the standard.
    """
    groups = {name: number for number, name in EVENT_GROUPS.items()}
    table: dict[str, tuple[int, Mapping[str, int]]] = {}
    for named in monitor.MonitorFilter.componentType.namedTypes:
        bit_map = named.asn1Object
        type_name = type(bit_map).__name__
        group = groups[type_name[0].lower() + type_name[1:]]
        bits = {name: number for name, number in bit_map.namedValues.items()}
        table[named.name] = (group, MappingProxyType(bits))
    return table


#: MonitorFilter component -> (EventSpecificInfo tag number, {filter bit name: bit number}).
FILTER_BITS: Mapping[str, tuple[int, Mapping[str, int]]] = MappingProxyType(_filter_bits())

#: Filter bit names that differ from the EventSpecificInfo alternative they stand for.
_CHOICE_NAMES = {
    "dTMFDigitsDetected": "digitsGeneratedEvent",
    "telephonyTonesDetected": "telephonyTonesGeneratedEvent",
}

_KEY_OF_NAMES: Mapping[tuple[str, str], EventKey] = MappingProxyType(
    {(EVENT_GROUPS[group], name): (group, event) for (group, event), name in EVENT_NAMES.items()}
)


def _event_keys() -> dict[tuple[str, int], EventKey]:
    keys: dict[tuple[str, int], EventKey] = {}
    for component, (group, bits) in FILTER_BITS.items():
        for bit_name, bit in bits.items():
            choice_name = _CHOICE_NAMES.get(bit_name, bit_name)
            keys[component, bit] = _KEY_OF_NAMES[EVENT_GROUPS[group], choice_name]
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


def event_key(group: str, event: str) -> EventKey | None:
    """The tag pair of an event named as in EventSpecificInfo (``"callControlEvents"``, ...)."""
    return _KEY_OF_NAMES.get((group, event))
