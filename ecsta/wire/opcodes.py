"""The local opcodes of the CSTA operations ecsta knows, by their ECMA-285 value references.

The one place a CSTA opcode is written as a number: everything else names it
(``Opcode.monitorStart``), so that a reader never has to remember that 73 stops a monitor, and
a typo is an AttributeError rather than another operation. The members are the value references
of the ECMA-285 modules, spelled as there; :mod:`ecsta.wire.operations` gives each its
argument, result and errors, and has a row for every member. This module imports nothing, so
that the TLV reader can name the opcodes it peeks at.
"""

import enum


class Opcode(enum.IntEnum):
    """``CODE local: N`` of each operation (an ``int``: peeked opcodes compare equal)."""

    # call control
    alternateCall = 1
    answerCall = 2
    clearCall = 4
    clearConnection = 5
    conferenceCall = 6
    consultationCall = 7
    holdCall = 9
    makeCall = 10
    reconnectCall = 13
    retrieveCall = 14
    transferCall = 16
    singleStepTrans = 50
    callBack = 215
    deflectCall = 218
    directedPickupCall = 220
    groupPickupCall = 221
    intrudeCall = 222
    # call associated
    dialDigits = 219
    generateDigits = 232
    # event report (the one operation nobody answers)
    cSTAEventReport = 21
    # escape (Panasonic private services)
    escape = 51
    # monitoring and snapshots
    monitorStart = 71
    changeMonitorFilter = 72
    monitorStop = 73
    snapshotDevice = 74
    snapshotCall = 75
    # system
    getSwitchingFunctionDevices = 204
    switchingFunctionDevices = 205
    requestSysStat = 210
    systemStatus = 211
    swFunctionDevicesChanged = 213
    # physical device features
    buttonPress = 260
    setDisplay = 274
    # logical device features
    getDoNotDisturb = 308
    getForwarding = 309
    setDoNotDisturb = 316
    setForwarding = 317
    # data collection
    dataCollected = 343
    startDataCollection = 347
    stopDataCollection = 348
    # call detail records
    cDRNotification = 360
    cDRReport = 361
    startCDRTransmission = 363
    stopCDRTransmission = 364
