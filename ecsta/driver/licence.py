"""Line licences: a trial, signed licence keys, and one pool shared by every driver on the host.

Without a key the driver runs a trial: 25 lines for 45 days, counted from the first start on
the host. A licence key unlocks a number of lines for good; keys add up, and once a key is
installed the trial no longer counts. Opening a line takes a licence from the pool and closing
it gives the licence back; when none is left, opening fails with :class:`NoLicenceLeft`.

Keys are signed with Ed25519 and checked offline against the public key shipped below (or one
given in the configuration); only the vendor holds the private key, and ``ecsta license issue``
signs keys with it. A key is ``ECSTA1-`` followed by the base64url payload (JSON: id, lines,
licensee, issued), a dot, and the base64url signature of the payload bytes; whitespace inside a
key is ignored, since keys travel through e-mail.

The pool is a state file (``licence.json``) in a configurable directory, shared by all driver
instances and processes of the host. Every change happens under an exclusive lock on
``licence.lock`` (``fcntl.flock``; on Windows ``msvcrt.locking`` on the lock file's first byte)
and is written atomically, so concurrent openers never both get the last licence and a crash
never leaves a half-written file. Each licence in use records the process that holds it (pid and,
where the system tells, the process's start time and boot, so that a reused pid is not taken for
the old holder); the licences of a process that died without closing its lines are reclaimed
by the next process that looks at the pool.

Time: the state remembers the latest wall-clock time it has seen. A clock more than
:data:`CLOCK_TOLERANCE` behind it has been moved back; during the trial that stops lines from
being opened (:class:`ClockMovedBack`) until the clock is right again, so moving the clock back
never buys trial days. Licence keys do not depend on the clock. An offline trial can only be as
firm as its state file: deleting the file starts a new trial, whereas editing a key in it only
makes the key invalid, since every key is verified again whenever the pool is read.
"""

import base64
import binascii
import json
import math
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ecsta.driver.atomicfile import atomic_write, ensure_writable_directory
from ecsta.driver.filelock import LockTimeout, locked

TRIAL_DAYS = 45
TRIAL_LINES = 25
#: How far behind the latest time seen the clock may be before it counts as moved back
#: (time synchronisation steps the clock by seconds, not by an hour).
CLOCK_TOLERANCE = 3600.0
#: How long to wait for another process's change to the pool before giving up.
LOCK_TIMEOUT = 10.0
KEY_PREFIX = "ECSTA1-"
STATE_FILE = "licence.json"
LOCK_FILE = "licence.lock"
_DAY = 86400.0

#: The public half of the key that signs ecsta licence keys.
PUBLIC_KEY_PEM = b"""-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAqSx6+0T2xouGBA5LRHTrbRbtWFTVOYjf2P1DkhS/vx8=
-----END PUBLIC KEY-----
"""


class LicenceError(Exception):
    """A line cannot be licensed, or a key cannot be used; the message says why."""


class InvalidLicenceKey(LicenceError):
    """Text that is not a licence key, or a key whose signature does not verify."""


class NoLicenceLeft(LicenceError):
    """Every licence of the pool is taken."""


class TrialExpired(LicenceError):
    """The trial is over and no licence key is installed."""


class ClockMovedBack(LicenceError):
    """The system clock is behind a time already seen, so trial time cannot be trusted."""


class LicenceStateError(LicenceError):
    """The shared state file cannot be read or locked."""


def default_state_directory() -> str:
    """Where the host's licence pool lives unless configured: one place for every instance."""
    if sys.platform == "win32":
        return os.path.join(os.environ.get("PROGRAMDATA", r"C:\ProgramData"), "ecsta")
    return "/var/lib/ecsta"


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


@dataclass(frozen=True)
class LicenceKey:
    """A verified key: what it grants and to whom."""

    id: str
    lines: int
    licensee: str
    issued: str
    text: str

    def to_document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lines": self.lines,
            "licensee": self.licensee,
            "issued": self.issued,
        }


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_key(
    private_key: Ed25519PrivateKey,
    lines: int,
    licensee: str,
    key_id: str | None = None,
    issued: str | None = None,
) -> str:
    """Sign a key that unlocks ``lines`` lines; ``issued`` is a date, today (UTC) by default."""
    if lines < 1:
        raise ValueError("a licence key unlocks at least one line")
    payload = {
        "id": key_id or secrets.token_hex(8),
        "lines": lines,
        "licensee": licensee,
        "issued": issued or time.strftime("%Y-%m-%d", time.gmtime()),
    }
    data = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return f"{KEY_PREFIX}{_b64encode(data)}.{_b64encode(private_key.sign(data))}"


