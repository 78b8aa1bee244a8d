"""Phone number format rules: the numbers applications see and the numbers the PBX dials.

Three ordered rule lists, as in the original driver: ``incoming`` (numbers of incoming calls
reported to applications), ``outgoing`` (numbers of outgoing calls reported to applications)
and ``dialing`` (numbers applications dial, before they go to the PBX). The first rule that
matches a number decides; a number no rule matches is left as it is.

A rule either compares the whole number with its search text, or searches the number with a
regular expression (Python syntax; ``^`` and ``$`` anchor it as usual). When the expression is
found, the number becomes the replacement with ``\\1``, ``\\2``... filled in from the groups: the
replacement stands for the whole number, which is why the original's rules capture the rest of
the number (``^0(.*)`` -> ``\\1`` removes a leading 0) and why an empty replacement suppresses the
number altogether (an empty result means "report no number").
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ecsta.driver.settingerrors import InvalidSetting, reject_unknown

Category = Literal["incoming", "outgoing", "dialing"]
CATEGORIES: tuple[Category, ...] = ("incoming", "outgoing", "dialing")


@dataclass(frozen=True)
class Rule:
    """One line of a rule list; a regular expression is compiled once, when the rule is made."""

    search: str
    replace: str = ""
    regex: bool = True
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.search:
            raise InvalidSetting("search", "must not be empty")
        if not self.regex:
            return
        try:
            pattern = re.compile(self.search)
        except re.error as error:
            raise InvalidSetting("search", f"invalid regular expression: {error}") from None
        try:
            _check_template(pattern, self.replace)
        except (re.error, IndexError) as error:
            raise InvalidSetting("replace", f"invalid replacement: {error}") from None
        object.__setattr__(self, "_pattern", pattern)

    def apply(self, number: str) -> str | None:
        """What the number becomes under this rule, or None if the rule does not match."""
        if self._pattern is None:
            return self.replace if number == self.search else None
        match = self._pattern.search(number)
        return None if match is None else match.expand(self.replace)

    def to_document(self) -> dict[str, Any]:
        return {"search": self.search, "replace": self.replace, "regex": self.regex}

    @classmethod
    def from_document(cls, document: Any) -> "Rule":
        if not isinstance(document, Mapping):
            raise InvalidSetting("", "must be an object with search, replace and regex")
        reject_unknown(document, ("search", "replace", "regex"))
        search, replace = document.get("search"), document.get("replace", "")
        regex = document.get("regex", True)
        if not isinstance(search, str):
            raise InvalidSetting("search", "must be a string")
        if not isinstance(replace, str):
            raise InvalidSetting("replace", "must be a string")
        if not isinstance(regex, bool):
            raise InvalidSetting("regex", "must be true or false")
        return cls(search, replace, regex)


def _check_template(pattern: re.Pattern[str], template: str) -> None:
    """Reject ``\\3`` for an expression with two groups now, not on the first matching number.

    ``re`` has no public template checker, so the template is expanded against an empty match
    of a pattern with the same groups (same numbers, same names).
    """
    names = {index: name for name, index in pattern.groupindex.items()}
    probe = "".join(
        f"(?P<{names[index]}>)" if index in names else "()"
        for index in range(1, pattern.groups + 1)
    )
    match = re.match(probe, "")
    assert match is not None
    match.expand(template)


@dataclass(frozen=True)
class Formatted:
    """What a number became, and which rule (index in its list) did it; None if none matched.

    An empty ``number`` means the number is suppressed: applications are told no number.
    """

    number: str
    rule: int | None

    @property
    def suppressed(self) -> bool:
        return self.number == ""


def apply_rules(rules: Sequence[Rule], number: str) -> Formatted:
    """Run a number through one ordered rule list: the first matching rule wins."""
    for index, rule in enumerate(rules):
        result = rule.apply(number)
        if result is not None:
            return Formatted(result, index)
    return Formatted(number, None)


def parse_rules(documents: Any) -> tuple[Rule, ...]:
    """Read one rule list; errors name the rule by its index (``[2].search``)."""
    if not isinstance(documents, list):
        raise InvalidSetting("", "must be a list of rules")
    rules = []
    for index, document in enumerate(documents):
        try:
            rules.append(Rule.from_document(document))
        except InvalidSetting as error:
            raise error.within(f"[{index}]") from None
    return tuple(rules)


@dataclass(frozen=True)
class NumberFormat:
    """The three rule lists of the number format settings."""

    incoming: tuple[Rule, ...] = ()
    outgoing: tuple[Rule, ...] = ()
    dialing: tuple[Rule, ...] = ()

    def check(self, category: Category, number: str) -> Formatted:
        """What ``number`` becomes in ``category``: the administrator's check, and the driver's."""
        if category not in CATEGORIES:
            raise InvalidSetting("category", f"must be one of {', '.join(CATEGORIES)}")
        rules: tuple[Rule, ...] = getattr(self, category)
        return apply_rules(rules, number)

    def to_document(self) -> dict[str, Any]:
        return {
            category: [rule.to_document() for rule in getattr(self, category)]
            for category in CATEGORIES
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> "NumberFormat":
        """Build from the ``numberFormat`` settings object; a missing list means no rules."""
        reject_unknown(document, CATEGORIES)
        lists = {}
        for category in CATEGORIES:
            try:
                lists[category] = parse_rules(document.get(category, []))
            except InvalidSetting as error:
                raise error.within(category) from None
        return cls(**lists)
