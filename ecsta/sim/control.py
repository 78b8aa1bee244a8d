"""The simulator's HTTP control API (DESIGN.md "Simulator control API"): JSON in, JSON out.

It is how tests, demos and people act on the simulated PBX from outside CSTA: a person lifts a
handset, an external caller rings in, the CSTA link fails. Every answer is a JSON object; every
error is ``{"error": "..."}`` with 400 (the request is malformed), 404 (no such device or path),
405 (wrong method) or 409 (the switch refused: the body names the CSTA universalFailure the same
request would have got over CSTA).

Routes::

    GET    /api/state
    GET    /api/cdr                          the call records made: acknowledged (the last
                                             10000), then those the switch still holds
    POST   /api/devices                      {"number", "kind", "name"?, "deviceNumber"?}
    DELETE /api/devices/{device}
    POST   /api/devices/{device}/{action}    offhook onhook answer dial{"digits"} hold retrieve
                                             inservice outofservice
    POST   /api/incoming                     {"from": "+4930123456", "to": "101"}
                                             ("from": "" when the network gives no number)
    POST   /api/external/{number}            {"mode": "answer"|"busy"|"no_answer"|"unobtainable",
                                              "delay"?}: how that outside party reacts from now on
    POST   /api/external/{number}/{action}   answer | hangup: the outside party does it now
    POST   /api/link/drop
    POST   /api/link/refuse                  {"seconds": N}
    POST   /api/traffic                      {"rate": calls per second}

``{device}`` is a dialling number, or a Panasonic deviceNumber written in hex with ``0x``
(``0x01210001``), which is how the DECT half of a Super-Twin pair is told from its desk phone.
"""

import json
from collections.abc import Callable
from typing import Any, Protocol, cast

from twisted.web.resource import IResource, Resource
from twisted.web.server import Request

from ecsta.daemon import jsonbody
from ecsta.sim.cdr import CONDITION_CODES, CdrRecord
from ecsta.sim.errors import ControlError
from ecsta.sim.failure import CstaError
from ecsta.sim.ids import DeviceIDValue
from ecsta.sim.plan import (
    DEVICE_NUMBER_CLASS,
    Device,
    DeviceKind,
    ExternalBehaviour,
    ExternalMode,
    PlanError,
)
from ecsta.sim.server import SimulatorFactory

__all__ = ["ControlResource", "Controller", "api_root"]

#: The largest request body the control API takes; its site refuses larger ones unread.
MAX_BODY = 64 * 1024
#: Random calls per second the control API may ask for (far beyond any PBX's busy hour).
MAX_RATE = 1000.0
_CONDITION_NAMES = {code: name for name, code in CONDITION_CODES.items()}

PERSON_ACTIONS = ("offhook", "onhook", "answer", "dial", "hold", "retrieve")


class Traffic(Protocol):
    """What the control API needs of a traffic generator."""

    rate: float

    def set_rate(self, rate: float) -> None: ...


