"""The error every administration setting raises when a value is not acceptable.

Settings arrive from the HTTP API, the CLI and the configuration file; in each case the
administrator needs to know which field is wrong, so the error carries the field's path in the
settings document (``numberFormat.incoming[2].search``). A building block validates its own part
and names paths relative to it; whoever holds the larger document prefixes the rest with
:meth:`InvalidSetting.within`, so the same check reads right at every level. The checks every
part makes alike (no unknown keys, true-or-false switches) are here too, so that they say the
same thing in every section.
"""

from collections.abc import Collection, Mapping
from typing import Any


class InvalidSetting(ValueError):
    """A setting that cannot be used, with the path of the field at fault."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason

    def within(self, prefix: str) -> "InvalidSetting":
        """The same error seen from a document that holds this part under ``prefix``."""
        if not self.path:
            return InvalidSetting(prefix, self.reason)
        joiner = "" if self.path.startswith("[") else "."
        return InvalidSetting(f"{prefix}{joiner}{self.path}", self.reason)


def reject_unknown(document: Mapping[str, Any], known: Collection[str]) -> None:
    """Refuse a key no setting has: a misspelt one would otherwise be dropped silently."""
    for key in document:
        if key not in known:
            raise InvalidSetting(key, "unknown setting")


def flag(document: Mapping[str, Any], key: str, default: bool) -> bool:
    """A true-or-false setting (``default`` when absent)."""
    value = document.get(key, default)
    if not isinstance(value, bool):
        raise InvalidSetting(key, "must be true or false")
    return value
