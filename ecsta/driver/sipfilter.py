"""The SIP line filter: which of the PBX's devices are left out when lines are loaded.

A Panasonic PBX reports every SIP registration as a device, including gateways, door phones and
soft clients that nobody wants as a TAPI line. The filter, when enabled, is a list of rules of
four kinds: text found in the device's name, text found in its number, a regular expression
found in its name, a regular expression found in its number. A device any rule matches is
filtered out; the check tells which rule did it, so that an administrator can see why a line is
missing. Text is compared without regard to case, since device names are typed by hand in the
PBX's programming tool; a regular expression is taken as written (``(?i)`` makes it ignore case).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ecsta.driver.settingerrors import InvalidSetting, flag, reject_unknown

Kind = Literal["name-text", "number-text", "name-regex", "number-regex"]
KINDS: tuple[Kind, ...] = ("name-text", "number-text", "name-regex", "number-regex")


@dataclass(frozen=True)
class FilterRule:
    """One rule; a regular expression is compiled once, when the rule is made."""

    kind: Kind
    search: str
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidSetting("kind", f"must be one of {', '.join(KINDS)}")
        if not self.search:
            raise InvalidSetting("search", "must not be empty")
        if self.kind.endswith("-regex"):
            try:
                object.__setattr__(self, "_pattern", re.compile(self.search))
            except re.error as error:
                raise InvalidSetting("search", f"invalid regular expression: {error}") from None

    def matches(self, name: str, number: str) -> bool:
        subject = name if self.kind.startswith("name-") else number
        if self._pattern is not None:
            return self._pattern.search(subject) is not None
        return self.search.casefold() in subject.casefold()

    def to_document(self) -> dict[str, Any]:
        return {"kind": self.kind, "search": self.search}

    @classmethod
    def from_document(cls, document: Any) -> "FilterRule":
        if not isinstance(document, Mapping):
            raise InvalidSetting("", "must be an object with kind and search")
        reject_unknown(document, ("kind", "search"))
        kind, search = document.get("kind"), document.get("search")
        if kind not in KINDS:
            raise InvalidSetting("kind", f"must be one of {', '.join(KINDS)}")
        if not isinstance(search, str):
            raise InvalidSetting("search", "must be a string")
        return cls(kind, search)


@dataclass(frozen=True)
class FilterResult:
    """Whether a device is left out, and the index of the rule that left it out."""

    filtered: bool
    rule: int | None


@dataclass(frozen=True)
class SipFilter:
    """The filter settings: off, or on with an ordered list of rules."""

    enabled: bool = False
    rules: tuple[FilterRule, ...] = ()

    def check(self, name: str, number: str) -> FilterResult:
        """Whether a device with this name and number is left out when lines are loaded."""
        if self.enabled:
            for index, rule in enumerate(self.rules):
                if rule.matches(name, number):
                    return FilterResult(True, index)
        return FilterResult(False, None)

    def to_document(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "rules": [rule.to_document() for rule in self.rules]}

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> "SipFilter":
        """Build from the ``sipFilter`` settings object; errors name the rule by index."""
        reject_unknown(document, ("enabled", "rules"))
        enabled = flag(document, "enabled", False)
        documents = document.get("rules", [])
        if not isinstance(documents, list):
            raise InvalidSetting("rules", "must be a list of rules")
        rules = []
        for index, rule in enumerate(documents):
            try:
                rules.append(FilterRule.from_document(rule))
            except InvalidSetting as error:
                raise error.within(f"rules[{index}]") from None
        return cls(enabled, tuple(rules))
