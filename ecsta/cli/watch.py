"""``ecsta watch DEVICE``: monitor one device through the mux (or a PBX) and print its events.

The command associates exactly as a CSTA application does (the mux sees one more
application; a PBX would see its one client, so point it at a PBX only when nothing else is
connected), starts a monitor on the device and prints each event as one line::

    10:30:02 delivered          call 0001 at 102  alerting=102 calling=101 called=102 ...

until Ctrl-C, ``--count`` events or ``--seconds``. On the way out it stops the monitor. Events
go to standard output, one flushed line each, so that the output can be piped; what the command
itself has to say goes to standard error. Exit status: 0 when it watched until told to stop, 1
when the connection, the login or the monitor failed or the link was lost, 2 for usage errors.
"""

import argparse
import getpass
import os
import re
import time
from typing import Any, ClassVar, TextIO

from twisted.internet import defer
from twisted.internet.defer import Deferred
from twisted.internet.error import ReactorNotRunning
from twisted.internet.interfaces import IDelayedCall, IReactorTime, IStreamClientEndpoint
from twisted.python.failure import Failure

from ecsta.daemon.endpoints import EndpointError, client_endpoint
from ecsta.link.errors import (
    AssociationRejected,
    LinkError,
    LoginRefused,
    OperationFailed,
    describe_connect_failure,
)
from ecsta.link.protocol import CSTAClientProtocol, Responder
from ecsta.link.service import PBXClientFactory, endpoint_address
from ecsta.wire.opcodes import Opcode
from ecsta.wire.responders import Responders

DEFAULT_PBX = "tcp:host=127.0.0.1:port=33333"
#: Seconds the monitorStop on the way out may take before the connection is just closed.
STOP_TIMEOUT = 3.0
#: ACSE diagnostics of a refused association, as an operator reads them.
REFUSALS = {
    14: "a login is required: give --user",
    1: "the service is full or refused the association",
}
_DEVICE_NUMBER = re.compile(r"0[xX][0-9a-fA-F]{1,8}")
_DIALING_NUMBER = re.compile(r"[0-9*#+A-Da-d]{1,64}")
#: CHOICE alternatives that stand for "no device": nothing to print.
_NO_DEVICE = frozenset({"notKnown", "notRequired", "restricted", "notSpecified", "notDefined"})


def device_argument(text: str) -> dict[str, Any]:
    """The DeviceID of a command-line device: ``101``, or a deviceNumber as ``0x01210001``."""
    if _DEVICE_NUMBER.fullmatch(text):
        return {"deviceIdentifier": ("deviceNumber", int(text, 16))}
    if _DIALING_NUMBER.fullmatch(text):
        return {"deviceIdentifier": ("dialingNumber", text)}
    raise ValueError(
        f"{text!r} is not a device: give a dialling number (101) or a deviceNumber (0x01210001)"
    )


def device_text(value: Any) -> str | None:
    """How a device reads in a summary ("101", "0x01210001"); None for an absent device."""
    while True:
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
            name, inner = value
            if name in _NO_DEVICE:
                return None
            if name == "dialingNumber" and isinstance(inner, str):
                return inner
            if name == "deviceNumber" and isinstance(inner, int):
                return f"0x{inner:08x}"
            if name == "other" and isinstance(inner, bytes):
                return "0x" + inner.hex()
            value = inner
        elif isinstance(value, dict) and "deviceIdentifier" in value:
            value = value["deviceIdentifier"]
        else:
            return None


def connection_text(value: Any) -> str | None:
    """A ConnectionID as "call 0001 at 102" (either half may be missing); None if not one."""
    if not (isinstance(value, tuple) and len(value) == 2):
        return None
    form, inner = value
    if form == "callID" and isinstance(inner, bytes):
        return f"call {inner.hex()}"
    if form == "deviceID":
        device = device_text(inner)
        return None if device is None else f"at {device}"
    if form == "both" and isinstance(inner, dict):
        parts = []
        if isinstance(inner.get("callID"), bytes):
            parts.append(f"call {inner['callID'].hex()}")
        device = device_text(inner.get("deviceID"))
        if device is not None:
            parts.append(f"at {device}")
        return " ".join(parts) or None
    return None


def _is_connection_field(name: str) -> bool:
    return name == "connection" or name.endswith("Connection") or name.endswith("OldCall")


def _field_text(name: str, value: Any) -> str | None:
    if _is_connection_field(name):
        text = connection_text(value)
        return None if text is None else text.removeprefix("call ")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list):
        return str(len(value))
    return device_text(value)


def summary(argument: dict[str, Any], when: float) -> str:
    """One cSTAEventReport argument as one line: time, event, call and device, then details."""
    stamp = time.strftime("%H:%M:%S", time.localtime(when))
    info = argument.get("eventSpecificInfo")
    if not (isinstance(info, tuple) and isinstance(info[1], tuple)):
        return f"{stamp} event (undecoded)"
    name, fields = info[1]
    parts = [f"{stamp} {name:<18}"]
    rest = []
    primary = None
    for key, value in fields.items() if isinstance(fields, dict) else []:
        if key == "extensions":
            continue
        if primary is None and _is_connection_field(key):
            primary = connection_text(value)
            if primary is not None:
                parts.append(primary)
                continue
        text = _field_text(key, value)
        if text is None:
            continue
        label = "state" if key == "localConnectionInfo" else key.removesuffix("Device") or key
        rest.append(f"{label}={text}")
    line = " ".join(parts)
    return f"{line}  {' '.join(rest)}" if rest else line


