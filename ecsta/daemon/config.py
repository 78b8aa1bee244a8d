"""What every service's configuration shares: one error, one TOML reader, checks that name the key.

An operator who misspells a key or writes a string where a number belongs must be told which key,
in one line, before anything starts: every check here takes the dotted key it checks and raises
:class:`ConfigError` with it, so that each service words the same mistake the same way
(``pbx.request_timeout: expected a number > 0, got 'x'``).
"""

import tomllib
from collections.abc import Callable, Mapping
from typing import Any

from ecsta.daemon.logs import check_level

#: A check of one setting: ``check(key, value)`` returns the value to keep or raises.
Check = Callable[[str, Any], Any]


class ConfigError(ValueError):
    """A setting that cannot be used; ``key`` is the dotted key at fault (or the file)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def read_toml(path: str) -> dict[str, Any]:
    """The document in the TOML file at ``path``; a file that cannot be read or parsed is named."""
    try:
        with open(path, "rb") as stream:
            return tomllib.load(stream)
    except OSError as error:
        why = error.strerror or str(error)
        raise ConfigError(path, f"cannot read the configuration: {why}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, f"not valid TOML: {error}") from None


def number(minimum: float, integer: bool = False, exclusive: bool = False) -> Check:
    """A number (an int when ``integer``) of at least ``minimum`` (above it when ``exclusive``);
    a float is kept as a float, an integer setting as an int."""
    kind = "an integer" if integer else "a number"
    relation = ">" if exclusive else ">="

    def check(key: str, value: Any) -> Any:
        ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
        too_small = ok_type and (value < minimum or (exclusive and value == minimum))
        if isinstance(value, bool) or not ok_type or too_small:
            raise ConfigError(key, f"expected {kind} {relation} {minimum:g}, got {value!r}")
        return value if integer else float(value)

    return check


def integer(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(key, f"expected an integer, got {value!r}")
    return value


def boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(key, f"expected true or false, got {value!r}")
    return value


def string(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(key, f"expected a string, got {value!r}")
    return value


def text(key: str, value: Any) -> str:
    """A string that says something: an empty one is refused."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, f"expected a non-empty string, got {value!r}")
    return value


def endpoint(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, f"expected an endpoint string such as 'tcp:33333', got {value!r}")
    return value


def strings(what: str, each: Check = string) -> Check:
    """A list of strings (``what`` names them in the message), each checked by ``each``."""

    def check(key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise ConfigError(key, f"expected a list of {what}, got {value!r}")
        return tuple(each(f"{key}[{i}]", item) for i, item in enumerate(value))

    return check


def one_of(*choices: str) -> Check:
    def check(key: str, value: Any) -> str:
        if value not in choices:
            raise ConfigError(key, f"expected one of {', '.join(choices)}, got {value!r}")
        return str(value)

    return check


def log_level(key: str, value: Any) -> str:
    try:
        return check_level(key, value)
    except ValueError as error:
        raise ConfigError(key, str(error).removeprefix(f"{key}: ")) from None


def table(key: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(key, f"expected a table, got {value!r}")
    return value


def checked(section: str, body: Any, checks: Mapping[str, Check]) -> dict[str, Any]:
    """The keys of the table ``section`` checked one by one; a key not in ``checks`` is refused
    with the keys there are."""
    values = {}
    for key, value in table(section, body).items():
        if key not in checks:
            raise ConfigError(f"{section}.{key}", f"unknown key (known: {', '.join(checks)})")
        values[key] = checks[key](f"{section}.{key}", value)
    return values
