"""``ecsta reload --sim`` reloads a running simulator through its control API, as SIGHUP does,
and says what changed or why the new configuration was refused.

On loopback: the simulator runs as ``twistd`` builds it, and the command is a blocking HTTP
client (run in a thread), which reaches only real sockets.
"""

import os
from typing import Any

from twisted.internet import reactor
from twisted.trial.unittest import TestCase

from ecsta.sim import tap
from ecsta.sim.config import SimConfig
from tests.driver_harness import LOOPBACK
from tests.test_mux_reload import ecsta, started, until


class SimulatorReloadTests(TestCase):
    timeout = 60

    def write_config(self, rate: str, plan: str = "") -> None:
        with open(self.config, "w", encoding="utf-8") as stream:
            stream.write(
                '[csta]\nendpoint = "tcp:0:interface=127.0.0.1"\n'
                f'[control]\nendpoint = "tcp:0:interface=127.0.0.1"\n[traffic]\nrate = {rate}\n'
                f"[plan]\n{plan}"
            )

    async def test_ecsta_reload_changes_the_traffic_rate_or_names_the_refusal(self) -> None:
        self.config = os.path.abspath(self.mktemp())
        self.write_config("0")
        daemon = started(self, tap, self.config)
        simulator: Any = next(s for s in daemon if isinstance(s, tap.SimulatorService))
        assert simulator.control is not None
        port = (await simulator.control.listening).getHost().port
        url = f"http://127.0.0.1:{port}"

        self.write_config("0.5")
        code, out, err = await ecsta("reload", "--sim", url)
        self.assertEqual((code, out, err), (0, "reloaded traffic rate: 0.5 calls per second\n", ""))
        await until(lambda: simulator.traffic.rate == 0.5)

        # The plan read again is the same plan; a changed one waits for a restart.
        self.write_config("0.5", 'trunk_access_code = "9"\n')
        code, out, err = await ecsta("reload", "--sim", url)
        self.assertEqual(
            (code, out),
            (0, "reloaded, nothing changed\nchanged but taking effect only at a restart: plan\n"),
        )

        self.write_config("-1")
        code, out, err = await ecsta("reload", "--sim", url)
        self.assertEqual((code, out), (1, ""))
        self.assertIn("new configuration refused, the running one stays in force: ", err)
        self.assertIn("traffic.rate", err)
        self.assertEqual(simulator.traffic.rate, 0.5)

    async def test_a_simulator_inside_a_mux_says_to_reload_the_mux(self) -> None:
        simulator = tap.SimulatorService(reactor, SimConfig(csta=LOOPBACK, control=LOOPBACK))
        simulator.privilegedStartService()
        simulator.startService()
        self.addCleanup(simulator.stopService)
        assert simulator.control is not None
        port = (await simulator.control.listening).getHost().port
        code, out, err = await ecsta("reload", "--sim", f"http://127.0.0.1:{port}")
        self.assertEqual((code, out), (1, ""))
        self.assertIn("this simulator runs inside a mux or driver: reload that instead", err)
