"""The driver's administration settings as one JSON document, checked as a whole.

The document is what ``GET /settings`` returns and ``PUT /settings`` changes: ``location``,
``numberFormat``, ``sipFilter`` and ``advanced`` as DESIGN.md describes them, plus compatible
additions: ``location.canonical`` (report ``+49(89)1234-100`` instead of ``49(89)1234-100``),
``location.lineNumbers`` (line objects show their number in that form too) and
``diagnostics.trafficLog`` (log the decoded CSTA traffic, switchable while running).

An update is a JSON merge patch (RFC 7386): objects are merged key by key, anything else
(a rule list included) replaces what was there, and ``null`` puts a setting back to its
default. The patched document is then validated as a whole, because settings depend on each
other (``useLocation`` needs a country code): either the entire update is taken or none of it,
and the error names the field at fault, as in ``numberFormat.incoming[2].search: invalid
regular expression ...``. Settings objects are immutable; applying new settings means swapping
the object, so the driver never sees half an update.
"""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ecsta.driver.atomicfile import atomic_write
from ecsta.driver.location import Location
from ecsta.driver.numberformat import NumberFormat
from ecsta.driver.settingerrors import InvalidSetting, flag, reject_unknown
from ecsta.driver.sipfilter import SipFilter

#: Bounds that keep a typing error from stalling the driver (an hour without a snapshot or a
#: monitor retry is already far beyond any sensible value).
MAX_SNAPSHOT_INTERVAL = 86400.0
MAX_MONITOR_RETRY_INTERVAL = 3600.0


def _seconds(
    document: Mapping[str, Any], key: str, default: float, low: float, high: float
) -> float:
    value = document.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSetting(key, "must be a number of seconds")
    if not low <= value <= high:
        raise InvalidSetting(key, f"must be between {low:g} and {high:g} seconds")
    return float(value)


@dataclass(frozen=True)
class Advanced:
    """Names from the PBX, how often calls are checked against the PBX, monitor retries.

    An interval of 0 turns the periodic snapshot, or the retrying of failed monitors, off.
    """

    read_names: bool = True
    snapshot_interval: float = 60.0
    monitor_retry_interval: float = 30.0

    def to_document(self) -> dict[str, Any]:
        return {
            "readNames": self.read_names,
            "snapshotInterval": self.snapshot_interval,
            "monitorRetryInterval": self.monitor_retry_interval,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> "Advanced":
        reject_unknown(document, ("readNames", "snapshotInterval", "monitorRetryInterval"))
        default = cls()
        return cls(
            read_names=flag(document, "readNames", default.read_names),
            snapshot_interval=_seconds(
                document, "snapshotInterval", default.snapshot_interval, 0, MAX_SNAPSHOT_INTERVAL
            ),
            monitor_retry_interval=_seconds(
                document,
                "monitorRetryInterval",
                default.monitor_retry_interval,
                0,
                MAX_MONITOR_RETRY_INTERVAL,
            ),
        )


@dataclass(frozen=True)
class Diagnostics:
    """Switches for what goes to the log files while the driver runs."""

    traffic_log: bool = False

    def to_document(self) -> dict[str, Any]:
        return {"trafficLog": self.traffic_log}

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> "Diagnostics":
        reject_unknown(document, ("trafficLog",))
        return cls(traffic_log=flag(document, "trafficLog", cls().traffic_log))


_SECTIONS: dict[str, Any] = {
    "location": Location,
    "numberFormat": NumberFormat,
    "sipFilter": SipFilter,
    "advanced": Advanced,
    "diagnostics": Diagnostics,
}


@dataclass(frozen=True)
class DriverSettings:
    """All administration settings of one driver instance."""

    location: Location = field(default_factory=Location)
    number_format: NumberFormat = field(default_factory=NumberFormat)
    sip_filter: SipFilter = field(default_factory=SipFilter)
    advanced: Advanced = field(default_factory=Advanced)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)

    def to_document(self) -> dict[str, Any]:
        return {
            "location": self.location.to_document(),
            "numberFormat": self.number_format.to_document(),
            "sipFilter": self.sip_filter.to_document(),
            "advanced": self.advanced.to_document(),
            "diagnostics": self.diagnostics.to_document(),
        }

    @classmethod
    def from_document(cls, document: Any) -> "DriverSettings":
        """Build from a whole settings document; a missing section or key takes its default."""
        if not isinstance(document, Mapping):
            raise InvalidSetting("", "the settings must be a JSON object")
        reject_unknown(document, tuple(_SECTIONS))
        sections = {}
        for key, section in _SECTIONS.items():
            value = document.get(key, {})
            if not isinstance(value, Mapping):
                raise InvalidSetting(key, "must be an object")
            try:
                sections[key] = section.from_document(value)
            except InvalidSetting as error:
                raise error.within(key) from None
        return cls(
            location=sections["location"],
            number_format=sections["numberFormat"],
            sip_filter=sections["sipFilter"],
            advanced=sections["advanced"],
            diagnostics=sections["diagnostics"],
        )

    def updated(self, patch: Any) -> "DriverSettings":
        """These settings with a partial document merged in (RFC 7386), checked as a whole."""
        if not isinstance(patch, Mapping):
            raise InvalidSetting("", "the settings must be a JSON object")
        return DriverSettings.from_document(merge_patch(self.to_document(), patch))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge, ``null`` removes, anything else replaces."""
    if not isinstance(patch, Mapping):
        return patch
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def load_settings(path: str) -> DriverSettings:
    """The settings saved at ``path``, or the defaults if nothing was saved yet."""
    if not os.path.exists(path):
        return DriverSettings()
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except ValueError as error:
        raise InvalidSetting("", f"{path} is not a JSON document: {error}") from None
    try:
        return DriverSettings.from_document(document)
    except InvalidSetting as error:
        raise InvalidSetting(error.path, f"{error.reason} (in {path})") from None


def save_settings(path: str, settings: DriverSettings) -> None:
    """Store the settings atomically: a crash while saving keeps the previous ones."""
    data = json.dumps(settings.to_document(), indent=2, ensure_ascii=False) + "\n"
    atomic_write(path, data.encode("utf-8"))
