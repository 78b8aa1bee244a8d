"""Console sessions: who logged in, until when, and the token that guards their changes.

A session is named by a random identifier that only the browser holds (in an HttpOnly cookie);
the table is keyed by its SHA-256, so that the table itself never holds a usable cookie. A
session ends after ``idle_timeout`` seconds without a request, and in any case
``max_lifetime`` seconds after the login. The table is bounded: when it is full, a new login
pushes out the session that was used least recently, so that logins in a loop cannot make the
process grow.

Each session also carries a second random value, the CSRF token, which the page reads once
from the login answer and sends back in a header with every request that changes something:
another site can make a browser send the cookie, but cannot read that token.

Sans-IO: the caller passes a function returning the time.
"""

import hashlib
import secrets
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass

#: Seconds a session survives without a request.
IDLE_TIMEOUT = 30 * 60.0
#: Seconds a session lives at most, used or not.
MAX_LIFETIME = 12 * 3600.0
#: Sessions held at once.
MAX_SESSIONS = 1000


@dataclass
class Session:
    user: str
    csrf: str
    created: float
    last_seen: float


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


class SessionStore:
    """The open sessions of one console."""

    def __init__(
        self,
        now: Callable[[], float],
        *,
        idle_timeout: float = IDLE_TIMEOUT,
        max_lifetime: float = MAX_LIFETIME,
        max_sessions: int = MAX_SESSIONS,
    ) -> None:
        self.now = now
        self.idle_timeout = idle_timeout
        self.max_lifetime = max_lifetime
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def __len__(self) -> int:
        return len(self._sessions)

    def open(self, user: str) -> tuple[str, Session]:
        """A new session for ``user``: its identifier (for the cookie) and the session."""
        now = self.now()
        self._expire(now)
        while len(self._sessions) >= self.max_sessions:
            self._sessions.popitem(last=False)
        session_id = secrets.token_urlsafe(32)
        session = Session(user, secrets.token_urlsafe(32), now, now)
        self._sessions[_key(session_id)] = session
        return session_id, session

    def find(self, session_id: str) -> Session | None:
        """The live session of ``session_id``, marked as used now; None if there is none."""
        key = _key(session_id)
        session = self._sessions.get(key)
        if session is None:
            return None
        now = self.now()
        if self._expired(session, now):
            del self._sessions[key]
            return None
        session.last_seen = now
        self._sessions.move_to_end(key)
        return session

    def close(self, session_id: str) -> None:
        self._sessions.pop(_key(session_id), None)

    def close_all(self, users: Collection[str] | None = None) -> int:
        """End the sessions of ``users`` (of everyone when None), whose logins changed; how
        many there were."""
        ended = [k for k, s in self._sessions.items() if users is None or s.user in users]
        for key in ended:
            del self._sessions[key]
        return len(ended)

    def _expired(self, session: Session, now: float) -> bool:
        return (
            now - session.last_seen >= self.idle_timeout
            or now - session.created >= self.max_lifetime
        )

    def _expire(self, now: float) -> None:
        for key in [k for k, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[key]
