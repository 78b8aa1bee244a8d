"""How fast the driver turns CSTA events into TAPI state, and loads a big PBX.

(a) CSTA events per second into TAPI state changes, decoding included: encoded
    cSTAEventReport PDUs of complete calls between monitored lines (the fields a Panasonic PBX
    sends, PROTOCOL.md section 7) are decoded with ``ecsta.wire.apdu`` and fed to the call
    engine, on one core. Target: 5,000 events/s or more.
(b) The time to load and monitor 1000 lines from the simulator: a simulator with 1000
    stations on loopback, a driver with no lines configured, from start until every line is
    in service (device list, MonitorStart, GetForwarding and SnapshotDevice for each).
    Target: 5 s or less.

    python bench/driver.py [--quick]

Exit status 0 when both targets are met, 1 when not.
"""

import argparse
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from ecsta.driver.calls import CallEngine
from ecsta.driver.devices import connection_id, device_id
from ecsta.driver.lines import Lines
from ecsta.wire import apdu

EVENTS_TARGET = 5000.0
LOAD_TARGET = 5.0


def _subject(number: str) -> Any:
    return ("deviceIdentifier", device_id(number))


def one_call(call: bytes, a: str, b: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(monitored number, event, value) for a call a -> b, answered, held, retrieved, ended."""
    common = {
        "callingDevice": _subject(a),
        "calledDevice": _subject(b),
        "lastRedirectionDevice": ("notKnown", None),
    }
    flow = [
        (
            a,
            "serviceInitiated",
            {
                "initiatedConnection": connection_id(call, a),
                "initiatingDevice": _subject(a),
                "localConnectionInfo": "initiated",
                "cause": "newCall",
            },
        ),
        (
            a,
            "originated",
            {
                "originatedConnection": connection_id(call, a),
                "callingDevice": _subject(a),
                "calledDevice": _subject(b),
                "localConnectionInfo": "connected",
                "cause": "newCall",
            },
        ),
    ]
    for at in (a, b):
        flow.append(
            (
                at,
                "delivered",
                {
                    "connection": connection_id(call, b),
                    "alertingDevice": _subject(b),
                    **common,
                    "localConnectionInfo": "alerting",
                    "cause": "newCall",
                },
            )
        )
    for at in (a, b):
        flow.append(
            (
                at,
                "established",
                {
                    "establishedConnection": connection_id(call, b),
                    "answeringDevice": _subject(b),
                    **common,
                    "localConnectionInfo": "connected",
                    "cause": "newCall",
                },
            )
        )
    for name, field, device_field in (
        ("held", "heldConnection", "holdingDevice"),
        ("retrieved", "retrievedConnection", "retrievingDevice"),
    ):
        for at in (a, b):
            flow.append(
                (
                    at,
                    name,
                    {
                        field: connection_id(call, a),
                        device_field: _subject(a),
                        "localConnectionInfo": "connected",
                        "cause": "normal",
                    },
                )
            )
    for gone in (b, a):
        for at in (a, b):
            flow.append(
                (
                    at,
                    "connectionCleared",
                    {
                        "droppedConnection": connection_id(call, gone),
                        "releasingDevice": _subject(gone),
                        "localConnectionInfo": "null",
                        "cause": "normalClearing",
                    },
                )
            )
    return flow


def event_rate(pairs: int, rounds: int) -> tuple[float, int, float]:
    """Events per second decoded and applied, TAPI messages produced, and the rate of the
    call engine alone (decoding excluded)."""
    lines = Lines()
    refs: dict[str, bytes] = {}
    for index in range(2 * pairs):
        number = str(2000 + index)
        line = lines.add(number)
        refs[number] = index.to_bytes(4, "big")
        lines.bind_monitor(line, refs[number])
    engine = CallEngine(lines)
    pdus: list[bytes] = []
    for pair in range(pairs):
        a, b = str(2000 + 2 * pair), str(2001 + 2 * pair)
        call = pair.to_bytes(2, "big")
        for at, name, value in one_call(call, a, b):
            argument = {
                "crossRefIdentifier": refs[at],
                "eventSpecificInfo": ("callControlEvents", (name, value)),
            }
            invoke = apdu.Invoke(len(pdus) % 30000 + 1, apdu.CSTA_EVENT_REPORT, argument)
            pdus.append(apdu.encode(invoke))
    changes = 0
    decoding = engine_time = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        arguments = [apdu.decode(pdu).argument for pdu in pdus]  # type: ignore[union-attr]
        middle = time.perf_counter()
        for argument in arguments:
            changes += len(engine.report(argument))
        decoding += middle - start
        engine_time += time.perf_counter() - middle
    if engine.calls or engine.unfitting:
        raise SystemExit(f"the bench's calls did not end cleanly: {engine.unfitting} unfitting")
    events = len(pdus) * rounds
    return events / (decoding + engine_time), changes, events / engine_time


def load_time(count: int) -> float:
    from twisted.internet import defer, reactor
    from twisted.internet.endpoints import TCP4ClientEndpoint

    from ecsta.driver.config import DriverConfig
    from ecsta.driver.tap import build
    from ecsta.sim.config import SimConfig
    from ecsta.sim.plan import Device, DeviceKind, SwitchPlan, _device_number
    from ecsta.sim.runtime import SimulatorService

    devices = [
        Device(DeviceKind.STATION, str(1000 + i), _device_number(DeviceKind.STATION, i))
        for i in range(count)
    ]
    devices.append(Device(DeviceKind.TRUNK, "1", _device_number(DeviceKind.TRUNK, 0)))
    plan = SwitchPlan(devices=devices, extension_range=("1000", "1999"), trunk_access_code="0")
    sim = SimulatorService(
        reactor,
        SimConfig(csta="tcp:0:interface=127.0.0.1", control=None, plan=plan, segment_size=50),
    )
    result: dict[str, Any] = {}

    async def run() -> None:
        sim.privilegedStartService()
        sim.startService()
        listening: Any = await sim.csta.listening
        port = listening.getHost().port
        config = DriverConfig(
            api="tcp:0:interface=127.0.0.1", snapshot_interval=0, monitor_retry_interval=0
        )
        services = build(
            reactor, config, pbx_endpoint=lambda _: TCP4ClientEndpoint(reactor, "127.0.0.1", port)
        )
        start = time.perf_counter()
        services.top.privilegedStartService()
        services.top.startService()
        await services.driver.ready
        lines = list(services.driver.lines)
        result["seconds"] = time.perf_counter() - start
        result["lines"] = len(lines)
        result["in service"] = sum(line.in_service for line in lines)
        await defer.maybeDeferred(services.top.stopService)
        await defer.maybeDeferred(sim.stopService)

    def finished(outcome: Any) -> Any:
        reactor.stop()
        return outcome

    reactor.callWhenRunning(lambda: defer.Deferred.fromCoroutine(run()).addBoth(finished))
    reactor.run()
    if result.get("in service") != count:
        raise SystemExit(f"only {result.get('in service')} of {count} lines came in service")
    return float(result["seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, for CI")
    args = parser.parse_args()
    rate, changes, engine_rate = event_rate(pairs=50, rounds=2 if args.quick else 10)
    print(
        f"(a) CSTA events into TAPI state: {rate:,.0f} events/s "
        f"({changes:,} TAPI messages), target >= {EVENTS_TARGET:,.0f}: "
        f"{'met' if rate >= EVENTS_TARGET else 'NOT met'}; "
        f"the call engine alone: {engine_rate:,.0f} events/s"
    )
    count = 1000
    seconds = load_time(count)
    print(
        f"(b) load and monitor {count} lines from the simulator: {seconds:.2f} s, "
        f"target <= {LOAD_TARGET:.0f} s: {'met' if seconds <= LOAD_TARGET else 'NOT met'}"
    )
    return 0 if rate >= EVENTS_TARGET and seconds <= LOAD_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
