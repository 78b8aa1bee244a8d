"""The simulator's CSTA side: the switch behind a Panasonic-style CSTA association.

:class:`SimulatorFactory` owns one :class:`~ecsta.sim.switch.Switch` and everything that outlives
a connection (the reactor clock that drives the switch's timers, the CDR queue, counters, link
faults); :class:`SimulatorProtocol` is one association, as :class:`CSTAServerProtocol` makes it
(exact AARE, systemStatus keep-alive with invokeId 1 first).

What a client sees, beyond the link:

* **One association at a time.** A second client, or any client while associations are being
  refused (``POST /api/link/refuse``), gets its AARQ answered with an AARE rejected-transient
  (result 2, acse-service-user diagnostic 1 no-reason-given) and the connection closed. TCP is
  accepted either way, so the refusal is visible in the bytes rather than as a timeout.
* **Services.** Call control, features, snapshots and data collection go to
  :class:`~ecsta.sim.services.CstaServices`; monitors, the escape device list, device lists,
  system status and CDR are served here. Failures are returnError universalFailure, as the
  switch gives them. Operations that only a PBX sends (event reports, cDRReport, ...) are
  answered with ``operation serviceNotSupported``; cSTAEventReport, which nobody answers, is
  ignored.
* **Events** go to every monitor of the device they concern, unless its MonitorFilter filters
  them out, after the answer to the request that caused them.
* **Monitors** of a device that is out of service are refused with
  ``systemResourceAvailability deviceOutOfService`` (an inference: no capture shows how a
  Panasonic PBX refuses them; an application retries once the device is back). A monitor
  started earlier stays, and hears the device go out of service and come back (outOfService,
  backInService).
* **Device lists.** The KME escape (PROTOCOL.md section 5) is answered with a returnResult
  carrying getSystemDataPosAck, then escape invokes with systemDataLinkedReply segments of
  ``segment_size`` entries. The extension names (systemData 41, an inference) come the same
  way, unless the configuration refuses them. getSwitchingFunctionDevices is answered with a
  serviceCrossRefID, then switchingFunctionDevices invokes, or refused with ``operation
  serviceNotSupported`` when configured so. When devices are added or removed,
  swFunctionDevicesChanged (213) is sent.
* **The switch ends things.** A removed device's monitors are ended with a monitorStop invoke
  per monitor (ECMA-269 lets the switching function end a monitor), and its data collection
  with a last dataCollected whose dcollCause is sfTerminated.
* **The PBX's own notices** (device-list segments, swFunctionDevicesChanged, dataCollected,
  monitorStop) are not waited for, but ECMA-285 has them answered, and Panasonic clients leave
  the device-list segments unanswered: an answer that comes within ``answer_timeout`` is
  accepted quietly, and so is none.
* **CDR.** After startCDRTransmission, one cDRReport per finished call, one at a time. Only a
  returnResult acknowledges a record; an error, a reject, no answer within the answer timeout
  or the loss of the association puts it back, to be sent again after ``cdr_resend_delay``
  (or at the next startCDRTransmission). Records wait in the switch while nobody takes them,
  up to ``cdr_buffer`` of them; past that the oldest waiting is dropped and counted.

Monitors, CDR transmission and data collections end with the association that started them.
"""

import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any, ClassVar, Protocol, TypeVar, cast

from twisted.internet.protocol import Factory, connectionDone
from twisted.logger import Logger
from twisted.python.failure import Failure

from ecsta.link.errors import LinkLost, OperationFailed, RequestTimeout
from ecsta.link.protocol import CSTAServerProtocol, Responder
from ecsta.sim.cdr import CdrRecord
from ecsta.sim.config import SimConfig
from ecsta.sim.devicelist import (
    ListedDevice,
    escape_linked_reply,
    escape_pos_ack,
    kme_name_segments,
    kme_segments,
    requested_kme_category,
    requested_system_data,
    sfd_segments,
)
from ecsta.sim.events import DeviceEvent
from ecsta.sim.failure import CstaError, out_of_service
from ecsta.sim.ids import device_id
from ecsta.sim.monitors import MonitorTable
from ecsta.sim.plan import Device, DeviceKind
from ecsta.sim.services import CstaServices
from ecsta.sim.switch import Switch
from ecsta.wire import apdu, ber
from ecsta.wire.asn1.kme import EXT_NAME_SYSTEM_DATA, KmeConditionCode
from ecsta.wire.errors import DecodeError
from ecsta.wire.opcodes import Opcode
from ecsta.wire.operations import lookup
from ecsta.wire.responders import Responders

