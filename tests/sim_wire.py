"""An in-memory CSTA client for the simulator's network side, checking every PDU it is sent.

:class:`WireClient` connects a :class:`StringTransport` to a :class:`SimulatorProtocol`, speaks
raw PDUs to it and decodes whatever comes back twice: with ecsta's own stack and with the
independent ECMA-285 oracle (asn1tools on the standard's ASN.1). The oracle cannot look inside
Panasonic KME private data (ECMA-285 leaves ``CSTAPrivateData.private`` open), so for PDUs that
carry some, the KME part is checked with ecsta's stack and the rest with the oracle, by
re-encoding the value with that private data replaced by an opaque OCTET STRING.
"""

import datetime
from typing import Any

from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport

from ecsta.sim.config import SimConfig
from ecsta.sim.server import SimulatorFactory, SimulatorProtocol
from ecsta.wire import apdu
from ecsta.wire.framing import FrameDecoder, frame
from ecsta.wire.opcodes import Opcode
from ecsta.wire.operations import lookup
from tests.apdu_oracle import oracle
from tests.ber_pdus import AARE, AARQ
from tests.ber_pdus import SYSTEM_STATUS as FIRST_STATUS
from tests.sim_helpers import without_kme

DEVICE_LIST_STATIONS = bytes.fromhex("a11602020602020133300da40ba009a407a105a0030a0105")
DEVICE_LIST_TRUNKS = bytes.fromhex("a11602020603020133300da40ba009a407a105a0030a0102")

#: 2026-11-27 10:00:00 UTC: the simulated clock starts here so that CDR times look real.
EPOCH = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC).timestamp()


def dialing(number: str) -> dict[str, Any]:
    return {"deviceIdentifier": ("dialingNumber", number)}


def device_number(number: int) -> dict[str, Any]:
    return {"deviceIdentifier": ("deviceNumber", number)}


def _as_on_the_wire(value: Any) -> Any:
    """The oracle's value with GeneralizedTime as the text on the wire, as ecsta gives it.

    asn1tools turns GeneralizedTime into a ``datetime``; the project's convention keeps the
    text (``'20261127103000'``).
    """
    if isinstance(value, datetime.datetime):
        text = value.strftime("%Y%m%d%H%M%S")
        return text + (f".{value.microsecond:06d}".rstrip("0") if value.microsecond else "")
    if isinstance(value, dict):
        return {key: _as_on_the_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_on_the_wire(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_as_on_the_wire(item) for item in value)
    return value


def oracle_view(pdu: bytes) -> tuple[apdu.APDU, Any]:
    """Decode ``pdu`` with ecsta and with the oracle; fail unless both accept it and agree.

    Returns ecsta's APDU and the oracle's value of the argument or result.
    """
    ours = apdu.decode(pdu)
    assert apdu.encode(ours) == pdu, f"ecsta does not re-encode {pdu.hex()} identically"
    if isinstance(ours, apdu.Invoke):
        payload = ours.argument
    elif isinstance(ours, apdu.ReturnResult):
        payload = ours.result
    elif isinstance(ours, apdu.ReturnError):
        payload = ours.error
    else:
        kind, value = oracle().decode_apdu(pdu)
        return ours, value
    stripped, had_kme = without_kme(payload)
    checked = pdu
    if had_kme:
        if isinstance(ours, apdu.Invoke):
            checked = apdu.encode(apdu.Invoke(ours.invoke_id, ours.opcode, stripped))
        else:
            assert isinstance(ours, apdu.ReturnResult)
            checked = apdu.encode(apdu.ReturnResult(ours.invoke_id, ours.opcode, stripped))
    kind, value = oracle().decode_apdu(checked)
    value = _as_on_the_wire(value)
    if kind == "invoke":
        theirs = value["argument"]
    elif kind == "returnResult":
        theirs = value["result"]["result"]
    else:
        theirs = value["parameter"]
    assert theirs == stripped, f"oracle {theirs!r} != ecsta {stripped!r} for {pdu.hex()}"
    return ours, theirs


class WireClient:
    """A CSTA client made of bytes, on a simulator driven by a :class:`Clock`."""

    def __init__(self, factory: SimulatorFactory) -> None:
        self.factory = factory
        self.transport = StringTransport(peerAddress=IPv4Address("TCP", "127.0.0.1", 40000))
        self.protocol: SimulatorProtocol = factory.buildProtocol(self.transport.getPeer())
        self.protocol.makeConnection(self.transport)
        self._frames = FrameDecoder()
        #: Every PDU the simulator sent, decoded, in order (each checked against the oracle).
        self.log: list[apdu.APDU] = []

    def send(self, pdu: bytes) -> None:
        self.protocol.dataReceived(frame(pdu))

    def received(self) -> list[bytes]:
        """The PDUs sent to the client since the last call, each checked with the oracle."""
        data = self.transport.value()
        self.transport.clear()
        pdus = self._frames.feed(data)
        for pdu in pdus:
            if pdu[0] >= 0xA0:
                self.log.append(oracle_view(pdu)[0])
        return pdus

    def decoded(self) -> list[apdu.APDU]:
        return [apdu.decode(p) for p in self.received()]

    def associate(self) -> None:
        self.send(AARQ)
        pdus = self.received()
        assert pdus == [AARE, FIRST_STATUS], [p.hex() for p in pdus]

    def request(self, invoke_id: int, operation: str | int, argument: Any) -> list[apdu.APDU]:
        """Send an invoke; return everything the simulator sent in reply, decoded."""
        code = lookup(operation).code
        self.send(apdu.encode(apdu.Invoke(invoke_id, code, argument)))
        return self.decoded()

    def answer(self, invoke: apdu.Invoke, result: Any = ("noData", None)) -> None:
        assert invoke.invoke_id is not None
        self.send(apdu.encode(apdu.ReturnResult(invoke.invoke_id, invoke.opcode, result)))

    def drop(self) -> None:
        """The client goes away (the TCP connection closes)."""
        from twisted.internet.error import ConnectionDone
        from twisted.python.failure import Failure

        self.transport.loseConnection()
        self.protocol.connectionLost(Failure(ConnectionDone()))


def simulator(config: SimConfig | None = None, clock: Clock | None = None) -> SimulatorFactory:
    if clock is None:
        clock = Clock()
        clock.advance(EPOCH)
    return SimulatorFactory(clock, config if config is not None else SimConfig())


def advance(factory: SimulatorFactory, seconds: float) -> None:
    """Move the simulator's Clock on."""
    clock = factory.clock
    assert isinstance(clock, Clock)
    clock.advance(seconds)


def events(pdus: list[apdu.APDU]) -> list[tuple[bytes, str, dict[str, Any]]]:
    """(crossRef, event name, event value) of the event reports among ``pdus``."""
    out = []
    for pdu in pdus:
        if isinstance(pdu, apdu.Invoke) and pdu.opcode == Opcode.cSTAEventReport:
            _, (name, value) = pdu.argument["eventSpecificInfo"]
            out.append((pdu.argument["crossRefIdentifier"], name, value))
    return out
