"""How many CSTA events per second the simulator generates and sends under ``--traffic``.

The simulator runs in this process on a simulated clock, with random traffic at RATE calls per
second and one client that monitors every station (the way the multiplexer or the driver does).
Simulated time runs as fast as the machine allows, so the figures are the simulator's own
capacity: switch events generated per wall-clock second, and cSTAEventReport PDUs encoded,
framed and written per wall-clock second.

    python bench/sim.py [--traffic RATE] [--seconds SIMULATED_SECONDS] [--seed N]
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport

from ecsta.sim.config import SimConfig
from ecsta.sim.plan import DeviceKind, SwitchPlan
from ecsta.sim.server import SimulatorFactory
from ecsta.sim.traffic import TrafficGenerator
from ecsta.wire import apdu
from ecsta.wire.framing import frame
from ecsta.wire.opcodes import Opcode

AARQ = bytes.fromhex("602380020780a10706052b0c00815abe14281206072b0c00821d8148a007a0050303000800")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traffic", type=float, default=5.0, help="calls per second [5]")
    parser.add_argument("--seconds", type=int, default=600, help="simulated seconds [600]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stations", type=int, default=200, help="desk phones [200]")
    parser.add_argument("--trunks", type=int, default=30, help="CO lines [30]")
    args = parser.parse_args(argv)

    # Enough people and lines that the traffic is not held back by everyone being busy.
    plan = SwitchPlan.from_dict(
        {
            "extension_range": ["1000", "1999"],
            "devices": [{"kind": "station", "number": str(1000 + i)} for i in range(args.stations)]
            + [{"kind": "trunk", "number": str(i + 1)} for i in range(args.trunks)],
        }
    )
    clock = Clock()
    clock.advance(time.time())
    factory = SimulatorFactory(clock, SimConfig(keepalive_interval=None, plan=plan))
    transport = StringTransport(peerAddress=IPv4Address("TCP", "127.0.0.1", 40000))
    protocol = factory.buildProtocol(transport.getPeer())
    protocol.makeConnection(transport)
    protocol.dataReceived(frame(AARQ))
    stations = [d for d in factory.switch.devices() if d.kind is not DeviceKind.TRUNK]
    for device in stations:
        key = ("deviceNumber", device.device_number)
        invoke = apdu.Invoke(
            9, Opcode.monitorStart, {"monitorObject": ("deviceObject", {"deviceIdentifier": key})}
        )
        protocol.dataReceived(frame(apdu.encode(invoke)))
    transport.clear()
    traffic = TrafficGenerator(factory, args.traffic, args.seed)

    started = time.perf_counter()
    written = 0
    for _ in range(args.seconds):
        clock.advance(1)
        written += len(transport.value())
        transport.clear()
    elapsed = time.perf_counter() - started
    traffic.stop()

    generated = factory.counters["events_generated"]
    sent = factory.counters["events_sent"]
    print(
        f"traffic           {args.traffic:g} calls/s for {args.seconds} simulated seconds "
        f"({traffic.started} calls, {len(stations)} monitored devices)"
    )
    print(f"wall time         {elapsed:.2f} s")
    print(f"events generated  {generated} ({generated / args.seconds:.1f} per simulated second)")
    print(f"events sent       {sent} ({written} bytes)")
    print(f"generated/s       {generated / elapsed:,.0f} events per second")
    print(f"sent/s            {sent / elapsed:,.0f} cSTAEventReport PDUs per second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
