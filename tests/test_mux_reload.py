"""SIGHUP reloads a running mux: a new user and a renewed certificate take effect while an
application stays associated; a configuration that does not load is refused and the old one
stays in force."""

import io
import os
import re
import signal
from typing import Any

from OpenSSL import crypto
from prometheus_client import generate_latest
from twisted.internet import defer, reactor
from twisted.internet.endpoints import SSL4ClientEndpoint, TCP4ClientEndpoint
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.ssl import CertificateOptions
from twisted.internet.threads import deferToThread
from twisted.trial.unittest import TestCase

from ecsta.cli import main
from ecsta.daemon.auth import hash_password
from ecsta.link.protocol import CSTAClientProtocol
from ecsta.link.service import PBXClientFactory
from ecsta.mux import tap
from ecsta.mux.service import MuxService
from tests.console_http import Browser
from tests.logged import logged_lines
from tests.test_mux_tap import pem_pair
from tests.waiting import until

LOOPBACK = "tcp:0:interface=127.0.0.1"


def user(name: str, password: str) -> str:
    return f'{name} = "{hash_password(password, "pbkdf2-sha256", iterations=100_000)}"\n'


def started(case: TestCase, plugin: Any, config: str) -> Any:
    """The service a plugin module makes of ``--config config``, started, and stopped when
    the test ends."""
    options = plugin.Options()
    options.parseOptions(["--config", config])
    daemon = plugin.makeService(options)
    daemon.privilegedStartService()
    daemon.startService()
    case.addCleanup(lambda: defer.maybeDeferred(daemon.stopService))
    return daemon


async def reload_by_signal(events: list[str]) -> None:
    """Send this process SIGHUP and wait for the log line that says how the reload went."""
    seen = len(events)
    os.kill(os.getpid(), signal.SIGHUP)
    await until(
        lambda: any(
            "reloaded" in e or "refused" in e or "nothing changed" in e for e in events[seen:]
        )
    )


class _Peek(Protocol):
    """Starts a TLS handshake (by sending a byte) to see the server's certificate."""

    def __init__(self) -> None:
        self.closed: defer.Deferred[None] = defer.Deferred()

    def connectionMade(self) -> None:
        self.transport.write(b"\x00")  # type: ignore[union-attr]

    def connectionLost(self, reason: Any = None) -> None:
        self.closed.callback(None)


