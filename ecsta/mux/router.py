"""The multiplexer's core: many application associations onto one PBX association, sans-IO.

Plain objects fed events (an application associated, sent a PDU, went away; the PBX link came
up, went down, sent an invoke, answered) that return :mod:`ecsta.mux.actions` for the adapter to
carry out. No reactor, no sockets, no clock: timeouts are the link's, reported back as events.

What the PBX sees is one well-behaved client: every application invoke is checked before it is
forwarded (well-formed BER, a ROSE invoke with a local opcode; the PBX types the argument and
answers for itself, as it does for any client), under an invokeId of the PBX link; a bounded
number of requests is in flight and the rest wait in a queue; a device is monitored once however
many applications monitor it. What applications see is a PBX of their own: their invokeIds on
answers (reused ids included), a crossRefIdentifier per monitor that survives PBX re-associations,
their own event filters honoured, and a systemStatus that says when the PBX is away.

Routing uses :func:`ecsta.wire.ber.peek` and splicing only. The few PDUs whose content the
multiplexer must act on are decoded in full: MonitorStart / MonitorStop / ChangeMonitorFilter and
their results, escape results (the cross reference of a KME system data list, whose segments
the PBX's escape invokes carry; those are routed by the bytes of that cross reference),
getSwitchingFunctionDevices results and switchingFunctionDevices invokes, CDR and data
collection starts, stops and reports.
"""

import enum
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ecsta.link.seen import Seen
from ecsta.mux import actions
from ecsta.mux.actions import (
    Action,
    AskApp,
    AskPBX,
    Disconnect,
    Fanout,
    NotifyApp,
    Relay,
    SetStatus,
    ToApp,
    ToPBX,
)
from ecsta.mux.monitors import Monitor, MonitorState, MonitorTable, Waiter, freeze
from ecsta.mux.ownership import (
    CDR,
    DATA_COLLECTION,
    OwnedService,
    Ownership,
    Session,
    report_digest,
)
from ecsta.wire import apdu, ber
from ecsta.wire.errors import DecodeError
from ecsta.wire.framing import MAX_FRAME, frame
from ecsta.wire.monitorfilter import filtered_events
from ecsta.wire.opcodes import Opcode
from ecsta.wire.operations import BY_CODE
from ecsta.wire.responders import Responders

ESCAPE = Opcode.escape
MONITOR_START = Opcode.monitorStart
CHANGE_MONITOR_FILTER = Opcode.changeMonitorFilter
MONITOR_STOP = Opcode.monitorStop
GET_SWITCHING_FUNCTION_DEVICES = Opcode.getSwitchingFunctionDevices
SWITCHING_FUNCTION_DEVICES = Opcode.switchingFunctionDevices
REQUEST_SYSTEM_STATUS = Opcode.requestSysStat
SWITCHING_FUNCTION_DEVICES_CHANGED = Opcode.swFunctionDevicesChanged

#: Services a switch offers its client, never the other way round: an application invoking
#: them is answered with a reject and nothing reaches the PBX.
PBX_ONLY = frozenset(
    {ber.CSTA_EVENT_REPORT, SWITCHING_FUNCTION_DEVICES, CDR.report, DATA_COLLECTION.report}
)

#: universalFailure values the multiplexer answers with itself.
LINK_DOWN = ("systemResourceAvailability", "resourceOutOfService")
TIMED_OUT = ("performanceManagement", "performanceLimitExceeded")
TOO_MANY_OPEN = ("subscribedResourceAvailability", "outstandingReqLimitExceeded")
#: An application's own monitor limit: the PBX could take more, this subscriber may not.
TOO_MANY_MONITORS = ("subscribedResourceAvailability", "objectMonitorLimitExceeded")
ALREADY_OWNED = ("operation", "generic")
NOT_OWNER = ("operation", "generic")
UNKNOWN_MONITOR = ("operation", "invalidMonitorCrossRefID")
UNKNOWN_XREF = ("operation", "invalidCrossRefID")
#: The answer to a report the owner did not confirm: the PBX keeps the record.
NOT_DELIVERED = ("systemResourceAvailability", "resourceBusy")

#: Operations handled here whose argument the multiplexer never reads (it acts on their
#: answers, or answers for itself while the PBX is away): like any operation passed on, their
#: argument is the PBX's to type, so an escape ecsta's KME types do not know still reaches it.
ARGUMENT_UNREAD = frozenset({ESCAPE, GET_SWITCHING_FUNCTION_DEVICES, REQUEST_SYSTEM_STATUS})

UNRECOGNIZED = ("invoke", "unrecognizedOperation")
MISTYPED = ("invoke", "mistypedArgument")
#: A request that would not fit in one frame once it carries the PBX link's invokeId.
TOO_LONG = ("invoke", "resourceLimitation")
#: What an application is told when its request could not be carried out for a reason of the
#: multiplexer's own (it could not be sent, or its answer could not be read).
NOT_CARRIED = ("systemResourceAvailability", "generic")

#: Bounds on cross references kept for escape and switchingFunctionDevices replies.
MAX_REPLY_ROUTES = 4096
#: Application invokes remembered as valid, so that a repeated request is not decoded again:
#: at most this many, and at most this many octets of them (a few large invokes must not pin
#: hundreds of megabytes).
MAX_VALIDATED = 4096
MAX_VALIDATED_BYTES = 4 << 20
#: The PBX link's invokeIds (1..32767) take at most two octets; a forwarded request must still
#: fit in one frame with the widest of them.
WIDEST_LINK_ID = 0x7FFF


class LinkState(enum.Enum):
    DOWN = "down"
    RESTORING = "restoring"  # associated; monitors and owned services being started again
    UP = "up"


class Purpose(enum.Enum):
    FORWARD = "forward"
    MONITOR_START = "monitorStart"
    MONITOR_RESTORE = "monitorRestore"
    OWNER_START = "ownerStart"
    OWNER_RESTORE = "ownerRestore"
    #: Stops of what nobody holds any more: nobody waits for their answer.
    STOP = "stop"
    ESCAPE = "escape"
    SWITCHING_DEVICES = "switchingDevices"

    # Equal only to themselves: hashed by identity, with no Python call, as the table of what
    # to do with each answer is looked up for every request.
    __hash__ = object.__hash__


