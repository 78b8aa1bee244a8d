"""The TAPI call, and the one table that moves it from state to state on CSTA events.

A CSTA call (one callID) is a TAPI call on every line address that takes part in it: when 101
calls 102 and both are lines, there are two TAPI calls, one on each line. Every event a line's
monitor reports is seen from that line: the connection it is about is either the line's own on
the call's address (``LOCAL``), the line's own on its other address (``TWIN``: the Super-Twin
DECT while the desk phone's call is considered, or the reverse), or another party's
(``REMOTE``). :data:`TRANSITIONS` maps (event, side, current state) to what happens; a
combination it does not hold does not fit, and is logged with the call's history by the engine.

The flows follow ECMA-269 and the scenarios of ECMA TR/82: an outgoing call goes
serviceInitiated (DIALTONE), originated (PROCEEDING), delivered at the far end (RINGBACK),
established (CONNECTED); an incoming one delivered here (OFFERING), established here
(CONNECTED); held and retrieved here toggle ONHOLD (or ONHOLDPENDTRANSFER / ONHOLDPENDCONF
while a transfer or conference is being set up); the far end clearing leaves DISCONNECTED,
our own connection clearing leaves IDLE.
"""

import enum
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ecsta.driver.constants import (
    LineBusyMode,
    LineCallFeature,
    LineCallOrigin,
    LineCallReason,
    LineCallState,
    LineDialToneMode,
    LineDisconnectMode,
    LineSpecialInfo,
    flag_names,
)
from ecsta.driver.devices import DeviceKey

S = LineCallState
F = LineCallFeature


class Side(enum.Enum):
    LOCAL = "local"
    TWIN = "twin"
    REMOTE = "remote"


class Rule(enum.Enum):
    """What a transition does besides (or instead of) entering a fixed state."""

    KEEP = "keep"  # the event fits, the state stays; ids and parties are still updated
    IGNORE = "ignore"  # the event fits and concerns no TAPI call (no call is created)
    HOLD = "hold"  # ONHOLD, or ONHOLDPENDTRANSFER / ONHOLDPENDCONF when one is being set up
    FAIL = "fail"  # BUSY, SPECIALINFO or DISCONNECTED, by the Failed event's cause
    GONE = "gone"  # IDLE: the call left this address
    FAR_END_CLEARED = "far end cleared"  # DISCONNECTED once no other party is left
    MEMBER_CLEARED = "member cleared"  # a conference member whose party left goes IDLE
    REBIND = "rebind"  # transferred or conferenced elsewhere: new callID, new party
    CONFERENCE = "conference"  # we conferenced: the calls become members of a new one
    TRANSFERRED = "transferred"  # we transferred: both calls leave this line
    JOIN = "join"  # we intruded: our call is now the call we joined, CONNECTED


Target = LineCallState | Rule

#: The pseudo state of a call that does not exist yet on the address.
NEW = "NEW"

_LIVE = frozenset(
    {
        S.LINECALLSTATE_OFFERING,
        S.LINECALLSTATE_ACCEPTED,
        S.LINECALLSTATE_DIALTONE,
        S.LINECALLSTATE_DIALING,
        S.LINECALLSTATE_RINGBACK,
        S.LINECALLSTATE_BUSY,
        S.LINECALLSTATE_SPECIALINFO,
        S.LINECALLSTATE_CONNECTED,
        S.LINECALLSTATE_PROCEEDING,
        S.LINECALLSTATE_ONHOLD,
        S.LINECALLSTATE_CONFERENCED,
        S.LINECALLSTATE_ONHOLDPENDCONF,
        S.LINECALLSTATE_ONHOLDPENDTRANSFER,
        S.LINECALLSTATE_DISCONNECTED,
        S.LINECALLSTATE_UNKNOWN,
    }
)
#: The states of a call held here, whatever it is held for.
HELD = frozenset(
    {S.LINECALLSTATE_ONHOLD, S.LINECALLSTATE_ONHOLDPENDCONF, S.LINECALLSTATE_ONHOLDPENDTRANSFER}
)
_OUTGOING = frozenset(
    {S.LINECALLSTATE_DIALTONE, S.LINECALLSTATE_DIALING, S.LINECALLSTATE_PROCEEDING}
)
_TALKING = frozenset({S.LINECALLSTATE_CONNECTED, S.LINECALLSTATE_CONFERENCED}) | HELD
_ENDING = frozenset(
    {S.LINECALLSTATE_BUSY, S.LINECALLSTATE_SPECIALINFO, S.LINECALLSTATE_DISCONNECTED}
)

