"""An in-memory multiplexer between in-memory applications and an in-memory PBX.

Everything runs on one ``task.Clock`` with ``iosim`` transports: the applications are real
``CSTAClientProtocol`` associations that record every PDU they receive, the PBX is a real
``CSTAServerProtocol`` that answers the operations the multiplexer uses and records every invoke
that reaches it, and the multiplexer between them is the real adapter around the real core.
"""

import itertools
from collections.abc import Callable
from typing import Any

from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.test import iosim

from ecsta.journal.service import Journal
from ecsta.link.errors import OperationFailed
from ecsta.link.protocol import CSTAClientProtocol, CSTAServerProtocol
from ecsta.mux.config import MuxConfig, from_dict
from ecsta.mux.service import AppProtocol, Multiplexer, PBXProtocol
from ecsta.wire import apdu, ber
from ecsta.wire.opcodes import Opcode
from ecsta.wire.tlv import encode_integer, encode_length


def decoded(pdu: bytes) -> Any:
    """A PDU decoded, for tests that know which kind it is."""
    return apdu.decode(pdu)


def device(number: str) -> dict[str, Any]:
    return {"deviceIdentifier": ("dialingNumber", number)}


def monitor_start(invoke_id: int, number: str, filter_value: Any = None) -> bytes:
    argument: dict[str, Any] = {"monitorObject": ("deviceObject", device(number))}
    if filter_value is not None:
        argument["requestedMonitorFilter"] = filter_value
    return apdu.encode(apdu.Invoke(invoke_id, Opcode.monitorStart, argument))


def make_call(invoke_id: int, calling: str, called: str) -> bytes:
    argument = {"callingDevice": device(calling), "calledDirectoryNumber": device(called)}
    return apdu.encode(apdu.Invoke(invoke_id, Opcode.makeCall, argument))


def cdr_start(invoke_id: int) -> bytes:
    """StartCDRTransmission as the CDR owner of a test asks for it: a record at each call's
    end."""
    argument = {"transferMode": "transferAtEndOfCall"}
    return apdu.encode(apdu.Invoke(invoke_id, Opcode.startCDRTransmission, argument))


def call_of(number: str, call: bytes = b"\x00\x09") -> dict[str, Any]:
    """A MakeCallResult naming ``number``'s connection."""
    return {"callingDevice": ("both", {"callID": call, "deviceID": ("staticID", device(number))})}


def held_event(cross_ref: bytes, number: str, call: bytes = b"\x00\x01") -> dict[str, Any]:
    return {
        "heldConnection": ("both", {"callID": call, "deviceID": ("staticID", device(number))}),
        "holdingDevice": ("deviceIdentifier", device(number)),
        "cause": "normal",
    }


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + encode_length(len(content)) + content


#: Cross references of every FakePBX, unique across them, as a real PBX's are across restarts.
_REFS = itertools.count(0x100)


