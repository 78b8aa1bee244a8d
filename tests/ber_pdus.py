"""PDUs for the BER routing tests, and what an independent full decoder says about them.

The reference decoder is the ECMA-285 oracle built with asn1tools beside the repository
(``../shared/oracle``). What it decodes is the truth the routing fields are checked against.
"""

import datetime
import random
from collections.abc import Callable
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import apdu
from ecsta.wire.ber import EVENT_GROUPS, EVENT_NAMES, Kind, Peek
from ecsta.wire.opcodes import Opcode
from tests.apdu_oracle import oracle_or_reason

ROSE_MODULE = "Remote-Operations-Generic-ROS-PDUs"

oracle, ORACLE_MISSING = oracle_or_reason()
if oracle is not None:
    oracle.load()


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(text)


# PROTOCOL.md, captured from Panasonic PBXs and their clients.
AARQ = hexbytes(
    "60 23 80 02 07 80 a1 07 06 05 2b 0c 00 81 5a be 14 28 12 06 07 2b 0c 00 82 1d 81 48"
    " a0 07 a0 05 03 03 00 08 00"
)
AARE = hexbytes(
    "61 2f 80 02 07 80 a1 07 06 05 2b 0c 00 81 5a a2 03 02 01 00 a3 05 a1 03 02 01 01"
    " be 14 28 12 06 07 2b 0c 00 82 1d 81 48 a0 07 a0 05 03 03 00 08 00"
)
LENIENT_AARQ = hexbytes("60 14 80 09 00 76 65 72 73 69 6f 6e 33 a1 07 06 05 2b 0c 00 81 5a")
ABRT = hexbytes("64 03 80 01 00")
SYSTEM_STATUS = hexbytes("a1 0c 02 01 01 02 02 00 d3 30 03 0a 01 02")
SYSTEM_STATUS_RESULT = hexbytes("a2 0b 02 01 01 30 06 02 02 00 d3 05 00")
DEVICE_LIST_REQUEST = hexbytes(
    "a1 16 02 02 06 02 02 01 33 30 0d a4 0b a0 09 a4 07 a1 05 a0 03 0a 01 05"
)
MONITOR_START = hexbytes("a1 11 02 01 78 02 01 47 30 09 30 05 80 03 31 30 31 a0 00")

# Built by hand from X.880 and ECMA-285.
UNIVERSAL_FAILURE = hexbytes("a3 0b 02 01 05 02 01 01 a0 03 0a 01 01")  # operation generic(1)
REJECT = hexbytes("a4 06 02 01 07 81 01 01")  # invoke unrecognizedOperation
REJECT_NULL_ID = hexbytes("a4 05 05 00 80 01 02")  # general badlyStructuredPDU
RLRQ = hexbytes("62 00")
RLRE = hexbytes("63 03 80 01 00")
RESULT_WITHOUT_OPCODE = hexbytes("a2 03 02 01 09")
LINKED_INVOKE = hexbytes("a1 14 02 01 0a 80 01 09 02 01 47 30 09 30 05 80 03 31 30 31 a0 00")
UNLINKED_INVOKE = hexbytes("a1 13 02 01 0b 81 00 02 01 47 30 09 30 05 80 03 31 30 31 a0 00")


def device(number: str) -> dict[str, Any]:
    return {"deviceIdentifier": ("dialingNumber", number)}


def connection(call: bytes, number: str) -> tuple[str, dict[str, Any]]:
    return ("both", {"callID": call, "deviceID": ("staticID", device(number))})


DELIVERED = {
    "connection": connection(b"\x00\x07", "102"),
    "alertingDevice": ("deviceIdentifier", device("102")),
    "callingDevice": ("deviceIdentifier", device("101")),
    "calledDevice": ("deviceIdentifier", device("102")),
    "lastRedirectionDevice": ("notKnown", None),
    "localConnectionInfo": "alerting",
    "cause": "newCall",
}

