"""A pcap file of one CSTA link, for an administrator to hand to support.

Every PDU is written as a TCP segment of a synthetic IPv4 flow between 10.0.0.1 (ecsta) and
10.0.0.2 port 33333 (the PBX), with the 2-byte length header kept, so tshark and Wireshark
follow the stream (``tshark -r FILE -d tcp.port==33333,...``) and sequence numbers stay
consistent across reconnections. Writes are flushed per PDU, so a capture survives a crash of
the process, and the file stops growing at ``max_bytes``.
"""

import struct
import time
from collections.abc import Callable
from typing import BinaryIO, Protocol

from twisted.logger import Logger

from ecsta.wire.ber import Peek
from ecsta.wire.framing import frame

LINKTYPE_RAW = 101
PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_RAW)
LOCAL = (bytes([10, 0, 0, 1]), 50000)
PBX = (bytes([10, 0, 0, 2]), 33333)
TCP_PSH_ACK = 0x18
#: IPv4 and TCP headers of each packet; an IPv4 packet is at most 65535 octets in all.
HEADERS = 40
MAX_SEGMENT = 0xFFFF - HEADERS

log = Logger()


def _checksum(header: bytes) -> int:
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class PDURecorder(Protocol):
    """What a link hands every PDU it sends or receives: a capture, or a counter.

    ``pdu`` comes without its 2-byte header. ``peek`` spares the recorder reading the PDU
    again: for one received, the link's own look at it, found well-formed; for one sent, the
    sender's look when it has one, which gives the kind and operation (a forwarded request's
    peek is the application's, taken before the link gave it its own invokeId). It is None
    for what the link could not read and what was sent without one; a recorder that needs the
    routing fields then peeks itself.
    """

    def record(self, outgoing: bool, pdu: bytes, peek: Peek | None) -> None: ...


class Capture:
    """Appends the framed PDUs of a link to an open pcap file."""

    def __init__(
        self,
        file: BinaryIO,
        max_bytes: int = 100 * 1024 * 1024,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.file = file
        self.max_bytes = max_bytes
        self.now = now
        self.written = 0
        self.full = False
        self._seq = {True: 1, False: 1}
        self._ident = 0
        self._write(PCAP_HEADER)

    @classmethod
    def open(cls, path: str, max_bytes: int = 100 * 1024 * 1024) -> "Capture":
        """Start a new capture file at ``path`` (an existing file is replaced)."""
        return cls(open(path, "wb"), max_bytes)

    def _write(self, data: bytes) -> None:
        self.file.write(data)
        self.file.flush()
        self.written += len(data)

    def record(self, outgoing: bool, pdu: bytes, peek: Peek | None) -> None:
        """One PDU; ``outgoing`` is True for what ecsta sent to the PBX.

        A frame longer than one IPv4 packet can carry (a PDU near 64 KiB plus its header) is
        written as several segments of the same stream, as TCP itself would send it.
        """
        if self.full:
            return
        framed = frame(pdu)
        segments = [
            framed[start : start + MAX_SEGMENT] for start in range(0, len(framed), MAX_SEGMENT)
        ]
        size = sum(16 + HEADERS + len(segment) for segment in segments)
        if self.written + size > self.max_bytes:
            self.full = True
            log.warn("capture file reached {max} bytes; capturing stops", max=self.max_bytes)
            return
        stamp = self.now()
        seconds = int(stamp)
        micros = int((stamp - seconds) * 1_000_000)
        records = []
        for segment in segments:
            packet = self._packet(outgoing, segment)
            records.append(struct.pack("<IIII", seconds, micros, len(packet), len(packet)) + packet)
        self._write(b"".join(records))

    def _packet(self, outgoing: bool, payload: bytes) -> bytes:
        (src, sport), (dst, dport) = (LOCAL, PBX) if outgoing else (PBX, LOCAL)
        seq = self._seq[outgoing]
        ack = self._seq[not outgoing]
        self._seq[outgoing] = (seq + len(payload)) & 0xFFFFFFFF
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, TCP_PSH_ACK, 65535, 0, 0)
        self._ident = (self._ident + 1) & 0xFFFF
        length = 20 + len(tcp) + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length, self._ident, 0, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
        return ip + tcp + payload

    def close(self) -> None:
        self.file.close()


def read_capture(data: bytes) -> list[tuple[bool, bytes]] | None:
    """The framed payloads of a pcap file :class:`Capture` wrote, with ``True`` for what ecsta
    sent; None when ``data`` is no such file.

    Each record is read as the raw IPv4 packet Capture makes; a record cut short (a capture
    file of a process that died while writing) ends the list.
    """
    if len(data) < len(PCAP_HEADER) or data[:4] != PCAP_HEADER[:4]:
        return None
    _, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[: len(PCAP_HEADER)])
    if linktype != LINKTYPE_RAW:
        return None
    packets: list[tuple[bool, bytes]] = []
    pos = len(PCAP_HEADER)
    while pos + 16 <= len(data):
        _, _, length, _ = struct.unpack("<IIII", data[pos : pos + 16])
        packet = data[pos + 16 : pos + 16 + length]
        pos += 16 + length
        if len(packet) < length or len(packet) < 20:
            break
        ip_header = (packet[0] & 0x0F) * 4
        tcp_header = (packet[ip_header + 12] >> 4) * 4
        packets.append((packet[12:16] == LOCAL[0], packet[ip_header + tcp_header :]))
    return packets
