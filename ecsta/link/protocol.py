"""One CSTA association over TCP: framing, ACSE, ROSE correlation, keep-alive, bounded output.

The same protocol serves both ends. :class:`CSTAClientProtocol` is what the driver and the
multiplexer use towards a PBX; :class:`CSTAServerProtocol` is what the simulator and the
multiplexer present to applications, and behaves as a Panasonic PBX does (PROTOCOL.md sections
2 and 5): the exact AARE, then a systemStatus invoke with invokeId 1, then periodic ones.

Requests can be made typed (:meth:`CSTAProtocol.invoke`: plain values in and out) or raw
(:meth:`CSTAProtocol.invoke_raw`: an encoded invoke in, the encoded answer out, the invoke id
spliced; :meth:`CSTAProtocol.request_raw`, the same with a waiter instead of a Deferred, is
how the multiplexer forwards without decoding).
"""

from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar

from OpenSSL import SSL
from twisted.internet import defer
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.internet.protocol import Protocol, connectionDone
from twisted.logger import Logger
from twisted.python.failure import Failure

from ecsta.link.capture import PDURecorder
from ecsta.link.correlation import Outstanding, Waiter
from ecsta.link.errors import (
    AssociationRejected,
    InvokeRejected,
    LinkLost,
    OperationFailed,
    Unsendable,
    refusal,
    tls_failure,
)
from ecsta.link.seen import Seen
from ecsta.link.throttle import Throttle, pdu_hex
from ecsta.link.writethrough import Pushes, WriteThrough
from ecsta.wire import apdu, ber
from ecsta.wire.errors import DecodeError
from ecsta.wire.framing import HEADER_SIZE, FrameDecoder, FramingError, frame
from ecsta.wire.opcodes import Opcode
from ecsta.wire.operations import lookup
from ecsta.wire.responders import Responders

SYSTEM_STATUS = Opcode.systemStatus
#: A bound operation handler: ``(protocol, argument) -> result``.
Responder = Callable[[Any, Any], Any]
ABORT = bytes.fromhex("6403800100")
RELEASE_RESPONSE = bytes.fromhex("6303800100")
BADLY_STRUCTURED = ("general", "badlyStructuredPDU")
UNRECOGNISED_OPERATION = ("invoke", "unrecognizedOperation")
UNANSWERABLE_ID = ("general", "mistypedPDU")

#: The longest a Panasonic PBX stays silent between two keep-alives: production clients give a
#: link up after five minutes without one (PROTOCOL.md section 5).
LONGEST_KEEPALIVE_PERIOD = 300.0
#: Seconds between the keep-alives a PBX stand-in sends. A Panasonic PBX keeps more than 60 s
#: between them: a production client starts CDR only once more than 60 s pass between two.
KEEPALIVE_INTERVAL = 90.0
#: Unanswered keep-alives in a row that end an association; never one, since a production
#: client never answers the first.
KEEPALIVE_MISSES = 2
#: Seconds without a keep-alive after which a client drops the association: the longest
#: period a PBX may keep, and half a minute for a keep-alive held up on a busy link.
WATCHDOG = LONGEST_KEEPALIVE_PERIOD + 30.0


def _cancel(call: IDelayedCall | None) -> None:
    """Cancel a timer that may be unset, already run or already cancelled."""
    if call is not None and call.active():
        call.cancel()


class _Raw:
    """A Deferred waiting for the encoded answer to a raw request."""

    __slots__ = ("deferred",)

    def __init__(self) -> None:
        self.deferred: Deferred[bytes] = Deferred()

    def answered(self, pdu: bytes, peek: ber.Peek) -> None:
        self.deferred.callback(pdu)

    def failed(self, reason: BaseException) -> None:
        self.deferred.errback(reason)


class _Typed(_Raw):
    """A Deferred waiting for the result value of a typed request: a returnError or a reject
    fails it."""

    __slots__ = ()

    def answered(self, pdu: bytes, peek: ber.Peek) -> None:
        try:
            answer = apdu.decode(pdu)
        except DecodeError as error:
            self.deferred.errback(error)
            return
        if isinstance(answer, apdu.ReturnResult):
            self.deferred.callback(answer.result)
        elif isinstance(answer, apdu.ReturnError):
            self.deferred.errback(OperationFailed(answer.error, answer.errcode))
        else:
            self.deferred.errback(InvokeRejected(getattr(answer, "problem", None)))


