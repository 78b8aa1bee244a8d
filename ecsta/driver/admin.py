"""One driver instance's administration, as the driver and its endpoints use it.

It holds the current :class:`~ecsta.driver.settings.DriverSettings` (replaced whole on every
update, and saved), the stored lines, the host's licence pool and the CSTA traffic log, and
answers the questions the driver asks of them:

- what number an application sees for a party of a call: an extension at this location in
  its located or canonical form when the location is in use, any other number through the
  incoming or outgoing rules of the call's direction (an empty result reports no number);
- what the PBX is asked to dial for a number an application gives (an extension at this
  location as the extension, then the dialling rules);
- whether a device the PBX lists becomes a line (extension range, SIP line filter);
- the licence a line takes when it opens and gives back when it closes, held in the pool
  under ``instance/line`` so that several instances on one host never mix their lines up.

When one service runs several instances, an extension alone no longer says which PBX it is
on: ``canonical_numbers`` is then set, and every instance whose location is in use reports its
extensions canonically (``+49(30)12345-123``), whatever its ``canonical`` setting says.

Nothing here does I/O beyond the settings and line files and the licence state, so the driver
and the HTTP layer stay thin and this stays testable on its own. That I/O runs through
:attr:`Administration.runner`: at once for the CLI and tests without a reactor, in the
reactor's thread pool once a driver has handed its own (:meth:`Administration.use_runner`), so
that no lock, write or fsync ever holds up the reactor thread. Changes to the lines come by
explicit calls (:meth:`Administration.keep_lines`), never by watching what the driver publishes.
"""

import os
from collections.abc import Callable, Mapping
from typing import Any

from twisted.internet.defer import Deferred, DeferredLock

from ecsta.driver.config import DriverConfig
from ecsta.driver.diagnostics import TrafficLog
from ecsta.driver.filework import BatchWriter, Runner, at_once
from ecsta.driver.licence import LicencePool
from ecsta.driver.linestore import Edit, LineStore, PbxDevice, takes_device
from ecsta.driver.numberformat import CATEGORIES, Category
from ecsta.driver.settingerrors import InvalidSetting
from ecsta.driver.settings import DriverSettings, load_settings, save_settings

SETTINGS_FILE = "settings.json"
LINES_FILE = "lines.txt"
#: The body fields of API operations that hold a number to dial.
DIALLED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "makecall": ("to",),
    "redirect": ("to",),
    "blindtransfer": ("to",),
    "dial": ("digits",),
    "forward": ("forwards",),
}
#: The party fields of a call object that carry a number.
PARTY_FIELDS = ("callerId", "calledId", "connectedId", "redirectingId", "redirectionId")


