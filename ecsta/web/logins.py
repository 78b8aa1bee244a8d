"""What a console accepts as a login: a user and password, a bearer token, or nothing.

The multiplexer's console checks the users of its configuration (password hashes, see
:mod:`ecsta.mux.auth`), optionally only some of them; the driver's checks the bearer tokens of
its API, so that whoever may call the API may use the console and nobody else. A console with
nothing configured needs no login, as the status page and the API it shows need none then.

A check answers the name the session is opened for, or None; it never says why a login
failed, and a token is never used as a name (the log would hold it).
"""

import hmac
from collections.abc import Collection, Mapping
from typing import Any, Protocol

from ecsta.mux.auth import Users

#: Longest user name, password or token a login form may send.
MAX_FIELD = 1024


class Login(Protocol):
    """What a console needs to know about its logins."""

    #: ``"password"``, ``"token"`` or ``"none"``: the form the page shows.
    kind: str

    @property
    def required(self) -> bool: ...

    def check(self, form: Mapping[str, Any]) -> str | None: ...


def _field(form: Mapping[str, Any], name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str) or not value or len(value) > MAX_FIELD:
        return None
    return value


class PasswordLogin:
    """The users of a password table; ``allowed``, when not empty, names those who may log in."""

    kind = "password"

    def __init__(self, users: Users, allowed: Collection[str] = ()) -> None:
        self.users = users
        self.allowed = frozenset(allowed)

    @property
    def required(self) -> bool:
        return bool(self.users)

    def check(self, form: Mapping[str, Any]) -> str | None:
        user = _field(form, "user")
        password = _field(form, "password")
        if user is None or password is None:
            return None
        # The password is checked even for a user who may not log in here, so that the answer
        # takes as long either way.
        good = self.users.verify(user, password)
        if not good or (self.allowed and user not in self.allowed):
            return None
        return user


class TokenLogin:
    """The bearer tokens of an API; a session is named after the token's place in the list."""

    kind = "token"

    def __init__(self, tokens: Collection[str]) -> None:
        self.tokens = [token.encode("utf-8") for token in tokens]

    @property
    def required(self) -> bool:
        return bool(self.tokens)

    def check(self, form: Mapping[str, Any]) -> str | None:
        token = _field(form, "token")
        if token is None:
            return None
        given = token.encode("utf-8")
        # Every token is compared, so that the time taken does not tell which one was close.
        matches = [hmac.compare_digest(given, known) for known in self.tokens]
        return f"token {matches.index(True) + 1}" if any(matches) else None
