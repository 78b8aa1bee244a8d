"""A simulator and a multiplexer connected to it, both in the test's own reactor on loopback.

For tests that need the whole mux (its ports, its status root, a live PBX link) without the cost
of processes: the metrics endpoint, the console in a browser, captures, reloads.
"""

from typing import Any

from twisted.internet import reactor
from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase

from ecsta.mux.config import from_dict
from ecsta.mux.service import MuxService
from ecsta.sim.config import SimConfig
from ecsta.sim.runtime import SimulatorService
from ecsta.web.muxconsole import StatusRoot
from tests.driver_harness import LOOPBACK, port_of


async def start_sim_and_mux(
    case: TestCase, **sections: Any
) -> tuple[MuxService, SimulatorService, int, int]:
    """The running simulator and multiplexer (one application port and the status port, both
    on loopback, plus ``sections`` of its configuration), stopped when ``case`` ends; the
    multiplexer's application and status ports."""
    sim = SimulatorService(reactor, SimConfig(csta=LOOPBACK, control=None))
    sim.privilegedStartService()
    sim.startService()

    async def stop_sim() -> None:
        await sim.stopService()
        await deferLater(reactor, 0.05, lambda: None)
        sim.factory.stop()

    case.addCleanup(stop_sim)
    csta = port_of(await sim.csta.listening)
    config = from_dict(
        {"listen": {"tcp": [LOOPBACK]}, "status": {"endpoint": LOOPBACK}, **sections}
    )
    mux = MuxService(
        reactor,
        config,
        pbx_endpoint=TCP4ClientEndpoint(reactor, "127.0.0.1", csta),
        status_root=StatusRoot,
    )
    mux.privilegedStartService()
    mux.startService()
    case.addCleanup(mux.stopService)
    apps, status = (port_of(port) for port in mux._ports)
    return mux, sim, apps, status
