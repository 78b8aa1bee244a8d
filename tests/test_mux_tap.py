"""``twistd ecsta-mux`` options, and the refusals to start that name their cause."""

import datetime
import os
import tempfile
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from twisted.internet.defer import fail, succeed
from twisted.internet.error import CannotListenError
from twisted.internet.testing import MemoryReactor
from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from ecsta.daemon.auth import hash_password
from ecsta.mux.config import from_dict
from ecsta.mux.service import MuxService, StartupError
from ecsta.mux.tap import Options, makeService

USERS = f'[users]\nalice = "{hash_password("pw", "pbkdf2-sha256", iterations=100_000)}"\n'


def pem_pair(name: str, san: str | None = None, days: float = 1.0) -> tuple[bytes, bytes]:
    """A key and a self-signed certificate for ``name`` (with ``san`` as its DNS name), valid
    for ``days`` more days (a day, from a day before, when ``days`` is not above 0)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    until = now + datetime.timedelta(days=days)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(min(now, until - datetime.timedelta(days=1)))
        .not_valid_after(until)
    )
    if san is not None:
        names = x509.SubjectAlternativeName([x509.DNSName(san)])
        builder = builder.add_extension(names, critical=False)
    cert = builder.sign(key, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


class Files:
    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp()

    def write(self, name: str, data: bytes | str) -> str:
        path = os.path.join(self.dir, name)
        with open(path, "wb") as stream:
            stream.write(data.encode() if isinstance(data, str) else data)
        return path


class OptionsTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.files = Files()

    def parse(self, *arguments: str) -> Options:
        options = Options()
        options.parseOptions(list(arguments))
        return options

    def test_command_line_overrides_the_file(self) -> None:
        path = self.files.write(
            "mux.toml",
            '[pbx]\nendpoint = "tcp:host=pbx:port=33333"\n[applications]\n'
            "max_applications = 5\n" + USERS,
        )
        options = self.parse(
            "--config",
            path,
            "--pbx",
            "tcp:host=other:port=1",
            "--listen",
            "tcp:1",
            "--listen",
            "tcp:2",
            "--status",
            "",
            "--require-login",
            "--max-applications",
            "7",
        )
        config = options.config
        self.assertEqual(config.pbx.endpoint, "tcp:host=other:port=1")
        self.assertEqual(config.listen.tcp, ("tcp:1", "tcp:2"))
        self.assertTrue(config.listen.require_login)
        self.assertEqual(config.status.endpoint, "")
        self.assertEqual(config.applications.max_applications, 7)

    def test_without_options_the_file_decides(self) -> None:
        path = self.files.write("mux.toml", '[pbx]\nendpoint = "tcp:host=pbx:port=33333"\n')
        self.assertEqual(
            self.parse("--config", path).config.pbx.endpoint, "tcp:host=pbx:port=33333"
        )

    def test_a_bad_setting_is_a_usage_error_naming_the_key(self) -> None:
        path = self.files.write("mux.toml", "[applications]\nmax_aplications = 5\n")
        with self.assertRaises(usage.UsageError) as caught:
            self.parse("--config", path)
        self.assertIn("applications.max_aplications: unknown key", str(caught.exception))
        with self.assertRaises(usage.UsageError) as caught:
            self.parse("--max-applications", "0")
        self.assertIn("applications.max_applications", str(caught.exception))

    def tls(self, key: bytes | str, cert: bytes | str) -> Options:
        users = self.files.write("users.toml", USERS)
        key_path = self.files.write("key.pem", key)
        cert_path = self.files.write("cert.pem", cert)
        return self.parse(
            "--config", users, "--listen-tls", f"ssl:0:privateKey={key_path}:certKey={cert_path}"
        )

    def test_a_good_certificate_is_accepted(self) -> None:
        key, cert = pem_pair("mux.example")
        self.assertEqual(len(self.tls(key, cert).config.listen.tls), 1)

    def test_a_certificate_that_does_not_match_its_key_is_refused(self) -> None:
        _, cert = pem_pair("mux.example")
        other_key, _ = pem_pair("other")
        with self.assertRaises(usage.UsageError) as caught:
            self.tls(other_key, cert)
        self.assertIn("does not match its private key", str(caught.exception))

    def test_an_invalid_certificate_is_refused(self) -> None:
        key, _ = pem_pair("mux.example")
        bogus = "-----BEGIN CERTIFICATE-----\nbm9uc2Vuc2U=\n-----END CERTIFICATE-----\n"
        with self.assertRaises(usage.UsageError) as caught:
            self.tls(key, bogus)
        self.assertIn("not valid PEM", str(caught.exception))

    def test_a_missing_certificate_file_is_named(self) -> None:
        users = self.files.write("users.toml", USERS)
        with self.assertRaises(usage.UsageError) as caught:
            self.parse(
                "--config",
                users,
                "--listen-tls",
                "ssl:0:privateKey=/nonexistent/key.pem:certKey=/nonexistent/cert.pem",
            )
        self.assertIn("/nonexistent/", str(caught.exception))

    def test_tls_without_users_is_refused(self) -> None:
        with self.assertRaises(usage.UsageError) as caught:
            self.parse("--listen-tls", "ssl:0:privateKey=k:certKey=c")
        self.assertIn("users", str(caught.exception))


class RefusingEndpoint:
    def listen(self, factory: object) -> object:
        return fail(CannotListenError("127.0.0.1", 33333, OSError(98, "Address already in use")))


class ListeningEndpoint:
    def __init__(self) -> None:
        self.stopped = False

    def listen(self, factory: object) -> object:
        endpoint = self

        class Port:
            def stopListening(self) -> None:
                endpoint.stopped = True

        return succeed(Port())


class StartupTests(SynchronousTestCase):
    def test_listeners_open_before_the_reactor_runs(self) -> None:
        reactor = MemoryReactor()
        config = from_dict(
            {
                "pbx": {"endpoint": "tcp:host=127.0.0.1:port=33333"},
                "listen": {"tcp": ["tcp:33333", "tcp:44444:interface=127.0.0.1"]},
            }
        )
        service = MuxService(reactor, config)
        service.privilegedStartService()
        ports = [(port, interface) for port, _, _, interface in reactor.tcpServers]
        self.assertEqual(ports, [(33333, ""), (44444, "127.0.0.1"), (33335, "127.0.0.1")])
        service.startService()
        self.assertEqual(
            [(host, port) for host, port, *_ in reactor.tcpClients], [("127.0.0.1", 33333)]
        )
        service.stopService()

    def test_a_taken_port_stops_the_start_and_names_the_port(self) -> None:
        opened = ListeningEndpoint()
        endpoints: dict[str, Any] = {"tcp:33333": opened, "tcp:33399": RefusingEndpoint()}
        config = from_dict(
            {
                "pbx": {"endpoint": "tcp:host=127.0.0.1:port=33333"},
                "listen": {"tcp": ["tcp:33333", "tcp:33399"]},
                "status": {"endpoint": ""},
            }
        )
        service = MuxService(
            MemoryReactor(),
            config,
            server_endpoint=lambda reactor, text: endpoints[text.split(":backlog=")[0]],
        )
        with self.assertRaises(StartupError) as caught:
            service.privilegedStartService()
        self.assertEqual(
            str(caught.exception), "cannot listen on tcp:33399: Address already in use"
        )
        self.assertTrue(opened.stopped)

    def test_make_service_for_a_pbx(self) -> None:
        options = Options()
        options.parseOptions(["--pbx", "tcp:host=127.0.0.1:port=33333"])
        [mux] = [service for service in makeService(options) if isinstance(service, MuxService)]
        self.assertEqual(mux.config.pbx.endpoint, "tcp:host=127.0.0.1:port=33333")
