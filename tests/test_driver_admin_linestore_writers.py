"""The line file changed by the running driver and by ``ecsta lines import`` at the same time.

Every writer takes the file's lock and applies its change to what the file holds then, so that
no change is ever saved over and lost.
"""

import io
import os
import subprocess
import sys
import textwrap

from twisted.trial.unittest import SynchronousTestCase

from ecsta.cli import main
from ecsta.driver.admin import Administration
from ecsta.driver.config import load
from ecsta.driver.filelock import LockTimeout, locked
from ecsta.driver.linestore import LineStore, StoredLine, keeping

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class WritersTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = self.mktemp()
        os.makedirs(self.directory)
        self.state = os.path.join(self.directory, "state")
        self.config = os.path.join(self.directory, "driver.toml")
        with open(self.config, "w", encoding="utf-8") as handle:
            handle.write(f'[admin]\nstateDirectory = "{self.state}"\n')
        self.lines_file = os.path.join(self.state, "lines.txt")

    def cli_import(self, text: str) -> tuple[int, str]:
        source = os.path.join(self.directory, "import.txt")
        with open(source, "w", encoding="utf-8") as handle:
            handle.write(text)
        out, err = io.StringIO(), io.StringIO()
        status = main(["lines", "import", "--config", self.config, source], out, err)
        return status, out.getvalue() + err.getvalue()

    def on_disk(self) -> list[StoredLine]:
        return list(LineStore(self.lines_file).lines)

    def test_an_import_beside_the_running_driver_survives_its_next_save(self) -> None:
        admin = Administration.from_config(load(self.config))
        admin.store.add("101", "Reception")
        status, said = self.cli_import("102,Lab\n101,Front desk\n")
        self.assertEqual(status, 0, said)
        self.assertIn("applies them at its next start", said)
        # The driver, which read the file before the import, changes its lines.
        admin.keep_lines(keeping([StoredLine("103", "Store")]))
        admin.store.remove("101")
        self.assertEqual(self.on_disk(), [StoredLine("102", "Lab"), StoredLine("103", "Store")])
        self.assertEqual(admin.store.lines, tuple(self.on_disk()))

    def test_a_change_made_elsewhere_decides_what_a_change_here_means(self) -> None:
        driver_store = LineStore(self.lines_file)
        status, said = self.cli_import("101\n")
        self.assertEqual(status, 0, said)
        result = driver_store.merge([StoredLine("101", "Reception")])
        self.assertEqual((result.added, result.renamed), ((), ("101",)))
        self.assertEqual(self.on_disk(), [StoredLine("101", "Reception")])

    def test_processes_adding_lines_at_the_same_moment_lose_none(self) -> None:
        os.makedirs(self.state)
        script = textwrap.dedent(
            """
            import sys
            from ecsta.driver.linestore import LineStore
            store = LineStore(sys.argv[1])
            for index in range(40):
                store.add(sys.argv[2] + str(index))
            """
        )
        children = [
            subprocess.Popen(
                [sys.executable, "-c", script, self.lines_file, prefix],
                env={**os.environ, "PYTHONPATH": REPO},
                stderr=subprocess.PIPE,
            )
            for prefix in ("1", "2", "3")
        ]
        for child in children:
            _, errors = child.communicate(timeout=60)
            self.assertEqual(child.returncode, 0, errors)
        numbers = {line.number for line in self.on_disk()}
        self.assertEqual(numbers, {f"{prefix}{index}" for prefix in "123" for index in range(40)})

    def test_a_lock_another_process_holds_is_waited_for_then_reported(self) -> None:
        os.makedirs(self.state)
        script = textwrap.dedent(
            """
            import sys, time
            from ecsta.driver.filelock import locked
            with locked(sys.argv[1]):
                print("locked", flush=True)
                time.sleep(30)
            """
        )
        holder = subprocess.Popen(
            [sys.executable, "-c", script, f"{self.lines_file}.lock"],
            env={**os.environ, "PYTHONPATH": REPO},
            stdout=subprocess.PIPE,
        )
        self.addCleanup(holder.wait)
        self.addCleanup(holder.kill)
        assert holder.stdout is not None
        self.assertEqual(holder.stdout.readline(), b"locked\n")
        with self.assertRaises(LockTimeout):
            with locked(f"{self.lines_file}.lock", timeout=0.1):
                pass
