"""``ecsta hash-password``: a hash the mux accepts, from stdin or a prompt, never from argv."""

import getpass
import io
import sys
import tomllib

from twisted.trial.unittest import SynchronousTestCase

from ecsta.cli import main
from ecsta.daemon.auth import Users


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class HashPasswordTests(SynchronousTestCase):
    def run_main(self, *argv: str, stdin: io.StringIO) -> tuple[int, str, str]:
        self.patch(sys, "stdin", stdin)
        out, err = io.StringIO(), io.StringIO()
        return main(list(argv), out, err), out.getvalue(), err.getvalue()

    def test_the_first_line_of_a_pipe_is_the_password(self) -> None:
        status, out, err = self.run_main(
            "hash-password", stdin=io.StringIO("s3cret passphrase\nx\n")
        )
        self.assertEqual((status, err), (0, ""))
        hashed = out.strip()
        self.assertTrue(hashed.startswith("scrypt$"), hashed)
        users = Users({"crm": hashed})
        self.assertTrue(users.verify("crm", "s3cret passphrase"))
        self.assertFalse(users.verify("crm", "s3cret passphras"))

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

    def test_a_short_password_is_hashed_with_a_warning(self) -> None:
        status, out, err = self.run_main("hash-password", stdin=io.StringIO("pw\n"))
        self.assertEqual(status, 0)
        self.assertTrue(Users({"u": out.strip()}).verify("u", "pw"))
        self.assertEqual(
            err,
            "ecsta hash-password: warning: a password of 2 characters is easy to guess;"
            " use 12 or more\n",
        )

    def test_a_user_name_that_is_no_bare_key_is_quoted(self) -> None:
        for name in ("front desk", 'say "hi"', "müller", "a.b"):
            status, out, _ = self.run_main(
                "hash-password",
                "--user",
                name,
                "--scheme",
                "pbkdf2-sha256",
                stdin=io.StringIO("a long enough password\n"),
            )
            self.assertEqual(status, 0)
            users = tomllib.loads("[users]\n" + out)["users"]
            self.assertEqual(list(users), [name])
            self.assertTrue(Users(users).verify(name, "a long enough password"))

    def test_a_user_name_with_control_characters_is_refused(self) -> None:
        status, out, err = self.run_main(
            "hash-password", "--user", "a\nb", stdin=io.StringIO("a long enough password\n")
        )
        self.assertEqual((status, out), (1, ""))
        self.assertIn("--user must be a name without control characters", err)
