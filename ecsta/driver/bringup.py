"""Bringing lines up and keeping them up, without I/O: what the driver asks the PBX and the
licence pool next, and what each answer makes of a line.

Every step of a line's lifecycle (the device list read, a line opened, its licence taken,
monitored with its Super-Twin DECT, its forwarding and calls read; a refusal, a retry, a
licence asked for again, a close) is a *procedure*: a generator that yields effects (a CSTA
request, a licence to take or give back, messages to publish, other procedures to run
alongside) and is sent each effect's result, or thrown its failure. The procedures decide
everything: the order of licence and MonitorStart, what a refusal, a missing cross reference
or a line closed meanwhile means, which state (through :mod:`ecsta.driver.lifecycle`) and
which messages follow, what the retry picks. The Twisted adapter,
:class:`ecsta.driver.connection.Driver`, only performs the effects (requests over the link
within its in-flight limit, the pool in a thread one change at a time, timers, Deferreds) and
feeds the outcome back, so a test drives a whole bring-up answer by answer with no reactor, as
h11's connection is fed bytes.
"""

from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from twisted.logger import Logger
from twisted.python.failure import Failure

from ecsta.driver import messages
from ecsta.driver.admin import Administration
from ecsta.driver.calls import CallEngine
from ecsta.driver.constants import LineDevState
from ecsta.driver.devicelist import (
    ListedDevice,
    device_list_request,
    extension_names_request,
    pos_ack,
)
from ecsta.driver.devices import DECT_PORTABLE, WIRED_STATION, device_class, device_id
from ecsta.driver.failures import CSTAOperationError, describe_failure
from ecsta.driver.licence import LicenceError, LicenceStateError
from ecsta.driver.lifecycle import LineEvent
from ecsta.driver.lines import Line, Lines
from ecsta.driver.linestore import PbxDevice, StoredLine
from ecsta.driver.messages import Message
from ecsta.link.errors import LinkError

#: How many lines are created or opened before the reactor gets its turn again.
TURN = 100
#: How long the last segment of a device or names list is waited for, in seconds.
LIST_TIMEOUT = 30.0
#: What befell the licence of a line closed while the pool could not be written.
NOT_RETURNED = "not recorded as given back to the licence pool, which counts it as in use"

T = TypeVar("T")
R = TypeVar("R")


# -- effects: what a procedure asks of the adapter ------------------------------------------------


@dataclass(frozen=True)
class Request:
    """A CSTA request to the PBX: sent its result, or thrown the LinkError that ended it."""

    service: str
    argument: Any


@dataclass(frozen=True)
class ListEntries:
    """The entries of the list the PBX acknowledged with ``cross_ref``, once its last segment
    is in; thrown :class:`ListUnfinished` after ``timeout`` seconds without it, LinkLost when
    the link goes first."""

    cross_ref: bytes
    timeout: float = LIST_TIMEOUT


@dataclass(frozen=True)
class AbandonLists:
    """The link that carried the lists being read is gone: whoever waits for one is thrown
    LinkLost now rather than at its timeout."""


@dataclass(frozen=True)
class TakeLicence:
    """The line's licence from the pool: sent until when it holds (None: for good), thrown the
    pool's :class:`~ecsta.driver.licence.LicenceError` (or OSError) when it gives none. Pool
    changes happen one at a time, in the order asked for."""

    number: str


@dataclass(frozen=True)
class GiveBackLicence:
    """The line's licence back to the pool, in the same order as :class:`TakeLicence`."""

    number: str


@dataclass(frozen=True)
class Publish:
    """Messages for the applications, in order."""

    messages: list[Message]


@dataclass(frozen=True)
class KeepLines:
    """Lines created from the PBX's list, for the line store, saved in the background (a
    failure is logged and named in the driver's problems); with ``wait``, sent None once
    saved, or thrown the OSError."""

    lines: tuple[StoredLine, ...]
    wait: bool = False


@dataclass(frozen=True)
class Start:
    """Run ``procedure`` alongside from now on: sent a handle for :class:`Join`. One nobody
    joins names itself in ``what`` for the log, should it fail."""

    procedure: "Procedure[Any]"
    what: str | None = None


@dataclass(frozen=True)
class Join:
    """Wait for the procedures started as ``handles``: sent the outcome of each, in order,
    ``(True, result)`` or ``(False, exception)``."""

    handles: list[object]


@dataclass(frozen=True)
class Turn:
    """Hand the reactor back before going on, so that a thousand lines never keep the API's
    clients waiting."""


