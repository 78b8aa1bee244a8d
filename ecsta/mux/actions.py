"""What the multiplexer's core asks its adapter to do.

The core (:mod:`ecsta.mux.router`) never touches a socket: each event fed to it returns a list of
these actions, and the adapter (:mod:`ecsta.mux.service`) carries them out in order. Requests
that expect an answer carry a ticket; the adapter hands the answer, or the reason none came,
back to the core with that ticket.

Actions are not changed once made, but are not frozen dataclasses either: each request through
the multiplexer makes two (its :class:`AskPBX` and the :class:`Relay` of its answer), and a
frozen dataclass sets each field through ``object.__setattr__``, which costs more than the rest
of making it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from ecsta.mux.router import App, AppTicket, PBXTicket


@dataclass(slots=True)
class ToApp:
    """Write one PDU to one application, as it is (invokeId included)."""

    app: "App"
    pdu: bytes


@dataclass(slots=True)
class Relay:
    """Write the PBX's answer to one application, already under its invokeId and framed: what
    nearly every request ends in, so the answer is copied once on its way."""

    app: "App"
    framed: bytes


@dataclass(slots=True)
class Fanout:
    """Write the same framed bytes to several applications: an event is rewritten only once."""

    apps: Sequence["App"]
    framed: bytes


@dataclass(slots=True)
class NotifyApp:
    """Send an invoke under an invokeId of the application's link; its answer, if any, is dropped.

    For what the multiplexer has settled with the PBX itself (a monitor ended, a device-list
    segment already answered): the application may answer, and nothing waits for it.
    """

    app: "App"
    pdu: bytes


@dataclass(slots=True)
class AskApp:
    """Send an invoke to an application and report its answer with ``ticket``."""

    app: "App"
    ticket: "AppTicket"
    pdu: bytes
    timeout: float


@dataclass(slots=True)
class AskPBX:
    """Send an invoke to the PBX under a fresh invokeId and report its answer with ``ticket``."""

    ticket: "PBXTicket"
    pdu: bytes
    timeout: float


@dataclass(slots=True)
class ToPBX:
    """Write one PDU to the PBX as it is: an answer to the PBX's invoke, under the PBX's id."""

    pdu: bytes


@dataclass(slots=True)
class Disconnect:
    """End an application's association."""

    app: "App"
    reason: str


@dataclass(slots=True)
class SetStatus:
    """Tell these applications the switch's systemStatus (a keep-alive out of turn)."""

    apps: Sequence["App"]
    status: str


Action: TypeAlias = (
    ToApp | Relay | Fanout | NotifyApp | AskApp | AskPBX | ToPBX | Disconnect | SetStatus
)

#: How a request ended without an answer, as the adapter reports it.
TIMEOUT = "timeout"
LOST = "lost"
#: The request could not be sent at all (it does not fit the link's framing); it held nothing.
UNSENDABLE = "unsendable"

__all__ = [
    "LOST",
    "TIMEOUT",
    "UNSENDABLE",
    "Action",
    "AskApp",
    "AskPBX",
    "Disconnect",
    "Fanout",
    "NotifyApp",
    "Relay",
    "SetStatus",
    "ToApp",
    "ToPBX",
]