class WatchProtocol(CSTAClientProtocol):
    """The association of ``ecsta watch``: events go to the watcher, the rest is refused."""

    def __init__(self, clock: IReactorTime, *, watcher: "Watcher", **kwargs: Any) -> None:
        super().__init__(clock, **kwargs)
        self.watcher = watcher

    responders: ClassVar[Responders[Responder]] = Responders()

    @responders(Opcode.cSTAEventReport)
    def _event_report(self, argument: dict[str, Any]) -> None:
        self.watcher.event(argument)

    @responders(Opcode.monitorStop)
    def _monitor_stopped(self, argument: dict[str, Any]) -> Any:
        self.watcher.finish(1, "the PBX ended the monitor")
        return ("noData", None)

    def systemStatusChanged(self, argument: dict[str, Any]) -> None:
        self.watcher.status(str(argument.get("systemStatus")))

    def connectionLost(self, reason: Any = None) -> None:
        super().connectionLost(reason)
        self.watcher.finish(1, "the link was lost")


class Watcher:
    """One run of ``ecsta watch``: connect, monitor, print events until told to stop."""

    def __init__(
        self,
        reactor: Any,
        endpoint: IStreamClientEndpoint,
        device: str,
        out: TextIO,
        err: TextIO,
        *,
        user: str | None = None,
        password: str | None = None,
        count: int | None = None,
        seconds: float | None = None,
    ) -> None:
        self.reactor = reactor
        self.endpoint = endpoint
        self.device = device
        self.out = out
        self.err = err
        self.user = user
        self.password = password
        self.count = count
        self.seconds = seconds
        self.events = 0
        self.proto: WatchProtocol | None = None
        self.cross_ref: bytes | None = None
        #: Fires with None once the monitor runs (tests and scripts wait for it).
        self.monitoring: Deferred[None] = Deferred()
        self._done: Deferred[int] = Deferred()
        self._timer: IDelayedCall | None = None
        self._last_status = "normal"
        self._over = False
        self._ended: list[Deferred[None]] = []

    async def run(self) -> int:
        """Watch until done; the exit status."""
        try:
            return await self._watch()
        finally:
            self._over = True
            for ended in self._ended:
                if not ended.called:
                    ended.callback(None)

    async def _watch(self) -> int:
        argument = device_argument(self.device)
        factory = PBXClientFactory(
            self.reactor, WatchProtocol, watcher=self, user=self.user, password=self.password
        )
        try:
            connected = await self.endpoint.connect(factory)
        except Exception as error:
            address = endpoint_address(self.endpoint)
            return self._fail(f"cannot connect to {address}: {describe_connect_failure(error)}")
        assert isinstance(connected, WatchProtocol)
        self.proto = connected
        try:
            await connected.ready
            result = await connected.invoke(
                "monitorStart", {"monitorObject": ("deviceObject", argument)}
            )
        except LoginRefused as error:
            return self._fail(str(error))
        except AssociationRejected as error:
            code = error.diagnostic[1] if isinstance(error.diagnostic, tuple) else None
            return self._fail(
                REFUSALS.get(code, str(error)) if isinstance(code, int) else str(error)
            )
        except OperationFailed as error:
            return self._fail(f"the PBX refused to monitor {self.device}: {_failure(error.error)}")
        except LinkError as error:
            return self._fail(str(error))
        if self._done.called:  # the link went while the monitor was starting
            return await self._done
        self.cross_ref = result.get("crossRefIdentifier") if isinstance(result, dict) else None
        reference = self.cross_ref.hex() if isinstance(self.cross_ref, bytes) else "?"
        self.err.write(f"monitoring {self.device} (crossRefIdentifier {reference}); Ctrl-C ends\n")
        self.err.flush()
        if self.seconds is not None:
            self._timer = self.reactor.callLater(self.seconds, self.finish, 0)
        self.monitoring.callback(None)
        status = await self._done
        if status == 0:
            await self._stop_monitor()
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        if not connected.closed and connected.transport is not None:
            connected.transport.loseConnection()
        return status

    def _fail(self, message: str) -> int:
        self.err.write(f"ecsta watch: {message}\n")
        if not self._done.called:
            self._done.callback(1)  # the closing link has nothing more to report
        if self.proto is not None and not self.proto.closed:
            self.proto.abort()
        return 1

    async def _stop_monitor(self) -> None:
        proto = self.proto
        if proto is None or proto.closed or self.cross_ref is None:
            return
        try:
            await proto.invoke(
                "monitorStop", {"crossRefIdentifier": self.cross_ref}, timeout=STOP_TIMEOUT
            )
        except LinkError as error:
            self.err.write(f"ecsta watch: the monitor was not stopped cleanly: {error}\n")

    def event(self, argument: dict[str, Any]) -> None:
        if self._done.called:
            return
        self.out.write(summary(argument, self.reactor.seconds()) + "\n")
        self.out.flush()
        self.events += 1
        if self.count is not None and self.events >= self.count:
            self.finish(0)

    def status(self, status: str) -> None:
        if status != self._last_status:
            self.err.write(f"system status: {status}\n")
            self.err.flush()
            self._last_status = status

    def finish(self, status: int, why: str | None = None) -> None:
        """End the watch with an exit status (and a reason on standard error)."""
        if self._done.called:
            return
        if why is not None:
            self.err.write(f"ecsta watch: {why}\n")
        self._done.callback(status)

    def interrupted(self) -> Deferred[None]:
        """Ctrl-C or SIGTERM: stop watching; fires once the monitor is stopped."""
        if not self.monitoring.called and self.proto is not None and not self.proto.closed:
            self.proto.abort()
        self.finish(0)
        ended: Deferred[None] = Deferred()
        self._ended.append(ended)
        if self._over:
            ended.callback(None)
        # A connection attempt to a host that does not answer must not hold the exit up.
        ended.addTimeout(STOP_TIMEOUT + 1.0, self.reactor)
        ended.addErrback(_given_up)
        return ended


