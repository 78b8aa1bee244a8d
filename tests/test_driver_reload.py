"""SIGHUP reloads a running driver's number rules and log level, keeping its PBX link and
lines; a configuration that does not load is refused, and what needs a restart is named."""

import os
from typing import Any

from twisted.internet import defer
from twisted.logger import LogEvent, formatEvent, globalLogPublisher
from twisted.trial.unittest import TestCase

from ecsta.daemon.listening import Listener
from ecsta.daemon.startup import Daemon
from ecsta.driver import tap
from tests.driver_harness import DriverHarness, port_of
from tests.test_mux_reload import reload_by_signal, until


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

    def write_config(self, replace: str, extra: str = "") -> None:
        with open(self.config, "w", encoding="utf-8") as stream:
            stream.write(
                f'[pbx]\nendpoint = "sim"\n[api]\nendpoint = "tcp:0:interface=127.0.0.1"\n'
                f'[lines]\nnumbers = ["101"]\n'
                f'[admin]\nstateDirectory = "{self.dir}/state"\n'
                f'licenceDirectory = "{self.dir}/pool"\n'
                "[[numberFormat.dialing]]\n"
                f'search = "^00(.*)"\nreplace = "{replace}\\\\1"\nregex = true\n{extra}'
            )

    async def start(self) -> Daemon:
        options = tap.Options()
        options.parseOptions(["--config", self.config])
        daemon = tap.makeService(options)
        daemon.privilegedStartService()
        daemon.startService()
        self.addCleanup(lambda: defer.maybeDeferred(daemon.stopService))
        return daemon

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