def verify_key(text: str, public_key: Ed25519PublicKey) -> LicenceKey:
    """Check a key's signature and read it; :class:`InvalidLicenceKey` says what is wrong."""
    compact = "".join(text.split())
    if not compact.startswith(KEY_PREFIX):
        raise InvalidLicenceKey(f"not an ecsta licence key (it must start with {KEY_PREFIX})")
    body, dot, signature_text = compact[len(KEY_PREFIX) :].partition(".")
    try:
        data, signature = _b64decode(body), _b64decode(signature_text)
    except (binascii.Error, ValueError):
        raise InvalidLicenceKey("licence key damaged: not base64url") from None
    if not dot or not data:
        raise InvalidLicenceKey("licence key damaged: payload or signature missing")
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        raise InvalidLicenceKey(
            "licence key signature is not valid: the key was altered or not issued for ecsta"
        ) from None
    try:
        payload = json.loads(data)
        key = LicenceKey(
            id=str(payload["id"]),
            lines=int(payload["lines"]),
            licensee=str(payload["licensee"]),
            issued=str(payload["issued"]),
            text=compact,
        )
    except (ValueError, KeyError, TypeError):
        raise InvalidLicenceKey("licence key payload is not understood") from None
    if key.lines < 1:
        raise InvalidLicenceKey("licence key grants no lines")
    return key


Mode = Literal["trial", "licensed", "expired"]


@dataclass(frozen=True)
class LicenceStatus:
    """The pool as ``GET /license`` and ``ecsta license show`` report it."""

    mode: Mode
    days_left: int | None
    lines_licensed: int
    lines_in_use: int
    keys: tuple[LicenceKey, ...]
    clock_moved_back: bool
    #: Installed keys that the public key in use does not verify (another vendor's key, or the
    #: wrong public key given): they unlock nothing, and whoever looks should learn why.
    unverified_keys: int = 0

    def to_document(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "daysLeft": self.days_left,
            "linesLicensed": self.lines_licensed,
            "linesInUse": self.lines_in_use,
            "keys": [key.to_document() for key in self.keys],
            "clockMovedBack": self.clock_moved_back,
            "unverifiedKeys": self.unverified_keys,
        }


