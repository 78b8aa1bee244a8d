"""Calls and their connections, in the CSTA connection states (ECMA-269 section 6)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ecsta.sim.ids import Number, Party, Route
from ecsta.sim.plan import Device
from ecsta.sim.timers import Timer

__all__ = [
    "ACTIVE_STATES",
    "ALERTING",
    "CONNECTED",
    "FAIL",
    "HOLD",
    "INITIATED",
    "NULL",
    "QUEUED",
    "CallIdAllocator",
    "Connection",
    "SwitchCall",
]

# LocalConnectionState names (CSTA-connection-states).
NULL = "null"
INITIATED = "initiated"
ALERTING = "alerting"
CONNECTED = "connected"
HOLD = "hold"
QUEUED = "queued"
FAIL = "fail"

#: States in which a connection occupies its device: the device is busy to new calls.
ACTIVE_STATES = frozenset({INITIATED, ALERTING, CONNECTED, QUEUED, FAIL})


@dataclass(eq=False)
class Connection:
    """A device's part in a call.  ``remote`` is the outside party a trunk connection carries."""

    device: Device
    state: str
    remote: Number | None = None

    @property
    def party(self) -> Party:
        """Who this connection stands for: the device, or the outside party on a trunk."""
        return self.remote if self.remote is not None else self.device


@dataclass(eq=False)
class SwitchCall:
    """One call: its connections in the order they joined, and what its events report.

    ``calling``/``called`` are what callingDevice/calledDevice say; ``origin`` is the device
    whose connection goes to the fail state when the call cannot be completed; ``cause`` is the
    cause that delivered and established events of this call carry (newCall, or the reason the
    call was redirected).  ``condition`` is the Panasonic CDR condition code (PROTOCOL.md
    section 5), ``merged`` marks a call that ended by being joined to another (it leaves no
    CDR of its own), ``consult_of`` the held call a consultation was made from (hanging up
    transfers between them), ``ring_timers`` the timers that run while the call rings, and
    ``dialled`` the digits collected while its originator is in the initiated state,
    ``pending_route`` where a MakeCall that prompts its caller goes once the caller answers, and
    ``recall_target`` the device a call-back recall calls once its originator answers.
    """

    call_id: bytes
    started: float
    origin: Device
    calling: Party | None
    connections: dict[Device, Connection] = field(default_factory=dict)
    called: Party | None = None
    last_redirection: Device | None = None
    cause: str = "newCall"
    answered: float | None = None
    condition: int | None = None
    merged: bool = False
    consult_of: SwitchCall | None = None
    ring_timers: list[Timer] = field(default_factory=list)
    dialled: str = ""
    pending_route: Route | None = None
    recall_target: Device | None = None

    def state_of(self, device: Device) -> str:
        connection = self.connections.get(device)
        return connection.state if connection is not None else NULL

    def add(self, device: Device, state: str, remote: Number | None = None) -> Connection:
        connection = Connection(device, state, remote)
        self.connections[device] = connection
        return connection

    def cancel_ringing(self) -> None:
        for timer in self.ring_timers:
            timer.cancel()
        self.ring_timers.clear()


class CallIdAllocator:
    """Short callIDs (two octets, as small as a PBX's), never reused while a call lives."""

    def __init__(self) -> None:
        self._next = 1
        self._live: set[bytes] = set()

    def __len__(self) -> int:
        """How many callIDs are in use."""
        return len(self._live)

    def allocate(self) -> bytes:
        for _ in range(0xFFFF):
            candidate = self._next.to_bytes(2, "big")
            self._next = self._next % 0xFFFF + 1
            if candidate not in self._live:
                self._live.add(candidate)
                return candidate
        raise RuntimeError("65535 calls alive at once")

    def release(self, call_id: bytes) -> None:
        self._live.discard(call_id)