class Controller:
    """The control API's operations on one simulator, in JSON-ready values.

    Failures are :class:`ControlError`: 404 for an unknown device, 400 for a malformed request,
    409 when the switch refuses (the body carries the universalFailure, e.g.
    ``{"error": "...", "universalFailure": ["stateIncompatibility", "invalidDeviceState"]}``).
    """

    def __init__(self, factory: SimulatorFactory, traffic: Traffic | None = None) -> None:
        self.factory = factory
        self.traffic = traffic

    # -- reading --------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        factory = self.factory
        switch = factory.switch
        factory.run(lambda: None)  # bring the switch up to now, and send what that caused
        association = factory.association
        cdr = switch.cdr
        return {
            "association": {
                "connected": association is not None,
                "peer": association.peer if association is not None else None,
                "refusingFor": max(0.0, factory.refused_until - factory.clock.seconds()),
            },
            "devices": [self._device_view(d) for d in switch.devices()],
            "calls": [
                {
                    "callID": info.call_id.hex(),
                    "connections": [
                        {
                            "device": device.number,
                            "deviceNumber": device.device_number,
                            "state": state,
                        }
                        for device, state in info.connections
                    ],
                }
                for info in switch.calls()
            ],
            "monitors": [
                {
                    "device": monitor.device.number,
                    "deviceNumber": monitor.device.device_number,
                    "crossRefID": monitor.cross_ref.hex(),
                }
                for monitor in factory.monitors
                if isinstance(monitor.device, Device)
            ],
            "cdr": {
                "pending": cdr.pending,
                "sent": cdr.sent,
                "acknowledged": cdr.acknowledged,
                "dropped": cdr.dropped,
                "buffer": cdr.capacity,
                "transmitting": factory.cdr is not None,
            },
            "counters": dict(factory.counters),
            "operations": dict(factory.operation_counts),
            "traffic": {"rate": self.traffic.rate if self.traffic is not None else 0.0},
        }

    def cdr(self) -> dict[str, Any]:
        """The switch's own list of call records, for comparing with what a client stored.

        Each record as its cDRReport carries it (devices, connectionEnd, connectionDuration in
        100 ms units, the condition code's name) with its state; ``dropped`` and ``forgotten``
        count the records made that the list no longer holds.
        """
        self.factory.run(lambda: None)
        cdr = self.factory.switch.cdr
        return {
            "records": [_cdr_view(state, record) for state, record in cdr.made()],
            "recorded": cdr.recorded,
            "dropped": cdr.dropped,
            "forgotten": cdr.forgotten,
            "history": cdr.history,
        }

    def _device_view(self, device: Device) -> dict[str, Any]:
        switch = self.factory.switch
        states = [connection.state for _, connection in switch.connections_of(device)]
        if not device.in_service:
            state = "outOfService"
        else:
            state = states[0] if states else "idle"
        view: dict[str, Any] = {
            "number": device.number,
            "deviceNumber": device.device_number,
            "kind": str(device.kind),
            "name": device.name,
            "inService": device.in_service,
            "state": state,
            "connections": states,
        }
        if device.twin_of is not None:
            view["twinOf"] = device.twin_of
        if not device.is_trunk:
            view["doNotDisturb"] = switch.do_not_disturb(device)
            view["forwarding"] = {
                name: forwarding.destination
                for name, forwarding in switch.forwarding(device).items()
            }
        return view

    # -- acting ---------------------------------------------------------------------------------

    def _device(self, key: str) -> Device:
        try:
            return self.factory.switch.device(key)
        except CstaError:
            raise ControlError(404, f"no device {key}") from None

    def _run(self, action: Callable[[], Any]) -> Any:
        try:
            return self.factory.run(action)
        except CstaError as error:
            raise ControlError(
                409, str(error), universalFailure=list(error.universal_failure)
            ) from None

    def person(self, key: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """What a person does at the phone ``key``."""
        device = self._device(key)
        switch = self.factory.switch
        if action == "dial":
            digits = _text(body, "digits")
            self._run(lambda: switch.dial(device, digits))
        elif action in PERSON_ACTIONS:
            self._run(lambda: getattr(switch, action)(device))
        elif action in ("inservice", "outofservice"):
            self._run(lambda: switch.set_in_service(device, action == "inservice"))
        else:
            raise ControlError(404, f"no action {action!r}; try {', '.join(PERSON_ACTIONS)}")
        return self._device_view(device)

    def incoming(self, from_number: str, to_number: str) -> dict[str, Any]:
        call_id = self._run(lambda: self.factory.switch.incoming(from_number, to_number))
        return {"callID": call_id.hex()}

    def add_device(self, body: dict[str, Any]) -> dict[str, Any]:
        switch = self.factory.switch
        kind_name = _text(body, "kind")
        try:
            kind = DeviceKind(kind_name)
        except ValueError:
            kinds = ", ".join(k.value for k in DeviceKind)
            raise ControlError(400, f'"kind" must be one of {kinds}') from None
        twin_of = body.get("twinOf")
        number = body.get("number", twin_of)
        if not isinstance(number, str) or not number:
            raise ControlError(400, '"number" must be a non-empty string')
        device_number = body.get("deviceNumber")
        if device_number is None:
            taken = {d.device_number for d in switch.devices()}
            base = DEVICE_NUMBER_CLASS[kind] << 16
            device_number = next(base | i for i in range(0x10000) if base | i not in taken)
        if not isinstance(device_number, int) or isinstance(device_number, bool):
            raise ControlError(400, '"deviceNumber" must be an integer')
        name = body.get("name", "")
        if not isinstance(name, str):
            raise ControlError(400, '"name" must be a string')
        device = Device(kind, number, device_number, name=name, twin_of=twin_of)
        try:
            self._run(lambda: switch.add_device(device))
        except PlanError as error:
            raise ControlError(400, str(error)) from None
        return self._device_view(device)

    def remove_device(self, key: str) -> dict[str, Any]:
        device = self._device(key)
        self._run(lambda: self.factory.switch.remove_device(device))
        return {"removed": device.number, "deviceNumber": device.device_number}

    def set_external(self, number: str, body: dict[str, Any]) -> dict[str, Any]:
        mode_name = body.get("mode", ExternalMode.ANSWER.value)
        try:
            mode = ExternalMode(mode_name)
        except ValueError:
            modes = ", ".join(m.value for m in ExternalMode)
            raise ControlError(400, f'"mode" must be one of {modes}') from None
        delay = _number(body, "delay") if "delay" in body else 5.0
        self.factory.switch.set_external(number, ExternalBehaviour(mode, delay))
        return {"number": number, "mode": mode.value, "delay": delay}

    def external_action(self, number: str, action: str) -> dict[str, Any]:
        switch = self.factory.switch
        if action == "answer":
            self._run(lambda: switch.outside_answers(number))
        elif action == "hangup":
            self._run(lambda: switch.outside_hangs_up(number))
        else:
            raise ControlError(
                404, f"no action {action!r} for an outside party; try answer, hangup"
            )
        return {"number": number, "done": action}

    def drop_link(self) -> dict[str, Any]:
        return {"dropped": self.factory.drop_link()}

    def refuse(self, seconds: float) -> dict[str, Any]:
        self.factory.refuse(seconds)
        return {"refusingFor": seconds}

    def set_traffic(self, rate: float) -> dict[str, Any]:
        if rate > MAX_RATE:
            raise ControlError(400, f'"rate" must be at most {MAX_RATE:g} calls per second')
        if self.traffic is None:
            raise ControlError(409, "this simulator runs without a traffic generator")
        self.traffic.set_rate(rate)
        return {"rate": rate}


Handler = Callable[[list[str], dict[str, Any]], Any]


class ControlResource(Resource):
    """``/api``: routes by method and path to the simulator's control methods."""

    isLeaf = True

    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.controller = controller

    def render(self, request: Request) -> bytes:
        request.setHeader(b"content-type", b"application/json")
        method = request.method.decode("ascii", "replace")
        path = [p.decode("utf-8", "replace") for p in request.postpath or () if p]
        try:
            body = self._body(request) if method in ("POST", "PUT") else {}
            result = self._route(method, path)(path, body)
        except ControlError as error:
            request.setResponseCode(error.status)
            result = {"error": error.message, **error.details}
        return json.dumps(result, sort_keys=True).encode("utf-8") + b"\n"

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        assert request.content is not None
        raw = request.content.read()
        if not raw.strip():
            return {}
        try:
            body = jsonbody.loads(raw)
        except jsonbody.BodyError as error:
            raise ControlError(400, f"request body is not JSON: {error}") from None
        if not isinstance(body, dict):
            raise ControlError(400, "request body must be a JSON object")
        return body

    def _route(self, method: str, path: list[str]) -> Handler:
        sim = self.controller
        routes: dict[tuple[str, ...], dict[str, Handler]] = {
            ("state",): {"GET": lambda p, b: sim.state()},
            ("cdr",): {"GET": lambda p, b: sim.cdr()},
            ("devices",): {"POST": lambda p, b: sim.add_device(b)},
            ("devices", "*"): {"DELETE": lambda p, b: sim.remove_device(p[1])},
            ("devices", "*", "*"): {"POST": lambda p, b: sim.person(p[1], p[2], b)},
            ("incoming",): {
                "POST": lambda p, b: sim.incoming(_text(b, "from", empty=True), _text(b, "to"))
            },
            ("external", "*"): {"POST": lambda p, b: sim.set_external(p[1], b)},
            ("external", "*", "*"): {"POST": lambda p, b: sim.external_action(p[1], p[2])},
            ("link", "drop"): {"POST": lambda p, b: sim.drop_link()},
            ("link", "refuse"): {"POST": lambda p, b: sim.refuse(_number(b, "seconds"))},
            ("traffic",): {"POST": lambda p, b: sim.set_traffic(_number(b, "rate"))},
        }
        for pattern, methods in routes.items():
            if len(pattern) == len(path) and all(
                want in ("*", got) for want, got in zip(pattern, path, strict=True)
            ):
                if method not in methods:
                    raise ControlError(405, f"{method} is not allowed on /api/{'/'.join(path)}")
                return methods[method]
        raise ControlError(404, f"no such resource: /api/{'/'.join(path)}")


def _cdr_view(state: str, record: CdrRecord) -> dict[str, Any]:
    item = record.information_item()
    return {
        "recordId": record.record_id,
        "state": state,
        "callID": record.call_id.hex(),
        "callingDevice": _device_id(record.calling),
        "calledDevice": _device_id(record.called),
        "chargedDevice": _device_id(record.charged),
        "connectionEnd": item["connectionEnd"],
        "connectionDuration": item["connectionDuration"],
        "conditionCode": (
            None if record.condition_code is None else _CONDITION_NAMES[record.condition_code]
        ),
    }


def _device_id(value: DeviceIDValue | None) -> dict[str, Any] | None:
    """``{"dialingNumber": "101"}`` or ``{"deviceNumber": 18939905}``, as the DeviceID says."""
    if value is None:
        return None
    kind, identifier = value["deviceIdentifier"]
    return {kind: identifier}


def _text(body: dict[str, Any], key: str, empty: bool = False) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not (value or empty):
        raise ControlError(400, f'"{key}" must be a {"" if empty else "non-empty "}string')
    return value


def _number(body: dict[str, Any], key: str) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ControlError(400, f'"{key}" must be a number >= 0')
    return float(value)


def api_root(controller: Controller) -> Resource:
    """The web root: the API under ``/api``."""
    root = Resource()
    root.putChild(b"api", cast(IResource, ControlResource(controller)))
    return root
