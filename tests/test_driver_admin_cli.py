"""The administration commands of the ``ecsta`` console script, run as an operator would."""

import io
import json
import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from twisted.trial.unittest import SynchronousTestCase

from ecsta.cli import main
from ecsta.driver.linestore import LineStore, StoredLine


class CommandTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = self.mktemp()
        os.makedirs(self.directory)

    def path(self, name: str) -> str:
        return os.path.join(self.directory, name)

    def write(self, name: str, text: str) -> str:
        with open(self.path(name), "w", encoding="utf-8") as handle:
            handle.write(text)
        return self.path(name)

    def run_command(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        status = main(list(argv), out, err)
        return status, out.getvalue(), err.getvalue()


class RulesCheckTests(CommandTestCase):
    def test_shows_what_each_number_becomes_and_which_rule_did_it(self) -> None:
        settings = self.write(
            "settings.json",
            json.dumps(
                {
                    "numberFormat": {
                        "incoming": [
                            {"search": "^[0-9][0-9][0-9]$", "replace": ""},
                            {"search": "^0(.*)", "replace": r"\1"},
                        ]
                    }
                }
            ),
        )
        status, out, _ = self.run_command(
            "rules", "check", "--settings", settings, "incoming", "101", "0301234", "+4930"
        )
        self.assertEqual(status, 0)
        self.assertEqual(
            out,
            "101 -> suppressed (rule 0)\n"
            "0301234 -> 301234 (rule 1)\n"
            "+4930 -> +4930 (no rule matches)\n",
        )

    def test_an_invalid_rule_is_named(self) -> None:
        settings = self.write(
            "settings.json",
            json.dumps({"numberFormat": {"dialing": [{"search": "^1"}, {"search": "(1"}]}}),
        )
        status, out, err = self.run_command(
            "rules", "check", "--settings", settings, "dialing", "1"
        )
        self.assertEqual((status, out), (1, ""))
        self.assertIn("numberFormat.dialing[1].search: invalid regular expression", err)

    def test_the_rules_a_driver_configuration_gives_its_driver(self) -> None:
        config = self.write(
            "driver.toml",
            '[[numberFormat.outgoing]]\nsearch = "^(0.*)"\nreplace = "+\\\\1"\n',
        )
        status, out, err = self.run_command(
            "rules", "check", "--config", config, "outgoing", "0891", "101"
        )
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(out, "0891 -> +0891 (rule 0)\n101 -> 101 (no rule matches)\n")
        broken = self.write("broken.toml", "[numberFormat\n")
        status, _, err = self.run_command("rules", "check", "--config", broken, "outgoing", "1")
        self.assertEqual(status, 1)
        self.assertIn("not valid TOML", err)

    def test_an_unknown_category_is_a_usage_error(self) -> None:
        settings = self.write("settings.json", "{}")
        usage = io.StringIO()
        self.patch(sys, "stderr", usage)
        status, _, _ = self.run_command("rules", "check", "--settings", settings, "inbound", "1")
        self.assertEqual(status, 2)
        self.assertIn("invalid choice: 'inbound'", usage.getvalue())


class LinesTests(CommandTestCase):
    def test_import_then_export(self) -> None:
        store = self.path("lines.txt")
        source = self.write("import.txt", "101,Reception\n102\n")
        status, out, err = self.run_command("lines", "import", "--store", store, source)
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(out, "2 added, 0 renamed, 0 removed; 2 lines\n")
        status, out, _ = self.run_command("lines", "export", "--store", store)
        self.assertEqual((status, out), (0, "101,Reception\n102\n"))
        exported = self.path("export.txt")
        self.run_command("lines", "export", "--store", store, "-o", exported)
        with open(exported, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "101,Reception\n102\n")

    def test_a_file_with_bad_lines_is_refused_line_by_line(self) -> None:
        store = self.path("lines.txt")
        LineStore(store).add("100", "Old")
        source = self.write("import.txt", "101\nabc\n102\n101,Twice\n")
        status, out, err = self.run_command("lines", "import", "--store", store, source)
        self.assertEqual((status, out), (1, ""))
        self.assertEqual(
            err.splitlines(),
            [
                f"ecsta: {source}: nothing imported, 2 bad line(s)",
                f"{source}:2: 'abc' is not a phone number"
                " (digits, * and #, optionally a leading +)",
                f"{source}:4: number 101 already on line 1",
            ],
        )
        self.assertEqual(LineStore(store).lines, (StoredLine("100", "Old"),))

    def test_replace_removes_lines_not_in_the_file(self) -> None:
        store = self.path("lines.txt")
        LineStore(store).add("100")
        source = self.write("import.txt", "101\n")
        status, out, _ = self.run_command("lines", "import", "--replace", "--store", store, source)
        self.assertEqual((status, out), (0, "1 added, 0 renamed, 1 removed; 1 lines\n"))

    def test_the_line_file_of_a_driver_configuration(self) -> None:
        state = self.path("state")
        config = self.write("driver.toml", f'[admin]\nstateDirectory = "{state}"\n')
        source = self.write("import.txt", "101,Reception\n")
        status, _, err = self.run_command("lines", "import", "--config", config, source)
        self.assertEqual((status, err), (0, ""))
        with open(os.path.join(state, "lines.txt"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "101,Reception\n")
        status, out, _ = self.run_command("lines", "export", "--config", config)
        self.assertEqual((status, out), (0, "101,Reception\n"))
        stateless = self.write("stateless.toml", "")
        status, _, err = self.run_command("lines", "export", "--config", stateless)
        self.assertEqual(status, 1)
        self.assertIn("no admin.stateDirectory", err)

    def test_a_missing_file_is_an_error_not_a_traceback(self) -> None:
        status, _, err = self.run_command(
            "lines", "import", "--store", self.path("lines.txt"), self.path("nope.txt")
        )
        self.assertEqual(status, 1)
        self.assertIn("nope.txt", err)


class LicenseTests(CommandTestCase):
    def setUp(self) -> None:
        super().setUp()
        signing = Ed25519PrivateKey.generate()
        self.private = self.path("vendor.pem")
        with open(self.private, "wb") as handle:
            handle.write(
                signing.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        self.public = self.path("vendor.pub.pem")
        with open(self.public, "wb") as handle:
            handle.write(
                signing.public_key().public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            )
        self.state = self.path("state")

    def pool_args(self) -> list[str]:
        return ["--state-dir", self.state, "--public-key", self.public]

    def test_issue_add_and_show(self) -> None:
        status, out, _ = self.run_command("license", "show", *self.pool_args())
        self.assertEqual((status, out), (0, "trial: 25 lines, 45 days left\nlines in use: 0\n"))
        status, key, _ = self.run_command(
            "license",
            "issue",
            "--private-key",
            self.private,
            "--lines",
            "40",
            "--licensee",
            "Example GmbH",
            "--id",
            "k-1",
        )
        self.assertEqual(status, 0)
        self.assertTrue(key.startswith("ECSTA1-"))
        status, out, _ = self.run_command("license", "add", *self.pool_args(), key.strip())
        self.assertEqual((status, out), (0, "installed licence k-1: 40 lines for Example GmbH\n"))
        status, out, _ = self.run_command("license", "show", *self.pool_args())
        self.assertEqual(status, 0)
        self.assertTrue(out.startswith("licensed: 40 lines\nlines in use: 0\nkey k-1: 40 lines"))

    def test_a_tampered_key_is_refused(self) -> None:
        _, key, _ = self.run_command(
            "license", "issue", "--private-key", self.private, "--lines", "1", "--licensee", "A"
        )
        key = key.strip()
        tampered = key[:12] + ("B" if key[12] != "B" else "C") + key[13:]
        status, out, err = self.run_command("license", "add", *self.pool_args(), tampered)
        self.assertEqual((status, out), (1, ""))
        self.assertIn("licence key signature is not valid", err)
        self.assertEqual(
            self.run_command("license", "show", *self.pool_args())[1].split(":")[0], "trial"
        )

    def test_keys_another_public_key_does_not_verify_are_named(self) -> None:
        _, key, _ = self.run_command(
            "license", "issue", "--private-key", self.private, "--lines", "9", "--licensee", "A"
        )
        self.assertEqual(self.run_command("license", "add", *self.pool_args(), key.strip())[0], 0)
        other = self.path("other.pub.pem")
        with open(other, "wb") as handle:
            handle.write(
                Ed25519PrivateKey.generate()
                .public_key()
                .public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            )
        status, out, _ = self.run_command(
            "license", "show", "--state-dir", self.state, "--public-key", other
        )
        self.assertEqual(status, 0)
        self.assertEqual(
            out,
            "trial: 25 lines, 45 days left\nlines in use: 0\n"
            "warning: 1 installed licence key(s) not verified by the public key given: they "
            "unlock no lines (check --public-key)\n",
        )
        status, out, _ = self.run_command("license", "show", *self.pool_args())
        self.assertEqual((status, out.splitlines()[0]), (0, "licensed: 9 lines"))
        self.assertNotIn("warning", out)

    def test_issuing_needs_a_private_key(self) -> None:
        status, _, err = self.run_command(
            "license", "issue", "--private-key", self.public, "--lines", "1", "--licensee", "A"
        )
        self.assertEqual(status, 1)
        self.assertTrue(err.startswith("ecsta: "), err)
