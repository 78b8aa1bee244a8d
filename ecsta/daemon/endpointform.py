"""Whether a client endpoint string has the form that can reach a PBX or a mux.

Twisted's parser answers ``tcp:host=pbx`` with a TypeError about a missing positional
argument and ``pbx:33333`` with "Unknown endpoint type": true, but not what an administrator
needs. This names what is missing and the form expected, before the parser is asked.
"""

import re

#: Client endpoint kinds a CSTA link may use.
KINDS = ("tcp", "tls", "ssl", "unix")
_UNESCAPED_COLON = re.compile(r"(?<!\\):")


def endpoint_problem(description: str) -> str | None:
    """What is wrong with ``description`` as a client endpoint, or None if its form is right."""
    kind, colon, rest = description.partition(":")
    if not colon or kind not in KINDS:
        return (
            f"{description!r} is not an endpoint: write tcp:host=NAME:port=33333 "
            "(tls:host=NAME:port=33334 for a mux's TLS port)"
        )
    if kind == "unix":
        return None if rest else f"{description!r} names no socket: write unix:path=/run/..."
    pieces = [piece for piece in _UNESCAPED_COLON.split(rest) if piece]
    named = dict(piece.split("=", 1) for piece in pieces if "=" in piece)
    positional = [piece for piece in pieces if "=" not in piece]
    host = named.get("host") or (positional[0] if positional else None)
    port = named.get("port") or (positional[1] if len(positional) > 1 else None)
    if not host:
        return f"{description!r} names no host: write {kind}:host=NAME:port=33333"
    if port is None:
        return f"{description!r} has no port: write {kind}:host={host}:port=33333"
    if not port.isdigit() or not 0 < int(port) < 65536:
        return f"{description!r}: the port must be a number from 1 to 65535, not {port!r}"
    return None
