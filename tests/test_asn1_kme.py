"""Panasonic private data (KME) against the bytes of PROTOCOL.md sections 5 and 6.

The oracle knows only the standard's NULL placeholder for ``CSTAPrivateData.private``, so the
KME content is checked against bytes written out here from the protocol description, with
ecsta's decoder and with pyasn1's own.
"""

from typing import Any

from pyasn1.codec.ber import decoder as pyasn1_decoder
from pyasn1.type.base import Asn1Item
from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import values
from ecsta.wire.asn1 import common, escape, kme
from ecsta.wire.errors import DecodeError
from tests.asn1_samples import STATION_101, device_number, dialing


def tlv(tag: int | bytes, *contents: bytes) -> bytes:
    """One BER element (tag octets as an int or bytes), short or long definite length."""
    identifier = bytes((tag,)) if isinstance(tag, int) else tag
    content = b"".join(contents)
    size = len(content)
    if size < 0x80:
        return identifier + bytes((size,)) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return identifier + bytes((0x80 | len(length),)) + length + content


def escape_argument(private: Any) -> dict[str, Any]:
    return {"privateData": ("private", private)}


def extensions(private: Any) -> tuple[str, Any]:
    """An EscapeResult carrying one KME private data item."""
    return ("extensions", {"privateData": [("private", private)]})


class KmeCase(SynchronousTestCase):
    def assertBytes(
        self, spec: type[Asn1Item], value: Any, data: bytes, with_pyasn1: bool = True
    ) -> None:
        """``value`` encodes to ``data``; ``data`` decodes to ``value``, with both decoders.

        pyasn1's own decoder cannot give back the header of an ``unrecognized`` alternative
        (see :mod:`ecsta.wire.asn1.kme`), so those cases check ecsta's decoder only.
        """
        self.assertEqual(values.encode(spec, value).hex(" "), data.hex(" "))
        self.assertEqual(values.decode(spec, data), value)
        if not with_pyasn1:
            return
        decoded, rest = pyasn1_decoder.decode(data, asn1Spec=spec())
        self.assertEqual(rest, b"")
        self.assertEqual(values.to_value(decoded), value)


