"""The CSTA link's 2-byte big-endian length prefix (PROTOCOL.md section 1), sans-IO.

TCP delivers the PDUs split and merged; both open-source Panasonic clients got this wrong, so
the decoder is a small state machine that takes any chunking and yields whole PDUs. Its buffer
is bounded: a peer cannot make it hold more than one maximum-size frame plus one read.
"""

from ecsta.wire.errors import DecodeError

HEADER_SIZE = 2
MAX_FRAME = 0xFFFF


class FramingError(DecodeError):
    """The byte stream is not a sequence of length-prefixed PDUs; the association is lost.

    ``pdus`` holds the whole PDUs that arrived before the bad header in the same chunk, so that
    a peer's last good requests can still be handled before closing.
    """

    def __init__(self, message: str, pdus: list[bytes] | None = None) -> None:
        super().__init__(message)
        self.pdus = [] if pdus is None else pdus


def frame(pdu: bytes) -> bytes:
    """Prefix ``pdu`` with its length, refusing what the 2-byte header cannot express."""
    size = len(pdu)
    if not 0 < size <= MAX_FRAME:
        raise ValueError(f"a PDU must be 1..{MAX_FRAME} bytes, not {size}")
    return size.to_bytes(2, "big") + pdu


class FrameDecoder:
    """Turns a stream of received chunks into PDUs.

    ``max_frame`` lets a server accept less than the protocol's 65535 bytes: real Panasonic PDUs
    are a few hundred bytes, so a smaller bound limits what a misbehaving peer can make us hold.
    After a :class:`FramingError` the stream cannot be resynchronised and the decoder refuses
    further input.
    """

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        if not 0 < max_frame <= MAX_FRAME:
            raise ValueError(f"max_frame must be 1..{MAX_FRAME}, not {max_frame}")
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._broken: str | None = None

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a whole PDU."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        """Return every PDU completed by ``data``, in order.

        A bad header raises :class:`FramingError` with the PDUs that came before it; any later
        call raises one with none, so that no PDU is handed out twice.
        """
        if self._broken is not None:
            raise FramingError(self._broken)
        buffer = self._buffer
        # Nothing held back, the usual case: the PDUs are cut from ``data`` itself, one copy
        # each, and only an incomplete tail is kept; otherwise ``data`` joins what is held.
        chunk: bytes | bytearray = data
        if buffer:
            buffer += data
            chunk = buffer
        pdus: list[bytes] = []
        start = 0
        end = len(chunk)
        while end - start >= HEADER_SIZE:
            size = (chunk[start] << 8) | chunk[start + 1]
            if size == 0 or size > self.max_frame:
                buffer.clear()
                self._broken = f"frame length {size} outside 1..{self.max_frame}"
                raise FramingError(self._broken, pdus)
            stop = start + HEADER_SIZE + size
            if stop > end:
                break
            pdus.append(bytes(chunk[start + HEADER_SIZE : stop]))
            start = stop
        if chunk is buffer:
            del buffer[:start]
        else:
            buffer += data[start:]
        return pdus