# KmeSpecificPrivateData kmeAdditionalData [6] { device [6] EXPLICIT DeviceID "101" } as
# CSTACommonArguments (7e) privateData (a1), the way Panasonic PBXs extend their events.
KME_EXTENSIONS = hexbytes("7e 0d a1 0b a6 09 a6 07 30 05 80 03 31 30 31")


# with_kme_extensions(delivered_event(5, b"\x00\x01")), written out.
DELIVERED_KME = hexbytes(
    "a1 55 02 01 05 02 01 15 30 4d 55 02 00 01 a0 47 a4 45"
    " 6b 0f 30 0d 80 02 00 07 a1 07 30 05 80 03 31 30 32"
    " 63 07 30 05 80 03 31 30 32"
    " 61 07 30 05 80 03 31 30 31"
    " 62 07 30 05 80 03 31 30 32"
    " 64 02 87 00"
    " 4e 01 02 0a 01 16"
    " 7e 0d a1 0b a6 09 a6 07 30 05 80 03 31 30 31"
)

PANASONIC_PDUS = (
    AARQ,
    AARE,
    LENIENT_AARQ,
    ABRT,
    RLRQ,
    RLRE,
    SYSTEM_STATUS,
    SYSTEM_STATUS_RESULT,
    DEVICE_LIST_REQUEST,
    MONITOR_START,
    LINKED_INVOKE,
    UNLINKED_INVOKE,
    RESULT_WITHOUT_OPCODE,
    UNIVERSAL_FAILURE,
    REJECT,
    REJECT_NULL_ID,
    DELIVERED_KME,
)


def delivered_event(invoke_id: int, cross_ref: bytes) -> bytes:
    assert oracle is not None
    return bytes(
        oracle.encode_event(invoke_id, cross_ref, "callControlEvents", "delivered", DELIVERED)
    )


def with_kme_extensions(event: bytes) -> bytes:
    """``event`` (whose lengths all fit one octet) with KME private data appended to the event."""
    grown = len(KME_EXTENSIONS)
    out = bytearray(event)
    # a1 LL 02 .. 02 01 15 | 30 LL 55 LL .. | a0 LL | a4 LL ...
    pos = 2
    for _ in range(2):  # invokeId, opcode
        pos += 2 + out[pos + 1]
    argument = pos
    cross = argument + 2
    group = cross + 2 + out[cross + 1]
    for header in (0, argument, group, group + 2):
        out[header + 1] += grown
    return bytes(out) + KME_EXTENSIONS


def full_decode(pdu: bytes) -> tuple[str, dict[str, Any]]:
    """The oracle's strict decode, arguments and results included."""
    assert oracle is not None
    kind, value = oracle.decode_apdu(pdu)
    return kind, dict(value)


def rose_decode(pdu: bytes) -> tuple[str, dict[str, Any]]:
    """ROSE-level decode: argument, result and parameter stay encoded."""
    assert oracle is not None
    kind, value = oracle.decode_type("ROS", pdu, ROSE_MODULE)
    return kind, dict(value)


def assert_only_invoke_id_changed(
    case: SynchronousTestCase,
    decode: Callable[[bytes], tuple[str, dict[str, Any]]],
    pdu: bytes,
    spliced: bytes,
    invoke_id: int,
) -> None:
    """``spliced`` decodes (with ``decode``) as ``pdu`` does but for its invokeId."""
    kind, before = decode(pdu)
    spliced_kind, after = decode(spliced)
    case.assertEqual(spliced_kind, kind)
    case.assertEqual(after.pop("invokeId"), ("present", invoke_id))
    before.pop("invokeId")
    case.assertEqual(after, before)


def _local(code: tuple[str, Any]) -> int | None:
    return code[1] if code[0] == "local" else None