__all__ = ["COUNTERS", "REFUSED_AARE", "SimulatorFactory", "SimulatorProtocol"]

#: What a client that cannot be associated now gets: rejected-transient, no-reason-given.
REFUSED_AARE = apdu.aare_rejected(2, 1)

NO_DATA = ("noData", None)
_NOT_SUPPORTED = ("operation", "serviceNotSupported")
_CONDITION_NAMES = {int(v): str(n) for n, v in KmeConditionCode.namedValues.items()}

T = TypeVar("T")

#: Every counter the control API shows, zero until it counts something: a monitoring tool sees
#: the same keys from the first poll on.
COUNTERS = (
    "pdus_in",
    "pdus_out",
    "rejects_sent",
    "malformed_in",
    "errors_returned",
    "associations",
    "associations_refused",
    "events_generated",
    "events_sent",
    "monitors_ended",
    "data_collected_sent",
    "cdr_reports_sent",
    "cdr_acknowledged",
    "cdr_refused",
)


class Scheduler(Protocol):
    """What the simulator needs of a reactor: IReactorTime, in terms mypy can check."""

    def seconds(self) -> float: ...

    def callLater(self, delay: float, f: Callable[..., Any], /, *args: Any, **kw: Any) -> Any: ...


class Delayed(Protocol):
    """A scheduled call, as IDelayedCall provides it."""

    def active(self) -> bool: ...

    def cancel(self) -> None: ...

    def reset(self, secondsLater: float) -> None: ...


log = Logger()


def listed(device: Device) -> ListedDevice:
    category = "networkInterface" if device.kind is DeviceKind.TRUNK else "station"
    return ListedDevice(
        device.device_number,
        device.number,
        device.in_service,
        category,
        device_id(device),
        device.name,
    )


