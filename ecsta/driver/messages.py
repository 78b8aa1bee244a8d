"""The JSON messages of the event stream, named and shaped after TAPI's line messages.

Every message carries ``msg`` (the TAPI message name), ``line`` and, where they apply,
``address`` and ``call``, so that a client can route it without looking further.
"""

from typing import Any

from ecsta.driver.constants import (
    LineAddressState,
    LineCallInfoState,
    LineDevState,
    flag_names,
)
from ecsta.driver.lines import Line
from ecsta.driver.model import Call

Message = dict[str, Any]


def _of_call(msg: str, call: Call, **fields: Any) -> Message:
    return {"msg": msg, "line": call.line, "address": call.address, "call": call.id, **fields}


def new_call(call: Call) -> Message:
    return _of_call("LINE_NEWCALL", call, callInfo=call.to_json())


def call_state(call: Call) -> Message:
    return _of_call(
        "LINE_CALLSTATE",
        call,
        state=call.state_name,
        mode=None if call.mode is None else flag_names(call.mode),
        features=flag_names(call.features),
    )


def call_info(call: Call, changed: LineCallInfoState) -> Message:
    return _of_call("LINE_CALLINFO", call, infoState=flag_names(changed), callInfo=call.to_json())


def generate(call: Call, digits: str | None, done: bool = True) -> Message:
    """LINE_GENERATE: the digits lineGenerateDigits asked for have all been sent (DONE), or
    will not be: the call ended, or a new request replaced it (CANCEL)."""
    termination = "LINEGENERATETERM_DONE" if done else "LINEGENERATETERM_CANCEL"
    return _of_call("LINE_GENERATE", call, generateTermination=termination, digits=digits)


def monitor_digit(call: Call, digit: str) -> Message:
    """LINE_MONITORDIGITS: one digit dialled at the phone during the call."""
    return _of_call("LINE_MONITORDIGITS", call, digit=digit, digitMode="LINEDIGITMODE_DTMF")


def address_state(line: str, address: int, changed: LineAddressState, status: Any) -> Message:
    return {
        "msg": "LINE_ADDRESSSTATE",
        "line": line,
        "address": address,
        "addressState": flag_names(changed),
        "status": status,
    }


def line_dev_state(line: str, state: LineDevState, **details: Any) -> Message:
    out: Message = {"msg": "LINE_LINEDEVSTATE", "line": line, "devState": flag_names(state)}
    out.update(details)
    return out


def line_create(line: Line) -> Message:
    return {"msg": "LINE_CREATE", "line": line.number, "lineInfo": line.to_json()}


def line_remove(line: str) -> Message:
    return {"msg": "LINE_REMOVE", "line": line}


def reply(
    request: int,
    operation: str,
    line: str | None,
    call: int | None,
    result: Any = None,
    error: Any = None,
) -> Message:
    out: Message = {
        "msg": "LINE_REPLY",
        "line": line,
        "call": call,
        "request": request,
        "operation": operation,
    }
    if error is None:
        out["result"] = result
    else:
        out["error"] = error
    return out