# (event, side, states the call may be in, target). Pseudo-events name what the driver itself
# learns from an operation's result: the call a MakeCall created, the call a pickup brought
# here, the consultation call a setuptransfer prepares, and a call made without a number.
_ROWS: list[tuple[str, Side, frozenset[Any], Target]] = [
    # made by the driver
    ("makeCall", Side.LOCAL, frozenset({NEW}), S.LINECALLSTATE_DIALTONE),
    ("makeCall", Side.LOCAL, _LIVE, Rule.KEEP),
    ("pickedUp", Side.LOCAL, frozenset({NEW}), S.LINECALLSTATE_CONNECTED),
    ("pickedUp", Side.LOCAL, _LIVE, Rule.KEEP),
    ("setupConsultation", Side.LOCAL, frozenset({NEW}), S.LINECALLSTATE_DIALTONE),
    ("prepareCall", Side.LOCAL, frozenset({NEW}), S.LINECALLSTATE_DIALTONE),
    # serviceInitiated: the phone went off-hook or a MakeCall started at it
    ("serviceInitiated", Side.LOCAL, frozenset({NEW}), S.LINECALLSTATE_DIALTONE),
    ("serviceInitiated", Side.LOCAL, frozenset({S.LINECALLSTATE_DIALTONE}), Rule.KEEP),
    ("serviceInitiated", Side.TWIN, _LIVE, Rule.KEEP),
    # originated: dialling is complete and the call proceeds
    ("originated", Side.LOCAL, frozenset({NEW}) | _OUTGOING, S.LINECALLSTATE_PROCEEDING),
    ("originated", Side.LOCAL, frozenset({S.LINECALLSTATE_RINGBACK}), Rule.KEEP),
    ("originated", Side.TWIN, _LIVE, Rule.KEEP),
    ("originated", Side.REMOTE, frozenset({NEW}), Rule.IGNORE),
    ("originated", Side.REMOTE, _LIVE, Rule.KEEP),
    # networkReached: the call left the PBX on a trunk
    ("networkReached", Side.REMOTE, frozenset({NEW}) | _OUTGOING, S.LINECALLSTATE_PROCEEDING),
    ("networkReached", Side.REMOTE, _TALKING | {S.LINECALLSTATE_RINGBACK}, Rule.KEEP),
    ("networkReached", Side.LOCAL, frozenset({NEW}) | _OUTGOING, S.LINECALLSTATE_PROCEEDING),
    ("networkReached", Side.LOCAL, _TALKING | {S.LINECALLSTATE_RINGBACK}, Rule.KEEP),
    ("networkReached", Side.TWIN, _LIVE, Rule.KEEP),
    # delivered: a phone is ringing
    ("delivered", Side.LOCAL, frozenset({NEW}), S.LINECALLSTATE_OFFERING),
    (
        "delivered",
        Side.LOCAL,
        frozenset({S.LINECALLSTATE_OFFERING, S.LINECALLSTATE_ACCEPTED}),
        Rule.KEEP,
    ),
    ("delivered", Side.TWIN, _LIVE, Rule.KEEP),
    ("delivered", Side.REMOTE, frozenset({NEW}) | _OUTGOING, S.LINECALLSTATE_RINGBACK),
    (
        "delivered",
        Side.REMOTE,
        _TALKING | {S.LINECALLSTATE_RINGBACK, S.LINECALLSTATE_OFFERING},
        Rule.KEEP,
    ),
    # established: a phone answered
    (
        "established",
        Side.LOCAL,
        frozenset(
            {NEW, S.LINECALLSTATE_OFFERING, S.LINECALLSTATE_ACCEPTED, S.LINECALLSTATE_RINGBACK}
        )
        | _OUTGOING,
        S.LINECALLSTATE_CONNECTED,
    ),
    ("established", Side.LOCAL, _TALKING, Rule.KEEP),
    (
        "established",
        Side.TWIN,
        frozenset({S.LINECALLSTATE_OFFERING, S.LINECALLSTATE_ACCEPTED}),
        Rule.GONE,
    ),
    ("established", Side.TWIN, _TALKING | _OUTGOING | {S.LINECALLSTATE_RINGBACK}, Rule.KEEP),
    (
        "established",
        Side.REMOTE,
        frozenset({NEW, S.LINECALLSTATE_RINGBACK}) | _OUTGOING,
        S.LINECALLSTATE_CONNECTED,
    ),
    ("established", Side.REMOTE, _TALKING | {S.LINECALLSTATE_OFFERING}, Rule.KEEP),
    # held / retrieved
    ("held", Side.LOCAL, frozenset({S.LINECALLSTATE_CONNECTED}), Rule.HOLD),
    ("held", Side.LOCAL, HELD, Rule.KEEP),
    ("held", Side.TWIN, _LIVE, Rule.KEEP),
    ("held", Side.REMOTE, _TALKING | {S.LINECALLSTATE_RINGBACK}, Rule.KEEP),
    ("retrieved", Side.LOCAL, HELD, S.LINECALLSTATE_CONNECTED),
    ("retrieved", Side.LOCAL, frozenset({S.LINECALLSTATE_CONNECTED}), Rule.KEEP),
    ("retrieved", Side.TWIN, _LIVE, Rule.KEEP),
    ("retrieved", Side.REMOTE, _TALKING, Rule.KEEP),
    # queued: waiting at a busy device or a group
    ("queued", Side.LOCAL, frozenset({NEW}), S.LINECALLSTATE_OFFERING),
    ("queued", Side.LOCAL, frozenset({S.LINECALLSTATE_OFFERING}), Rule.KEEP),
    ("queued", Side.TWIN, _LIVE, Rule.KEEP),
    ("queued", Side.REMOTE, frozenset({NEW}) | _OUTGOING, S.LINECALLSTATE_RINGBACK),
    ("queued", Side.REMOTE, frozenset({S.LINECALLSTATE_RINGBACK}) | _TALKING, Rule.KEEP),
    # diverted: the call moved on (deflected, forwarded, picked up elsewhere)
    ("diverted", Side.LOCAL, frozenset({NEW}), Rule.IGNORE),
    (
        "diverted",
        Side.LOCAL,
        frozenset({S.LINECALLSTATE_OFFERING, S.LINECALLSTATE_ACCEPTED}),
        Rule.GONE,
    ),
    ("diverted", Side.LOCAL, _OUTGOING | {S.LINECALLSTATE_RINGBACK}, Rule.KEEP),
    ("diverted", Side.TWIN, _LIVE, Rule.KEEP),
    ("diverted", Side.REMOTE, frozenset({NEW}), Rule.IGNORE),
    ("diverted", Side.REMOTE, _LIVE, Rule.KEEP),
    # failed: the call cannot be completed
    (
        "failed",
        Side.LOCAL,
        frozenset({NEW}) | _OUTGOING | {S.LINECALLSTATE_RINGBACK, S.LINECALLSTATE_CONNECTED},
        Rule.FAIL,
    ),
    ("failed", Side.LOCAL, _ENDING, Rule.KEEP),
    (
        "failed",
        Side.REMOTE,
        frozenset({NEW}) | _OUTGOING | {S.LINECALLSTATE_RINGBACK, S.LINECALLSTATE_CONNECTED},
        Rule.FAIL,
    ),
    ("failed", Side.REMOTE, _ENDING, Rule.KEEP),
    ("failed", Side.TWIN, _LIVE, Rule.KEEP),
    # connectionCleared: one party left
    ("connectionCleared", Side.LOCAL, frozenset({NEW}), Rule.IGNORE),
    ("connectionCleared", Side.LOCAL, _LIVE, Rule.GONE),
    ("connectionCleared", Side.TWIN, frozenset({NEW}), Rule.IGNORE),
    ("connectionCleared", Side.TWIN, _LIVE, Rule.KEEP),
    ("connectionCleared", Side.REMOTE, frozenset({NEW}), Rule.IGNORE),
    (
        "connectionCleared",
        Side.REMOTE,
        _OUTGOING
        | HELD
        | {
            S.LINECALLSTATE_OFFERING,
            S.LINECALLSTATE_ACCEPTED,
            S.LINECALLSTATE_RINGBACK,
            S.LINECALLSTATE_CONNECTED,
            S.LINECALLSTATE_BUSY,
            S.LINECALLSTATE_SPECIALINFO,
        },
        Rule.FAR_END_CLEARED,
    ),
    (
        "connectionCleared",
        Side.REMOTE,
        frozenset({S.LINECALLSTATE_CONFERENCED}),
        Rule.MEMBER_CLEARED,
    ),
    ("connectionCleared", Side.REMOTE, frozenset({S.LINECALLSTATE_DISCONNECTED}), Rule.KEEP),
    # callCleared: the whole call is gone
    ("callCleared", Side.REMOTE, frozenset({NEW}), Rule.IGNORE),
    ("callCleared", Side.REMOTE, _LIVE, Rule.GONE),
    # transferred: we transferred (both our calls leave), or we were transferred (rebind)
    ("transferred", Side.LOCAL, frozenset({NEW}), Rule.IGNORE),
    ("transferred", Side.LOCAL, _LIVE, Rule.TRANSFERRED),
    ("transferred", Side.TWIN, _LIVE, Rule.KEEP),
    ("transferred", Side.REMOTE, frozenset({NEW}), Rule.IGNORE),
    ("transferred", Side.REMOTE, _LIVE, Rule.REBIND),
    # conferenced: we built the conference, or we were added to (or are in) one
    ("conferenced", Side.LOCAL, frozenset({NEW}), Rule.IGNORE),
    ("conferenced", Side.LOCAL, _TALKING, Rule.CONFERENCE),
    ("conferenced", Side.LOCAL, _ENDING | _OUTGOING | {S.LINECALLSTATE_RINGBACK}, Rule.JOIN),
    ("conferenced", Side.TWIN, _LIVE, Rule.KEEP),
    ("conferenced", Side.REMOTE, frozenset({NEW}), Rule.IGNORE),
    ("conferenced", Side.REMOTE, _LIVE, Rule.REBIND),
]


