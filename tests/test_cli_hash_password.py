"""``ecsta hash-password``: a hash the mux accepts, from stdin or a prompt, never from argv."""

import getpass
import io
import sys
import tomllib

from twisted.trial.unittest import SynchronousTestCase

from ecsta.cli import main
from ecsta.mux.auth import Users


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class HashPasswordTests(SynchronousTestCase):
    def run_main(self, *argv: str, stdin: io.StringIO) -> tuple[int, str, str]:
        self.patch(sys, "stdin", stdin)
        out, err = io.StringIO(), io.StringIO()
        return main(list(argv), out, err), out.getvalue(), err.getvalue()

    def test_the_first_line_of_a_pipe_is_the_password(self) -> None:
        status, out, err = self.run_main("hash-password", stdin=io.StringIO("s3cret pass\nx\n"))
        self.assertEqual((status, err), (0, ""))
        hashed = out.strip()
        self.assertTrue(hashed.startswith("scrypt$"), hashed)
        users = Users({"crm": hashed})
        self.assertTrue(users.verify("crm", "s3cret pass"))
        self.assertFalse(users.verify("crm", "s3cret pas"))

    def test_a_whole_toml_line_for_the_users_table(self) -> None:
        status, out, _ = self.run_main(
            "hash-password",
            "--user",
            "crm",
            "--scheme",
            "pbkdf2-sha256",
            stdin=io.StringIO("pw\n"),
        )
        self.assertEqual(status, 0)
        users = tomllib.loads("[users]\n" + out)["users"]
        self.assertTrue(users["crm"].startswith("pbkdf2-sha256$"))
        self.assertTrue(Users(users).verify("crm", "pw"))

    def test_at_a_terminal_the_password_is_asked_twice(self) -> None:
        answers = iter(["typed", "typed"])
        self.patch(getpass, "getpass", lambda prompt="": next(answers))
        status, out, _ = self.run_main("hash-password", stdin=Terminal())
        self.assertEqual(status, 0)
        self.assertTrue(Users({"u": out.strip()}).verify("u", "typed"))

    def test_two_different_answers_hash_nothing(self) -> None:
        answers = iter(["typed", "typo"])
        self.patch(getpass, "getpass", lambda prompt="": next(answers))
        status, out, err = self.run_main("hash-password", stdin=Terminal())
        self.assertEqual((status, out), (1, ""))
        self.assertEqual(err, "ecsta hash-password: the two passwords differ\n")

    def test_an_empty_password_is_refused(self) -> None:
        status, out, err = self.run_main("hash-password", stdin=io.StringIO("\n"))
        self.assertEqual((status, out), (1, ""))
        self.assertIn("the password is empty", err)

    def test_the_password_is_not_an_argument(self) -> None:
        usage = io.StringIO()
        self.patch(sys, "stderr", usage)  # argparse writes usage errors there itself
        status, out, _ = self.run_main("hash-password", "secret", stdin=io.StringIO("pw\n"))
        self.assertEqual((status, out), (2, ""))
        self.assertIn("unrecognized arguments: secret", usage.getvalue())
