"""A driver that cannot keep its licences or its state refuses to start, and says why.

Run by an ordinary user, the driver cannot write the default licence directory
``/var/lib/ecsta``; without this check every line would stay out of service, each with a
licence error of its own. These tests start the service the way twistd does, in a child
process that is an ordinary user (``nobody`` when the tests run as root, who may write
anywhere), against a read-only directory.
"""

import io
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable

from twisted.internet.testing import MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver import tap
from ecsta.driver.config import DriverConfig

NOBODY = 65534
READ_ONLY = stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH


def as_ordinary_user(work: Callable[[], str]) -> str:
    """What ``work`` returns when run by a user without special rights, in a child process.

    The interpreter's own files may lie where only root may read (a home directory), so what
    starting the service imports is imported before the child gives up its rights.
    """
    tap.build(MemoryReactorClock(), DriverConfig())
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        os.close(read)
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            result = work()
        except BaseException as error:
            result = f"raised {type(error).__name__}: {error}"
        os.write(write, result.encode("utf-8"))
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8")


def start_service(config_path: str) -> Callable[[], str]:
    """What twistd does with ``--config config_path``: the message it stops with, if any."""

    def start() -> str:
        options = tap.Options()
        options.parseOptions(["--config", config_path, "--api", "tcp:0:interface=127.0.0.1"])
        stderr, sys.stderr = sys.stderr, io.StringIO()
        try:
            tap.makeService(options)
        except SystemExit as stop:
            return f"exit {stop.code}: {sys.stderr.getvalue()}"
        finally:
            sys.stderr = stderr
        return "started"

    return start


class DirectoriesCase(SynchronousTestCase):
    """A driver configuration file in a fresh directory that every user may read, and the
    directories it names, each with the mode a test gives it."""

    def setUp(self) -> None:
        # Not under the test's own temporary directory, which other users may not enter.
        self.base = tempfile.mkdtemp(prefix="ecsta-directories-")
        self.addCleanup(shutil.rmtree, self.base, True)
        os.chmod(self.base, 0o755)
        self.config = os.path.join(self.base, "driver.toml")

    def directory(self, name: str, mode: int) -> str:
        path = os.path.join(self.base, name)
        os.makedirs(path)
        os.chmod(path, mode)
        self.addCleanup(os.chmod, path, 0o755)
        return path

    def write_config(self, text: str) -> None:
        with open(self.config, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(self.config, 0o644)


class UnwritableDirectoryTests(DirectoriesCase):
    def test_a_read_only_licence_directory_stops_the_start(self) -> None:
        pool = self.directory("pool", READ_ONLY)
        self.write_config(f'[admin]\nlicenceDirectory = "{pool}"\n')
        message = as_ordinary_user(start_service(self.config))
        self.assertEqual(
            message,
            f"exit 1: ecsta-driver: admin.licenceDirectory: the licence directory {pool} cannot "
            "be written by this user (Permission denied): set licenceDirectory in the [admin] "
            "section of the configuration to a directory this user can write, or give this "
            "user write access to it\n",
        )
        self.assertEqual(os.listdir(pool), [])

    def test_a_writable_licence_directory_starts(self) -> None:
        """The same user with a directory it may write: the service is made."""
        pool = self.directory("pool", 0o777)
        state = self.directory("state", 0o777)
        self.write_config(f'[admin]\nlicenceDirectory = "{pool}"\nstateDirectory = "{state}"\n')
        self.assertEqual(as_ordinary_user(start_service(self.config)), "started")
        self.assertIn("licence.lock", os.listdir(pool))

    def test_without_a_state_directory_the_users_data_directory_is_used_and_must_be_writable(
        self,
    ) -> None:
        pool = self.directory("pool", 0o777)
        data = self.directory("data", READ_ONLY)
        self.write_config(f'[admin]\nlicenceDirectory = "{pool}"\n')
        start = start_service(self.config)

        def start_with_data_home(home: str) -> Callable[[], str]:
            def run() -> str:
                os.environ.pop("STATE_DIRECTORY", None)
                os.environ["XDG_DATA_HOME"] = home
                return start()

            return run

        message = as_ordinary_user(start_with_data_home(data))
        self.assertTrue(
            message.startswith(
                "exit 1: ecsta-driver: admin.stateDirectory: the state directory "
                f"{data}/ecsta/driver cannot be written by this user (Permission denied)"
            ),
            message,
        )
        writable = self.directory("home", 0o777)
        self.assertEqual(as_ordinary_user(start_with_data_home(writable)), "started")
        self.assertTrue(os.path.isdir(os.path.join(writable, "ecsta", "driver")))

    def test_a_read_only_state_directory_of_an_instance_is_named(self) -> None:
        pool = self.directory("pool", 0o777)
        state = self.directory("state", READ_ONLY)
        self.write_config(
            f'[admin]\nlicenceDirectory = "{pool}"\nstateDirectory = "{state}"\n\n'
            '[[instances]]\nname = "berlin"\npbx = "tcp:host=127.0.0.1:port=9"\n'
        )
        message = as_ordinary_user(start_service(self.config))
        self.assertTrue(
            message.startswith(
                "exit 1: ecsta-driver: instances[0].stateDirectory: the state directory "
                f"{state}/berlin cannot be written by this user (Permission denied)"
            ),
            message,
        )