class FakePBX(CSTAServerProtocol):
    """A PBX that answers what the multiplexer asks and remembers every invoke it got."""

    def __init__(self, clock: Clock, **kwargs: Any) -> None:
        kwargs.setdefault("keepalive_interval", None)
        super().__init__(clock, **kwargs)
        self.invokes: list[apdu.Invoke] = []
        self.raw_invokes: list[bytes] = []
        self.received: list[bytes] = []
        self.monitors: dict[bytes, Any] = {}
        self.cdr_running: set[bytes] = set()
        #: Operations answered only when a test releases them, and the requests held so far.
        self.holding: set[int] = set()
        self.held: list[Deferred[Any]] = []
        self.fail: dict[int, Any] = {}
        self.next_escape_ref = b"\xe5\x01"
        #: Operations outside ecsta's table that this PBX serves: opcode -> the encoded result
        #: value it answers with (a returnResult written out byte by byte).
        self.raw_results: dict[int, bytes] = {}
        #: Operations this PBX never answers, whatever they are.
        self.silent: set[int] = set()

    def pduReceived(self, pdu: bytes) -> None:
        self.received.append(pdu)
        super().pduReceived(pdu)

    def invokeReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        self.raw_invokes.append(pdu)
        if peek.opcode in self.silent:
            return
        result = self.raw_results.get(peek.opcode) if peek.opcode is not None else None
        if result is None or peek.invoke_id is None:
            super().invokeReceived(pdu, peek)
            return
        body = tlv(0x30, tlv(0x02, encode_integer(peek.opcode)) + result)
        self.send_pdu(tlv(0xA2, tlv(0x02, encode_integer(peek.invoke_id)) + body))

    def ops(self, opcode: int) -> list[apdu.Invoke]:
        return [invoke for invoke in self.invokes if invoke.opcode == opcode]

    def _ref(self) -> bytes:
        return next(_REFS).to_bytes(2, "big")

    def operationReceived(self, invoke: apdu.Invoke) -> Any:
        self.invokes.append(invoke)
        if invoke.opcode in self.holding:
            d: Deferred[Any] = Deferred()
            self.held.append(d)
            return d
        if invoke.opcode in self.fail:
            raise OperationFailed(self.fail[invoke.opcode])
        argument = invoke.argument
        if invoke.opcode == Opcode.monitorStart:
            ref = self._ref()
            self.monitors[ref] = argument["monitorObject"]
            return {"crossRefIdentifier": ref}
        if invoke.opcode == Opcode.monitorStop:
            self.monitors.pop(argument["crossRefIdentifier"], None)
            return ("noData", None)
        if invoke.opcode == Opcode.makeCall:
            call = {"callID": b"\x00\x07", "deviceID": ("staticID", argument["callingDevice"])}
            return {"callingDevice": ("both", call)}
        if invoke.opcode == Opcode.startCDRTransmission:
            ref = self._ref()
            self.cdr_running.add(ref)
            return {"cdrCrossRefID": ref}
        if invoke.opcode == Opcode.stopCDRTransmission:
            self.cdr_running.discard(argument["cdrCrossRefID"])
            return ("noData", None)
        if invoke.opcode == Opcode.startDataCollection:
            return {"dcollCrossRefID": self._ref()}
        if invoke.opcode == Opcode.stopDataCollection:
            return ("noData", None)
        if invoke.opcode == Opcode.escape:
            return (
                "extensions",
                {
                    "privateData": [
                        (
                            "private",
                            ("kmeSystemData", ("getSystemDataPosAck", self.next_escape_ref)),
                        )
                    ]
                },
            )
        if invoke.opcode == Opcode.getSwitchingFunctionDevices:
            return {"serviceCrossRefID": b"\x5f\x01"}
        if invoke.opcode == Opcode.requestSysStat:
            return {"systemStatus": "normal"}
        return ("noData", None)

    def release(self, result: Any) -> None:
        """Answer every held request with ``result``."""
        held, self.held = self.held, []
        for d in held:
            d.callback(result)

    def send_event(self, cross_ref: bytes, group: str, event: str, value: Any) -> bytes:
        pdu = apdu.event_report(0x4000, cross_ref, group, event, value)
        self.send_pdu(pdu)
        return pdu