def _compile() -> dict[tuple[str, Side, Any], Target]:
    table: dict[tuple[str, Side, Any], Target] = {}
    for event, side, states, target in _ROWS:
        for state in states:
            key = (event, side, state)
            if key in table:
                raise AssertionError(f"transition {key} defined twice")
            table[key] = target
    return table


#: (event, side, state or NEW) -> target: the whole call model in one table.
TRANSITIONS: dict[tuple[str, Side, Any], Target] = _compile()

# What each state allows, before the features that depend on the line's other calls.
STATE_FEATURES: dict[LineCallState, F] = {
    S.LINECALLSTATE_IDLE: F(0),
    S.LINECALLSTATE_OFFERING: F.LINECALLFEATURE_ANSWER
    | F.LINECALLFEATURE_DROP
    | F.LINECALLFEATURE_REDIRECT,
    S.LINECALLSTATE_ACCEPTED: F.LINECALLFEATURE_ANSWER
    | F.LINECALLFEATURE_DROP
    | F.LINECALLFEATURE_REDIRECT,
    S.LINECALLSTATE_DIALTONE: F.LINECALLFEATURE_DIAL | F.LINECALLFEATURE_DROP,
    S.LINECALLSTATE_DIALING: F.LINECALLFEATURE_DIAL | F.LINECALLFEATURE_DROP,
    S.LINECALLSTATE_PROCEEDING: F.LINECALLFEATURE_DROP,
    S.LINECALLSTATE_RINGBACK: F.LINECALLFEATURE_DROP | F.LINECALLFEATURE_COMPLETECALL,
    S.LINECALLSTATE_BUSY: F.LINECALLFEATURE_DROP | F.LINECALLFEATURE_COMPLETECALL,
    S.LINECALLSTATE_SPECIALINFO: F.LINECALLFEATURE_DROP,
    S.LINECALLSTATE_CONNECTED: F.LINECALLFEATURE_DROP
    | F.LINECALLFEATURE_HOLD
    | F.LINECALLFEATURE_BLINDTRANSFER
    | F.LINECALLFEATURE_SETUPTRANSFER
    | F.LINECALLFEATURE_SETUPCONF
    | F.LINECALLFEATURE_GENERATEDIGITS,
    S.LINECALLSTATE_ONHOLD: F.LINECALLFEATURE_DROP | F.LINECALLFEATURE_UNHOLD,
    S.LINECALLSTATE_ONHOLDPENDTRANSFER: F.LINECALLFEATURE_DROP | F.LINECALLFEATURE_UNHOLD,
    S.LINECALLSTATE_ONHOLDPENDCONF: F.LINECALLFEATURE_DROP | F.LINECALLFEATURE_UNHOLD,
    S.LINECALLSTATE_CONFERENCED: F.LINECALLFEATURE_REMOVEFROMCONF,
    S.LINECALLSTATE_DISCONNECTED: F.LINECALLFEATURE_DROP,
    S.LINECALLSTATE_UNKNOWN: F.LINECALLFEATURE_DROP,
}

