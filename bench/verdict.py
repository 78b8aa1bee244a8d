"""How a bench ends: its measured line with PASS or FAIL, and exit status 1 on FAIL."""


def verdict(ok: bool, measured: str) -> None:
    """Print ``measured`` with the verdict; exit 1 when the target was missed, so that a script
    running the benches sees it."""
    print(f"{measured}: {'PASS' if ok else 'FAIL'}")
    if not ok:
        raise SystemExit(1)