def oracle_peek(pdu: bytes) -> Peek:
    """The routing fields as the oracle's full decode shows them."""
    assert oracle is not None
    if pdu[0] < 0xA0:
        kind, _ = oracle.decode_apdu(pdu)
        return Peek(Kind(kind), None, None, None, None, None)
    kind, value = rose_decode(pdu)
    invoke_id = value["invokeId"][1]
    opcode = errcode = cross_ref = event = None
    if kind == "invoke":
        opcode = _local(value["opcode"])
        if opcode == Opcode.cSTAEventReport and "argument" in value:
            argument = oracle.decode_type(
                "CSTAEventReportArgument", value["argument"], "CSTA-event-report-definitions"
            )
            cross_ref = bytes(argument["crossRefIdentifier"])
            group, (name, _) = argument["eventSpecificInfo"]
            event = event_numbers(group, name)
    elif kind == "returnResult" and "result" in value:
        opcode = _local(value["result"]["opcode"])
    elif kind == "returnError":
        errcode = _local(value["errcode"])
    return Peek(Kind(kind), invoke_id, opcode, cross_ref, event, errcode)


_APDU_KINDS = {
    apdu.AARQ: Kind.AARQ,
    apdu.AARE: Kind.AARE,
    apdu.RLRQ: Kind.RLRQ,
    apdu.RLRE: Kind.RLRE,
    apdu.ABRT: Kind.ABRT,
    apdu.Invoke: Kind.INVOKE,
    apdu.ReturnResult: Kind.RETURN_RESULT,
    apdu.ReturnError: Kind.RETURN_ERROR,
    apdu.Reject: Kind.REJECT,
}


def apdu_peek(pdu: bytes) -> Peek:
    """The routing fields as the project's own full decoder (ecsta.wire.apdu) shows them."""
    decoded = apdu.decode(pdu)
    kind = _APDU_KINDS[type(decoded)]
    if isinstance(decoded, apdu.Invoke):
        if decoded.opcode == Opcode.cSTAEventReport and decoded.argument is not None:
            group, (name, _) = decoded.argument["eventSpecificInfo"]
            cross_ref = decoded.argument["crossRefIdentifier"]
            event = event_numbers(group, name)
            return Peek(kind, decoded.invoke_id, 21, cross_ref, event, None)
        return Peek(kind, decoded.invoke_id, decoded.opcode, None, None, None)
    if isinstance(decoded, apdu.ReturnResult):
        return Peek(kind, decoded.invoke_id, decoded.opcode, None, None, None)
    if isinstance(decoded, apdu.ReturnError):
        return Peek(kind, decoded.invoke_id, None, None, None, decoded.errcode)
    if isinstance(decoded, apdu.Reject):
        return Peek(kind, decoded.invoke_id, None, None, None, None)
    return Peek(kind, None, None, None, None, None)


def event_numbers(group_name: str, event_name: str) -> tuple[int, int]:
    group = {name: number for number, name in EVENT_GROUPS.items()}[group_name]
    (number,) = [n for (g, n), name in EVENT_NAMES.items() if g == group and name == event_name]
    return group, number


# ---------------------------------------------------------------------------------------------
# Random values of any CSTA type, from the oracle's compiled specification. Constraints are not
# modelled: candidates that the oracle will not encode and decode back strictly are dropped.

_DIGITS = "0123456789"


