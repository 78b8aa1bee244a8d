"""TAPI operations, each mapped to its CSTA service, with its arguments built and checked.

Sans-IO: :func:`plan_call_operation` and :func:`plan_line_operation` check a request against the
call model and return a :class:`Plan` -- the CSTA requests to send, in order, and what to make
of their results -- or raise :class:`ApiError` with the HTTP status that tells the client what
was wrong. Nothing is changed before the plan runs, so a refused request changes nothing.

=====================  =====================================================================
TAPI (API operation)   CSTA service
=====================  =====================================================================
lineMakeCall           makeCall (10)
lineDrop               clearConnection (5)
lineAnswer             answerCall (2)
lineHold / lineUnhold  holdCall (9) / retrieveCall (14)
lineRedirect           deflectCall (218)
lineBlindTransfer      singleStepTrans (50)
lineSetupTransfer      holdCall (9), the consultation call prepared in DIALTONE
lineDial               makeCall (10) for a prepared consultation call, dialDigits (219) else
lineSwapHold           alternateCall (1)
lineCompleteTransfer   transferCall (16) in transfer mode, conferenceCall (6) in conference
lineAddToConference    conferenceCall (6)
linePrepareAddToConf   holdCall (9) of the conference call, its consultation call prepared
lineRemoveFromConf     clearConnection (5) of the member's party
linePickup             directedPickupCall (220); groupPickupCall without ``from``
lineGenerateDigits     generateDigits (232)
lineCompleteCall       callBack (215) or intrudeCall (222)
lineMonitorDigits      startDataCollection (347) / stopDataCollection (348)
lineForward            setForwarding (317), one per mode; getForwarding (309) reads them
=====================  =====================================================================
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ecsta.driver.calls import CallEngine
from ecsta.driver.constants import LineCallFeature, LineCallState, LineForwardMode
from ecsta.driver.devices import (
    call_of_connection,
    connection_id,
    device_id,
    key_of,
    key_of_connection,
)
from ecsta.driver.lines import FORWARD_TYPES, Line
from ecsta.driver.messages import Message, generate
from ecsta.driver.model import HELD, Call

F = LineCallFeature
S = LineCallState

MAX_DIGITS = 64
_DIALABLE = set("0123456789*#+ABCDabcd,!PpTtWw@$?")


class ApiError(Exception):
    """A request the driver refuses before asking the PBX.

    ``error`` names why (``badRequest``, ``unknownCall``, ``notAllowed``...); the API layer
    alone turns it into an HTTP status (:data:`ecsta.driver.api.REFUSAL_STATUS`).
    """

    def __init__(self, error: str, message: str, line_error: str | None = None) -> None:
        super().__init__(message)
        self.error = error
        self.message = message
        #: The LINEERR_ code a TAPI application would get, where one says more than the status.
        self.line_error = line_error

    def to_json(self) -> dict[str, Any]:
        out = {"error": self.error, "message": self.message}
        if self.line_error is not None:
            out["lineError"] = self.line_error
        return out


#: (CSTA service name, argument) -> nothing.
Request = tuple[str, dict[str, Any]]
#: What a plan makes of its results: the JSON result and the messages to publish.
Finish = Callable[[list[Any]], tuple[Any, list[Message]]]


@dataclass
class Plan:
    """CSTA requests to send in order, then ``finish`` with their results.

    ``prepare`` runs just before the first request (marks a call as pending a transfer, so
    that the Held event, which may come before the result, finds it); ``undo`` runs if a
    request fails.
    """

    operation: str
    line: str
    call: int | None
    requests: list[Request]
    finish: Finish
    prepare: Callable[[], None] = lambda: None
    undo: Callable[[], None] = lambda: None
    local: Callable[[], tuple[Any, list[Message]]] | None = None


def _nothing(results: list[Any]) -> tuple[Any, list[Message]]:
    return {}, []


def _transferred(results: list[Any]) -> tuple[Any, list[Message]]:
    new = call_of_connection(results[0].get("transferredCall"))
    return {"transferredCallID": None if new is None else new.hex()}, []


def _text(body: Mapping[str, Any], key: str, what: str = "a number") -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ApiError("badRequest", f"'{key}' must be {what}, as a non-empty string")
    value = value.strip()
    if len(value) > MAX_DIGITS or not set(value) <= _DIALABLE:
        raise ApiError("badRequest", f"'{key}' is not a dialable string: {value!r}")
    return value


def _int(body: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError("badRequest", f"'{key}' must be an integer")
    return value


def _address(line: Line, body: Mapping[str, Any]) -> int:
    address = _int(body, "address", 0)
    if not line.has_address(address):
        raise ApiError("unknownAddress", f"line {line.number} has no address {address}")
    if not line.usable(address):
        raise ApiError(
            "notAllowed",
            f"address {address} of line {line.number} has no Super-Twin partner to use",
            line_error="LINEERR_OPERATIONUNAVAIL",
        )
    return address


def connection(call: Call) -> tuple[str, dict[str, Any]]:
    """Our connection in ``call``, named as the PBX named it."""
    assert call.csta_call is not None
    return connection_id(call.csta_call, call.device)


#: TAPI's error for an operation the call's state does not allow.
INVALCALLSTATE = "LINEERR_INVALCALLSTATE"


def _require(call: Call, feature: LineCallFeature, operation: str) -> None:
    if feature not in call.features:
        raise ApiError(
            "notAllowed",
            f"{operation} is not allowed on call {call.id} in {call.state_name}",
            line_error=INVALCALLSTATE,
        )


def _other_call(engine: CallEngine, call: Call, body: Mapping[str, Any], key: str) -> Call:
    other_id = _int(body, key)
    other = engine.call(other_id)
    if other is None:
        raise ApiError("unknownCall", f"no call {other_id}")
    if other.line != call.line or other.address != call.address or other is call:
        raise ApiError(
            "notAllowed", f"call {other_id} is not another call on the same line address"
        )
    if other.csta_call is None:
        raise ApiError("notAllowed", f"call {other_id} has not been dialled yet", INVALCALLSTATE)
    return other


def plan_call_operation(
    engine: CallEngine, call: Call, operation: str, body: Mapping[str, Any]
) -> Plan:
    """The plan for ``POST /calls/{call}/{operation}``."""
    builder = _CALL_OPERATIONS.get(operation)
    if builder is None:
        raise ApiError("unknownOperation", f"no call operation {operation!r}")
    return builder(engine, call, body)


def _drop(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    _require(call, F.LINECALLFEATURE_DROP, "drop")
    if call.csta_call is None:
        return Plan(
            "drop",
            call.line,
            call.id,
            [],
            _nothing,
            local=lambda: ({}, engine.drop_placeholder(call)),
        )
    return Plan(
        "drop",
        call.line,
        call.id,
        [("clearConnection", {"connectionToBeCleared": connection(call)})],
        _nothing,
    )


def _simple(
    operation: str, feature: LineCallFeature, service: str, field_name: str
) -> Callable[[CallEngine, Call, Mapping[str, Any]], Plan]:
    def build(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
        _require(call, feature, operation)
        return Plan(
            operation, call.line, call.id, [(service, {field_name: connection(call)})], _nothing
        )

    return build


def _unhold(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    _require(call, F.LINECALLFEATURE_UNHOLD, "unhold")
    pending = call.pending

    def prepare() -> None:
        call.pending = None

    def undo() -> None:
        call.pending = pending

    return Plan(
        "unhold",
        call.line,
        call.id,
        [("retrieveCall", {"callToBeRetrieved": connection(call)})],
        _nothing,
        prepare=prepare,
        undo=undo,
    )


def _redirect(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    _require(call, F.LINECALLFEATURE_REDIRECT, "redirect")
    to = _text(body, "to")
    return Plan(
        "redirect",
        call.line,
        call.id,
        [("deflectCall", {"callToBeDiverted": connection(call), "newDestination": device_id(to)})],
        _nothing,
    )


def _blind_transfer(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    _require(call, F.LINECALLFEATURE_BLINDTRANSFER, "blindtransfer")
    to = _text(body, "to")
    return Plan(
        "blindtransfer",
        call.line,
        call.id,
        [("singleStepTrans", {"activeCall": connection(call), "transferredTo": device_id(to)})],
        _transferred,
    )


def _setup(
    mode: str, operation: str | None = None, feature: LineCallFeature | None = None
) -> Callable[[CallEngine, Call, Mapping[str, Any]], Plan]:
    """lineSetupTransfer / lineSetupConference; the latter also on a conference call, whose
    consultation call ``addtoconference`` then adds to it, as linePrepareAddToConference
    (``prepareaddtoconference``, on a conference call only) does."""
    operation = operation or f"setup{mode}"
    setup = F.LINECALLFEATURE_SETUPTRANSFER if mode == "transfer" else F.LINECALLFEATURE_SETUPCONF
    needed = feature if feature is not None else setup

    def build(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
        _require(call, needed, operation)
        line = engine.line_of(call)

        def prepare() -> None:
            call.pending = mode

        def undo() -> None:
            call.pending = None

        def finish(results: list[Any]) -> tuple[Any, list[Message]]:
            consult, out = engine.prepare_consultation(line, call)
            return {"consult": consult.id}, out

        return Plan(
            operation,
            call.line,
            call.id,
            [("holdCall", {"callToBeHeld": connection(call)})],
            finish,
            prepare=prepare,
            undo=undo,
        )

    return build


def _dial(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    _require(call, F.LINECALLFEATURE_DIAL, "dial")
    digits = _text(body, "digits", "the digits to dial")
    line = engine.line_of(call)
    if call.csta_call is None:

        def finish(results: list[Any]) -> tuple[Any, list[Message]]:
            csta_call = call_of_connection(results[0].get("callingDevice"))
            made, out = engine.made_call(line, call.address, csta_call, call)
            return {"call": made.id}, out

        return Plan(
            "dial",
            call.line,
            call.id,
            [
                (
                    "makeCall",
                    {
                        "callingDevice": device_id(line.address_device(call.address)),
                        "calledDirectoryNumber": device_id(digits),
                    },
                )
            ],
            finish,
        )
    return Plan(
        "dial",
        call.line,
        call.id,
        [
            (
                "dialDigits",
                {"diallingConnection": connection(call), "diallingSequence": device_id(digits)},
            )
        ],
        _nothing,
    )


def _swap_hold(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    _require(call, F.LINECALLFEATURE_SWAPHOLD, "swaphold")
    other = _other_call(engine, call, body, "other")
    active, held = (call, other) if call.state is S.LINECALLSTATE_CONNECTED else (other, call)
    if active.state is not S.LINECALLSTATE_CONNECTED or held.state not in HELD:
        raise ApiError(
            "notAllowed", "swaphold needs one connected and one held call", INVALCALLSTATE
        )
    return Plan(
        "swaphold",
        call.line,
        call.id,
        [("alternateCall", {"heldCall": connection(held), "activeCall": connection(active)})],
        _nothing,
    )


def _complete_transfer(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    _require(call, F.LINECALLFEATURE_COMPLETETRANSF, "completetransfer")
    other = _other_call(engine, call, body, "consult")
    mode = body.get("mode", "transfer")
    if mode not in ("transfer", "conference"):
        raise ApiError("badRequest", "'mode' must be 'transfer' or 'conference'")
    active, held = (other, call) if call.state in HELD else (call, other)
    # TAPI allows an unannounced transfer: the consultation call still rings (RINGBACK).
    answered = S.LINECALLSTATE_RINGBACK if mode == "transfer" else S.LINECALLSTATE_CONNECTED
    if active.state not in (S.LINECALLSTATE_CONNECTED, answered) or held.state not in HELD:
        raise ApiError(
            "notAllowed",
            f"completetransfer in {mode} mode needs one held call and one "
            + ("connected or ringing" if mode == "transfer" else "connected")
            + " call",
            INVALCALLSTATE,
        )
    arguments = {"heldCall": connection(held), "activeCall": connection(active)}
    if mode == "transfer":
        return Plan(
            "completetransfer", call.line, call.id, [("transferCall", arguments)], _transferred
        )
    return _conference_plan(engine, "completetransfer", call, arguments)


def _conference_plan(
    engine: CallEngine, operation: str, call: Call, arguments: dict[str, Any]
) -> Plan:
    line = engine.line_of(call)

    def finish(results: list[Any]) -> tuple[Any, list[Message]]:
        csta_call = call_of_connection(results[0].get("conferenceCall"))
        if csta_call is None:
            return {"conferenceCall": None, "conferenceCallID": None}, []
        parent, out = engine.conference_call(line, call.address, csta_call)
        return {"conferenceCall": parent.id, "conferenceCallID": csta_call.hex()}, out

    return Plan(operation, call.line, call.id, [("conferenceCall", arguments)], finish)


def _add_to_conference(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    other = _other_call(engine, call, body, "consult")
    if F.LINECALLFEATURE_ADDTOCONF not in call.features | other.features:
        raise ApiError(
            "notAllowed",
            f"addtoconference is not allowed on calls {call.id} and {other.id}",
            INVALCALLSTATE,
        )
    held, active = (call, other) if call.state in HELD or call.is_conference else (other, call)
    if active.state is not S.LINECALLSTATE_CONNECTED or held.state not in HELD:
        raise ApiError(
            "notAllowed",
            "addtoconference needs the held conference and a connected consultation call",
            INVALCALLSTATE,
        )
    return _conference_plan(
        engine,
        "addtoconference",
        call,
        {"heldCall": connection(held), "activeCall": connection(active)},
    )


def _remove_from_conference(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    _require(call, F.LINECALLFEATURE_REMOVEFROMCONF, "removefromconference")
    if call.connected_key is None or call.csta_call is None:
        raise ApiError("notAllowed", f"call {call.id} has no known party to remove")
    return Plan(
        "removefromconference",
        call.line,
        call.id,
        [
            (
                "clearConnection",
                {"connectionToBeCleared": connection_id(call.csta_call, call.connected_key)},
            )
        ],
        _nothing,
    )


def _generate_digits(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    _require(call, F.LINECALLFEATURE_GENERATEDIGITS, "generatedigits")
    digits = _text(body, "digits", "the digits to send")
    # Marked before the request: the PBX's DigitsGenerated may come before its answer.
    replaced = call.generating

    def prepare() -> None:
        call.generating = True

    def undo() -> None:
        call.generating = replaced

    def finish(results: list[Any]) -> tuple[Any, list[Message]]:
        # The digits still being sent for an earlier request are cut short by these.
        return {}, [generate(call, None, done=False)] if replaced else []

    return Plan(
        "generatedigits",
        call.line,
        call.id,
        [
            (
                "generateDigits",
                {"connectionToSendDigits": connection(call), "charactersToSend": digits},
            )
        ],
        finish,
        prepare,
        undo,
    )


def _complete_call(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    _require(call, F.LINECALLFEATURE_COMPLETECALL, "completecall")
    mode = body.get("mode")
    if mode == "callback":

        def finish(results: list[Any]) -> tuple[Any, list[Message]]:
            target = results[0].get("targetDevice") if isinstance(results[0], Mapping) else None
            return {
                "mode": "LINECALLCOMPLMODE_CALLBACK",
                "target": engine.lines.directory.party(key_of(target)),
            }, []

        return Plan(
            "completecall",
            call.line,
            call.id,
            [("callBack", {"callbackConnection": connection(call)})],
            finish,
        )
    if mode == "intrude":

        def finish_intrude(results: list[Any]) -> tuple[Any, list[Message]]:
            return {"mode": "LINECALLCOMPLMODE_INTRUDE"}, []

        return Plan(
            "completecall",
            call.line,
            call.id,
            [("intrudeCall", {"intrude": connection(call)})],
            finish_intrude,
        )
    raise ApiError("badRequest", "'mode' must be 'callback' or 'intrude'")


#: lineSetCallData keeps at most this much with a call (UTF-8 bytes).
MAX_CALL_DATA = 64 * 1024


def plan_set_call_data(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    """``PUT /calls/{call}/data``: lineSetCallData, kept by the driver and shown to every
    client with the call (a CRM's ticket number, say); null or "" removes it."""
    data = body.get("data")
    if data is not None and not isinstance(data, str):
        raise ApiError("badRequest", "'data' must be a string or null")
    if data is not None and len(data.encode("utf-8")) > MAX_CALL_DATA:
        raise ApiError("badRequest", f"'data' exceeds {MAX_CALL_DATA} bytes")

    def keep() -> tuple[Any, list[Message]]:
        return {"callData": data or None}, engine.set_call_data(call, data or None)

    return Plan("setcalldata", call.line, call.id, [], _nothing, local=keep)


def plan_set_app_specific(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    """``PUT /calls/{call}/appspecific``: lineSetAppSpecific, a 32-bit value of the call."""
    value = _int(body, "value")
    if not 0 <= value <= 0xFFFFFFFF:
        raise ApiError("badRequest", "'value' must be a 32-bit unsigned integer")

    def keep() -> tuple[Any, list[Message]]:
        return {"appSpecific": value}, engine.set_app_specific(call, value)

    return Plan("setappspecific", call.line, call.id, [], _nothing, local=keep)


def _monitor_digits(engine: CallEngine, call: Call, body: Mapping[str, Any]) -> Plan:
    """lineMonitorDigits: the PBX's data collection on the call's phone reports the digits
    dialled there; ``{"modes": []}`` stops it. Only DTMF is known to a Panasonic PBX."""
    modes = body.get("modes", ["LINEDIGITMODE_DTMF"])
    if not isinstance(modes, list) or not set(modes) <= {"LINEDIGITMODE_DTMF"}:
        raise ApiError("badRequest", "'modes' must be [] or ['LINEDIGITMODE_DTMF']")
    if call.csta_call is None or call.state is S.LINECALLSTATE_IDLE:
        raise ApiError("notAllowed", f"call {call.id} is not at the phone yet", INVALCALLSTATE)
    running = call.digits_collection
    if not modes:
        if running is None:
            return Plan("monitordigits", call.line, call.id, [], _nothing, local=lambda: ({}, []))

        def stopped(results: list[Any]) -> tuple[Any, list[Message]]:
            engine.monitor_digits(call, None)
            return {}, []

        return Plan(
            "monitordigits",
            call.line,
            call.id,
            [("stopDataCollection", {"dcollCrossRefID": running})],
            stopped,
        )
    if running is not None:
        return Plan("monitordigits", call.line, call.id, [], _nothing, local=lambda: ({}, []))

    def started(results: list[Any]) -> tuple[Any, list[Message]]:
        collection = results[0].get("dcollCrossRefID") if isinstance(results[0], Mapping) else None
        if isinstance(collection, bytes):
            engine.monitor_digits(call, collection)
        return {}, []

    return Plan(
        "monitordigits",
        call.line,
        call.id,
        [
            (
                "startDataCollection",
                {"object": ("device", device_id(call.device)), "dataCollType": "digits"},
            )
        ],
        started,
    )


_CALL_OPERATIONS: dict[str, Callable[[CallEngine, Call, Mapping[str, Any]], Plan]] = {
    "drop": _drop,
    "answer": _simple("answer", F.LINECALLFEATURE_ANSWER, "answerCall", "callToBeAnswered"),
    "hold": _simple("hold", F.LINECALLFEATURE_HOLD, "holdCall", "callToBeHeld"),
    "unhold": _unhold,
    "redirect": _redirect,
    "blindtransfer": _blind_transfer,
    "setuptransfer": _setup("transfer"),
    "setupconference": _setup("conference"),
    "prepareaddtoconference": _setup(
        "conference", "prepareaddtoconference", F.LINECALLFEATURE_PREPAREADDCONF
    ),
    "dial": _dial,
    "swaphold": _swap_hold,
    "completetransfer": _complete_transfer,
    "addtoconference": _add_to_conference,
    "removefromconference": _remove_from_conference,
    "generatedigits": _generate_digits,
    "completecall": _complete_call,
    "monitordigits": _monitor_digits,
}

CALL_OPERATIONS = frozenset(_CALL_OPERATIONS)


# -- line operations ------------------------------------------------------------------------------


def plan_make_call(engine: CallEngine, line: Line, body: Mapping[str, Any]) -> Plan:
    """lineMakeCall; without ``to`` the call waits in DIALTONE for ``dial`` to make it."""
    address = _address(line, body)
    if body.get("to") is None:

        def prepare() -> tuple[Any, list[Message]]:
            call, out = engine.prepare_call(line, address)
            return {"call": call.id, "callID": None}, out

        return Plan("makecall", line.number, None, [], _nothing, local=prepare)
    to = _text(body, "to")

    def finish(results: list[Any]) -> tuple[Any, list[Message]]:
        csta_call = call_of_connection(results[0].get("callingDevice"))
        call, out = engine.made_call(line, address, csta_call)
        return {"call": call.id, "callID": None if csta_call is None else csta_call.hex()}, out

    return Plan(
        "makecall",
        line.number,
        None,
        [
            (
                "makeCall",
                {
                    "callingDevice": device_id(line.address_device(address)),
                    "calledDirectoryNumber": device_id(to),
                },
            )
        ],
        finish,
    )


def plan_pickup(engine: CallEngine, line: Line, body: Mapping[str, Any]) -> Plan:
    """linePickup: of the call ringing at ``from``, or without it of the line's pickup group."""
    if body.get("from") is None:
        return Plan(
            "pickup",
            line.number,
            None,
            [("groupPickupCall", {"newDestination": device_id(line.device)})],
            _picked(engine, line, None),
        )
    source = _text(body, "from")
    ringing = engine.lines.get(source)
    alerting = None
    if ringing is not None:
        alerting = next(
            (
                c
                for c in ringing.calls.values()
                if c.state is S.LINECALLSTATE_OFFERING and c.csta_call is not None
            ),
            None,
        )
    target = (
        connection(alerting)
        if alerting is not None
        else ("deviceID", ("staticID", device_id(source)))
    )

    return Plan(
        "pickup",
        line.number,
        None,
        [
            (
                "directedPickupCall",
                {"callToBePickedUp": target, "requestingDevice": device_id(line.device)},
            )
        ],
        _picked(engine, line, alerting),
    )


def _picked(engine: CallEngine, line: Line, alerting: Call | None) -> Finish:
    """The call a pickup brought to ``line``, CONNECTED (``alerting``: the call we meant)."""

    def finish(results: list[Any]) -> tuple[Any, list[Message]]:
        result = results[0] if isinstance(results[0], Mapping) else {}
        csta_call = call_of_connection(result.get("pickedCall"))
        if csta_call is None and alerting is not None:
            csta_call = alerting.csta_call
        if csta_call is None:
            return {"call": None, "callID": None}, []
        address = line.address_of(key_of_connection(result.get("pickedCall"))) or 0
        call, out = engine.picked_up(line, csta_call, address)
        return {"call": call.id, "callID": csta_call.hex()}, out

    return finish


def plan_forward(engine: CallEngine, line: Line, body: Mapping[str, Any]) -> Plan:
    """lineForward: the list replaces every forwarding on the address; empty cancels all."""
    address = _address(line, body)
    forwards = body.get("forwards")
    if not isinstance(forwards, list):
        raise ApiError("badRequest", "'forwards' must be a list")
    wanted: dict[LineForwardMode, str] = {}
    for index, entry in enumerate(forwards):
        if not isinstance(entry, Mapping):
            raise ApiError("badRequest", f"forwards[{index}] must be an object")
        name = entry.get("mode")
        mode = LineForwardMode.__members__.get(name) if isinstance(name, str) else None
        if mode is None or mode not in FORWARD_TYPES:
            raise ApiError(
                "badRequest",
                f"forwards[{index}].mode: {name!r} is not one of "
                + ", ".join(m.name for m in FORWARD_TYPES if m.name),
            )
        if mode in wanted:
            raise ApiError("badRequest", f"forwards[{index}].mode: {name} given twice")
        wanted[mode] = _text(entry, "to")
    device = device_id(line.address_device(address))
    current = {LineForwardMode.__members__[f["mode"]] for f in line.forwarding.get(address, [])}
    requests: list[Request] = []
    for mode in sorted(current - set(wanted)):
        requests.append(
            (
                "setForwarding",
                {"device": device, "forwardingType": FORWARD_TYPES[mode], "activateForward": False},
            )
        )
    for mode, to in wanted.items():
        requests.append(
            (
                "setForwarding",
                {
                    "device": device,
                    "forwardingType": FORWARD_TYPES[mode],
                    "activateForward": True,
                    "forwardDN": device_id(to),
                },
            )
        )
    if not requests:
        requests.append(("setForwarding", {"device": device, "activateForward": False}))
    status = [{"mode": mode.name, "to": to} for mode, to in wanted.items()]

    def finish(results: list[Any]) -> tuple[Any, list[Message]]:
        out = engine.set_forwarding(line, address, status)
        return engine.address_status(line, address), out

    return Plan("forward", line.number, None, requests, finish)
