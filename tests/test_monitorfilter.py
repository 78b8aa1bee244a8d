"""MonitorFilter bits against the events peek reports, checked against the ECMA-285 modules."""

import os
import re

from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire.ber import EVENT_NAMES
from ecsta.wire.monitorfilter import FILTER_BITS, NO_FILTER, event_key, filtered_events

SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "spec", "ecma-285")


def bits(*numbers: int) -> tuple[bytes, int]:
    """A BIT STRING value with ``numbers`` set (bit 0 is the first octet's top bit)."""
    nbits = max(numbers) + 1
    data = bytearray((nbits + 7) // 8)
    for n in numbers:
        data[n >> 3] |= 0x80 >> (n & 7)
    return bytes(data), nbits


def named_bits(text: str, type_name: str) -> dict[str, int]:
    body = re.search(type_name + r"\s*::=\s*BIT STRING\s*\{(.*?)\}", text, re.S)
    assert body is not None, type_name
    return {
        name: int(number) for name, number in re.findall(r"(\w+)\s*\(\s*(\d+)\s*\)", body.group(1))
    }


class FilterTests(SynchronousTestCase):
    def test_an_absent_or_empty_filter_removes_nothing(self) -> None:
        self.assertIs(filtered_events(None), NO_FILTER)
        self.assertIs(filtered_events({"callControl": (b"", 0), "private": (b"", 0)}), NO_FILTER)

    def test_filter_bits_are_not_choice_tags(self) -> None:
        removed = filtered_events(
            {
                "callControl": bits(3),  # delivered, tag [4]
                "maintenance": bits(1),  # outOfService, tag [2]
                "voiceUnit": bits(0),  # stop, tag [3]
                "callAssociated": bits(2),  # dTMFDigitsDetected = digitsGeneratedEvent, tag [2]
                "private": bits(0),
            }
        )
        self.assertEqual(removed, {(0, 4), (5, 2), (6, 3), (1, 2), (7, 0)})

    def test_bits_naming_no_event_are_ignored(self) -> None:
        self.assertEqual(filtered_events({"callControl": bits(5, 30)}), {(0, 7)})

    def test_every_filter_bit_matches_the_modules(self) -> None:
        """Bit numbers from CSTA-application-context-information-csta3, events from peek's table."""
        try:
            with open(os.path.join(SPEC, "acse_user_info_csta.asn1"), encoding="utf-8") as f:
                text = f.read()
        except OSError:
            self.skipTest(f"the ECMA-285 modules are not at {SPEC}")
        types = {
            "callControl": "CallControlEvents",
            "callAssociated": "CallAssociatedEvents",
            "mediaAttachment": "MediaAttachmentEvents",
            "physicalDeviceFeature": "PhysicalDeviceFeatureEvents",
            "logicalDeviceFeature": "LogicalDeviceFeatureEvents",
            "maintenance": "DeviceMaintenanceEvents",
            "voiceUnit": "VoiceUnitEvents",
            "private": "VendorSpecEvents",
        }
        self.assertEqual(set(FILTER_BITS), set(types))
        for component, type_name in types.items():
            group, table = FILTER_BITS[component]
            self.assertEqual(dict(table), named_bits(text, type_name), component)
            for name, bit in table.items():
                (key,) = filtered_events({component: bits(bit)})
                self.assertEqual(key[0], group)
                choice_name = EVENT_NAMES[key]
                aliases = {
                    "digitsGeneratedEvent": "dTMFDigitsDetected",
                    "telephonyTonesGeneratedEvent": "telephonyTonesDetected",
                }
                self.assertEqual(aliases.get(choice_name, choice_name), name)


class EventKeyTests(SynchronousTestCase):
    def test_names_give_the_tags_peek_reports(self) -> None:
        self.assertEqual(event_key("callControlEvents", "delivered"), (0, 4))
        self.assertEqual(event_key("deviceMaintenanceEvents", "outOfService"), (5, 2))
        self.assertIsNone(event_key("callControlEvents", "noSuchEvent"))