class SimulatorProtocol(CSTAServerProtocol):
    """One CSTA association with the simulated PBX."""

    #: The operations the association itself serves (monitors, device lists, CDR); the call
    #: and feature services are the switch's (:class:`CstaServices`).
    responders: ClassVar[Responders[Responder]] = Responders()

    def __init__(self, factory: "SimulatorFactory") -> None:
        config = factory.config
        super().__init__(
            cast(Any, factory.clock),
            keepalive_interval=config.keepalive_interval,
            keepalive_misses=config.keepalive_misses,
            association_timeout=config.association_timeout,
            request_timeout=config.answer_timeout,
        )
        self.simulator = factory
        # Counted across associations, so that the control API shows the simulator's life.
        self.counters = factory.counters
        self._after_answer: list[tuple[int, Any]] = []

    # -- association ----------------------------------------------------------------------------

    def authorize(self, aarq: apdu.AARQ) -> bytes | None:
        if self.simulator.refusing():
            self.simulator.counters["associations_refused"] += 1
            self.log.info("{peer}: associations are being refused", peer=self.peer)
            return REFUSED_AARE
        current = self.simulator.association
        if current is not None and current is not self:
            self.simulator.counters["associations_refused"] += 1
            self.log.info(
                "{peer}: refused, {other} holds the association", peer=self.peer, other=current.peer
            )
            return REFUSED_AARE
        return None

    def associationEstablished(self) -> None:
        self.simulator.associated(self)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        if self.simulator.association is self:
            self.simulator.association_lost()
        super().connectionLost(reason)

    # -- input ----------------------------------------------------------------------------------

    def malformedReceived(self, error: DecodeError) -> None:
        """Count what is not a well-formed PDU; a well-formed invoke of an operation the switch
        does not serve, or with an argument that does not fit, is refused (``rejects_sent``)
        but is no garbage: a multiplexer passes such invokes on from its applications."""
        if isinstance(error, apdu.RejectableError) and error.reject[0] == "invoke":
            return
        self.counters["malformed_in"] += 1

    def invokeReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        self.simulator.advance()
        super().invokeReceived(pdu, peek)
        # The answer has gone out; what the request set off follows it.
        after, self._after_answer = self._after_answer, []
        for opcode, argument in after:
            self.tell(opcode, argument)
        self.simulator.pump()

    def tell(self, opcode: int, argument: Any) -> None:
        """Send one of the switch's own invokes, whose answer nobody waits for.

        An invoke that ECMA-285 has answered stays in flight for ``answer_timeout``, so that
        a client's answer is taken quietly instead of being logged as unexpected; the answer
        may as well not come (a Panasonic client leaves device-list segments unanswered). Each
        lives that long at most, so a busy switch holds no more of them than it sends in that
        time.
        """
        pdu = apdu.encode(apdu.Invoke(0, opcode, argument))
        if not lookup(opcode).answered:
            self.notify_raw(pdu)
            return
        d = self.invoke_raw(pdu, timeout=self.request_timeout)
        d.addErrback(lambda failure: failure.trap(RequestTimeout, LinkLost))

    def operationReceived(self, invoke: apdu.Invoke) -> Any:
        name = invoke.operation.name
        self.simulator.operation_counts[name] += 1
        responder = self.responders.get(invoke.opcode)
        try:
            if responder is not None:
                return responder(self, invoke.argument)
            if name not in self.simulator.services.operations:
                raise CstaError(*_NOT_SUPPORTED, name)
            return self.simulator.services.invoke(name, invoke.argument)
        except CstaError as error:
            self.simulator.counters["errors_returned"] += 1
            raise OperationFailed(error.universal_failure) from None

    @responders(Opcode.cSTAEventReport)
    def _event_report(self, argument: dict[str, Any]) -> None:
        self.log.info("{peer} sent an event report; ignored", peer=self.peer)

    @responders(Opcode.requestSysStat)
    def _request_status(self, argument: dict[str, Any]) -> dict[str, Any]:
        return {"systemStatus": self.system_status}

    @responders(Opcode.startDataCollection)
    def _start_data_collection(self, argument: dict[str, Any]) -> Any:
        result = self.simulator.services.invoke("startDataCollection", argument)
        self.simulator.collections.add(result["dcollCrossRefID"])
        return result

    @responders(Opcode.stopDataCollection)
    def _stop_data_collection(self, argument: dict[str, Any]) -> Any:
        result = self.simulator.services.invoke("stopDataCollection", argument)
        self.simulator.collections.discard(argument["dcollCrossRefID"])
        return result

    # -- monitors -------------------------------------------------------------------------------

    @responders(Opcode.monitorStart)
    def _monitor_start(self, argument: dict[str, Any]) -> dict[str, Any]:
        kind, requested = argument["monitorObject"]
        if kind != "deviceObject":
            raise CstaError("operation", "invalidMonitorObjectType", "only devices are monitored")
        if argument.get("monitorType", "device") != "device":
            raise CstaError("operation", "monitorTypeNotSupported")
        device = self.simulator.device(requested)
        if not device.in_service:
            raise out_of_service(f"{device.number} is out of service")
        monitor = self.simulator.monitors.start(
            device, requested, argument.get("requestedMonitorFilter")
        )
        return {"crossRefIdentifier": monitor.cross_ref}

    @responders(Opcode.monitorStop)
    def _monitor_stop(self, argument: dict[str, Any]) -> Any:
        if self.simulator.monitors.stop(argument["crossRefIdentifier"]) is None:
            raise CstaError("operation", "invalidMonitorCrossRefID")
        return NO_DATA

    @responders(Opcode.changeMonitorFilter)
    def _change_monitor_filter(self, argument: dict[str, Any]) -> dict[str, Any]:
        monitor = self.simulator.monitors.get(argument["crossRefIdentifier"])
        if monitor is None:
            raise CstaError("operation", "invalidMonitorCrossRefID")
        monitor.set_filter(argument["requestedFilterList"])
        return {}

    # -- device lists ---------------------------------------------------------------------------

    @responders(Opcode.escape)
    def _escape(self, argument: dict[str, Any]) -> Any:
        """The KME system data requests: the device list, and the extension names unless the
        configuration refuses them as a PBX older than CTI V1.1 would (as it refuses any
        escape request it does not know)."""
        private_data = argument.get("privateData")
        category = requested_kme_category(private_data)
        names = (
            self.simulator.config.names_answer
            and requested_system_data(private_data) == EXT_NAME_SYSTEM_DATA
        )
        if category is None and not names:
            raise CstaError("privateData", "cSTAPrivateDataInfoError", "unknown escape request")
        cross_ref = self.simulator.new_service_ref()
        devices = [listed(d) for d in self.simulator.switch.devices()]
        size = self.simulator.config.segment_size
        if category is None:
            segments = kme_name_segments(cross_ref, devices, size)
        else:
            segments = kme_segments(cross_ref, devices, category, size)
        for segment in segments:
            self._after_answer.append((Opcode.escape, escape_linked_reply(segment)))
        return escape_pos_ack(cross_ref)

    @responders(Opcode.getSwitchingFunctionDevices)
    def _get_switching_function_devices(self, argument: dict[str, Any]) -> dict[str, Any]:
        if not self.simulator.config.sfd_answer:
            raise CstaError(*_NOT_SUPPORTED, "getSwitchingFunctionDevices")
        if "requestedDeviceID" in argument:
            devices = [listed(self.simulator.device(argument["requestedDeviceID"]))]
        else:
            devices = [listed(d) for d in self.simulator.switch.devices()]
        category = argument.get("requestedDeviceCategory")
        cross_ref = self.simulator.new_service_ref()
        size = self.simulator.config.segment_size
        for segment in sfd_segments(cross_ref, devices, category, size):
            self._after_answer.append((Opcode.switchingFunctionDevices, segment))
        return {"serviceCrossRefID": cross_ref}

    # -- CDR ------------------------------------------------------------------------------------

    @responders(Opcode.startCDRTransmission)
    def _start_cdr(self, argument: dict[str, Any]) -> dict[str, Any]:
        if argument["transferMode"] != "transferAtEndOfCall":
            raise CstaError("operation", "invalidParameterValue", "only transferAtEndOfCall")
        if self.simulator.cdr is not None:
            raise CstaError("operation", "featureAlreadySet", "CDR transmission is running")
        self.simulator.cdr = CdrTransmission(self.simulator, self, self.simulator.new_service_ref())
        return {"cdrCrossRefID": self.simulator.cdr.cross_ref}

    @responders(Opcode.stopCDRTransmission)
    def _stop_cdr(self, argument: dict[str, Any]) -> Any:
        cdr = self.simulator.cdr
        if cdr is None or cdr.cross_ref != argument["cdrCrossRefID"]:
            raise CstaError("operation", "invalidCrossRefID")
        cdr.stop()
        self.simulator.cdr = None
        return NO_DATA

    # -- output ---------------------------------------------------------------------------------

    def send_event(self, cross_ref: bytes, event: DeviceEvent) -> None:
        argument = {
            "crossRefIdentifier": cross_ref,
            "eventSpecificInfo": (event.group, (event.name, event.value)),
        }
        self.invoke("cSTAEventReport", argument)
        self.counters["events_sent"] += 1


