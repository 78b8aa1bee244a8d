"""How a bench reports: the percentiles of what it timed, and how it ends (its measured line
with PASS or FAIL, exit status 1 on FAIL)."""


def percentile(samples: list[float], p: float) -> float:
    """The sample ``p`` (0..1) of the way up, the highest for p = 1; NaN when there are none."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")


def verdict(ok: bool, measured: str) -> None:
    """Print ``measured`` with the verdict; exit 1 when the target was missed, so that a script
    running the benches sees it."""
    print(f"{measured}: {'PASS' if ok else 'FAIL'}")
    if not ok:
        raise SystemExit(1)