class RecordingApp(CSTAClientProtocol):
    """An application that keeps every PDU it receives and can answer reports."""

    def __init__(self, clock: Clock, **kwargs: Any) -> None:
        kwargs.setdefault("watchdog", None)
        super().__init__(clock, **kwargs)
        self.seen: list[bytes] = []
        self.answer_reports = True
        self.reports: list[apdu.Invoke] = []

    def pduReceived(self, pdu: bytes) -> None:
        self.seen.append(pdu)
        super().pduReceived(pdu)

    def invokeReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        if peek.opcode in (Opcode.cDRReport, Opcode.dataCollected):
            invoke = decoded(pdu)
            assert isinstance(invoke, apdu.Invoke)
            self.reports.append(invoke)
            if self.answer_reports:
                self.send_pdu(
                    apdu.encode(
                        apdu.ReturnResult(invoke.invoke_id, invoke.opcode, ("noData", None))
                    )
                )

    def answers(self, invoke_id: int | None = None) -> list[Any]:
        """Decoded answers (results, errors, rejects), optionally only those for ``invoke_id``."""
        out = []
        for pdu in self.seen:
            if pdu[0] in (0xA2, 0xA3, 0xA4):
                answer = decoded(pdu)
                if invoke_id is None or answer.invoke_id == invoke_id:
                    out.append(answer)
        return out

    def invokes(self, opcode: int) -> list[bytes]:
        return [pdu for pdu in self.seen if pdu[0] == 0xA1 and ber.peek(pdu).opcode == opcode]

    def events(self) -> list[ber.Peek]:
        return [ber.peek(pdu) for pdu in self.invokes(21)]

    def statuses(self) -> list[str]:
        out = []
        for pdu in self.invokes(211):
            invoke = decoded(pdu)
            assert isinstance(invoke, apdu.Invoke)
            out.append(invoke.argument["systemStatus"])
        return out


class Rig:
    """A multiplexer with its PBX and applications, all in memory on one clock."""

    def __init__(
        self,
        document: dict[str, Any] | None = None,
        connect_pbx: bool = True,
        journal: Journal | None = None,
    ) -> None:
        self.clock = Clock()
        self.config: MuxConfig = from_dict(document or {})
        self.mux = Multiplexer(self.clock, self.config, journal)
        self.pumps: list[iosim.IOPump] = []
        self.pbx: FakePBX | None = None
        self.pbx_link: PBXProtocol | None = None
        self._address = 0
        self.servers: dict[RecordingApp, AppProtocol] = {}
        if connect_pbx:
            self.connect_pbx()

    def flush(self) -> None:
        busy = True
        while busy:
            busy = False
            for pump in list(self.pumps):
                if pump.pump():
                    busy = True

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.flush()

    def connect_pbx(self, pbx_class: Callable[[Clock], FakePBX] = FakePBX) -> FakePBX:
        factory = self.mux.pbx_factory()
        link, pbx, pump = iosim.connectedServerAndClient(
            lambda: pbx_class(self.clock),
            lambda: factory.buildProtocol(None),
            greet=False,
        )
        self.pumps.append(pump)
        self.flush()
        self.advance(0)
        assert isinstance(link, PBXProtocol)
        ready: list[Any] = []
        link.ready.addCallback(ready.append)
        self.advance(link.ready_wait)
        assert ready, "the PBX association did not become ready"
        self.flush()
        self.pbx, self.pbx_link = pbx, link
        return pbx

    def drop_pbx(self) -> None:
        assert self.pbx is not None
        self.pbx.transport.loseConnection()  # type: ignore[union-attr]
        self.flush()
        self.pbx = self.pbx_link = None

    def connect_app(
        self,
        *,
        tls: bool = False,
        user: str | None = None,
        password: str | None = None,
        host: str | None = None,
        app_class: Callable[..., RecordingApp] = RecordingApp,
    ) -> RecordingApp:
        self._address += 1
        peer = IPv4Address("TCP", host or f"10.0.0.{self._address}", 40000 + self._address)
        factory = self.mux.app_factory(tls)
        app, server, pump = iosim.connectedServerAndClient(
            lambda: factory.buildProtocol(peer),
            lambda: app_class(self.clock, user=user, password=password),
            serverTransportFactory=lambda p: iosim.FakeTransport(p, True, peerAddress=peer),
            greet=False,
        )
        self.pumps.append(pump)
        self.servers[app] = server  # type: ignore[assignment]
        self.flush()
        return app

    def server_of(self, app: RecordingApp) -> AppProtocol:
        """The multiplexer's end of an application's association."""
        return self.servers[app]

    def send(self, app: RecordingApp, pdu: bytes) -> None:
        app.send_pdu(pdu)
        self.flush()
