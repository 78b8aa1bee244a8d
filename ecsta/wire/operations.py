"""The CSTA operations: one declarative table that every part of ecsta reads.

The multiplexer, the driver, the simulator and the decoder CLI all look operations up here, as
AMP programs look up their ``Command`` classes: the local opcode, the ECMA-285 value reference,
the pyasn1 types of the argument and the result, whether the peer answers an invoke, and which
errors it may return. Codes and types are those of each operation's ECMA-285 module
(``CODE local: N``, ``ARGUMENT``, ``RESULT``, ``ERRORS``).

``answered`` follows X.880: an operation is answered unless its module says ``ALWAYS RESPONDS
FALSE``, which only ``cSTAEventReport`` does. An operation without a RESULT type
(``switchingFunctionDevices``) is still answered, with a ReturnResult that carries no result.
Panasonic bends this for its device-list escape invokes, which its clients leave unanswered
(PROTOCOL.md section 5); that is behaviour of the link, not of the operation.

``systemRegister`` (207) is not here: its module is not among the ECMA-285 modules ecsta
follows, and its types would be guesses.
"""

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from pyasn1.type import base

from ecsta.wire.asn1 import (
    call_control,
    cdr,
    data_collection,
    escape,
    events,
    logical,
    monitor,
    physical,
    snapshot,
    system,
)
from ecsta.wire.asn1.error import UNIVERSAL_FAILURE


@dataclass(frozen=True)
class Operation:
    """One CSTA operation, as its ECMA-285 module defines it."""

    code: int
    name: str
    argument: type[base.Asn1Item]
    result: type[base.Asn1Item] | None
    answered: bool
    errors: tuple[str, ...] = (UNIVERSAL_FAILURE.name,)


def _op(
    code: int, name: str, argument: type[base.Asn1Item], result: type[base.Asn1Item] | None
) -> Operation:
    return Operation(code, name, argument, result, answered=True)


