"""The multiplexer on Twisted: application listeners, the PBX association, and the core between.

:class:`Multiplexer` feeds the events of every association to the sans-IO core
(:class:`ecsta.mux.router.Router`) and carries out the actions it returns. Towards applications
each association is an :class:`AppProtocol`, a :class:`CSTAServerProtocol` that behaves as a
Panasonic PBX (exact AARE, keep-alives from invokeId 1, bounded output), with the login and the
limits checked in its AARQ hook. Towards the PBX there is one :class:`PBXProtocol`, kept up by
the link's ``ClientService`` with backoff.

:class:`MuxService` opens the listeners in ``privilegedStartService``, before the reactor runs,
so that a port already taken stops ``twistd`` at once with a :class:`StartupError` naming the
port, instead of a multiplexer that runs without its applications' port.
"""

import socket
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from typing import Any

from OpenSSL import SSL, crypto
from twisted.application.service import MultiService
from twisted.internet import defer, task
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import serverFromString
from twisted.internet.error import VerifyError
from twisted.internet.interfaces import (
    IDelayedCall,
    IReactorTime,
    IStreamServerEndpoint,
)
from twisted.internet.protocol import Factory, connectionDone
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.resource import Resource

from ecsta.daemon.auth import LoginsBusy, Verdict
from ecsta.daemon.capture import CaptureFile
from ecsta.daemon.certificates import Certificate, CertificateError, listener_certificate
from ecsta.daemon.endpoints import EndpointError, client_endpoint
from ecsta.daemon.listening import listen_now
from ecsta.daemon.metrics import MetricsResource, PDUCounts
from ecsta.daemon.networks import AllowedNetworks, is_loopback, networks, only_loopback
from ecsta.daemon.reload import Reloader, ReloadResource, RenewableContext
from ecsta.daemon.site import GuardedSite, answered_hosts
from ecsta.daemon.startup import StartupError
from ecsta.daemon.workers import Workers
from ecsta.journal.record import (
    CallRecord,
    NotACallRecord,
    confirmation,
    records_from_report,
    refusal,
)
from ecsta.journal.service import Journal
from ecsta.journal.settings import service_state_directory
from ecsta.link import seen
from ecsta.link.errors import LinkLost, RequestTimeout, Unsendable
from ecsta.link.protocol import CSTAClientProtocol, CSTAServerProtocol
from ecsta.link.service import LinkHealth, PBXClientFactory, pbx_client_service
from ecsta.link.throttle import Throttle, loggable
from ecsta.link.writethrough import Pushes
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
from ecsta.mux.config import MuxConfig
from ecsta.mux.metrics import mux_registry
from ecsta.mux.ownership import CDR
from ecsta.mux.router import App, PBXTicket, Router, RouterSettings
from ecsta.wire import apdu, ber
from ecsta.wire.opcodes import Opcode

log = Logger()

#: ACSE result and acse-service-user diagnostics of the AARE rejections (X.227).
REJECTED_PERMANENT = 1
REJECTED_TRANSIENT = 2
NO_REASON_GIVEN = 1
AUTHENTICATION_FAILURE = 13
AUTHENTICATION_REQUIRED = 14
#: Logins that may wait for a password check; more at once are refused rejected-transient.
MAX_WAITING_LOGINS = 32
#: Largest request body the status port reads (the console's login form is a few hundred
#: octets); a larger one is refused before the login is checked.
STATUS_MAX_BODY = 64 * 1024
#: Seconds between looks at the queue of requests waiting for a place in flight to the PBX.
QUEUE_SWEEP = 1.0


def _now(clock: Any) -> float:
    seconds: float = clock.seconds()
    return seconds


def _reason(failure: Failure | BaseException) -> str:
    error = failure.value if isinstance(failure, Failure) else failure
    if isinstance(error, RequestTimeout):
        return actions.TIMEOUT
    if isinstance(error, Unsendable):
        return actions.UNSENDABLE
    return actions.LOST