def _no_delay(transport: Any) -> None:
    """Send small PDUs at once (TLS included): with Nagle's algorithm against the peer's
    delayed ACK, a request behind an event waits up to 40 ms."""
    for _ in range(3):  # TLS wraps the TCP transport
        set_no_delay = getattr(transport, "setTcpNoDelay", None)
        if set_no_delay is not None:
            try:
                set_no_delay(True)
            except OSError:
                pass
            return
        transport = getattr(transport, "transport", None)


class CSTAProtocol(Protocol):
    """What both ends of an association share.

    ``max_pdu`` bounds what a peer can make us buffer; ``max_backlog`` bounds what we queue for
    a peer that does not read (past it the peer is disconnected, so one slow application never
    grows our memory); ``request_timeout`` is the default wait for an answer.
    """

    log: ClassVar[Logger] = Logger()
    #: Whether each PDU goes to the socket as it is sent rather than when the reactor next
    #: turns (plain TCP only; see :mod:`ecsta.link.writethrough`).
    write_through: ClassVar[bool] = False
    #: The operations this end answers: a subclass makes its own table and binds each handler,
    #: ``(self, argument) -> result``, with ``@responders(Opcode...)``. The rest are rejected.
    responders: ClassVar[Responders[Responder]] = Responders()

    def __init__(
        self,
        clock: IReactorTime,
        *,
        max_pdu: int = 0xFFFF,
        max_backlog: int | None = 1 << 20,
        request_timeout: float = 30.0,
    ) -> None:
        self.clock = clock
        self.request_timeout = request_timeout
        self.max_backlog = max_backlog
        self.associated = False
        self.closed = False
        self.peer = ""
        self._frames = FrameDecoder(max_pdu)
        self._outstanding = Outstanding(clock)
        self._paused = False
        self._backlog: deque[bytes] = deque()
        self._backlog_bytes = 0
        #: Set once :meth:`abort` drops the connection, which ends when the reactor next turns.
        self._aborted = False
        self.counters: dict[str, int] = {"pdus_in": 0, "pdus_out": 0, "rejects_sent": 0}
        self.capture: PDURecorder | None = None
        self._writer: WriteThrough | None = None
        #: The reads whose ends send what a link written through holds, when its owner shares
        #: them among its links (:mod:`ecsta.link.writethrough`); set before the connection.
        self.pushes: Pushes | None = None
        #: PDUs found well-formed before, but for their invokeId, when the link remembers them:
        #: a repeat is read no further than its invokeId.
        self.known: Seen | None = None
        #: Warnings the peer can provoke, at most a few of each kind a minute.
        self.warnings = Throttle(self.log, clock)

    # -- transport ------------------------------------------------------------------------------

    def connectionMade(self) -> None:
        peer = self.transport.getPeer()  # type: ignore[union-attr]
        self.peer = f"{getattr(peer, 'host', peer)}:{getattr(peer, 'port', '')}"
        _no_delay(self.transport)
        if self.write_through:
            self._writer = WriteThrough(self.transport, self.pushes)
        self.warnings.label = self.peer
        self.transport.registerProducer(self, True)  # type: ignore[union-attr]

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.closed = True
        self.associated = False
        if self._writer is not None:
            self._writer.close()
        self._drop_backlog()
        self._outstanding.lose(LinkLost(f"association with {self.peer} closed"))
        self.warnings.flush()

    def pauseProducing(self) -> None:
        self._paused = True

    def resumeProducing(self) -> None:
        self._paused = False
        while self._backlog and not self._paused and not self.closed:
            data = self._backlog.popleft()
            self._backlog_bytes -= len(data)
            self.transport.write(data)  # type: ignore[union-attr]

    def stopProducing(self) -> None:
        self._drop_backlog()

    def _drop_backlog(self) -> None:
        self._backlog.clear()
        self._backlog_bytes = 0

    @property
    def backlog(self) -> int:
        """Bytes queued because the peer is not reading."""
        return self._backlog_bytes

    def send_pdu(self, pdu: bytes) -> None:
        """Write one PDU, or queue it while the peer's socket is full.

        Raises :class:`LinkLost` when the association is gone, so that a sender learns at once.
        """
        self.send_framed(frame(pdu))

    def send_framed(self, data: bytes, peek: ber.Peek | None = None, hold: bool = False) -> None:
        """Write bytes that are already framed: a fan-out frames one event once for everyone.

        ``peek`` is what the sender knows of the PDU's kind and operation, handed to the
        recorder so that it need not read the PDU again. ``hold``: the PDU may wait for the
        end of the read being handled (an event fanned out) rather than go at once.
        """
        if self.closed or self.transport is None:
            raise LinkLost(f"association with {self.peer or 'peer'} is closed")
        self.counters["pdus_out"] += 1
        if self.capture is not None:
            self.capture.record(True, data[HEADER_SIZE:], peek)
        if not self._paused and not self._backlog:
            if self._writer is None:
                self.transport.write(data)  # the reactor writes it when it next turns
            else:
                self._writer.write(data, hold)
            return
        if self._aborted:
            # Until the connection ends, when the reactor next turns, what is written to it
            # is dropped with it, as what was queued before: the peer is dropped once.
            return
        self._backlog.append(data)
        self._backlog_bytes += len(data)
        if self.max_backlog is not None and self._backlog_bytes > self.max_backlog:
            self.warnings.warn(
                "backlog",
                "{peer} is not reading: {queued} bytes queued, disconnecting",
                peer=self.peer,
                queued=self._backlog_bytes,
            )
            self.backlogExceeded()

    def backlogExceeded(self) -> None:
        """The peer stopped reading; by default the connection is dropped at once."""
        self.abort()

    def abort(self) -> None:
        """Drop the connection without waiting for queued output."""
        self._drop_backlog()
        if self.transport is not None and not self.closed:
            # What is written until the connection ends is dropped (:meth:`send_framed`), as
            # what a writer holds: an aborted peer is sent nothing more, whoever aborted it.
            self._aborted = self._paused = True
            if self._writer is not None:
                self._writer.close()
            self.transport.abortConnection()  # type: ignore[attr-defined]

    def dataReceived(self, data: bytes) -> None:
        if self.pushes is None:
            self._read(data)
        else:
            self.pushes.read(self._read, data)

    def malformedReceived(self, error: DecodeError) -> None:
        """Hook: the peer sent bytes that are not a well-formed PDU (framing, BER, or an invoke
        whose operation or argument does not decode); the link answers it as documented."""

    def _read(self, data: bytes) -> None:
        """Handle the PDUs ``data`` completes in order while the link lasts, up to garbage
        framing; nothing a peer sends may raise out of ``dataReceived``."""
        garbage: FramingError | None = None
        try:
            pdus = self._frames.feed(data)
        except FramingError as error:
            pdus, garbage = error.pdus, error
        counters = self.counters
        for pdu in pdus:
            if self.closed:
                break
            counters["pdus_in"] += 1
            try:
                self.pduReceived(pdu)
            except Exception:
                self.log.failure(
                    "{peer}: error handling PDU {pdu}", peer=self.peer, pdu=pdu_hex(pdu)
                )
        if garbage is not None:
            self.malformedReceived(garbage)
            self.warnings.warn(
                "framing",
                "{peer}: garbage framing ({error}), aborting",
                peer=self.peer,
                error=garbage,
            )
            self._send_abort_and_close()

    def _send_abort_and_close(self) -> None:
        if self.transport is None or self.closed:
            return
        try:
            self.send_pdu(ABORT)
        except LinkLost:
            return
        self.transport.loseConnection()

    # -- incoming PDUs --------------------------------------------------------------------------

    def pduReceived(self, pdu: bytes) -> None:
        """Check and peek at one PDU, the only look the link takes: the peek goes with the PDU
        to the recorder and to whatever handles it. A repeat of a PDU the link remembers is
        read no further than its invokeId."""
        known = self.known
        peek = None if known is None else known.peek(pdu)
        try:
            if peek is None:
                peek = self._checked(pdu)
        except DecodeError as error:
            if self.capture is not None:
                self.capture.record(False, pdu, None)
            self.malformedReceived(error)
            self.warnings.warn(
                "malformed",
                "{peer}: malformed PDU {pdu}: {error}",
                peer=self.peer,
                pdu=pdu_hex(pdu),
                error=error,
            )
            if self.associated:
                self.send_reject(None, BADLY_STRUCTURED)
            else:
                self._send_abort_and_close()
            return
        if self.capture is not None:
            self.capture.record(False, pdu, peek)
        kind = peek.kind
        if kind in ber.ROSE_KINDS:
            if not self.associated:
                self.warnings.warn(
                    "early", "{peer}: ROSE PDU before association, aborting", peer=self.peer
                )
                self._send_abort_and_close()
            elif kind is not ber.Kind.INVOKE:
                self._answerReceived(pdu, peek)
            elif peek.opcode == SYSTEM_STATUS:
                self.systemStatusReceived(pdu, peek)
            else:
                self.invokeReceived(pdu, peek)
        elif kind is ber.Kind.ABRT:
            self.log.info("{peer} aborted the association", peer=self.peer)
            self.transport.loseConnection()  # type: ignore[union-attr]
        elif kind is ber.Kind.RLRQ:
            self.send_pdu(RELEASE_RESPONSE)
            self.transport.loseConnection()  # type: ignore[union-attr]
        else:  # AARQ, AARE, RLRE
            self.acsePDUReceived(pdu, peek)

    def _checked(self, pdu: bytes) -> ber.Peek:
        """The peek at ``pdu``, not a repeat, once it is found well-formed; DecodeError
        otherwise, worded by the full check."""
        try:
            peek = ber.peek(pdu)
        except DecodeError:
            ber.validate(pdu)
            raise
        known = self.known
        if known is None or not known.has(pdu, peek):
            ber.validate(pdu)
            self.wellFormed(pdu, peek)
        return peek

    def wellFormed(self, pdu: bytes, peek: ber.Peek) -> None:
        """Hook: ``pdu`` was found well-formed; it is remembered in :attr:`known`, if the link
        keeps one (a multiplexer remembers applications' invokes once it has checked more)."""
        if self.known is not None:
            self.known.remember(pdu, peek)

    def acsePDUReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        """An ACSE PDU this flavour does not expect: end the association."""
        self.warnings.warn(
            "acse", "{peer}: unexpected {kind}, aborting", peer=self.peer, kind=peek.kind.name
        )
        self._send_abort_and_close()

    def _answerReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        invoke_id = peek.invoke_id
        waiter = None if invoke_id is None else self._outstanding.pop(invoke_id)
        if waiter is None:
            self.warnings.warn(
                "unexpected answer",
                "{peer}: answer to invoke {id} that is not in flight (late or never sent), dropped",
                peer=self.peer,
                id=invoke_id,
            )
            return
        waiter.answered(pdu, peek)

    def systemStatusReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        """The peer's keep-alive: answered, as both Panasonic ends expect."""
        if peek.invoke_id is None:
            # A result needs the id of what it answers; a NULL one can only be rejected.
            self.malformedReceived(DecodeError("systemStatus with a NULL invokeId", 0))
            self.send_reject(None, UNANSWERABLE_ID)
            return
        self.send_pdu(
            apdu.encode(apdu.ReturnResult(peek.invoke_id, SYSTEM_STATUS, ("noData", None)))
        )

    def invokeReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        """An invoke from the peer: decoded and handed to :meth:`operationReceived`."""
        try:
            invoke = apdu.decode(pdu)
        except DecodeError as error:
            self.malformedReceived(error)
            self.send_reject(peek.invoke_id, getattr(error, "reject", None) or BADLY_STRUCTURED)
            return
        assert isinstance(invoke, apdu.Invoke)
        answered = lookup(invoke.opcode).answered
        d = defer.maybeDeferred(self.operationReceived, invoke)
        if answered:
            d.addCallbacks(
                lambda result: self.send_pdu(
                    apdu.encode(apdu.ReturnResult(invoke.invoke_id, invoke.opcode, result))
                ),
                lambda failure: self._answerFailure(invoke, failure),
            )
            d.addErrback(lambda f: f.trap(LinkLost))
        else:
            d.addErrback(
                lambda f: self.log.failure(
                    "{peer}: handling {op}", f, peer=self.peer, op=invoke.opcode
                )
            )

    def _answerFailure(self, invoke: apdu.Invoke, failure: Failure) -> None:
        error = failure.value
        if isinstance(error, OperationFailed) and isinstance(error.error, tuple):
            self.send_pdu(apdu.return_error(invoke.invoke_id, *error.error))
        elif isinstance(error, InvokeRejected):
            self.send_reject(invoke.invoke_id, error.problem)
        else:
            self.log.failure(
                "{peer}: operation {op} failed", failure, peer=self.peer, op=invoke.opcode
            )
            self.send_pdu(apdu.return_error(invoke.invoke_id, "unspecified", None))

    def operationReceived(self, invoke: apdu.Invoke) -> Any:
        """The result value of the bound responder (or a Deferred of it); a responder refuses
        by raising OperationFailed, and an operation nobody answers is rejected."""
        responder = self.responders.get(invoke.opcode)
        if responder is None:
            raise InvokeRejected(UNRECOGNISED_OPERATION)
        return responder(self, invoke.argument)

    def send_reject(self, invoke_id: int | None, problem: tuple[str, str]) -> None:
        self.counters["rejects_sent"] += 1
        self.send_pdu(apdu.reject(invoke_id, problem))

    # -- outgoing requests ----------------------------------------------------------------------

    def invoke(
        self, operation: int | str, argument: Any, timeout: float | None = None
    ) -> Deferred[Any]:
        """Send an operation and wait for its result value.

        Fails with OperationFailed (returnError), InvokeRejected, RequestTimeout or LinkLost.
        Operations that are not answered (event reports) fire with None once sent.
        """
        op = lookup(operation)
        if self.closed or not self.associated:
            return defer.fail(LinkLost(f"association with {self.peer or 'peer'} is not up"))
        invoke_id = self._outstanding.allocate()
        pdu = apdu.encode(apdu.Invoke(invoke_id, op.code, argument))
        if not op.answered:
            self.send_pdu(pdu)
            return defer.succeed(None)
        waiter = _Typed()
        self._outstanding.add(
            invoke_id, self.request_timeout if timeout is None else timeout, waiter
        )
        self.send_pdu(pdu)
        return waiter.deferred

    def invoke_raw(self, pdu: bytes, timeout: float | None = None) -> Deferred[bytes]:
        """Send an encoded invoke under a fresh invoke id; fires with the encoded answer.

        The answer may be a returnResult, returnError or reject; it carries our id.
        """
        waiter = _Raw()
        self.request_raw(pdu, waiter, timeout)
        return waiter.deferred

    def request_raw(
        self,
        pdu: bytes,
        waiter: Waiter,
        timeout: float | None = None,
        peek: ber.Peek | None = None,
    ) -> None:
        """:meth:`invoke_raw` for a sender that forwards thousands of requests a second:
        ``waiter`` hears the answer, with the link's peek at it, or why there is none (also
        when the link is down or the invoke cannot be framed; a failure to write it is raised
        to the caller, as by :meth:`send_framed`); ``peek``, the sender's own look at ``pdu``,
        spares reading it again."""
        if self.closed or not self.associated:
            waiter.failed(LinkLost(f"association with {self.peer or 'peer'} is not up"))
            return
        invoke_id = self._outstanding.allocate()
        try:
            framed = ber.framed_with_invoke_id(pdu, invoke_id, peek)
        except (ValueError, DecodeError) as error:
            # Never registered: a request that cannot go out must not hold an id, or a slot
            # of whoever counts what is in flight, while nothing will ever answer it.
            waiter.failed(Unsendable(f"cannot send this invoke: {error}"))
            return
        self._outstanding.add(
            invoke_id, self.request_timeout if timeout is None else timeout, waiter
        )
        try:
            self.send_framed(framed, peek)
        except BaseException:
            self._outstanding.pop(invoke_id)
            raise

    def notify_raw(self, pdu: bytes) -> None:
        """Send an encoded invoke that expects no answer (an event report), with a fresh id."""
        self.send_pdu(ber.with_invoke_id(pdu, self._outstanding.allocate()))

    @property
    def in_flight(self) -> int:
        return len(self._outstanding)


