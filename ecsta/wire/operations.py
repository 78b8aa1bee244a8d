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
from ecsta.wire.opcodes import Opcode


@dataclass(frozen=True)
class Operation:
    """One CSTA operation, as its ECMA-285 module defines it."""

    code: Opcode
    argument: type[base.Asn1Item]
    result: type[base.Asn1Item] | None
    answered: bool
    errors: tuple[str, ...] = (UNIVERSAL_FAILURE.name,)

    @property
    def name(self) -> str:
        """The ECMA-285 value reference, e.g. ``monitorStart``."""
        return self.code.name


def _op(
    code: Opcode, argument: type[base.Asn1Item], result: type[base.Asn1Item] | None
) -> Operation:
    return Operation(code, argument, result, answered=True)


OPERATIONS: tuple[Operation, ...] = (
    # call control
    _op(Opcode.alternateCall, call_control.AlternateCallArgument, call_control.AlternateCallResult),
    _op(Opcode.answerCall, call_control.AnswerCallArgument, call_control.AnswerCallResult),
    _op(Opcode.clearCall, call_control.ClearCallArgument, call_control.ClearCallResult),
    _op(
        Opcode.clearConnection,
        call_control.ClearConnectionArgument,
        call_control.ClearConnectionResult,
    ),
    _op(
        Opcode.conferenceCall,
        call_control.ConferenceCallArgument,
        call_control.ConferenceCallResult,
    ),
    _op(
        Opcode.consultationCall,
        call_control.ConsultationCallArgument,
        call_control.ConsultationCallResult,
    ),
    _op(Opcode.holdCall, call_control.HoldCallArgument, call_control.HoldCallResult),
    _op(Opcode.makeCall, call_control.MakeCallArgument, call_control.MakeCallResult),
    _op(Opcode.reconnectCall, call_control.ReconnectCallArgument, call_control.ReconnectCallResult),
    _op(Opcode.retrieveCall, call_control.RetrieveCallArgument, call_control.RetrieveCallResult),
    _op(Opcode.transferCall, call_control.TransferCallArgument, call_control.TransferCallResult),
    _op(
        Opcode.singleStepTrans,
        call_control.SingleStepTransArgument,
        call_control.SingleStepTransResult,
    ),
    _op(Opcode.callBack, call_control.CallBackArgument, call_control.CallBackResult),
    _op(Opcode.deflectCall, call_control.DeflectCallArgument, call_control.DeflectCallResult),
    _op(
        Opcode.directedPickupCall,
        call_control.DirectedPickupCallArgument,
        call_control.DirectedPickupCallResult,
    ),
    _op(
        Opcode.groupPickupCall,
        call_control.GroupPickupCallArgument,
        call_control.GroupPickupCallResult,
    ),
    _op(Opcode.intrudeCall, call_control.IntrudeCallArgument, call_control.IntrudeCallResult),
    # call associated
    _op(Opcode.dialDigits, call_control.DialDigitsArgument, call_control.DialDigitsResult),
    _op(
        Opcode.generateDigits,
        call_control.GenerateDigitsArgument,
        call_control.GenerateDigitsResult,
    ),
    # event report: the one operation nobody answers, and the one without errors
    Operation(
        Opcode.cSTAEventReport, events.CSTAEventReportArgument, None, answered=False, errors=()
    ),
    # escape (Panasonic private services)
    _op(Opcode.escape, escape.EscapeArgument, escape.EscapeResult),
    # monitoring and snapshots
    _op(Opcode.monitorStart, monitor.MonitorStartArgument, monitor.MonitorStartResult),
    _op(
        Opcode.changeMonitorFilter,
        monitor.ChangeMonitorFilterArgument,
        monitor.ChangeMonitorFilterResult,
    ),
    _op(Opcode.monitorStop, monitor.MonitorStopArgument, monitor.MonitorStopResult),
    _op(Opcode.snapshotDevice, snapshot.SnapshotDeviceArgument, snapshot.SnapshotDeviceResult),
    _op(Opcode.snapshotCall, snapshot.SnapshotCallArgument, snapshot.SnapshotCallResult),
    # system
    _op(
        Opcode.getSwitchingFunctionDevices,
        system.GetSwitchingFunctionDevicesArgument,
        system.GetSwitchingFunctionDevicesResult,
    ),
    _op(Opcode.switchingFunctionDevices, system.SwitchingFunctionDevicesArgument, None),
    _op(Opcode.requestSysStat, system.RequestSysStatArg, system.RequestSysStatRes),
    _op(Opcode.systemStatus, system.SystemStatusArg, system.SystemStatusRes),
    _op(
        Opcode.swFunctionDevicesChanged,
        system.SwFunctionDevicesChangedArg,
        system.SwFunctionDevicesChangedRes,
    ),
    # physical device features
    _op(Opcode.buttonPress, physical.ButtonPressArgument, physical.ButtonPressResult),
    _op(Opcode.setDisplay, physical.SetDisplayArgument, physical.SetDisplayResult),
    # logical device features
    _op(Opcode.getDoNotDisturb, logical.GetDoNotDisturbArgument, logical.GetDoNotDisturbResult),
    _op(Opcode.getForwarding, logical.GetForwardingArgument, logical.GetForwardingResult),
    _op(Opcode.setDoNotDisturb, logical.SetDoNotDisturbArgument, logical.SetDoNotDisturbResult),
    _op(Opcode.setForwarding, logical.SetForwardingArgument, logical.SetForwardingResult),
    # data collection
    _op(
        Opcode.dataCollected,
        data_collection.DataCollectedArgument,
        data_collection.DataCollectedResult,
    ),
    _op(
        Opcode.startDataCollection,
        data_collection.StartDataCollectionArgument,
        data_collection.StartDataCollectionResult,
    ),
    _op(
        Opcode.stopDataCollection,
        data_collection.StopDataCollectionArgument,
        data_collection.StopDataCollectionResult,
    ),
    # call detail records
    _op(Opcode.cDRNotification, cdr.CDRNotificationArgument, cdr.CDRNotificationResult),
    _op(Opcode.cDRReport, cdr.CDRReportArgument, cdr.CDRReportResult),
    _op(
        Opcode.startCDRTransmission,
        cdr.StartCDRTransmissionArgument,
        cdr.StartCDRTransmissionResult,
    ),
    _op(Opcode.stopCDRTransmission, cdr.StopCDRTransmissionArgument, cdr.StopCDRTransmissionResult),
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