class SystemDataTests(KmeCase):
    def test_device_list_request(self) -> None:
        """The request for the station list, byte for byte as Panasonic clients send it."""
        data = bytes.fromhex("30 0d a4 0b a0 09 a4 07 a1 05 a0 03 0a 01 05")
        request = ("request", ("deviceList", ("category", ("standardDevice", "station"))))
        value = escape_argument(("kmeSystemData", ("getSystemData", request)))
        self.assertBytes(escape.EscapeArgument, value, data)

    def test_trunk_list_request(self) -> None:
        data = bytes.fromhex("30 0d a4 0b a0 09 a4 07 a1 05 a0 03 0a 01 02")
        value = values.decode(escape.EscapeArgument, data)
        category = value["privateData"][1][1][1][1][1][1]
        self.assertEqual(category, ("standardDevice", "networkInterface"))

    def test_system_data_request_keeps_its_number(self) -> None:
        """The systemData values are not published: they stay numbers, in and out."""
        data = tlv(0x30, tlv(0xA4, tlv(0xA0, tlv(0xA0, bytes.fromhex("0a 01 07")))))
        value = escape_argument(
            ("kmeSystemData", ("getSystemData", ("request", ("systemData", 7))))
        )
        self.assertBytes(escape.EscapeArgument, value, data)

    def test_positive_acknowledgement(self) -> None:
        """The escape result that hands out the cross reference of the coming device list."""
        data = bytes.fromhex("7e 0a a1 08 a4 06 a4 04 04 02 00 2a")
        value = extensions(("kmeSystemData", ("getSystemDataPosAck", b"\x00\x2a")))
        self.assertBytes(escape.EscapeResult, value, data)

    def test_linked_reply_with_device_list(self) -> None:
        """One segment of the device list, as the PBX sends it in an escape invoke."""
        station = tlv(
            0x30,
            tlv(0x30, tlv(0x81, STATION_101.to_bytes(4, "big"))),
            tlv(0x16, b"101"),
            bytes.fromhex("0a 01 00"),
        )
        portable = tlv(0x30, tlv(0x30, tlv(0x80, b"201")), bytes.fromhex("0a 01 01"))
        devices = [
            {"device": device_number(STATION_101), "number": "101", "status": "ins"},
            {"device": dialing("201"), "status": "ous"},
        ]
        self.assertLinkedReply(b"\xbf\x26", [station, portable], "deviceList", devices)

    def assertLinkedReply(
        self, tag: bytes, entries: list[bytes], field: str, value: list[dict[str, Any]]
    ) -> None:
        """A last segment (cross reference 00 2a, segment 1) whose sysData has one field,
        with these ``entries`` under ``tag``, is ``value`` and back."""
        reply = tlv(
            0x30,
            tlv(0xA0, tlv(0x04, b"\x00\x2a")),
            tlv(0xA1, bytes.fromhex("02 01 01")),
            tlv(0xA2, bytes.fromhex("01 01 ff")),
            tlv(0xA3, tlv(0x30, tlv(tag, tlv(0x30, *entries)))),
        )
        data = tlv(0x30, tlv(0xA4, tlv(0xA3, reply)))
        linked = {
            "crossRefID": b"\x00\x2a",
            "segmentID": 1,
            "lastSegment": True,
            "sysData": {field: value},
        }
        argument = escape_argument(("kmeSystemData", ("systemDataLinkedReply", linked)))
        self.assertBytes(escape.EscapeArgument, argument, data)

    def test_extension_names_request(self) -> None:
        """The request for the extension names: systemData naming extName by its tag, 41 (an
        inference: the request form is not published)."""
        data = bytes.fromhex("30 09 a4 07 a0 05 a0 03 0a 01 29")
        value = escape_argument(
            ("kmeSystemData", ("getSystemData", ("request", ("systemData", 41))))
        )
        self.assertBytes(escape.EscapeArgument, value, data)

    def test_linked_reply_with_extension_names(self) -> None:
        """One segment of the names: extName [41] beside where deviceList [38] would be."""
        entry = tlv(
            0x30,
            tlv(0x30, tlv(0x81, STATION_101.to_bytes(4, "big"))),
            tlv(0x16, b"Reception"),
        )
        names = [{"device": device_number(STATION_101), "name": "Reception"}]
        self.assertLinkedReply(b"\xbf\x29", [entry], "extName", names)

    def test_response_with_system_facts(self) -> None:
        """The other fields of a system data response, implicitly tagged."""
        response = {
            "manufacturerName": "Panasonic",
            "ctiVersion": "3.0",
            "systemTime": "20261127103015",
            "pbxType": 4,
        }
        data = tlv(
            0x30,
            tlv(0x93, b"Panasonic"),
            tlv(0x96, b"3.0"),
            tlv(0x98, b"20261127103015"),
            tlv(b"\x9f\x2e", b"\x04"),
        )
        self.assertBytes(kme.KmeGetSystemDataRsp, response, data)

    def test_unknown_response_field_is_a_decode_error(self) -> None:
        """A response field this subset does not know fails cleanly, naming the field."""
        data = tlv(0x30, tlv(0x94, b"?"))
        with self.assertRaises(DecodeError) as caught:
            values.decode(kme.KmeGetSystemDataRsp, data)
        self.assertIn("[20]", str(caught.exception))


