"""The ``[journal]`` section shared by the services that hold a PBX link.

::

    [journal]
    enabled = true              # keep every call record the PBX sends
    path = "journal.sqlite"     # the SQLite file (relative: to the service's state directory)
    postgres = ""               # a PostgreSQL DSN; when set, used instead of the SQLite file
    retention_days = 0          # forget calls stored longer ago than this; 0 keeps them all
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecsta.daemon.config import ConfigError, boolean, checked, number, string


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


_CHECKS = {
    "enabled": boolean,
    "path": string,
    "postgres": string,
    "retention_days": number(0, integer=True),
}
KEYS = tuple(_CHECKS)


def check(section: Mapping[str, Any], where: str = "journal") -> JournalSettings:
    """Settings from a parsed ``[journal]`` table; :class:`ConfigError` names the key at fault."""
    settings = JournalSettings(**checked(where, section, _CHECKS))
    if settings.enabled and not settings.postgres and not settings.path.strip():
        raise ConfigError(f"{where}.path", "expected a file name, got ''")
    return settings
