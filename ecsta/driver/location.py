"""Where the PBX is in the world: which extensions exist and how they are written for others.

A driver that serves one PBX can report extensions as they are dialled (``100``). As soon as
several PBXs (driver instances) feed the same applications, ``100`` is ambiguous, so the
location is put in front of it: with country ``49``, area ``89`` and local number ``1234`` the
extension ``100`` is written ``49(89)1234-100``, the form administrators know from the original
driver, or canonically ``+49(89)1234-100``, the form CRMs and TAPI applications parse. Numbers
that come back from applications in any of these forms (or as a plain ``+49891234100``) are
turned back into the extension, so that dialling a reported number always works.

The extension range says which internal numbers exist. It is written as comma separated
``first-last`` spans (``100-199, 7000-7099``) or single numbers; a number belongs to a span when
it lies between the ends and has the same number of digits as the first end (``0150`` is not in
``100-199``). An empty range restricts nothing: every device the PBX reports is taken.

Line objects show their line's number as the extension (``lineNumbers = "internal"``) or, with
``"canonical"``, in the form calls report extensions at this location, so that an application
matching a call's number against its lines finds the line; the line id stays the extension.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ecsta.driver.settingerrors import InvalidSetting, flag, reject_unknown

#: More numbers than this in the extension range is a typing error, not a PBX (the largest
#: Panasonic systems have a few thousand extensions).
MAX_EXTENSIONS = 100_000

_DIGITS = re.compile(r"[0-9]+")
#: TAPI's canonical form: ``+`` country code, then the area code in parentheses or after a
#: space, then the subscriber number, whose digits may be grouped with spaces and dashes.
_CANONICAL = re.compile(r"\+([0-9]{1,3})\s*(?:\(([0-9]*)\)|\s([0-9]+)\s)\s*([0-9][0-9\s-]*)")
#: How line objects show their number: the extension, or as calls report it at this location.
LINE_NUMBER_FORMS = ("internal", "canonical")
LineNumbers = Literal["internal", "canonical"]


@dataclass(frozen=True)
class ExtensionSpan:
    """One ``first-last`` span of the extension range, ends included."""

    first: str
    last: str

    def __contains__(self, number: object) -> bool:
        if not isinstance(number, str) or not _DIGITS.fullmatch(number):
            return False
        value = int(number)
        return (
            int(self.first) <= value <= int(self.last)
            and str(value).zfill(len(self.first)) == number
        )

    def __iter__(self) -> Iterator[str]:
        width = len(self.first)
        for value in range(int(self.first), int(self.last) + 1):
            yield str(value).zfill(width)

    def __len__(self) -> int:
        return int(self.last) - int(self.first) + 1

    def __str__(self) -> str:
        return self.first if self.first == self.last else f"{self.first}-{self.last}"


@dataclass(frozen=True)
class ExtensionRange:
    """The internal numbers of the PBX, as the administrator typed them."""

    spans: tuple[ExtensionSpan, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "ExtensionRange":
        """Read ``100-199, 7000`` and the like; errors name the span at fault."""
        spans = []
        for part in (piece.strip() for piece in text.split(",")):
            if not part:
                continue
            first, dash, last = (end.strip() for end in part.partition("-"))
            if not dash:
                last = first
            if not (_DIGITS.fullmatch(first) and _DIGITS.fullmatch(last)):
                raise InvalidSetting("", f"{part!r} is not a number or a span first-last of digits")
            if int(last) < int(first) or len(last) < len(first):
                raise InvalidSetting("", f"{part!r} ends before it starts")
            spans.append(ExtensionSpan(first, last))
        result = cls(tuple(spans))
        if sum(len(span) for span in spans) > MAX_EXTENSIONS:
            raise InvalidSetting("", f"more than {MAX_EXTENSIONS} extensions in {text!r}")
        return result

    def __contains__(self, number: object) -> bool:
        """Whether ``number`` is an extension; everything is when no range is set."""
        return not self.spans or any(number in span for span in self.spans)

    def numbers(self) -> Iterator[str]:
        """Every extension of the range in order, to ask the PBX about each one."""
        for span in self.spans:
            yield from span

    def __str__(self) -> str:
        return ", ".join(str(span) for span in self.spans)


@dataclass(frozen=True)
class Location:
    """The location settings and what they mean for the numbers the driver reports."""

    use_location: bool = False
    country_code: str = ""
    area_code: str = ""
    local_number: str = ""
    canonical: bool = False
    extension_range: ExtensionRange = field(default_factory=ExtensionRange)
    line_numbers: LineNumbers = "internal"

    def __post_init__(self) -> None:
        for path, value in (
            ("countryCode", self.country_code),
            ("areaCode", self.area_code),
            ("localNumber", self.local_number),
        ):
            if value and not _DIGITS.fullmatch(value):
                raise InvalidSetting(path, f"{value!r} must be digits only")
        if self.use_location:
            if not self.country_code:
                raise InvalidSetting("countryCode", "required when useLocation is on")
            if not self.local_number:
                raise InvalidSetting("localNumber", "required when useLocation is on")
        elif self.line_numbers != "internal":
            raise InvalidSetting("lineNumbers", f"{self.line_numbers!r} needs useLocation on")

    @property
    def prefix(self) -> str:
        """The location as written before an extension: ``49(89)1234``."""
        area = f"({self.area_code})" if self.area_code else ""
        return f"{self.country_code}{area}{self.local_number}"

    def located(self, extension: str) -> str:
        """``49(89)1234-100``: the extension behind the location."""
        return f"{self.prefix}-{extension}"

    def canonical_number(self, extension: str) -> str:
        """``+49(89)1234-100``: the extension as a canonical (international) number."""
        return f"+{self.located(extension)}"

    def number_for(self, extension: str) -> str:
        """How the extension is reported to applications, as line number and on calls."""
        if not self.use_location:
            return extension
        return self.canonical_number(extension) if self.canonical else self.located(extension)

    def extension_of(self, number: str) -> str | None:
        """The extension behind a number at this location, or None for any other number.

        Accepts both forms :meth:`number_for` writes and the supercanonical ``+49891234100``;
        a plain extension is not a located number and gives None, as does anything while
        the location is not in use.
        """
        if not self.use_location:
            return None
        for form in (self.located(""), self.canonical_number("")):
            rest = number[len(form) :]
            if number.startswith(form) and _DIGITS.fullmatch(rest) and rest in self.extension_range:
                return rest
        if number.startswith("+"):
            digits = re.sub(r"[^0-9]", "", number)
            base = self.country_code + self.area_code + self.local_number
            rest = digits[len(base) :]
            if digits.startswith(base) and rest and rest in self.extension_range:
                return rest
        return None

    def dialable(self, number: str) -> str:
        """What to dial for a number an application gives: the extension if it is one here,
        a canonical number of anywhere else as this location dials it, else the number.

        A canonical number (``+49(89)1234-104``, ``+49 89 1234104``) is dialled as a local
        number in the same area, with the national prefix and its area code in the same
        country, and with the international prefix elsewhere: ``0`` and ``00``, or ``1`` and
        ``011`` in country 1, as Windows' dialling rules do. The dialling rules come after
        (an outside-line code, for one). Without the location in use it becomes
        ``+<digits>``, for the dialling rules to turn into what the PBX dials.
        """
        extension = self.extension_of(number)
        if extension is not None:
            return extension
        match = _CANONICAL.fullmatch(number.strip())
        if match is None:
            return number
        country, area = match.group(1), match.group(2) or match.group(3) or ""
        subscriber = re.sub(r"[\s-]", "", match.group(4))
        if not self.use_location:
            return f"+{country}{area}{subscriber}"
        national, international = ("1", "011") if self.country_code == "1" else ("0", "00")
        if country != self.country_code:
            return f"{international}{country}{area}{subscriber}"
        if area and area != self.area_code:
            return f"{national}{area}{subscriber}"
        return subscriber

    def to_document(self) -> dict[str, Any]:
        return {
            "useLocation": self.use_location,
            "countryCode": self.country_code,
            "areaCode": self.area_code,
            "localNumber": self.local_number,
            "canonical": self.canonical,
            "extensionRange": str(self.extension_range),
            "lineNumbers": self.line_numbers,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> "Location":
        """Build from the ``location`` settings object; errors name the field."""
        known = {
            "useLocation",
            "countryCode",
            "areaCode",
            "localNumber",
            "canonical",
            "extensionRange",
            "lineNumbers",
        }
        reject_unknown(document, known)
        flags = {key: flag(document, key, False) for key in ("useLocation", "canonical")}
        texts = {}
        for key in ("countryCode", "areaCode", "localNumber", "extensionRange"):
            value = document.get(key, "")
            if not isinstance(value, str):
                raise InvalidSetting(key, "must be a string")
            texts[key] = value.strip()
        line_numbers = document.get("lineNumbers", "internal")
        if line_numbers not in LINE_NUMBER_FORMS:
            raise InvalidSetting("lineNumbers", f"must be one of {', '.join(LINE_NUMBER_FORMS)}")
        try:
            extension_range = ExtensionRange.parse(texts["extensionRange"])
        except InvalidSetting as error:
            raise error.within("extensionRange") from None
        return cls(
            use_location=flags["useLocation"],
            country_code=texts["countryCode"],
            area_code=texts["areaCode"],
            local_number=texts["localNumber"],
            canonical=flags["canonical"],
            extension_range=extension_range,
            line_numbers=line_numbers,
        )