@dataclass(frozen=True)
class Wait:
    """Wait for the answer another procedure gives everyone in ``waiters``: the adapter adds
    one callable that resumes this procedure with it."""

    waiters: list[Callable[[Any], None]]


@dataclass(frozen=True)
class Ready:
    """The lines are brought up: whoever waits for the driver's start may go on."""


Effect = (
    Request
    | ListEntries
    | AbandonLists
    | TakeLicence
    | GiveBackLicence
    | Publish
    | KeepLines
    | Start
    | Join
    | Turn
    | Wait
    | Ready
)
Procedure = Generator[Effect, Any, T]
Outcome = tuple[bool, Any]


class ListUnfinished(Exception):
    """The PBX acknowledged a list and never sent its last segment."""


class LinesNotKept(OSError):
    """Lines loaded from the PBX work, but the line store could not take them."""


class BringUp:
    """The lifecycle of one driver's lines, as procedures (see the module's docstring).

    ``usable`` says whether requests can reach the PBX now (the association is up and the PBX
    behind it); ``auto_load`` makes each listed station a line while there is none;
    ``read_names`` asks the PBX for its extensions' names; ``retry_interval`` is how often
    the adapter runs :meth:`retry_monitors` (0: never).
    """

    log = Logger()

    def __init__(
        self,
        lines: Lines,
        engine: CallEngine,
        admin: Administration | None = None,
        *,
        usable: Callable[[], bool],
        auto_load: bool = True,
        read_names: bool = True,
        retry_interval: float = 30.0,
    ) -> None:
        self.lines = lines
        self.engine = engine
        self.admin = admin
        self.usable = usable
        self.auto_load = auto_load
        self.read_names = read_names
        self.retry_interval = retry_interval
        #: Why the device list was not read, until it is.
        self.load_error: str | None = None
        self._opening: set[str] = set()
        #: Lines being opened whose licence a close gave back meanwhile.
        self._given_back: set[str] = set()
        #: Lines whose licence the pool is being asked for again, with who waits for the answer.
        self._relicensing: dict[str, list[Callable[[Any], None]]] = {}
        #: Licences of closed (or removed) lines that the pool could not record as given back,
        #: by line, with the pool's error: the pool counts them as in use until
        #: :meth:`retry_monitors` gives them back, the line takes one again, or the driver stops.
        self.unreturned: dict[str, str] = {}

    # -- the PBX comes and goes ---------------------------------------------------------------

    def pbx_changed(self) -> Procedure[None]:
        """The link came up, or the PBX behind it came or went: the lines are brought up
        when requests can reach the PBX, and are out of service while they cannot."""
        if self.usable():
            yield from self.bring_up()
        else:
            yield from self.out_of_service("PBX not available")

    def bring_up(self) -> Procedure[None]:
        """The PBX became usable: read its device list, open every open line, and read again
        the calls of lines whose monitor outlived its absence."""
        yield from self.load_device_list()
        yield from self.open_all()
        yield from self._together(
            [
                self._resume(line)
                for line in self.lines
                if line.monitor is not None and not line.in_service and line.licence_error is None
            ]
        )
        yield Ready()

    def load_device_list(self) -> Procedure[None]:
        """Read the device list, adding lines from it while there are none (``auto_load``).

        A failure is kept in :attr:`load_error` and logged; a PBX without the device list (or
        one that never finishes it) still gets its configured lines monitored.
        """
        try:
            yield from self.load_lines(add=self.auto_load and len(self.lines) == 0)
        except Exception as error:
            self.load_error = f"device list not read: {describe_failure(error)}"
            self.log.warn("could not read the PBX's device list: {error}", error=self.load_error)
            return
        self.load_error = None if len(self.lines) else "the PBX lists no station to take as a line"

    def _resume(self, line: Line) -> Procedure[None]:
        """A line whose monitor outlived the PBX's absence (a mux restores it): its calls are
        read again, then it is in service."""
        yield from self.snapshot_line(line)
        if line.monitor is not None and self.usable():
            yield Publish(self.engine.set_in_service(line, True))

    def out_of_service(self, reason: str) -> Procedure[None]:
        """Every line out of service, for ``reason``."""
        out: list[Message] = []
        for line in self.lines:
            out.extend(self.engine.set_in_service(line, False, reason=reason))
        yield Publish(out)

    def link_lost(self) -> Procedure[None]:
        """Every monitor ended with the link, no list being read will finish, and every line
        is out of service until the next association."""
        self.lines.forget_all_monitors()
        yield AbandonLists()
        yield from self.out_of_service("link lost")

    # -- the device list ----------------------------------------------------------------------

    def load_lines(
        self, add: bool = True, category: str = "station"
    ) -> Procedure[list[ListedDevice]]:
        """Ask the PBX for its stations; learn numbers, Super-Twin pairs and (optionally) names.

        With ``add``, a line is created for every station not yet a line (and kept in the line
        store); :meth:`open_all` opens them.
        """
        devices, created = yield from self._learn_devices(add, category)
        if created and self.admin is not None:
            yield KeepLines(_kept(created))
        return devices

    def query_lines(self) -> Procedure[list[ListedDevice]]:
        """What an operator's query asks: every station the PBX lists made a line and opened.

        The lines created work whether or not the line store takes them; when it cannot, the
        query ends in :class:`LinesNotKept` once they are open, so that whoever asked learns
        that a restart forgets them (the driver's problems name it too).
        """
        devices, created = yield from self._learn_devices(True, "station")
        not_kept = None
        if created and self.admin is not None:
            try:
                yield KeepLines(_kept(created), wait=True)
            except OSError as error:
                not_kept = LinesNotKept(
                    "lines loaded from the PBX work but are lost at a restart"
                    f" ({len(created)} not kept): {error}"
                )
        yield from self.open_all()
        if not_kept is not None:
            raise not_kept
        return devices

    def _learn_devices(
        self, add: bool, category: str
    ) -> Procedure[tuple[list[ListedDevice], list[Line]]]:
        """The devices the PBX lists, learnt (see :meth:`load_lines`), and the lines made of
        them with ``add``, not kept yet."""
        devices = yield from self._system_data(device_list_request(category))
        if self.read_names:
            devices = yield from self._named(devices)
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
                out.append((yield from self._twin_found(line)))
        yield Publish(out)
        if add:
            wanted = [
                device
                for device in devices
                if device.number not in self.lines
                and device.device_number != directory.twins.get(device.number, -1)
                and (self.admin is None or self.admin.takes_device(_listed(device)))
            ]
            created = yield from self._in_turns(wanted, self._create_line)
            return devices, created
        return devices, []

    def _create_line(self, device: ListedDevice) -> Procedure[Line]:
        line = self.lines.add(device.number)
        yield Publish([messages.line_create(line)])
        return line

    def _system_data(self, request: dict[str, Any]) -> Procedure[list[ListedDevice]]:
        """The entries of a KME system data request, once its last linked reply is in."""
        result = yield Request("escape", request)
        cross_ref = pos_ack(result)
        if cross_ref is None:
            raise CSTAOperationError(
                {"error": "badReply", "message": "the PBX did not acknowledge the list"}
            )
        devices: list[ListedDevice] = yield ListEntries(cross_ref)
        return devices

    def _named(self, devices: list[ListedDevice]) -> Procedure[list[ListedDevice]]:
        """``devices`` with the names the PBX gives its extensions.

        A PBX that refuses the request (one older than CTI V1.1, say) or does not finish the
        names leaves ``devices`` as they are: names then come from the configuration.
        """
        try:
            named = yield from self._system_data(extension_names_request())
        except (LinkError, CSTAOperationError, ListUnfinished) as error:
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

    # -- opening a line -----------------------------------------------------------------------

    def open_all(self) -> Procedure[None]:
        """Open every open line not monitored, all at once but for the reactor's turns."""
        wanted = [line for line in self.lines if line.opened and line.monitor is None]
        opening = yield from self._in_turns(wanted, lambda line: self._start(self.open_line(line)))
        yield from self._joined(opening)

    def open_later(self, line: Line) -> Procedure[None]:
        """Open ``line`` while the PBX cannot be reached: the next association (or the monitor
        retry) brings it up."""
        yield Publish(self.engine.line_event(line, LineEvent.OPEN))

    def open_line(self, line: Line) -> Procedure[bool]:
        """Monitor ``line``, read its forwarding, resync its calls, and put it in service.

        The licence is taken before the MonitorStart, so that lines without one cost the PBX
        nothing; a line the PBX refused last time is asked for first instead, so that its
        retries never hold a licence that a line the PBX monitors could take meanwhile.
        """
        yield Publish(self.engine.line_event(line, LineEvent.OPEN))
        if line.number in self._opening or line.monitor is not None:
            return line.monitor is not None
        self._opening.add(line.number)
        try:
            refused_before = line.monitor_error is not None and line.licence_error is None
            if not refused_before and not (yield from self._take_licence(line)):
                return False
            try:
                result = yield Request(
                    "monitorStart", {"monitorObject": ("deviceObject", device_id(line.device))}
                )
            except LinkError as error:
                yield from self._monitor_refused(line, error)
                return False
            cross_ref = result.get("crossRefIdentifier") if isinstance(result, dict) else None
            if not isinstance(cross_ref, bytes):
                missing = ValueError("MonitorStart result without crossRefID")
                yield from self._monitor_refused(line, missing)
                return False
            if self.lines.get(line.number) is not line or not line.opened:
                yield from self._stop_monitor(cross_ref)
                return False
            # A line refused before has no licence yet; nor has one closed and opened again
            # while its MonitorStart was under way, as its close gave the licence back.
            try:
                taken = line.licensed or (yield from self._take_licence(line))
            except LicenceError:
                yield from self._stop_monitor(cross_ref)
                raise
            if not taken:
                yield from self._stop_monitor(cross_ref)
                return False
            line.monitor_error = None
            self.lines.bind_monitor(line, cross_ref)
            yield from self.monitor_twin(line)
            yield from self._read_forwarding(line)
            yield from self.snapshot_line(line)
            yield Publish(self.engine.set_in_service(line, True))
            return True
        finally:
            self._opening.discard(line.number)
            self._given_back.discard(line.number)

    def _take_licence(self, line: Line) -> Procedure[bool]:
        """Take the line's licence from the pool; False if the line was closed meanwhile (its
        give-back follows in the pool's order). A refusal is raised, and the line says why.

        A line closed and opened again while the pool was asked takes its licence again: the
        close's give-back came after this take in the pool's order, so the pool holds none.
        """
        if self.admin is None:
            return True
        while True:
            self._given_back.discard(line.number)
            try:
                until = yield TakeLicence(line.number)
            except (LicenceError, OSError) as error:
                refusal = _refusal(error)
                line.monitor_error = line.licence_error = str(refusal)
                self.log.warn("line {line}: {error}", line=line.number, error=refusal)
                yield Publish(self.engine.set_in_service(line, False, reason=str(refusal)))
                raise refusal from None
            if not line.opened:
                return False
            if line.number not in self._given_back:
                break
        line.licensed, line.licensed_until, line.licence_error = True, until, None
        self.unreturned.pop(line.number, None)
        return True

    def _monitor_refused(self, line: Line, error: BaseException) -> Procedure[None]:
        """The line stays open, out of service, and is tried again; its licence goes back to
        the pool meanwhile, so that lines the PBX refuses (a mistyped number) never use up the
        licences of lines it would monitor. The retry takes one again. The line says why it is
        out of service first, should the pool fail to take the licence back."""
        line.monitor_error = describe_failure(error).body.get("message")
        self.log.warn(
            "line {line}: MonitorStart refused ({error}); retried every {s} s",
            line=line.number,
            error=line.monitor_error,
            s=self.retry_interval,
        )
        yield Publish(self.engine.set_in_service(line, False, reason=line.monitor_error))
        yield from self._give_back_licence(line)

    def twin_found(self, line: Line) -> Procedure[None]:
        """An event showed the line's Super-Twin DECT (see :meth:`_twin_found`)."""
        yield Publish([(yield from self._twin_found(line))])

    def _twin_found(self, line: Line) -> Procedure[Message]:
        """The line's Super-Twin DECT came to light: monitor it (once the line itself is
        monitored), and tell applications that the line's Mobile address is now in use."""
        yield Start(self.monitor_twin(line), "monitoring a Super-Twin DECT")
        return messages.line_dev_state(
            line.number, LineDevState.LINEDEVSTATE_REINIT, reason="Super-Twin DECT found"
        )

    def monitor_twin(self, line: Line) -> Procedure[None]:
        """Monitor the line's Super-Twin DECT too: once the DECT has answered, the desk phone
        is no longer in the call and its monitor hears nothing more of it."""
        if line.twin is None or line.twin_monitor is not None or line.monitor is None:
            return
        try:
            result = yield Request(
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

    def _read_forwarding(self, line: Line) -> Procedure[None]:
        for address in [a["address"] for a in line.addresses if line.usable(a["address"])]:
            try:
                result = yield Request(
                    "getForwarding", {"device": device_id(line.address_device(address))}
                )
            except LinkError as error:
                self.log.info(
                    "line {line}: no forwarding status ({error})", line=line.number, error=error
                )
                continue
            entries = result.get("forwardingList", []) if isinstance(result, dict) else []
            yield Publish(self.engine.forwarding_list(line, address, entries))

    def snapshot_line(self, line: Line) -> Procedure[None]:
        """Bring the line's calls in line with a SnapshotDevice of its phone."""
        try:
            result = yield Request("snapshotDevice", {"snapshotObject": device_id(line.device)})
        except LinkError as error:
            self.log.info("line {line}: snapshot failed ({error})", line=line.number, error=error)
            return
        data = result.get("crossRefIDorSnapshotData") if isinstance(result, dict) else None
        if not isinstance(data, tuple) or data[0] != "snapshotData":
            return
        entries = list(data[1])
        if line.twin is not None:
            try:
                twin = yield Request("snapshotDevice", {"snapshotObject": device_id(line.twin)})
                twin_data = twin.get("crossRefIDorSnapshotData")
                if isinstance(twin_data, tuple) and twin_data[0] == "snapshotData":
                    entries.extend(twin_data[1])
            except LinkError:
                pass
        yield Publish(self.engine.resync(line, entries))

    # -- licences -----------------------------------------------------------------------------

    def licence_problem(self, line: Line) -> Procedure[str | None]:
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
            if not (yield from self._relicense(line)):
                reason = line.licence_error or "it ran out, and the pool could not be asked again"
                return f"no licence for line {line.number}: {reason}"
        if line.licensed:
            return None
        reason = line.licence_error or "it is not monitored, so it holds none"
        return f"no licence for line {line.number}: {reason}"

    def _relicense(self, line: Line) -> Procedure[bool]:
        """Ask the pool again for the licence of a monitored line; whether it granted one.

        The pool is asked once per line at a time: requests that need the answer meanwhile
        wait for the same one. The line says when it goes out of or back in service.
        """
        waiting = self._relicensing.get(line.number)
        if waiting is not None:
            answer: bool = yield Wait(waiting)
            return answer
        waiting = self._relicensing[line.number] = []
        had = line.licensed
        granted = False
        # Whatever happens, the line is asked for again next time and who waits is answered
        # (False if this ends in an error), or they would wait for good.
        try:
            try:
                line.licensed_until = yield TakeLicence(line.number)
            except (LicenceError, OSError) as error:
                line.licensed, line.licence_error = False, str(_refusal(error))
            else:
                line.licensed, line.licence_error = True, None
            if had and not line.licensed:
                self.log.warn("line {line}: {error}", line=line.number, error=line.licence_error)
                yield Publish(self.engine.set_in_service(line, False, reason=line.licence_error))
            elif line.licensed and not had and line.monitor is not None:
                yield Publish(self.engine.set_in_service(line, True))
            granted = line.licensed
        finally:
            del self._relicensing[line.number]
            for wake in waiting:
                wake(granted)
        return granted

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

    def _give_back_licence(self, line: Line) -> Procedure[None]:
        line.licensed = False
        if self.admin is not None:
            yield from self._give_back(line.number)

    def _give_back(self, number: str) -> Procedure[None]:
        """The licence of line ``number`` back to the pool; one the pool cannot take back (its
        files cannot be written, another process holds its lock) is kept in
        :attr:`unreturned`, so that the driver's problems name it and the retry tries again."""
        try:
            yield GiveBackLicence(number)
        except (LicenceError, OSError) as error:
            if number not in self.unreturned:  # the retry tries again each period: said once
                self.log.warn(
                    "line {line}: licence {what}: {error}",
                    line=number,
                    what=NOT_RETURNED,
                    error=error,
                )
            self.unreturned[number] = str(error)
        else:
            self.unreturned.pop(number, None)

    # -- closing, adding, removing ------------------------------------------------------------

    def close_line(self, line: Line) -> Procedure[None]:
        """Stop monitoring ``line``: its calls are forgotten, it reports LINEDEVSTATE_CLOSE.
        Its licence goes back at once, in the pool's order, while its monitors stop; the close
        ends once the pool has answered, and a pool that could not take the licence back
        leaves the line closed all the same (see :attr:`unreturned`)."""
        yield Publish(self.engine.line_event(line, LineEvent.CLOSE))
        if line.number in self._opening:
            self._given_back.add(line.number)
        giving_back = yield from self._start(self._give_back_licence(line))
        monitors = [m for m in (line.monitor, line.twin_monitor) if m is not None]
        self.lines.forget_monitor(line)
        for cross_ref in monitors:
            yield from self._stop_monitor(cross_ref)
        out: list[Message] = []
        for call in list(line.calls.values()):
            out.extend(self.engine.drop_placeholder(call))
        out.append(messages.line_dev_state(line.number, LineDevState.LINEDEVSTATE_CLOSE))
        yield Publish(out)
        [(given_back, failure)] = yield Join([giving_back])
        if not given_back:
            raise failure

    def _stop_monitor(self, cross_ref: bytes) -> Procedure[None]:
        try:
            yield Request("monitorStop", {"crossRefIdentifier": cross_ref})
        except LinkError as error:
            self.log.info("MonitorStop failed: {error}", error=error)

    def add_line(self, number: str, name: str = "") -> Procedure[Line]:
        """A new line, opened at once when the PBX can be reached."""
        line = self.lines.add(number, name)
        yield Publish([messages.line_create(line)])
        if self.usable():
            try:
                yield from self.open_line(line)
            except LicenceError:
                pass  # the line exists, closed for want of a licence: its monitorError says so
        return line

    def remove_line(self, line: Line) -> Procedure[None]:
        yield from self.close_line(line)
        self.lines.remove(line.number)
        yield Publish([messages.line_remove(line.number)])

    # -- the periodic jobs --------------------------------------------------------------------

    def snapshot_all(self) -> Procedure[None]:
        """The periodic validation: every monitored line against a snapshot."""
        if self.usable():
            yield from self._together(
                [self.snapshot_line(line) for line in self.lines if line.monitor is not None]
            )

    def retry_monitors(self) -> Procedure[None]:
        """The periodic retry of licences the pool could not take back (whether or not the
        PBX can be reached), then of MonitorStarts the PBX refused, of a device list that could
        not be read, and of the licences of monitored lines that have none or whose trial
        licence has run out."""
        returning = [
            self._give_back(number)
            for number in list(self.unreturned)
            if (line := self.lines.get(number)) is None or not line.opened
        ]
        if returning:
            yield from self._together(returning)
        if not self.usable():
            return
        if self.load_error is not None:
            yield from self.bring_up()
            return
        relicensing = [
            self._relicense(line)
            for line in self.lines
            if line.opened and line.monitor is not None and self._relicensable(line)
        ]
        yield from self._together(
            relicensing
            + [self.open_line(line) for line in self.lines if line.opened and line.monitor is None]
        )

    # -- running procedures alongside ---------------------------------------------------------

    @staticmethod
    def _start(procedure: Procedure[Any]) -> Procedure[object]:
        handle: object = yield Start(procedure)
        return handle

    def _together(self, procedures: list[Procedure[Any]]) -> Procedure[list[Outcome]]:
        """Run ``procedures`` alongside one another until every one has ended; a failure ends
        only its own."""
        handles = []
        for procedure in procedures:
            handles.append((yield from self._start(procedure)))
        outcomes = yield from self._joined(handles)
        return outcomes

    def _joined(self, handles: list[object]) -> Procedure[list[Outcome]]:
        """Wait for the procedures started as ``handles``; the failure of any is logged, as
        nobody else hears of it (a licence refused is already, with its line)."""
        outcomes: list[Outcome] = yield Join(handles)
        for ok, error in outcomes:
            if not ok and not isinstance(error, LicenceError):
                self.log.failure("a line's bring-up, retry or snapshot failed", Failure(error))
        return outcomes

    def _in_turns(self, items: list[T], work: Callable[[T], Procedure[R]]) -> Procedure[list[R]]:
        """``work`` on each item, handing the reactor back after every :data:`TURN` items."""
        done: list[R] = []
        for start in range(0, len(items), TURN):
            if start:
                yield Turn()
            for item in items[start : start + TURN]:
                done.append((yield from work(item)))
        return done


def _kept(lines: list[Line]) -> tuple[StoredLine, ...]:
    return tuple(StoredLine(line.number, line.name) for line in lines)


def _refusal(error: LicenceError | OSError) -> LicenceError:
    """The pool's refusal, or a file error that kept it from answering (a full disk, a
    permission) as a refusal that names it: the line says why it has no licence either way."""
    if isinstance(error, LicenceError):
        return error
    return LicenceStateError(f"the licence pool cannot be used: {error}")


def _listed(device: ListedDevice) -> PbxDevice:
    """A listed device as the line filter sees it: SIP is any class but desk phone and DECT."""
    known = device.device_number is None or device_class(device.device_number) in (
        WIRED_STATION,
        DECT_PORTABLE,
    )
    return PbxDevice(device.number, device.name or "", sip=not known)
