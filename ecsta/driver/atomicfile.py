"""Replacing a file so that a crash at any moment leaves either the old or the new content.

The new content goes to a temporary file in the same directory (so that the final rename never
crosses a file system), is flushed to the disk, and only then renamed over the old file with
``os.replace``, which is atomic on POSIX and on Windows. The directory is synced afterwards on
POSIX so that the rename itself survives a power cut. If anything fails before the rename the
temporary file is removed and the old file is untouched.
"""

import os
import tempfile


def atomic_write(path: str, data: bytes) -> None:
    """Make ``path`` hold exactly ``data``, or leave it as it was."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Persist the rename; Windows has no directory handles to sync and needs none."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_writable_directory(directory: str) -> None:
    """Create ``directory`` if need be and prove that files can be replaced in it.

    Raises the :class:`OSError` that a later save would have met, so that a service refuses
    to start on a directory it could never save to, instead of failing on the first save.
    """
    os.makedirs(directory, exist_ok=True)
    fd, probe = tempfile.mkstemp(dir=directory, prefix=".probe.", suffix=".tmp")
    os.close(fd)
    os.unlink(probe)
