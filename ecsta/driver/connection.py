"""The driver's Twisted side: the PBX (or mux) link, monitors, retries and snapshots.

:class:`Driver` feeds the sans-IO :class:`~ecsta.driver.calls.CallEngine` with what the PBX
reports and runs the :class:`~ecsta.driver.operations.Plan` of every API request. It does the
work of keeping calls true:

- after each (re)association it monitors every open line, reads its forwarding and resyncs its
  calls from a SnapshotDevice, and only then declares it in service (LINE_LINEDEVSTATE);
- on link loss every line goes out of service at once, and so it does while the peer reports
  a systemStatus other than ``normal`` (a mux whose PBX link is down says ``disabled``);
- every time the link becomes usable (an association, or ``normal`` again) the PBX's device
  list is read, and lines are loaded from it when the driver has none; until that succeeds
  :attr:`Driver.problems` names why the driver has no lines, and the monitor-retry loop tries
  again;
- every ``snapshot_interval`` seconds (0: never) each line's calls are checked against a
  snapshot: calls the PBX no longer has go IDLE, calls it has appear;
- every ``monitor_retry_interval`` seconds (0: never) a MonitorStart the PBX refused is tried
  again; a line holds a licence of the pool only while it is monitored or being monitored.
  The licence pool's files are locked, read and written in the reactor's thread pool, never
  on the reactor thread, one change at a time in the order asked for.

Requests to the PBX go through a semaphore, so that loading a thousand lines never floods the
PBX with more than ``max_in_flight`` requests at once.
"""

import gc
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any, ClassVar, TypeVar

from twisted.application.service import Service
from twisted.internet import defer, task
from twisted.internet.defer import Deferred, DeferredLock, DeferredSemaphore
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import LoopingCall
from twisted.logger import Logger
from twisted.python.failure import Failure

from ecsta.driver import messages
from ecsta.driver.admin import Administration
from ecsta.driver.calls import CallEngine
from ecsta.driver.constants import LineDevState
from ecsta.driver.devicelist import (
    DeviceListAssembly,
    ListedDevice,
    device_list_request,
    extension_names_request,
    linked_reply,
    pos_ack,
)
from ecsta.driver.devices import DECT_PORTABLE, WIRED_STATION, device_class, device_id
from ecsta.driver.diagnostics import TrafficLog
from ecsta.driver.filework import thread_runner
from ecsta.driver.journaling import CdrJournaling
from ecsta.driver.licence import LicenceError
from ecsta.driver.lifecycle import LineEvent
from ecsta.driver.lines import Line, Lines
from ecsta.driver.linestore import PbxDevice, StoredLine, keeping
from ecsta.driver.messages import Message
from ecsta.driver.operations import Plan
from ecsta.driver.settings import DriverSettings
from ecsta.link.errors import (
    InvokeRejected,
    LinkError,
    LinkLost,
    OperationFailed,
    RequestTimeout,
)
from ecsta.link.protocol import CSTAClientProtocol, Responder
from ecsta.link.service import LinkHealth
from ecsta.wire import apdu, ber
from ecsta.wire.errors import DecodeError
from ecsta.wire.framing import HEADER_SIZE
from ecsta.wire.opcodes import Opcode
from ecsta.wire.responders import Responders

ESCAPE = Opcode.escape

#: How many lines are created or opened before the reactor gets its turn again.
TURN = 100
T = TypeVar("T")
R = TypeVar("R")


class DriverProtocol(CSTAClientProtocol):
    """A client association whose event reports and device-list replies go to the driver."""

    def __init__(self, clock: IReactorTime, *, driver: "Driver", **kwargs: Any) -> None:
        super().__init__(clock, **kwargs)
        self.driver = driver

    def send_framed(self, data: bytes, peek: ber.Peek | None = None) -> None:
        self.driver.traffic.sent(data[HEADER_SIZE:], self.peer)
        super().send_framed(data, peek)

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