#: Requests whose only use is the application's answer: dropped from the queue when it goes.
_ANSWERED_TO_APP = frozenset({Purpose.FORWARD, Purpose.ESCAPE, Purpose.SWITCHING_DEVICES})


@dataclass(frozen=True)
class RouterSettings:
    max_applications: int = 1000
    max_open_requests: int = 32
    max_monitors: int = 1000
    max_in_flight: int = 16
    request_timeout: float = 30.0
    owner_answer_timeout: float = 10.0
    down_status: str = "disabled"
    #: Run CDR transmission for the call journal, whether or not an application owns it.
    keep_cdr: bool = False


#: The CDR cross reference applications are given when the multiplexer runs CDR itself.
KEPT_CDR_XREF = b"\x00\x00\xcd\x01"


@dataclass(eq=False)
class App:
    """One application association."""

    id: int
    handle: Any
    address: str
    user: str | None
    tls: bool
    since: float
    #: Requests waiting for the PBX (queued or in flight).
    open_requests: int = 0
    requests: int = 0
    rejected: int = 0
    closed: bool = False
    monitors: set[Monitor] = field(default_factory=set)
    #: MonitorStarts waiting for the PBX; they count against the monitor limit too.
    monitors_starting: int = 0


@dataclass(eq=False)
class PBXTicket:
    """A request to the PBX, and what to do with its answer."""

    purpose: Purpose
    pdu: bytes
    app: App | None = None
    invoke_id: int | None = None
    monitor: Monitor | None = None
    ownership: Ownership | None = None
    session: Session | None = None
    #: Counts against the application's open requests until answered.
    counted: bool = False
    #: When a queued request stops waiting for a place in flight (set by the first sweep that
    #: sees it queued, see :meth:`Router.expire_queued`).
    deadline: float | None = None
    #: The application's peek at ``pdu`` when ``pdu`` is the application's invoke as it came:
    #: the link gives it the link's own invokeId by slicing instead of walking it again.
    peek: ber.Peek | None = None


@dataclass(eq=False)
class AppTicket:
    """A PBX report relayed to an owner, waiting for the owner's answer."""

    ownership: Ownership
    app: App
    pbx_invoke_id: int | None
    pbx_xref: bytes | None
    #: Identifies the report if the PBX sends it again (see :class:`Confirmed`).
    digest: bytes = b""
    #: The PBX association the report came on; an answer belongs to that one only.
    association: int = 0


