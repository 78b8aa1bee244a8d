"""SIGHUP reloads a running driver's number rules and log level, keeping its PBX link and
lines; a configuration that does not load is refused, and what needs a restart is named."""

import os
from typing import Any

from twisted.logger import LogEvent, formatEvent, globalLogPublisher
from twisted.trial.unittest import TestCase

from ecsta.daemon.startup import Daemon
from ecsta.driver import tap
from tests.console_http import Browser
from tests.driver_rig import API_PORT, DriverRig
from tests.test_mux_reload import ecsta
from tests.test_mux_tap import pem_pair

#: The mux the driver logs in at, as the configuration names it (the rig connects it in
#: memory).
MUX = 'endpoint = "tcp:host=127.0.0.1:port=33333"\nuser = "driver"'


class DriverReloadTests(TestCase):
    """The driver as ``twistd`` runs it, in memory, with its PBX (a mux in one test) there
    too; a reload is what SIGHUP runs, called, and ``ecsta reload`` reaches the driver's site
    through a loopback port."""

    def setUp(self) -> None:
        self.dir = os.path.abspath(self.mktemp())
        os.makedirs(self.dir)
        self.config = os.path.join(self.dir, "driver.toml")
        self.events: list[str] = []

        def observe(event: LogEvent) -> None:
            self.events.append(formatEvent(event))

        globalLogPublisher.addObserver(observe)
        self.addCleanup(globalLogPublisher.removeObserver, observe)
        self.rig = DriverRig()
        self.addCleanup(self.rig.stop)

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

    async def start(self, pbx: Any = None) -> Daemon:
        """The driver ``twistd`` makes of the file, its PBX link connected to ``pbx`` (the
        rig's simulator unless given)."""
        options = tap.Options()
        options.parseOptions(["--config", self.config])
        endpoint = pbx or self.rig.add_sim()
        return self.rig.start_daemon(options, lambda _: endpoint)

    @property
    def driver(self) -> Any:
        return self.rig.driver

    async def dialled(self, number: str) -> str:
        code, answer = await self.rig.api(
            "POST", "/numberformat/check", {"category": "dialing", "number": number}
        )
        self.assertEqual(code, 200, answer)
        return str(answer["number"])

    async def reload_by_signal(self) -> None:
        await self.rig.reload()

    async def test_sighup_reloads_rules_and_keeps_the_link(self) -> None:
        self.write_config("+")
        daemon = await self.start()
        driver = self.driver
        await self.rig.until(
            lambda: driver.usable and all(line.in_service for line in driver.lines)
        )
        link = driver.proto
        self.assertEqual(await self.dialled("0049301234"), "+49301234")

        self.write_config("0", '[log]\nlevel = "warn"\n')
        await self.reload_by_signal()
        self.assertEqual(await self.dialled("0049301234"), "049301234")
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
        self.assertEqual(await self.dialled("0049301234"), "049301234")

    async def test_sighup_puts_new_api_tokens_in_force(self) -> None:
        old, new = "old-token-0123456789", "new-token-0123456789"
        self.write_config("+", api=f'tokens = ["{old}"]')
        await self.start()
        driver = self.driver
        await self.rig.until(lambda: driver.usable)
        assert self.rig.services is not None
        site: Any = self.rig.services.api.factory
        console = Browser(site.resource, port=API_PORT)
        form = {"token": old}
        self.assertEqual(console.request("POST", "/console/login", form).status, 200)
        self.assertEqual(console.request("GET", "/console/session").status, 200)

        async def answers(token: str, path: str = "/api/v1/status") -> int:
            code, _ = await self.rig.text(path.removeprefix("/api/v1"), token)
            return code

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

        users = {"driver": hash_password("right", "pbkdf2-sha256", iterations=100_000)}
        listen = {"tcp": ["tcp:0:interface=127.0.0.1"], "require_login": True}
        mux = self.rig.mux({"listen": listen, "users": users}, self.rig.add_sim())
        self.write_config("+", pbx=f'{MUX}\npassword = "wrong"')
        await self.start(mux)
        driver = self.driver
        await self.rig.until(lambda: "login refused" in (driver.health.last_error or ""))

        # A refused login is retried only after five minutes; the corrected one goes now.
        self.write_config("+", pbx=f'{MUX}\npassword = "right"')
        await self.reload_by_signal()
        await self.rig.until(lambda: driver.link_up)
        self.assertTrue(
            any("login at the mux of driver: trying it now" in e for e in self.events),
            self.events,
        )

        # On a link that is up the new login waits for the next association.
        link = driver.proto
        self.write_config("+", pbx=f'{MUX}\npassword = "rotated"')
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
        await self.rig.until(lambda: "login refused" in (driver.health.last_error or ""))

    async def test_a_section_the_saved_settings_hide_is_named_as_not_used(self) -> None:
        self.write_config("+")
        await self.start()
        code, _ = await self.rig.api("PUT", "/settings", {"sipFilter": {"enabled": True}})
        self.assertEqual(code, 200)

        self.write_config("0")
        code, out, err = await ecsta("reload", "--api", self.rig.loopback_url())
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(
            out,
            "reloaded, nothing changed\nnot used: [numberFormat] (the settings saved through the"
            " API take precedence: change them there, or delete the saved settings)\n",
        )
        self.assertEqual(await self.dialled("0049301234"), "+49301234")

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
        await self.start()
        self.write_config("+", lines='"101", "102"')
        code, out, err = await ecsta("reload", "--api", self.rig.loopback_url())
        self.assertEqual((code, err), (0, ""))
        kept = os.path.join(self.dir, "state", "lines.txt")
        self.assertEqual(
            out,
            f"reloaded, nothing changed\nnot used: [lines] numbers (the lines kept in {kept} take"
            " precedence: add or remove lines through the API, the console or ecsta lines"
            " import)\n",
        )