class ReloadTests(TestCase):
    timeout = 60

    def setUp(self) -> None:
        self.dir = os.path.abspath(self.mktemp())
        os.makedirs(self.dir)
        self.key, self.cert = (os.path.join(self.dir, n) for n in ("key.pem", "cert.pem"))
        self.write_certificate("mux-2025.example")
        self.config = os.path.join(self.dir, "mux.toml")
        self.events = logged_lines(self)

    def write_certificate(self, name: str, days: float = 1.0) -> None:
        key, cert = pem_pair(name, days=days)
        for path, data in ((self.key, key), (self.cert, cert)):
            with open(path, "wb") as stream:
                stream.write(data)

    def write_config(self, users: str, status: str = "") -> None:
        tls = f"ssl:0:interface=127.0.0.1:privateKey={self.key}:certKey={self.cert}"
        with open(self.config, "w", encoding="utf-8") as stream:
            stream.write(
                f'[pbx]\nendpoint = "sim"\n[listen]\ntcp = ["{LOOPBACK}"]\ntls = ["{tls}"]\n'
                f'[status]\nendpoint = "{status}"\n[users]\n{users}'
            )

    async def start(self) -> MuxService:
        top = started(self, tap, self.config)
        mux = next(s for s in top if isinstance(s, MuxService))
        await until(lambda: mux.mux.router.link.value == "up")
        return mux

    async def associate(self, mux: MuxService, name: str, password: str) -> Any:
        port = mux._ports[0].getHost().port
        factory = PBXClientFactory(reactor, CSTAClientProtocol, user=name, password=password)
        app: Any = await TCP4ClientEndpoint(reactor, "127.0.0.1", port).connect(factory)
        self.addCleanup(lambda: app.transport.loseConnection())
        await app.ready
        return app

    async def served_certificate(self, mux: MuxService) -> str:
        port = mux._ports[1].getHost().port
        endpoint = SSL4ClientEndpoint(reactor, "127.0.0.1", port, CertificateOptions())
        peek = await endpoint.connect(Factory.forProtocol(_Peek))
        await until(lambda: peek.transport.getPeerCertificate() is not None)
        x509 = peek.transport.getPeerCertificate()
        peek.transport.loseConnection()
        await peek.closed
        return str(crypto.X509.get_subject(x509).CN)

    async def reload_by_signal(self) -> None:
        await reload_by_signal(self.events)

    async def test_sighup_reloads_users_and_certificate_keeping_applications(self) -> None:
        self.write_config(user("alice", "pw"))
        mux = await self.start()
        alice = await self.associate(mux, "alice", "pw")
        self.assertEqual(await self.served_certificate(mux), "mux-2025.example")

        self.write_config(user("alice", "pw") + user("bob", "secret"))
        self.write_certificate("mux-2026.example")
        await self.reload_by_signal()

        self.assertTrue(any("reloaded users: added bob" in e for e in self.events), self.events)
        self.assertFalse(alice.closed)
        self.assertEqual(len(mux.mux.router.apps), 1)
        await self.associate(mux, "bob", "secret")
        self.assertEqual(await self.served_certificate(mux), "mux-2026.example")

        with open(self.config, "a", encoding="utf-8") as stream:
            stream.write('carol = "not a hash"\n')
        await self.reload_by_signal()
        refused = [e for e in self.events if "new configuration refused" in e]
        self.assertEqual(len(refused), 1, self.events)
        self.assertIn("users.carol", refused[0])
        self.assertIn("the running one stays in force", refused[0])
        await self.associate(mux, "bob", "secret")
        self.assertFalse(alice.closed)

    async def test_ecsta_reload_says_what_changed_or_why_not(self) -> None:
        alice, bob = user("alice", "pw"), user("bob", "secret")
        self.write_config(alice, status=LOOPBACK)
        mux = await self.start()
        url = f"http://127.0.0.1:{mux._ports[-1].getHost().port}"
        self.write_config(alice + bob, status=LOOPBACK)
        code, out, err = await ecsta("reload", "--mux", url)
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(out, "reloaded users: added bob\n")
        self.write_config(alice, status="tcp:1:interface=127.0.0.1")
        code, out, err = await ecsta("reload", "--mux", url)
        self.assertEqual(code, 0)
        self.assertIn("reloaded users: removed bob", out)
        self.assertIn("changed but taking effect only at a restart: status", out)
        with open(self.config, "a", encoding="utf-8") as stream:
            stream.write("[nonsense]\n")
        code, out, err = await ecsta("reload", "--mux", url)
        self.assertEqual(code, 1)
        self.assertIn("new configuration refused, the running one stays in force: ", err)
        self.assertIn("nonsense: unknown section", err)

    async def test_a_removed_user_or_changed_password_ends_console_sessions(self) -> None:
        alice, bob, carol = user("alice", "pw"), user("bob", "secret"), user("carol", "c")
        self.write_config(alice + bob + carol, status=LOOPBACK)
        mux = await self.start()
        assert mux.status_root is not None
        browsers = {}
        for name, password in (("alice", "pw"), ("bob", "secret"), ("carol", "c")):
            browser = Browser(mux.status_root, port=mux._ports[-1].getHost().port)
            login = browser.send("POST", "/console/login", {"user": name, "password": password})
            await until(lambda login=login: login.response().status != 0)  # type: ignore[misc]
            self.assertEqual(login.response().status, 200, name)
            browsers[name] = browser

        self.write_config(alice + user("bob", "new"), status=LOOPBACK)
        await self.reload_by_signal()
        sessions = {n: b.request("GET", "/console/session").status for n, b in browsers.items()}
        self.assertEqual(sessions, {"alice": 200, "bob": 401, "carol": 401})

    async def test_a_renewed_certificate_shows_in_the_metrics_and_an_expired_one_is_refused(
        self,
    ) -> None:
        status = f"ssl:0:interface=127.0.0.1:certKey={self.cert}:privateKey={self.key}"
        self.write_config(user("alice", "pw"), status=status)
        mux = await self.start()

        def days_left() -> list[int]:
            """The metric of each certificate (both listeners have port 0 here)."""
            text = generate_latest(mux.metrics).decode()
            pattern = r"^ecsta_mux_tls_certificate_days_left\{.*\} (.*)$"
            return [round(float(days)) for days in re.findall(pattern, text, re.MULTILINE)]

        self.assertEqual(days_left(), [1, 1])
        self.write_certificate("mux-2026.example", days=90)
        await self.reload_by_signal()
        changed = [e for e in self.events if "reloaded certificate of ssl:" in e]
        self.assertEqual(len(changed), 2, self.events)  # the TLS listener and the status port
        self.assertEqual(days_left(), [90, 90])

        self.write_certificate("mux-2027.example", days=-1)
        await self.reload_by_signal()
        refused = [e for e in self.events if "new configuration refused" in e]
        self.assertEqual(len(refused), 1, self.events)
        self.assertIn("expired", refused[0])
        self.assertEqual(await self.served_certificate(mux), "mux-2026.example")


async def ecsta(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await deferToThread(main, list(argv), out, err)
    return code, out.getvalue(), err.getvalue()