class _Asked:
    """A request of the core on the PBX link, waiting there: how it ends goes back to the core.

    The link's own waiter rather than a Deferred: every application request is one, and a
    Deferred with its callbacks costs more than the rest of the way through the multiplexer.
    """

    __slots__ = ("mux", "ticket")

    def __init__(self, mux: "Multiplexer", ticket: PBXTicket) -> None:
        self.mux = mux
        self.ticket = ticket

    def answered(self, pdu: bytes, peek: ber.Peek) -> None:
        self.mux.run(self.mux.router.pbx_answered(self.ticket, pdu, peek))

    def failed(self, reason: BaseException) -> None:
        self.mux.run(self.mux.router.pbx_failed(self.ticket, _reason(reason)))


class AppProtocol(CSTAServerProtocol):
    """One application's association: a PBX to the application, an event source to the core."""

    write_through = True

    def __init__(
        self, clock: IReactorTime, mux: "Multiplexer", tls: bool, host: str, **kwargs: Any
    ) -> None:
        super().__init__(clock, **kwargs)
        self.mux = mux
        self.pushes = mux.pushes
        self.known = mux.router.validated
        self.tls = tls
        self.app: App | None = None
        #: The address this connection counts against while it is not associated.
        self.unassociated_host: str | None = host

    def connectionMade(self) -> None:
        super().connectionMade()
        size = self.mux.config.applications.socket_send_buffer
        handle = getattr(self.transport, "getHandle", None)
        if size and handle is not None:
            # The kernel's buffer counts too: left to autotuning it grows to megabytes for an
            # application that does not read, times a thousand applications.
            try:
                handle().setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)
            except (OSError, AttributeError):
                pass

    def authorize(self, aarq: apdu.AARQ) -> "bytes | Deferred[bytes | None] | None":
        return self.mux.authorize(self, aarq)

    def _associationTimedOut(self) -> None:
        self.mux.connections["association_timeouts"] += 1
        super()._associationTimedOut()

    def associationEstablished(self) -> None:
        self.mux.release_unassociated(self)
        self.app = self.mux.router.app_connected(
            self, self.peer, self.user, self.tls, _now(self.clock)
        )
        log.info(
            "application {id} associated from {peer} (user {user}, tls {tls})",
            id=self.app.id,
            peer=self.peer,
            user=loggable(self.user),
            tls=self.tls,
        )

    def wellFormed(self, pdu: bytes, peek: ber.Peek) -> None:
        """The router remembers an invoke once it has checked its ROSE envelope too."""

    def backlogExceeded(self) -> None:
        self.mux.connections["not_reading"] += 1
        super().backlogExceeded()

    def invokeReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        if self.app is not None:
            self.mux.run(self.mux.router.app_invoke(self.app, pdu, peek))

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.mux.release_unassociated(self)
        app = self.app
        if app is not None:
            log.info("application {id} ({peer}) gone", id=app.id, peer=self.peer)
            self.mux.run(self.mux.router.app_gone(app))
        super().connectionLost(reason)


class PBXProtocol(CSTAClientProtocol):
    """The multiplexer's one association with the PBX."""

    write_through = True

    def __init__(self, clock: IReactorTime, *, mux: "Multiplexer", **kwargs: Any) -> None:
        super().__init__(clock, **kwargs)
        self.mux = mux
        self.pushes = mux.pushes
        self.known = seen.answers()
        # Before anyone else hears that the association is ready (ClientService hands others
        # a proxy of this protocol), the core does, and starts restoring what it holds.
        self.ready.addCallback(self._associated)

    def _associated(self, proto: CSTAClientProtocol) -> CSTAClientProtocol:
        self.mux.pbx_associated(self)
        return proto

    def invokeReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        self.mux.pbx_invoke(self, pdu, peek)

    def systemStatusChanged(self, argument: dict[str, Any]) -> None:
        status = argument.get("systemStatus")
        if isinstance(status, str):
            self.mux.run(self.mux.router.pbx_status(status))

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        # The core hears of the loss before the link fails what was in flight, so that those
        # failures are read as "the PBX went away" and not as the PBX refusing a restart.
        self.mux.pbx_lost(self)
        super().connectionLost(reason)