class AdditionalDataTests(KmeCase):
    """KmeAdditionalData as it rides in event and CDR extensions."""

    def check(self, additional: Any, inner: bytes) -> None:
        value = {"privateData": [("private", ("kmeAdditionalData", additional))]}
        data = tlv(0x7E, tlv(0xA1, tlv(0xA6, inner)))
        self.assertBytes(common.CSTACommonArguments, value, data)

    def test_hold_type(self) -> None:
        self.check(("holdType", "exclusive"), bytes.fromhex("a9 03 0a 01 02"))

    def test_condition_code(self) -> None:
        self.check(("conditionCode", "noAnswer"), bytes.fromhex("aa 03 0a 01 05"))

    def test_call_id(self) -> None:
        self.check(("callID", b"\x00\x07"), bytes.fromhex("ad 04 04 02 00 07"))

    def test_device(self) -> None:
        self.check(("device", dialing("101")), bytes.fromhex("a6 07 30 05 80 03 31 30 31"))

    def test_did_number(self) -> None:
        self.check(("didNo", dialing("5550")), bytes.fromhex("b1 08 30 06 80 04 35 35 35 30"))


class PassThroughTests(KmeCase):
    """KME content this module does not model survives decoding and encoding unchanged."""

    def test_private_event_keeps_its_contents(self) -> None:
        contents = bytes.fromhex("a0 05 30 03 02 01 09")
        value = {"privateData": [("private", ("kmePrivateEvent", contents))]}
        data = tlv(0x7E, tlv(0xA1, tlv(0xA7, contents)))
        self.assertBytes(common.CSTACommonArguments, value, data)

    def test_resource_control_keeps_its_contents(self) -> None:
        contents = bytes.fromhex("81 01 00")
        value = escape_argument(("kmeResourceControl", contents))
        data = tlv(0x30, tlv(0xA8, contents))
        self.assertBytes(escape.EscapeArgument, value, data)

    def test_unknown_alternatives_keep_their_whole_encoding(self) -> None:
        """Constructed or primitive, an unknown alternative comes back byte for byte."""
        for element in (
            bytes.fromhex("a9 05 a0 03 0a 01 01"),
            bytes.fromhex("8a 03 41 42 43"),
            bytes.fromhex("bf 1f 02 05 00"),
        ):
            value = escape_argument(("unrecognized", element))
            self.assertBytes(escape.EscapeArgument, value, tlv(0x30, element), with_pyasn1=False)

    def test_unknown_system_data_and_additional_data(self) -> None:
        unknown_system = bytes.fromhex("a1 03 02 01 01")
        value = escape_argument(("kmeSystemData", ("unrecognized", unknown_system)))
        data = tlv(0x30, tlv(0xA4, unknown_system))
        self.assertBytes(escape.EscapeArgument, value, data, with_pyasn1=False)
        unknown_additional = bytes.fromhex("b4 03 01 01 ff")
        value = escape_argument(("kmeAdditionalData", ("unrecognized", unknown_additional)))
        data = tlv(0x30, tlv(0xA6, unknown_additional))
        self.assertBytes(escape.EscapeArgument, value, data, with_pyasn1=False)

    def test_escape_register_id_is_not_taken_for_private_data(self) -> None:
        """escapeRegisterID's [0] comes right before the private data it must not be read as."""
        data = tlv(0x30, bytes.fromhex("a0 03 04 01 05"), bytes.fromhex("a9 02 05 00"))
        value = {
            "escapeRegisterID": b"\x05",
            "privateData": ("private", ("unrecognized", bytes.fromhex("a9 02 05 00"))),
        }
        self.assertBytes(escape.EscapeArgument, value, data, with_pyasn1=False)
        decoded, _ = pyasn1_decoder.decode(data, asn1Spec=escape.EscapeArgument())
        self.assertEqual(values.to_value(decoded)["escapeRegisterID"], b"\x05")

    def test_private_data_string_is_not_kme(self) -> None:
        value = escape_argument(("kmeSystemData", ("getSystemDataPosAck", b"\x01")))
        value["privateData"] = ("string", b"\x01")
        self.assertBytes(escape.EscapeArgument, value, bytes.fromhex("30 03 04 01 01"))