#: Failed-event causes -> (state, mode); anything else is DISCONNECTED, mode UNKNOWN.
FAILURES: dict[str, tuple[LineCallState, enum.IntFlag]] = {
    "busy": (S.LINECALLSTATE_BUSY, LineBusyMode.LINEBUSYMODE_STATION),
    "trunksBusy": (S.LINECALLSTATE_BUSY, LineBusyMode.LINEBUSYMODE_TRUNK),
    "selectedTrunkBusy": (S.LINECALLSTATE_BUSY, LineBusyMode.LINEBUSYMODE_TRUNK),
    "reorderTone": (S.LINECALLSTATE_SPECIALINFO, LineSpecialInfo.LINESPECIALINFO_REORDER),
    "networkCongestion": (S.LINECALLSTATE_SPECIALINFO, LineSpecialInfo.LINESPECIALINFO_NOCIRCUIT),
    "resourcesNotAvailable": (
        S.LINECALLSTATE_SPECIALINFO,
        LineSpecialInfo.LINESPECIALINFO_NOCIRCUIT,
    ),
    "callCancelled": (
        S.LINECALLSTATE_DISCONNECTED,
        LineDisconnectMode.LINEDISCONNECTMODE_CANCELLED,
    ),
    "destNotObtainable": (
        S.LINECALLSTATE_DISCONNECTED,
        LineDisconnectMode.LINEDISCONNECTMODE_UNREACHABLE,
    ),
    "doNotDisturb": (
        S.LINECALLSTATE_DISCONNECTED,
        LineDisconnectMode.LINEDISCONNECTMODE_DONOTDISTURB,
    ),
    "incompatibleDestination": (
        S.LINECALLSTATE_DISCONNECTED,
        LineDisconnectMode.LINEDISCONNECTMODE_INCOMPATIBLE,
    ),
    "blocked": (S.LINECALLSTATE_DISCONNECTED, LineDisconnectMode.LINEDISCONNECTMODE_BLOCKED),
    "networkSignal": (
        S.LINECALLSTATE_DISCONNECTED,
        LineDisconnectMode.LINEDISCONNECTMODE_UNREACHABLE,
    ),
    "destOutOfOrder": (
        S.LINECALLSTATE_DISCONNECTED,
        LineDisconnectMode.LINEDISCONNECTMODE_OUTOFORDER,
    ),
    "invalidNumberFormat": (
        S.LINECALLSTATE_DISCONNECTED,
        LineDisconnectMode.LINEDISCONNECTMODE_BADADDRESS,
    ),
    "numberUnallocated": (
        S.LINECALLSTATE_DISCONNECTED,
        LineDisconnectMode.LINEDISCONNECTMODE_BADADDRESS,
    ),
    "callNotAnswered": (
        S.LINECALLSTATE_DISCONNECTED,
        LineDisconnectMode.LINEDISCONNECTMODE_NOANSWER,
    ),
    "normal": (S.LINECALLSTATE_DISCONNECTED, LineDisconnectMode.LINEDISCONNECTMODE_NORMAL),
    "normalClearing": (S.LINECALLSTATE_DISCONNECTED, LineDisconnectMode.LINEDISCONNECTMODE_NORMAL),
}

