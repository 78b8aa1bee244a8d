"""Loading a thousand lines never stalls the driver's other clients.

A driver that finds no stored lines loads every station the PBX lists: with a state directory
each new line is kept in ``lines.txt``, and with a licence directory each line takes (or is
refused) a licence of the pool. Both are locked, written and fsynced; done on the reactor
thread, one fsync after another, every API client and every other line would wait for all of
them. This test loads 1000 lines from the simulator on the real reactor (threads need it) and
measures the longest gap between the ticks of a 5 ms timer meanwhile. The simulator runs as a
process of its own, as a PBX would be: only the driver's work is measured.

It stays on real time and a real socket, unlike the other driver tests: what it measures is
how long the real reactor is kept from running while threads write the files, which a memory
reactor and a clock that only moves when told cannot show.
"""

import os

from twisted.internet import defer, reactor
from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.internet.task import LoopingCall
from twisted.trial.unittest import TestCase

from ecsta.driver.config import DriverConfig
from ecsta.driver.linestore import LineStore
from ecsta.driver.tap import build
from tests.driver_harness import LOOPBACK
from tests.mux_e2e import Simulator

LINES = 1000
TICK = 0.005
#: The longest the reactor may be kept from other work at one time.
MAX_STALL = 0.050


def cpu_wait() -> float:
    """Seconds the threads of this process have spent ready to run but waiting for a CPU
    (Linux's schedstat)."""
    waited = 0
    for thread in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{thread}/schedstat", encoding="ascii") as stats:
                waited += int(stats.read().split()[1])
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
    return waited / 1e9


class StallWatch:
    """The longest time between two ticks of a timer, beyond the timer's own interval.

    The time the process's threads waited for a CPU meanwhile is not counted: on a machine
    that other programs keep busy, the system hands out the CPUs, and no program can do better
    than its turn (a thread that holds the interpreter's lock and waits for a CPU keeps the
    reactor waiting too). What is left is the time this process kept its reactor from running:
    its own work, and what it waited for (a file lock, an fsync, the interpreter's lock held
    by a thread at work).
    """

    def __init__(self) -> None:
        self.last = reactor.seconds()
        self.waited = cpu_wait()
        self.longest = 0.0
        self.loop = LoopingCall(self.tick)

    def tick(self) -> None:
        now, waited = reactor.seconds(), cpu_wait()
        stalled = now - self.last - TICK - (waited - self.waited)
        self.longest = max(self.longest, stalled)
        self.last, self.waited = now, waited


class ReactorStallTests(TestCase):
    timeout = 120
    if not os.path.exists("/proc/self/schedstat"):
        skip = "the time a thread waits for a CPU is read from Linux's schedstat"

    async def _load(self) -> tuple[StallWatch, object]:
        stations = "".join(
            f'[[plan.devices]]\nkind = "station"\nnumber = "{1000 + n}"\n' for n in range(LINES)
        )
        base = os.path.abspath(self.mktemp())
        os.makedirs(base)
        sim = Simulator(base, f'[plan]\nextension_range = ["1000", "1999"]\n{stations}')
        self.addCleanup(sim.process.stop)
        csta = sim.csta
        config = DriverConfig(
            api=LOOPBACK,
            state_directory=os.path.join(base, "state"),
            licence_directory=os.path.join(base, "licences"),
            snapshot_interval=0,
            monitor_retry_interval=0,
        )
        services = build(
            reactor, config, pbx_endpoint=lambda _: TCP4ClientEndpoint(reactor, "127.0.0.1", csta)
        )
        watch = StallWatch()
        watch.loop.start(TICK, now=False)
        self.addCleanup(watch.loop.stop)
        services.top.privilegedStartService()
        services.top.startService()
        self.addCleanup(lambda: defer.maybeDeferred(services.top.stopService))
        await services.driver.ready
        return watch, services

    @defer.inlineCallbacks
    def test_loading_a_thousand_lines_never_blocks_the_reactor_for_50_ms(self):  # type: ignore[no-untyped-def]
        watch, services = yield defer.Deferred.fromCoroutine(self._load())
        driver = services.driver  # type: ignore[attr-defined]
        self.assertEqual(len(driver.lines), LINES)
        # Every line was asked for a licence: the trial's lines are in service, the others
        # say why not.
        in_service = [line for line in driver.lines if line.in_service]
        refused = [line for line in driver.lines if line.licence_error]
        self.assertEqual(len(in_service) + len(refused), LINES)
        self.assertTrue(in_service)
        # ... and every line is kept, once its write (in a thread) is done.
        yield driver.admin.kept()
        path = os.path.join(driver.admin.store.path)
        self.assertEqual(len(LineStore(path).lines), LINES)
        self.assertLess(
            watch.longest,
            MAX_STALL,
            f"the reactor was kept from other work for {watch.longest * 1000:.0f} ms",
        )
