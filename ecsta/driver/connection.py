"""The driver's Twisted side: the PBX (or mux) link, and the effects of the line lifecycle.

What happens to lines is decided by the sans-IO core :class:`~ecsta.driver.bringup.BringUp`
(bring-up, monitors, licences, retries, snapshots, close) and
:class:`~ecsta.driver.calls.CallEngine` (what the PBX reports), with each line's state in
:mod:`ecsta.driver.lifecycle`'s one table. :class:`Driver` feeds them what the link says and
performs what the core asks for:

- each CSTA request goes over the link through a semaphore, so that loading a thousand lines
  never floods the PBX with more than ``max_in_flight`` requests at once; the applications'
  requests that wait there are bounded (:data:`WAITING_PER_PLACE`), one more is refused at once;
- the licence pool's files are locked, read and written in the reactor's thread pool, never
  on the reactor thread, one change at a time in the order asked for;
- device and names lists are put together from their segments and waited for with a timer;
- the core's procedures that run alongside one another are Deferreds, and the reactor is
  handed back between batches of lines;
- the periodic jobs run on the reactor's clock: every ``snapshot_interval`` seconds (0: never)
  each line's calls are checked against a snapshot, every ``monitor_retry_interval`` seconds
  (0: never) refused MonitorStarts, an unread device list and missing licences are tried
  again.

After each (re)association, and whenever a mux in front says its PBX is back
(``systemStatus normal``), the core brings the lines up; on link loss, or while the peer
reports another systemStatus, every line goes out of service at once. :attr:`Driver.problems`
names what an operator must look at. The :class:`~ecsta.driver.operations.Plan` of every API
request runs here too.
"""

import gc
import itertools
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, ClassVar, TypeVar, cast

from twisted.application.service import Service
from twisted.internet import defer, task
from twisted.internet.defer import Deferred, DeferredLock, DeferredSemaphore
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from twisted.python.failure import Failure

from ecsta.daemon.site import REFUSAL_WARNING_PERIOD
from ecsta.driver import bringup, messages
from ecsta.driver.admin import Administration
from ecsta.driver.bringup import BringUp, Effect, Procedure
from ecsta.driver.calls import CallEngine
from ecsta.driver.devicelist import DeviceListAssembly, ListedDevice, linked_reply
from ecsta.driver.diagnostics import TrafficLog
from ecsta.driver.failures import CSTAOperationError, PBXBusy, describe_failure
from ecsta.driver.filework import thread_runner
from ecsta.driver.journaling import CdrJournaling
from ecsta.driver.licence import LicenceError
from ecsta.driver.lines import Line, Lines
from ecsta.driver.linestore import StoredLine, keeping
from ecsta.driver.messages import Message
from ecsta.driver.operations import Plan
from ecsta.driver.settings import DriverSettings
from ecsta.link.errors import LinkError, LinkLost
from ecsta.link.protocol import CSTAClientProtocol, Responder
from ecsta.link.service import LinkHealth
from ecsta.wire import apdu, ber
from ecsta.wire.errors import DecodeError
from ecsta.wire.framing import HEADER_SIZE
from ecsta.wire.opcodes import Opcode
from ecsta.wire.responders import Responders

ESCAPE = Opcode.escape

T = TypeVar("T")

#: Applications' requests that may wait for a place in flight, per place. With a PBX that
#: answers nothing, the last of them is sent only after four request timeouts (a request has
#: no timeout while it waits): an application is better told at once that the PBX cannot keep
#: up than left waiting longer, and what waits stays bounded however many HTTP connections
#: are open. The driver's own requests (bringing a thousand lines up) are bounded by the lines.
WAITING_PER_PLACE = 4


