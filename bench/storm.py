"""A thousand applications reconnecting at once: how long until each is associated.

    python bench/storm.py [--applications N] [--backlog N]

The mux runs as ``twistd -n ecsta-mux --pbx sim`` with ``listen.backlog`` set to ``--backlog``
(default: the mux's own default); this process opens N connections at the same moment, sends
each an AARQ as soon as it is connected, and times each until its AARE. A SYN the kernel drops
because the listen queue is full is retried by the client's kernel after a second: those show
as associations slower than 1 s. Target: none slower than 1 s at the default backlog.

Exit status 0 when the target is met, 1 when not.
"""

import argparse
import os
import selectors
import socket
import sys
import tempfile
import time

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mux import free_port, mux_in, wait_port  # noqa: E402
from verdict import percentile, verdict  # noqa: E402

from ecsta.wire import apdu  # noqa: E402
from ecsta.wire.framing import frame  # noqa: E402

AARQ = frame(apdu.aarq(None, None))


def storm(port: int, count: int) -> list[float]:
    """Seconds from the first connect to each AARE (inf for one that never came)."""
    selector = selectors.DefaultSelector()
    start = time.perf_counter()
    done: dict[socket.socket, float] = {}
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        selector.register(sock, selectors.EVENT_WRITE)
        sockets.append(sock)
    deadline = time.monotonic() + 30
    while len(done) < count and time.monotonic() < deadline:
        for key, events in selector.select(timeout=0.5):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if events & selectors.EVENT_WRITE:
                sock.send(AARQ)
                selector.modify(sock, selectors.EVENT_READ)
            elif sock.recv(4096):
                done[sock] = time.perf_counter() - start
                selector.unregister(sock)
    for sock in sockets:
        sock.close()
    return sorted(done.get(sock, float("inf")) for sock in sockets)


def main(count: int, backlog: int | None) -> None:
    workdir = tempfile.mkdtemp(prefix="ecsta-storm-")
    port = free_port()
    config = f"[listen]\nbacklog = {backlog}\n" if backlog is not None else ""
    config += "[applications]\nmax_unassociated = 2000\nmax_unassociated_per_address = 2000\n"
    mux = mux_in(workdir, config, "--pbx", "sim", "--status", "", "--listen", f"tcp:{port}")
    try:
        wait_port(port, mux)
        time.sleep(1.0)  # the probe connection of wait_port has gone
        times = storm(port, count)
    finally:
        mux.terminate()
        mux.wait(timeout=30)
    slow = sum(1 for t in times if t > 1.0)
    verdict(
        slow == 0,
        f"{count} applications at once, listen backlog {backlog or 'default (1024)'}: "
        f"median {percentile(times, 0.5):.2f} s, p99 {percentile(times, 0.99):.2f} s, "
        f"slowest {times[-1]:.2f} s; {slow} slower than 1 s",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--backlog", type=int, default=None)
    arguments = parser.parse_args()
    main(arguments.applications, arguments.backlog)