class CSTAOperationError(Exception):
    """The PBX refused or did not answer an operation: ``body`` for the API, whose ``error``
    (and ``cstaError``) the API layer turns into an HTTP status."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", "operation failed"))
        self.body = body


def describe_failure(error: BaseException) -> CSTAOperationError:
    """The API's view of a failed CSTA request, naming the CSTA error."""
    if isinstance(error, OperationFailed):
        failure = error.error
        kind, detail = failure if isinstance(failure, tuple) else ("unspecified", failure)
        return CSTAOperationError(
            {
                "error": "cstaError",
                "cstaError": {
                    kind: detail if isinstance(detail, str | int | None) else repr(detail)
                },
                "message": f"the PBX refused the operation: {kind} {detail}",
            },
        )
    if isinstance(error, InvokeRejected):
        return CSTAOperationError(
            {
                "error": "rejected",
                "problem": list(error.problem or ()),
                "message": f"the PBX rejected the request: {error.problem}",
            },
        )
    if isinstance(error, RequestTimeout):
        return CSTAOperationError({"error": "timeout", "message": str(error)})
    if isinstance(error, LinkLost):
        return CSTAOperationError({"error": "pbxUnavailable", "message": "the PBX link is down"})
    return CSTAOperationError({"error": "failed", "message": str(error)})


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
        self.auto_load = auto_load
        self.read_names = read_names
        self.snapshot_interval = snapshot_interval
        self.monitor_retry_interval = monitor_retry_interval
        self.proto: DriverProtocol | None = None
        #: The systemStatus the peer reported last; anything but ``normal`` means no PBX.
        self.pbx_status: str | None = None
        #: Why the device list was not read, until it is.
        self.load_error: str | None = None
        #: The link's last failure (connection refused, login refused...), for status.
        self.health = LinkHealth(clock)
        #: The call journal, when this driver holds the PBX link itself (set by the tap).
        self.journaling: CdrJournaling | None = None
        self.subscribers: list[Callable[[Message], None]] = []
        self._gate = DeferredSemaphore(max_in_flight)
        self._requests = requests if requests is not None else itertools.count(1)
        self._assembly = DeviceListAssembly()
        self._lists: dict[bytes, Deferred[list[ListedDevice]]] = {}
        self._loops: list[LoopingCall] = []
        self._opening: set[str] = set()
        #: Lines whose licence the pool is being asked for again, with who waits for the answer.
        self._relicensing: dict[str, list[Deferred[bool]]] = {}
        self._pool_gate = DeferredLock()
        self.ready: Deferred[None] = Deferred()
        self._in_thread = thread_runner(clock)
        if admin is not None:
            admin.use_runner(self._in_thread)
            admin.listeners.append(self.settings_changed)

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
            failure.trap(LicenceError)
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
        self.read_names = advanced.read_names
        intervals = (advanced.snapshot_interval, advanced.monitor_retry_interval)
        if intervals != (self.snapshot_interval, self.monitor_retry_interval):
            self.snapshot_interval, self.monitor_retry_interval = intervals
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
            why = self.load_error or "the device list has not been read yet"
            found.append(f"no lines ({why})")
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
        if self.usable:
            self._start_bring_up()
        else:
            self._not_available()

    def status_changed(self, proto: DriverProtocol, status: str) -> None:
        """The peer's systemStatus: lines follow whether the PBX behind it is there."""
        if proto is not self.proto or status == self.pbx_status:
            return
        self.pbx_status = status
        if self.usable:
            self.log.info("the PBX is available again (systemStatus {status})", status=status)
            self._start_bring_up()
        else:
            self._not_available()

    def _not_available(self) -> None:
        self.log.warn(
            "the PBX is not available (systemStatus {status}): every line out of service",
            status=self.pbx_status,
        )
        out: list[Message] = []
        for line in self.lines:
            out.extend(self.engine.set_in_service(line, False, reason="PBX not available"))
        self.publish(out)

    def _start_bring_up(self) -> None:
        d = defer.Deferred.fromCoroutine(self._bring_up())
        d.addErrback(lambda f: self.log.failure("bringing lines up", f))

    def _set_ready(self) -> None:
        if not self.ready.called:
            self.ready.callback(None)

    async def _bring_up(self) -> None:
        await self.load_device_list()
        await self.open_all()
        await defer.DeferredList(
            [
                defer.Deferred.fromCoroutine(self._resume(line))
                for line in self.lines
                if line.monitor is not None and not line.in_service and line.licence_error is None
            ],
            consumeErrors=True,
        )
        self._set_ready()

    async def load_device_list(self) -> None:
        """Read the device list, adding lines from it while the driver has none (``auto_load``).

        A failure is kept in :attr:`load_error` and logged; a PBX without the device list (or
        one that never finishes it) still gets its configured lines monitored.
        """
        try:
            await self.load_lines(add=self.auto_load and len(self.lines) == 0)
        except Exception as error:
            self.load_error = f"device list not read: {describe_failure(error)}"
            self.log.warn("could not read the PBX's device list: {error}", error=self.load_error)
            return
        self.load_error = None if len(self.lines) else "the PBX lists no station to take as a line"

    async def _resume(self, line: Line) -> None:
        """A line whose monitor outlived the PBX's absence (a mux restores it): its calls are
        read again, then it is in service."""
        await self.snapshot_line(line)
        if line.monitor is not None and self.usable:
            self.publish(self.engine.set_in_service(line, True))

    def link_lost(self, proto: DriverProtocol) -> None:
        if proto is not self.proto:
            return
        self.proto = None
        self.pbx_status = None
        self.log.warn("PBX link lost: every line out of service")
        self.lines.forget_all_monitors()
        for waiting in list(self._lists.values()):
            if not waiting.called:
                waiting.errback(LinkLost("the PBX link went down during the device list"))
        self._lists.clear()
        out: list[Message] = []
        for line in self.lines:
            out.extend(self.engine.set_in_service(line, False, reason="link lost"))
        self.publish(out)

    async def invoke(self, service: str, argument: Any) -> Any:
        """One request to the PBX, within the in-flight limit."""
        await self._gate.acquire()
        try:
            proto = self.proto
            if proto is None or not proto.associated or proto.closed:
                raise LinkLost("the PBX link is down")
            return await proto.invoke(service, argument)
        finally:
            self._gate.release()

    # -- what the PBX sends ---------------------------------------------------------------------

    def event_report(self, argument: Any) -> None:
        try:
            out = self.engine.report(argument)
        except Exception:
            self.log.failure("event report {argument!r} could not be handled", argument=argument)
            return
        self.publish(out)
        while self.engine.learned_twins:
            self.publish([self._twin_found(self.engine.learned_twins.pop())])

    async def _stop_collection(self, collection: bytes) -> None:
        try:
            await self.invoke("stopDataCollection", {"dcollCrossRefID": collection})
        except LinkError as error:
            self.log.info("stopDataCollection failed: {error}", error=error)

    def devices_changed(self) -> None:
        """The PBX's devices changed: read its device list again (numbers, Super-Twin pairs).

        Lines are not added here; that is what a device-list query asks for.
        """
        d = defer.Deferred.fromCoroutine(self.load_lines(add=False))
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

    # -- lines ----------------------------------------------------------------------------------

    async def load_lines(self, add: bool = True, category: str = "station") -> list[ListedDevice]:
        """Ask the PBX for its stations; learn numbers, Super-Twin pairs and (optionally) names.

        With ``add``, a line is created for every station not yet a line, and opened.
        """
        devices = await self._system_data(device_list_request(category))
        if self.read_names:
            devices = await self._named(devices)
        directory = self.lines.directory
        for device in devices:
            if device.device_number is not None:
                directory.add(
                    device.device_number, device.number, device.name if self.read_names else None
                )
        out: list[Message] = []
        for line in self.lines:
            had_twin = line.twin
            self.lines.refresh(line)
            if had_twin is None and line.twin is not None:
                out.append(self._twin_found(line))
        self.publish(out)
        if add:
            wanted = [
                device
                for device in devices
                if device.number not in self.lines
                and device.device_number != directory.twins.get(device.number, -1)
                and (self.admin is None or self.admin.takes_device(_listed(device)))
            ]
            created = await self._in_turns(wanted, self._create_line)
            if created and self.admin is not None:
                stored = keeping(StoredLine(line.number, line.name) for line in created)
                kept = self.admin.keep_lines(stored)
                kept.addErrback(lambda f: self.log.failure("keeping the lines loaded", f))
        return devices

    def _create_line(self, device: ListedDevice) -> Line:
        line = self.lines.add(device.number)
        self.publish([messages.line_create(line)])
        return line

    async def _in_turns(self, items: list[T], work: Callable[[T], R]) -> list[R]:
        """``work`` on each item, handing the reactor back after every :data:`TURN` items, so
        that a thousand lines loaded or opened never keep the API's clients waiting."""
        done: list[R] = []
        for start in range(0, len(items), TURN):
            if start:
                await task.deferLater(self.clock, 0, lambda: None)
            done.extend(work(item) for item in items[start : start + TURN])
        return done

    async def _system_data(self, request: dict[str, Any]) -> list[ListedDevice]:
        """The entries of a KME system data request, once its last linked reply is in."""
        result = await self.invoke("escape", request)
        cross_ref = pos_ack(result)
        if cross_ref is None:
            raise CSTAOperationError(
                {"error": "badReply", "message": "the PBX did not acknowledge the list"}
            )
        devices = self._assembly.take(cross_ref)
        if devices is None:
            waiting: Deferred[list[ListedDevice]] = Deferred()
            self._lists[cross_ref] = waiting
            waiting.addTimeout(30, self.clock)
            try:
                devices = await waiting
            finally:
                # A list given up on is not waited for: its late segments change nothing.
                self._lists.pop(cross_ref, None)
        return devices

    async def _named(self, devices: list[ListedDevice]) -> list[ListedDevice]:
        """``devices`` with the names the PBX gives its extensions.

        A PBX that refuses the request (one older than CTI V1.1, say) or does not finish the
        names leaves ``devices`` as they are: names then come from the configuration.
        """
        try:
            named = await self._system_data(extension_names_request())
        except (LinkError, CSTAOperationError, defer.TimeoutError) as error:
            self.log.info(
                "the PBX gave no extension names ({error}); names come from the configuration",
                error=describe_failure(error).body.get("message"),
            )
            return devices
        # An entry names its device by deviceNumber or by dialling number (both inferred).
        names: dict[int | str | None, str | None] = {
            d.number if d.device_number is None else d.device_number: d.name for d in named
        }
        return [
            replace(d, name=name)
            if (name := names.get(d.device_number) or names.get(d.number))
            else d
            for d in devices
        ]

    async def open_all(self) -> None:
        wanted = [line for line in self.lines if line.opened and line.monitor is None]
        opening = await self._in_turns(
            wanted, lambda line: defer.Deferred.fromCoroutine(self.open_line(line))
        )
        await defer.DeferredList(opening, consumeErrors=True)

    async def open_line(self, line: Line) -> bool:
        """Monitor ``line``, read its forwarding, resync its calls, and put it in service.

        The licence is taken before the MonitorStart, so that lines without one cost the PBX
        nothing; a line the PBX refused last time is asked for first instead, so that its
        retries never hold a licence that a line the PBX monitors could take meanwhile.
        """
        self.publish(self.engine.line_event(line, LineEvent.OPEN))
        if line.number in self._opening or line.monitor is not None:
            return line.monitor is not None
        self._opening.add(line.number)
        try:
            refused_before = line.monitor_error is not None and line.licence_error is None
            if not refused_before and not await self._take_licence(line):
                return False
            try:
                result = await self.invoke(
                    "monitorStart", {"monitorObject": ("deviceObject", device_id(line.device))}
                )
            except LinkError as error:
                await self._monitor_refused(line, error)
                return False
            cross_ref = result.get("crossRefIdentifier") if isinstance(result, dict) else None
            if not isinstance(cross_ref, bytes):
                missing = ValueError("MonitorStart result without crossRefID")
                await self._monitor_refused(line, missing)
                return False
            try:
                taken = not refused_before or await self._take_licence(line)
            except LicenceError:
                await self._stop_monitor(cross_ref)
                raise
            if not taken or self.lines.get(line.number) is not line or not line.opened:
                await self._stop_monitor(cross_ref)
                return False
            line.monitor_error = None
            self.lines.bind_monitor(line, cross_ref)
            await self._monitor_twin(line)
            await self._read_forwarding(line)
            await self.snapshot_line(line)
            self.publish(self.engine.set_in_service(line, True))
            return True
        finally:
            self._opening.discard(line.number)

    async def _take_licence(self, line: Line) -> bool:
        """Take the line's licence from the pool; False if the line was closed meanwhile (its
        give-back follows in the pool's order). A refusal is raised, and the line says why."""
        if self.admin is None:
            return True
        try:
            until = await self._pool(line, self.admin.take_licence)
        except LicenceError as error:
            line.monitor_error = line.licence_error = str(error)
            self.log.warn("line {line}: {error}", line=line.number, error=error)
            self.publish(self.engine.set_in_service(line, False, reason=str(error)))
            raise
        if not line.opened:
            return False
        line.licensed, line.licensed_until, line.licence_error = True, until, None
        return True

    def _twin_found(self, line: Line) -> Message:
        """The line's Super-Twin DECT came to light: monitor it (once the line itself is
        monitored), and tell applications that the line's Mobile address is now in use."""
        defer.Deferred.fromCoroutine(self._monitor_twin(line)).addErrback(
            lambda f: self.log.failure("monitoring a Super-Twin DECT", f)
        )
        return messages.line_dev_state(
            line.number, LineDevState.LINEDEVSTATE_REINIT, reason="Super-Twin DECT found"
        )

    async def _monitor_twin(self, line: Line) -> None:
        """Monitor the line's Super-Twin DECT too: once the DECT has answered, the desk phone
        is no longer in the call and its monitor hears nothing more of it."""
        if line.twin is None or line.twin_monitor is not None or line.monitor is None:
            return
        try:
            result = await self.invoke(
                "monitorStart", {"monitorObject": ("deviceObject", device_id(line.twin))}
            )
        except LinkError as error:
            self.log.warn(
                "line {line}: the Super-Twin DECT cannot be monitored: {error}",
                line=line.number,
                error=error,
            )
            return
        cross_ref = result.get("crossRefIdentifier") if isinstance(result, dict) else None
        if isinstance(cross_ref, bytes) and line.monitor is not None:
            self.lines.bind_monitor(line, cross_ref, twin=True)

    async def _monitor_refused(self, line: Line, error: BaseException) -> None:
        """The line stays open, out of service, and is tried again; its licence goes back to
        the pool meanwhile, so that lines the PBX refuses (a mistyped number) never use up the
        licences of lines it would monitor. The retry takes one again."""
        await self._give_back_licence(line)
        described = describe_failure(error)
        line.monitor_error = described.body.get("message")
        self.log.warn(
            "line {line}: MonitorStart refused ({error}); retried every {s} s",
            line=line.number,
            error=line.monitor_error,
            s=self.monitor_retry_interval,
        )
        self.publish(self.engine.set_in_service(line, False, reason=line.monitor_error))

    async def licence_problem(self, line: Line) -> str | None:
        """Why ``line`` may not be operated for want of a licence, or None when it may.

        A line refused for want of a licence says so; a licence that has run out (the trial
        ended, by the pool's clock: no file is read while it holds) is asked for again, which
        also picks up a key installed meanwhile, and the line goes out of service while it has
        none.
        """
        admin = self.admin
        if admin is None or admin.licences is None:
            return None
        if line.licensed and admin.licence_expired(line.licensed_until):
            await self._relicense(line)
        if line.licensed:
            return None
        reason = line.licence_error or "it is not monitored, so it holds none"
        return f"no licence for line {line.number}: {reason}"

    async def _relicense(self, line: Line) -> bool:
        """Ask the pool again for the licence of a monitored line; whether it granted one.

        The pool is read in a thread, once per line at a time: requests that need the answer
        meanwhile wait for the same one. The line says when it goes out of or back in service.
        """
        assert self.admin is not None
        waiting = self._relicensing.get(line.number)
        if waiting is not None:
            answer: Deferred[bool] = Deferred()
            waiting.append(answer)
            return await answer
        waiting = self._relicensing[line.number] = []
        had = line.licensed
        try:
            line.licensed_until = await self._pool(line, self.admin.take_licence)
        except (LicenceError, OSError) as error:
            line.licensed, line.licence_error = False, str(error)
        else:
            line.licensed, line.licence_error = True, None
        del self._relicensing[line.number]
        if had and not line.licensed:
            self.log.warn("line {line}: {error}", line=line.number, error=line.licence_error)
            self.publish(self.engine.set_in_service(line, False, reason=line.licence_error))
        elif line.licensed and not had and line.monitor is not None:
            self.publish(self.engine.set_in_service(line, True))
        for answer in waiting:
            answer.callback(line.licensed)
        return line.licensed

    def _relicensable(self, line: Line) -> bool:
        """Whether the pool is to be asked again for a monitored line's licence: it has none
        (a key may have been installed), or its trial licence ran out by the pool's clock (the
        line goes out of service without waiting for an operation to find out)."""
        if line.licence_error is not None:
            return True
        return (
            self.admin is not None
            and line.licensed
            and self.admin.licence_expired(line.licensed_until)
        )

    async def _pool(self, line: Line, work: Callable[[str], Any]) -> Any:
        """``work(line.number)`` on the licence pool, in a thread, one at a time in the order
        asked for: the pool's file lock lets one change through at a time anyway (threads
        waiting for it would only take turns at the interpreter with the reactor), and a line
        closed and opened again gives its licence back before it takes one."""
        return await self._pool_gate.run(self._in_thread, work, line.number)

    async def _give_back_licence(self, line: Line) -> None:
        line.licensed = False
        if self.admin is None:
            return
        try:
            await self._pool(line, self.admin.give_back_licence)
        except LicenceError as error:
            self.log.warn(
                "line {line}: licence not given back: {error}", line=line.number, error=error
            )

    async def _read_forwarding(self, line: Line) -> None:
        for address in [a["address"] for a in line.addresses if line.usable(a["address"])]:
            try:
                result = await self.invoke(
                    "getForwarding", {"device": device_id(line.address_device(address))}
                )
            except LinkError as error:
                self.log.info(
                    "line {line}: no forwarding status ({error})", line=line.number, error=error
                )
                continue
            entries = result.get("forwardingList", []) if isinstance(result, dict) else []
            self.publish(self.engine.forwarding_list(line, address, entries))

    async def snapshot_line(self, line: Line) -> None:
        """Bring the line's calls in line with a SnapshotDevice of its phone."""
        try:
            result = await self.invoke("snapshotDevice", {"snapshotObject": device_id(line.device)})
        except LinkError as error:
            self.log.info("line {line}: snapshot failed ({error})", line=line.number, error=error)
            return
        data = result.get("crossRefIDorSnapshotData") if isinstance(result, dict) else None
        if not isinstance(data, tuple) or data[0] != "snapshotData":
            return
        entries = list(data[1])
        if line.twin is not None:
            try:
                twin = await self.invoke("snapshotDevice", {"snapshotObject": device_id(line.twin)})
                twin_data = twin.get("crossRefIDorSnapshotData")
                if isinstance(twin_data, tuple) and twin_data[0] == "snapshotData":
                    entries.extend(twin_data[1])
            except LinkError:
                pass
        self.publish(self.engine.resync(line, entries))

    async def close_line(self, line: Line) -> None:
        """Stop monitoring ``line``: its calls are forgotten, it reports LINEDEVSTATE_CLOSE."""
        self.publish(self.engine.line_event(line, LineEvent.CLOSE))
        giving_back = defer.Deferred.fromCoroutine(self._give_back_licence(line))
        monitors = [m for m in (line.monitor, line.twin_monitor) if m is not None]
        self.lines.forget_monitor(line)
        for cross_ref in monitors:
            await self._stop_monitor(cross_ref)
        out: list[Message] = []
        for call in list(line.calls.values()):
            out.extend(self.engine.drop_placeholder(call))
        out.append(messages.line_dev_state(line.number, LineDevState.LINEDEVSTATE_CLOSE))
        self.publish(out)
        await giving_back

    async def _stop_monitor(self, cross_ref: bytes) -> None:
        try:
            await self.invoke("monitorStop", {"crossRefIdentifier": cross_ref})
        except LinkError as error:
            self.log.info("MonitorStop failed: {error}", error=error)

    def open_later(self, line: Line) -> None:
        """Open ``line`` while the PBX cannot be reached: the next association (or the monitor
        retry) brings it up."""
        self.publish(self.engine.line_event(line, LineEvent.OPEN))

    async def add_line(self, number: str, name: str = "") -> Line:
        line = self.lines.add(number, name)
        self.publish([messages.line_create(line)])
        if self.usable:
            try:
                await self.open_line(line)
            except LicenceError:
                pass  # the line exists, closed for want of a licence: its monitorError says so
        return line

    async def remove_line(self, line: Line) -> None:
        await self.close_line(line)
        self.lines.remove(line.number)
        self.publish([messages.line_remove(line.number)])

    def snapshot_all(self) -> Deferred[Any]:
        """The periodic validation: every monitored line against a snapshot."""
        if not self.usable:
            return defer.succeed(None)
        return defer.DeferredList(
            [
                defer.Deferred.fromCoroutine(self.snapshot_line(line))
                for line in self.lines
                if line.monitor is not None
            ],
            consumeErrors=True,
        )

    def retry_monitors(self) -> Deferred[Any]:
        """The periodic retry of MonitorStarts the PBX refused, of a device list that could
        not be read, and of the licences of monitored lines that have none or whose trial
        licence has run out."""
        if not self.usable:
            return defer.succeed(None)
        if self.load_error is not None:
            return defer.Deferred.fromCoroutine(self._bring_up())
        relicensing = [
            defer.Deferred.fromCoroutine(self._relicense(line))
            for line in self.lines
            if line.opened and line.monitor is not None and self._relicensable(line)
        ]
        return defer.DeferredList(
            relicensing
            + [
                defer.Deferred.fromCoroutine(self.open_line(line))
                for line in self.lines
                if line.opened and line.monitor is None
            ],
            consumeErrors=True,
        )

    # -- operations -----------------------------------------------------------------------------

    async def execute(self, plan: Plan) -> Any:
        """Run ``plan``: its requests in order, then its finish; LINE_REPLY either way."""
        request = next(self._requests)
        if plan.local is not None:
            result, out = plan.local()
            self.publish(out)
            self.publish([messages.reply(request, plan.operation, plan.line, plan.call, result)])
            return result
        plan.prepare()
        results = []
        try:
            for service, argument in plan.requests:
                results.append(await self.invoke(service, argument))
        except LinkError as error:
            plan.undo()
            described = describe_failure(error)
            self.publish(
                [
                    messages.reply(
                        request, plan.operation, plan.line, plan.call, error=described.body
                    )
                ]
            )
            raise described from None
        result, out = plan.finish(results)
        self.publish(out)
        self.publish([messages.reply(request, plan.operation, plan.line, plan.call, result)])
        return result


def _listed(device: ListedDevice) -> PbxDevice:
    """A listed device as the line filter sees it: SIP is any class but desk phone and DECT."""
    known = device.device_number is None or device_class(device.device_number) in (
        WIRED_STATION,
        DECT_PORTABLE,
    )
    return PbxDevice(device.number, device.name or "", sip=not known)