class _AppFactory(Factory):
    def __init__(self, mux: "Multiplexer", tls: bool) -> None:
        self.mux = mux
        self.tls = tls

    def buildProtocol(self, addr: Any) -> AppProtocol | None:
        settings = self.mux.config.applications
        host = str(getattr(addr, "host", addr))
        if not self.mux.admit_connection(host):
            return None  # Twisted closes the connection at once
        proto = AppProtocol(
            self.mux.clock,
            self.mux,
            self.tls,
            host,
            association_timeout=settings.association_timeout,
            max_pdu=settings.max_pdu,
            max_backlog=settings.max_output_buffer,
            keepalive_interval=settings.keepalive_interval,
            keepalive_misses=settings.keepalive_misses,
        )
        proto.factory = self
        return proto


class Multiplexer:
    """The core and the associations around it."""

    def __init__(
        self, clock: IReactorTime, config: MuxConfig, journal: Journal | None = None
    ) -> None:
        self.clock = clock
        self.config = config
        self.journal = journal
        self.router = Router(
            RouterSettings(
                max_applications=config.applications.max_applications,
                max_open_requests=config.applications.max_open_requests,
                max_monitors=config.applications.max_monitors,
                max_in_flight=config.pbx.max_in_flight,
                request_timeout=config.pbx.request_timeout,
                owner_answer_timeout=config.applications.owner_answer_timeout,
                down_status=config.pbx.down_status,
                keep_cdr=journal is not None,
            )
        )
        self.users = config.user_table()
        #: One record of failed logins for the CSTA ports and the web console alike.
        self.guard = config.login.guard()
        #: Logins being checked, at most ``login.hash_threads`` at once; a few more wait.
        self._hashing = defer.DeferredSemaphore(config.login.hash_threads)
        #: How a password is checked: the service runs it on its bounded pool of threads.
        self.check_password: Callable[[str, str], Deferred[bool]] = lambda user, password: (
            defer.maybeDeferred(self.users.verify, user, password)
        )
        self.pbx: PBXProtocol | None = None
        self.pbx_since: float | None = None
        self.pbx_peer: str | None = None
        #: Why the PBX link is not up, and since when (for the status page).
        self.pbx_health = LinkHealth(clock)
        self.logins = {"accepted": 0, "failed": 0, "locked_out": 0, "over_limit": 0}
        #: Connections that have not associated yet, by address.
        self.unassociated: Counter[str] = Counter()
        self.connections = {
            "refused_unassociated": 0,
            "refused_not_allowed": 0,
            "association_timeouts": 0,
            "not_reading": 0,
        }
        #: Fires once the last cDRReport stored has been routed (see :meth:`_in_turn`).
        self._report_turn: Deferred[Any] = defer.succeed(None)
        #: Warnings any peer can provoke, at most a few of each kind a minute.
        self.warnings = Throttle(log, clock)
        self._pending: deque[Action] = deque()
        self._running = False
        #: How each kind of action is carried out.
        self._performers: dict[type, Callable[[Any], None]] = {
            Fanout: self._fan_out,
            ToApp: self._to_app,
            Relay: self._relay,
            AskPBX: self._ask_pbx,
            ToPBX: self._to_pbx,
            AskApp: self._ask_app,
            NotifyApp: self._notify_app,
            SetStatus: self._set_status,
            Disconnect: self._disconnect,
        }
        #: What the applications are sent while a read is handled goes out when it is done.
        self.pushes = Pushes()
        self._sweep: IDelayedCall | None = None
        self._stopped = False
        #: The certificates of the TLS listeners, for their days left in the metrics.
        self.certificates: list[Certificate] = []

    # -- factories ------------------------------------------------------------------------------

    def app_factory(self, tls: bool) -> Factory:
        return _AppFactory(self, tls)

    def pbx_factory(self) -> PBXClientFactory:
        return PBXClientFactory(
            self.clock,
            PBXProtocol,
            mux=self,
            watchdog=self.config.pbx.watchdog,
            request_timeout=self.config.pbx.request_timeout,
            max_backlog=None,
        )

    # -- connections before their association ---------------------------------------------------

    def admit_connection(self, host: str) -> bool:
        """Whether one more connection from ``host`` may wait for its association.

        Connections that never send an AARQ hold a descriptor and memory each; without a bound
        a flood of them would lock real applications (and the status page) out.
        """
        settings = self.config.applications
        total = self.unassociated.total()
        if (
            total >= settings.max_unassociated
            or self.unassociated[host] >= settings.max_unassociated_per_address
        ):
            self.connections["refused_unassociated"] += 1
            self.warnings.warn(
                "unassociated",
                "refusing connections: {total} not associated yet ({here} from {host})",
                total=total,
                here=self.unassociated[host],
                host=host,
            )
            return False
        self.unassociated[host] += 1
        return True

    def release_unassociated(self, proto: AppProtocol) -> None:
        host, proto.unassociated_host = proto.unassociated_host, None
        if host is not None:
            self.unassociated[host] -= 1
            if self.unassociated[host] <= 0:
                del self.unassociated[host]

    # -- the PBX link ---------------------------------------------------------------------------

    def pbx_associated(self, proto: PBXProtocol) -> None:
        self.pbx = proto
        self.pbx_since = _now(self.clock)
        self.pbx_peer = proto.peer
        log.info("PBX association with {peer} ready", peer=proto.peer)
        self.run(self.router.pbx_up())

    def pbx_lost(self, proto: PBXProtocol) -> None:
        if proto is not self.pbx:
            return
        log.warn("PBX association with {peer} lost", peer=proto.peer)
        self.pbx = None
        self.pbx_since = None
        self.run(self.router.pbx_down())

    def pbx_invoke(self, proto: PBXProtocol, pdu: bytes, peek: ber.Peek) -> None:
        """An invoke from the PBX; with the journal on, a cDRReport is stored before anything.

        Only once its records are committed does the core see the report (and confirm it, or
        relay it to the owning application, whose answer confirms it). A report that cannot be
        stored is refused, so that the PBX keeps it and sends it again.
        """
        if self.journal is None or peek.opcode != Opcode.cDRReport:
            self.run(self.router.pbx_invoke(pdu, peek))
            return
        stored = self.journal.store_report(pdu)
        stored.addCallbacks(
            lambda records: self._report_stored(proto, pdu, peek, records),
            lambda failure: self._report_not_stored(proto, pdu, peek, failure),
        )

    def _report_stored(
        self, proto: PBXProtocol, pdu: bytes, peek: ber.Peek, records: list[CallRecord]
    ) -> None:
        """Stored: to the owner, unless the owner confirmed every record before (the PBX did
        not hear it because the multiplexer stopped), which the journal remembers."""
        if self.journal is None or not records or self.router.cdr.owner is None:
            self._in_turn(proto, pdu, peek, defer.succeed(False))
            return
        asked = self.journal.all_confirmed(records)
        asked.addErrback(lambda _: False)  # unknown: the owner decides, as without a journal
        self._in_turn(proto, pdu, peek, asked)

    def _in_turn(
        self, proto: PBXProtocol, pdu: bytes, peek: ber.Peek, confirmed: Deferred[bool]
    ) -> None:
        """Route reports in the order they were stored, whichever journal read ends first."""
        previous = self._report_turn
        turn = defer.gatherResults([previous, confirmed])
        turn.addCallback(lambda results: self._route_report(proto, pdu, peek, results[1]))
        turn.addErrback(lambda failure: log.failure("routing a cDRReport", failure))
        self._report_turn = turn

    def _route_report(self, proto: PBXProtocol, pdu: bytes, peek: ber.Peek, known: bool) -> None:
        # An answer belongs to the association the invoke came on; after a new association
        # the PBX sends the record again and finds it stored.
        if proto is not self.pbx or proto.closed:
            return
        if known:
            self.router.counters["reports_resent"] += 1
            proto.send_pdu(confirmation(peek.invoke_id))
            return
        self.run(self.router.pbx_invoke(pdu, peek))

    def _report_not_stored(
        self, proto: PBXProtocol, pdu: bytes, peek: ber.Peek, failure: Failure
    ) -> None:
        if failure.check(NotACallRecord):
            log.warn("cDRReport not journaled: {why}", why=failure.getErrorMessage())
            self._in_turn(proto, pdu, peek, defer.succeed(False))
            return
        if proto is self.pbx and not proto.closed:
            proto.send_pdu(refusal(peek.invoke_id))

    # -- logins ---------------------------------------------------------------------------------

    def authorize(
        self, proto: AppProtocol, aarq: apdu.AARQ
    ) -> Deferred[bytes | None] | bytes | None:
        """None to accept the AARQ, or the AARE rejection; checked and failed logins come later.

        A wrong user or password is answered rejected-permanent, authentication-failure; a
        locked-out address or user rejected-transient, authentication-failure (see
        docs/login.md), so that a client can tell the two apart.
        """
        transport: Any = proto.transport
        address = getattr(transport.getPeer(), "host", proto.peer)
        refusal = self._over_limit(proto)
        if refusal is not None:
            return refusal
        if aarq.user is None:
            if proto.tls or self.config.listen.require_login:
                log.info("refusing {peer}: no login", peer=proto.peer)
                return apdu.aare_rejected(REJECTED_PERMANENT, AUTHENTICATION_REQUIRED)
            self._accept(proto)
            return None
        user = aarq.user
        known = user if user in self.users else None
        verdict = self.guard.assess(address, _now(self.clock), known)
        if verdict.locked:
            return self._refuse_locked(user, address, verdict)
        if self._too_many_logins(address):
            return apdu.aare_rejected(REJECTED_TRANSIENT, NO_REASON_GIVEN)
        d = self._hashing.run(self._verify, user, aarq.password or "", known, address)
        return d.addCallback(self._checked, proto, user, known, address)

    def _too_many_logins(self, address: str) -> bool:
        """Whether as many logins (CSTA and console alike) wait for a check as may wait."""
        if self._hashing.tokens or len(self._hashing.waiting) < MAX_WAITING_LOGINS:
            return False
        self.logins["over_limit"] += 1
        self.warnings.warn(
            "busy", "refusing login from {address}: too many logins at once", address=address
        )
        return True

    def console_check(self, user: str, password: str) -> Deferred[bool]:
        """A console login's password check, in the CSTA logins' queue and under its cap, so
        that a flood of either cannot keep the hashing threads from the other for long.

        Fails with :class:`LoginsBusy` at once when the queue is full."""
        if self._too_many_logins("the console"):
            return defer.fail(LoginsBusy("too many logins at once"))
        return self._hashing.run(lambda: self.check_password(user, password))

    def _refuse_locked(
        self, user: str, address: str, verdict: Verdict
    ) -> Deferred[bytes | None] | bytes:
        self.logins["locked_out"] += 1
        self.warnings.warn(
            "locked out",
            "refusing login of {user!r} from {address}: locked out ({left:.0f} s left)",
            user=user,
            address=address,
            left=verdict.seconds_left,
        )
        return self._later(
            self.config.login.max_delay,
            apdu.aare_rejected(REJECTED_TRANSIENT, AUTHENTICATION_FAILURE),
        )

    def _verify(
        self, user: str, password: str, known: str | None, address: str
    ) -> Deferred[Verdict | float | None]:
        """Hash when this login's turn comes, unless its address or user was locked out while
        it waited (a flood of guesses then costs no hashing at all). The outcome is counted
        before the next login's turn: None for a good password, the delay of a wrong one's
        answer, or the lockout."""
        verdict = self.guard.assess(address, _now(self.clock), known)
        if verdict.locked:
            return defer.succeed(verdict)
        checked: Deferred[Any] = self.check_password(user, password)
        return checked.addCallback(self._count, known, address)

    def _count(self, good: bool, known: str | None, address: str) -> float | None:
        if good:
            self.guard.succeeded(address, known)
            return None
        self.logins["failed"] += 1
        return self.guard.failed(address, _now(self.clock), known)

    def _checked(
        self,
        outcome: Verdict | float | None,
        proto: AppProtocol,
        user: str,
        known: str | None,
        address: str,
    ) -> Deferred[bytes | None] | bytes | None:
        if isinstance(outcome, Verdict):
            return self._refuse_locked(user, address, outcome)
        if outcome is None:
            refusal = self._over_limit(proto)  # others may have associated meanwhile
            if refusal is None:
                self._accept(proto)
            return refusal
        self.warnings.warn(
            "failed login",
            "failed login of {user!r} from {address}, answered in {delay:g} s",
            user=user,
            address=address,
            delay=outcome,
        )
        return self._later(outcome, apdu.aare_rejected(REJECTED_PERMANENT, AUTHENTICATION_FAILURE))

    def _over_limit(self, proto: AppProtocol) -> bytes | None:
        refusal = self.router.admit()
        if refusal is None:
            return None
        self.logins["over_limit"] += 1
        self.warnings.warn("over limit", "refusing {peer}: {why}", peer=proto.peer, why=refusal)
        return apdu.aare_rejected(REJECTED_TRANSIENT, NO_REASON_GIVEN)

    def _later(self, delay: float, rejection: bytes) -> Deferred[bytes | None] | bytes:
        if delay <= 0:
            return rejection
        return task.deferLater(self.clock, delay, lambda: rejection)

    def _accept(self, proto: AppProtocol) -> None:
        self.logins["accepted"] += 1
        # The first keep-alive, sent right after the AARE, already tells the truth.
        proto.system_status = self.router.status

    # -- carrying out the core's actions --------------------------------------------------------

    def run(self, todo: Iterable[Action]) -> None:
        """Carry out actions in order; actions caused by them run after them, never inside."""
        pending = self._pending
        pending.extend(todo)
        if self._running:
            return
        self._running = True
        perform = self._performers
        try:
            while pending:
                action = pending.popleft()
                try:
                    perform[type(action)](action)
                except Exception:
                    log.failure("carrying out {action}", action=type(action).__name__)
        finally:
            self._running = False
        if self._sweep is None and self.router.queue and not self._stopped:
            self._sweep = self.clock.callLater(QUEUE_SWEEP, self._expire_queued)

    def _expire_queued(self) -> None:
        self._sweep = None
        self.run(self.router.expire_queued(_now(self.clock)))

    def stop(self) -> None:
        """No timer left behind once the service stops, also by the PBX link's loss that
        follows."""
        self._stopped = True
        if self._sweep is not None and self._sweep.active():
            self._sweep.cancel()
        self._sweep = None

    def _fan_out(self, action: Fanout) -> None:
        framed = action.framed
        for app in action.apps:
            handle = app.handle
            if not handle.closed:
                try:
                    handle.send_framed(framed, hold=True)
                except LinkLost:
                    pass  # it went away in the middle; its release is on its way

    def _to_app(self, action: ToApp) -> None:
        if not action.app.handle.closed:
            action.app.handle.send_pdu(action.pdu)

    def _relay(self, action: Relay) -> None:
        if not action.app.handle.closed:
            action.app.handle.send_framed(action.framed)

    def _to_pbx(self, action: ToPBX) -> None:
        if self.pbx is not None and not self.pbx.closed:
            self.pbx.send_pdu(action.pdu)

    def _notify_app(self, action: NotifyApp) -> None:
        if not action.app.handle.closed:
            # Under an id in flight on that association, so that the application's answer is
            # recognised and dropped instead of logged as one to an unknown request.
            told = action.app.handle.invoke_raw(action.pdu)
            told.addErrback(lambda _: None)

    def _set_status(self, action: SetStatus) -> None:
        for app in action.apps:
            if not app.handle.closed:
                app.handle.send_system_status(action.status)

    def _disconnect(self, action: Disconnect) -> None:
        log.warn("disconnecting application {id}: {why}", id=action.app.id, why=action.reason)
        action.app.handle.abort()

    def _ask_pbx(self, action: AskPBX) -> None:
        """Send a request to the PBX; whatever happens, the core hears how it ended once."""
        asked = _Asked(self, action.ticket)
        if self.pbx is None:
            asked.failed(LinkLost("no PBX link"))
            return
        try:
            self.pbx.request_raw(action.pdu, asked, action.timeout, action.ticket.peek)
        except Exception:
            log.failure("sending a request to the PBX")
            asked.failed(Unsendable("the request could not be sent"))

    def _ask_app(self, action: AskApp) -> None:
        ticket = action.ticket
        d = action.app.handle.invoke_raw(action.pdu, timeout=action.timeout)
        d.addCallbacks(
            lambda answer: self._app_answered(action, answer),
            lambda failure: self.run(self.router.app_failed(ticket, _reason(failure))),
        )

    def _app_answered(self, action: AskApp, answer: bytes) -> None:
        """The owner's answer, relayed to the PBX; with the journal on, a confirmed cDRReport is
        first marked so in the journal, so that the owner's confirmation outlives a restart of
        the multiplexer that comes before the PBX hears it."""
        ticket = action.ticket
        records: list[CallRecord] = []
        if self.journal is not None and ticket.ownership.service is CDR:
            try:
                confirms = ber.peek(answer).kind is ber.Kind.RETURN_RESULT
                records = records_from_report(action.pdu) if confirms else []
            except ValueError:  # DecodeError and NotACallRecord: the router names the cause
                records = []
        if not records or self.journal is None:
            self.run(self.router.app_answered(ticket, answer))
            return
        kept = self.journal.confirm(records)
        kept.addErrback(
            lambda failure: log.warn(
                "the owner's confirmation of a cDRReport is not journaled: {why}",
                why=failure.getErrorMessage(),
            )
        )
        kept.addCallback(lambda _: self.run(self.router.app_answered(ticket, answer)))


