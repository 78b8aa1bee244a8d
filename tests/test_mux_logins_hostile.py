"""Guessing passwords: per user as well as per address, a guard that cannot be flushed, one
record for every login surface of the multiplexer, and hashing that never runs on the reactor."""

import threading
import time
from typing import Any

from twisted.internet import defer, reactor
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase, TestCase

from ecsta.daemon.auth import MIN_PBKDF2_ITERATIONS, HashFormatError, LoginGuard, PasswordHash
from ecsta.daemon.workers import Workers
from ecsta.mux.config import from_dict
from ecsta.mux.service import MAX_WAITING_LOGINS, MuxService
from ecsta.mux.status import snapshot
from ecsta.web.muxconsole import StatusRoot
from tests.console_http import Browser
from tests.logged import logged_lines
from tests.mux_harness import Rig
from tests.test_web_console import USERS, login

TRANSIENT, PERMANENT = 2, 1
FAILURE = ("acse-service-user", 13)


class GuardTests(SynchronousTestCase):
    def test_a_user_guessed_from_many_addresses_is_locked_out(self) -> None:
        guard = LoginGuard(user_lockout_failures=30, lockout_seconds=300)
        for n in range(29):
            guard.failed(f"10.0.{n}.1", float(n), "alice")
        self.assertFalse(guard.assess("10.9.9.9", 29, "alice").locked)
        guard.failed("10.0.99.1", 29, "alice")
        self.assertTrue(guard.assess("10.9.9.9", 30, "alice").locked)
        self.assertFalse(guard.assess("10.9.9.9", 30, "bob").locked)
        self.assertEqual(guard.locked_users(30), ["alice"])
        self.assertFalse(guard.assess("10.9.9.9", 330, "alice").locked)

    def test_a_flood_of_other_addresses_does_not_unlock_a_locked_one(self) -> None:
        guard = LoginGuard(lockout_failures=3, max_addresses=100)
        for _ in range(3):
            guard.failed("10.6.6.6", 0)
        for n in range(10_001):
            guard.failed(f"10.{n // 250}.{n % 250}.1", 1)
        self.assertTrue(guard.assess("10.6.6.6", 2).locked)
        self.assertLessEqual(len(guard._records), 100)

    def test_a_table_full_of_locked_addresses_locks_out_strangers_until_a_lock_ends(self) -> None:
        guard = LoginGuard(lockout_failures=1, lockout_seconds=60, max_addresses=3)
        for n in range(3):
            guard.failed(f"10.0.0.{n}", float(n))
        stranger = guard.assess("10.9.9.9", 10)
        self.assertTrue(stranger.locked)
        self.assertEqual(stranger.seconds_left, 50)
        self.assertFalse(guard.assess("10.9.9.9", 61).locked)

    def test_weak_pbkdf2_hashes_are_refused_with_the_way_out(self) -> None:
        with self.assertRaises(HashFormatError) as caught:
            PasswordHash.parse("pbkdf2-sha256$1000$c2FsdA==$aGFzaA==")
        self.assertIn(f"at least {MIN_PBKDF2_ITERATIONS} iterations", str(caught.exception))
        self.assertIn("ecsta hash-password", str(caught.exception))


class SharedGuardTests(SynchronousTestCase):
    def rig(self) -> Rig:
        return Rig(
            {
                "users": USERS,
                "login": {
                    "free_failures": 100,
                    "lockout_failures": 5,
                    "user_lockout_failures": 8,
                    "max_delay": 1,
                },
            }
        )

    def test_console_failures_lock_the_address_out_of_the_csta_port_too(self) -> None:
        rig = self.rig()
        browser = Browser(StatusRoot(rig.mux), clock=rig.clock, port=33335, address="10.5.5.5")
        for _ in range(5):
            self.assertEqual(login(browser, {"user": "nobody", "password": "x"}).status, 401)
        app = rig.connect_app(host="10.5.5.5", user="alice", password="s3cret")
        rig.advance(1)
        refusal = self.failureResultOf(app.ready).value
        self.assertEqual((refusal.result, refusal.diagnostic), (TRANSIENT, FAILURE))

    def test_guessing_one_user_from_many_addresses_locks_that_user(self) -> None:
        rig = self.rig()
        for n in range(8):
            wrong = rig.connect_app(host=f"10.7.0.{n}", user="alice", password=f"guess{n}")
            refusal = self.failureResultOf(wrong.ready).value
            self.assertEqual((refusal.result, refusal.diagnostic), (PERMANENT, FAILURE))
        right = rig.connect_app(host="10.8.0.1", user="alice", password="s3cret")
        rig.advance(1)
        self.assertEqual(self.failureResultOf(right.ready).value.result, TRANSIENT)
        other = rig.connect_app(host="10.8.0.1", user="bob", password="hunter2")
        self.successResultOf(other.ready)
        # Made-up names are not remembered: they cannot fill the table of users.
        for n in range(50):
            self.failureResultOf(
                rig.connect_app(host=f"10.9.{n}.1", user=f"x{n}", password="y").ready
            )
        self.assertEqual(snapshot(rig.mux)["logins"]["lockedUsers"], ["alice"])
        self.assertEqual(len(rig.mux.guard._users), 1)


