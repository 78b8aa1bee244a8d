"""A long seeded soak of the simulator: thousands of calls, then a check that nothing is left.

Random traffic at RATE calls per second, a careless CSTA application firing REQUESTS random
requests per second at the calls it sees (transfers, conferences, pickups, call backs,
forwarding, monitors started and stopped, data collections, malformed PDUs, dropped links), on
a simulated clock. The switch's invariants are checked after every step (tests/sim_soak.py).
At the end the traffic stops, every phone is hung up, and the simulator must hold nothing: no
call, callID, timer, call back, collection, monitor, CDR record or scheduled call, and no error
may have been logged. Exits 1 otherwise.

    python bench/sim_soak.py [--calls 2000] [--rate 5] [--requests 2] [--seed 1] [--seeds N]
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from twisted.logger import formatEvent

from tests.sim_soak import Soak, quiet_soak


def soak(args: argparse.Namespace, seed: int) -> bool:
    run = Soak(
        seed,
        rate=args.rate,
        requests=args.requests,
        stations=args.stations,
        trunks=args.trunks,
        faults=not args.no_faults,
    )
    started = time.perf_counter()
    simulated = run.clock.seconds()
    try:
        errors = quiet_soak(run, args.calls)
    except AssertionError as error:
        print(f"seed {seed}: an invariant broke at {run.traffic.started} calls: {error}")
        return False
    elapsed = time.perf_counter() - started
    simulated = run.clock.seconds() - simulated
    left = run.finish()
    answers = run.answers
    refused = sum(n for key, n in answers.items() if key.endswith(("ReturnError", "Reject")))
    print(
        f"seed {seed}: {run.traffic.started} traffic calls and {run.stats['requests']} requests "
        f"({refused} refused) in {simulated / 3600:.1f} simulated hours, {elapsed:.1f} s; "
        f"{run.stats['pdus']} PDUs, {run.factory.counters['events_sent']} events, "
        f"{run.switch.cdr.acknowledged} CDR records, {run.stats['drops']} link drops"
    )
    for event in errors:
        print("  logged:", formatEvent(event))
        failure = event.get("log_failure")
        if failure is not None:
            print(failure.getTraceback())
    if left:
        print(f"  left behind: {left}")
    return not errors and not left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="traffic calls per run [2000]")
    parser.add_argument("--rate", type=float, default=5.0, help="traffic calls per second [5]")
    parser.add_argument("--requests", type=float, default=2.0, help="random requests/s [2]")
    parser.add_argument("--stations", type=int, default=60, help="desk phones [60]")
    parser.add_argument("--trunks", type=int, default=10, help="CO lines [10]")
    parser.add_argument("--seed", type=int, default=1, help="first seed [1]")
    parser.add_argument("--seeds", type=int, default=1, help="runs, one seed each [1]")
    parser.add_argument("--no-faults", action="store_true", help="no link drops, no bad PDUs")
    args = parser.parse_args(argv)
    results = [soak(args, seed) for seed in range(args.seed, args.seed + args.seeds)]
    print(f"{results.count(True)} of {len(results)} runs clean")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
