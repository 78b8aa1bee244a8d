"""Line licences: the trial, signed keys, and the pool shared by processes on the host.

Keys are signed with a key pair made for the tests; the pool is given its public key, exactly as
a vendor's deployment is given the shipped one.
"""

import fcntl
import json
import os
import subprocess
import sys
import textwrap
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver import licence
from ecsta.driver.licence import (
    ClockMovedBack,
    InvalidLicenceKey,
    LicencePool,
    LicenceStateError,
    NoLicenceLeft,
    TrialExpired,
    issue_key,
    verify_key,
)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DAY = 86400.0
START = 1_790_000_000.0


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class PoolTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.signing = Ed25519PrivateKey.generate()
        self.clock = FakeClock()
        self.directory = self.mktemp()

    def pool(self) -> LicencePool:
        return LicencePool(self.directory, public_key=self.signing.public_key(), clock=self.clock)

    def state(self) -> dict:
        with open(os.path.join(self.directory, "licence.json"), encoding="utf-8") as handle:
            return json.load(handle)


class TrialTests(PoolTestCase):
    def test_a_new_host_has_25_lines_for_45_days(self) -> None:
        status = self.pool().status()
        self.assertEqual(
            (status.mode, status.days_left, status.lines_licensed, status.lines_in_use),
            ("trial", 45, 25, 0),
        )

    def test_the_trial_counts_from_the_first_start(self) -> None:
        self.pool().status()
        self.clock.advance(10 * DAY + 60)
        self.assertEqual(self.pool().status().days_left, 35)

    def test_25_lines_open_and_the_26th_does_not(self) -> None:
        pool = self.pool()
        for line in range(25):
            pool.acquire(f"line-{line}")
        with self.assertRaises(NoLicenceLeft) as caught:
            pool.acquire("line-25")
        self.assertIn("all 25 are in use", str(caught.exception))
        self.assertEqual(pool.status().lines_in_use, 25)

    def test_closing_a_line_gives_its_licence_back(self) -> None:
        pool = self.pool()
        for line in range(25):
            pool.acquire(f"line-{line}")
        self.assertTrue(pool.release("line-3"))
        self.assertFalse(pool.release("line-3"))
        pool.acquire("line-25")
        self.assertEqual(pool.status().lines_in_use, 25)

    def test_opening_the_same_line_twice_takes_one_licence(self) -> None:
        pool = self.pool()
        pool.acquire("101")
        pool.acquire("101")
        self.assertEqual(pool.status().lines_in_use, 1)

    def test_a_trial_licence_says_when_it_ends_and_asking_again_tells_it_ended(self) -> None:
        pool = self.pool()
        start = self.clock.now
        self.assertEqual(pool.acquire("101"), start + 45 * DAY)
        self.assertEqual(pool.acquire("101"), start + 45 * DAY)
        self.clock.advance(45 * DAY)
        with self.assertRaises(TrialExpired):
            pool.acquire("101")
        pool.install_key(issue_key(self.signing, 5, "Test"))
        self.assertIsNone(pool.acquire("101"), "a key's licence holds for good")
        self.assertEqual(pool.status().lines_in_use, 1)

    def test_after_the_trial_lines_no_longer_open(self) -> None:
        pool = self.pool()
        pool.acquire("101")
        self.clock.advance(45 * DAY)
        with self.assertRaises(TrialExpired) as caught:
            pool.acquire("102")
        self.assertIn("45-day trial has ended", str(caught.exception))
        status = pool.status()
        self.assertEqual((status.mode, status.days_left, status.lines_licensed), ("expired", 0, 0))

    def test_the_clock_moved_back_during_the_trial(self) -> None:
        pool = self.pool()
        pool.status()
        self.clock.advance(20 * DAY)
        pool.acquire("101")
        self.clock.advance(-15 * DAY)
        with self.assertRaises(ClockMovedBack) as caught:
            pool.acquire("102")
        self.assertIn("clock is correct", str(caught.exception))
        status = pool.status()
        self.assertTrue(status.clock_moved_back)
        self.assertEqual(status.days_left, 25, "moving the clock back buys no trial days")
        self.assertEqual(self.state()["lastSeen"], START + 20 * DAY)
        self.clock.advance(15 * DAY)
        pool.acquire("102")
        self.assertFalse(pool.status().clock_moved_back)

    def test_the_clock_moved_back_past_the_first_start(self) -> None:
        self.pool().status()
        self.clock.advance(-300 * DAY)
        with self.assertRaises(ClockMovedBack):
            self.pool().acquire("101")
        self.assertEqual(self.state()["firstStart"], START)

    def test_a_small_step_back_is_time_synchronisation_not_tampering(self) -> None:
        pool = self.pool()
        pool.acquire("101")
        self.clock.advance(-30)
        pool.acquire("102")
        self.assertEqual(pool.status().lines_in_use, 2)


