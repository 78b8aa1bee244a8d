"""Call flows as a whole system sees them: a CSTA client with a monitor on every party, people
and outside callers acting through the HTTP control API, and the switch's state read back with
``GET /api/state``.

:class:`WireFlowCase` runs the simulator on a :class:`Clock` with a :class:`WireClient`, so
every PDU the simulator sends is decoded by ecsta and by the independent ECMA-285 oracle
(tests/sim_wire.py). Parties are named by labels: a dialling number (``"103"``) for a device
that number names alone, ``"#01210000"`` (its deviceNumber) for the DECT half of a Super-Twin
pair or a CO line, as in tests/sim_helpers.py.
"""

import json
from io import BytesIO
from typing import Any

from twisted.trial.unittest import SynchronousTestCase
from twisted.web.test.requesthelper import DummyRequest

from ecsta.sim.config import SimConfig
from ecsta.sim.control import Controller, ControlResource
from ecsta.sim.plan import DeviceKind
from ecsta.wire import apdu
from ecsta.wire.opcodes import Opcode
from tests.sim_helpers import Brief, label
from tests.sim_wire import WireClient, advance, device_number, dialing, simulator

#: (the party whose monitor saw it, event name, event value)
Seen = tuple[str, str, dict[str, Any]]


def device_of(party: str) -> dict[str, Any]:
    """The DeviceID value that names a party label."""
    if party.startswith("#"):
        return device_number(int(party[1:], 16))
    return dialing(party)


def control_key(party: str) -> str:
    """How the control API's paths name a party label."""
    return "0x" + party[1:] if party.startswith("#") else party


def conn(call_id: bytes, party: str) -> tuple[str, dict[str, Any]]:
    """The ConnectionID of a party in a call, in the both form."""
    return ("both", {"callID": call_id, "deviceID": ("staticID", device_of(party))})


def brief(name: str, value: dict[str, Any]) -> Brief:
    first = next(iter(value.values()))
    return (name, label(first), value.get("localConnectionInfo"), value.get("cause"))


