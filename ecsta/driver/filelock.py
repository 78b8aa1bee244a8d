"""An exclusive lock between processes on a lock file beside the file it guards.

Two programs that read, change and replace one file (the running driver and ``ecsta lines
import``) would otherwise each save what they read before the other's change, and the later save
would silently drop the earlier one. Holding this lock from the read to the replace makes the
changes follow one another. The lock is ``fcntl.flock`` (on Windows ``msvcrt.locking`` on the
lock file's first byte): the system drops it when its holder dies, so a crash never leaves the
file locked.
"""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

#: How long a writer waits for another one before giving up with :class:`LockTimeout`.
LOCK_TIMEOUT = 10.0


class LockTimeout(OSError):
    """Another process held the lock for longer than a writer waits."""


@contextmanager
def locked(path: str, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the exclusive lock of ``path`` (created if need be) for the ``with`` block."""
    with open(path, "a+b") as handle:
        deadline = time.monotonic() + timeout
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise LockTimeout(f"{path} is locked by another process")
            time.sleep(0.005)
        try:
            yield
        finally:
            _unlock(handle)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> bool:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
