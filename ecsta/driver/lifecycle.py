"""A line's lifecycle: one state per line and every transition in one table, as h11 keeps its
connection states.

A line is open from its creation until an application closes it. While open it is being
brought up (licence, MonitorStart, forwarding and calls read), in service, or out of service
for a reason the line names (the link or the PBX down, the MonitorStart refused, no licence,
the phone out of service), from which the driver's retries and the next association bring it
back. The bring-up (:mod:`ecsta.driver.bringup`) and the call engine say what happened
(:class:`LineEvent`); this table alone says what state follows. An event that does not fit
the state (a late answer for a line closed meanwhile) changes nothing, and :func:`next_state`
says so with None, never an exception.
"""

import enum


class LineState(enum.StrEnum):
    """Where a line is in its lifecycle."""

    #: Open, not yet in service: its licence and monitor are being sought, or wait for the PBX.
    BRINGING_UP = "bringingUp"
    #: Monitored, licensed, its forwarding and calls read: operations go to the PBX.
    IN_SERVICE = "inService"
    #: Open but unusable now; the line's ``monitorError`` / ``licenceError`` say why.
    OUT_OF_SERVICE = "outOfService"
    #: Closed by an application: not monitored, holding no licence.
    CLOSED = "closed"


class LineEvent(enum.StrEnum):
    """What happened to a line."""

    #: An application, or the driver's start, opens the line.
    OPEN = "open"
    #: Monitored, licensed and read (or the PBX says the phone is back in service).
    SERVED = "served"
    #: The link or the PBX went, the licence or the monitor was refused, the phone went out.
    UNSERVED = "unserved"
    #: An application closes the line.
    CLOSE = "close"


S, E = LineState, LineEvent

TRANSITIONS: dict[tuple[LineState, LineEvent], LineState] = {
    (S.CLOSED, E.OPEN): S.BRINGING_UP,
    (S.CLOSED, E.CLOSE): S.CLOSED,
    (S.CLOSED, E.UNSERVED): S.CLOSED,
    (S.BRINGING_UP, E.OPEN): S.BRINGING_UP,
    (S.BRINGING_UP, E.SERVED): S.IN_SERVICE,
    (S.BRINGING_UP, E.UNSERVED): S.OUT_OF_SERVICE,
    (S.BRINGING_UP, E.CLOSE): S.CLOSED,
    (S.IN_SERVICE, E.OPEN): S.IN_SERVICE,
    (S.IN_SERVICE, E.SERVED): S.IN_SERVICE,
    (S.IN_SERVICE, E.UNSERVED): S.OUT_OF_SERVICE,
    (S.IN_SERVICE, E.CLOSE): S.CLOSED,
    (S.OUT_OF_SERVICE, E.OPEN): S.OUT_OF_SERVICE,
    (S.OUT_OF_SERVICE, E.SERVED): S.IN_SERVICE,
    (S.OUT_OF_SERVICE, E.UNSERVED): S.OUT_OF_SERVICE,
    (S.OUT_OF_SERVICE, E.CLOSE): S.CLOSED,
}


def next_state(state: LineState, event: LineEvent) -> LineState | None:
    """The state ``event`` leads to from ``state``; None when the event does not fit it."""
    return TRANSITIONS.get((state, event))
