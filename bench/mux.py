"""What the multiplexer costs, measured against doing without it, in one run.

    python bench/mux.py [--quick]

(a) requests per second through the mux, against a plain Twisted TCP relay
    (``twisted.protocols.portforward``) to a simulator of its own, one application keeping 16
    requests open (target: the ratio of each pair of runs at least 0.75, their median at
    least 0.9), and the CPU time each of the two spends on a request;
(b) one event fanned out to 1000 connected applications: deliveries per second through the mux
    (the event written by the simulator on the PBX link, read by the mux, peeked,
    crossRefIdentifier rewritten once, framed once, written to every sharer) against the same
    events read from the same PBX link and written, already rewritten and framed, to the same
    1000 associations directly through the call the mux uses (``send_framed``)
    (target >= 0.8), with the absolute rate;
(c) memory per idle connected application with 1000 connected (target <= 64 KiB);
(d) the latency the mux adds to a request at a fixed rate, p50 and p99, against an application
    associated with a simulator directly (target: added p99 under 0.5 ms); beside it, what the
    plain TCP relay of (a) adds, the cost of any process in between on this machine, and what
    the mux adds beyond it, its own share.

(a) and (d) run three simulators (one behind the relay, one behind the mux, one for the direct
application), the relay and the mux as processes, and the applications in this one. So that a
burst of other work on this machine weighs on every side of a comparison alike rather than on
one run of it, an (a) run gives each side its seconds in eight turns of a quarter of a second
that alternate with the other side's, and a (d) run sends the three paths' requests in turn,
evenly spaced over the same seconds, a thousand for each path (300 with ``--quick``). (b)
and (c) run the mux (with the simulator embedded) in this process and the 1000 applications in
a child process that reads everything and counts the octets.

(a), (b) and (d) are measured several times (``--runs``); each figure is the median, with the
lowest and highest run beside it; the (a) and (d) comparisons are made pair by pair, (b)'s
between the medians.

Exit status 0 when every target is met, 1 when not.
"""

import argparse
import gc
import itertools
import os
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator, Sequence
from typing import Any

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, REPO)

from twisted.internet import defer, protocol, task  # noqa: E402
from twisted.internet.endpoints import TCP4ClientEndpoint  # noqa: E402
from verdict import percentile  # noqa: E402

from ecsta.link.protocol import CSTAClientProtocol  # noqa: E402
from ecsta.wire import apdu, ber  # noqa: E402
from ecsta.wire.framing import FrameDecoder, frame  # noqa: E402
from ecsta.wire.opcodes import Opcode  # noqa: E402

TARGETS = {"a": 0.9, "a_least": 0.75, "b": 0.8, "c": 64 * 1024, "d": 0.5}
DEVICE = {"deviceIdentifier": ("dialingNumber", "101")}
#: Seconds a turn waits for its open requests to come back: past the mux's request timeout.
SETTLE = 60.0
SNAPSHOT = apdu.encode(apdu.Invoke(1, Opcode.snapshotDevice, {"snapshotObject": DEVICE}))
MONITOR = apdu.encode(
    apdu.Invoke(1, Opcode.monitorStart, {"monitorObject": ("deviceObject", DEVICE)})
)

Gen = Generator[defer.Deferred[Any], Any, Any]


