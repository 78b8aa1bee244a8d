"""Logins: password hashes from the configuration and a guard against guessing.

Passwords are never stored: the configuration holds hashes made with the standard library's
scrypt or PBKDF2 (:func:`hash_password` makes them), and a login is checked by hashing the offered
password with the stored salt and parameters and comparing in constant time. An unknown user name
costs as much as a known one, so that timing does not tell which names exist.

:class:`LoginGuard` slows down and then locks out an address that keeps failing, and locks out
a user whose password is being guessed from many addresses. It is sans-IO: the caller passes the
time, and applies the delay it is told. Hashing is slow on purpose; the services run
:meth:`Users.verify` on a bounded pool of threads (:mod:`ecsta.daemon.workers`), never on the
reactor thread.
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

#: scrypt work factors used for new hashes (RFC 7914's interactive-login recommendation).
SCRYPT_N = 1 << 14
SCRYPT_R = 8
SCRYPT_P = 1
#: PBKDF2-HMAC-SHA256 iterations used for new hashes.
PBKDF2_ITERATIONS = 600_000
#: Fewer iterations than this make a stored PBKDF2 hash cheap to crack once leaked: refused.
MIN_PBKDF2_ITERATIONS = 100_000

#: The '$'-separated fields of a stored hash, by scheme.
_FIELDS = {"scrypt": 6, "pbkdf2-sha256": 4}
#: The schemes :func:`hash_password` makes and :class:`PasswordHash` reads.
SCHEMES = tuple(_FIELDS)


class HashFormatError(ValueError):
    """A stored password hash that this module cannot read."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as error:
        raise HashFormatError(f"not base64: {text!r}") from error


def hash_password(
    password: str,
    scheme: str = "scrypt",
    *,
    salt: bytes | None = None,
    n: int = SCRYPT_N,
    r: int = SCRYPT_R,
    p: int = SCRYPT_P,
    iterations: int = PBKDF2_ITERATIONS,
) -> str:
    """A hash to put in the configuration's ``[users]`` table.

    ``scrypt$N$r$p$salt$hash`` or ``pbkdf2-sha256$iterations$salt$hash``, salt and hash in base64.
    """
    salt = os.urandom(16) if salt is None else salt
    secret = password.encode("utf-8")
    if scheme == "scrypt":
        digest = hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=_maxmem(n, r, p), dklen=32)
        return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"
    if scheme == "pbkdf2-sha256":
        digest = hashlib.pbkdf2_hmac("sha256", secret, salt, iterations)
        return f"pbkdf2-sha256${iterations}${_b64(salt)}${_b64(digest)}"
    raise ValueError(f"unknown password scheme {scheme!r}; use one of {', '.join(SCHEMES)}")


def _maxmem(n: int, r: int, p: int) -> int:
    return 128 * r * (n + p + 2) + (1 << 20)


@dataclass(frozen=True)
class PasswordHash:
    """A parsed stored hash; parsing happens once, when the configuration is read."""

    scheme: str
    params: tuple[int, ...]
    salt: bytes
    digest: bytes

    @classmethod
    def parse(cls, text: str) -> "PasswordHash":
        parts = text.split("$")
        scheme = parts[0]
        if scheme not in _FIELDS:
            raise HashFormatError(
                f"unknown scheme {scheme!r}: a hash starts with 'scrypt$' or 'pbkdf2-sha256$'"
            )
        if len(parts) != _FIELDS[scheme]:
            raise HashFormatError(f"a {scheme} hash has {_FIELDS[scheme]} '$'-separated fields")
        try:
            params = tuple(int(part) for part in parts[1:-2])
        except ValueError as error:
            raise HashFormatError(f"{scheme} parameters must be integers") from error
        if any(value <= 0 for value in params):
            raise HashFormatError(f"{scheme} parameters must be positive")
        if scheme == "scrypt" and params[0] & (params[0] - 1):
            raise HashFormatError("scrypt N must be a power of two")
        digest = _unb64(parts[-1])
        if not digest:
            raise HashFormatError("empty hash")
        salt = _unb64(parts[-2])
        if scheme == "pbkdf2-sha256" and params[0] < MIN_PBKDF2_ITERATIONS:
            raise HashFormatError(
                f"a pbkdf2-sha256 hash needs at least {MIN_PBKDF2_ITERATIONS} iterations, this one "
                f"has {params[0]}: make a new one with `ecsta hash-password`"
            )
        return cls(scheme, params, salt, digest)

    def matches(self, password: str) -> bool:
        secret = password.encode("utf-8")
        if self.scheme == "scrypt":
            n, r, p = self.params
            computed = hashlib.scrypt(
                secret,
                salt=self.salt,
                n=n,
                r=r,
                p=p,
                maxmem=_maxmem(n, r, p),
                dklen=len(self.digest),
            )
        else:
            computed = hashlib.pbkdf2_hmac(
                "sha256", secret, self.salt, self.params[0], dklen=len(self.digest)
            )
        return hmac.compare_digest(computed, self.digest)


