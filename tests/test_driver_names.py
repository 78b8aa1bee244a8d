"""Extension names from a PBX that acknowledges the request but does not give them as asked.

The driver asks for the names after the device list (docs/driver.md, readNames). A PBX that
acknowledges the request and then never sends the last segment, sends no names, or sends them
in a shape the driver cannot read must not hold the lines back for longer than the list's
wait, nor upset the driver when a segment comes after all.
"""

from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.connection import Driver, DriverProtocol
from ecsta.wire import apdu, ber
from ecsta.wire.errors import DecodeError
from ecsta.wire.tlv import encode_length

DESK_101 = 0x01110000
DESK_102 = 0x01110001


def pos_ack(cross_ref: bytes) -> Any:
    return (
        "extensions",
        {"privateData": [("private", ("kmeSystemData", ("getSystemDataPosAck", cross_ref)))]},
    )


def linked_reply(cross_ref: bytes, sys_data: dict[str, Any] | None) -> dict[str, Any]:
    """An escape argument with the one, last segment of a list (without sysData: None)."""
    reply: dict[str, Any] = {"crossRefID": cross_ref, "segmentID": 1, "lastSegment": True}
    if sys_data is not None:
        reply["sysData"] = sys_data
    return {"privateData": ("private", ("kmeSystemData", ("systemDataLinkedReply", reply)))}


def device_number(value: int) -> dict[str, Any]:
    return {"deviceIdentifier": ("deviceNumber", value)}


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + encode_length(len(content)) + content


class Link:
    """The driver's end of a PBX association whose answers the test gives."""

    associated = True
    closed = False

    def __init__(self) -> None:
        self.asked: list[tuple[Any, Deferred[Any]]] = []

    def invoke(self, service: str, argument: Any) -> Deferred[Any]:
        d: Deferred[Any] = Deferred()
        self.asked.append((argument, d))
        return d


class NamesFromThePBXTests(SynchronousTestCase):
    def setUp(self) -> None:
        """Lines 101 and 102 are being loaded: the device list is in, and the PBX has
        acknowledged the names request with cross reference 02."""
        self.clock = Clock()
        self.driver = Driver(self.clock)
        self.link = Link()
        self.driver.proto = self.link  # type: ignore[assignment]
        self.loading = Deferred.fromCoroutine(self.driver.load_lines())
        [(_, device_list)] = self.link.asked
        device_list.callback(pos_ack(b"\x01"))
        entries = [
            {"device": device_number(DESK_101), "number": "101", "status": "ins"},
            {"device": device_number(DESK_102), "number": "102", "status": "ins"},
        ]
        self.driver.escape_received(linked_reply(b"\x01", {"deviceList": entries}))
        [_, (names_request, names)] = self.link.asked
        self.assertEqual(
            names_request["privateData"][1][1][1][1], ("systemData", 41), "the names request"
        )
        names.callback(pos_ack(b"\x02"))

    def assertLoadedWithoutNames(self) -> None:
        devices = self.successResultOf(self.loading)
        self.assertEqual([(d.number, d.name) for d in devices], [("101", None), ("102", None)])
        self.assertEqual([line.number for line in self.driver.lines], ["101", "102"])
        self.assertEqual(self.driver.lines.directory.names, {})
        self.assertEqual(self.driver._lists, {}, "nothing waits for the names any more")

    def test_names_by_device_number_or_by_dialling_number(self) -> None:
        """Either form of DeviceID names an extension: the name goes to its line."""
        names = [
            {"device": device_number(DESK_101), "name": "Reception"},
            {"device": {"deviceIdentifier": ("dialingNumber", "102")}, "name": "Sales"},
        ]
        self.driver.escape_received(linked_reply(b"\x02", {"extName": names}))
        devices = self.successResultOf(self.loading)
        self.assertEqual(
            [(d.number, d.name) for d in devices], [("101", "Reception"), ("102", "Sales")]
        )
        self.assertEqual(self.driver.lines.directory.names, {"101": "Reception", "102": "Sales"})

    def test_names_that_never_finish_leave_the_lines_to_the_configuration(self) -> None:
        self.clock.advance(29)
        self.assertNoResult(self.loading)
        self.clock.advance(1)
        self.assertLoadedWithoutNames()
        late = [{"device": device_number(DESK_101), "name": "Reception"}]
        self.driver.escape_received(linked_reply(b"\x02", {"extName": late}))
        self.assertEqual(self.driver.lines.directory.names, {})
        self.assertEqual(self.flushLoggedErrors(), [])

    def test_the_link_going_down_ends_the_wait_for_the_names(self) -> None:
        self.driver.link_lost(self.link)  # type: ignore[arg-type]
        self.assertLoadedWithoutNames()

    def test_a_pbx_without_names_gives_an_empty_last_segment(self) -> None:
        """The least a PBX may answer: an acknowledgement, then one last segment without
        sysData. The lines load at once, without names."""
        self.driver.escape_received(linked_reply(b"\x02", None))
        self.assertLoadedWithoutNames()

    def test_names_in_a_shape_the_driver_cannot_read_end_the_wait_at_once(self) -> None:
        """The names request is an inference: a PBX may answer it with entries of another
        shape (here with a number between device and name). The segment cannot be read, but
        its cross reference ends the wait: the lines load at once, without names."""
        device = tlv(0x30, tlv(0x81, DESK_101.to_bytes(4, "big")))
        entry = tlv(0x30, device + tlv(0x16, b"101") + tlv(0x16, b"Reception"))
        names_list = tlv(0x30, entry)
        names = tlv(0xA3, tlv(0x30, b"\xbf\x29" + encode_length(len(names_list)) + names_list))
        reply = tlv(
            0x30,
            tlv(0xA0, tlv(0x04, b"\x02"))
            + tlv(0xA1, tlv(0x02, b"\x01"))
            + tlv(0xA2, tlv(0x01, b"\xff"))
            + names,
        )
        pdu = tlv(0xA1, bytes.fromhex("02015a020133") + tlv(0x30, tlv(0xA4, tlv(0xA3, reply))))
        self.assertRaises(DecodeError, apdu.decode, pdu)
        proto = DriverProtocol(self.clock, driver=self.driver)
        proto.invokeReceived(pdu, ber.peek(pdu))
        self.assertLoadedWithoutNames()
