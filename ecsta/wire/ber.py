"""Routing without decoding: check a PDU's BER, read what a router needs, splice in new ids.

The multiplexer forwards thousands of PDUs a second and only needs the APDU kind, the invokeId,
the operation or error code and, for event reports, the monitor cross reference and which event
it is. A full decode of an event report costs tens of microseconds with ecsta's decoder and
hundreds with pyasn1's (``bench/codec.py`` measures both); these functions walk the few TLVs
that hold those fields by offset and copy only what they return, in a few microseconds.
Splicing replaces one TLV and rewrites the lengths that enclose it, so everything else reaches
the peer byte for byte as the PBX or the application wrote it.

Structure followed (X.227 ACSE, X.880 ROSE, ECMA-285 event-report-definitions)::

    invoke        a1 { invokeId INTEGER|NULL, linkedId [0]|[1] OPTIONAL, opcode, argument }
    returnResult  a2 { invokeId, SEQUENCE { opcode, result } OPTIONAL }
    returnError   a3 { invokeId, errcode, parameter OPTIONAL }
    reject        a4 { invokeId, problem }
    cSTAEventReport (opcode 21) argument:
                  30 { 55 crossRefIdentifier, [group] { [event] ... } }
    escape (opcode 51) argument carrying a KME systemDataLinkedReply (PROTOCOL.md section 6):
                  30 { ..., a4 { a3 { 30 { a0 { 04 crossRefID }, a1 segmentID,
                                           a2 { 01 lastSegment }, a3 sysData OPTIONAL } } } }
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ecsta.wire.errors import DecodeError
from ecsta.wire.framing import HEADER_SIZE, MAX_FRAME, frame
from ecsta.wire.opcodes import Opcode
from ecsta.wire.tlv import (
    encode_integer,
    encode_length,
    read_integer,
    read_tlv,
    tag_number,
)

__all__ = [
    "CSTA_EVENT_REPORT",
    "EVENT_GROUPS",
    "EVENT_NAMES",
    "FIRST_OCTETS",
    "ROSE_KINDS",
    "Kind",
    "Peek",
    "framed_with_invoke_id",
    "linked_reply_route",
    "peek",
    "repeat_peek",
    "validate",
    "with_cross_ref",
    "with_invoke_id",
]

#: Local operation code of cSTAEventReport, the one operation whose argument peek looks into.
CSTA_EVENT_REPORT = Opcode.cSTAEventReport


class Kind(enum.Enum):
    """APDU kinds; the values are the alternative names of ACSE-apdu and ROS."""

    AARQ = "aarq"
    AARE = "aare"
    RLRQ = "rlrq"
    RLRE = "rlre"
    ABRT = "abrt"
    INVOKE = "invoke"
    RETURN_RESULT = "returnResult"
    RETURN_ERROR = "returnError"
    REJECT = "reject"

    # Members are equal only to themselves, so hashing them by identity is as right as
    # Enum's hash of the name, and costs no Python call: kinds key the counts of every PDU.
    __hash__ = object.__hash__


#: The kinds of ROSE PDU, which only an association carries.
ROSE_KINDS = frozenset({Kind.INVOKE, Kind.RETURN_RESULT, Kind.RETURN_ERROR, Kind.REJECT})


_KINDS: dict[int, Kind] = {
    0x60: Kind.AARQ,
    0x61: Kind.AARE,
    0x62: Kind.RLRQ,
    0x63: Kind.RLRE,
    0x64: Kind.ABRT,
    0xA1: Kind.INVOKE,
    0xA2: Kind.RETURN_RESULT,
    0xA3: Kind.RETURN_ERROR,
    0xA4: Kind.REJECT,
}
#: The identifier octet each kind of APDU starts with.
FIRST_OCTETS: Mapping[Kind, int] = MappingProxyType({kind: octet for octet, kind in _KINDS.items()})


@dataclass(slots=True, unsafe_hash=True)
class Peek:
    """The routing fields of one PDU.

    ``invoke_id`` is None for ACSE APDUs and for a NULL invokeId (a reject of a PDU whose id
    could not be read). ``opcode`` is the invoke's, or the returnResult's when it carries a
    result; ``errcode`` the returnError's. Both are None when absent and also when the PDU
    carries a global (OBJECT IDENTIFIER) code, which CSTA never uses: a router then rejects the
    operation rather than the PDU. ``cross_ref`` and ``event`` are set for a cSTAEventReport
    invoke with its argument: the MonitorCrossRefID content octets, and (group tag number, event
    tag number) of eventSpecificInfo, e.g. (0, 4) for delivered, which :data:`EVENT_NAMES` names.
    ``after_id`` is where the ROSE PDU's invokeId ends (0 for ACSE APDUs and peeks made by
    hand), so that giving the PDU another id is a matter of slicing; peeks that differ only in
    it are equal.

    A value that nothing changes once it is made, but not a frozen dataclass: one is made for
    every PDU that crosses a link, and a frozen one would set each field through
    ``object.__setattr__``, which costs as much as the rest of making it.
    """

    kind: Kind
    invoke_id: int | None
    opcode: int | None
    cross_ref: bytes | None
    event: tuple[int, int] | None
    errcode: int | None
    after_id: int = field(default=0, compare=False, repr=False)


_ACSE_PEEKS = {
    tag: Peek(kind, None, None, None, None, None) for tag, kind in _KINDS.items() if tag < 0xA0
}

#: EventSpecificInfo alternatives by tag number.
EVENT_GROUPS: Mapping[int, str] = MappingProxyType(
    {
        0: "callControlEvents",
        1: "callAssociatedEvents",
        2: "mediaAttachmentEvents",
        3: "physicalDeviceFeatureEvents",
        4: "logicalDeviceFeatureEvents",
        5: "deviceMaintenanceEvents",
        6: "voiceUnitEvents",
        7: "vendorSpecEvents",
    }
)

_EVENTS_BY_GROUP: dict[int, dict[int, str]] = {
    0: {
        0: "bridged",
        1: "callCleared",
        2: "conferenced",
        3: "connectionCleared",
        4: "delivered",
        5: "digitsDialed",
        6: "diverted",
        7: "established",
        8: "failed",
        9: "held",
        10: "networkCapabilitiesChanged",
        11: "networkReached",
        12: "offered",
        13: "originated",
        14: "queued",
        15: "retrieved",
        16: "serviceInitiated",
        17: "transferred",
    },
    1: {
        0: "callInformation",
        1: "charging",
        2: "digitsGeneratedEvent",
        3: "telephonyTonesGeneratedEvent",
        4: "serviceCompletionFailure",
    },
    2: {0: "mediaAttached", 1: "mediaDetached"},
    3: {
        0: "buttonInformation",
        1: "buttonPress",
        2: "displayUpdated",
        3: "hookswitch",
        4: "lampMode",
        5: "messageWaiting",
        6: "microphoneGain",
        7: "microphoneMute",
        8: "ringerStatus",
        9: "speakerMute",
        10: "speakerVolume",
    },
    4: {
        0: "agentBusy",
        1: "agentLoggedOn",
        2: "agentLoggedOff",
        3: "agentNotReady",
        4: "agentReady",
        5: "agentWorkingAfterCall",
        6: "autoAnswer",
        7: "autoWorkMode",
        8: "callBack",
        9: "callBackMessage",
        10: "callerIDStatus",
        11: "doNotDisturb",
        12: "forwarding",
        13: "routeingMode",
        14: "presenceState",
    },
    5: {
        0: "backInService",
        1: "deviceCapabilityChanged",
        2: "outOfService",
        3: "partiallyInService",
    },
    6: {
        0: "play",
        1: "record",
        2: "review",
        3: "stop",
        4: "suspendPlay",
        5: "suspendRecord",
        6: "voiceAttributesChange",
        7: "bookmarkReached",
        8: "completed",
        9: "dtmfDetected",
        10: "emptied",
        11: "interruptionDetected",
        12: "notRecognized",
        13: "recognized",
        14: "silenceTimeoutExpired",
        15: "speechDetected",
        16: "started",
        17: "voiceErrorOccured",
    },
    7: {0: "privateEvent"},
}

#: (group tag number, event tag number) -> the event's alternative name in
#: CSTA-event-report-definitions, e.g. (0, 4) -> "delivered".
EVENT_NAMES: Mapping[tuple[int, int], str] = MappingProxyType(
    {
        (group, number): name
        for group, events in _EVENTS_BY_GROUP.items()
        for number, name in events.items()
    }
)

# Universal-class identifier octets whose form X.690 fixes (8.1.2.5 with 8.2, 8.3, 8.8, 8.9,
# 8.10, 8.11, 8.18, 8.19): the wrong form cannot be decoded as that type by anyone.
_WRONG_FORM: dict[int, str] = {
    0x00: "end-of-contents octets outside an indefinite length",
    0x20: "end-of-contents octets outside an indefinite length",
    0x21: "constructed BOOLEAN",
    0x22: "constructed INTEGER",
    0x25: "constructed NULL",
    0x26: "constructed OBJECT IDENTIFIER",
    0x29: "constructed REAL",
    0x2A: "constructed ENUMERATED",
    0x2D: "constructed RELATIVE-OID",
    0x08: "primitive EXTERNAL",
    0x0B: "primitive EMBEDDED PDV",
    0x10: "primitive SEQUENCE",
    0x11: "primitive SET",
}

# Content sizes X.690 fixes: (type, fewest octets, most octets or None).
_SIZES: dict[int, tuple[str, int, int | None]] = {
    0x01: ("BOOLEAN", 1, 1),
    0x02: ("INTEGER", 1, None),
    0x05: ("NULL", 0, 0),
    0x06: ("OBJECT IDENTIFIER", 1, None),
    0x0A: ("ENUMERATED", 1, None),
}


def validate(pdu: bytes, max_depth: int = 32) -> None:
    """Check that ``pdu`` is exactly one well-formed definite-length BER TLV.

    Every constructed encoding is walked: its contents must be whole TLVs that end exactly where
    it ends. The PDU is at level 1, the TLVs in its contents at level 2, and so on; none may be
    deeper than ``max_depth``, so that a peer cannot make a later full decoder recurse without
    bound. Primitive contents are not interpreted beyond the sizes X.690 fixes for BOOLEAN,
    INTEGER, NULL, OBJECT IDENTIFIER and ENUMERATED. Non-minimal lengths are accepted: BER
    allows them and peers send them.
    """
    end = len(pdu)
    if not end:
        raise DecodeError("empty PDU", 0)
    if max_depth < 1:
        raise DecodeError(f"nesting deeper than {max_depth} levels", 0)
    if pdu[0] not in _WRONG_FORM:
        stop = read_tlv(pdu, 0, end)[1]
        if stop != end:
            raise DecodeError(f"{end - stop} trailing octet(s) after the PDU", stop)
    wrong_form = _WRONG_FORM
    sizes = _SIZES
    # parents holds the ends of the containers around the TLVs being read, which are at level
    # len(parents) + 1; a constructed one with contents may be entered while its contents stay
    # within max_depth.
    deepest_parents = max_depth - 2
    parents: list[int] = []
    pos = 0
    while True:
        while pos < end:
            first = pdu[pos]
            if first < 0x40 and first in wrong_form:
                raise DecodeError(wrong_form[first], pos)
            # Low tag number and short length, the common case, read inline; read_tlv reads
            # the rest and words every error.
            if first & 0x1F != 0x1F and pos + 1 < end and pdu[pos + 1] < 0x80:
                start = pos + 2
                stop = start + pdu[pos + 1]
                if stop > end:
                    read_tlv(pdu, pos, end)
            else:
                start, stop = read_tlv(pdu, pos, end)
            if first < 0x40 and first in sizes:
                name, least, most = sizes[first]
                size = stop - start
                if size < least or (most is not None and size > most):
                    raise DecodeError(f"{name} with {size} content octet(s)", pos)
            if first & 0x20 and start < stop:
                if len(parents) > deepest_parents:
                    raise DecodeError(f"nesting deeper than {max_depth} levels", start)
                parents.append(end)
                end = stop
                pos = start
            else:
                pos = stop
        if not parents:
            return
        end = parents.pop()


def peek(pdu: bytes) -> Peek:
    """Read the routing fields of ``pdu`` without decoding it.

    Only the TLVs on the way to those fields are read, each checked against its container; the
    PDU's own length must match ``len(pdu)``. Run :func:`validate` first when the rest matters.
    """
    kind, invoke_id, code, _, argument, cross_start, cross_stop, _, group, event, after_id = _scan(
        pdu
    )
    if invoke_id is _ACSE:
        return _ACSE_PEEKS[pdu[0]]
    if kind is Kind.RETURN_ERROR:
        return Peek(kind, invoke_id, None, None, None, code, after_id)
    if argument < 0:
        return Peek(kind, invoke_id, code, None, None, None, after_id)
    cross_ref = pdu[cross_start:cross_stop]
    return Peek(kind, invoke_id, code, cross_ref, (group, event), None, after_id)


def repeat_peek(pdu: bytes, known: Mapping[bytes, tuple[int, Peek]]) -> Peek | None:
    """The peek at ``pdu`` when it repeats a PDU of ``known`` but for its invokeId, read no
    further than that invokeId; None when it does not, or is not in the usual form of ROSE (a
    short length that is the PDU's own, then an INTEGER invokeId of one or two octets).

    ``known`` maps the octets after the invokeId of PDUs found well-formed to (first octet, peek
    at the PDU): two PDUs with the same first octet and the same octets after the invokeId
    differ only in what this reads (:mod:`ecsta.link.seen`).
    """
    end = len(pdu)
    if end < 5 or end > 0x81 or pdu[1] != end - 2 or pdu[2] != 0x02:
        return None
    size = pdu[3]
    if size == 1:
        after = 5
        invoke_id = pdu[4] - (pdu[4] & 0x80) * 2
    elif size == 2 and end > 6:
        after = 6
        invoke_id = int.from_bytes(pdu[4:6], "big", signed=True)
    else:
        return None
    entry = known.get(pdu[after:])
    if entry is None or entry[0] != pdu[0]:
        return None
    peek = entry[1]
    return Peek(peek.kind, invoke_id, peek.opcode, peek.cross_ref, peek.event, peek.errcode, after)


def linked_reply_route(pdu: bytes) -> tuple[bytes, bool] | None:
    """(crossRefID, lastSegment) of the KME systemDataLinkedReply an escape invoke carries, or
    None if it carries none.

    Read from the bytes rather than decoded: the segments answer whatever system data an
    application asked for, and their sysData may hold items ecsta's KME types do not know.
    Raises :class:`DecodeError` only for TLVs that do not fit their containers.
    """
    end = len(pdu)
    if not end or pdu[0] != 0xA1:
        return None
    start, stop = read_tlv(pdu, 0, end)
    argument = None
    while start < stop:
        argument = start
        start = read_tlv(pdu, start, stop)[1]
    if argument is None or pdu[argument] != 0x30:
        return None
    reply = _within(pdu, *read_tlv(pdu, argument, stop), 0xA4, 0xA3, 0x30)
    if reply is None:
        return None
    cross_ref = _within(pdu, *reply, 0xA0, 0x04)
    last = _within(pdu, *reply, 0xA2, 0x01)
    if cross_ref is None:
        return None
    return pdu[cross_ref[0] : cross_ref[1]], last is not None and any(pdu[last[0] : last[1]])


def _within(pdu: bytes, start: int, stop: int, *tags: int) -> tuple[int, int] | None:
    """Contents (start, stop) of the TLV reached through ``tags``, each the first TLV with that
    identifier octet among the contents of the one before; None when one is missing."""
    for tag in tags:
        pos = start
        while pos < stop and pdu[pos] != tag:
            pos = read_tlv(pdu, pos, stop)[1]
        if pos >= stop:
            return None
        start, stop = read_tlv(pdu, pos, stop)
    return start, stop


def with_invoke_id(pdu: bytes, invoke_id: int, peek: Peek | None = None) -> bytes:
    """Copy of the ROSE PDU ``pdu`` whose invokeId is ``invoke_id`` (a NULL one is replaced too);
    made by slicing when ``peek``, a peek at ``pdu`` itself, says where its invokeId ends."""
    end = len(pdu)
    after = 0 if peek is None else peek.after_id
    if not after:
        if not end or pdu[0] not in _KINDS or pdu[0] < 0xA0:
            raise DecodeError("only ROSE PDUs (0xa1..0xa4) carry an invokeId", 0)
        kind = _KINDS[pdu[0]]
        start, stop = read_tlv(pdu, 0, end)
        if stop != end:
            raise DecodeError(f"{end - stop} trailing octet(s) after the {kind.value} PDU", stop)
        if start == end or pdu[start] not in (0x02, 0x05):
            _invoke_id(pdu, start, end, kind)  # raises, saying what is wrong
        after = read_tlv(pdu, start, end)[1]
    new_id = _invoke_id_tlv(invoke_id)
    return pdu[:1] + encode_length(len(new_id) + end - after) + new_id + pdu[after:]


def framed_with_invoke_id(pdu: bytes, invoke_id: int, peek: Peek | None = None) -> bytes:
    """``frame(with_invoke_id(pdu, invoke_id, peek))`` in one copy when ``peek`` says where
    the invokeId ends: what a router does to every request it passes on."""
    after = 0 if peek is None else peek.after_id
    if not after:
        return frame(with_invoke_id(pdu, invoke_id))
    rest = len(pdu) - after
    if 0 <= invoke_id < 0x8000 and rest < 0x7C:
        # The usual answer or request: a short length and an id a link allocates, so the
        # frame's header, the PDU's and the id's are made in one go.
        if invoke_id < 0x80:
            size = rest + 3
            head = bytes((0, size + 2, pdu[0], size, 0x02, 1, invoke_id))
        else:
            size = rest + 4
            head = bytes((0, size + 2, pdu[0], size, 0x02, 2, invoke_id >> 8, invoke_id & 0xFF))
        return head + pdu[after:]
    new_id = _invoke_id_tlv(invoke_id)
    size = len(new_id) + len(pdu) - after
    length = encode_length(size)
    total = 1 + len(length) + size
    if total > MAX_FRAME:
        raise ValueError(f"a PDU must be 1..{MAX_FRAME} bytes, not {total}")
    return total.to_bytes(HEADER_SIZE, "big") + pdu[:1] + length + new_id + pdu[after:]


def _invoke_id_tlv(invoke_id: int) -> bytes:
    """The INTEGER TLV of an invokeId; ids a link allocates (1..32767) without a general
    encoder."""
    if 0 <= invoke_id < 0x80:
        return bytes((0x02, 1, invoke_id))
    if 0x80 <= invoke_id < 0x8000:
        return bytes((0x02, 2, invoke_id >> 8, invoke_id & 0xFF))
    content = encode_integer(invoke_id)
    return b"\x02" + encode_length(len(content)) + content


def with_cross_ref(pdu: bytes, cross_ref: bytes) -> bytes:
    """Copy of the cSTAEventReport invoke ``pdu`` whose crossRefIdentifier is ``cross_ref``."""
    if not pdu or pdu[0] != 0xA1:
        raise DecodeError("only an invoke can be a cSTAEventReport", 0)
    _, _, opcode, body, argument, _, cross_stop, argument_stop, _, _, _ = _scan(pdu)
    if opcode != CSTA_EVENT_REPORT:
        raise DecodeError(f"operation {opcode} is not cSTAEventReport ({CSTA_EVENT_REPORT})", 0)
    if argument < 0:
        raise DecodeError("cSTAEventReport without argument", len(pdu))
    # The crossRefIdentifier is the argument's first component: the new argument is its header,
    # the new crossRefIdentifier TLV and the argument's octets after the old one. Nothing may
    # follow the argument in an invoke, but if something does it is kept too.
    new_cross = b"\x55" + encode_length(len(cross_ref)) + cross_ref
    argument_size = len(new_cross) + argument_stop - cross_stop
    argument_header = b"\x30" + encode_length(argument_size)
    size = argument - body + len(argument_header) + argument_size + len(pdu) - argument_stop
    return (
        b"\xa1"
        + encode_length(size)
        + pdu[body:argument]
        + argument_header
        + new_cross
        + pdu[cross_stop:]
    )


# Marks an ACSE APDU in _scan's result: it has no invokeId, not even a NULL one.
_ACSE = object()

_Scan = tuple[Kind, Any, Any, int, int, int, int, int, int, int, int]


def _scan(pdu: bytes) -> _Scan:
    """Walk ``pdu`` to its routing fields; peek and with_cross_ref share this one walk.

    Return (kind, invokeId (None for NULL, _ACSE for ACSE), opcode or errcode, start of the ROSE
    body, then for a cSTAEventReport with an argument: the argument's position,
    crossRefIdentifier content start and stop, argument stop, group and event tag numbers; the
    argument's position is -1 otherwise; last, where the invokeId ends, 0 for ACSE).

    This runs for every PDU the multiplexer routes, so each TLV header in the usual form (one
    identifier octet, short length) is read inline; anything else goes through read_tlv, which
    also words every error. Each inline read checks its TLV against its container just as
    read_tlv does.
    """
    end = len(pdu)
    if not end:
        raise DecodeError("empty PDU", 0)
    first = pdu[0]
    kind = _KINDS.get(first)
    if kind is None:
        raise DecodeError(
            f"first octet 0x{first:02x} is neither an ACSE APDU ([APPLICATION 0..4], 0x60..0x64)"
            " nor a ROSE PDU ([1]..[4], 0xa1..0xa4)",
            0,
        )
    if end > 1 and pdu[1] < 0x80:
        body = 2
        stop = 2 + pdu[1]
    else:
        body, stop = read_tlv(pdu, 0, end)
    if stop != end:
        if stop > end:
            read_tlv(pdu, 0, end)
        raise DecodeError(f"{end - stop} trailing octet(s) after the {kind.value} PDU", stop)
    if first < 0xA0:
        return kind, _ACSE, None, body, -1, 0, 0, 0, 0, 0, 0

    pos = body
    if pos + 1 < end and pdu[pos] == 0x02 and 0 < (n := pdu[pos + 1]) < 0x80 and pos + 2 + n <= end:
        if n == 1:  # int.from_bytes costs as much again as all the rest of this step
            invoke_id: int | None = pdu[pos + 2] - (pdu[pos + 2] & 0x80) * 2
        else:
            invoke_id = int.from_bytes(pdu[pos + 2 : pos + 2 + n], "big", signed=True)
        pos += 2 + n
    else:
        invoke_id, pos = _invoke_id(pdu, pos, end, kind)
    after_id = pos

    if first == 0xA2:
        if pos == end:
            return kind, invoke_id, None, body, -1, 0, 0, 0, 0, 0, after_id
        if pdu[pos] != 0x30:
            raise DecodeError(f"returnResult: result must be a SEQUENCE, not 0x{pdu[pos]:02x}", pos)
        start, stop = read_tlv(pdu, pos, end)
        code = _code(pdu, start, stop, "result opcode")[0]
        return kind, invoke_id, code, body, -1, 0, 0, 0, 0, 0, after_id
    if first == 0xA3:
        code = _code(pdu, pos, end, "errcode")[0]
        return kind, invoke_id, code, body, -1, 0, 0, 0, 0, 0, after_id
    if first == 0xA4:
        return kind, invoke_id, None, body, -1, 0, 0, 0, 0, 0, after_id

    if pos < end and (pdu[pos] == 0x80 or pdu[pos] == 0x81):
        pos = read_tlv(pdu, pos, end)[1]
    if pos + 1 < end and pdu[pos] == 0x02 and 0 < (n := pdu[pos + 1]) < 0x80 and pos + 2 + n <= end:
        if n == 1:
            opcode: int | None = pdu[pos + 2] - (pdu[pos + 2] & 0x80) * 2
        else:
            opcode = int.from_bytes(pdu[pos + 2 : pos + 2 + n], "big", signed=True)
        pos += 2 + n
    else:
        opcode, pos = _code(pdu, pos, end, "invoke opcode")
    if opcode != CSTA_EVENT_REPORT or pos == end:
        return kind, invoke_id, opcode, body, -1, 0, 0, 0, 0, 0, after_id

    # CSTAEventReportArgument ::= SEQUENCE { crossRefIdentifier [APPLICATION 21] OCTET STRING,
    #     eventSpecificInfo CHOICE { [group] CHOICE { [event] ... } } }
    argument = pos
    if pdu[pos] != 0x30:
        raise DecodeError(
            f"cSTAEventReport argument must be a SEQUENCE (0x30), not 0x{pdu[pos]:02x}", pos
        )
    if pos + 1 < end and (n := pdu[pos + 1]) < 0x80 and pos + 2 + n <= end:
        pos += 2
        argument_stop = pos + n
    else:
        pos, argument_stop = read_tlv(pdu, pos, end)

    if pos == argument_stop or pdu[pos] != 0x55:
        raise DecodeError("cSTAEventReport: crossRefIdentifier (0x55) expected", pos)
    if pos + 1 < argument_stop and (n := pdu[pos + 1]) < 0x80 and pos + 2 + n <= argument_stop:
        cross_start = pos + 2
        pos = cross_stop = cross_start + n
    else:
        cross_start, cross_stop = read_tlv(pdu, pos, argument_stop)
        pos = cross_stop

    if pos == argument_stop:
        raise DecodeError("cSTAEventReport: eventSpecificInfo missing", pos)
    group = pdu[pos]
    if group & 0xE0 != 0xA0:
        raise DecodeError(
            "cSTAEventReport: eventSpecificInfo must be a constructed context-specific tag,"
            f" not 0x{group:02x}",
            pos,
        )
    group &= 0x1F
    if group != 0x1F and pos + 1 < argument_stop and (n := pdu[pos + 1]) < 0x80:
        group_stop = pos + 2 + n
        if group_stop > argument_stop:
            read_tlv(pdu, pos, argument_stop)
        pos += 2
    else:
        group = tag_number(pdu, pos, argument_stop)[0]
        pos, group_stop = read_tlv(pdu, pos, argument_stop)

    if pos == group_stop:
        raise DecodeError("cSTAEventReport: eventSpecificInfo holds no event", pos)
    event = pdu[pos]
    if event & 0xC0 != 0x80:
        raise DecodeError(
            f"cSTAEventReport: event must be a context-specific tag, not 0x{event:02x}", pos
        )
    event &= 0x1F
    if event == 0x1F:
        event = tag_number(pdu, pos, group_stop)[0]
        read_tlv(pdu, pos, group_stop)
    elif not (pos + 1 < group_stop and (n := pdu[pos + 1]) < 0x80 and pos + 2 + n <= group_stop):
        read_tlv(pdu, pos, group_stop)
    return (
        kind,
        invoke_id,
        opcode,
        body,
        argument,
        cross_start,
        cross_stop,
        argument_stop,
        group,
        event,
        after_id,
    )


def _invoke_id(pdu: bytes, pos: int, end: int, kind: Kind) -> tuple[int | None, int]:
    """InvokeId ::= CHOICE { present INTEGER, absent NULL }: (value or None, position after)."""
    if pos >= end:
        raise DecodeError(f"{kind.value}: invokeId missing", pos)
    tag = pdu[pos]
    if tag == 0x02:
        start, stop = read_tlv(pdu, pos, end)
        return read_integer(pdu, start, stop), stop
    if tag == 0x05:
        start, stop = read_tlv(pdu, pos, end)
        if start != stop:
            raise DecodeError(f"{kind.value}: NULL invokeId with content", pos)
        return None, stop
    raise DecodeError(
        f"{kind.value}: invokeId must be INTEGER (0x02) or NULL (0x05), not 0x{tag:02x}", pos
    )


def _code(pdu: bytes, pos: int, end: int, what: str) -> tuple[int | None, int]:
    """Code ::= CHOICE { local INTEGER, global OBJECT IDENTIFIER }: (local value or None, after)."""
    if pos >= end:
        raise DecodeError(f"{what} missing", pos)
    tag = pdu[pos]
    if tag == 0x02:
        start, stop = read_tlv(pdu, pos, end)
        return read_integer(pdu, start, stop), stop
    if tag == 0x06:
        return None, read_tlv(pdu, pos, end)[1]
    raise DecodeError(
        f"{what} must be INTEGER (0x02) or OBJECT IDENTIFIER (0x06), not 0x{tag:02x}", pos
    )