OPERATIONS: tuple[Operation, ...] = (
    # call control
    _op(1, "alternateCall", call_control.AlternateCallArgument, call_control.AlternateCallResult),
    _op(2, "answerCall", call_control.AnswerCallArgument, call_control.AnswerCallResult),
    _op(4, "clearCall", call_control.ClearCallArgument, call_control.ClearCallResult),
    _op(
        5,
        "clearConnection",
        call_control.ClearConnectionArgument,
        call_control.ClearConnectionResult,
    ),
    _op(
        6, "conferenceCall", call_control.ConferenceCallArgument, call_control.ConferenceCallResult
    ),
    _op(
        7,
        "consultationCall",
        call_control.ConsultationCallArgument,
        call_control.ConsultationCallResult,
    ),
    _op(9, "holdCall", call_control.HoldCallArgument, call_control.HoldCallResult),
    _op(10, "makeCall", call_control.MakeCallArgument, call_control.MakeCallResult),
    _op(13, "reconnectCall", call_control.ReconnectCallArgument, call_control.ReconnectCallResult),
    _op(14, "retrieveCall", call_control.RetrieveCallArgument, call_control.RetrieveCallResult),
    _op(16, "transferCall", call_control.TransferCallArgument, call_control.TransferCallResult),
    _op(
        50,
        "singleStepTrans",
        call_control.SingleStepTransArgument,
        call_control.SingleStepTransResult,
    ),
    _op(215, "callBack", call_control.CallBackArgument, call_control.CallBackResult),
    _op(218, "deflectCall", call_control.DeflectCallArgument, call_control.DeflectCallResult),
    _op(
        220,
        "directedPickupCall",
        call_control.DirectedPickupCallArgument,
        call_control.DirectedPickupCallResult,
    ),
    _op(
        221,
        "groupPickupCall",
        call_control.GroupPickupCallArgument,
        call_control.GroupPickupCallResult,
    ),
    _op(222, "intrudeCall", call_control.IntrudeCallArgument, call_control.IntrudeCallResult),
    # call associated
    _op(219, "dialDigits", call_control.DialDigitsArgument, call_control.DialDigitsResult),
    _op(
        232,
        "generateDigits",
        call_control.GenerateDigitsArgument,
        call_control.GenerateDigitsResult,
    ),
    # event report: the one operation nobody answers, and the one without errors
    Operation(
        21, "cSTAEventReport", events.CSTAEventReportArgument, None, answered=False, errors=()
    ),
    # escape (Panasonic private services)
    _op(51, "escape", escape.EscapeArgument, escape.EscapeResult),
    # monitoring and snapshots
    _op(71, "monitorStart", monitor.MonitorStartArgument, monitor.MonitorStartResult),
    _op(
        72,
        "changeMonitorFilter",
        monitor.ChangeMonitorFilterArgument,
        monitor.ChangeMonitorFilterResult,
    ),
    _op(73, "monitorStop", monitor.MonitorStopArgument, monitor.MonitorStopResult),
    _op(74, "snapshotDevice", snapshot.SnapshotDeviceArgument, snapshot.SnapshotDeviceResult),
    _op(75, "snapshotCall", snapshot.SnapshotCallArgument, snapshot.SnapshotCallResult),
    # system
    _op(
        204,
        "getSwitchingFunctionDevices",
        system.GetSwitchingFunctionDevicesArgument,
        system.GetSwitchingFunctionDevicesResult,
    ),
    _op(205, "switchingFunctionDevices", system.SwitchingFunctionDevicesArgument, None),
    _op(210, "requestSysStat", system.RequestSysStatArg, system.RequestSysStatRes),
    _op(211, "systemStatus", system.SystemStatusArg, system.SystemStatusRes),
    _op(
        213,
        "swFunctionDevicesChanged",
        system.SwFunctionDevicesChangedArg,
        system.SwFunctionDevicesChangedRes,
    ),
    # physical device features
    _op(260, "buttonPress", physical.ButtonPressArgument, physical.ButtonPressResult),
    _op(274, "setDisplay", physical.SetDisplayArgument, physical.SetDisplayResult),
    # logical device features
    _op(308, "getDoNotDisturb", logical.GetDoNotDisturbArgument, logical.GetDoNotDisturbResult),
    _op(309, "getForwarding", logical.GetForwardingArgument, logical.GetForwardingResult),
    _op(316, "setDoNotDisturb", logical.SetDoNotDisturbArgument, logical.SetDoNotDisturbResult),
    _op(317, "setForwarding", logical.SetForwardingArgument, logical.SetForwardingResult),
    # data collection
    _op(
        343,
        "dataCollected",
        data_collection.DataCollectedArgument,
        data_collection.DataCollectedResult,
    ),
    _op(
        347,
        "startDataCollection",
        data_collection.StartDataCollectionArgument,
        data_collection.StartDataCollectionResult,
    ),
    _op(
        348,
        "stopDataCollection",
        data_collection.StopDataCollectionArgument,
        data_collection.StopDataCollectionResult,
    ),
    # call detail records
    _op(360, "cDRNotification", cdr.CDRNotificationArgument, cdr.CDRNotificationResult),
    _op(361, "cDRReport", cdr.CDRReportArgument, cdr.CDRReportResult),
    _op(
        363,
        "startCDRTransmission",
        cdr.StartCDRTransmissionArgument,
        cdr.StartCDRTransmissionResult,
    ),
    _op(364, "stopCDRTransmission", cdr.StopCDRTransmissionArgument, cdr.StopCDRTransmissionResult),
)

BY_CODE: Mapping[int, Operation] = MappingProxyType({op.code: op for op in OPERATIONS})
BY_NAME: Mapping[str, Operation] = MappingProxyType({op.name: op for op in OPERATIONS})


def lookup(code_or_name: int | str) -> Operation:
    """The operation with this local opcode or ECMA-285 name.

    Raises :class:`KeyError` naming what was asked for; for a name, it suggests the nearest
    known ones (the value references are terse: ``singleStepTrans``, ``requestSysStat``).
    """
    if isinstance(code_or_name, str):
        try:
            return BY_NAME[code_or_name]
        except KeyError:
            close = difflib.get_close_matches(code_or_name, BY_NAME, n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise KeyError(f"no CSTA operation named {code_or_name!r}{hint}") from None
    try:
        return BY_CODE[code_or_name]
    except KeyError:
        raise KeyError(f"no CSTA operation with local code {code_or_name!r}") from None