class KeyTests(PoolTestCase):
    def test_a_key_unlocks_its_lines_for_good(self) -> None:
        pool = self.pool()
        key = pool.install_key(issue_key(self.signing, 3, "Example GmbH", key_id="k1"))
        self.assertEqual((key.id, key.lines, key.licensee), ("k1", 3, "Example GmbH"))
        self.clock.advance(400 * DAY)
        for line in ("101", "102", "103"):
            pool.acquire(line)
        with self.assertRaises(NoLicenceLeft) as caught:
            pool.acquire("104")
        self.assertIn("all 3 are in use", str(caught.exception))
        status = pool.status()
        self.assertEqual(
            (status.mode, status.days_left, status.lines_licensed), ("licensed", None, 3)
        )
        self.assertEqual(status.to_document()["keys"][0]["licensee"], "Example GmbH")

    def test_keys_add_up(self) -> None:
        pool = self.pool()
        pool.install_key(issue_key(self.signing, 3, "A"))
        pool.install_key(issue_key(self.signing, 40, "A"))
        self.assertEqual(pool.status().lines_licensed, 43)

    def test_a_key_works_after_the_trial_and_with_the_clock_moved_back(self) -> None:
        pool = self.pool()
        pool.status()
        self.clock.advance(60 * DAY)
        with self.assertRaises(TrialExpired):
            pool.acquire("101")
        pool.install_key(issue_key(self.signing, 1, "A"))
        self.clock.advance(-59 * DAY)
        pool.acquire("101")

    def test_a_key_installed_twice_counts_once(self) -> None:
        pool = self.pool()
        text = issue_key(self.signing, 3, "A")
        pool.install_key(text)
        with self.assertRaises(InvalidLicenceKey) as caught:
            pool.install_key(text)
        self.assertIn("already installed", str(caught.exception))
        self.assertEqual(pool.status().lines_licensed, 3)

    def test_whitespace_from_mail_programs_is_ignored(self) -> None:
        text = issue_key(self.signing, 5, "A")
        wrapped = "\n".join(text[i : i + 40] for i in range(0, len(text), 40))
        self.assertEqual(verify_key(f"  {wrapped}\n", self.signing.public_key()).lines, 5)

    def test_a_tampered_key_is_refused(self) -> None:
        text = issue_key(self.signing, 3, "A", key_id="k1")
        body, signature = text[len("ECSTA1-") :].split(".")
        payload = json.loads(licence._b64decode(body))
        payload["lines"] = 3000
        forged = "ECSTA1-" + licence._b64encode(json.dumps(payload).encode()) + "." + signature
        with self.assertRaises(InvalidLicenceKey) as caught:
            self.pool().install_key(forged)
        self.assertIn("signature is not valid", str(caught.exception))
        flipped = text[:-3] + ("A" if text[-3] != "A" else "B") + text[-2:]
        with self.assertRaises(InvalidLicenceKey):
            self.pool().install_key(flipped)
        self.assertEqual(self.pool().status().mode, "trial")

    def test_a_key_from_another_signer_is_refused(self) -> None:
        other = issue_key(Ed25519PrivateKey.generate(), 10, "A")
        with self.assertRaises(InvalidLicenceKey) as caught:
            self.pool().install_key(other)
        self.assertIn("signature is not valid", str(caught.exception))

    def test_the_shipped_public_key_refuses_keys_it_did_not_sign(self) -> None:
        shipped = LicencePool(self.directory, clock=self.clock)
        with self.assertRaises(InvalidLicenceKey):
            shipped.install_key(issue_key(self.signing, 10, "A"))

    def test_text_that_is_not_a_key(self) -> None:
        for text, fragment in (
            ("hello", "must start with ECSTA1-"),
            ("ECSTA1-", "payload or signature missing"),
            ("ECSTA1-abc", "payload or signature missing"),
            ("ECSTA1-a*b.c", "not base64url"),
        ):
            with self.assertRaises(InvalidLicenceKey, msg=text) as caught:
                self.pool().install_key(text)
            self.assertIn(fragment, str(caught.exception))

    def test_a_key_edited_in_the_state_file_grants_nothing(self) -> None:
        pool = self.pool()
        pool.install_key(issue_key(self.signing, 3, "A"))
        state = self.state()
        body, signature = state["keys"][0][len("ECSTA1-") :].split(".")
        payload = json.loads(licence._b64decode(body))
        payload["lines"] = 300
        state["keys"][0] = f"ECSTA1-{licence._b64encode(json.dumps(payload).encode())}.{signature}"
        with open(os.path.join(self.directory, "licence.json"), "w") as handle:
            json.dump(state, handle)
        self.assertEqual(pool.status().mode, "trial")

    def test_the_command_line_key_format_reads_back(self) -> None:
        pem = self.signing.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        text = issue_key(licence.load_private_key(pem), 7, "B", issued="2026-11-27")
        key = verify_key(text, self.signing.public_key())
        self.assertEqual((key.lines, key.licensee, key.issued), (7, "B", "2026-11-27"))