def parse_server_endpoint(
    reactor: Any,
    description: str,
    parse: Callable[[Any, str], IStreamServerEndpoint] = serverFromString,
) -> Any:
    """Parse a listening endpoint; for ``ssl:`` this loads and checks certificate and key."""
    try:
        return parse(reactor, description)
    except (SSL.Error, crypto.Error) as error:
        why = "the certificate or the private key is not valid PEM"
        details = "; ".join(str(part[-1]) for part in error.args[0] if part) if error.args else ""
        raise StartupError(f"cannot use {description!r}: {why} ({details})") from error
    except VerifyError as error:
        raise StartupError(
            f"cannot use {description!r}: the certificate does not match its private key"
        ) from error
    except OSError as error:
        raise StartupError(
            f"cannot use {description!r}: {error.strerror}: {error.filename}"
        ) from error
    except Exception as error:  # the endpoint parsers raise ValueError, KeyError, TypeError...
        raise StartupError(f"cannot use the endpoint {description!r}: {error}") from error


def with_backlog(description: str, backlog: int) -> str:
    """A ``tcp:`` or ``ssl:`` listener with ``backlog`` unless it names its own.

    Twisted's default of 50 overflows when a thousand applications reconnect at once: the
    kernel drops their SYNs and each waits a second before it tries again.
    """
    kind = description.split(":", 1)[0].strip().lower()
    if kind not in ("tcp", "ssl") or "backlog=" in description:
        return description
    return f"{description}:backlog={backlog}"


