"""BER identifier, length and INTEGER octets, read in place and written minimally (X.690 8.1, 8.3).

The readers take a buffer, a position and the end of the enclosing container and return
positions, never slices: routing code looks at a handful of TLVs per PDU and copies nothing it
does not hand back. Every bound is checked against the container, not just the buffer, so that
a length that runs past its parent is caught where it is read.
"""

from ecsta.wire.errors import DecodeError

#: Identifier octets after the first one that a high tag number may take: numbers below 2**28
#: cover every ASN.1 module in use, and the cap keeps a peer from sending an endless tag.
MAX_TAG_NUMBER_OCTETS = 4

#: Length octets after the first one in the long form: more would describe a PDU far beyond the
#: 2-byte frame and only costs time to read.
MAX_LENGTH_OCTETS = 8

_SHORT_LENGTHS = tuple(bytes((n,)) for n in range(0x80))


def tag_number(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """Return the tag number of the identifier at ``pos`` and the position after it."""
    if pos >= end:
        raise DecodeError("identifier octet missing", pos)
    number = buf[pos] & 0x1F
    if number != 0x1F:
        return number, pos + 1
    p = pos + 1
    if p < end and buf[p] == 0x80:
        raise DecodeError("high tag number starts with a zero octet (0x80)", pos)
    number = 0
    limit = min(end, p + MAX_TAG_NUMBER_OCTETS)
    while p < limit:
        octet = buf[p]
        p += 1
        number = (number << 7) | (octet & 0x7F)
        if not octet & 0x80:
            if number < 0x1F:
                raise DecodeError(f"tag number {number} written in the high-tag form", pos)
            return number, p
    if p >= end:
        raise DecodeError("high tag number runs past the end of its container", pos)
    raise DecodeError(
        f"high tag number longer than {MAX_TAG_NUMBER_OCTETS} octets is not supported", pos
    )


def read_length(buf: bytes, pos: int, end: int, tlv: int) -> tuple[int, int]:
    """Read the length octets at ``pos`` of the TLV that starts at ``tlv``.

    Return (content start, content stop). Only the definite form is accepted; non-minimal long
    forms are, because BER allows them and peers send them.
    """
    if pos >= end:
        raise DecodeError("length octets missing", tlv)
    first = buf[pos]
    pos += 1
    if first < 0x80:
        stop = pos + first
    elif first == 0x80:
        raise DecodeError("indefinite length (0x80) is not allowed", tlv)
    elif first == 0xFF:
        raise DecodeError("reserved length octet 0xff", tlv)
    else:
        count = first & 0x7F
        if count > MAX_LENGTH_OCTETS:
            raise DecodeError(f"{count} length octets are more than this link can carry", tlv)
        if pos + count > end:
            raise DecodeError("long-form length runs past the end of its container", tlv)
        stop = pos + count + int.from_bytes(buf[pos : pos + count], "big")
        pos += count
    if stop > end:
        raise DecodeError(
            f"content of {stop - pos} octet(s) runs past the end of its container at {end}", tlv
        )
    return pos, stop


def read_tlv(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """Return (content start, content stop) of the TLV at ``pos``, which must fit before ``end``."""
    if pos >= end:
        raise DecodeError("TLV expected, container ends", pos)
    if buf[pos] & 0x1F != 0x1F:
        p = pos + 1
    else:
        p = tag_number(buf, pos, end)[1]
    if p < end and buf[p] < 0x80:
        stop = p + 1 + buf[p]
        if stop > end:
            raise DecodeError(
                f"content of {buf[p]} octet(s) runs past the end of its container at {end}", pos
            )
        return p + 1, stop
    return read_length(buf, p, end, pos)


def read_integer(buf: bytes, start: int, stop: int) -> int:
    """Decode INTEGER content octets (two's complement, any size)."""
    if start >= stop:
        raise DecodeError("INTEGER with no content octets", start)
    return int.from_bytes(buf[start:stop], "big", signed=True)


def encode_length(n: int) -> bytes:
    """Length octets for ``n`` content octets, in the shortest form (X.690 10.1)."""
    if n < 0x80:
        if n < 0:
            raise ValueError(f"a length cannot be negative: {n}")
        return _SHORT_LENGTHS[n]
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(octets),)) + octets


def encode_integer(value: int) -> bytes:
    """INTEGER content octets: minimal two's complement (X.690 8.3.2)."""
    return value.to_bytes((value + (value < 0)).bit_length() // 8 + 1, "big", signed=True)
