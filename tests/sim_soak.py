"""A seeded soak of the simulator: random traffic, a random application, link faults.

:class:`Soak` runs a simulator on a :class:`Clock` with the traffic generator placing calls and
one CSTA client that behaves like a careless application: it monitors every device (stopping
and restarting monitors now and then), takes CDR (answering some reports with errors and
leaving some unanswered), and fires random requests at the calls it sees, most of them
refused, some of them moving calls about; devices go out of service and back, the link drops,
the client sends the odd malformed PDU. Between steps the switch's invariants are checked.
:meth:`Soak.wind_down` then stops the traffic, hangs up every phone and lets time run out, so
that :meth:`Soak.finish` can show what the simulator still holds: every count must be zero.

Used by tests/test_sim_soak.py (a short run) and bench/sim_soak.py (thousands of calls).
"""

import datetime
import random
from collections import Counter
from functools import partial
from typing import Any

from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.logger import ILogObserver, LogLevel, globalLogPublisher
from twisted.python.failure import Failure
from zope.interface import implementer

from ecsta.sim.calls import ALERTING, CONNECTED, FAIL, HOLD, INITIATED
from ecsta.sim.config import SimConfig
from ecsta.sim.features import FORWARDING_TYPES
from ecsta.sim.flows import TALKING_STATES
from ecsta.sim.plan import Device, SwitchPlan
from ecsta.sim.server import SimulatorFactory, SimulatorProtocol
from ecsta.sim.traffic import TrafficGenerator
from ecsta.wire import apdu
from ecsta.wire.framing import FrameDecoder, frame
from ecsta.wire.opcodes import Opcode
from ecsta.wire.operations import lookup
from tests.ber_pdus import AARQ

DEVICE_LIST = bytes.fromhex("a11602020602020133300da40ba009a407a105a0030a0105")
EPOCH = datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC).timestamp()
#: PDUs a careless client may send: bad BER, an unknown operation, a mistyped argument.
MALFORMED = [
    bytes.fromhex("a10602010102"),
    bytes.fromhex("a10902010502020fa00500"),
    bytes.fromhex("a10b02010602010a300302010a"),
]


def soak_plan(stations: int, trunks: int) -> SwitchPlan:
    """An office of ``stations`` desk phones (the first two with Super-Twin portables, plus
    two SIP extensions and two lone portables) and ``trunks`` CO lines."""
    devices: list[dict[str, Any]] = [
        {"kind": "station", "number": str(1000 + i), "pickup_group": 1 + i % 3}
        for i in range(stations)
    ]
    devices += [{"kind": "dect", "twin_of": "1000"}, {"kind": "dect", "twin_of": "1001"}]
    devices += [{"kind": "sip", "number": "1900"}, {"kind": "sip", "number": "1901"}]
    devices += [{"kind": "dect", "number": "1950"}, {"kind": "dect", "number": "1951"}]
    devices += [{"kind": "trunk", "number": str(i + 1)} for i in range(trunks)]
    return SwitchPlan.from_dict({"extension_range": ["1000", "1999"], "devices": devices})


def device_id(device: Device) -> dict[str, Any]:
    if device.is_trunk or device.twin_of is not None:
        return {"deviceIdentifier": ("deviceNumber", device.device_number)}
    return {"deviceIdentifier": ("dialingNumber", device.number)}


def connection(call_id: bytes, device: Device) -> tuple[str, Any]:
    return ("both", {"callID": call_id, "deviceID": ("staticID", device_id(device))})


@implementer(ILogObserver)
class ErrorLog:
    """Collects what is logged at error level or above, and every logged failure."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> None:
        level = event.get("log_level")
        if "log_failure" in event or (level is not None and level >= LogLevel.error):
            self.errors.append(event)


class Watch:
    """One monitor, as the client keeps it: the device, when it started, and each call the
    device is in with its connection state, as the events' localConnectionInfo tells it."""

    def __init__(self, device: Device, since: float) -> None:
        self.device = device
        self.since = since
        self.calls: dict[bytes, str] = {}

    def saw(self, name: str, value: dict[str, Any]) -> None:
        if name == "callCleared":
            self.calls.pop(value["clearedCall"][1]["callID"], None)
            return
        state = value.get("localConnectionInfo")
        if state is None:
            return  # not a call state event (digits, call back, features, maintenance)
        if name in ("transferred", "conferenced"):
            if "secondaryOldCall" in value:
                self.calls.pop(value["secondaryOldCall"][1]["callID"], None)
            call_id = value["primaryOldCall"][1]["callID"]
        else:
            call_id = next(iter(value.values()))[1]["callID"]
        if state == "null":
            self.calls.pop(call_id, None)
        else:
            self.calls[call_id] = state


