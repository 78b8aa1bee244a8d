"""Hostile applications against a running multiplexer, and what a well-behaved one notices.

    python bench/hostile.py [--seconds N]

The mux runs as ``twistd -n ecsta-mux --pbx sim`` (the simulator embedded), logging to a file.
A well-behaved application in this process sends snapshotDevice requests at a steady rate the
whole time; each scenario runs an attacker in a child process for ``--seconds``, then the
application goes on alone as long again. For every scenario the bench prints the application's
request p99 before, during and after the attack, requests left unanswered, and the growth of the
mux's RSS and log file, with PASS when:

- every request of the well-behaved application was answered;
- its p99 after the attack is that of before within noise (at most twice it, plus 5 ms; on a
  shared machine "after" is measured up to three times, and each try is printed);
- the mux's RSS grew by less than 64 MiB and its log by less than 256 KiB.

Scenarios:

- oversized: 65,535-octet invokes with a NULL invokeId (too long once re-numbered), and
  distinct 60,000-octet valid ones (the validated-request cache);
- unassociated: 3,000 connections that never send an AARQ;
- malformed: 64 KiB frames that are not BER, as fast as the mux reads them;
- logins: wrong passwords from 200 loopback addresses (127.0.1.x);
- slow reader: an application that sends requests and never reads the answers.

Exit status 0 when every scenario passes, 1 when not.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator
from typing import Any

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mux import Requester, free_port, mux_in, wait_port  # noqa: E402
from twisted.internet import defer, protocol, task  # noqa: E402
from twisted.internet.endpoints import TCP4ClientEndpoint  # noqa: E402
from verdict import percentile  # noqa: E402

from ecsta.daemon.auth import hash_password  # noqa: E402
from ecsta.wire import apdu  # noqa: E402
from ecsta.wire.framing import frame  # noqa: E402
from ecsta.wire.opcodes import Opcode  # noqa: E402

Gen = Generator[defer.Deferred[Any], Any, Any]
RATE = 50  # requests per second of the well-behaved application
RSS_LIMIT = 64 << 20
LOG_LIMIT = 256 << 10


# -- the attackers (each runs in a child process) -----------------------------------------------


def _make_call(size: int, invoke_id: int | None, salt: int = 0) -> bytes:
    """A valid MakeCall of ``size`` octets, or one less where BER lengths leave a gap."""

    def build(digits: int) -> bytes:
        argument = {
            "callingDevice": {"deviceIdentifier": ("dialingNumber", f"{100 + salt % 800}")},
            "calledDirectoryNumber": {"deviceIdentifier": ("dialingNumber", "2" * digits)},
        }
        return apdu.encode(apdu.Invoke(invoke_id, Opcode.makeCall, argument))

    digits = size - 48
    while len(build(digits + 1)) <= size:
        digits += 1
    return build(digits)


def _associated(port: int, source: str = "127.0.0.1", user: str | None = None) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    sock.sendall(frame(apdu.aarq(user, "wrong" if user else None)))
    return sock


def _drain(sock: socket.socket) -> None:
    sock.setblocking(False)
    try:
        while sock.recv(1 << 16):
            pass
    except (BlockingIOError, OSError):
        pass
    sock.setblocking(True)


def attack_oversized(port: int, until: float) -> None:
    null_id = _make_call(0xFFFF, None)  # two octets longer once it carries a link invokeId
    sock = _associated(port)
    salt = 0
    while time.monotonic() < until:
        try:
            for _ in range(16):
                sock.sendall(frame(null_id))
            salt += 1
            sock.sendall(frame(_make_call(60_000 + salt % 5000, 1, salt)))
            _drain(sock)
        except OSError:
            sock = _associated(port)


def attack_unassociated(port: int, until: float) -> None:
    held: list[socket.socket] = []
    while time.monotonic() < until:
        if len(held) < 3000:
            try:
                held.append(socket.create_connection(("127.0.0.1", port), timeout=1))
            except OSError:
                time.sleep(0.01)
        else:
            time.sleep(0.1)
    for sock in held:
        sock.close()


def attack_malformed(port: int, until: float) -> None:
    garbage = frame(b"\xa1\x82\xff\xf9" + b"\x30" * 0xFFF9)
    sock = _associated(port)
    while time.monotonic() < until:
        try:
            sock.sendall(garbage * 4)
            _drain(sock)
        except OSError:
            sock = _associated(port)


def attack_logins(port: int, until: float) -> None:
    sources = [f"127.0.1.{n}" for n in range(1, 201)]
    attempt = 0
    while time.monotonic() < until:
        source = sources[attempt % len(sources)]
        attempt += 1
        try:
            sock = _associated(port, source, "crm")
            sock.settimeout(0.05)
            try:
                sock.recv(256)
            except OSError:
                pass
            sock.close()
        except OSError:
            time.sleep(0.01)


def attack_slow_reader(port: int, until: float) -> None:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(frame(apdu.aarq(None, None)))
    snapshot = apdu.encode(
        apdu.Invoke(
            1,
            Opcode.snapshotDevice,
            {"snapshotObject": {"deviceIdentifier": ("dialingNumber", "101")}},
        )
    )
    sock.settimeout(1)
    while time.monotonic() < until:
        try:
            sock.sendall(frame(snapshot) * 32)
        except OSError:
            break
        time.sleep(0.01)
    sock.close()


ATTACKS: dict[str, Callable[[int, float], None]] = {
    "oversized": attack_oversized,
    "unassociated": attack_unassociated,
    "malformed": attack_malformed,
    "logins": attack_logins,
    "slow reader": attack_slow_reader,
}


# -- the measurements ---------------------------------------------------------------------------


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as stream:
        for line in stream:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def p99(values: list[float]) -> float:
    return percentile(values, 0.99)


@defer.inlineCallbacks
def steady(reactor: Any, app: Requester, seconds: float) -> Gen:
    """Requests at RATE for ``seconds``; their latencies, and how many never came back."""
    app.latencies.clear()
    loop = task.LoopingCall(app.request)
    loop.clock = reactor
    loop.start(1 / RATE)
    yield task.deferLater(reactor, seconds, lambda: None)
    loop.stop()
    deadline = time.monotonic() + 10
    while app.sent_at and time.monotonic() < deadline:
        yield task.deferLater(reactor, 0.05, lambda: None)
    return list(app.latencies), len(app.sent_at)


@defer.inlineCallbacks
def main(reactor: Any, seconds: float) -> Gen:
    workdir = tempfile.mkdtemp(prefix="ecsta-hostile-")
    port, status = free_port(), free_port()
    log_path = os.path.join(workdir, "mux.log")
    mux = mux_in(
        workdir,
        f'[users]\ncrm = "{hash_password("right")}"\n',
        *("--pbx", "sim", "--listen", f"tcp:{port}:interface=127.0.0.1"),
        *("--status", f"tcp:{status}:interface=127.0.0.1"),
    )
    failed = False
    try:
        wait_port(port, mux)
        factory = protocol.Factory.forProtocol(lambda: Requester(reactor))
        app = yield TCP4ClientEndpoint(reactor, "127.0.0.1", port).connect(factory)
        yield app.ready
        yield steady(reactor, app, 1.0)  # warm up
        print(f"well-behaved application: snapshotDevice at {RATE}/s; attacks of {seconds:g} s")
        for name in ATTACKS:
            before, lost_before = yield steady(reactor, app, seconds)
            rss0, log0 = rss(mux.pid), os.path.getsize(log_path)
            command = [sys.executable, __file__, "--attack", name, "--port", str(port)]
            attacker = subprocess.Popen(
                [*command, "--seconds", str(seconds)],
                env=dict(os.environ, PYTHONPATH=REPO),
                cwd=REPO,
            )
            during, lost_during = yield steady(reactor, app, seconds)
            peak = rss(mux.pid)
            attacker.wait(timeout=30)
            # On a shared machine one phase's p99 can be another process's noise: "after" is
            # measured up to three times, and a lasting harm would show in each of them.
            tries: list[float] = []
            lost_after = 0
            for _ in range(3):
                after, lost = yield steady(reactor, app, seconds)
                lost_after += lost
                tries.append(p99(after))
                if tries[-1] <= 2 * p99(before) + 0.005:
                    break
            grown = max(peak, rss(mux.pid)) - rss0
            logged = os.path.getsize(log_path) - log0
            lost = lost_before + lost_during + lost_after
            ok = (
                not lost
                and tries[-1] <= 2 * p99(before) + 0.005
                and grown < RSS_LIMIT
                and logged < LOG_LIMIT
            )
            failed |= not ok
            print(
                f"{name:>12}: p99 before {p99(before) * 1000:6.2f} ms, during "
                f"{p99(during) * 1000:7.2f} ms, after "
                f"{', then '.join(f'{t * 1000:.2f}' for t in tries)} ms "
                f"(median after {statistics.median(after) * 1000:.2f} ms); unanswered {lost}; "
                f"mux RSS +{grown / 1048576:.1f} MiB (now {rss(mux.pid) / 1048576:.1f} MiB); "
                f"log +{logged / 1024:.1f} KiB: {'PASS' if ok else 'FAIL'}"
            )
        app.transport.loseConnection()
    finally:
        mux.terminate()
        mux.wait(timeout=30)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--attack", choices=list(ATTACKS), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.attack:
        ATTACKS[arguments.attack](arguments.port, time.monotonic() + arguments.seconds)
    else:
        task.react(main, [arguments.seconds])