class CdrTransmission:
    """One startCDRTransmission: records go out one report at a time until it is stopped."""

    def __init__(self, factory: "SimulatorFactory", protocol: SimulatorProtocol, cross_ref: bytes):
        self.factory = factory
        self.protocol = protocol
        self.cross_ref = cross_ref
        self.active = True
        self._in_flight: CdrRecord | None = None
        self._retry: Delayed | None = None

    def kick(self) -> None:
        """Send the next record, unless one is out or a resend is waiting for its delay."""
        if not self.active or self._in_flight is not None:
            return
        if self._retry is not None and self._retry.active():
            return
        taken = self.factory.switch.cdr.take(1)
        if not taken:
            return
        record = self._in_flight = taken[0]
        self.factory.counters["cdr_reports_sent"] += 1
        d = self.protocol.invoke(
            "cDRReport", self.report(record), timeout=self.factory.config.cdr_answer_timeout
        )
        d.addCallbacks(self._answered, self._failed, callbackArgs=(record,), errbackArgs=(record,))

    def report(self, record: CdrRecord) -> dict[str, Any]:
        argument: dict[str, Any] = {
            "cdrCrossRefID": self.cross_ref,
            "numberOfRecordsSent": 1,
            "cdrInfo": [record.information_item()],
        }
        if record.condition_code is not None:
            code = _CONDITION_NAMES[record.condition_code]
            argument["extensions"] = {
                "privateData": [("private", ("kmeAdditionalData", ("conditionCode", code)))]
            }
        return argument

    def _answered(self, result: Any, record: CdrRecord) -> None:
        self._in_flight = None
        if self.factory.switch.cdr.ack(record.record_id):
            self.factory.counters["cdr_acknowledged"] += 1
        self.kick()

    def _failed(self, failure: Failure, record: CdrRecord) -> None:
        self._in_flight = None
        self.factory.counters["cdr_refused"] += 1
        self.factory.switch.cdr.nack(record.record_id)
        log.info(
            "cDRReport for record {id} not acknowledged ({why}); it will be sent again",
            id=record.record_id,
            why=failure.getErrorMessage(),
        )
        if self.active and not self.factory.stopped:
            self._retry = self.factory.clock.callLater(
                self.factory.config.cdr_resend_delay, self.kick
            )

    def stop(self) -> None:
        """No more reports; one still out is acknowledged if its positive answer comes."""
        self.active = False
        if self._retry is not None and self._retry.active():
            self._retry.cancel()
        self._retry = None


