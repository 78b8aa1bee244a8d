"""JSON request bodies as every HTTP API of ecsta reads them: strictly, and never with a 500.

The standard parser accepts what no client of ours sends and what a hostile one uses: ``NaN``
and ``Infinity`` (a simulator told to place ``Infinity`` calls a second spins), numbers that
overflow to infinity (``1e999``), integers too long to convert (``ValueError``), and nesting deep
enough to exhaust the interpreter's stack (``RecursionError``). Each of these becomes one
:class:`BodyError` whose message says what is wrong, for a 400.
"""

import json
import math
from typing import Any

#: Arrays and objects nested deeper than this are refused before parsing.
MAX_DEPTH = 64


class BodyError(ValueError):
    """The body is not the JSON the API accepts; the message says why, in one line."""


def _no_constant(name: str) -> Any:
    raise BodyError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyError(f"the number {text[:40]} is out of range")
    return value


def _depth(text: str) -> int:
    """How deep brackets nest, outside strings (an over-estimate is harmless: it only refuses)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def loads(data: bytes | str) -> Any:
    """Parse a request body, or raise :class:`BodyError`."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    opening = text.count("[") + text.count("{")
    if opening > MAX_DEPTH and _depth(text) > MAX_DEPTH:
        raise BodyError(f"the JSON nests deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(data, parse_constant=_no_constant, parse_float=_finite)
    except BodyError:
        raise
    except RecursionError:
        raise BodyError(f"the JSON nests deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as error:
        # JSONDecodeError, and ValueError for integers longer than Python converts.
        raise BodyError(str(error).split("\n")[0][:200]) from None
