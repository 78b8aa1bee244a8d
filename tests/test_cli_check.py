"""``ecsta check FILE``: one line per problem, exit status 0 or 1, as ExecStartPre= needs."""

import contextlib
import io
import os

from twisted.trial.unittest import SynchronousTestCase

from ecsta.cli import main
from tests.test_mux_tap import USERS, pem_pair

ETC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "etc")


def check(*argv: str) -> tuple[int, list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", *argv], out, err)
    return code, out.getvalue().splitlines(), err.getvalue()


class CheckTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.dir = os.path.abspath(self.mktemp())
        os.makedirs(self.dir)

    def write(self, name: str, data: str | bytes) -> str:
        path = os.path.join(self.dir, name)
        with open(path, "wb") as stream:
            stream.write(data.encode() if isinstance(data, str) else data)
        return path

    def test_the_samples_are_good(self) -> None:
        files = [os.path.join(ETC, name) for name in ("mux.toml", "driver.toml", "pbxsim.toml")]
        code, lines, err = check(*files)
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(
            lines,
            [
                f"{files[0]}: OK (ecsta-mux configuration)",
                f"{files[1]}: OK (ecsta-driver configuration)",
                f"{files[2]}: OK (ecsta-pbxsim configuration)",
            ],
        )

    def test_a_file_that_does_not_load_gives_its_one_line(self) -> None:
        path = self.write("mux.toml", "[pbx]\nrequest_timeout = 'x'\n")
        code, lines, _ = check(path)
        self.assertEqual(code, 1)
        self.assertEqual(lines, [f"{path}: pbx.request_timeout: expected a number > 0, got 'x'"])

    def test_every_problem_of_a_mux_file_is_named(self) -> None:
        key, _ = pem_pair("other")
        _, cert = pem_pair("mux.example")
        key_path, cert_path = self.write("key.pem", key), self.write("cert.pem", cert)
        blocker = self.write("blocker", "")
        path = self.write(
            "mux.toml",
            '[pbx]\nendpoint = "tcp:host=pbx.example"\n'
            f'capture = "{blocker}/pbx.pcap"\n[listen]\n'
            f'tls = ["ssl:33334:privateKey={key_path}:certKey={cert_path}"]\n{USERS}',
        )
        code, lines, _ = check(path)
        self.assertEqual(code, 1)
        self.assertEqual(
            lines,
            [
                f"{path}: listen.tls[0]: cannot use 'ssl:33334:privateKey={key_path}:certKey="
                f"{cert_path}': the certificate does not match its private key",
                f"{path}: pbx.endpoint: 'tcp:host=pbx.example' has no port: write "
                "tcp:host=pbx.example:port=33333",
                f"{path}: pbx.capture: {blocker} is not a directory",
            ],
        )

    def test_every_problem_of_a_driver_file_is_named(self) -> None:
        blocker = self.write("blocker", "")
        path = self.write(
            "driver.toml",
            f'[admin]\nstateDirectory = "{blocker}/state"\nlicenceDirectory = "{self.dir}"\n'
            '[[numberFormat.dialing]]\nsearch = "^(+49"\nreplace = "0"\n',
        )
        code, lines, _ = check(path)
        self.assertEqual(code, 1)
        self.assertEqual(len(lines), 2, lines)
        self.assertTrue(
            lines[0].startswith(
                f"{path}: numberFormat.dialing[0].search: invalid regular expression"
            ),
            lines,
        )
        self.assertEqual(lines[1], f"{path}: admin.stateDirectory: {blocker} is not a directory")

    def assertProblems(self, path: str, *expected: str) -> None:
        """``ecsta check`` fails on ``path`` with exactly these problems, in this order."""
        code, lines, _ = check(path)
        self.assertEqual((code, lines), (1, [f"{path}: {problem}" for problem in expected]))

    def test_the_journal_capture_and_built_in_simulator_are_checked(self) -> None:
        blocker = self.write("blocker", "")
        mux = self.write(
            "mux.toml",
            f'[journal]\npath = "{blocker}/journal.sqlite"\n'
            '[sim.csta]\nendpoint = "tcp:notaport"\n',
        )
        self.assertProblems(
            mux,
            f"journal.path: {blocker} is not a directory",
            "sim.csta.endpoint: cannot use the endpoint 'tcp:notaport': invalid literal for int()"
            " with base 10: 'notaport'",
        )
        path = self.write("mux.toml", "[sim.traffic]\nrate = -1\n")
        self.assertProblems(path, "sim.traffic.rate: expected a number >= 0, got -1")
        driver = self.write(
            "driver.toml",
            f'[pbx]\ncapture = "{blocker}/pbx.pcap"\n[admin]\nstateDirectory = "{self.dir}"\n'
            f'licenceDirectory = "{self.dir}"\n[journal]\nenabled = true\n'
            f'path = "{blocker}/journal.sqlite"\n',
        )
        self.assertProblems(
            driver,
            f"pbx.capture: {blocker} is not a directory",
            f"journal.path: {blocker} is not a directory",
        )

    def test_the_files_a_tls_pbx_endpoint_names_are_checked(self) -> None:
        garbage = self.write("garbage.pem", "not a certificate")
        tls = "tls:host=mux.example:port=33334"
        mux = self.write("mux.toml", f'[pbx]\nendpoint = "{tls}:trustRoots={self.dir}/ca"\n')
        self.assertProblems(
            mux,
            f"pbx.endpoint: '{tls}:trustRoots={self.dir}/ca': No such file or directory: "
            f"{self.dir}/ca",
        )
        driver = self.write(
            "driver.toml",
            f'[pbx]\nendpoint = "{tls}:certificate={garbage}"\n[admin]\n'
            f'stateDirectory = "{self.dir}"\nlicenceDirectory = "{self.dir}"\n',
        )
        code, lines, _ = check(driver)
        self.assertEqual((code, len(lines)), (1, 1), lines)
        expected = f"{driver}: pbx.endpoint: '{tls}:certificate={garbage}': not a PEM certificate"
        self.assertEqual(lines[0][: len(expected)], expected)

    def test_a_journal_in_postgresql_needs_its_client(self) -> None:
        import importlib.util

        path = self.write("mux.toml", '[journal]\npostgres = "host=db.example"\n')
        self.assertEqual(check(path)[0], 0)
        self.patch(importlib.util, "find_spec", lambda name, package=None: None)
        self.assertProblems(
            path, "journal.postgres: psycopg is not installed: install ecsta[postgres]"
        )

    def test_a_file_of_unknown_kind_asks_for_it(self) -> None:
        path = self.write("ecsta.toml", "")
        code, lines, err = check(path)
        self.assertEqual((code, lines), (1, []))
        self.assertIn("cannot tell which service it configures: give --kind", err)
        code, lines, _ = check("--kind", "mux", path)
        self.assertEqual((code, lines), (0, [f"{path}: OK (ecsta-mux configuration)"]))

    def test_the_console_script_has_a_version(self) -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(main(["--version"]), 0)
        self.assertRegex(out.getvalue(), r"^ecsta \d+\.\d+")