class StateTests(PoolTestCase):
    def test_licences_of_a_process_that_died_are_reclaimed(self) -> None:
        pool = self.pool()
        pool.install_key(issue_key(self.signing, 2, "A"))
        child = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            timeout=30,
            check=True,
        )
        dead = int(child.stdout)
        state = self.state()
        state["holders"] = [
            {"pid": dead, "process": None, "holder": "101", "since": START},
            {"pid": os.getpid(), "process": "another boot/42", "holder": "102", "since": START},
        ]
        with open(os.path.join(self.directory, "licence.json"), "w") as handle:
            json.dump(state, handle)
        pool.acquire("201")
        pool.acquire("202")
        self.assertEqual([h["holder"] for h in self.state()["holders"]], ["201", "202"])

    def test_release_all_gives_back_what_this_process_holds(self) -> None:
        pool = self.pool()
        for line in ("101", "102", "103"):
            pool.acquire(line)
        self.assertEqual(pool.release_all(), 3)
        self.assertEqual(pool.status().lines_in_use, 0)

    def test_a_damaged_state_file_is_reported_and_left_alone(self) -> None:
        os.makedirs(self.directory)
        path = os.path.join(self.directory, "licence.json")
        for damage in (b'{"firstStart": 1, "lastSe', b'{"firstStart": "x"}', b"\xff\xfe"):
            with open(path, "wb") as handle:
                handle.write(damage)
            with self.assertRaises(LicenceStateError) as caught:
                self.pool().acquire("101")
            self.assertIn(path, str(caught.exception))
            with open(path, "rb") as handle:
                self.assertEqual(handle.read(), damage)

    def test_a_lock_held_too_long_gives_a_clear_error(self) -> None:
        os.makedirs(self.directory)
        pool = LicencePool(
            self.directory,
            public_key=self.signing.public_key(),
            clock=self.clock,
            lock_timeout=0.05,
        )
        with open(os.path.join(self.directory, "licence.lock"), "a+b") as held:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX)
            with self.assertRaises(LicenceStateError) as caught:
                pool.acquire("101")
        self.assertIn("locked by another process", str(caught.exception))
        pool.acquire("101")

    def test_a_save_failing_between_write_and_replace_loses_nothing(self) -> None:
        pool = self.pool()
        pool.acquire("101")
        before = self.state()

        def broken_replace(source: str, destination: str) -> None:
            raise OSError("disk gone")

        self.patch(licence.atomic_write.__globals__["os"], "replace", broken_replace)
        with self.assertRaises(OSError):
            pool.acquire("102")
        self.assertEqual(self.state(), before)
        self.assertEqual(sorted(os.listdir(self.directory)), ["licence.json", "licence.lock"])