def _find(value: Any, name: str) -> Iterator[Any]:
    """Every value of a CHOICE alternative or SEQUENCE component called ``name``, anywhere."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        if value[0] == name:
            yield value[1]
        yield from _find(value[1], name)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == name:
                yield item
            yield from _find(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _find(item, name)


#: Handlers bound in :class:`Router`'s responder tables.
AppResponder = Callable[["Router", App, bytes, apdu.Invoke], list[Action]]
PBXResponder = Callable[["Router", bytes, apdu.Invoke], list[Action]]


class Router:
    """The state of one multiplexer: its applications, monitors, owners and PBX requests."""

    #: Application invokes the multiplexer acts on; the others go to the PBX as they are.
    _special: ClassVar[Responders["AppResponder"]] = Responders()
    #: PBX invokes it decodes and acts on (events and escape segments are routed by bytes).
    _from_pbx: ClassVar[Responders["PBXResponder"]] = Responders()

    def __init__(self, settings: RouterSettings | None = None) -> None:
        self.settings = settings or RouterSettings()
        self.apps: dict[int, App] = {}
        self.monitors = MonitorTable()
        self.cdr = Ownership(CDR, keep=self.settings.keep_cdr)
        if self.cdr.keep:
            start = apdu.Invoke(1, CDR.start, {"transferMode": "transferAtEndOfCall"})
            self.cdr.sessions.append(Session(KEPT_CDR_XREF, None, apdu.encode(start)))
        self.data_collection = Ownership(DATA_COLLECTION)
        self.link = LinkState.DOWN
        self.status = self.settings.down_status
        self._pbx_status = "normal"
        self._next_app = 1
        self._in_flight = 0
        #: Requests waiting for a place in flight, oldest first: only the router changes it.
        self.queue: deque[PBXTicket] = deque()
        self._restoring = 0
        self._escape_routes: dict[bytes, App] = {}
        self._device_list_routes: dict[bytes, App] = {}
        #: Application invokes found fit to forward, but for their invokeId; the applications'
        #: links read a repeat no further than its invokeId.
        self.validated = Seen(
            {ber.Kind.INVOKE},
            max_entries=MAX_VALIDATED,
            max_body=MAX_VALIDATED_BYTES // 16,  # larger ones are not worth remembering
            max_octets=MAX_VALIDATED_BYTES,
        )
        self.counters: dict[str, int] = {
            "requests": 0,
            "rejected": 0,
            "timeouts": 0,
            "events": 0,
            "events_unrouted": 0,
            "deliveries": 0,
            "associations": 0,
            "monitor_starts": 0,
            "monitor_stops": 0,
            "monitors_ended": 0,
            "reports_relayed": 0,
            "reports_refused": 0,
            "reports_kept": 0,
            "reports_resent": 0,
            "reports_answer_late": 0,
            "unreadable_answers": 0,
        }

    # -- applications ---------------------------------------------------------------------------

    def admit(self) -> str | None:
        """None if one more application may associate, else why not."""
        if len(self.apps) >= self.settings.max_applications:
            return f"{self.settings.max_applications} applications are connected already"
        return None

    def app_connected(
        self, handle: Any, address: str, user: str | None, tls: bool, now: float
    ) -> App:
        app = App(self._next_app, handle, address, user, tls, now)
        self._next_app += 1
        self.apps[app.id] = app
        return app

    def app_gone(self, app: App) -> list[Action]:
        """The application's association ended: release everything it held."""
        if app.closed:
            return []
        app.closed = True
        self.apps.pop(app.id, None)
        out: list[Action] = []
        for monitor in list(app.monitors):
            monitor.leave(app, everything=True)
            self._forget_if_unwanted(monitor, out)
        app.monitors.clear()
        for monitor in self.monitors:
            if any(w.app is app for w in monitor.waiting):
                # The monitor stays while its start is in flight, so that nobody starts it a
                # second time; the answer stops it at the PBX if it is no longer wanted.
                monitor.waiting = [w for w in monitor.waiting if w.app is not app]
        self.queue = deque(
            t for t in self.queue if t.app is not app or t.purpose not in _ANSWERED_TO_APP
        )
        for routes in (self._escape_routes, self._device_list_routes):
            for xref in [x for x, owner in routes.items() if owner is app]:
                del routes[xref]
        for ownership in (self.cdr, self.data_collection):
            if ownership.owner is app:
                self._revoke(ownership, out)
        out.extend(self._dispatch())
        return out

    def app_invoke(self, app: App, pdu: bytes, peek: ber.Peek) -> list[Action]:
        """An invoke from an application (systemStatus keep-alives are the link's)."""
        if app.closed:
            return []
        self.counters["requests"] += 1
        app.requests += 1
        opcode = peek.opcode
        if opcode is None or opcode in PBX_ONLY:
            return self._reject(app, peek.invoke_id, UNRECOGNIZED)
        special = self._special.get(opcode)
        if special is None or opcode in ARGUMENT_UNREAD:
            problem = None if self.validated.has(pdu, peek) else self._unfit(pdu, peek)
            if problem is not None:
                return self._reject(app, peek.invoke_id, problem)
            if special is None:
                return self._forward(
                    PBXTicket(Purpose.FORWARD, pdu, app, peek.invoke_id, peek=peek)
                )
            return special(self, app, pdu, apdu.Invoke(peek.invoke_id, opcode, None))
        try:
            invoke = apdu.decode(pdu)
        except apdu.RejectableError as error:
            return self._reject(app, peek.invoke_id, error.reject)
        except DecodeError:
            return self._reject(app, peek.invoke_id, MISTYPED)
        assert isinstance(invoke, apdu.Invoke)
        return special(self, app, pdu, invoke)

    def _unfit(self, pdu: bytes, peek: ber.Peek) -> tuple[str, str] | None:
        """Why an invoke not remembered may not go to the PBX as it is, or None; it is
        remembered once found fit.

        Only the ROSE envelope is checked (BER itself was checked as the PDU arrived): the
        original multiplexer passes every application command on, so the PBX types the
        argument, whatever CSTA edition or Panasonic service the operation belongs to
        (systemRegister, say), and its answer, result or reject, is the application's.
        """
        try:
            apdu.check_invoke(pdu)
        except apdu.RejectableError as error:
            return error.reject
        self.validated.remember(pdu, peek)
        return None

    def _reject(self, app: App, invoke_id: int | None, problem: tuple[str, str]) -> list[Action]:
        self.counters["rejected"] += 1
        app.rejected += 1
        return [ToApp(app, apdu.reject(invoke_id, problem))]

    def _error(self, app: App, invoke_id: int | None, failure: tuple[str, str]) -> ToApp:
        return ToApp(app, apdu.return_error(invoke_id, *failure))

    def _result(self, app: App, invoke_id: int | None, opcode: int, result: Any) -> ToApp:
        return ToApp(app, apdu.encode(apdu.ReturnResult(invoke_id, opcode, result)))

    # -- requests to the PBX --------------------------------------------------------------------

    def _forward(self, ticket: PBXTicket) -> list[Action]:
        """An application's request, answered by the PBX under the application's id."""
        app = ticket.app
        assert app is not None
        if len(ticket.pdu) > MAX_FRAME - 4 and (
            len(ber.with_invoke_id(ticket.pdu, WIDEST_LINK_ID)) > MAX_FRAME
        ):
            return self._reject(app, ticket.invoke_id, TOO_LONG)
        if self.link is LinkState.DOWN:
            return [self._error(app, ticket.invoke_id, LINK_DOWN)]
        if app.open_requests >= self.settings.max_open_requests:
            return [self._error(app, ticket.invoke_id, TOO_MANY_OPEN)]
        app.open_requests += 1
        ticket.counted = True
        return self._send(ticket)

    def _send(self, ticket: PBXTicket) -> list[Action]:
        if (
            not self.queue
            and self._in_flight < self.settings.max_in_flight
            and self.link is not LinkState.DOWN
        ):
            # Nothing waits before it and there is room: at once, the usual case.
            self._in_flight += 1
            return [AskPBX(ticket, ticket.pdu, self.settings.request_timeout)]
        self.queue.append(ticket)
        return self._dispatch()

    def _dispatch(self) -> list[Action]:
        out: list[Action] = []
        if self.link is LinkState.DOWN:
            return out
        while self.queue and self._in_flight < self.settings.max_in_flight:
            ticket = self.queue.popleft()
            self._in_flight += 1
            out.append(AskPBX(ticket, ticket.pdu, self.settings.request_timeout))
        return out

    def pbx_answered(
        self, ticket: PBXTicket, answer: bytes, peek: ber.Peek | None = None
    ) -> list[Action]:
        """The PBX answered ``ticket`` (returnResult, returnError or reject, with our id)."""
        self._in_flight -= 1
        if ticket.counted:
            self._uncount(ticket)
        try:
            out = self._answered[ticket.purpose](self, ticket, answer, peek)
        except (DecodeError, ValueError):
            # An answer we cannot splice still ends the request: its application hears so.
            self.counters["unreadable_answers"] += 1
            out = self._failed[ticket.purpose](self, ticket, NOT_CARRIED)
        if self.queue:
            out.extend(self._dispatch())
        return out

    def pbx_failed(self, ticket: PBXTicket, reason: str) -> list[Action]:
        """No answer came for ``ticket``: ``actions.TIMEOUT``, ``LOST`` or ``UNSENDABLE``."""
        self._in_flight -= 1
        return self._fail(ticket, reason)

    def _fail(self, ticket: PBXTicket, reason: str) -> list[Action]:
        self._uncount(ticket)
        if reason == actions.TIMEOUT:
            self.counters["timeouts"] += 1
        failure = _FAILURES.get(reason, LINK_DOWN)
        out = self._failed[ticket.purpose](self, ticket, failure)
        out.extend(self._dispatch())
        return out

    def expire_queued(self, now: float) -> list[Action]:
        """Called every second or so: requests that waited ``request_timeout`` for a place in
        flight are answered as timed out, so that a stalled PBX never holds them forever."""
        out: list[Action] = []
        expired = []
        for ticket in self.queue:
            if ticket.deadline is None:
                ticket.deadline = now + self.settings.request_timeout
            elif ticket.deadline <= now:
                expired.append(ticket)
        if expired:
            gone = set(map(id, expired))
            self.queue = deque(t for t in self.queue if id(t) not in gone)
            for ticket in expired:
                out.extend(self._fail(ticket, actions.TIMEOUT))
        return out

    def _uncount(self, ticket: PBXTicket) -> None:
        if ticket.counted and ticket.app is not None:
            ticket.app.open_requests -= 1
            ticket.counted = False

    def _relay_answer(
        self, ticket: PBXTicket, answer: bytes, peek: ber.Peek | None
    ) -> list[Action]:
        app = ticket.app
        if app is None or app.closed:
            return []
        invoke_id = ticket.invoke_id
        try:
            if invoke_id is None:
                framed = frame(answer)
            else:
                framed = ber.framed_with_invoke_id(answer, invoke_id, peek)
        except DecodeError:
            raise  # unreadable: pbx_answered ends the request
        except ValueError:
            # The application's own invokeId makes the answer too long for one frame.
            return [self._error(app, invoke_id, NOT_CARRIED)]
        return [Relay(app, framed)]

    def _relay_failure(self, ticket: PBXTicket, failure: tuple[str, str]) -> list[Action]:
        app = ticket.app
        if app is None or app.closed:
            return []
        return [self._error(app, ticket.invoke_id, failure)]

    # -- the PBX link ---------------------------------------------------------------------------

    def pbx_up(self) -> list[Action]:
        """A new PBX association is ready: start again what applications still hold."""
        self.counters["associations"] += 1
        self.link = LinkState.RESTORING
        out: list[Action] = []
        for monitor in self.monitors:
            if monitor.state is MonitorState.LOST and monitor.sharers:
                self._restoring += 1
                monitor.start_in_flight = True
                self.queue.append(
                    PBXTicket(
                        Purpose.MONITOR_RESTORE, self._monitor_start_pdu(monitor), monitor=monitor
                    )
                )
        for ownership in (self.cdr, self.data_collection):
            for session in ownership.sessions:
                self._restoring += 1
                self.queue.append(
                    PBXTicket(
                        Purpose.OWNER_RESTORE,
                        session.start_pdu,
                        ownership=ownership,
                        session=session,
                    )
                )
        out.extend(self._dispatch())
        out.extend(self._restored())
        return out

    def _one_restored(self) -> list[Action]:
        """One restart the new association waited for is settled, started or not."""
        self._restoring = max(0, self._restoring - 1)
        return self._restored()

    def _restored(self) -> list[Action]:
        if self.link is not LinkState.RESTORING or self._restoring:
            return []
        self.link = LinkState.UP
        return self._set_status(self._pbx_status)

    def pbx_down(self) -> list[Action]:
        """The PBX association is gone; applications stay and are told."""
        if self.link is LinkState.DOWN:
            return []
        self.link = LinkState.DOWN
        self._restoring = 0
        out: list[Action] = []
        queued, self.queue = self.queue, deque()
        for ticket in queued:
            self._uncount(ticket)
            out.extend(self._failed[ticket.purpose](self, ticket, LINK_DOWN))
        self.monitors.lose_all()
        for monitor in self.monitors:
            if monitor.state is MonitorState.STARTING:
                # Its start was in flight; the link fails it, and its waiters get the error.
                continue
            if not monitor.sharers:
                self.monitors.remove(monitor)
        for ownership in (self.cdr, self.data_collection):
            for session in ownership.sessions:
                session.pbx_xref = None
        self._escape_routes.clear()
        self._device_list_routes.clear()
        out.extend(self._set_status(self.settings.down_status))
        return out

    def pbx_status(self, status: str) -> list[Action]:
        """The PBX reported its own systemStatus; applications hear of a change."""
        self._pbx_status = status
        if self.link is LinkState.UP:
            return self._set_status(status)
        return []

    def _set_status(self, status: str) -> list[Action]:
        if status == self.status:
            return []
        self.status = status
        if not self.apps:
            return []
        return [SetStatus(tuple(self.apps.values()), status)]

    # -- invokes from the PBX -------------------------------------------------------------------

    def pbx_invoke(self, pdu: bytes, peek: ber.Peek) -> list[Action]:
        """An invoke from the PBX (its keep-alives are the link's)."""
        opcode = peek.opcode
        if opcode == ber.CSTA_EVENT_REPORT:
            return self._event(pdu, peek)
        if opcode == ESCAPE:
            return self._pbx_escape(pdu)
        handler = self._from_pbx.get(opcode)
        if handler is not None:
            try:
                invoke = apdu.decode(pdu)
            except DecodeError:
                return self._refuse_pbx_invoke(peek, MISTYPED)
            assert isinstance(invoke, apdu.Invoke)
            return handler(self, pdu, invoke)
        return self._refuse_pbx_invoke(peek, UNRECOGNIZED)

    def _refuse_pbx_invoke(self, peek: ber.Peek, problem: tuple[str, str]) -> list[Action]:
        operation = BY_CODE.get(peek.opcode) if peek.opcode is not None else None
        if operation is not None and not operation.answered:
            return []
        return [ToPBX(apdu.reject(peek.invoke_id, problem))]

    def _event(self, pdu: bytes, peek: ber.Peek) -> list[Action]:
        self.counters["events"] += 1
        monitor = self.monitors.by_pbx.get(peek.cross_ref) if peek.cross_ref is not None else None
        if monitor is None:
            self.counters["events_unrouted"] += 1
            return []
        monitor.events += 1
        apps = monitor.recipients(peek.event)
        if not apps:
            return []
        self.counters["deliveries"] += len(apps)
        if monitor.pbx_xref != monitor.xref:
            pdu = ber.with_cross_ref(pdu, monitor.xref)
        return [Fanout(apps, frame(pdu))]

    @_from_pbx(MONITOR_STOP)
    def _pbx_monitor_stop(self, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        """The PBX ended a monitor: every sharer is told, under the stable crossRefIdentifier."""
        out: list[Action] = [
            ToPBX(apdu.encode(apdu.ReturnResult(invoke.invoke_id, MONITOR_STOP, ("noData", None))))
        ]
        monitor = self.monitors.by_pbx.get(invoke.argument["crossRefIdentifier"])
        if monitor is not None:
            out.extend(self._end_monitor(monitor, invoke.argument))
        return out

    def _end_monitor(self, monitor: Monitor, argument: dict[str, Any]) -> list[Action]:
        notice = apdu.encode(
            apdu.Invoke(0, MONITOR_STOP, {**argument, "crossRefIdentifier": monitor.xref})
        )
        out: list[Action] = [NotifyApp(app, notice) for app in monitor.sharers]
        for app in monitor.sharers:
            app.monitors.discard(monitor)
        monitor.sharers.clear()
        self.monitors.remove(monitor)
        self.counters["monitors_ended"] += 1
        return out

    def _pbx_escape(self, pdu: bytes) -> list[Action]:
        """A linked reply of KME system data: only for the application that asked for it.

        Routed by its crossRefID alone, read from the bytes, so that segments of any system
        data reach their application, items ecsta's KME types do not know included.
        """
        try:
            route = ber.linked_reply_route(pdu)
        except DecodeError:
            route = None
        if route is None or route[0] not in self._escape_routes:
            return []
        xref, last = route
        app = self._escape_routes[xref]
        if last:
            del self._escape_routes[xref]
        return [ToApp(app, pdu)]

    @_from_pbx(SWITCHING_FUNCTION_DEVICES)
    def _pbx_switching_devices(self, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        """A segment of a device list: the PBX is answered here, whoever asked for the list.

        The segment goes to the requester as an invoke of the requester's own association (the
        PBX's invokeId could be one the multiplexer has in flight there); its answer to that
        invoke is of no use to the PBX, which has had its answer already.
        """
        out: list[Action] = [ToPBX(apdu.encode(apdu.ReturnResult(invoke.invoke_id)))]
        xref = invoke.argument.get("serviceCrossRefID")
        app = self._device_list_routes.get(xref)
        if app is None:
            return out
        if invoke.argument.get("lastSegment"):
            del self._device_list_routes[xref]
        out.append(NotifyApp(app, pdu))
        return out

    @_from_pbx(SWITCHING_FUNCTION_DEVICES_CHANGED)
    def _pbx_devices_changed(self, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        """switchingFunctionDevicesChanged concerns everyone; the PBX is answered at once."""
        out: list[Action] = [
            ToPBX(
                apdu.encode(
                    apdu.ReturnResult(
                        invoke.invoke_id, SWITCHING_FUNCTION_DEVICES_CHANGED, ("noData", None)
                    )
                )
            )
        ]
        if self.apps:
            out.append(Fanout(tuple(self.apps.values()), frame(pdu)))
        return out

    @_from_pbx(CDR.report, DATA_COLLECTION.report)
    def _pbx_report(self, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        """A cDRReport or dataCollected: to the owner; the PBX gets the owner's answer."""
        ownership = self._ownership_of(invoke.opcode)
        service = ownership.service
        pbx_xref = invoke.argument.get(service.xref_field)
        session = ownership.session_for_pbx(pbx_xref) if pbx_xref is not None else None
        owner = ownership.owner
        if ownership.keep and session is not None and (owner is None or owner.closed):
            # Stored by the adapter before it came here: the multiplexer confirms it itself.
            self.counters["reports_kept"] += 1
            answer = apdu.ReturnResult(invoke.invoke_id, invoke.opcode, ("noData", None))
            return [ToPBX(apdu.encode(answer))]
        if owner is None or owner.closed or session is None:
            self.counters["reports_refused"] += 1
            out: list[Action] = [self._refuse_report(invoke.invoke_id)]
            if owner is None and pbx_xref is not None:
                out.extend(self._stop_session(service, pbx_xref))
            return out
        digest = report_digest(
            service,
            apdu.encode(
                apdu.Invoke(0, invoke.opcode, {**invoke.argument, service.xref_field: b""})
            ),
        )
        confirmed = ownership.confirmed.get(digest)
        if confirmed is not None:
            # The owner confirmed this one already; its answer never reached the PBX.
            self.counters["reports_resent"] += 1
            return [ToPBX(_with_id(confirmed, invoke.invoke_id))]
        if session.xref != pbx_xref:
            pdu = apdu.encode(
                apdu.Invoke(
                    invoke.invoke_id,
                    invoke.opcode,
                    {**invoke.argument, service.xref_field: session.xref},
                )
            )
        ownership.reports += 1
        ownership.pending += 1
        ticket = AppTicket(
            ownership, owner, invoke.invoke_id, pbx_xref, digest, self.counters["associations"]
        )
        return [AskApp(owner, ticket, pdu, self.settings.owner_answer_timeout)]

    def _refuse_report(self, pbx_invoke_id: int | None) -> ToPBX:
        return ToPBX(apdu.return_error(pbx_invoke_id, *NOT_DELIVERED))

    def _to_reporter(self, ticket: AppTicket, pdu: bytes) -> list[Action]:
        """An answer to the PBX that sent the report; none once that association is gone: on a
        new one the invokeId may name another report, which the answer would confirm."""
        if self.link is LinkState.DOWN or ticket.association != self.counters["associations"]:
            self.counters["reports_answer_late"] += 1
            return []
        return [ToPBX(pdu)]

    def app_answered(self, ticket: AppTicket, answer: bytes) -> list[Action]:
        """The owner answered a report: that answer, checked, is the PBX's."""
        ticket.ownership.pending -= 1
        try:
            decoded = apdu.decode(answer)
        except DecodeError:
            self.counters["reports_refused"] += 1
            return self._to_reporter(ticket, self._refuse_report(ticket.pbx_invoke_id).pdu)
        if isinstance(decoded, apdu.ReturnResult) and ticket.digest:
            ticket.ownership.confirmed.remember(ticket.digest, answer)
        self.counters["reports_relayed"] += 1
        if ticket.pbx_invoke_id is not None:
            answer = ber.with_invoke_id(answer, ticket.pbx_invoke_id)
        return self._to_reporter(ticket, answer)

    def app_failed(self, ticket: AppTicket, reason: str) -> list[Action]:
        """The owner did not answer a report in time, or went away: it loses the service."""
        ticket.ownership.pending -= 1
        self.counters["reports_refused"] += 1
        out = self._to_reporter(ticket, self._refuse_report(ticket.pbx_invoke_id).pdu)
        ownership = ticket.ownership
        if ownership.owner is ticket.app:
            self._revoke(ownership, out)
            if not ticket.app.closed:
                out.append(
                    Disconnect(
                        ticket.app, f"did not answer a {ownership.service.name} report ({reason})"
                    )
                )
        out.extend(self._dispatch())
        return out

    def _revoke(self, ownership: Ownership, out: list[Action]) -> None:
        """The owner is gone or failed: the PBX stops sending what nobody would confirm."""
        for session in ownership.release():
            assert session.pbx_xref is not None
            out.extend(self._stop_session(ownership.service, session.pbx_xref))

    def _stop_session(self, service: OwnedService, pbx_xref: bytes) -> list[Action]:
        return self._stop(service.stop, {service.xref_field: pbx_xref})

    # -- monitors -------------------------------------------------------------------------------

    @_special(MONITOR_START)
    def _app_monitor_start(self, app: App, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        argument = dict(invoke.argument)
        filter_value = argument.pop("requestedMonitorFilter", None)
        events = filtered_events(filter_value)
        key = freeze(argument["monitorObject"])
        monitor = self.monitors.by_key.get(key)
        if monitor is None or app not in monitor.sharers:
            if len(app.monitors) + app.monitors_starting >= self.settings.max_monitors:
                return [self._error(app, invoke.invoke_id, TOO_MANY_MONITORS)]
        if monitor is not None and monitor.state is MonitorState.ACTIVE:
            return [self._join(monitor, app, invoke.invoke_id, events, filter_value)]
        if self.link is LinkState.DOWN:
            return [self._error(app, invoke.invoke_id, LINK_DOWN)]
        if app.open_requests >= self.settings.max_open_requests:
            return [self._error(app, invoke.invoke_id, TOO_MANY_OPEN)]
        app.open_requests += 1
        app.monitors_starting += 1
        if monitor is None:
            monitor = self.monitors.create(key, argument)
        monitor.waiting.append(Waiter(app, invoke.invoke_id, events, filter_value))
        if monitor.state is MonitorState.STARTING and not monitor.start_in_flight:
            self.counters["monitor_starts"] += 1
            monitor.start_in_flight = True
            return self._send(
                PBXTicket(Purpose.MONITOR_START, self._monitor_start_pdu(monitor), monitor=monitor)
            )
        return []

    @staticmethod
    def _monitor_start_pdu(monitor: Monitor) -> bytes:
        return apdu.encode(apdu.Invoke(0, MONITOR_START, monitor.argument))

    def _join(
        self,
        monitor: Monitor,
        app: App,
        invoke_id: int | None,
        events: frozenset[tuple[int, int]],
        filter_value: Any,
    ) -> ToApp:
        monitor.join(app, events, filter_value)
        app.monitors.add(monitor)
        assert monitor.result is not None
        result = {**monitor.result, "crossRefIdentifier": monitor.xref}
        result.pop("actualmonitorFilter", None)
        if filter_value is not None:
            result = _insert_after(
                result, "crossRefIdentifier", "actualmonitorFilter", filter_value
            )
        return self._result(app, invoke_id, MONITOR_START, result)

    def _monitor_answered(
        self, ticket: PBXTicket, answer: bytes, peek: ber.Peek | None
    ) -> list[Action]:
        """The PBX answered a MonitorStart (first start, or restart after a re-association)."""
        monitor = ticket.monitor
        assert monitor is not None
        monitor.start_in_flight = False
        live = self._take_waiters(monitor)
        try:
            decoded = apdu.decode(answer)
        except DecodeError:
            decoded = None
        result: Any = decoded.result if isinstance(decoded, apdu.ReturnResult) else None
        started = isinstance(result, dict)
        out: list[Action] = []
        if self.monitors.by_key.get(monitor.key) is not monitor:
            # Everyone left while the start was on its way: the PBX monitor is not wanted.
            if started:
                out.extend(self._stop_monitor(result["crossRefIdentifier"]))
        elif started:
            self.monitors.bind(monitor, result["crossRefIdentifier"], result)
            out.extend(
                self._join(monitor, w.app, w.invoke_id, w.filter, w.filter_value) for w in live
            )
            self._forget_if_unwanted(monitor, out)
        else:
            for waiter in live:
                if decoded is None:
                    out.append(self._error(waiter.app, waiter.invoke_id, ("operation", "generic")))
                else:
                    out.append(ToApp(waiter.app, _with_id(answer, waiter.invoke_id, peek)))
            out.extend(self._end_monitor(monitor, {}))
        if ticket.purpose is Purpose.MONITOR_RESTORE:
            out.extend(self._one_restored())
        return out

    def _monitor_failed(self, ticket: PBXTicket, failure: tuple[str, str]) -> list[Action]:
        """A MonitorStart got no answer: the link went down, or the PBX did not answer in time."""
        monitor = ticket.monitor
        assert monitor is not None
        monitor.start_in_flight = False
        out: list[Action] = [
            self._error(w.app, w.invoke_id, failure) for w in self._take_waiters(monitor)
        ]
        if self.monitors.by_key.get(monitor.key) is not monitor:
            return out
        if failure == LINK_DOWN and monitor.sharers:
            # Still wanted: started again on the next association.
            monitor.state = MonitorState.LOST
            return out
        out.extend(self._end_monitor(monitor, {}))
        if ticket.purpose is Purpose.MONITOR_RESTORE and self.link is not LinkState.DOWN:
            out.extend(self._one_restored())
        return out

    def _take_waiters(self, monitor: Monitor) -> list[Waiter]:
        waiting, monitor.waiting = monitor.waiting, []
        for waiter in waiting:
            waiter.app.open_requests -= 1
            waiter.app.monitors_starting -= 1
        return [w for w in waiting if not w.app.closed]

    def _forget_if_unwanted(self, monitor: Monitor, out: list[Action]) -> None:
        """The last share is gone: the PBX monitor is stopped and the object forgotten."""
        if monitor.wanted:
            return
        self.monitors.remove(monitor)
        if monitor.pbx_xref is not None:
            out.extend(self._stop_monitor(monitor.pbx_xref))

    def _stop_monitor(self, pbx_xref: bytes) -> list[Action]:
        if self.link is LinkState.DOWN:
            return []
        self.counters["monitor_stops"] += 1
        return self._stop(MONITOR_STOP, {"crossRefIdentifier": pbx_xref})

    def _stop(self, opcode: int, argument: dict[str, Any]) -> list[Action]:
        """Stop at the PBX what nobody holds; with the link down, its end stopped everything."""
        if self.link is LinkState.DOWN:
            return []
        self.queue.append(PBXTicket(Purpose.STOP, apdu.encode(apdu.Invoke(0, opcode, argument))))
        return self._dispatch()

    @_special(MONITOR_STOP)
    def _app_monitor_stop(self, app: App, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        monitor = self.monitors.by_xref.get(invoke.argument["crossRefIdentifier"])
        if monitor is None or app not in monitor.sharers:
            return [self._error(app, invoke.invoke_id, UNKNOWN_MONITOR)]
        monitor.leave(app)
        if app not in monitor.sharers:
            app.monitors.discard(monitor)
        out: list[Action] = [self._result(app, invoke.invoke_id, MONITOR_STOP, ("noData", None))]
        self._forget_if_unwanted(monitor, out)
        return out

    @_special(CHANGE_MONITOR_FILTER)
    def _app_change_filter(self, app: App, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        monitor = self.monitors.by_xref.get(invoke.argument["crossRefIdentifier"])
        if monitor is None or app not in monitor.sharers:
            return [self._error(app, invoke.invoke_id, UNKNOWN_MONITOR)]
        requested = invoke.argument["requestedFilterList"]
        monitor.set_filter(app, filtered_events(requested), requested)
        return [
            self._result(
                app, invoke.invoke_id, CHANGE_MONITOR_FILTER, {"actualFilterList": requested}
            )
        ]

    # -- escape and switching function devices --------------------------------------------------

    @_special(ESCAPE)
    def _app_escape(self, app: App, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        return self._forward(PBXTicket(Purpose.ESCAPE, pdu, app, invoke.invoke_id))

    def _escape_answered(
        self, ticket: PBXTicket, answer: bytes, peek: ber.Peek | None
    ) -> list[Action]:
        """The result of a device-list request names the cross reference of its linked replies."""
        if ticket.app is not None and not ticket.app.closed:
            xref = _answer_field(answer, "getSystemDataPosAck")
            if isinstance(xref, bytes):
                _bounded_put(self._escape_routes, xref, ticket.app)
        return self._relay_answer(ticket, answer, peek)

    @_special(GET_SWITCHING_FUNCTION_DEVICES)
    def _app_switching_devices(self, app: App, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        return self._forward(PBXTicket(Purpose.SWITCHING_DEVICES, pdu, app, invoke.invoke_id))

    def _switching_devices_answered(
        self, ticket: PBXTicket, answer: bytes, peek: ber.Peek | None
    ) -> list[Action]:
        if ticket.app is not None and not ticket.app.closed:
            xref = _answer_field(answer, "serviceCrossRefID")
            if isinstance(xref, bytes):
                _bounded_put(self._device_list_routes, xref, ticket.app)
        return self._relay_answer(ticket, answer, peek)

    @_special(REQUEST_SYSTEM_STATUS)
    def _app_request_status(self, app: App, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        """While the PBX is away the multiplexer says so itself."""
        if self.link is LinkState.DOWN:
            return [
                self._result(
                    app, invoke.invoke_id, REQUEST_SYSTEM_STATUS, {"systemStatus": self.status}
                )
            ]
        return self._forward(PBXTicket(Purpose.FORWARD, pdu, app, invoke.invoke_id))

    # -- CDR and data collection ----------------------------------------------------------------

    def _ownership_of(self, opcode: int) -> Ownership:
        return self.cdr if opcode in (CDR.start, CDR.stop, CDR.report) else self.data_collection

    @_special(CDR.start, DATA_COLLECTION.start)
    def _app_owner_start(self, app: App, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        ownership = self._ownership_of(invoke.opcode)
        if ownership.owner is not None and ownership.owner is not app:
            return [self._error(app, invoke.invoke_id, ALREADY_OWNED)]
        if ownership.keep:
            ownership.owner = app
            xref = ownership.sessions[0].xref
            result = {ownership.service.xref_field: xref}
            return [self._result(app, invoke.invoke_id, invoke.opcode, result)]
        if self.link is LinkState.DOWN:
            return [self._error(app, invoke.invoke_id, LINK_DOWN)]
        ticket = PBXTicket(Purpose.OWNER_START, pdu, app, invoke.invoke_id, ownership=ownership)
        out = self._forward(ticket)
        if ticket.counted:
            ownership.owner = app
            ownership.starting += 1
        return out

    def _owner_started(
        self, ticket: PBXTicket, answer: bytes, peek: ber.Peek | None
    ) -> list[Action]:
        ownership = ticket.ownership
        assert ownership is not None and ticket.app is not None
        out: list[Action] = []
        if ownership.owner is ticket.app:
            ownership.starting -= 1
        xref = _answer_field(answer, ownership.service.xref_field)
        if isinstance(xref, bytes):
            if ownership.owner is ticket.app and not ticket.app.closed:
                ownership.sessions.append(Session(xref, xref, ticket.pdu))
            else:
                out.extend(self._stop_session(ownership.service, xref))
        if ownership.owner is ticket.app:
            ownership.settle()
        out.extend(self._relay_answer(ticket, answer, peek))
        return out

    def _owner_start_failed(self, ticket: PBXTicket, failure: tuple[str, str]) -> list[Action]:
        ownership = ticket.ownership
        assert ownership is not None
        if ownership.owner is ticket.app:
            ownership.starting -= 1
            ownership.settle()
        return self._relay_failure(ticket, failure)

    @_special(CDR.stop, DATA_COLLECTION.stop)
    def _app_owner_stop(self, app: App, pdu: bytes, invoke: apdu.Invoke) -> list[Action]:
        ownership = self._ownership_of(invoke.opcode)
        service = ownership.service
        if ownership.owner is not app:
            return [self._error(app, invoke.invoke_id, NOT_OWNER)]
        session = ownership.session_for_owner(invoke.argument[service.xref_field])
        if session is None:
            return [self._error(app, invoke.invoke_id, UNKNOWN_XREF)]
        if ownership.keep:
            ownership.owner = None
            return [self._result(app, invoke.invoke_id, service.stop, ("noData", None))]
        ownership.sessions.remove(session)
        ownership.settle()
        if session.pbx_xref is None or self.link is LinkState.DOWN:
            return [self._result(app, invoke.invoke_id, service.stop, ("noData", None))]
        if session.pbx_xref != session.xref:
            pdu = apdu.encode(
                apdu.Invoke(
                    invoke.invoke_id,
                    invoke.opcode,
                    {**invoke.argument, service.xref_field: session.pbx_xref},
                )
            )
        return self._forward(PBXTicket(Purpose.FORWARD, pdu, app, invoke.invoke_id))

    def _owner_restored(
        self, ticket: PBXTicket, answer: bytes, peek: ber.Peek | None
    ) -> list[Action]:
        ownership, session = ticket.ownership, ticket.session
        assert ownership is not None and session is not None
        out: list[Action] = []
        xref = _answer_field(answer, ownership.service.xref_field)
        if session in ownership.sessions and isinstance(xref, bytes):
            session.pbx_xref = xref
        elif isinstance(xref, bytes):
            out.extend(self._stop_session(ownership.service, xref))
        elif session in ownership.sessions and not ownership.keep:
            ownership.sessions.remove(session)
            ownership.settle()
        out.extend(self._one_restored())
        return out

    def _owner_restore_failed(self, ticket: PBXTicket, failure: tuple[str, str]) -> list[Action]:
        if self.link is LinkState.DOWN:
            return []
        ownership, session = ticket.ownership, ticket.session
        assert ownership is not None and session is not None
        if session in ownership.sessions and not ownership.keep:
            ownership.sessions.remove(session)
            ownership.settle()
        return self._one_restored()

    def _ignore_answer(
        self, ticket: PBXTicket, answer: bytes, peek: ber.Peek | None
    ) -> list[Action]:
        return []

    def _ignore_failure(self, ticket: PBXTicket, failure: tuple[str, str]) -> list[Action]:
        return []

    # -- status ---------------------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def queued(self) -> int:
        return len(self.queue)

    _answered: dict[
        Purpose, Callable[["Router", PBXTicket, bytes, ber.Peek | None], list[Action]]
    ] = {
        Purpose.FORWARD: _relay_answer,
        Purpose.MONITOR_START: _monitor_answered,
        Purpose.MONITOR_RESTORE: _monitor_answered,
        Purpose.OWNER_START: _owner_started,
        Purpose.OWNER_RESTORE: _owner_restored,
        Purpose.STOP: _ignore_answer,
        Purpose.ESCAPE: _escape_answered,
        Purpose.SWITCHING_DEVICES: _switching_devices_answered,
    }

    _failed: dict[Purpose, Callable[["Router", PBXTicket, tuple[str, str]], list[Action]]] = {
        Purpose.FORWARD: _relay_failure,
        Purpose.MONITOR_START: _monitor_failed,
        Purpose.MONITOR_RESTORE: _monitor_failed,
        Purpose.OWNER_START: _owner_start_failed,
        Purpose.OWNER_RESTORE: _owner_restore_failed,
        Purpose.STOP: _ignore_failure,
        Purpose.ESCAPE: _relay_failure,
        Purpose.SWITCHING_DEVICES: _relay_failure,
    }


#: The universalFailure an application gets for each way a request ended without an answer.
_FAILURES = {actions.TIMEOUT: TIMED_OUT, actions.LOST: LINK_DOWN, actions.UNSENDABLE: NOT_CARRIED}


def _answer_field(answer: bytes, name: str) -> Any:
    """The first ``name`` in a returnResult, or None (errors, rejects, undecodable answers)."""
    try:
        decoded = apdu.decode(answer)
    except DecodeError:
        return None
    if not isinstance(decoded, apdu.ReturnResult):
        return None
    return next(_find(decoded.result, name), None)


def _with_id(answer: bytes, invoke_id: int | None, peek: ber.Peek | None = None) -> bytes:
    """The PBX's answer under the application's invokeId (a NULL id is left as it is); the
    link's ``peek`` at the answer, when there is one, spares walking it again."""
    return answer if invoke_id is None else ber.with_invoke_id(answer, invoke_id, peek)


def _bounded_put(routes: dict[bytes, App], xref: bytes, app: App) -> None:
    routes.pop(xref, None)
    while len(routes) >= MAX_REPLY_ROUTES:
        del routes[next(iter(routes))]
    routes[xref] = app


def _insert_after(value: dict[str, Any], after: str, name: str, item: Any) -> dict[str, Any]:
    """A copy of a SEQUENCE value with ``name`` placed right after ``after`` (component order)."""
    out: dict[str, Any] = {}
    for key, existing in value.items():
        out[key] = existing
        if key == after:
            out[name] = item
    return out
