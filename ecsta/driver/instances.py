"""Several driver instances behind one API: line ids, lookups and the event stream.

One driver service may run several instances, each with its own PBX (or mux), lines and
settings. Applications see them as one set of lines, so ids must not clash although two PBXs
may both have an extension 101:

- a line id is the extension alone while one instance runs (what the API has always shown),
  and ``NAME:EXTENSION`` (``berlin:101``) when several run; line objects and messages then also
  name the ``instance`` and the line's ``number``;
- a line object's ``number`` is its extension, or with ``location.lineNumbers = "canonical"``
  the extension as calls report it at the location (``+49(89)1234-101``), the line id unchanged;
- call ids are unique because every instance's engine takes them from one counter, so a call
  id alone finds its instance.

The drivers themselves know nothing of this: they speak of their lines by extension, and
:class:`Instance` turns what they publish and answer into what applications see.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ecsta.driver.connection import Driver
from ecsta.driver.lines import Line
from ecsta.driver.messages import Message
from ecsta.driver.model import Call

#: Between an instance's name and an extension in a line id.
SEPARATOR = ":"
#: The fields of a message that hold an object with a line of its own.
_NESTED = ("callInfo", "lineInfo", "status")

Subscriber = Callable[[Message], None]


@dataclass
class Instance:
    """One driver instance as the API sees it: its name and the prefix of its line ids."""

    name: str
    driver: Driver
    prefix: str = ""

    @property
    def alone(self) -> bool:
        return not self.prefix

    def line_id(self, number: str) -> str:
        return f"{self.prefix}{number}"

    def named(self, value: Mapping[str, Any]) -> dict[str, Any]:
        """``value`` (a line, call or address status) with its line as applications know it."""
        out = dict(value)
        if self.alone:
            return out
        number = out.get("line")
        if isinstance(number, str):
            out["line"] = self.line_id(number)
        out["instance"] = self.name
        return out

    def line_json(self, line: Line) -> dict[str, Any]:
        return self.line_info(line.to_json())

    def line_info(self, value: Mapping[str, Any]) -> dict[str, Any]:
        """A line object as applications see it: its id, and its ``number`` when that is not
        the id (several instances, or numbers shown at the location)."""
        out = self.named(value)
        extension = value.get("line")
        if not isinstance(extension, str):
            return out
        admin = self.driver.admin
        number = extension if admin is None else admin.line_number(extension)
        if not self.alone or number != extension:
            out["number"] = number
        return out

    def call_json(self, call: Call) -> dict[str, Any]:
        """A call object with its numbers as this instance's settings present them."""
        shown = call.to_json()
        admin = self.driver.admin
        if admin is not None:
            shown = admin.present_call(shown, self.driver.engine.internal)
        return self.named(shown)

    def outward(self, message: Message) -> Message:
        """A message the driver published, as the event stream sends it."""
        out = self.named(message)
        for key in _NESTED:
            inner = out.get(key)
            if key == "lineInfo" and isinstance(inner, Mapping):
                out[key] = self.line_info(inner)
            elif not self.alone and isinstance(inner, Mapping):
                out[key] = self.named(inner)
        return out


@dataclass
class Instances:
    """Every instance of the service, in the configured order (the first is the default)."""

    members: list[Instance]
    _relays: dict[Subscriber, list[tuple[Driver, Subscriber]]] = field(default_factory=dict)

    @classmethod
    def of(cls, drivers: Sequence[tuple[str, Driver]]) -> "Instances":
        """The instances of ``(name, driver)`` pairs: prefixed line ids when there are several."""
        several = len(drivers) > 1
        return cls(
            [
                Instance(name, driver, f"{name}{SEPARATOR}" if several else "")
                for name, driver in drivers
            ]
        )

    def __iter__(self) -> Iterator[Instance]:
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)

    @property
    def names(self) -> list[str]:
        return [instance.name for instance in self.members]

    def get(self, name: str | None) -> Instance | None:
        """The instance called ``name``; the first one for None."""
        if name is None:
            return self.members[0]
        return next((i for i in self.members if i.name == name), None)

    def find_line(self, line_id: str) -> tuple[Instance, Line] | None:
        for instance in self.members:
            if line_id.startswith(instance.prefix):
                line = instance.driver.lines.get(line_id[len(instance.prefix) :])
                if line is not None:
                    return instance, line
        return None

    def find_call(self, call_id: int) -> tuple[Instance, Call] | None:
        for instance in self.members:
            call = instance.driver.engine.call(call_id)
            if call is not None:
                return instance, call
        return None

    def line_ids(self) -> list[str]:
        return [i.line_id(line.number) for i in self.members for line in i.driver.lines]

    def subscribe(self, subscriber: Subscriber) -> None:
        """Send ``subscriber`` what every instance publishes, as applications see it."""
        relays = []
        for instance in self.members:
            relay = _relay(instance, subscriber)
            instance.driver.subscribers.append(relay)
            relays.append((instance.driver, relay))
        self._relays[subscriber] = relays

    def unsubscribe(self, subscriber: Subscriber) -> None:
        for driver, relay in self._relays.pop(subscriber, []):
            if relay in driver.subscribers:
                driver.subscribers.remove(relay)


def _relay(instance: Instance, subscriber: Subscriber) -> Subscriber:
    def relay(message: Message) -> None:
        subscriber(instance.outward(message))

    return relay
