"""What routing one PDU costs with the fast BER layer, against decoding and encoding it fully.

The multiplexer reads the routing fields of every PDU and rewrites the crossRefIdentifier of
every event it fans out; full decoding is for the few PDUs it must understand. This prints the
time per PDU (µs, the best of several runs) of each step on a Panasonic Delivered event that
carries KME private data, and the ratio of a pyasn1 full decode (pyasn1's BER codec with the
specs of ecsta.wire.asn1) to (peek + with_cross_ref) against the 100x target. It also shows the
ratio against ecsta.wire.apdu, the project's own decoder over compiled plans of the same specs,
which is several times faster than pyasn1's.

    python bench/codec.py [--quick]

Exit status 0 when the pyasn1 target is met, 1 when not.
"""

import argparse
import os
import sys
import timeit
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from pyasn1.codec.ber import decoder, encoder

from ecsta.wire import apdu, ber
from ecsta.wire.asn1.events import CSTAEventReportArgument
from ecsta.wire.asn1.rose import ROS
from tests.ber_pdus import DELIVERED_KME

TARGET = 100

# cSTAEventReport (invokeId 5) for monitor 00 01: delivered, connection "both" { callID 00 07,
# staticID "102" }, alerting "102", calling "101", called "102", lastRedirection notKnown,
# alerting, newCall, and extensions privateData [ kmeAdditionalData device "101" ].
DELIVERED = DELIVERED_KME
NEW_CROSS_REF = b"\x00\x00\x00\x2a"


def per_call(call: Callable[[], Any], number: int, repeat: int) -> float:
    """Microseconds per call, the best of ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(call, number=number, repeat=repeat)) / number * 1e6


def pyasn1_decode(pdu: bytes) -> tuple[Any, Any]:
    """pyasn1's BER decoder: the ROSE envelope, then the event report in its open type."""
    ros, _ = decoder.decode(pdu, asn1Spec=ROS())
    argument, _ = decoder.decode(
        bytes(ros["invoke"]["argument"]), asn1Spec=CSTAEventReportArgument()
    )
    return ros, argument


def pyasn1_encode(decoded: tuple[Any, Any]) -> bytes:
    ros, argument = decoded
    ros["invoke"]["argument"] = encoder.encode(argument)
    return bytes(encoder.encode(ros))


def check() -> None:
    """Refuse to time anything that does not read this PDU right."""
    ber.validate(DELIVERED)
    assert ber.peek(DELIVERED) == ber.Peek(ber.Kind.INVOKE, 5, 21, b"\x00\x01", (0, 4), None)
    spliced = ber.with_cross_ref(DELIVERED, NEW_CROSS_REF)
    decoded = apdu.decode(DELIVERED)
    assert isinstance(decoded, apdu.Invoke)
    assert apdu.encode(decoded) == DELIVERED
    argument = apdu.decode(spliced).argument  # type: ignore[union-attr]
    assert argument == dict(decoded.argument, crossRefIdentifier=NEW_CROSS_REF)
    _, event = pyasn1_decode(DELIVERED)
    assert bytes(event["crossRefIdentifier"]) == b"\x00\x01"
    assert event["eventSpecificInfo"]["callControlEvents"].getName() == "delivered"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, rougher figures")
    options = parser.parse_args(argv)
    fast, slow, repeat = (2000, 30, 3) if options.quick else (20000, 300, 7)

    check()
    decoded = apdu.decode(DELIVERED)
    raw = pyasn1_decode(DELIVERED)
    rows = {
        "validate": per_call(lambda: ber.validate(DELIVERED), fast, repeat),
        "peek": per_call(lambda: ber.peek(DELIVERED), fast, repeat),
        "with_cross_ref": per_call(
            lambda: ber.with_cross_ref(DELIVERED, NEW_CROSS_REF), fast, repeat
        ),
        "with_invoke_id": per_call(lambda: ber.with_invoke_id(DELIVERED, 300), fast, repeat),
        "full decode, pyasn1 BER codec": per_call(lambda: pyasn1_decode(DELIVERED), slow, repeat),
        "full encode, pyasn1 BER codec": per_call(lambda: pyasn1_encode(raw), slow, repeat),
        "full decode, ecsta.wire.apdu": per_call(lambda: apdu.decode(DELIVERED), slow, repeat),
        "full encode, ecsta.wire.apdu": per_call(lambda: apdu.encode(decoded), slow, repeat),
    }

    print(f"Delivered event with KME private data, {len(DELIVERED)} octets")
    print(f"µs per PDU, best of {repeat} runs")
    width = max(map(len, rows))
    for label, micros in rows.items():
        print(f"  {label:<{width}}  {micros:8.2f}")
    routing = rows["peek"] + rows["with_cross_ref"]
    print(f"  {'peek + with_cross_ref':<{width}}  {routing:8.2f}")
    ratio = rows["full decode, pyasn1 BER codec"] / routing
    verdict = "PASS" if ratio >= TARGET else "FAIL"
    print(
        f"pyasn1 full decode : (peek + with_cross_ref) = {ratio:.0f}x"
        f"  (target {TARGET}x)  {verdict}"
    )
    # ecsta's own decoder walks compiled plans and is several times faster than pyasn1's; what
    # routing saves over it is shown for information.
    own = rows["full decode, ecsta.wire.apdu"] / routing
    print(f"ecsta.wire.apdu full decode : (peek + with_cross_ref) = {own:.0f}x")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