#: Causes of a delivered or established event that tell why the call reached us.
REASONS: dict[str, LineCallReason] = {
    "callForwardImmediate": LineCallReason.LINECALLREASON_FWDUNCOND,
    "callForward": LineCallReason.LINECALLREASON_FWDUNCOND,
    "callForwardBusy": LineCallReason.LINECALLREASON_FWDBUSY,
    "callForwardNoAnswer": LineCallReason.LINECALLREASON_FWDNOANSWER,
    "redirected": LineCallReason.LINECALLREASON_REDIRECT,
    "callPickup": LineCallReason.LINECALLREASON_PICKUP,
    "transfer": LineCallReason.LINECALLREASON_TRANSFER,
    "singleStepTransfer": LineCallReason.LINECALLREASON_TRANSFER,
    "callBack": LineCallReason.LINECALLREASON_CALLCOMPLETION,
    "intrude": LineCallReason.LINECALLREASON_INTRUDE,
    "campOn": LineCallReason.LINECALLREASON_CAMPEDON,
    "park": LineCallReason.LINECALLREASON_UNPARK,
    "recall": LineCallReason.LINECALLREASON_REMINDER,
}

#: The first mode each state is entered with, unless an event says more.
DEFAULT_MODES: dict[LineCallState, enum.IntFlag] = {
    S.LINECALLSTATE_DIALTONE: LineDialToneMode.LINEDIALTONEMODE_NORMAL,
    S.LINECALLSTATE_BUSY: LineBusyMode.LINEBUSYMODE_UNKNOWN,
    S.LINECALLSTATE_SPECIALINFO: LineSpecialInfo.LINESPECIALINFO_UNKNOWN,
    S.LINECALLSTATE_DISCONNECTED: LineDisconnectMode.LINEDISCONNECTMODE_NORMAL,
}