class MuxService(MultiService):
    """The whole multiplexer as one service: listeners, status page and PBX association."""

    def __init__(
        self,
        reactor: Any,
        config: MuxConfig,
        pbx_endpoint: Any = None,
        server_endpoint: Callable[[Any, str], IStreamServerEndpoint] = serverFromString,
        status_root: Callable[["Multiplexer"], Resource] = lambda mux: Resource(),
    ) -> None:
        """``status_root`` makes the root of the status port (``ecsta-mux`` composes the web
        console there); ``/metrics`` and ``/reload`` are added to it."""
        super().__init__()
        self.reactor = reactor
        self.config = config
        journal = None
        if config.journal.enabled:
            journal = Journal(reactor, config.journal, service_state_directory())
            journal.setServiceParent(self)
        self.mux = Multiplexer(reactor, config, journal)
        #: Every PDU of the PBX link is counted, then written to the capture file if one is set.
        self.pdus = PDUCounts()
        self.metrics = mux_registry(self.mux, self.pdus)
        passwords = Workers(reactor, config.login.hash_threads, "ecsta-mux-passwords")
        passwords.setServiceParent(self)
        mux = self.mux  # its users change on reload: read them at each check
        self.mux.check_password = lambda user, password: passwords.run(
            mux.users.verify, user, password
        )
        self._server_endpoint = server_endpoint
        self._ports: list[Any] = []
        self._listeners: list[tuple[str, Any, Any]] = []
        #: The TLS settings of each TLS listener, which a reload renews in place.
        self.certificates: dict[str, RenewableContext] = {}
        #: Set by ``makeService``: what SIGHUP and ``POST /reload`` run.
        self.reloader: Reloader[Any] | None = None
        self.status_root: Resource | None = None
        for description in config.listen.tcp:
            self._listeners.append(
                (description, self._parse(description), self.mux.app_factory(tls=False))
            )
        for description in config.listen.tls:
            endpoint = self._renewable(description)
            self._listeners.append((description, endpoint, self.mux.app_factory(tls=True)))
        if config.status.endpoint:
            root = self.status_root = status_root(self.mux)
            root.putChild(b"reload", ReloadResource(lambda: self.reloader))
            root.putChild(b"metrics", MetricsResource(self.metrics))
            site = GuardedSite(
                root,
                hosts=answered_hosts(config.status.endpoint, config.status.hosts or None),
                max_body=STATUS_MAX_BODY,
                reactor=reactor,
            )
            endpoint = self._renewable(config.status.endpoint)
            self._listeners.append((config.status.endpoint, endpoint, site))
        if pbx_endpoint is None:
            try:
                pbx_endpoint = client_endpoint(reactor, config.pbx.endpoint)
            except EndpointError as error:
                raise StartupError(f"pbx.endpoint: {error}") from None
        pbx_factory = self.mux.pbx_factory()
        pbx_factory.capture = self.pdus
        if config.pbx.capture:
            CaptureFile(self.pdus, config.pbx.capture).setServiceParent(self)
        self.pbx_service = pbx_client_service(
            reactor,
            pbx_endpoint,
            pbx_factory,
            initial_delay=config.pbx.reconnect_initial_delay,
            max_delay=config.pbx.reconnect_max_delay,
            health=self.mux.pbx_health,
        )
        self.pbx_service.setServiceParent(self)

    def _renewable(self, description: str) -> Any:
        """The endpoint, whose certificate a reload renews when it is ``ssl:``."""
        endpoint = self._parse(description)
        renewable = RenewableContext.wrap(endpoint)
        if renewable is not None:
            self.certificates[description] = renewable
        return endpoint

    def _parse(self, description: str) -> Any:
        try:
            certificate = listener_certificate(description, time.time())
        except CertificateError as error:
            raise StartupError(str(error)) from None
        if certificate is not None:
            self.mux.certificates.append(certificate)
        backlog = self.config.listen.backlog
        return parse_server_endpoint(
            self.reactor,
            description,
            lambda reactor, text: self._server_endpoint(reactor, with_backlog(text, backlog)),
        )

    def _admit_from(self, description: str, factory: Factory) -> Factory:
        """The listener's factory behind its allow-list, if it has one."""
        allowed = self.config.listen.allow.get(description)
        if allowed is None:
            return factory

        def refused(host: str) -> None:
            self.mux.connections["refused_not_allowed"] += 1
            self.mux.warnings.warn(
                "not allowed",
                "refusing a connection from {host} to {listener}: not in listen.allow",
                host=host,
                listener=description,
            )

        return AllowedNetworks(factory, networks(allowed), refused)

    def _warn_if_open(self) -> None:
        """Say so when applications beyond loopback may associate without a login."""
        if self.config.listen.require_login:
            return
        for description in self.config.listen.tcp:
            allowed = self.config.listen.allow.get(description)
            if is_loopback(description) or (allowed and only_loopback(networks(allowed))):
                continue
            log.warn(
                "{listener} accepts applications from {who} without a login: set "
                "listen.require_login, or listen.allow to the applications' networks",
                listener=description,
                who="any address" if allowed is None else ", ".join(allowed),
            )

    def privilegedStartService(self) -> None:
        self._warn_if_open()
        try:
            for description, endpoint, factory in self._listeners:
                factory = self._admit_from(description, factory)
                self._ports.append(listen_now(endpoint, factory, description))
                log.info("listening on {endpoint}", endpoint=description)
        except StartupError:
            for port in self._ports:
                port.stopListening()
            self._ports.clear()
            raise
        super().privilegedStartService()

    def stopService(self) -> Deferred[None]:
        stopped: list[Deferred[Any]] = [
            defer.maybeDeferred(port.stopListening) for port in self._ports
        ]
        self._ports.clear()
        for app in list(self.mux.router.apps.values()):
            app.handle.abort()
        self.mux.stop()
        stopped.append(defer.maybeDeferred(super().stopService))
        return defer.gatherResults(stopped).addCallback(lambda _: None)
