"""What a console accepts as a login: a user and password, a bearer token, or nothing.

The multiplexer's console checks the users of its configuration (password hashes, see
:mod:`ecsta.daemon.auth`), optionally only some of them; the driver's checks the bearer tokens of
its API, so that whoever may call the API may use the console and nobody else. A console with
nothing configured needs no login, as the status page and the API it shows need none then.

A check answers the name the session is opened for, or None (or a Deferred of either: a
password is hashed off the reactor thread); it never says why a login failed, and a token is
never used as a name (the log would hold it).
"""

from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol

from twisted.internet.defer import Deferred

from ecsta.daemon.auth import Users
from ecsta.daemon.tokens import BearerTokens, bearer_tokens

#: Longest user name, password or token a login form may send.
MAX_FIELD = 1024


class Login(Protocol):
    """What a console needs to know about its logins."""

    #: ``"password"``, ``"token"`` or ``"none"``: the form the page shows.
    kind: str

    @property
    def required(self) -> bool: ...

    def check(self, form: Mapping[str, Any]) -> "Deferred[str | None] | str | None": ...

    def subject(self, form: Mapping[str, Any]) -> str | None:
        """The existing user a form tries to log in as, whose failures count against the user."""


def _field(form: Mapping[str, Any], name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str) or not value or len(value) > MAX_FIELD:
        return None
    return value


class PasswordLogin:
    """The users of a password table; ``allowed``, when not empty, names those who may log in."""

    kind = "password"

    def __init__(
        self,
        users: Users,
        allowed: Collection[str],
        verify: Callable[[str, str], Deferred[bool]],
    ) -> None:
        self.users = users
        self.allowed = frozenset(allowed)
        #: How a password is checked: off the reactor thread, in the multiplexer's queue of
        #: logins (hashing here would stall every connection for the hash's time).
        self.verify = verify

    @property
    def required(self) -> bool:
        return bool(self.users)

    def check(self, form: Mapping[str, Any]) -> "Deferred[str | None] | str | None":
        user = _field(form, "user")
        password = _field(form, "password")
        if user is None or password is None:
            return None
        allowed = not self.allowed or user in self.allowed
        # The password is checked even for a user who may not log in here, so that the answer
        # takes as long either way.
        return self.verify(user, password).addCallback(
            lambda good: user if good and allowed else None
        )

    def subject(self, form: Mapping[str, Any]) -> str | None:
        user = _field(form, "user")
        return user if user is not None and user in self.users else None


class TokenLogin:
    """The bearer tokens of an API; a session is named after the token's place in the list."""

    kind = "token"

    def __init__(self, tokens: "Collection[str] | BearerTokens") -> None:
        self.tokens = bearer_tokens(tokens)

    @property
    def required(self) -> bool:
        return bool(self.tokens)

    def check(self, form: Mapping[str, Any]) -> str | None:
        token = _field(form, "token")
        if token is None:
            return None
        place = self.tokens.place(token.encode("utf-8"))
        return None if place is None else f"token {place}"

    def subject(self, form: Mapping[str, Any]) -> str | None:
        return None  # tokens have no owner to lock out; their addresses are