class SimulatorFactory(Factory):
    """One simulated PBX on the network: the switch, its time, its association and its faults."""

    def __init__(
        self, clock: Scheduler, config: SimConfig | None = None, switch: Switch | None = None
    ) -> None:
        self.clock = clock
        self.config = config if config is not None else SimConfig()
        if switch is None:
            switch = Switch(self.config.plan, clock.seconds(), self.config.cdr_buffer)
        self.switch = switch
        self.services = CstaServices(self.switch)
        self.monitors = MonitorTable()
        self.association: SimulatorProtocol | None = None
        self.cdr: CdrTransmission | None = None
        self.collections: set[bytes] = set()
        self.counters: Counter[str] = Counter(dict.fromkeys(COUNTERS, 0))
        self.operation_counts: Counter[str] = Counter()
        self.refused_until = 0.0
        self._service_refs = itertools.count(1)
        self._devices_version = self.switch.device_list_version
        self._timer: Delayed | None = None
        self._pumping = False
        #: Set by :meth:`stop`, for good: the simulator then schedules nothing any more.
        self.stopped = False

    def buildProtocol(self, addr: Any) -> SimulatorProtocol:
        protocol = SimulatorProtocol(self)
        protocol.factory = self
        return protocol

    # -- the association ------------------------------------------------------------------------

    def refusing(self) -> bool:
        return self.clock.seconds() < self.refused_until

    def associated(self, protocol: SimulatorProtocol) -> None:
        self.association = protocol
        self.counters["associations"] += 1

    def association_lost(self) -> None:
        """Everything the association started ends with it; unacknowledged CDRs stay."""
        self.association = None
        self.monitors.clear()
        if self.cdr is not None:
            self.cdr.stop()
            self.cdr = None
        for cross_ref in self.collections:
            try:
                self.switch.stop_data_collection(cross_ref)
            except CstaError:
                pass
        self.collections.clear()

    def drop_link(self) -> bool:
        """Fault injection: the PBX drops the association. False when there is none."""
        if self.association is None:
            return False
        self.association.abort()
        return True

    def refuse(self, seconds: float) -> None:
        """Refuse associations for ``seconds`` from now (0 ends a refusal)."""
        self.refused_until = self.clock.seconds() + seconds

    def new_service_ref(self) -> bytes:
        """A cross reference for escape, device-list and CDR services; never reused."""
        return next(self._service_refs).to_bytes(4, "big")

    # -- driving the switch ---------------------------------------------------------------------

    def device(self, requested: Any) -> Device:
        """The device a DeviceID value names; invalidDeviceID for anything else."""
        return self.services.device(requested)

    def advance(self) -> None:
        """Bring the switch's time up to the reactor's, running the timers due by now."""
        now = self.clock.seconds()
        if now > self.switch.now:
            self.switch.advance(now)

    def run(self, action: Callable[[], T]) -> T:
        """Do something to the switch at the current time, then send what it caused."""
        self.advance()
        try:
            return action()
        finally:
            self.pump()

    def pump(self) -> None:
        """Send what the switch has produced, and wake up again at its next deadline."""
        if self._pumping:
            return
        self._pumping = True
        try:
            self._deliver_events()
            self._deliver_collected()
            self._check_devices()
            if self.cdr is not None:
                self.cdr.kick()
        finally:
            self._pumping = False
        self._schedule()

    def _deliver_events(self) -> None:
        events = self.switch.take_events()
        self.counters["events_generated"] += len(events)
        protocol = self.association
        if protocol is None or protocol.closed:
            return
        for event in events:
            for monitor in self.monitors.watching(event.device):
                if monitor.wants(event.group, event.name):
                    protocol.send_event(monitor.cross_ref, event)

    def _deliver_collected(self) -> None:
        for collected in self.switch.take_data_collected():
            protocol = self.association
            if protocol is None or collected.cross_ref not in self.collections:
                continue
            if collected.ends_collection:
                self.collections.discard(collected.cross_ref)
            protocol.tell(Opcode.dataCollected, collected.value)
            self.counters["data_collected_sent"] += 1

    def _check_devices(self) -> None:
        if self.switch.device_list_version == self._devices_version:
            return
        self._devices_version = self.switch.device_list_version
        present = set(self.switch.devices())
        protocol = self.association
        connected = protocol is not None and not protocol.closed
        for monitor in self.monitors:
            if monitor.device not in present:
                self.monitors.stop(monitor.cross_ref)
                self.counters["monitors_ended"] += 1
                if protocol is not None and connected:
                    protocol.tell(Opcode.monitorStop, {"crossRefIdentifier": monitor.cross_ref})
        if protocol is not None and connected:
            protocol.tell(Opcode.swFunctionDevicesChanged, {})

    def _schedule(self) -> None:
        deadline = None if self.stopped else self.switch.next_deadline()
        if deadline is None:
            if self._timer is not None and self._timer.active():
                self._timer.cancel()
            self._timer = None
            return
        delay = max(0.0, deadline - self.clock.seconds())
        if self._timer is not None and self._timer.active():
            self._timer.reset(delay)
        else:
            self._timer = self.clock.callLater(delay, self._tick)

    def _tick(self) -> None:
        self._timer = None
        self.run(lambda: None)

    def footprint(self) -> dict[str, int]:
        """The switch's :meth:`~ecsta.sim.switch.Switch.footprint` and what the network side
        holds: monitors, data collections of the association, requests it has in flight
        (keep-alives and cDRReports awaiting an answer) and the switch's wake-up timer."""
        protocol = self.association
        return {
            **self.switch.footprint(),
            "monitors": len(self.monitors),
            "associationCollections": len(self.collections),
            "inFlight": protocol.in_flight if protocol is not None else 0,
            "switchTimer": int(self._timer is not None and self._timer.active()),
        }

    def stop(self) -> None:
        """The service is stopping: cancel the switch's timer, and never set it again.

        Connections close in their own time after the service has stopped, and a client may
        still send requests until then; they are answered, but neither they nor the closing
        may leave a timer behind (a reactor that is shutting down would keep it, and a test
        reactor reports it), so the switch's time no longer runs by itself and a cDRReport
        that goes unacknowledged is no longer resent.
        """
        self.stopped = True
        self._schedule()
