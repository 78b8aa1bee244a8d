"""The bearer tokens of a service's API, shared by every check of them.

The driver's API, its metrics and its web console all accept the same tokens: one object holds
them, so that a reload replaces them everywhere at once.
"""

import hmac
from collections.abc import Collection


class BearerTokens:
    """The bearer tokens of an API, one object shared by every check of them (the API, its web
    console, its metrics), so that a reload replaces them everywhere at once."""

    def __init__(self, tokens: Collection[str] = ()) -> None:
        self.encoded: list[bytes] = []
        self.replace(tokens)

    def replace(self, tokens: Collection[str]) -> bool:
        """Check requests against ``tokens`` from now on; whether they differ from before."""
        new = [token.encode("utf-8") for token in tokens]
        changed = new != self.encoded
        self.encoded = new
        return changed

    def __bool__(self) -> bool:
        return bool(self.encoded)

    def place(self, given: bytes) -> int | None:
        """The place (from 1) of the token ``given``, or None for one that is not valid."""
        # Every token is compared, so that the time taken does not tell which one was close.
        matches = [hmac.compare_digest(given, known) for known in self.encoded]
        return matches.index(True) + 1 if any(matches) else None


def bearer_tokens(tokens: "Collection[str] | BearerTokens | None") -> BearerTokens:
    """``tokens`` as a shared set: the same object when it is one already."""
    return tokens if isinstance(tokens, BearerTokens) else BearerTokens(tokens or ())