class HashingThreadTests(TestCase):
    @defer.inlineCallbacks
    def test_checks_run_off_the_reactor_thread_a_bounded_number_at_once(self) -> Any:
        workers = Workers(reactor, 2, "test-passwords")
        workers.startService()
        self.addCleanup(workers.stopService)
        lock = threading.Lock()
        running = [0]
        most = [0]
        threads: set[int] = set()

        def check() -> bool:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
                threads.add(threading.get_ident())
            time.sleep(0.02)  # the cost of one hash
            with lock:
                running[0] -= 1
            return True

        results = yield defer.gatherResults([workers.run(check) for _ in range(10)])
        self.assertEqual(results, [True] * 10)
        self.assertEqual(most[0], 2)
        self.assertNotIn(threading.get_ident(), threads)

    @defer.inlineCallbacks
    def test_the_service_checks_passwords_on_its_pool(self) -> Any:
        config = from_dict({"users": USERS, "status": {"endpoint": ""}, "listen": {"tcp": []}})
        service = MuxService(Clock(), config, pbx_endpoint=object())
        [workers] = [s for s in service if isinstance(s, Workers)]
        workers.reactor = reactor
        workers.startService()
        self.addCleanup(workers.stopService)
        seen: list[int] = []
        users = service.mux.users
        verify = users.verify

        def spy(user: str, password: str) -> bool:
            seen.append(threading.get_ident())
            return verify(user, password)

        users.verify = spy  # type: ignore[method-assign]
        good = yield service.mux.check_password("alice", "s3cret")
        bad = yield service.mux.check_password("alice", "wrong")
        self.assertEqual((good, bad), (True, False))
        self.assertEqual(len(seen), 2)
        self.assertNotIn(threading.get_ident(), seen)


class WaitingLoginTests(SynchronousTestCase):
    def rig(self) -> tuple[Rig, list[defer.Deferred[bool]]]:
        rig = Rig(
            {
                "users": USERS,
                "login": {"hash_threads": 1, "user_lockout_failures": 3, "max_delay": 1},
            }
        )
        checks: list[defer.Deferred[bool]] = []

        def check(user: str, password: str) -> defer.Deferred[bool]:
            checks.append(defer.Deferred())
            return checks[-1]

        rig.mux.check_password = check
        return rig, checks

    def test_logins_waiting_for_a_check_are_not_hashed_once_their_user_is_locked(self) -> None:
        rig, checks = self.rig()
        apps = [
            rig.connect_app(host=f"10.4.0.{n}", user="alice", password="guess") for n in range(10)
        ]
        self.assertEqual(len(checks), 1)  # one at a time: the others wait their turn
        for n in range(3):
            checks[n].callback(False)
            rig.flush()
        self.assertEqual(len(checks), 3)  # the user is locked: nothing more is hashed
        rig.advance(1)
        results = [self.failureResultOf(app.ready).value.result for app in apps]
        self.assertEqual(results, [PERMANENT] * 3 + [TRANSIENT] * 7)

    def test_more_logins_at_once_than_may_wait_are_refused_at_once(self) -> None:
        rig, checks = self.rig()
        apps = [
            rig.connect_app(host=f"10.5.{n // 200}.{n % 200}", user="bob", password="x")
            for n in range(40)
        ]
        refused = [app for app in apps if app.ready.called]
        self.assertEqual(len(refused), 40 - 1 - MAX_WAITING_LOGINS)
        for app in refused:
            failure = self.failureResultOf(app.ready).value
            self.assertEqual(
                (failure.result, failure.diagnostic), (TRANSIENT, ("acse-service-user", 1))
            )
        self.assertEqual(len(checks), 1)

    def test_console_logins_wait_in_the_same_queue_under_the_same_cap(self) -> None:
        rig, checks = self.rig()
        browser = Browser(StatusRoot(rig.mux), clock=rig.clock, port=33335, address="10.6.0.1")
        waiting = [
            browser.send("POST", "/console/login", {"user": "bob", "password": "x"})
            for _ in range(1 + MAX_WAITING_LOGINS)
        ]
        self.assertEqual(len(checks), 1)  # one hashing, the others wait their turn
        self.assertEqual([w.response().status for w in waiting], [0] * len(waiting))
        # The queue is full: a CSTA login and another console login are refused at once.
        app = rig.connect_app(host="10.6.0.2", user="bob", password="hunter2")
        failure = self.failureResultOf(app.ready).value
        self.assertEqual(
            (failure.result, failure.diagnostic), (TRANSIENT, ("acse-service-user", 1))
        )
        busy = login(browser, {"user": "bob", "password": "x"})
        self.assertEqual(busy.status, 503)
        self.assertEqual(busy.json()["error"], "busy")
        self.assertEqual(len(checks), 1)
        self.assertEqual(rig.mux.logins["over_limit"], 2)
        checks[0].callback(False)
        self.assertEqual(len(checks), 2)  # the next waiting login's turn


class ConsoleLogTests(SynchronousTestCase):
    def test_a_flood_of_refused_console_logins_writes_a_few_lines(self) -> None:
        lines = logged_lines(self)
        rig = Rig({"users": USERS, "login": {"lockout_failures": 3, "delay": 0, "max_delay": 0}})
        browser = Browser(StatusRoot(rig.mux), clock=rig.clock, port=33335, address="10.6.6.6")
        statuses = [login(browser, {"user": "nobody", "password": "x"}).status for _ in range(500)]
        self.assertEqual(statuses[:3], [401] * 3)
        self.assertEqual(set(statuses[3:]), {429})
        refused = [x for x in lines if "console login from 10.6.6.6" in x]
        self.assertEqual(len(refused), 3 + 5)  # a burst of each kind; the rest are counted
        rig.advance(60)
        login(browser, {"user": "nobody", "password": "x"})
        self.assertTrue(any("492 more 'console locked out' warnings" in x for x in lines), lines)