class DriverProtocol(CSTAClientProtocol):
    """A client association whose event reports and device-list replies go to the driver."""

    def __init__(self, clock: IReactorTime, *, driver: "Driver", **kwargs: Any) -> None:
        super().__init__(clock, **kwargs)
        self.driver = driver

    def send_framed(self, data: bytes, peek: ber.Peek | None = None, hold: bool = False) -> None:
        self.driver.traffic.sent(data[HEADER_SIZE:], self.peer)
        super().send_framed(data, peek, hold)

    def pduReceived(self, pdu: bytes) -> None:
        self.driver.traffic.received(pdu, self.peer)
        super().pduReceived(pdu)

    def invokeReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        if peek.opcode == Opcode.cDRReport and self.driver.journaling is not None:
            self.driver.journaling.report(self, pdu, peek)
            return
        if peek.opcode == ESCAPE:
            # Device-list segments: Panasonic clients leave these unanswered (PROTOCOL.md 5).
            try:
                invoke = apdu.decode(pdu)
            except DecodeError as error:
                self.log.warn(
                    "{peer}: undecodable escape invoke, its entries are left out: {error}",
                    peer=self.peer,
                    error=error,
                )
                # Its cross reference still tells which list it belongs to and whether that
                # list is complete: nobody waits for a list the PBX has finished.
                route = ber.linked_reply_route(pdu)
                if route is not None:
                    cross_ref, last = route
                    self.driver.segment_received({"crossRefID": cross_ref, "lastSegment": last})
                return
            assert isinstance(invoke, apdu.Invoke)
            self.driver.escape_received(invoke.argument)
            return
        super().invokeReceived(pdu, peek)

    responders: ClassVar[Responders[Responder]] = Responders()

    @responders(Opcode.cSTAEventReport)
    def _event_report(self, argument: dict[str, Any]) -> None:
        self.driver.event_report(argument)

    @responders(Opcode.swFunctionDevicesChanged)
    def _devices_changed(self, argument: dict[str, Any]) -> Any:
        self.driver.devices_changed()
        return ("noData", None)

    @responders(Opcode.dataCollected)
    def _data_collected(self, argument: dict[str, Any]) -> Any:
        self.driver.publish(self.driver.engine.digits_collected(argument))
        return ("noData", None)

    def systemStatusChanged(self, argument: dict[str, Any]) -> None:
        status = argument.get("systemStatus")
        if isinstance(status, str):
            self.driver.status_changed(self, status)

    def connectionLost(self, reason: Any = None) -> None:
        super().connectionLost(reason)
        self.driver.link_lost(self)


