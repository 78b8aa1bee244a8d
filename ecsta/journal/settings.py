"""The ``[journal]`` section shared by the services that hold a PBX link.

::

    [journal]
    enabled = true              # keep every call record the PBX sends
    path = "journal.sqlite"     # the SQLite file (relative: to the service's state directory)
    postgres = ""               # a PostgreSQL DSN; when set, used instead of the SQLite file
    retention_days = 0          # forget calls stored longer ago than this; 0 keeps them all
"""

import os
from dataclasses import dataclass
from typing import Any

KEYS = ("enabled", "path", "postgres", "retention_days")


@dataclass(frozen=True)
class JournalSettings:
    enabled: bool = True
    path: str = "journal.sqlite"
    postgres: str = ""
    retention_days: int = 0

    def database_path(self, state_directory: str) -> str:
        """The SQLite file, a relative ``path`` being taken from ``state_directory``."""
        return os.path.join(state_directory, os.path.expanduser(self.path))

    def describe(self, state_directory: str) -> str:
        """Where records go, for logs and status: never the DSN (it may hold a password)."""
        if self.postgres:
            return "postgresql"
        return f"sqlite:{self.database_path(state_directory)}"


def service_state_directory() -> str:
    """Where a service keeps its files unless configured: systemd's ``StateDirectory=`` (the
    first, when it names several), else the working directory, which the units also set."""
    given = os.environ.get("STATE_DIRECTORY", "")
    return given.split(":")[0] if given else os.getcwd()


def check(section: dict[str, Any], where: str = "journal") -> JournalSettings:
    """Settings from a parsed ``[journal]`` table; ``ValueError`` names the key at fault."""
    values: dict[str, Any] = {}
    for key, value in section.items():
        name = f"{where}.{key}"
        if key not in KEYS:
            raise ValueError(f"{name}: unknown key (known: {', '.join(KEYS)})")
        if key == "enabled":
            if not isinstance(value, bool):
                raise ValueError(f"{name}: expected true or false, got {value!r}")
        elif key in ("path", "postgres"):
            if not isinstance(value, str):
                raise ValueError(f"{name}: expected a string, got {value!r}")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name}: expected an integer >= 0, got {value!r}")
        values[key] = value
    settings = JournalSettings(**values)
    if settings.enabled and not settings.postgres and not settings.path.strip():
        raise ValueError(f"{where}.path: expected a file name, got ''")
    return settings