class Users:
    """The user table: name -> stored hash."""

    def __init__(self, hashes: Mapping[str, str]) -> None:
        self._hashes: dict[str, PasswordHash] = {}
        for name, text in hashes.items():
            try:
                self._hashes[name] = PasswordHash.parse(text)
            except HashFormatError as error:
                raise HashFormatError(f"users.{name}: {error}") from error
        # An unknown name is checked against a hash of the same cost, so that it takes as long.
        template = next(iter(self._hashes.values()), None)
        self._decoy = (
            PasswordHash(template.scheme, template.params, b"\0" * 16, b"\0" * len(template.digest))
            if template is not None
            else None
        )

    def __bool__(self) -> bool:
        return bool(self._hashes)

    def __contains__(self, name: object) -> bool:
        return name in self._hashes

    def verify(self, name: str, password: str) -> bool:
        stored = self._hashes.get(name)
        if stored is None:
            if self._decoy is not None:
                self._decoy.matches(password)
            return False
        return stored.matches(password)


class LoginsBusy(Exception):
    """More logins are waiting for a password check than may wait: this one is refused now."""


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


@dataclass(frozen=True)
class Verdict:
    """What to do with a login attempt before its password is even looked at."""

    locked: bool
    seconds_left: float = 0.0


class LoginGuard:
    """Counts failed logins per address, and per user, within ``window`` seconds.

    The first ``free_failures`` failures of an address are answered at once; each later one
    waits ``delay`` seconds, doubling up to ``max_delay``; at ``lockout_failures`` the address
    is locked out for ``lockout_seconds``, during which every login from it fails, right or
    wrong. A user name that fails ``user_lockout_failures`` times, from any addresses, is locked
    out the same way: guessing from many addresses does not multiply the guesses.

    The address table holds ``max_addresses`` entries and cannot be flushed: a locked entry is
    never forgotten to make room, and while the table is full of locked addresses every address
    it does not hold is locked out too (its owner waits for the first lock to expire).
    """

    def __init__(
        self,
        *,
        free_failures: int = 3,
        delay: float = 1.0,
        max_delay: float = 16.0,
        lockout_failures: int = 10,
        lockout_seconds: float = 300.0,
        window: float = 600.0,
        user_lockout_failures: int = 30,
        max_addresses: int = 10_000,
    ) -> None:
        self.free_failures = free_failures
        self.delay = delay
        self.max_delay = max_delay
        self.lockout_failures = lockout_failures
        self.lockout_seconds = lockout_seconds
        self.window = window
        self.user_lockout_failures = user_lockout_failures
        self.max_addresses = max_addresses
        self._records: dict[str, _Record] = {}
        self._users: dict[str, _Record] = {}

    def assess(self, address: str, now: float, user: str | None = None) -> Verdict:
        """Whether a login may be checked at all. ``user`` only for names that exist, so that
        made-up names cannot grow the table."""
        left = [
            r.locked_until - now
            for r in (self._records.get(address), self._users.get(user or ""))
            if r is not None and r.locked_until > now
        ]
        if address not in self._records and len(self._records) >= self.max_addresses:
            self._forget_unlocked(now, self.max_addresses - 1)
            if len(self._records) >= self.max_addresses:
                left.append(min(r.locked_until for r in self._records.values()) - now)
        return Verdict(True, max(left)) if left else Verdict(False)

    def failed(self, address: str, now: float, user: str | None = None) -> float:
        """Record a failure; return how long to wait before answering it."""
        if user is not None:
            self._count(self._users.setdefault(user, _Record()), now, self.user_lockout_failures)
        record = self._records.pop(address, None) or _Record()
        self._records[address] = record  # most recently used last
        count = self._count(record, now, self.lockout_failures)
        if len(self._records) > self.max_addresses:
            self._forget_unlocked(now, self.max_addresses)
            if len(self._records) > self.max_addresses:
                del self._records[address]  # every other entry is locked: this one must wait
        if count <= self.free_failures:
            return 0.0
        return min(self.max_delay, self.delay * 2 ** (count - self.free_failures - 1))

    def _count(self, record: _Record, now: float, limit: int) -> int:
        record.failures = [t for t in record.failures if now - t < self.window]
        record.failures.append(now)
        count = len(record.failures)
        if count >= limit:
            record.locked_until = now + self.lockout_seconds
            record.failures.clear()
        return count

    def _forget_unlocked(self, now: float, keep: int) -> None:
        """Forget the oldest addresses that are not locked out, down to ``keep`` entries."""
        for address in list(self._records):
            if len(self._records) <= keep:
                return
            if self._records[address].locked_until <= now:
                del self._records[address]

    def succeeded(self, address: str, user: str | None = None) -> None:
        """A good login clears the address's failures (it cannot happen while locked out)."""
        self._records.pop(address, None)
        if user is not None:
            self._users.pop(user, None)

    def locked_addresses(self, now: float) -> list[str]:
        return [a for a, r in self._records.items() if r.locked_until > now]

    def locked_users(self, now: float) -> list[str]:
        return [u for u, r in self._users.items() if r.locked_until > now]
