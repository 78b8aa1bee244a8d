"""The multiplexer's TOML configuration: defaults, every key, and errors that name the key."""

import dataclasses
import os
import re
import tempfile
import tomllib
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.daemon.auth import LoginGuard, hash_password
from ecsta.mux import config
from ecsta.mux.config import ConfigError, MuxConfig, from_dict, load, override
from ecsta.mux.router import RouterSettings

HASH = hash_password("pw", "pbkdf2-sha256", iterations=100_000)


def write(text: str) -> str:
    handle, path = tempfile.mkstemp(suffix=".toml")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    return path


class ConfigTests(SynchronousTestCase):
    def assertError(self, document: dict[str, Any], key: str) -> None:
        with self.assertRaises(ConfigError) as caught:
            from_dict(document)
        self.assertTrue(str(caught.exception).startswith(key), str(caught.exception))

    def test_defaults(self) -> None:
        defaults = from_dict({})
        self.assertEqual(defaults, MuxConfig())
        self.assertEqual(defaults.listen.tcp, ("tcp:33333",))
        self.assertEqual(defaults.applications.max_applications, 1000)
        self.assertEqual(defaults.status.endpoint, "tcp:33335:interface=127.0.0.1")
        self.assertEqual(defaults.pbx.endpoint, "sim")

    def test_without_a_file_the_router_and_the_guard_keep_the_documented_defaults(self) -> None:
        """A router or login guard built without settings enforces what the file's defaults
        (documented in the example below) say, and the guard a file builds passes each on."""
        defaults = MuxConfig()
        router = RouterSettings()
        for name in ("max_applications", "max_open_requests", "max_monitors"):
            self.assertEqual(getattr(router, name), getattr(defaults.applications, name), name)
        self.assertEqual(router.owner_answer_timeout, defaults.applications.owner_answer_timeout)
        for name in ("max_in_flight", "request_timeout", "down_status"):
            self.assertEqual(getattr(router, name), getattr(defaults.pbx, name), name)
        policy = dataclasses.asdict(defaults.login)
        del policy["hash_threads"]
        plain = LoginGuard()
        for name, value in policy.items():
            self.assertEqual(getattr(plain, name), value, name)
        stricter = {name: value * 2 for name, value in policy.items()}
        built = dataclasses.replace(defaults.login, **stricter).guard()
        for name, value in stricter.items():
            self.assertEqual(getattr(built, name), value, name)

    def test_the_documented_example_is_valid_and_complete(self) -> None:
        """The module docstring shows every key; reading it must give back the defaults."""
        assert config.__doc__ is not None
        example = config.__doc__.split("Example (every key, with its default)::")[1]
        lines = [line[4:] for line in example.splitlines() if line.startswith("    ")]
        text = re.sub(r'alice = "[^"]*"', f'alice = "{HASH}"', "\n".join(lines))
        text = re.sub(r'endpoint = "tcp:host=[^"]*"', 'endpoint = "sim"', text)
        document = tomllib.loads(text)
        for section in ("pbx", "listen", "applications", "login", "status"):
            names = {f.name for f in dataclasses.fields(getattr(MuxConfig(), section))}
            self.assertEqual(set(document[section]), names, section)
        parsed = load(write(text))
        self.assertEqual(parsed.pbx, MuxConfig().pbx)
        self.assertEqual(parsed.listen, MuxConfig().listen)
        self.assertEqual(parsed.applications, MuxConfig().applications)
        self.assertEqual(parsed.login, MuxConfig().login)
        self.assertEqual(parsed.status, MuxConfig().status)
        self.assertEqual(list(parsed.users), ["alice"])

    def test_a_full_file(self) -> None:
        path = write(f"""
[pbx]
endpoint = "tcp:host=pbx.example:port=33333"
max_in_flight = 4
[listen]
tcp = ["tcp:33333:interface=127.0.0.1"]
tls = ["ssl:33334:privateKey=key.pem:certKey=cert.pem"]
[applications]
max_applications = 10
[users]
alice = "{HASH}"
[sim]
anything = "passed on"
""")
        parsed = load(path)
        self.assertEqual(parsed.pbx.endpoint, "tcp:host=pbx.example:port=33333")
        self.assertEqual(parsed.pbx.max_in_flight, 4)
        self.assertEqual(parsed.listen.tcp, ("tcp:33333:interface=127.0.0.1",))
        self.assertEqual(parsed.applications.max_applications, 10)
        self.assertTrue(parsed.user_table().verify("alice", "pw"))
        self.assertEqual(parsed.sim, {"anything": "passed on"})

    def test_errors_name_the_key(self) -> None:
        self.assertError({"pbxx": {}}, "pbxx: unknown section")
        self.assertError({"pbx": {"endpont": "x"}}, "pbx.endpont: unknown key")
        self.assertError({"pbx": 3}, "pbx: expected a table")
        self.assertError(
            {"applications": {"max_applications": 0}},
            "applications.max_applications: expected an integer >= 1",
        )
        self.assertError(
            {"applications": {"max_applications": "many"}}, "applications.max_applications"
        )
        self.assertError(
            {"applications": {"max_applications": True}}, "applications.max_applications"
        )
        self.assertError({"pbx": {"request_timeout": 0}}, "pbx.request_timeout")
        self.assertError({"pbx": {"down_status": "normal"}}, "pbx.down_status")
        self.assertError({"listen": {"tcp": [""]}}, "listen.tcp[0]")
        self.assertError({"listen": {"require_login": "yes"}}, "listen.require_login")
        self.assertError({"users": {"alice": "secret"}}, "users.alice")
        self.assertError({"users": {"alice": 5}}, "users.alice")
        self.assertError({"listen": {"tls": ["ssl:1"]}}, "users: a TLS listener requires")
        self.assertError(
            {"pbx": {"reconnect_initial_delay": 9, "reconnect_max_delay": 1}},
            "pbx.reconnect_max_delay",
        )

    def test_file_problems_name_the_file(self) -> None:
        with self.assertRaises(ConfigError) as caught:
            load("/nonexistent/mux.toml")
        self.assertIn("/nonexistent/mux.toml", str(caught.exception))
        path = write("[pbx\n")
        with self.assertRaises(ConfigError) as caught:
            load(path)
        self.assertIn("not valid TOML", str(caught.exception))
        path = write("[applications]\nmax_pdu = 1\n")
        with self.assertRaises(ConfigError) as caught:
            load(path)
        self.assertIn(f"{path}: applications.max_pdu", str(caught.exception))

    def test_overrides_are_checked_like_the_file(self) -> None:
        base = from_dict({})
        self.assertEqual(
            override(base, "pbx", endpoint="tcp:host=x:port=1").pbx.endpoint, "tcp:host=x:port=1"
        )
        with self.assertRaises(ConfigError):
            override(base, "applications", max_applications=-1)
        with self.assertRaises(ConfigError):
            override(base, "listen", require_login=True)
