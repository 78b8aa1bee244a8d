"""Password hashes from the configuration, and the guard against guessing."""

import base64
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.daemon.auth import (
    MIN_PBKDF2_ITERATIONS,
    HashFormatError,
    LoginGuard,
    PasswordHash,
    Users,
    hash_password,
)

#: Cheap parameters: the scheme is what is tested here, not its cost.
FAST: dict[str, Any] = {"n": 16, "r": 1, "p": 1, "iterations": MIN_PBKDF2_ITERATIONS}


class HashTests(SynchronousTestCase):
    def test_both_schemes_accept_the_password_and_nothing_else(self) -> None:
        for scheme in ("scrypt", "pbkdf2-sha256"):
            stored = PasswordHash.parse(hash_password("pässwort", scheme, **FAST))
            self.assertTrue(stored.matches("pässwort"))
            self.assertFalse(stored.matches("passwort"))
            self.assertFalse(stored.matches(""))

    def test_the_same_password_hashes_differently_each_time(self) -> None:
        self.assertNotEqual(hash_password("x", **FAST), hash_password("x", **FAST))

    def test_a_published_pbkdf2_vector(self) -> None:
        # PBKDF2-HMAC-SHA256, P="password", S="salt", c=1, dkLen=32 (the RFC 6070 inputs).
        stored = hash_password("password", "pbkdf2-sha256", salt=b"salt", iterations=1)
        scheme, iterations, salt, digest = stored.split("$")
        self.assertEqual((scheme, iterations, salt), ("pbkdf2-sha256", "1", "c2FsdA=="))
        self.assertEqual(
            base64.b64decode(digest).hex(),
            "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
        )

    def test_the_defaults_are_the_strong_ones(self) -> None:
        self.assertTrue(hash_password("x", "pbkdf2-sha256").startswith("pbkdf2-sha256$600000$"))
        self.assertTrue(hash_password("x").startswith("scrypt$16384$8$1$"))

    def test_unreadable_hashes_name_the_problem(self) -> None:
        cases = {
            "md5$abc": "unknown scheme",
            "scrypt$16$1$1$c2FsdA==": "6 '$'-separated fields",
            "scrypt$15$1$1$c2FsdA==$aGFzaA==": "power of two",
            "pbkdf2-sha256$x$c2FsdA==$aGFzaA==": "integers",
            "pbkdf2-sha256$0$c2FsdA==$aGFzaA==": "positive",
            "pbkdf2-sha256$1$!!$aGFzaA==": "base64",
            "pbkdf2-sha256$1$c2FsdA==$": "empty hash",
        }
        for text, message in cases.items():
            with self.assertRaises(HashFormatError) as caught:
                PasswordHash.parse(text)
            self.assertIn(message, str(caught.exception))
        with self.assertRaises(ValueError):
            hash_password("x", "md5")

    def test_users_verify_names_and_passwords(self) -> None:
        users = Users({"alice": hash_password("a", **FAST), "bob": hash_password("b", **FAST)})
        self.assertTrue(users.verify("alice", "a"))
        self.assertFalse(users.verify("alice", "b"))
        self.assertFalse(users.verify("carol", "a"))
        self.assertIn("bob", users)
        self.assertFalse(Users({}))

    def test_a_bad_hash_names_its_user(self) -> None:
        with self.assertRaises(HashFormatError) as caught:
            Users({"alice": "plain text"})
        self.assertIn("users.alice", str(caught.exception))


class GuardTests(SynchronousTestCase):
    def guard(self) -> LoginGuard:
        return LoginGuard(
            free_failures=2,
            delay=1,
            max_delay=4,
            lockout_failures=6,
            lockout_seconds=100,
            window=50,
        )

    def test_failures_are_free_then_slowed_down_with_a_ceiling(self) -> None:
        guard = self.guard()
        delays = [guard.failed("a", t) for t in range(5)]
        self.assertEqual(delays, [0, 0, 1, 2, 4])

    def test_enough_failures_lock_the_address_out_for_a_while(self) -> None:
        guard = self.guard()
        for t in range(6):
            guard.failed("a", t)
        self.assertTrue(guard.assess("a", 10).locked)
        self.assertFalse(guard.assess("b", 10).locked)
        self.assertEqual(guard.locked_addresses(10), ["a"])
        self.assertEqual(guard.assess("a", 10).seconds_left, 95)
        self.assertFalse(guard.assess("a", 105).locked)

    def test_old_failures_fall_out_of_the_window(self) -> None:
        guard = self.guard()
        for t in range(4):
            guard.failed("a", t)
        self.assertEqual(guard.failed("a", 100), 0)

    def test_success_clears_the_record(self) -> None:
        guard = self.guard()
        for t in range(4):
            guard.failed("a", t)
        guard.succeeded("a")
        self.assertEqual(guard.failed("a", 5), 0)

    def test_the_table_is_bounded(self) -> None:
        guard = LoginGuard(max_addresses=3)
        for n in range(10):
            guard.failed(f"10.0.0.{n}", 0)
        self.assertEqual(len(guard._records), 3)
