"""SIGHUP reloads a running driver's number rules and log level, keeping its PBX link and
lines; a configuration that does not load is refused, and what needs a restart is named."""

import os
from typing import Any

from twisted.internet import reactor
from twisted.logger import LogEvent, formatEvent, globalLogPublisher
from twisted.trial.unittest import TestCase
from twisted.web.client import readBody
from twisted.web.http_headers import Headers

from ecsta.daemon.listening import Listener
from ecsta.daemon.startup import Daemon
from ecsta.driver import tap
from ecsta.sim.config import SimConfig
from ecsta.sim.tap import SimulatorService
from tests.console_http import Browser
from tests.driver_harness import LOOPBACK, DriverHarness, port_of
from tests.test_driver_late_pbx import mux_in_front
from tests.test_mux_reload import ecsta, reload_by_signal, started, until
from tests.test_mux_tap import pem_pair


class DriverReloadTests(TestCase):
    timeout = 60

    def setUp(self) -> None:
        self.dir = os.path.abspath(self.mktemp())
        os.makedirs(self.dir)
        self.config = os.path.join(self.dir, "driver.toml")
        self.events: list[str] = []

        def observe(event: LogEvent) -> None:
            self.events.append(formatEvent(event))

        globalLogPublisher.addObserver(observe)
        self.addCleanup(globalLogPublisher.removeObserver, observe)
        self.http = DriverHarness()

    def write_config(
        self,
        replace: str,
        extra: str = "",
        pbx: str = 'endpoint = "sim"',
        api: str = "",
        listen: str = "tcp:0:interface=127.0.0.1",
        lines: str = '"101"',
    ) -> None:
        with open(self.config, "w", encoding="utf-8") as stream:
            stream.write(
                f'[pbx]\n{pbx}\n[api]\nendpoint = "{listen}"\n{api}\n'
                f"[lines]\nnumbers = [{lines}]\n"
                f'[admin]\nstateDirectory = "{self.dir}/state"\n'
                f'licenceDirectory = "{self.dir}/pool"\n'
                "[[numberFormat.dialing]]\n"
                f'search = "^00(.*)"\nreplace = "{replace}\\\\1"\nregex = true\n{extra}'
            )

    async def start(self) -> Daemon:
        daemon: Daemon = started(self, tap, self.config)
        return daemon

    @staticmethod
    def parts(daemon: Daemon) -> tuple[Any, Any, Any]:
        """The running driver's API service, its first driver and its PBX link."""
        top: Any = next(iter(daemon))
        api: Any = next(s for s in top if isinstance(s, Listener))
        driver: Any = next(s for s in top if hasattr(s, "lines") and hasattr(s, "proto"))
        link: Any = next(s for s in top if hasattr(s, "whenConnected"))
        return api, driver, link

    async def dialled(self, port: int, number: str) -> str:
        code, answer = await self.http.request(
            port,
            "POST",
            "/api/v1/numberformat/check",
            {"category": "dialing", "number": number},
        )
        self.assertEqual(code, 200, answer)
        return str(answer["number"])

    async def reload_by_signal(self) -> None:
        await reload_by_signal(self.events)

    async def test_sighup_reloads_rules_and_keeps_the_link(self) -> None:
        self.write_config("+")
        daemon = await self.start()
        top: Any = next(iter(daemon))
        api: Any = next(s for s in top if isinstance(s, Listener))
        port = port_of(await api.listening)
        driver: Any = next(s for s in top if hasattr(s, "lines") and hasattr(s, "proto"))
        await until(lambda: driver.usable and all(line.in_service for line in driver.lines))
        link = driver.proto
        self.assertEqual(await self.dialled(port, "0049301234"), "+49301234")

        self.write_config("0", '[log]\nlevel = "warn"\n')
        await self.reload_by_signal()
        self.assertEqual(await self.dialled(port, "0049301234"), "049301234")
        self.assertEqual(daemon.logs.level, "warn")
        self.assertTrue(
            any("reloaded settings of driver: numberFormat" in e for e in self.events),
            self.events,
        )
        self.assertIs(driver.proto, link)
        self.assertTrue(all(line.in_service for line in driver.lines))

        self.write_config("0", '[log]\nlevel = "loud"\n')
        await self.reload_by_signal()
        refused = [e for e in self.events if "new configuration refused" in e]
        self.assertEqual(len(refused), 1, self.events)
        self.assertIn("log.level", refused[0])
        self.assertEqual(await self.dialled(port, "0049301234"), "049301234")

    async def test_sighup_puts_new_api_tokens_in_force(self) -> None:
        old, new = "old-token-0123456789", "new-token-0123456789"
        self.write_config("+", api=f'tokens = ["{old}"]')
        daemon = await self.start()
        api, driver, _ = self.parts(daemon)
        port = port_of(await api.listening)
        await until(lambda: driver.usable)
        console = Browser(api.factory.resource, port=port)
        form = {"token": old}
        self.assertEqual(console.request("POST", "/console/login", form).status, 200)
        self.assertEqual(console.request("GET", "/console/session").status, 200)

        async def answers(token: str, path: str = "/api/v1/status") -> int:
            headers = Headers({"authorization": [f"Bearer {token}"]})
            url = f"http://127.0.0.1:{port}{path}".encode()
            response = await self.http.agent.request(b"GET", url, headers)
            await readBody(response)
            return int(response.code)

        self.assertEqual((await answers(old), await answers(new)), (200, 401))
        link = driver.proto
        self.write_config("+", api=f'tokens = ["{new}"]')
        await self.reload_by_signal()

        self.assertEqual((await answers(old), await answers(new)), (401, 200))
        self.assertEqual(
            (await answers(old, "/metrics"), await answers(new, "/metrics")), (401, 200)
        )
        # The console's session was opened with a token that no longer holds.
        self.assertEqual(console.request("GET", "/console/session").status, 401)
        self.assertTrue(
            any(
                "reloaded API tokens: 1 in force, 1 web console session(s) ended" in e
                for e in self.events
            ),
            self.events,
        )
        self.assertFalse(any("taking effect only at a restart" in e for e in self.events))
        self.assertIs(driver.proto, link)

    async def test_sighup_tries_a_corrected_mux_login_at_once(self) -> None:
        from ecsta.daemon.auth import hash_password

        sim = SimulatorService(reactor, SimConfig(csta=LOOPBACK))
        sim.privilegedStartService()
        sim.startService()
        self.http.sim = sim
        self.addCleanup(self.http.stop)
        users = {"driver": hash_password("right", "pbkdf2-sha256", iterations=100_000)}
        listen = {"tcp": [LOOPBACK], "require_login": True}
        csta_port = port_of(await sim.csta.listening)
        mux = mux_in_front(self.http, csta_port, {"listen": listen, "users": users})
        mux_port = mux._port
        endpoint = f'endpoint = "tcp:host=127.0.0.1:port={mux_port}"\nuser = "driver"'
        self.write_config("+", pbx=f'{endpoint}\npassword = "wrong"')
        daemon = await self.start()
        _, driver, _ = self.parts(daemon)
        await until(lambda: "login refused" in (driver.health.last_error or ""))

        # A refused login is retried only after five minutes; the corrected one goes now.
        self.write_config("+", pbx=f'{endpoint}\npassword = "right"')
        await self.reload_by_signal()
        await until(lambda: driver.link_up)
        self.assertTrue(
            any("login at the mux of driver: trying it now" in e for e in self.events),
            self.events,
        )

        # On a link that is up the new login waits for the next association.
        link = driver.proto
        self.write_config("+", pbx=f'{endpoint}\npassword = "rotated"')
        await self.reload_by_signal()
        self.assertTrue(
            any(
                "login at the mux of driver: used at the next association" in e for e in self.events
            ),
            self.events,
        )
        self.assertIs(driver.proto, link)
        self.assertTrue(driver.link_up)
        link.transport.loseConnection()
        await until(lambda: "login refused" in (driver.health.last_error or ""))

    async def test_a_section_the_saved_settings_hide_is_named_as_not_used(self) -> None:
        self.write_config("+")
        daemon = await self.start()
        api, _, _ = self.parts(daemon)
        port = port_of(await api.listening)
        code, _ = await self.http.request(
            port, "PUT", "/api/v1/settings", {"sipFilter": {"enabled": True}}
        )
        self.assertEqual(code, 200)

        self.write_config("0")
        code, out, err = await ecsta("reload", "--api", f"http://127.0.0.1:{port}")
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(
            out,
            "reloaded, nothing changed\nnot used: [numberFormat] (the settings saved through the"
            " API take precedence: change them there, or delete the saved settings)\n",
        )
        self.assertEqual(await self.dialled(port, "0049301234"), "+49301234")

    async def test_a_renewed_api_certificate_is_taken_and_an_expired_one_refused(self) -> None:
        key, cert = os.path.join(self.dir, "key.pem"), os.path.join(self.dir, "cert.pem")

        def certificate(name: str, days: float) -> None:
            for path, data in zip((key, cert), pem_pair(name, days=days), strict=True):
                with open(path, "wb") as stream:
                    stream.write(data)

        certificate("driver-2025.example", 1)
        listen = f"ssl:0:interface=127.0.0.1:privateKey={key}:certKey={cert}"
        self.write_config("+", listen=listen)
        await self.start()
        certificate("driver-2026.example", 90)
        await self.reload_by_signal()
        self.assertTrue(any("reloaded certificate of the API" in e for e in self.events))

        certificate("driver-2027.example", -1)
        await self.reload_by_signal()
        refused = [e for e in self.events if "new configuration refused" in e]
        self.assertEqual(len(refused), 1, self.events)
        self.assertIn("api.endpoint: the certificate", refused[0])
        self.assertIn("expired", refused[0])

    async def test_lines_of_the_file_that_the_kept_lines_hide_are_named_as_not_used(
        self,
    ) -> None:
        self.write_config("+")
        daemon = await self.start()
        api, _, _ = self.parts(daemon)
        port = port_of(await api.listening)
        self.write_config("+", lines='"101", "102"')
        code, out, err = await ecsta("reload", "--api", f"http://127.0.0.1:{port}")
        self.assertEqual((code, err), (0, ""))
        kept = os.path.join(self.dir, "state", "lines.txt")
        self.assertEqual(
            out,
            f"reloaded, nothing changed\nnot used: [lines] numbers (the lines kept in {kept} take"
            " precedence: add or remove lines through the API, the console or ecsta lines"
            " import)\n",
        )