class Administration:
    """Settings, lines, licences and traffic log of one driver instance."""

    def __init__(
        self,
        licences: LicencePool | None,
        settings: DriverSettings | None = None,
        settings_path: str | None = None,
        store: LineStore | None = None,
        traffic: TrafficLog | None = None,
        instance: str = "driver",
    ) -> None:
        self.settings = settings or DriverSettings()
        self.settings_path = settings_path
        self.store = store or LineStore()
        self.licences = licences
        self.traffic = traffic or TrafficLog()
        self.instance = instance
        #: Report located extensions canonically: several instances feed the same applications.
        self.canonical_numbers = False
        #: Called with the new settings after every accepted update (intervals, names...).
        self.listeners: list[Callable[[DriverSettings], None]] = []
        self.traffic.enabled = self.settings.diagnostics.traffic_log
        self.runner: Runner = at_once
        self._line_writes: BatchWriter[Edit] = BatchWriter(self.store.edit, at_once)
        self._settings_lock = DeferredLock()

    def use_runner(self, runner: Runner) -> None:
        """Run the file work through ``runner`` from now on (a driver's thread pool)."""
        self.runner = self._line_writes.runner = runner

    def kept(self) -> Deferred[None]:
        """Fires once every change of the lines asked for so far is on disk (or has failed)."""
        return self._line_writes.idle()

    # -- settings -------------------------------------------------------------------------------

    def update_settings(self, patch: Any) -> Deferred[DriverSettings]:
        """Merge, check as a whole, save, then apply; an error changes nothing.

        A patch that cannot be taken raises :class:`InvalidSetting` at once; updates then
        follow one another, each merged into what the one before it left, so that two at the
        same moment never save over each other.
        """
        self.settings.updated(patch)
        return self._settings_lock.run(self._update_settings, patch)

    def _update_settings(self, patch: Any) -> Deferred[DriverSettings]:
        updated = self.settings.updated(patch)

        def adopted(_: object) -> DriverSettings:
            self.adopt(updated)
            return updated

        if self.settings_path is None:
            return at_once(adopted, None)
        return self.runner(save_settings, self.settings_path, updated).addCallback(adopted)

    def adopt(self, settings: DriverSettings) -> None:
        """Put ``settings`` in force as they are (saved already, or read on a reload)."""
        self.settings = settings
        self.traffic.enabled = settings.diagnostics.traffic_log
        for listener in list(self.listeners):
            listener(settings)

    def check_number(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /numberformat/check``: what a number becomes, and the rule that did it."""
        category, number = body.get("category"), body.get("number")
        if category not in CATEGORIES:
            raise InvalidSetting("category", f"must be one of {', '.join(CATEGORIES)}")
        if not isinstance(number, str):
            raise InvalidSetting("number", "must be a string")
        result = self.settings.number_format.check(category, number)
        return {"number": result.number, "rule": result.rule}

    def check_sip(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /sipfilter/check``: whether a device would be left out, and by which rule."""
        name, number = body.get("name", ""), body.get("number", "")
        for key, value in (("name", name), ("number", number)):
            if not isinstance(value, str):
                raise InvalidSetting(key, "must be a string")
        result = self.settings.sip_filter.check(name, number)
        return {"filtered": result.filtered, "rule": result.rule}

    # -- numbers --------------------------------------------------------------------------------

    def is_extension(self, number: str) -> bool:
        """Whether the extension range names ``number`` (an empty range names nothing here)."""
        extensions = self.settings.location.extension_range
        return bool(extensions.spans) and number in extensions

    def reported(self, number: str, category: Category, internal: bool) -> str | None:
        """The number an application sees; None when the rules suppress it."""
        location = self.settings.location
        if internal and location.use_location:
            if self.canonical_numbers:
                return location.canonical_number(number)
            return location.number_for(number)
        result = self.settings.number_format.check(category, number).number
        return result or None

    def line_number(self, extension: str) -> str:
        """The number a line object shows for its extension (``location.lineNumbers``)."""
        location = self.settings.location
        if location.line_numbers == "canonical":
            return self.reported(extension, "incoming", internal=True) or extension
        return extension

    def present_call(
        self, call: Mapping[str, Any], is_internal: Callable[[str], bool]
    ) -> dict[str, Any]:
        """A call object with every party's number as applications are to see it.

        The rules of the call's direction apply: outgoing for a call this line placed,
        incoming for every other. They format the other parties' numbers: the line's own
        number is never rewritten by them (only put in its located form, as every extension).
        """
        category: Category = (
            "outgoing" if call.get("origin") == "LINECALLORIGIN_OUTBOUND" else "incoming"
        )
        presented = dict(call)
        for field in PARTY_FIELDS:
            party = call.get(field)
            if isinstance(party, Mapping) and isinstance(party.get("number"), str):
                number = party["number"]
                if number == call.get("line"):
                    own = self.settings.location.use_location
                    shown = self.reported(number, category, True) if own else number
                else:
                    shown = self.reported(number, category, is_internal(number))
                presented[field] = {**party, "number": shown}
        return presented

    def dialable(self, number: str) -> str:
        """What the PBX is asked to dial for ``number``; empty if the rules suppress it."""
        local = self.settings.location.dialable(number)
        return self.settings.number_format.check("dialing", local).number

    def dialled_body(self, operation: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        """An API request body with the numbers it dials as the PBX is to dial them.

        A number the dialling rules suppress cannot be dialled: that is an error naming the
        field, not an empty dial.
        """
        fields = DIALLED_FIELDS.get(operation, ())
        if not fields:
            return body
        changed = dict(body)
        for field in fields:
            if field == "forwards" and isinstance(body.get(field), list):
                changed[field] = [
                    {**entry, "to": self._dial(entry["to"], f"forwards[{index}].to")}
                    if isinstance(entry, Mapping) and isinstance(entry.get("to"), str)
                    else entry
                    for index, entry in enumerate(body[field])
                ]
            elif isinstance(body.get(field), str):
                changed[field] = self._dial(body[field], field)
        return changed

    def _dial(self, number: str, field: str) -> str:
        dialled = self.dialable(number)
        if not dialled:
            raise InvalidSetting(field, f"the dialling rules suppress {number!r}")
        return dialled

    # -- lines ----------------------------------------------------------------------------------

    def takes_device(self, device: PbxDevice) -> bool:
        """Whether a device the PBX lists becomes a line when lines are loaded."""
        location, sip_filter = self.settings.location, self.settings.sip_filter
        return takes_device(device, location.extension_range, sip_filter)

    def keep_lines(self, edit: Edit) -> Deferred[Any]:
        """Change the stored lines; what ``edit`` answers once the file holds the change.

        Changes follow one another in the order asked for; those asked for while a save runs
        are saved together.
        """
        return self._line_writes.submit(edit)

    # -- licences -------------------------------------------------------------------------------

    def holder(self, line: str) -> str:
        return f"{self.instance}/{line}"

    def take_licence(self, line: str) -> float | None:
        """Before a line opens; raises a :class:`~ecsta.driver.licence.LicenceError` if none.

        Returns when the licence stops holding (:meth:`licence_expired` tells), None for good.
        """
        if self.licences is not None:
            return self.licences.acquire(self.holder(line))
        return None

    def licence_expired(self, until: float | None) -> bool:
        """Whether a licence that holds until ``until`` (by the pool's clock) has run out."""
        return until is not None and self.licences is not None and self.licences.clock() >= until

    def give_back_licence(self, line: str) -> None:
        if self.licences is not None:
            self.licences.release(self.holder(line))

    def give_back_all(self) -> None:
        """At shutdown: every licence this instance holds goes back to the pool (the other
        instances of the process keep theirs until they stop)."""
        if self.licences is not None:
            self.licences.release_all(self.holder(""))

    def licence_status(self) -> dict[str, Any]:
        """``GET /license``; ``off`` for a driver embedded without a pool (twistd has one)."""
        if self.licences is None:
            return {"mode": "off"}
        return self.licences.status().to_document()

    # -- from the configuration -----------------------------------------------------------------

    @classmethod
    def from_config(
        cls, config: DriverConfig, licences: LicencePool | None = None
    ) -> "Administration":
        """The administration the configuration describes.

        Settings are :func:`settings_from_config`'s; lines are kept in the state directory's
        ``lines.txt`` (in memory without a state directory); the licence pool is
        ``licences``, which the instances of one service share, or else the one in
        ``licence_directory``.
        """
        if config.state_directory is not None:
            os.makedirs(config.state_directory, exist_ok=True)
        pool = licences
        if pool is None and config.licence_directory is not None:
            pool = LicencePool(config.licence_directory)
        return cls(
            pool,
            settings=settings_from_config(config),
            settings_path=state_file(config, SETTINGS_FILE),
            store=LineStore(state_file(config, LINES_FILE)),
            instance=config.instance,
        )


def state_file(config: DriverConfig, name: str) -> str | None:
    """A file of the instance's state directory; None when it keeps its state in memory."""
    if config.state_directory is None:
        return None
    return os.path.join(config.state_directory, name)


def settings_from_config(config: DriverConfig) -> DriverSettings:
    """The settings saved through the API if there are any, else the configuration's."""
    saved = state_file(config, SETTINGS_FILE)
    if saved is not None and os.path.exists(saved):
        return load_settings(saved)
    return DriverSettings.from_document(_configured(config))


def overridden_sections(config: DriverConfig) -> list[str]:
    """The settings sections of the configuration that settings saved through the API hide.

    Once settings are saved they are all the driver reads, so an administrator who edits the
    configuration file afterwards would otherwise wonder why nothing changes. Only sections
    the configuration gives and that say something else than the saved settings are named.
    """
    path = state_file(config, SETTINGS_FILE)
    if path is None or not os.path.exists(path):
        return []
    saved = load_settings(path).to_document()
    configured = _configured(config)
    given = [*config.settings]
    defaults = DriverConfig()
    if (config.read_names, config.snapshot_interval, config.monitor_retry_interval) != (
        defaults.read_names,
        defaults.snapshot_interval,
        defaults.monitor_retry_interval,
    ):
        given.append("advanced")
    overridden = []
    for section in given:
        try:
            mine = DriverSettings.from_document({section: configured[section]}).to_document()
        except InvalidSetting:
            overridden.append(section)
            continue
        if mine[section] != saved.get(section):
            overridden.append(section)
    return overridden


def lines_overridden(config: DriverConfig) -> str | None:
    """The file the configured lines are hidden by, when they say something else than it.

    The configured lines only seed an empty line store: once lines are kept in the state
    directory, they are what the driver opens, and an edit of the configured ones does nothing.
    """
    path = state_file(config, LINES_FILE)
    if not config.lines or path is None or not os.path.exists(path):
        return None
    kept = {line.number for line in LineStore(path).lines}
    return None if kept == set(config.lines) else path


def _configured(config: DriverConfig) -> dict[str, Any]:
    """The settings document the configuration file gives."""
    advanced = {
        "readNames": config.read_names,
        "snapshotInterval": config.snapshot_interval,
        "monitorRetryInterval": config.monitor_retry_interval,
    }
    return {**config.settings, "advanced": advanced}
