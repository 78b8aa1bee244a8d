"""What the multiplexer writes, to the PBX and to applications, is what ECMA-285 defines.

Every PDU of a busy in-memory session is decoded by the independent asn1tools decoder in
shared/oracle, strictly. Panasonic private data (KME) is outside that decoder (its
CSTAPrivateData.private is NULL), so PDUs carrying it are left out.
"""

from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import apdu, ber
from ecsta.wire.opcodes import Opcode
from ecsta.wire.operations import BY_CODE
from tests.apdu_oracle import oracle
from tests.mux_harness import Rig, cdr_start, held_event, make_call, monitor_start


def carries_kme(pdu: bytes) -> bool:
    return pdu[0] in (0xA1, 0xA2) and b"\x02\x01\x33" in pdu[:12]


class OracleTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.ecma285 = oracle()

    def test_everything_the_mux_writes_decodes_strictly(self) -> None:
        rig = Rig({"pbx": {"request_timeout": 5}, "applications": {"max_open_requests": 3}})
        pbx = rig.pbx
        assert pbx is not None
        a, b = rig.connect_app(), rig.connect_app()
        rig.send(a, monitor_start(9, "101", {"callControl": (b"\x01", 8)}))
        rig.send(b, monitor_start(9, "101"))
        xref = a.answers(9)[0].result["crossRefIdentifier"]
        [ref] = pbx.monitors
        pbx.send_event(ref, "callControlEvents", "held", held_event(ref, "101"))
        rig.send(
            a,
            apdu.encode(
                apdu.Invoke(
                    10,
                    Opcode.changeMonitorFilter,
                    {"crossRefIdentifier": xref, "requestedFilterList": {}},
                )
            ),
        )
        rig.send(
            a, apdu.encode(apdu.Invoke(11, Opcode.monitorStop, {"crossRefIdentifier": b"nope"}))
        )
        rig.send(a, bytes.fromhex("a1090201090202270f3000"))
        pbx.holding.add(10)
        for invoke_id in range(4):
            rig.send(b, make_call(invoke_id, "101", "102"))
        rig.advance(6)
        rig.send(a, apdu.encode(apdu.Invoke(12, Opcode.monitorStop, {"crossRefIdentifier": xref})))
        rig.send(b, apdu.encode(apdu.Invoke(12, Opcode.monitorStop, {"crossRefIdentifier": xref})))
        rig.send(a, cdr_start(20))
        rig.send(b, cdr_start(20))
        d = pbx.invoke(
            "cDRReport",
            {
                "cdrCrossRefID": next(iter(pbx.cdr_running)),
                "numberOfRecordsSent": 1,
                "cdrInfo": [{"recordCreationTime": "20261127103000"}],
            },
        )
        rig.flush()
        self.successResultOf(d)
        d = pbx.invoke("swFunctionDevicesChanged", {})
        a.transport.loseConnection()  # type: ignore[union-attr]
        rig.flush()
        rig.drop_pbx()
        # An invoke of an operation ECMA-285 does not define is the application's own bytes,
        # passed on for the PBX to answer: the mux wrote only its invokeId.
        passed_on = [p for p in pbx.raw_invokes if ber.peek(p).opcode not in BY_CODE]
        self.assertEqual([ber.peek(p).opcode for p in passed_on], [9999])
        written = [
            p for p in pbx.received + a.seen + b.seen if not carries_kme(p) and p not in passed_on
        ]
        kinds = set()
        for pdu in written:
            kind, _ = self.ecma285.decode_apdu(pdu)
            kinds.add(kind)
        self.assertLessEqual(
            {"aarq", "aare", "invoke", "returnResult", "returnError", "reject"}, kinds
        )
        sent_to_pbx = {ber.peek(p).opcode for p in pbx.raw_invokes}
        self.assertEqual(sent_to_pbx, {71, 73, 10, 363, 364, 9999})
