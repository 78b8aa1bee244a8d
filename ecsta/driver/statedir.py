"""Where a driver keeps its settings and lines when the configuration does not say.

A driver always has a state directory: settings and lines changed through the API or the
console must survive a restart, and a change that could not be kept is refused, never
answered 200. The default follows the conventions of where the driver runs:

- under systemd, the unit's ``StateDirectory=`` (``$STATE_DIRECTORY``, colon-separated when
  the unit names several: the one ending in ``/driver``, else ``driver`` below the first);
- run by root, ``/var/lib/ecsta/driver`` (``%PROGRAMDATA%\\ecsta\\driver`` on Windows);
- run by anyone else, the user's data directory: ``$XDG_DATA_HOME/ecsta/driver``, by default
  ``~/.local/share/ecsta/driver``.
"""

import os
import sys
from collections.abc import Mapping


def default_state_directory(
    environ: Mapping[str, str] | None = None, euid: int | None = None
) -> str:
    """The driver's state directory when ``[admin] stateDirectory`` is not set."""
    if environ is None:
        environ = os.environ
    systemd = [entry for entry in environ.get("STATE_DIRECTORY", "").split(":") if entry]
    if systemd:
        named = [entry for entry in systemd if os.path.basename(entry.rstrip("/")) == "driver"]
        return named[0] if named else os.path.join(systemd[0], "driver")
    if sys.platform == "win32":
        return os.path.join(environ.get("PROGRAMDATA", r"C:\ProgramData"), "ecsta", "driver")
    if (os.geteuid() if euid is None else euid) == 0:
        return "/var/lib/ecsta/driver"
    data = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data, "ecsta", "driver")