class CSTAClientProtocol(CSTAProtocol):
    """The application end: sends the AARQ, then waits for the PBX's first systemStatus.

    ``ready`` fires with the protocol once the association is usable: existing Panasonic
    applications wait for the first systemStatus invoke before sending anything, so we do too,
    but only for ``ready_wait`` seconds in case a peer never sends one. The keep-alive watchdog
    drops an association on which the peer has sent no keep-alive for ``watchdog`` seconds, so
    that a dead PBX link is noticed and re-established; by default it waits longer than the
    longest period a Panasonic PBX may keep between keep-alives.
    """

    def __init__(
        self,
        clock: IReactorTime,
        *,
        user: str | None = None,
        password: str | None = None,
        association_timeout: float = 10.0,
        ready_wait: float = 3.0,
        watchdog: float | None = WATCHDOG,
        **kwargs: Any,
    ) -> None:
        super().__init__(clock, **kwargs)
        self.user = user
        self.password = password
        self.association_timeout = association_timeout
        self.ready_wait = ready_wait
        self.watchdog = watchdog
        self.ready: Deferred[CSTAClientProtocol] = Deferred()
        self.last_status: str | None = None
        self._timer: IDelayedCall | None = None
        self._watchdog_call: IDelayedCall | None = None

    def connectionMade(self) -> None:
        super().connectionMade()
        self.send_pdu(apdu.aarq(self.user, self.password))
        self._timer = self.clock.callLater(self.association_timeout, self._associationTimedOut)

    def _associationTimedOut(self) -> None:
        self._timer = None
        self._fail_ready(AssociationRejected(None, "no AARE within the association timeout"))
        self.abort()

    def _fail_ready(self, reason: BaseException) -> None:
        if not self.ready.called:
            self.ready.errback(reason)

    def _become_ready(self) -> None:
        _cancel(self._timer)
        self._timer = None
        if not self.ready.called:
            self.ready.callback(self)

    def acsePDUReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        if peek.kind is not ber.Kind.AARE or self.associated:
            super().acsePDUReceived(pdu, peek)
            return
        try:
            aare = apdu.decode(pdu)
        except DecodeError as error:
            self._fail_ready(AssociationRejected(None, f"undecodable AARE: {error}"))
            self._send_abort_and_close()
            return
        assert isinstance(aare, apdu.AARE)
        if aare.result != 0:
            self._fail_ready(refusal(aare.result, aare.diagnostic))
            self.transport.loseConnection()  # type: ignore[union-attr]
            return
        self.associated = True
        _cancel(self._timer)
        self._timer = self.clock.callLater(self.ready_wait, self._become_ready)
        self._kick_watchdog()

    def systemStatusReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        super().systemStatusReceived(pdu, peek)
        self._kick_watchdog()
        try:
            invoke = apdu.decode(pdu)
        except DecodeError:
            invoke = None
        status = getattr(invoke, "argument", None)
        if isinstance(status, dict):
            self.last_status = status.get("systemStatus")
            self.systemStatusChanged(status)
        self._become_ready()

    def systemStatusChanged(self, argument: dict[str, Any]) -> None:
        """Hook: the PBX reported its status (keep-alive included)."""

    def _kick_watchdog(self) -> None:
        if self.watchdog is None:
            return
        if self._watchdog_call is not None and self._watchdog_call.active():
            self._watchdog_call.reset(self.watchdog)
        else:
            self._watchdog_call = self.clock.callLater(self.watchdog, self._watchdogExpired)

    def _watchdogExpired(self) -> None:
        self.log.warn(
            "{peer}: no keep-alive for {s} s, dropping the association",
            peer=self.peer,
            s=self.watchdog,
        )
        self.abort()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        _cancel(self._timer)
        _cancel(self._watchdog_call)
        if isinstance(reason.value, SSL.Error):
            self._fail_ready(LinkLost(tls_failure(reason.value, _verify_reason(self.transport))))
        self._fail_ready(LinkLost(f"connection to {self.peer} lost before it was ready"))
        super().connectionLost(reason)