def spread(values: Sequence[float], scale: float = 1.0, unit: str = "") -> str:
    """A measurement as median and range, e.g. ``1,234 (1,200-1,300, 5 runs)``."""
    middle, low, high = (scale * v for v in (statistics.median(values), min(values), max(values)))
    digits = ",.0f" if middle >= 100 else ",.2f"
    return f"{middle:{digits}}{unit} ({low:{digits}}-{high:{digits}}{unit}, {len(values)} runs)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_port(port: int, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a helper process exited early (port {port})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def spawn(*arguments: str, state: str | None = None) -> subprocess.Popen[bytes]:
    """A Python process on this source tree; ``state`` is its state directory (where a mux
    keeps its call journal) when it should not be the source tree."""
    env = dict(os.environ, PYTHONPATH=REPO)
    if state is not None:
        env["STATE_DIRECTORY"] = state
    return subprocess.Popen(
        [sys.executable, *arguments],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def twistd(*arguments: str, state: str | None = None) -> subprocess.Popen[bytes]:
    return spawn(
        "-c",
        "from twisted.scripts.twistd import run; run()",
        "-n",
        "--pidfile=",
        *arguments,
        state=state,
    )


def mux_in(workdir: str, config: str, *options: str) -> subprocess.Popen[bytes]:
    """A mux run by twistd with ``config`` (TOML text) and ``options``; its configuration file,
    log (``mux.log``) and call journal all in ``workdir``."""
    path = os.path.join(workdir, "mux.toml")
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(config)
    log = f"--logfile={os.path.join(workdir, 'mux.log')}"
    return twistd(log, "ecsta-mux", "--config", path, *options, state=workdir)


# -- (a) and (d): one application's requests ---------------------------------------------------


class Requester(CSTAClientProtocol):
    """Sends snapshotDevice requests with its own ids and times each answer."""

    def __init__(self, reactor: Any) -> None:
        super().__init__(reactor, watchdog=None)
        self.sent_at: dict[int, float] = {}
        self.latencies: list[float] = []
        self.answered = 0
        self._next = 1
        self.on_answer: Any = None

    def request(self) -> None:
        invoke_id = self._next
        self._next = self._next % 30000 + 1
        self.sent_at[invoke_id] = time.perf_counter()
        self.send_pdu(ber.with_invoke_id(SNAPSHOT, invoke_id))

    def pduReceived(self, pdu: bytes) -> None:
        if pdu[0] in (0xA2, 0xA3, 0xA4):
            invoke_id = ber.peek(pdu).invoke_id
            started = self.sent_at.pop(invoke_id, None) if invoke_id is not None else None
            if started is not None:
                self.latencies.append(time.perf_counter() - started)
                self.answered += 1
                if self.on_answer is not None:
                    self.on_answer()
                return
        super().pduReceived(pdu)


@defer.inlineCallbacks
def associate(reactor: Any, port: int) -> Gen:
    factory = protocol.Factory.forProtocol(lambda: Requester(reactor))
    app = yield TCP4ClientEndpoint(reactor, "127.0.0.1", port).connect(factory)
    yield app.ready
    return app


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@defer.inlineCallbacks
def turn(reactor: Any, app: Requester, seconds: float, between: int, window: int = 16) -> Gen:
    """(answers, seconds, CPU seconds of the process ``between`` the application and its
    simulator) over ``seconds`` with ``window`` requests open at all times, once the window is
    full; then the open ones are let come back."""
    app.on_answer = app.request
    for _ in range(window):
        app.request()
    yield task.deferLater(reactor, 0.05, lambda: None)  # the window fills
    start, answered, cpu = time.perf_counter(), app.answered, cpu_seconds(between)
    yield task.deferLater(reactor, seconds, lambda: None)
    done, spent = app.answered - answered, time.perf_counter() - start
    used = cpu_seconds(between) - cpu
    app.on_answer = None
    # Every request is answered, if only by the mux's timeout error; a side whose answers
    # stop (a helper process gone) ends the run, named, rather than hanging it.
    deadline = time.perf_counter() + SETTLE
    while app.sent_at:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{len(app.sent_at)} requests unanswered after {SETTLE:g} s")
        yield task.deferLater(reactor, 0.005, lambda: None)
    return done, spent, used


@defer.inlineCallbacks
def throughput_pair(
    reactor: Any, sides: Sequence[tuple[Requester, int]], seconds: float, turns: int = 8
) -> Gen:
    """For each side (application, pid of the process between it and its simulator): requests
    per second and CPU microseconds per request over ``seconds``, taken in ``turns`` short
    turns that alternate with the other side's (the first side first in every other pair), so
    that what else the machine does in those seconds weighs on both sides alike."""
    totals = [[0, 0.0, 0.0] for _ in sides]
    order = list(range(len(sides)))
    for number in range(turns):
        for index in order if number % 2 == 0 else order[::-1]:
            app, between = sides[index]
            done, spent, used = yield turn(reactor, app, seconds / turns, between)
            totals[index][0] += done
            totals[index][1] += spent
            totals[index][2] += used
    return [(done / spent, used * 1e6 / max(1, done)) for done, spent, used in totals]


@defer.inlineCallbacks
def latencies(reactor: Any, apps: Sequence[Requester], rate: float, count: int) -> Gen:
    """p50 and p99 (seconds) of each application's requests, ``count`` of them sent at
    ``rate`` per second, the applications' requests taking turns evenly spaced, so that what
    else this machine does in those seconds weighs on every path alike."""
    for app in apps:
        app.latencies.clear()
    turns = itertools.cycle(apps)
    loop = task.LoopingCall(lambda: next(turns).request())
    loop.clock = reactor
    loop.start(1 / (rate * len(apps)))
    yield task.deferLater(reactor, count / rate, lambda: None)
    loop.stop()
    yield task.deferLater(reactor, 0.5, lambda: None)
    return [(percentile(app.latencies, 0.5), percentile(app.latencies, 0.99)) for app in apps]


def simulator() -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    sim = twistd("ecsta-pbxsim", "--csta", f"tcp:{port}:interface=127.0.0.1", "--control", "none")
    wait_port(port, sim)
    return sim, port


@defer.inlineCallbacks
def requests_part(reactor: Any, quick: bool, runs: int) -> Gen:
    """Lists of (a) (relay, mux) rate pairs, (d) (direct, through the mux, through the relay)
    (p50, p99) triples, and (a)'s (relay, mux) CPU microseconds per request.

    A simulator takes one association at a time, as a PBX does, so each path has its own: the
    relay, the mux and the direct application each stay associated. An (a) run gives each of
    its two sides ``seconds`` in short turns that alternate; a (d) run measures the three
    paths over the same seconds.
    """
    seconds = 1.5 if quick else 2.0
    # Requests per path in a (d) run: its p99 is the tenth slowest, not one of the few slow
    # wake-ups of this machine that a shorter run happens to catch.
    count = 300 if quick else 1000
    helpers: list[subprocess.Popen[bytes]] = []
    apps: list[Requester] = []
    try:
        (relayed_sim, relayed_port), (muxed_sim, muxed_port), (direct_sim, direct_port) = (
            simulator(),
            simulator(),
            simulator(),
        )
        helpers += [relayed_sim, muxed_sim, direct_sim]
        relay_port, mux_port = free_port(), free_port()
        relay = spawn(
            "-c",
            "import sys; from twisted.internet import reactor; "
            "from twisted.protocols.portforward import ProxyFactory; "
            f"reactor.listenTCP({relay_port}, ProxyFactory('127.0.0.1', {relayed_port}),"
            " interface='127.0.0.1'); reactor.run()",
        )
        helpers.append(relay)
        mux = twistd(
            "ecsta-mux",
            "--pbx",
            f"tcp:host=127.0.0.1:port={muxed_port}",
            "--listen",
            f"tcp:{mux_port}:interface=127.0.0.1",
            "--status",
            "",
            state=tempfile.mkdtemp(prefix="ecsta-bench-"),  # its call journal
        )
        helpers.append(mux)
        wait_port(relay_port, relay)
        wait_port(mux_port, mux)
        yield task.deferLater(reactor, 1.0, lambda: None)  # the mux associates with its sim
        relayed = yield associate(reactor, relay_port)
        muxed = yield associate(reactor, mux_port)
        direct = yield associate(reactor, direct_port)
        apps += [relayed, muxed, direct]
        rates, delays, costs = [], [], []
        for app, between in ((relayed, relay.pid), (muxed, mux.pid)):
            yield turn(reactor, app, 0.5, between)  # warm up
        for _ in range(runs):
            (relay_rate, relay_cpu), (mux_rate, mux_cpu) = yield throughput_pair(
                reactor, [(relayed, relay.pid), (muxed, mux.pid)], seconds
            )
            rates.append((relay_rate, mux_rate))
            costs.append((relay_cpu, mux_cpu))
        for _ in range(runs):
            measured = yield latencies(reactor, [direct, muxed, relayed], 100, count)
            delays.append(tuple(measured))
    finally:
        for app in apps:
            if app.transport is not None:
                app.transport.loseConnection()
        yield task.deferLater(reactor, 0.3, lambda: None)
        for helper in helpers:
            helper.terminate()
            helper.wait(10)
    return rates, delays, costs


# -- (b) and (c): a thousand applications ------------------------------------------------------


def sink(port: int, count: int) -> None:
    """The child process: ``count`` associated applications that read and count everything.

    Commands on stdin, one per line: ``monitor`` (every application starts a monitor on 101 and
    the line ``monitored`` follows when all have their answer), ``expect N`` (``received``
    follows once N more octets of events have arrived, in total over all applications).
    """
    resource.setrlimit(
        resource.RLIMIT_NOFILE, (count + 100, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
    )
    selector = selectors.DefaultSelector()
    decoders: dict[socket.socket, FrameDecoder] = {}
    pending: dict[socket.socket, int] = {}
    aarq = frame(apdu.aarq())
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(aarq)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        decoders[sock] = FrameDecoder()
        pending[sock] = 2  # the AARE and the first keep-alive
    selector.register(sys.stdin, selectors.EVENT_READ)
    os.set_blocking(sys.stdin.fileno(), False)
    command = b""
    received = 0
    expected: int | None = None
    phase = "ready"  # said once every application has what it waits for
    while True:
        ready: list[Any] = selector.select(1.0)
        for key, _ in ready:
            if key.fileobj is sys.stdin:
                chunk = os.read(sys.stdin.fileno(), 4096)
                if not chunk:
                    return
                command += chunk
                while b"\n" in command:
                    line, command = command.split(b"\n", 1)
                    if line == b"monitor":
                        phase = "monitored"
                        for sock in decoders:
                            pending[sock] = 1
                            sock.sendall(frame(MONITOR))
                    elif line.startswith(b"expect "):
                        expected = received + int(line.split()[1])
                continue
            sock = key.fileobj
            data = sock.recv(1 << 16)
            if not data:
                selector.unregister(sock)
                continue
            if pending:
                waiting = pending.get(sock, 0)
                if waiting:
                    waiting -= len(decoders[sock].feed(data))
                    if waiting <= 0:
                        del pending[sock]
                        if not pending:
                            print(phase, flush=True)
                    else:
                        pending[sock] = waiting
                    continue
            received += len(data)
            if expected is not None and received >= expected:
                expected = None
                print("received", flush=True)


class SinkProcess(protocol.ProcessProtocol):
    def __init__(self) -> None:
        self.lines: defer.DeferredQueue[str] = defer.DeferredQueue()
        self._buffer = b""

    def outReceived(self, data: bytes) -> None:
        self._buffer += data
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            self.lines.put(line.decode())

    def send(self, line: str) -> None:
        assert self.transport is not None
        self.transport.write(line.encode() + b"\n")


def rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


@defer.inlineCallbacks
def fanout_part(reactor: Any, quick: bool, runs: int) -> Gen:
    from ecsta.mux.config import from_dict
    from ecsta.mux.service import MuxService
    from ecsta.sim.runtime import embedded_simulator

    count = 1000
    events = 100 if quick else 300
    resource.setrlimit(
        resource.RLIMIT_NOFILE, (4 * count, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
    )
    port = free_port()
    simulator, endpoint = embedded_simulator(reactor)
    config = from_dict(
        {
            "listen": {"tcp": [f"tcp:{port}:interface=127.0.0.1:backlog=1024"]},
            "status": {"endpoint": ""},
            "journal": {"path": os.path.join(tempfile.mkdtemp(prefix="ecsta-bench-"), "journal")},
            # The sink opens all its associations at once from one address.
            "applications": {"max_unassociated": count, "max_unassociated_per_address": count},
        }
    )
    service = MuxService(reactor, config, pbx_endpoint=endpoint)
    for part in (simulator, service):
        part.privilegedStartService()
        part.startService()
    mux = service.mux
    router = mux.router
    while router.link.value != "up":
        yield task.deferLater(reactor, 0.05, lambda: None)
    gc.collect()
    before = rss()

    sink_process = SinkProcess()
    reactor.spawnProcess(
        sink_process,
        sys.executable,
        [sys.executable, os.path.abspath(__file__), "--sink", str(port), str(count)],
        env=dict(os.environ, PYTHONPATH=REPO),
    )
    line = yield sink_process.lines.get()
    assert line == "ready", line
    while len(router.apps) < count:
        yield task.deferLater(reactor, 0.05, lambda: None)
    yield task.deferLater(reactor, 0.5, lambda: None)
    gc.collect()
    per_app = (rss() - before) / count

    sink_process.send("monitor")
    yield sink_process.lines.get()
    [monitor] = list(router.monitors)
    assert len(monitor.sharers) == count
    assert monitor.pbx_xref is not None
    event = apdu.event_report(
        7,
        monitor.pbx_xref,
        "callControlEvents",
        "held",
        {
            "heldConnection": ("both", {"callID": b"\x00\x01", "deviceID": ("staticID", DEVICE)}),
            "holdingDevice": ("deviceIdentifier", DEVICE),
            "cause": "normal",
        },
    )
    framed = frame(ber.with_cross_ref(event, monitor.xref))
    handles = [app.handle for app in router.apps.values()]
    pbx_side = simulator.factory.association
    pbx_link = mux.pbx
    assert pbx_side is not None and pbx_link is not None

    def write_directly(pdu: bytes, peek: ber.Peek) -> None:
        # What the mux's fan-out does for each sharer, without the routing before it.
        for handle in handles:
            if not handle.closed:
                handle.send_framed(framed, hold=True)

    @defer.inlineCallbacks
    def deliver(direct: bool) -> Gen:
        """Deliveries per second of events the simulator writes on the PBX link.

        Both ways the events cross the same socket and are read by the same PBX link, at the
        same pace; the mux routes them, or ``write_directly`` takes them from the link.
        """
        if direct:
            setattr(pbx_link, "invokeReceived", write_directly)  # noqa: B010
        sink_process.send(f"expect {events * count * len(framed)}")
        start = time.perf_counter()
        for n in range(events):
            pbx_side.send_pdu(event)
            if n % 5 == 4:
                yield task.deferLater(reactor, 0, lambda: None)
        yield sink_process.lines.get()
        rate = events * count / (time.perf_counter() - start)
        if direct:
            delattr(pbx_link, "invokeReceived")
        return rate

    yield deliver(direct=True)  # warm up both paths
    yield deliver(direct=False)
    direct_rates, mux_rates = [], []
    for _ in range(runs):
        direct_rates.append((yield deliver(direct=True)))
        mux_rates.append((yield deliver(direct=False)))
    assert router.counters["deliveries"] == (runs + 1) * events * count
    assert sink_process.transport is not None
    sink_process.transport.closeStdin()
    for part in (service, simulator):
        yield part.stopService()
    return per_app, mux_rates, direct_rates


@defer.inlineCallbacks
def main(reactor: Any, quick: bool, runs: int) -> Gen:
    rates, delays, costs = yield requests_part(reactor, quick, runs)
    per_app, fan_mux, fan_direct = yield fanout_part(reactor, quick, runs)
    relay_rates, mux_rates = [r for r, _ in rates], [m for _, m in rates]
    pair_ratios = [m / r for r, m in rates]
    ratio_a = statistics.median(pair_ratios)
    ratio_b = statistics.median(fan_mux) / statistics.median(fan_direct)

    def ms(values: Sequence[float]) -> str:
        return spread(values, 1000.0, " ms")

    direct50, direct99 = [d[0] for d, _, _ in delays], [d[1] for d, _, _ in delays]
    through50, through99 = [t[0] for _, t, _ in delays], [t[1] for _, t, _ in delays]
    added50 = [(t[0] - d[0]) * 1000 for d, t, _ in delays]
    added99 = [(t[1] - d[1]) * 1000 for d, t, _ in delays]
    relay_added50 = [(r[0] - d[0]) * 1000 for d, _, r in delays]
    relay_added99 = [(r[1] - d[1]) * 1000 for d, _, r in delays]
    # The mux's own share: what it adds beyond a process that only forwards bytes.
    beyond50 = [(t[0] - r[0]) * 1000 for _, t, r in delays]
    beyond99 = [(t[1] - r[1]) * 1000 for _, t, r in delays]
    results = [
        (
            "a",
            f"requests/s through the mux {spread(mux_rates)}, through a TCP relay "
            f"{spread(relay_rates)}: ratio of each pair of runs {spread(pair_ratios)} "
            f"(target: median >= {TARGETS['a']}, no run below {TARGETS['a_least']}); CPU per "
            f"request of the mux {spread([m for _, m in costs], unit=' us')}, of the relay "
            f"{spread([r for r, _ in costs], unit=' us')}",
            ratio_a >= TARGETS["a"] and min(pair_ratios) >= TARGETS["a_least"],
        ),
        (
            "b",
            f"fan-out to 1000 applications: deliveries/s through the mux {spread(fan_mux)}, "
            f"writing directly {spread(fan_direct)}: ratio {ratio_b:.2f} "
            f"(target >= {TARGETS['b']})",
            ratio_b >= TARGETS["b"],
        ),
        (
            "c",
            f"memory per idle application with 1000 connected: {per_app / 1024:.1f} KiB "
            f"(target <= {TARGETS['c'] // 1024} KiB)",
            per_app <= TARGETS["c"],
        ),
        (
            "d",
            f"latency at 100 requests/s: direct p50 {ms(direct50)}, p99 {ms(direct99)}; "
            f"through the mux p50 {ms(through50)}, p99 {ms(through99)}; added by the mux in "
            f"each pair of runs: p50 {spread(added50, unit=' ms')}, p99 "
            f"{spread(added99, unit=' ms')} (target: added p99 median < {TARGETS['d']} ms); "
            f"for reference, a plain TCP relay adds p50 {spread(relay_added50, unit=' ms')}, "
            f"p99 {spread(relay_added99, unit=' ms')}, so the mux adds beyond the relay p50 "
            f"{spread(beyond50, unit=' ms')}, p99 {spread(beyond99, unit=' ms')}",
            statistics.median(added99) < TARGETS["d"],
        ),
    ]
    for name, text, ok in results:
        print(f"({name}) {text}: {'PASS' if ok else 'FAIL'}")
    if not all(ok for _, _, ok in results):
        raise SystemExit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, rougher figures")
    parser.add_argument("--runs", type=int, default=5, help="measurements of (a), (b) and (d)")
    parser.add_argument(
        "--sink", nargs=2, type=int, metavar=("PORT", "COUNT"), help=argparse.SUPPRESS
    )
    arguments = parser.parse_args()
    if arguments.sink:
        sink(*arguments.sink)
    else:
        task.react(main, [arguments.quick, max(1, arguments.runs)])