def _given_up(failure: Failure) -> None:
    failure.trap(defer.TimeoutError)


def _failure(value: Any) -> str:
    while isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        if not isinstance(value[1], tuple):
            return f"{value[0]} {value[1]}"
        value = value[1]
    return str(value)


def _password(args: argparse.Namespace) -> str | None:
    """The login's password: --password, $ECSTA_PASSWORD, or asked for when --user is given."""
    if args.user is None:
        return None
    if args.password is not None:
        return str(args.password)
    from_environment = os.environ.get("ECSTA_PASSWORD")
    if from_environment is not None:
        return from_environment
    return getpass.getpass(f"password of {args.user}: ")


def run_watch(reactor: Any, watcher: Watcher) -> int:
    """Run the reactor until the watch ends; Ctrl-C and SIGTERM end it cleanly."""
    outcome: list[int] = []

    def start() -> None:
        d = Deferred.fromCoroutine(watcher.run())
        d.addErrback(crashed)
        d.addCallback(finished)

    def crashed(failure: Failure) -> int:
        watcher.err.write(f"ecsta watch: {failure.getErrorMessage()}\n")
        return 1

    def finished(status: int) -> None:
        outcome.append(status)
        try:
            reactor.stop()
        except ReactorNotRunning:
            pass  # already shutting down: Ctrl-C came first

    reactor.addSystemEventTrigger("before", "shutdown", watcher.interrupted)
    reactor.callWhenRunning(start)
    reactor.run()
    return outcome[0] if outcome else 0


def watch_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from twisted.internet import reactor

    try:
        device_argument(args.device)
        endpoint = client_endpoint(reactor, args.pbx)
    except (ValueError, EndpointError) as error:
        err.write(f"ecsta watch: {error}\n")
        return 2
    if args.count is not None and args.count < 1:
        err.write("ecsta watch: --count must be 1 or more\n")
        return 2
    if args.seconds is not None and args.seconds <= 0:
        err.write("ecsta watch: --seconds must be more than 0\n")
        return 2
    watcher = Watcher(
        reactor,
        endpoint,
        args.device,
        out,
        err,
        user=args.user,
        password=_password(args),
        count=args.count,
        seconds=args.seconds,
    )
    return run_watch(reactor, watcher)


def register(subcommands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subcommands.add_parser(
        "watch",
        help="print a device's events as they happen",
        description="Monitor DEVICE through the mux (or a PBX) and print each of its events as"
        " one line until Ctrl-C (or SIGTERM), --count or --seconds; the monitor is stopped on"
        " the way out. Exit status 0 when stopped, 1 when the connection, login or monitor"
        " failed or the link was lost, 2 for usage errors.",
        epilog="examples: ecsta watch 101; ecsta watch --pbx tls:host=mux.example:port=33334"
        " --user crm 0x01210001; ecsta watch 101 --count 10",
    )
    parser.add_argument("device", help="dialling number (101) or deviceNumber (0x01210001)")
    parser.add_argument(
        "--pbx",
        default=DEFAULT_PBX,
        metavar="ENDPOINT",
        help=f"the mux or PBX: tcp:host=H:port=N or tls:host=H:port=N (default {DEFAULT_PBX})",
    )
    parser.add_argument("--user", help="login at the mux (required on its TLS port)")
    parser.add_argument(
        "--password",
        help="the login's password (default: $ECSTA_PASSWORD, else asked for)",
    )
    parser.add_argument("--count", type=int, metavar="N", help="stop after N events")
    parser.add_argument("--seconds", type=float, metavar="S", help="stop after S seconds")
    parser.set_defaults(handler=watch_command)
