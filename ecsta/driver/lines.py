"""Line devices: one per monitored extension, with two addresses.

Address 0 is the phone itself; address 1, labelled "Mobile", is the DECT portable of a
Super-Twin pair (a DECT that shares the desk phone's number). Every line has both, as in the
original; address 1 stays unused on a line without such a partner. The pair is detected from the
PBX's device list (a DECT portable listed with a station's number) or, failing that, from the
first event that names a DECT deviceNumber as the line's own device (PROTOCOL.md section 9: a
Panasonic PBX names the DECT of a pair by its own deviceNumber).
"""

from dataclasses import dataclass, field
from typing import Any

from ecsta.driver.constants import LineForwardMode
from ecsta.driver.devices import DECT_PORTABLE, DeviceKey, Directory, device_class
from ecsta.driver.lifecycle import LineState
from ecsta.driver.model import Call

MOBILE = "Mobile"

#: TAPI forwarding modes the driver offers, and the CSTA ForwardingType of each.
FORWARD_TYPES: dict[LineForwardMode, str] = {
    LineForwardMode.LINEFORWARDMODE_UNCOND: "forwardImmediate",
    LineForwardMode.LINEFORWARDMODE_UNCONDINTERNAL: "forwardImmInt",
    LineForwardMode.LINEFORWARDMODE_UNCONDEXTERNAL: "forwardImmExt",
    LineForwardMode.LINEFORWARDMODE_BUSY: "forwardBusy",
    LineForwardMode.LINEFORWARDMODE_BUSYINTERNAL: "forwardBusyInt",
    LineForwardMode.LINEFORWARDMODE_BUSYEXTERNAL: "forwardBusyExt",
    LineForwardMode.LINEFORWARDMODE_NOANSW: "forwardNoAns",
    LineForwardMode.LINEFORWARDMODE_NOANSWINTERNAL: "forwardNoAnsInt",
    LineForwardMode.LINEFORWARDMODE_NOANSWEXTERNAL: "forwardNoAnsExt",
}
FORWARD_MODES: dict[str, LineForwardMode] = {v: k for k, v in FORWARD_TYPES.items()}


@dataclass
class Line:
    """One line device: what the API shows and what the engine needs to place events."""

    number: str
    name: str = ""
    device_id: int = 0
    device_number: int | None = None
    twin: int | None = None
    #: The one field of the line's lifecycle, changed only through its transition table
    #: (:mod:`ecsta.driver.lifecycle`, by :meth:`ecsta.driver.calls.CallEngine.line_event`).
    state: LineState = LineState.BRINGING_UP
    monitor: bytes | None = None
    twin_monitor: bytes | None = None
    monitor_error: str | None = None
    #: Whether the line holds a licence of the pool, until when (None: for good), and why it
    #: could not get one: a line without one refuses every operation.
    licensed: bool = False
    licensed_until: float | None = None
    licence_error: str | None = None
    calls: dict[int, Call] = field(default_factory=dict)
    forwarding: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def opened(self) -> bool:
        return self.state is not LineState.CLOSED

    @property
    def in_service(self) -> bool:
        return self.state is LineState.IN_SERVICE

    @property
    def device(self) -> DeviceKey:
        """How the driver names the line's phone towards the PBX: its dialing number."""
        return self.number

    def address_device(self, address: int) -> DeviceKey:
        """The device that speaks for ``address``: the phone, or the twin DECT for address 1."""
        if address == 1 and self.twin is not None:
            return self.twin
        return self.number

    def address_of(self, key: DeviceKey | None) -> int | None:
        """Which address of this line ``key`` is, or None when it is another device."""
        if key is None:
            return None
        if key == self.number or (self.device_number is not None and key == self.device_number):
            return 0
        if self.twin is not None and key == self.twin:
            return 1
        return None

    def learn_twin(self, key: DeviceKey | None, directory: Directory) -> bool:
        """Adopt ``key`` as this line's Super-Twin DECT when the PBX says it shares our number."""
        if self.twin is not None or not isinstance(key, int):
            return False
        if device_class(key) != DECT_PORTABLE or directory.numbers.get(key, self.number) != (
            self.number
        ):
            return False
        self.twin = key
        return True

    def has_address(self, address: int) -> bool:
        return any(a["address"] == address for a in self.addresses)

    def usable(self, address: int) -> bool:
        """Whether calls can be made or forwarded on ``address``: the Mobile address only
        once the line has a Super-Twin DECT."""
        return address == 0 or (address == 1 and self.twin is not None)

    @property
    def addresses(self) -> list[dict[str, Any]]:
        """Both addresses, on every line, as the original has them: applications rely on the
        count. Address 1 is used only while a Super-Twin DECT is paired with the phone."""
        return [{"address": 0, "name": self.number}, {"address": 1, "name": MOBILE}]

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.number,
            "deviceId": self.device_id,
            "name": self.name,
            "deviceNumber": self.device_number,
            "open": self.opened,
            "inService": self.in_service,
            "monitorError": self.monitor_error,
            "licenceError": self.licence_error,
            "superTwin": self.twin is not None,
            "addresses": self.addresses,
            "calls": sorted(self.calls),
        }


class Lines:
    """Every line device, findable by number, TAPI device id and monitor cross reference."""

    def __init__(self, directory: Directory | None = None) -> None:
        self.directory = directory if directory is not None else Directory()
        self._by_number: dict[str, Line] = {}
        self._by_monitor: dict[bytes, Line] = {}
        self._next_device_id = 0

    def __iter__(self) -> Any:
        return iter(list(self._by_number.values()))

    def __len__(self) -> int:
        return len(self._by_number)

    def __contains__(self, number: object) -> bool:
        return number in self._by_number

    def get(self, number: str) -> Line | None:
        return self._by_number.get(number)

    def add(self, number: str, name: str = "") -> Line:
        """The line for ``number``, created (with the next TAPI device id) if it is new."""
        line = self._by_number.get(number)
        if line is not None:
            if name:
                line.name = name
            return line
        line = Line(number=number, name=name, device_id=self._next_device_id)
        self._next_device_id += 1
        self.refresh(line)
        self._by_number[number] = line
        return line

    def remove(self, number: str) -> Line | None:
        line = self._by_number.pop(number, None)
        if line is not None:
            self.forget_monitor(line)
        return line

    def refresh(self, line: Line) -> None:
        """Take the deviceNumber, name and twin the directory knows for ``line``."""
        directory = self.directory
        line.device_number = directory.devices.get(line.number, line.device_number)
        line.twin = directory.twins.get(line.number, line.twin)
        if not line.name:
            line.name = directory.names.get(line.number, "")

    def bind_monitor(self, line: Line, cross_ref: bytes, twin: bool = False) -> None:
        """Route events of ``cross_ref`` to ``line``; ``twin`` for its Super-Twin DECT's."""
        previous = line.twin_monitor if twin else line.monitor
        if previous is not None:
            self._by_monitor.pop(previous, None)
        if twin:
            line.twin_monitor = cross_ref
        else:
            line.monitor = cross_ref
        self._by_monitor[cross_ref] = line

    def forget_monitor(self, line: Line) -> None:
        for cross_ref in (line.monitor, line.twin_monitor):
            if cross_ref is not None:
                self._by_monitor.pop(cross_ref, None)
        line.monitor = None
        line.twin_monitor = None

    def forget_all_monitors(self) -> None:
        for line in self._by_number.values():
            line.monitor = None
            line.twin_monitor = None
        self._by_monitor.clear()

    def by_monitor(self, cross_ref: bytes) -> Line | None:
        return self._by_monitor.get(cross_ref)
