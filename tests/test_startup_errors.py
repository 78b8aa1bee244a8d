"""``twistd -n ecsta-mux`` and ``twistd -n ecsta-driver`` refusing to start, as an operator sees it.

Each test starts a real ``twistd`` process that cannot start (a port taken, a certificate that
does not match its key, a directory that cannot be written, an endpoint that does not parse) and
reads what it printed: the cause in one line, no traceback, and a non-zero exit status.
"""

import os
import socket
import subprocess
import sys
import tempfile

from twisted.trial.unittest import SynchronousTestCase

from ecsta import __version__
from tests.test_mux_tap import USERS, pem_pair

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Seconds a process may take to give up; one that is still running then is killed.
DEADLINE = 30


def twistd(workdir: str, plugin: str, *options: str) -> tuple[int, str]:
    """Exit status and everything printed (log included) of ``twistd -n plugin options``."""
    env = dict(
        os.environ,
        PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""),
        STATE_DIRECTORY=workdir,  # as systemd gives it; the driver keeps its state there
    )
    starter = "from twisted.scripts.twistd import run; run()"
    arguments = [sys.executable, "-c", starter, "-n", "--pidfile=", plugin, *options]
    process = subprocess.Popen(
        arguments, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        output, _ = process.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError(f"{plugin} did not stop:\n{output.decode(errors='replace')}") from None
    return process.returncode, output.decode(errors="replace")


class StartupErrorTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp()
        self.taken = socket.socket()
        self.addCleanup(self.taken.close)
        self.taken.bind(("127.0.0.1", 0))
        self.taken.listen()
        self.port = self.taken.getsockname()[1]

    def write(self, name: str, data: bytes | str) -> str:
        path = os.path.join(self.dir, name)
        with open(path, "wb") as stream:
            stream.write(data.encode() if isinstance(data, str) else data)
        return path

    def assertRefused(self, outcome: tuple[int, str], cause: str) -> None:
        status, output = outcome
        self.assertNotEqual(status, 0, output)
        self.assertNotIn("Traceback", output)
        self.assertIn(cause, output)

    def test_mux_on_a_taken_port(self) -> None:
        listen = f"tcp:{self.port}:interface=127.0.0.1"
        outcome = twistd(self.dir, "ecsta-mux", "--pbx", "sim", "--listen", listen, "--status=")
        self.assertRefused(
            outcome, f"ecsta-mux cannot start: cannot listen on {listen}: Address already in use"
        )

    def test_mux_with_a_certificate_that_does_not_match_its_key(self) -> None:
        _, cert = pem_pair("mux.example")
        other_key, _ = pem_pair("other")
        key_path, cert_path = self.write("key.pem", other_key), self.write("cert.pem", cert)
        outcome = twistd(
            self.dir,
            "ecsta-mux",
            "--config",
            self.write("mux.toml", USERS),
            "--pbx",
            "sim",
            "--listen-tls",
            f"ssl:0:interface=127.0.0.1:privateKey={key_path}:certKey={cert_path}",
            "--listen",
            "tcp:0:interface=127.0.0.1",
            "--status=",
        )
        self.assertRefused(outcome, "the certificate does not match its private key")

    def test_mux_with_an_endpoint_that_does_not_parse(self) -> None:
        outcome = twistd(self.dir, "ecsta-mux", "--pbx", "sim", "--listen", "tcp:x", "--status=")
        self.assertRefused(outcome, "ecsta-mux: cannot use the endpoint 'tcp:x'")

    def driver(self, licences_under: str, *options: str) -> tuple[int, str]:
        """``ecsta-driver`` started with its licence directory under ``licences_under``."""
        config = f'[admin]\nlicenceDirectory = "{licences_under}/licences"\n'
        return twistd(
            self.dir, "ecsta-driver", "--config", self.write("driver.toml", config), *options
        )

    def test_driver_on_a_taken_port(self) -> None:
        api = f"tcp:{self.port}:interface=127.0.0.1"
        outcome = self.driver(self.dir, "--pbx", "sim", "--api", api)
        self.assertRefused(
            outcome,
            f"ecsta-driver cannot start: cannot listen on 127.0.0.1:{self.port}: "
            "Address already in use",
        )

    def test_driver_with_a_directory_it_cannot_make(self) -> None:
        blocker = self.write("blocker", "")
        outcome = self.driver(blocker, "--api", "tcp:0:interface=127.0.0.1")
        self.assertRefused(
            outcome,
            f"ecsta-driver: admin.licenceDirectory: the licence directory {blocker}/licences "
            "cannot be written",
        )

    def test_driver_with_an_api_endpoint_that_does_not_parse(self) -> None:
        outcome = twistd(
            self.dir, "ecsta-driver", "--pbx", "sim", "--api", "tcp:x:interface=127.0.0.1"
        )
        self.assertRefused(outcome, "ecsta-driver: api.endpoint: 'tcp:x:interface=127.0.0.1'")

    def assertOneLine(self, outcome: tuple[int, str], line: str) -> None:
        """Refused with exactly ``line`` as the last line, and no usage printed before it."""
        self.assertRefused(outcome, line)
        _, output = outcome
        self.assertEqual(output.strip().splitlines()[-1], line, output)
        self.assertNotIn("Usage:", output)

    def test_pbx_endpoints_without_a_port_or_written_host_port(self) -> None:
        loopback = "--api=tcp:0:interface=127.0.0.1"
        for plugin, api in (("ecsta-mux", "--status="), ("ecsta-driver", loopback)):
            self.assertOneLine(
                twistd(self.dir, plugin, "--pbx", "tcp:host=pbx.example", api),
                f"{plugin}: pbx.endpoint: 'tcp:host=pbx.example' has no port: write "
                "tcp:host=pbx.example:port=33333",
            )
            self.assertOneLine(
                twistd(self.dir, plugin, "--pbx", "pbx.example:33333", api),
                f"{plugin}: pbx.endpoint: 'pbx.example:33333' is not an endpoint: write "
                "tcp:host=NAME:port=33333 (tls:host=NAME:port=33334 for a mux's TLS port)",
            )

    def test_a_tls_pbx_endpoint_naming_missing_files_is_one_line(self) -> None:
        loopback = "tcp:0:interface=127.0.0.1"
        tls = "tls:host=mux.example:port=33334"
        for plugin, options in (
            ("ecsta-mux", ("--status=", "--listen", loopback)),
            ("ecsta-driver", ("--api", loopback)),
        ):
            self.assertOneLine(
                twistd(self.dir, plugin, "--pbx", f"{tls}:trustRoots=/nonexistent", *options),
                f"{plugin}: pbx.endpoint: '{tls}:trustRoots=/nonexistent': No such file or "
                "directory: /nonexistent",
            )

    def test_an_unknown_option_is_one_line(self) -> None:
        self.assertOneLine(
            twistd(self.dir, "ecsta-mux", "--pbxx", "sim"),
            "ecsta-mux: option --pbxx not recognized (twistd ecsta-mux --help lists them)",
        )

    def test_an_option_value_of_the_wrong_type_names_the_option(self) -> None:
        self.assertOneLine(
            twistd(self.dir, "ecsta-mux", "--max-applications", "x"),
            "ecsta-mux: --max-applications: expected a whole number, got 'x'",
        )
        self.assertOneLine(
            twistd(self.dir, "ecsta-pbxsim", "--traffic", "lots"),
            "ecsta-pbxsim: --traffic: expected a number, got 'lots'",
        )

    def test_simulator_on_a_taken_port(self) -> None:
        csta = f"tcp:{self.port}:interface=127.0.0.1"
        outcome = twistd(self.dir, "ecsta-pbxsim", "--csta", csta, "--control", "none")
        self.assertRefused(
            outcome,
            f"ecsta-pbxsim cannot start: cannot listen on 127.0.0.1:{self.port}: "
            "Address already in use",
        )

    def test_every_service_tells_its_version(self) -> None:
        for plugin in ("ecsta-mux", "ecsta-driver", "ecsta-pbxsim"):
            status, output = twistd(self.dir, plugin, "--version")
            self.assertEqual((status, output.strip()), (0, f"{plugin} {__version__}"))
            status, output = twistd(self.dir, plugin, "--help")
            self.assertIn("--version", output)