class LicencePool:
    """This process's view of the host's licence pool; each call reads and writes the state."""

    def __init__(
        self,
        directory: str,
        public_key: Ed25519PublicKey | None = None,
        clock: Callable[[], float] = time.time,
        trial_days: int = TRIAL_DAYS,
        trial_lines: int = TRIAL_LINES,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        self.directory = directory
        self.public_key = public_key or load_public_key(PUBLIC_KEY_PEM)
        self.clock = clock
        self.trial_days = trial_days
        self.trial_lines = trial_lines
        self.lock_timeout = lock_timeout
        self.state_path = os.path.join(directory, STATE_FILE)
        self.lock_path = os.path.join(directory, LOCK_FILE)

    def check_writable(self) -> None:
        """Raise :class:`LicenceStateError` unless this process can keep the pool's state.

        Without it no line could ever open, and each line would only report the error when
        it tried; a service checks this at startup instead.
        """
        try:
            ensure_writable_directory(self.directory)
            with open(self.lock_path, "a+b"):
                pass
        except OSError as error:
            raise LicenceStateError(
                f"the licence directory {self.directory} cannot be written by this user "
                f"({error.strerror or error})"
            ) from None

    def acquire(self, holder: str) -> float | None:
        """Take a licence for ``holder`` (a line id); taking it twice takes only one.

        Returns the time (of this pool's clock) at which the licence stops holding: the end
        of the trial, or None for a licence of a key. Asking again for a licence already held
        checks that it still holds, so that a line whose trial licence ran out learns it.
        """
        with self._state() as state:
            mine = _entry_of(state, holder)
            capacity = self._capacity(state)
            until = None if self._keys(state) else self._trial_end(state)
            if mine is not None:
                return until
            if len(state["holders"]) >= capacity:
                raise NoLicenceLeft(f"no line licence left: all {capacity} are in use on this host")
            state["holders"].append(
                {
                    "pid": os.getpid(),
                    "process": _process_token(os.getpid()),
                    "holder": holder,
                    "since": self.clock(),
                }
            )
            return until

    def release(self, holder: str) -> bool:
        """Give back ``holder``'s licence; False if it held none."""
        with self._state() as state:
            mine = _entry_of(state, holder)
            if mine is not None:
                state["holders"].remove(mine)
            return mine is not None

    def release_all(self, prefix: str = "") -> int:
        """Give back every licence this process holds under a holder name that starts with
        ``prefix`` (at shutdown: all of one instance's lines); how many there were."""
        with self._state() as state:
            before = len(state["holders"])
            state["holders"] = [
                h
                for h in state["holders"]
                if h["pid"] != os.getpid() or not h["holder"].startswith(prefix)
            ]
            return before - len(state["holders"])

    def install_key(self, text: str) -> LicenceKey:
        """Verify a key and add it to the pool of the host."""
        key = verify_key(text, self.public_key)
        with self._state() as state:
            if any(known.id == key.id for known in self._keys(state)):
                raise InvalidLicenceKey(f"licence key {key.id} is already installed")
            state["keys"].append(key.text)
        return key

    def status(self) -> LicenceStatus:
        with self._state() as state:
            keys = self._keys(state)
            in_use = len(state["holders"])
            moved_back = self._moved_back(state)
            unverified = len(state["keys"]) - len(keys)
            if keys:
                return LicenceStatus(
                    "licensed",
                    None,
                    sum(k.lines for k in keys),
                    in_use,
                    keys,
                    moved_back,
                    unverified,
                )
            left = self._trial_seconds_left(state)
            return LicenceStatus(
                "trial" if left > 0 else "expired",
                max(0, math.ceil(left / _DAY)),
                self.trial_lines if left > 0 else 0,
                in_use,
                (),
                moved_back,
                unverified,
            )

    def _capacity(self, state: dict[str, Any]) -> int:
        keys = self._keys(state)
        if keys:
            return sum(key.lines for key in keys)
        if self._moved_back(state):
            raise ClockMovedBack(
                "the system clock is behind a time this host has already seen "
                f"({time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(state['lastSeen']))}); "
                "trial lines cannot be opened until the clock is correct"
            )
        if self._trial_seconds_left(state) <= 0:
            raise TrialExpired(
                f"the {self.trial_days}-day trial has ended: install a licence key to open lines"
            )
        return self.trial_lines

    def _trial_seconds_left(self, state: dict[str, Any]) -> float:
        now = max(self.clock(), state["lastSeen"])
        return self._trial_end(state) - now

    def _trial_end(self, state: dict[str, Any]) -> float:
        return float(state["firstStart"] + self.trial_days * _DAY)

    def _moved_back(self, state: dict[str, Any]) -> bool:
        return bool(self.clock() < state["lastSeen"] - CLOCK_TOLERANCE)

    def _keys(self, state: dict[str, Any]) -> tuple[LicenceKey, ...]:
        """The keys in the state that verify; an edited key in the file grants nothing."""
        keys = []
        for text in state["keys"]:
            try:
                keys.append(verify_key(text, self.public_key))
            except InvalidLicenceKey:
                continue
        return tuple(keys)

    @contextmanager
    def _state(self) -> Iterator[dict[str, Any]]:
        """The state, locked against every other process; written back if it changed."""
        os.makedirs(self.directory, exist_ok=True)
        try:
            with locked(self.lock_path, self.lock_timeout):
                before = self._read()
                state = json.loads(json.dumps(before or self._fresh()))
                now = self.clock()
                state["lastSeen"] = max(state["lastSeen"], now)
                state["holders"] = [h for h in state["holders"] if _holder_alive(h)]
                yield state
                if state != before:
                    data = json.dumps(state, indent=1, sort_keys=True).encode("utf-8")
                    atomic_write(self.state_path, data)
        except LockTimeout:
            raise LicenceStateError("the licence pool is locked by another process") from None

    def _fresh(self) -> dict[str, Any]:
        """The state of a host that has never run the driver: the trial starts now."""
        now = self.clock()
        return {"version": 1, "firstStart": now, "lastSeen": now, "keys": [], "holders": []}

    def _read(self) -> dict[str, Any] | None:
        try:
            with open(self.state_path, "rb") as handle:
                state = json.loads(handle.read())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise LicenceStateError(
                f"licence state {self.state_path} cannot be read ({error}); "
                "restore it from a backup or remove it"
            ) from None
        if not _state_is_sound(state):
            raise LicenceStateError(
                f"licence state {self.state_path} is damaged; restore it from a backup"
            )
        return state


def _state_is_sound(state: Any) -> bool:
    return (
        isinstance(state, dict)
        and isinstance(state.get("firstStart"), int | float)
        and isinstance(state.get("lastSeen"), int | float)
        and isinstance(state.get("keys"), list)
        and all(isinstance(key, str) for key in state["keys"])
        and isinstance(state.get("holders"), list)
        and all(
            isinstance(h, dict)
            and isinstance(h.get("pid"), int)
            and isinstance(h.get("holder"), str)
            for h in state["holders"]
        )
    )


def _entry_of(state: dict[str, Any], holder: str) -> dict[str, Any] | None:
    pid = os.getpid()
    for entry in state["holders"]:
        if entry["pid"] == pid and entry["holder"] == holder:
            return entry
    return None


def _holder_alive(entry: dict[str, Any]) -> bool:
    pid = entry["pid"]
    if not _pid_alive(pid):
        return False
    recorded = entry.get("process")
    return recorded is None or recorded == _process_token(pid)


def _process_token(pid: int) -> str | None:
    """Boot and start time of a process (Linux), telling a reused pid from the one recorded."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as handle:
            boot = handle.read().strip()
        with open(f"/proc/{pid}/stat") as handle:
            # The command name (field 2) may hold spaces and parentheses: split after it.
            fields = handle.read().rpartition(")")[2].split()
        return f"{boot}/{fields[19]}"
    except (OSError, IndexError):
        return None


if sys.platform == "win32":
    import ctypes

    def _pid_alive(pid: int) -> bool:
        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return bool(kernel32.GetLastError() == 5)  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)

else:

    def _pid_alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not _is_zombie(pid)

    def _is_zombie(pid: int) -> bool:
        """A process that has exited but not yet been waited for holds nothing any more."""
        try:
            with open(f"/proc/{pid}/stat") as handle:
                return handle.read().rpartition(")")[2].split()[0] == "Z"
        except (OSError, IndexError):
            return False