class Soak:
    """One seeded run; see the module docstring."""

    def __init__(
        self,
        seed: int,
        *,
        rate: float = 2.0,
        requests: float = 1.0,
        stations: int = 60,
        trunks: int = 10,
        faults: bool = True,
    ) -> None:
        self.random = random.Random(seed)
        self.requests = requests
        self.faults = faults
        self.clock = Clock()
        self.clock.advance(EPOCH)
        config = SimConfig(
            plan=soak_plan(stations, trunks),
            keepalive_interval=30,
            cdr_resend_delay=2,
            cdr_answer_timeout=5,
            segment_size=25,
        )
        self.factory = SimulatorFactory(self.clock, config)
        self.switch = self.factory.switch
        self.traffic = TrafficGenerator(self.factory, rate, seed)
        self.stats: Counter[str] = Counter()
        self.answers: Counter[str] = Counter()
        self.cdr_keys: Counter[tuple[Any, ...]] = Counter()
        self.protocol: SimulatorProtocol | None = None
        self.transport: StringTransport | None = None
        self.frames = FrameDecoder()
        self.next_id = 1
        self.pending: dict[int, tuple[str, Any]] = {}
        self.watching: dict[bytes, Watch] = {}
        self.reconnect_at: float | None = None
        self.calm = False
        self.connect()

    # -- the client -------------------------------------------------------------------------------

    def connect(self) -> None:
        self.transport = StringTransport(peerAddress=IPv4Address("TCP", "127.0.0.1", 40000))
        protocol = self.factory.buildProtocol(self.transport.getPeer())
        protocol.makeConnection(self.transport)
        self.protocol = protocol
        self.frames = FrameDecoder()
        self.pending.clear()
        self.watching.clear()
        self.stats["associations"] += 1
        self.send(AARQ)
        self.receive()
        for device in self.switch.devices():
            self.request("monitorStart", {"monitorObject": ("deviceObject", device_id(device))})
        self.request("startCDRTransmission", {"transferMode": "transferAtEndOfCall"})
        self.receive()

    def drop(self) -> None:
        """The client goes away; it comes back a few seconds later."""
        assert self.protocol is not None and self.transport is not None
        self.transport.loseConnection()
        self.protocol.connectionLost(Failure(ConnectionDone()))
        self.protocol = self.transport = None
        self.reconnect_at = self.clock.seconds() + self.random.uniform(1, 10)
        self.stats["drops"] += 1

    def send(self, pdu: bytes) -> None:
        assert self.protocol is not None
        self.protocol.dataReceived(frame(pdu))

    def request(self, operation: str, argument: Any) -> None:
        # Now and then an id still in flight is used again, as real clients do.
        invoke_id = 9 if self.random.random() < 0.05 else self.next_id
        self.next_id = self.next_id % 30000 + 1
        self.pending[invoke_id] = (operation, argument)
        self.stats["requests"] += 1
        self.send(apdu.encode(apdu.Invoke(invoke_id, lookup(operation).code, argument)))
        self.receive()

    def receive(self) -> None:
        """Read and decode what the simulator sent; answer what a client answers."""
        while self.transport is not None:
            data = self.transport.value()
            self.transport.clear()
            if not data:
                return
            for pdu in self.frames.feed(data):
                self.handle(pdu)
                if self.transport is None:
                    return
            if self.transport is not None and self.transport.disconnecting:
                self.drop()

    def handle(self, pdu: bytes) -> None:
        self.stats["pdus"] += 1
        decoded = apdu.decode(pdu)
        if isinstance(decoded, apdu.AARE | apdu.ABRT):
            return
        if isinstance(decoded, apdu.Invoke):
            self.invoked(decoded)
            return
        invoke_id = getattr(decoded, "invoke_id", None)
        operation, argument = self.pending.pop(-1 if invoke_id is None else invoke_id, ("?", None))
        kind = type(decoded).__name__
        self.answers[f"{operation} {kind}"] += 1
        if operation == "monitorStart" and isinstance(decoded, apdu.ReturnResult):
            self.stats["monitors started"] += 1
            device = self.factory.device(argument["monitorObject"][1])
            watch = Watch(device, self.clock.seconds())
            self.watching[decoded.result["crossRefIdentifier"]] = watch

    def invoked(self, invoke: apdu.Invoke) -> None:
        opcode = invoke.opcode
        self.stats[f"invoke {opcode}"] += 1
        if opcode == Opcode.cSTAEventReport:
            watch = self.watching.get(invoke.argument["crossRefIdentifier"])
            assert watch is not None, f"event for a monitor that is not running: {invoke}"
            watch.saw(*invoke.argument["eventSpecificInfo"][1])
        elif opcode == Opcode.systemStatus and invoke.invoke_id != 1:
            self.answer(invoke)
        elif opcode == Opcode.cDRReport:
            draw = self.random.random()
            if draw < 0.85:
                [item] = invoke.argument["cdrInfo"]
                key = (
                    item["connectionEnd"],
                    item["connectionDuration"],
                    repr(item.get("callingDevice")),
                    repr(item.get("calledDevice")),
                )
                self.cdr_keys[key] += 1
                self.answer(invoke)
            elif draw < 0.93:
                self.send(apdu.return_error(invoke.invoke_id or 0, "operation", "generic"))
            # else: no answer, the report times out and is sent again

    def answer(self, invoke: apdu.Invoke) -> None:
        assert invoke.invoke_id is not None
        self.send(apdu.encode(apdu.ReturnResult(invoke.invoke_id, invoke.opcode, ("noData", None))))

    # -- running ----------------------------------------------------------------------------------

    def step(self, seconds: float = 0.5) -> None:
        self.clock.advance(seconds)
        self.receive()
        if self.protocol is None:
            if self.reconnect_at is not None and self.clock.seconds() >= self.reconnect_at:
                self.connect()
            return
        if not self.calm and self.random.random() < self.requests * seconds:
            self.chaos()
        self.check()

    def run(self, calls: int, limit: float = 1e6) -> None:
        """Run until the traffic has started ``calls`` calls (or ``limit`` seconds passed)."""
        deadline = self.clock.seconds() + limit
        while self.traffic.started < calls and self.clock.seconds() < deadline:
            self.step()

    def wind_down(self) -> None:
        """Stop the traffic and the random requests, put everything back to normal and let
        every call end."""
        self.traffic.stop()
        self.calm = True
        if self.protocol is None:
            self.connect()
        for device in self.switch.devices():
            self.factory.run(partial(self.switch.set_in_service, device, True))
            if not device.is_trunk:
                self.factory.run(partial(self.switch.set_do_not_disturb, device, False))
                for name in FORWARDING_TYPES:
                    self.factory.run(partial(self.switch.set_forwarding, device, name, False))
        for cross_ref in list(self.factory.collections):
            self.request("stopDataCollection", {"dcollCrossRefID": cross_ref})
        for _ in range(20):  # calls back come back as new calls: clear until none is left
            for info in self.switch.calls():
                self.request("clearCall", {"callToBeCleared": ("callID", info.call_id)})
            for _ in range(200):
                self.step(1)
                if self.protocol is None:
                    self.connect()
            if not self.switch.calls() and self.switch.next_deadline() is None:
                break
        for _ in range(60):  # the last CDR reports, and their resends
            self.step(1)
            if self.protocol is None:
                self.connect()

    def finish(self) -> dict[str, int]:
        """The client leaves for good; returns what the simulator still holds after
        :meth:`wind_down`, by kind, leaving out what is zero: a clean run returns ``{}``.

        Forwarding tables are left out: there is one per device that ever had a forwarding,
        kept for the device's life.
        """
        if self.protocol is not None:
            self.drop()
        self.factory.stop()
        held = {**self.factory.footprint(), **self.traffic.footprint()}
        del held["forwardingTables"]
        held["delayedCalls"] = len(self.clock.getDelayedCalls())
        cdr = self.switch.cdr
        held["cdrNotAcknowledged"] = cdr.recorded - cdr.acknowledged
        held["cdrDeliveredTwice"] = sum(n - 1 for n in self.cdr_keys.values())
        held["cdrAnswersNotCounted"] = sum(self.cdr_keys.values()) - cdr.acknowledged
        return {kind: count for kind, count in held.items() if count}

    # -- invariants -------------------------------------------------------------------------------

    def check(self) -> None:
        """What holds of a telephone switch at any moment."""
        switch = self.switch
        devices = set(switch.devices())
        infos = switch.calls()
        footprint = switch.footprint()
        assert footprint["callIDs"] == footprint["calls"] == len(infos), footprint
        for info in infos:
            assert info.connections, f"call {info.call_id.hex()} has no connection"
            for device, _ in info.connections:
                assert device in devices, f"{device!r} left the switch but not call"
        for device in devices:
            states = [c.state for _, c in switch.connections_of(device)]
            off_hook = [s for s in states if s in TALKING_STATES]
            assert len(off_hook) <= 1 or device.is_trunk, (device, states)
            assert states.count(ALERTING) <= 1 or device.is_trunk, (device, states)
            if not device.in_service:
                assert not states, (device, states)
        for monitor in self.factory.monitors:
            assert monitor.device in devices, monitor
        for cross_ref, watch in self.watching.items():
            if self.factory.monitors.get(cross_ref) is None:
                continue  # its device left the switch
            actual = {c.call_id: conn.state for c, conn in switch.connections_of(watch.device)}
            for call_id, seen in watch.calls.items():
                assert actual.get(call_id) == seen, (watch.device, call_id, seen, actual)
            for call, _ in switch.connections_of(watch.device):
                assert call.call_id in watch.calls or call.started <= watch.since, (
                    f"{watch.device!r} is in call {call.call_id.hex()} but its monitor "
                    "was never told"
                )

    # -- the careless application -----------------------------------------------------------------

    def chaos(self) -> None:
        self.stats["chaos"] += 1
        draw = self.random.random()
        if self.faults and draw < 0.01:
            self.drop()
            return
        if self.faults and draw < 0.02:
            self.send(self.random.choice(MALFORMED))
            self.receive()
            return
        if draw < 0.04:
            self.toggle_service()
            return
        if draw < 0.08:
            self.feature()
            return
        if draw < 0.11:
            self.monitor_churn()
            return
        if draw < 0.13:
            self.collection()
            return
        if draw < 0.15:
            self.request("escape", apdu.decode(DEVICE_LIST).argument)  # type: ignore[union-attr]
            return
        self.call_request()

    def stations(self) -> list[Device]:
        return [d for d in self.switch.devices() if not d.is_trunk]

    def target(self) -> dict[str, Any]:
        """Where a request sends a call: mostly a colleague, sometimes outside or nowhere."""
        draw = self.random.random()
        if draw < 0.1:
            digits = "0" + "".join(self.random.choice("0123456789") for _ in range(8))
            return {"deviceIdentifier": ("dialingNumber", digits)}
        if draw < 0.15:
            return {"deviceIdentifier": ("dialingNumber", "1999")}
        return device_id(self.random.choice(self.stations()))

    def toggle_service(self) -> None:
        device = self.random.choice(self.switch.devices())
        in_service = not device.in_service or self.random.random() < 0.3
        self.factory.run(lambda: self.switch.set_in_service(device, in_service))
        self.stats["service toggles"] += 1
        self.receive()

    def feature(self) -> None:
        device = self.random.choice(self.stations())
        if self.random.random() < 0.3:
            on = self.random.random() < 0.3
            self.request("setDoNotDisturb", {"device": device_id(device), "doNotDisturbOn": on})
            return
        argument: dict[str, Any] = {
            "device": device_id(device),
            "forwardingType": self.random.choice(list(FORWARDING_TYPES)),
            "activateForward": self.random.random() < 0.4,
        }
        if argument["activateForward"]:
            argument["forwardDN"] = self.target()
        self.request("setForwarding", argument)

    def monitor_churn(self) -> None:
        if self.watching and self.random.random() < 0.5:
            cross_ref = self.random.choice(list(self.watching))
            del self.watching[cross_ref]
            self.request("monitorStop", {"crossRefIdentifier": cross_ref})
            self.stats["monitors stopped"] += 1
            return
        device = self.random.choice(self.switch.devices())
        self.request("monitorStart", {"monitorObject": ("deviceObject", device_id(device))})

    def collection(self) -> None:
        if self.factory.collections and self.random.random() < 0.6:
            cross_ref = self.random.choice(sorted(self.factory.collections))
            self.request("stopDataCollection", {"dcollCrossRefID": cross_ref})
            return
        device = self.random.choice(self.stations())
        criteria = self.random.choice([{}, {"numChars": 3}, {"flushChar": "#"}, {"timeout": 5}])
        argument: dict[str, Any] = {"object": ("device", device_id(device))}
        if criteria:
            argument["digitsReportingCriteria"] = criteria
        self.request("startDataCollection", argument)

    def call_request(self) -> None:
        calls = [
            (self.switch.call(info.call_id), info)
            for info in self.switch.calls()
            if self.switch.call(info.call_id) is not None
        ]
        if not calls or self.random.random() < 0.1:
            caller = self.random.choice(self.stations())
            self.request(
                "makeCall",
                {"callingDevice": device_id(caller), "calledDirectoryNumber": self.target()},
            )
            return
        call, info = self.random.choice(calls)
        assert call is not None
        device, state = self.random.choice(info.connections)
        here = connection(info.call_id, device)
        other_calls = [c for c, _ in self.switch.connections_of(device) if c is not call]
        options: list[tuple[str, dict[str, Any]]] = [
            ("clearConnection", {"connectionToBeCleared": here}),
            ("snapshotCall", {"snapshotObject": ("callID", info.call_id)}),
            ("snapshotDevice", {"snapshotObject": device_id(device)}),
        ]
        if self.random.random() < 0.05:
            options.append(("clearCall", {"callToBeCleared": ("callID", info.call_id)}))
        if state == ALERTING:
            options += [
                ("answerCall", {"callToBeAnswered": here}),
                ("deflectCall", {"callToBeDiverted": here, "newDestination": self.target()}),
                (
                    "directedPickupCall",
                    {"callToBePickedUp": here, "requestingDevice": self.target()},
                ),
                (
                    "groupPickupCall",
                    {"newDestination": device_id(self.random.choice(self.stations()))},
                ),
            ]
        elif state == CONNECTED:
            options += [
                ("holdCall", {"callToBeHeld": here}),
                ("consultationCall", {"existingCall": here, "consultedDevice": self.target()}),
                ("singleStepTrans", {"activeCall": here, "transferredTo": self.target()}),
                ("generateDigits", {"connectionToSendDigits": here, "charactersToSend": "12#"}),
            ]
        elif state == HOLD:
            options.append(("retrieveCall", {"callToBeRetrieved": here}))
        elif state == FAIL:
            options += [
                ("callBack", {"callbackConnection": here}),
                ("intrudeCall", {"intrude": here}),
            ]
        elif state == INITIATED:
            options += [
                ("answerCall", {"callToBeAnswered": here}),
                ("dialDigits", {"diallingConnection": here, "diallingSequence": self.target()}),
            ]
        for other in other_calls:
            there = connection(other.call_id, device)
            pair = {"heldCall": here, "activeCall": there}
            if state != HOLD:
                pair = {"heldCall": there, "activeCall": here}
            options += [
                ("alternateCall", pair),
                ("transferCall", pair),
                ("conferenceCall", pair),
                ("reconnectCall", pair),
            ]
        operation, argument = self.random.choice(options)
        self.stats[f"chaos {operation}"] += 1
        self.request(operation, argument)


def quiet_soak(soak: Soak, calls: int) -> list[dict[str, Any]]:
    """Run ``soak`` for ``calls`` calls and wind it down, collecting errors logged meanwhile."""
    observer = ErrorLog()
    globalLogPublisher.addObserver(observer)
    try:
        soak.run(calls)
        soak.wind_down()
    finally:
        globalLogPublisher.removeObserver(observer)
    return observer.errors