class Driver(Service):
    """The running driver of one instance: its PBX link, lines and calls.

    With ``auto_load`` and no lines (none configured or stored), the driver loads the PBX's
    stations itself as soon as the PBX is usable, as the original does, so that a fresh start
    shows the PBX's lines, however late the PBX comes. The drivers of several instances behind
    one API share ``call_ids`` and ``requests``, so that call ids and the request numbers of
    LINE_REPLY never repeat across them.
    """

    log = Logger()

    def __init__(
        self,
        clock: IReactorTime,
        lines: Lines | None = None,
        *,
        auto_load: bool = True,
        read_names: bool = True,
        snapshot_interval: float = 60.0,
        monitor_retry_interval: float = 30.0,
        max_in_flight: int = 32,
        is_internal: Callable[[str], bool] | None = None,
        admin: Administration | None = None,
        call_ids: Iterator[int] | None = None,
        requests: Iterator[int] | None = None,
    ) -> None:
        self.clock = clock
        self.lines = lines if lines is not None else Lines()
        self.admin = admin
        self.traffic = admin.traffic if admin is not None else TrafficLog()
        if is_internal is None and admin is not None:
            is_internal = admin.is_extension
        self.engine = CallEngine(self.lines, is_internal, call_ids)
        self.core = BringUp(
            self.lines,
            self.engine,
            admin,
            usable=lambda: self.usable,
            auto_load=auto_load,
            read_names=read_names,
            retry_interval=monitor_retry_interval,
        )
        self.snapshot_interval = snapshot_interval
        self.proto: DriverProtocol | None = None
        #: The systemStatus the peer reported last; anything but ``normal`` means no PBX.
        self.pbx_status: str | None = None
        #: The link's last failure (connection refused, login refused...), for status.
        self.health = LinkHealth(clock)
        #: Why the lines last loaded from the PBX are not in the line store, for status: they
        #: work until a restart, which forgets them.
        self.keep_error: str | None = None
        #: The lines :attr:`keep_error` speaks of, by number, saved again with the next ones.
        self._unkept: dict[str, StoredLine] = {}
        #: The call journal, when this driver holds the PBX link itself (set by the tap).
        self.journaling: CdrJournaling | None = None
        self.subscribers: list[Callable[[Message], None]] = []
        self._gate = DeferredSemaphore(max_in_flight)
        self.max_in_flight = max_in_flight
        #: Applications' requests waiting for a place in flight now, how many may (a plan let
        #: through may still queue its next request: at most ``max_in_flight`` more), and how
        #: many were refused for want of room, for status and metrics.
        self.waiting = 0
        self.max_waiting = WAITING_PER_PLACE * max_in_flight
        self.refused_busy = 0
        self._busy_warned: float | None = None
        #: Queries of the PBX's stations started so far, and the number and outcome of the last.
        self._queries = 0
        self._last_query: tuple[int, list[ListedDevice] | Exception] | None = None
        self._query_lock = DeferredLock()
        self._requests = requests if requests is not None else itertools.count(1)
        self._assembly = DeviceListAssembly()
        self._lists: dict[bytes, Deferred[list[ListedDevice]]] = {}
        self._loops: list[LoopingCall] = []
        self._pool_gate = DeferredLock()
        self.ready: Deferred[None] = Deferred()
        self._in_thread = thread_runner(clock)
        if admin is not None:
            admin.use_runner(self._in_thread)
            admin.listeners.append(self.settings_changed)

    # The settings the core acts on, read where the driver's were.

    @property
    def auto_load(self) -> bool:
        return self.core.auto_load

    @property
    def read_names(self) -> bool:
        return self.core.read_names

    @property
    def monitor_retry_interval(self) -> float:
        return self.core.retry_interval

    # -- service --------------------------------------------------------------------------------

    def startService(self) -> None:
        super().startService()
        # What start-up made (modules, the ASN.1 specifications, settings) lives as long as
        # the process: kept out of the collector's full passes, which would otherwise walk it
        # all on the reactor thread, or in a thread holding the interpreter's lock, each time
        # lines or calls come in numbers.
        gc.freeze()
        self._start_loops()

    def _start_loops(self) -> None:
        for interval, job in (
            (self.snapshot_interval, self.snapshot_all),
            (self.monitor_retry_interval, self.retry_monitors),
        ):
            if interval and interval > 0:
                loop = LoopingCall(job)
                loop.clock = self.clock
                loop.start(interval, now=False).addErrback(
                    lambda f: self.log.failure("periodic job", f)
                )
                self._loops.append(loop)

    def stopService(self) -> Deferred[None] | None:
        self._stop_loops()
        super().stopService()
        admin = self.admin
        if admin is None:
            return None

        def not_given_back(failure: Failure) -> None:
            # A pool whose files cannot be written raises OSError, as for a single line.
            failure.trap(LicenceError, OSError)
            self.log.warn("line licences not given back: {error}", error=failure.value)

        def give_back(_: None) -> Deferred[None]:
            return self._in_thread(admin.give_back_all)

        # Lines created meanwhile are on disk before the licences go back.
        return admin.kept().addCallback(give_back).addErrback(not_given_back)

    def _stop_loops(self) -> None:
        for loop in self._loops:
            if loop.running:
                loop.stop()
        self._loops.clear()

    def settings_changed(self, settings: DriverSettings) -> None:
        """New administration settings take effect at once: names, snapshot and retry intervals."""
        advanced = settings.advanced
        self.core.read_names = advanced.read_names
        intervals = (advanced.snapshot_interval, advanced.monitor_retry_interval)
        if intervals != (self.snapshot_interval, self.monitor_retry_interval):
            self.snapshot_interval, self.core.retry_interval = intervals
            if self.running:
                self._stop_loops()
                self._start_loops()

    # -- publishing -----------------------------------------------------------------------------

    def publish(self, out: list[Message]) -> None:
        while self.engine.ended_collections:
            # A call watched by lineMonitorDigits is gone: the phone's digits are its own again.
            collection = self.engine.ended_collections.pop()
            defer.Deferred.fromCoroutine(self._stop_collection(collection))
        for message in out:
            if self.admin is not None and "callInfo" in message:
                call = self.admin.present_call(message["callInfo"], self.engine.internal)
                message = {**message, "callInfo": call}
            for subscriber in list(self.subscribers):
                try:
                    subscriber(message)
                except Exception:
                    self.log.failure("event subscriber failed")

    # -- the link -------------------------------------------------------------------------------

    @property
    def link_up(self) -> bool:
        return self.proto is not None and self.proto.associated and not self.proto.closed

    @property
    def usable(self) -> bool:
        """Whether requests can reach the PBX: the association is up and the PBX behind it."""
        return self.link_up and self.pbx_status in (None, "normal")

    @property
    def problems(self) -> list[str]:
        """What an operator must look at, one line each (status, metrics and exit codes)."""
        found = []
        if not self.link_up:
            found.append("the PBX link is down")
        elif not self.usable:
            found.append(f"the PBX is not available (systemStatus {self.pbx_status})")
        if len(self.lines) == 0:
            why = self.core.load_error or "the device list has not been read yet"
            found.append(f"no lines ({why})")
        if self.keep_error is not None:
            found.append(self.keep_error)
        unreturned = self.core.unreturned
        if len(unreturned) == 1:
            [(number, error)] = unreturned.items()
            found.append(f"the licence of line {number} is {bringup.NOT_RETURNED}: {error}")
        elif unreturned:
            # One line for them all: a full disk may leave a thousand closed lines so.
            numbers = ", ".join(list(unreturned)[:3]) + (", ..." if len(unreturned) > 3 else "")
            found.append(
                f"the licences of {len(unreturned)} closed lines ({numbers}) are not recorded"
                " as given back to the licence pool, which counts them as in use:"
                f" {next(iter(unreturned.values()))}"
            )
        return found

    def associated(self, proto: DriverProtocol) -> None:
        """The hook the PBX link service calls after each (re)association."""
        self.proto = proto
        self.pbx_status = proto.last_status
        if self.journaling is not None:
            self.journaling.associated(proto)
        self.log.info(
            "associated with {peer} (systemStatus {status})",
            peer=proto.peer,
            status=proto.last_status,
        )
        self._pbx_changed()

    def status_changed(self, proto: DriverProtocol, status: str) -> None:
        """The peer's systemStatus: lines follow whether the PBX behind it is there."""
        if proto is not self.proto or status == self.pbx_status:
            return
        self.pbx_status = status
        if self.usable:
            self.log.info("the PBX is available again (systemStatus {status})", status=status)
        self._pbx_changed()

    def _pbx_changed(self) -> None:
        if not self.usable:
            self.log.warn(
                "the PBX is not available (systemStatus {status}): every line out of service",
                status=self.pbx_status,
            )
        self._run(self.core.pbx_changed()).addErrback(
            lambda f: self.log.failure("bringing lines up", f)
        )

    def link_lost(self, proto: DriverProtocol) -> None:
        if proto is not self.proto:
            return
        self.proto = None
        self.pbx_status = None
        self.log.warn("PBX link lost: every line out of service")
        self._run(self.core.link_lost())

    async def invoke(self, service: str, argument: Any, application: bool = False) -> Any:
        """One request to the PBX, within the in-flight limit; an ``application``'s is
        counted in :attr:`waiting` while it waits for a place."""
        self.waiting += application
        try:
            await self._gate.acquire()
        finally:
            self.waiting -= application
        try:
            proto = self.proto
            if proto is None or not proto.associated or proto.closed:
                raise LinkLost("the PBX link is down")
            return await proto.invoke(service, argument)
        finally:
            self._gate.release()

    # -- running the line lifecycle's procedures ------------------------------------------------

    def _run(self, procedure: Procedure[T]) -> Deferred[T]:
        """Run a procedure of :class:`~ecsta.driver.bringup.BringUp`: perform each effect it
        yields and send it the result, or throw it the failure; fires with what it returns."""
        return Deferred.fromCoroutine(self._drive(procedure))

    async def _drive(self, procedure: Procedure[T]) -> T:
        step: Callable[[Any], Effect] = procedure.send
        value: Any = None
        while True:
            try:
                effect = step(value)
            except StopIteration as done:
                result: T = done.value
                return result
            step = procedure.send
            try:
                value = self._perform(effect)
                if isinstance(value, Awaitable) and not isinstance(effect, bringup.Start):
                    value = await value
            except Exception as error:
                step, value = procedure.throw, error

    def _perform(self, effect: Effect) -> Any:
        """What ``effect`` comes to: its result, or something to await for it (a started
        procedure's Deferred is its handle, which only a Join waits for)."""
        match effect:
            case bringup.Request(service, argument):
                return self.invoke(service, argument)
            case bringup.Publish(out):
                self.publish(out)
            case bringup.TakeLicence(number):
                assert self.admin is not None
                return self._pool(self.admin.take_licence, number)
            case bringup.GiveBackLicence(number):
                assert self.admin is not None
                return self._pool(self.admin.give_back_licence, number)
            case bringup.Start(procedure, what):
                started = self._run(procedure)
                if what is not None:
                    started.addErrback(lambda f: self.log.failure(what, f))
                return started
            case bringup.Join(handles):
                joined = defer.DeferredList(cast(list[Deferred[Any]], handles), consumeErrors=True)
                return joined.addCallback(
                    lambda outcomes: [(ok, v if ok else v.value) for ok, v in outcomes]
                )
            case bringup.ListEntries(cross_ref, timeout):
                return self._list_entries(cross_ref, timeout)
            case bringup.AbandonLists():
                for waiting in list(self._lists.values()):
                    if not waiting.called:
                        waiting.errback(LinkLost("the PBX link went down during the device list"))
                self._lists.clear()
            case bringup.Turn():
                return task.deferLater(self.clock, 0, lambda: None)
            case bringup.Wait(waiters):
                answer: Deferred[Any] = Deferred()
                waiters.append(answer.callback)
                return answer
            case bringup.KeepLines(lines, wait):
                saving = self._keep_lines(lines)
                if wait:
                    return saving
                saving.addErrback(lambda _: None)  # named in the problems
            case bringup.Ready():
                if not self.ready.called:
                    self.ready.callback(None)
        return None

    def _keep_lines(self, lines: tuple[StoredLine, ...]) -> Deferred[Any]:
        """Save ``lines`` in the line store with those an earlier save could not take (but for
        lines removed since): no later load creates those again, so this is their next chance,
        and the problem is cleared only once none is left unsaved."""
        assert self.admin is not None
        self._unkept = {n: stored for n, stored in self._unkept.items() if n in self.lines}
        unkept = self._unkept | {stored.number: stored for stored in lines}

        def kept(outcome: T) -> T:
            if isinstance(outcome, Failure):
                self._unkept.update(unkept)
                self.keep_error = (
                    "lines loaded from the PBX not kept, lost at a restart:"
                    f" {outcome.getErrorMessage()}"
                )
                self.log.warn("{error}", error=self.keep_error)
                return outcome
            for number in unkept:
                self._unkept.pop(number, None)
            if not self._unkept:
                self.keep_error = None
            return outcome

        return self.admin.keep_lines(keeping(unkept.values())).addBoth(kept)

    def _pool(self, work: Callable[[str], Any], number: str) -> Deferred[Any]:
        """``work(number)`` on the licence pool, in a thread, one at a time in the order asked
        for: the pool's file lock lets one change through at a time anyway (threads waiting
        for it would only take turns at the interpreter with the reactor), and a line closed
        and opened again gives its licence back before it takes one."""
        return self._pool_gate.run(self._in_thread, work, number)

    async def _list_entries(self, cross_ref: bytes, timeout: float) -> list[ListedDevice]:
        """The entries of a KME list, once its last linked reply is in."""
        devices = self._assembly.take(cross_ref)
        if devices is not None:
            return devices
        waiting: Deferred[list[ListedDevice]] = Deferred()
        self._lists[cross_ref] = waiting
        waiting.addTimeout(timeout, self.clock)
        try:
            return await waiting
        except defer.TimeoutError:
            raise bringup.ListUnfinished(
                f"the PBX did not finish the list within {timeout:g} s"
            ) from None
        finally:
            # A list given up on is not waited for: its late segments change nothing.
            self._lists.pop(cross_ref, None)

    # -- what the PBX sends ---------------------------------------------------------------------

    def event_report(self, argument: Any) -> None:
        try:
            out = self.engine.report(argument)
        except Exception:
            self.log.failure("event report {argument!r} could not be handled", argument=argument)
            return
        self.publish(out)
        while self.engine.learned_twins:
            self._run(self.core.twin_found(self.engine.learned_twins.pop()))

    async def _stop_collection(self, collection: bytes) -> None:
        try:
            await self.invoke("stopDataCollection", {"dcollCrossRefID": collection})
        except LinkError as error:
            self.log.info("stopDataCollection failed: {error}", error=error)

    def devices_changed(self) -> None:
        """The PBX's devices changed: read its device list again (numbers, Super-Twin pairs).

        Lines are not added here; that is what a device-list query asks for.
        """
        d = self._run(self.core.load_lines(add=False))
        d.addErrback(
            lambda f: self.log.warn("device list not read again: {e}", e=f.getErrorMessage())
        )

    def escape_received(self, argument: Any) -> None:
        reply = linked_reply(argument)
        if reply is not None:
            self.segment_received(reply)

    def segment_received(self, reply: Mapping[str, Any]) -> None:
        """One systemDataLinkedReply segment of a device or names list."""
        done = self._assembly.add(reply)
        if done is not None and done in self._lists:
            waiting = self._lists.pop(done)
            devices = self._assembly.take(done)
            waiting.callback(devices or [])

    # -- lines: what the API and the administration ask for -------------------------------------

    async def load_lines(self, add: bool = True, category: str = "station") -> list[ListedDevice]:
        """See :meth:`~ecsta.driver.bringup.BringUp.load_lines`."""
        return await self._run(self.core.load_lines(add, category))

    async def query_lines(self) -> list[ListedDevice]:
        """See :meth:`~ecsta.driver.bringup.BringUp.query_lines`.

        One query runs at a time; those asked while it runs share the answer of the next one,
        which starts after them all and so lists every station they could want. However many
        queries a client sends at once, the PBX lists its devices twice at most, rather than
        once each ahead of every application's request.
        """
        asked = self._queries
        await self._query_lock.acquire()
        try:
            if self._last_query is not None and self._last_query[0] > asked:
                outcome = self._last_query[1]
            else:
                self._queries += 1
                try:
                    outcome = await self._run(self.core.query_lines())
                except Exception as error:
                    outcome = error
                self._last_query = (self._queries, outcome)
        finally:
            self._query_lock.release()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def open_line(self, line: Line) -> bool:
        """See :meth:`~ecsta.driver.bringup.BringUp.open_line`."""
        return await self._run(self.core.open_line(line))

    def open_later(self, line: Line) -> None:
        self._run(self.core.open_later(line))

    async def close_line(self, line: Line) -> None:
        await self._run(self.core.close_line(line))

    async def add_line(self, number: str, name: str = "") -> Line:
        return await self._run(self.core.add_line(number, name))

    async def remove_line(self, line: Line) -> None:
        await self._run(self.core.remove_line(line))

    async def licence_problem(self, line: Line) -> str | None:
        """See :meth:`~ecsta.driver.bringup.BringUp.licence_problem`."""
        return await self._run(self.core.licence_problem(line))

    def snapshot_all(self) -> Deferred[None]:
        """The periodic validation: every monitored line against a snapshot."""
        return self._run(self.core.snapshot_all())

    def retry_monitors(self) -> Deferred[None]:
        """The periodic retry of refused MonitorStarts, an unread device list, licences, and
        lines the line store could not take: an operator who frees its disk sees the problem
        go by itself, without a load that creates lines."""
        if self._unkept:
            self._keep_lines(()).addErrback(lambda _: None)  # named in the problems
        return self._run(self.core.retry_monitors())

    # -- operations -----------------------------------------------------------------------------

    async def execute(self, plan: Plan) -> Any:
        """Run ``plan``: its requests in order, then its finish; LINE_REPLY either way."""
        request = next(self._requests)
        if plan.local is not None:
            result, out = plan.local()
            self.publish(out)
            self.publish([messages.reply(request, plan.operation, plan.line, plan.call, result)])
            return result
        if self.waiting >= self.max_waiting:
            self.refused_busy += 1
            busy = PBXBusy(
                f"too many requests waiting for the PBX: {self.waiting} wait for a place among"
                f" the {self.max_in_flight} sent at once; try again shortly"
            )
            now = self.clock.seconds()
            if self._busy_warned is None or now - self._busy_warned >= REFUSAL_WARNING_PERIOD:
                # A warning a minute at most: a client may send refused requests at any pace.
                self._busy_warned = now
                self.log.warn("application requests refused: {busy}", busy=busy)
            raise self._failed(request, plan, busy)
        plan.prepare()
        results = []
        try:
            for service, argument in plan.requests:
                results.append(await self.invoke(service, argument, application=True))
        except LinkError as error:
            plan.undo()
            raise self._failed(request, plan, error) from None
        result, out = plan.finish(results)
        self.publish(out)
        self.publish([messages.reply(request, plan.operation, plan.line, plan.call, result)])
        return result

    def _failed(self, request: int, plan: Plan, error: Exception) -> CSTAOperationError:
        """The API's error for ``plan`` failed by ``error``, told on the event stream too."""
        described = describe_failure(error)
        self.publish(
            [messages.reply(request, plan.operation, plan.line, plan.call, error=described.body)]
        )
        return described