@dataclass
class Call:
    """One TAPI call: a CSTA call as seen on one address of one line."""

    id: int
    line: str
    address: int
    csta_call: bytes | None
    device: DeviceKey
    state: Any = NEW
    mode: enum.IntFlag | None = None
    origin: LineCallOrigin = LineCallOrigin.LINECALLORIGIN_UNKNOWN
    reason: LineCallReason = LineCallReason.LINECALLREASON_DIRECT
    caller: dict[str, Any] | None = None
    called: dict[str, Any] | None = None
    connected: dict[str, Any] | None = None
    redirecting: dict[str, Any] | None = None
    redirection: dict[str, Any] | None = None
    related: int | None = None
    conference: int | None = None
    is_conference: bool = False
    #: What applications keep with the call (lineSetCallData, lineSetAppSpecific).
    data: str | None = None
    app_specific: int = 0
    #: The data collection that reports the digits dialled at our phone (lineMonitorDigits).
    digits_collection: bytes | None = None
    #: Digits asked for with lineGenerateDigits are being sent: LINE_GENERATE is still due.
    generating: bool = False
    pending: str | None = None
    connected_key: DeviceKey | None = None
    parties: set[DeviceKey] = field(default_factory=set)
    features: F = field(default_factory=lambda: F(0))
    history: deque[str] = field(default_factory=lambda: deque(maxlen=32))

    @property
    def exists(self) -> bool:
        return self.state != NEW

    @property
    def state_name(self) -> str:
        """The state as applications and logs name it: the TAPI name, or NEW."""
        state = self.state
        return str(state.name) if isinstance(state, LineCallState) else str(state)

    def to_json(self) -> dict[str, Any]:
        """The call object of the API (DESIGN.md, "Driver API")."""
        return {
            "id": self.id,
            "line": self.line,
            "address": self.address,
            "state": self.state_name,
            "stateMode": None if self.mode is None else flag_names(self.mode),
            "origin": self.origin.name,
            "reason": self.reason.name,
            "callerId": self.caller,
            "calledId": self.called,
            "connectedId": self.connected,
            "redirectingId": self.redirecting,
            "redirectionId": self.redirection,
            "relatedCall": self.related,
            "conferenceCall": self.conference,
            "features": flag_names(self.features),
            "callID": None if self.csta_call is None else self.csta_call.hex(),
            "callData": self.data,
            "appSpecific": self.app_specific,
        }