def _verify_reason(transport: Any) -> str | None:
    """Why OpenSSL did not trust the peer's certificate (``self-signed certificate``...).

    pyOpenSSL has no public call for the verification result, so OpenSSL's own is read
    through its bindings; None when that is not possible.
    """
    try:
        connection = transport.getHandle()
        code = SSL._lib.SSL_get_verify_result(connection._ssl)
        if not code:
            return None
        text = SSL._lib.X509_verify_cert_error_string(code)
        return str(SSL._ffi.string(text).decode("ascii", "replace"))
    except Exception:
        return None


class CSTAServerProtocol(CSTAProtocol):
    """The PBX end: answers the AARQ and keeps the association alive as a Panasonic PBX does.

    The first keep-alive has invokeId 1 and goes out right after the AARE; later ones take the
    next ids. ``keepalive_misses`` unanswered keep-alives in a row end the association (one is
    never enough: a production client never answers the first).
    """

    def __init__(
        self,
        clock: IReactorTime,
        *,
        keepalive_interval: float | None = KEEPALIVE_INTERVAL,
        keepalive_misses: int = KEEPALIVE_MISSES,
        association_timeout: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(clock, **kwargs)
        self.keepalive_interval = keepalive_interval
        self.keepalive_misses = keepalive_misses
        self.association_timeout = association_timeout
        self.user: str | None = None
        self.system_status = "normal"
        self._unanswered = 0
        self._keepalive_call: IDelayedCall | None = None
        self._timer: IDelayedCall | None = None

    def connectionMade(self) -> None:
        super().connectionMade()
        self._timer = self.clock.callLater(self.association_timeout, self._associationTimedOut)

    def _associationTimedOut(self) -> None:
        self._timer = None
        self.log.info("{peer}: no AARQ in time, closing", peer=self.peer)
        self.abort()

    def acsePDUReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        if peek.kind is not ber.Kind.AARQ or self.associated:
            super().acsePDUReceived(pdu, peek)
            return
        _cancel(self._timer)
        self._timer = None
        try:
            aarq = apdu.decode(pdu)
        except DecodeError as error:
            self.log.warn("{peer}: undecodable AARQ: {error}", peer=self.peer, error=error)
            self.send_pdu(apdu.aare_rejected(1, 1))
            self.transport.loseConnection()  # type: ignore[union-attr]
            return
        assert isinstance(aarq, apdu.AARQ)
        d: Deferred[bytes | None] = defer.maybeDeferred(self.authorize, aarq)  # type: ignore[call-overload]
        d.addCallback(self._answerAARQ, aarq)
        d.addErrback(lambda f: self.log.failure("{peer}: authorizing", f, peer=self.peer))

    def authorize(self, aarq: apdu.AARQ) -> "bytes | Deferred[bytes | None] | None":
        """Return None to accept, or the AARE rejection to send (or a Deferred of either)."""
        return None

    def _answerAARQ(self, rejection: bytes | None, aarq: apdu.AARQ) -> None:
        if self.closed:
            return
        if rejection is not None:
            self.send_pdu(rejection)
            self.transport.loseConnection()  # type: ignore[union-attr]
            return
        self.user = aarq.user
        self.associated = True
        self.send_pdu(apdu.ACCEPTED_AARE)
        self._send_keepalive()
        self.associationEstablished()

    def associationEstablished(self) -> None:
        """Hook: the peer is associated and has had its first keep-alive."""

    def send_system_status(self, status: str) -> None:
        """Tell the peer the switch's status now (e.g. 'messageLost' while a PBX link is down)."""
        self.system_status = status
        if self.associated and not self.closed:
            self._send_keepalive(reschedule=False)

    def _send_keepalive(self, reschedule: bool = True) -> None:
        if self.closed:
            return
        if self._unanswered >= self.keepalive_misses:
            self.log.warn(
                "{peer}: {n} keep-alives unanswered, closing", peer=self.peer, n=self._unanswered
            )
            self.abort()
            return
        d = self.invoke(
            "systemStatus", {"systemStatus": self.system_status}, timeout=self.keepalive_interval
        )
        self._unanswered += 1
        d.addCallbacks(self._keepaliveAnswered, lambda f: None)
        if reschedule and self.keepalive_interval is not None:
            self._keepalive_call = self.clock.callLater(
                self.keepalive_interval, self._send_keepalive
            )

    def _keepaliveAnswered(self, result: Any) -> None:
        self._unanswered = 0

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        _cancel(self._timer)
        _cancel(self._keepalive_call)
        super().connectionLost(reason)