RACER = textwrap.dedent(
    """
    import os, sys, time
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    from ecsta.driver.licence import LicencePool, NoLicenceLeft

    def wait_for(path):
        deadline = time.monotonic() + 20
        while not os.path.exists(path):
            if time.monotonic() > deadline:
                sys.exit("gave up waiting for " + path)
            time.sleep(0.001)

    directory, work, pem, name, count = sys.argv[1:6]
    pool = LicencePool(directory, public_key=load_pem_public_key(pem.encode()))
    wait_for(os.path.join(work, "go"))
    answers = []
    for line in range(int(count)):
        try:
            pool.acquire(f"{name}-{line}")
            answers.append("ok")
        except NoLicenceLeft as error:
            answers.append(f"refused {error}")
    with open(os.path.join(work, name + ".tmp"), "w") as handle:
        handle.write("\\n".join(answers))
    os.rename(os.path.join(work, name + ".tmp"), os.path.join(work, name))
    wait_for(os.path.join(work, "release"))
    """
)


def wait_for_files(paths: list[str], processes: list[subprocess.Popen[bytes]]) -> None:
    """Wait, boundedly, until every file exists; a racer that exits early fails the test."""
    deadline = time.monotonic() + 30
    while not all(os.path.exists(path) for path in paths):
        for process in processes:
            if process.poll() is not None and not all(os.path.exists(p) for p in paths):
                raise AssertionError(f"racer {process.pid} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError("racers did not finish within 30 seconds")
        time.sleep(0.01)


class TwoProcessesTests(PoolTestCase):
    def test_two_processes_opening_past_the_pool_at_the_same_moment(self) -> None:
        pool = self.pool()
        pool.install_key(issue_key(self.signing, 7, "A"))
        pem = (
            self.signing.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        work = self.mktemp()
        os.makedirs(work)
        names = ["a", "b"]
        racers = [
            subprocess.Popen(
                [sys.executable, "-c", RACER, self.directory, work, pem, name, "6"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": REPO},
            )
            for name in names
        ]
        try:
            with open(os.path.join(work, "go"), "w"):
                pass
            wait_for_files([os.path.join(work, name) for name in names], racers)
            answers = []
            for name in names:
                with open(os.path.join(work, name)) as handle:
                    answers.extend(handle.read().split("\n"))
            self.assertEqual(answers.count("ok"), 7, answers)
            refusals = [answer for answer in answers if answer != "ok"]
            self.assertEqual(
                refusals, ["refused no line licence left: all 7 are in use on this host"] * 5
            )
            holders = self.state()["holders"]
            self.assertEqual(len(holders), 7)
            self.assertEqual(len({(h["pid"], h["holder"]) for h in holders}), 7)
            self.assertTrue({h["pid"] for h in holders} <= {racer.pid for racer in racers})
        finally:
            with open(os.path.join(work, "release"), "w"):
                pass
            for racer in racers:
                try:
                    racer.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    racer.kill()
                    racer.wait()
        self.assertEqual(pool.status().lines_in_use, 0, "the exited racers' licences come back")