def synthesize(t: Any, rng: random.Random, depth: int = 0) -> Any:
    kind = type(t).__name__
    if kind in ("ExplicitTag", "Recursive"):
        return synthesize(t.inner, rng, depth)
    if kind in ("Sequence", "Set"):
        value = {}
        for member in t.root_members:
            wanted = rng.random() < (0.5 if depth < 3 else 0.05)
            if (not member.optional and getattr(member, "default", None) is None) or wanted:
                value[member.name] = synthesize(member, rng, depth + 1)
        return value
    if kind == "Choice":
        member = rng.choice(t.members)
        return (member.name, synthesize(member, rng, depth + 1))
    if kind in ("SequenceOf", "SetOf"):
        count = rng.randint(1, 2) if depth < 4 else 1
        return [synthesize(t.element_type, rng, depth + 1) for _ in range(count)]
    if kind == "Integer":
        return rng.choice([0, 1, 2, 7, 100, 0x01110065])
    if kind == "Enumerated":
        return rng.choice(sorted(t.value_to_data.values()))
    if kind == "Boolean":
        return rng.random() < 0.5
    if kind == "Null":
        return None
    if kind == "OctetString":
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
    if kind == "BitString":
        bits = rng.choice([0, 1, 8, 12])
        return (bytes(rng.randrange(256) for _ in range((bits + 7) // 8)), bits)
    if kind == "ObjectIdentifier":
        return "1.3.12.0.285"
    if kind in ("GeneralizedTime", "UTCTime"):
        return datetime.datetime(2026, 11, 27, 10, 30, 0)
    if kind.endswith("String"):
        return "".join(rng.choice(_DIGITS) for _ in range(rng.randint(1, 5)))
    raise TypeError(f"no values for {kind} {t.name}")


def _compiled(name: str, module: str) -> Any:
    assert oracle is not None
    return oracle.load().spec.modules[module][name]


def _decodes(pdu: bytes) -> bool:
    assert oracle is not None
    try:
        oracle.decode_apdu(pdu)
    except Exception:
        return False
    return True


def operation_pools(which: str, attempts: int = 12, seed: int = 285) -> dict[int, list[bytes]]:
    """Encoded arguments (``which="argument"``) or results per operation code.

    Each one is accepted by the oracle's strict decoder inside an invoke or a returnResult.
    """
    assert oracle is not None
    rng = random.Random(seed)
    pools: dict[int, list[bytes]] = {}
    for code, operation in sorted(oracle.operations().items()):
        name = getattr(operation, which)
        if name is None or code == 21:
            continue
        compiled = _compiled(name, operation.module)
        found: list[bytes] = []
        for _ in range(attempts):
            try:
                encoded = bytes(compiled.encode(synthesize(compiled.type, rng)))
            except Exception:
                continue
            pdu = invoke(1, code, encoded) if which == "argument" else result(1, code, encoded)
            if encoded not in found and _decodes(pdu):
                found.append(encoded)
        if found:
            pools[code] = found
    return pools


def event_pools(attempts: int = 12, seed: int = 21) -> dict[tuple[int, int], list[Any]]:
    """EventSpecificInfo values per (group, event), each accepted by the oracle."""
    assert oracle is not None
    rng = random.Random(seed)
    argument = _compiled("CSTAEventReportArgument", "CSTA-event-report-definitions")
    specific = argument.type.root_members[1]
    pools: dict[tuple[int, int], list[Any]] = {}
    for group in specific.members:
        for event in group.inner.members:
            key = event_numbers(group.name, event.name)
            found: list[Any] = []
            for _ in range(attempts):
                value = (group.name, (event.name, synthesize(event, rng, 1)))
                try:
                    pdu = bytes(oracle.encode_invoke(1, 21, event_value(b"\x01", value)))
                except Exception:
                    continue
                if value not in found and _decodes(pdu):
                    found.append(value)
            if found:
                pools[key] = found
    return pools


def event_value(cross_ref: bytes, specific: Any) -> dict[str, Any]:
    return {"crossRefIdentifier": cross_ref, "eventSpecificInfo": specific}


def invoke(
    invoke_id: int, opcode: int, argument: bytes, linked: tuple[str, Any] | None = None
) -> bytes:
    """An invoke with an already encoded argument, and a linkedId when ``linked`` is given."""
    assert oracle is not None
    value = {"invokeId": ("present", invoke_id), "opcode": ("local", opcode), "argument": argument}
    if linked is not None:
        value["linkedId"] = linked
    return bytes(oracle.encode_type("ROS", ("invoke", value), ROSE_MODULE))


def result(invoke_id: int, opcode: int, encoded: bytes) -> bytes:
    """A returnResult with an already encoded result."""
    assert oracle is not None
    value = {
        "invokeId": ("present", invoke_id),
        "result": {"opcode": ("local", opcode), "result": encoded},
    }
    return bytes(oracle.encode_type("ROS", ("returnResult", value), ROSE_MODULE))