class WireFlowCase(SynchronousTestCase):
    """A simulator with one associated client that monitors each of ``parties``."""

    parties: tuple[str, ...] = ()
    config: SimConfig | None = None

    def setUp(self) -> None:
        self.factory = simulator(self.config)
        self.resource = ControlResource(Controller(self.factory))
        self.client = WireClient(self.factory)
        self.client.associate()
        self.watchers: dict[bytes, str] = {}
        self.pending: list[Seen] = []
        self.invoke_id = 100
        for party in self.parties:
            result = self.request(
                "monitorStart", {"monitorObject": ("deviceObject", device_of(party))}
            )
            self.watchers[result["crossRefIdentifier"]] = party

    def tearDown(self) -> None:
        self.assertEqual(self.factory.counters["malformed_in"], 0)

    # -- acting -----------------------------------------------------------------------------------

    def request(self, operation: str, argument: dict[str, Any]) -> Any:
        """A CSTA request that must succeed; returns its result value."""
        answer = self._send(operation, argument)
        assert isinstance(answer, apdu.ReturnResult), (operation, answer)
        return answer.result

    def refused(self, operation: str, argument: dict[str, Any]) -> Any:
        """A CSTA request that must fail; returns the universalFailure value."""
        answer = self._send(operation, argument)
        assert isinstance(answer, apdu.ReturnError), (operation, answer)
        return answer.error

    def _send(self, operation: str, argument: dict[str, Any]) -> apdu.APDU:
        self.invoke_id += 1
        answer, *rest = self.client.request(self.invoke_id, operation, argument)
        self.assertEqual(getattr(answer, "invoke_id", None), self.invoke_id, answer)
        self._collect(rest)
        return answer

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """A request to the control API; returns (HTTP status, JSON answer)."""
        request = DummyRequest([p.encode() for p in path.strip("/").split("/")])
        request.method = method.encode()
        request.content = BytesIO(b"" if body is None else json.dumps(body).encode())  # type: ignore[attr-defined]
        out = self.resource.render(request)  # type: ignore[arg-type]
        self.pump()
        return request.responseCode or 200, json.loads(out)

    def act(self, method: str, path: str, body: Any = None) -> Any:
        """A control API request that must succeed."""
        status, answer = self.api(method, path, body)
        self.assertEqual(status, 200, (path, answer))
        return answer

    def person(self, party: str, action: str, **body: Any) -> Any:
        """What a person does at the phone ``party`` (offhook, dial, answer, hold, ...)."""
        return self.act("POST", f"devices/{control_key(party)}/{action}", body or None)

    def incoming(self, caller: str, called: str) -> bytes:
        """An outside call from ``caller`` arrives for ``called``; returns its callID."""
        return bytes.fromhex(self.act("POST", "incoming", {"from": caller, "to": called})["callID"])

    def outside(self, number: str, action: str) -> None:
        """The outside party ``number`` answers or hangs up."""
        self.act("POST", f"external/{number}/{action}")

    def advance(self, seconds: float) -> None:
        advance(self.factory, seconds)
        self.pump()

    def pump(self) -> None:
        """Take what the simulator sent; answer its keep-alives, as a good client does."""
        pdus = self.client.decoded()
        for pdu in pdus:
            if (
                isinstance(pdu, apdu.Invoke)
                and pdu.opcode == Opcode.systemStatus
                and pdu.invoke_id != 1
            ):
                self.client.answer(pdu)
        self._collect(pdus)

    def _collect(self, pdus: list[apdu.APDU]) -> None:
        for pdu in pdus:
            if isinstance(pdu, apdu.Invoke) and pdu.opcode == Opcode.cSTAEventReport:
                argument = pdu.argument
                _, (name, value) = argument["eventSpecificInfo"]
                self.pending.append((self.watchers[argument["crossRefIdentifier"]], name, value))

    # -- observing --------------------------------------------------------------------------------

    def take(self) -> list[Seen]:
        """The events the monitors saw since the last take, in the order they were sent."""
        self.pump()
        seen, self.pending = self.pending, []
        return seen

    def assertSeen(self, expected: dict[str, list[Brief]]) -> list[Seen]:
        """Each listed party's monitor saw exactly these events, in order; the other monitors
        saw nothing.  Returns the events, for checks of their values."""
        seen = self.take()
        for party, wanted in expected.items():
            mine = [brief(name, value) for who, name, value in seen if who == party]
            self.assertEqual(mine, wanted, f"events seen by {party}")
        others = sorted({who for who, _, _ in seen if who not in expected})
        self.assertEqual(others, [], "events reached monitors outside the flow")
        return seen

    @staticmethod
    def value(seen: list[Seen], party: str, name: str, index: int = 0) -> dict[str, Any]:
        """The value of the ``index``-th event ``name`` that ``party``'s monitor saw."""
        return [v for who, n, v in seen if who == party and n == name][index]

    def state(self) -> dict[str, Any]:
        status, state = self.api("GET", "state")
        self.assertEqual(status, 200)
        return state

    def assertState(
        self, calls: list[list[tuple[str, str]]], devices: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """``GET /api/state`` shows exactly these calls, each as (party, connection state) in
        the order the parties joined, and these parties in these device states."""
        state = self.state()
        labels = {
            view["deviceNumber"]: (
                f"#{view['deviceNumber']:08x}"
                if view["kind"] == DeviceKind.TRUNK.value or "twinOf" in view
                else view["number"]
            )
            for view in state["devices"]
        }
        shown = [
            [(labels[c["deviceNumber"]], c["state"]) for c in call["connections"]]
            for call in state["calls"]
        ]
        self.assertEqual(shown, calls, "calls in GET /api/state")
        views = {labels[view["deviceNumber"]]: view for view in state["devices"]}
        for party, device_state in (devices or {}).items():
            self.assertEqual(views[party]["state"], device_state, f"state of {party}")
        return state

    def call_ids(self) -> list[bytes]:
        """The callIDs of the live calls, as GET /api/state lists them."""
        return [bytes.fromhex(call["callID"]) for call in self.state()["calls"]]
