"""What receptionists and integrators rely on, end to end against the simulator.

Licences that hold for every operation, transfers while the consultation call still rings,
the remaining parties' ids after transfers, numbers of other sites, and the origin of outside
calls. Each test checks the HTTP answer and the full sequence of TAPI messages on every line
involved (compact form, as in ``test_driver_e2e``).
"""

import os
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecsta.driver.licence import LicencePool, issue_key
from tests.test_driver_e2e import OUTGOING, Flow

DAY = 86400.0


class PoolClock:
    """The licence pool's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class LicenceTests(Flow):
    async def licensed(self, pool: LicencePool, *lines: str) -> None:
        """Give the running driver ``pool`` and reopen ``lines`` under it."""
        assert self.h.driver.admin is not None
        self.h.driver.admin.licences = pool
        for line in lines:
            await self.op(f"/lines/{line}/close")
        for line in lines:
            code, _ = await self.h.api("POST", f"/lines/{line}/open")
        await self.h.settled()

    def pool(self, clock: PoolClock | None = None, keys: int = 0) -> LicencePool:
        signing = Ed25519PrivateKey.generate()
        directory = self.mktemp()
        os.makedirs(directory)
        pool = LicencePool(directory, public_key=signing.public_key(), clock=clock or PoolClock())
        if keys:
            pool.install_key(issue_key(signing, keys, "Test"))
        return pool

    def assert_refused(self, answer: Any, line: str) -> None:
        self.assertEqual(answer["error"], "noLicence")
        self.assertEqual(answer["lineError"], "LINEERR_OPERATIONUNAVAIL")
        self.assertTrue(answer["message"].startswith(f"no licence for line {line}: "), answer)

    async def test_after_the_trial_every_operation_is_refused(self) -> None:
        h = await self.begin()
        clock = PoolClock()
        await self.licensed(self.pool(clock), "103", "104")
        caller, callee = await self.connected()
        clock.now += 45 * DAY
        mark = h.mark()
        refused = await self.op("/lines/103/makecall", {"to": "105"}, status=403)
        self.assert_refused(refused, "103")
        self.assertIn("45-day trial has ended", refused["message"])
        self.assertEqual(
            self.seq(mark, "103"), ["LINEDEVSTATE:OUTOFSERVICE"], "the line says why, once"
        )
        forward = {"forwards": [{"mode": "LINEFORWARDMODE_UNCOND", "to": "105"}]}
        for line, path, body in (
            ("103", "/lines/103/forward", forward),
            ("103", f"/calls/{caller}/hold", None),
            ("104", f"/calls/{callee}/drop", None),
            ("104", "/lines/104/pickup", {"from": "105"}),
        ):
            self.assert_refused(await self.op(path, body, status=403), line)
        self.assertEqual(self.seq(mark, "103"), ["LINEDEVSTATE:OUTOFSERVICE"])
        self.assertEqual(self.seq(mark, "104"), ["LINEDEVSTATE:OUTOFSERVICE"])
        self.assertEqual(
            {c["state"] for c in h.calls("103").values()}, {"LINECALLSTATE_CONNECTED"}
        )

    async def test_a_line_refused_for_want_of_a_licence_refuses_every_operation(self) -> None:
        h = await self.begin()
        await self.licensed(self.pool(keys=1), "103", "104")
        self.assertEqual(h.driver.lines.get("104").licence_error, (
            "no line licence left: all 1 are in use on this host"
        ))
        mark = h.mark()
        refused = await self.op("/lines/104/makecall", {"to": "105"}, status=403)
        self.assert_refused(refused, "104")
        self.assertIn("no line licence left", refused["message"])
        forward = {"forwards": [{"mode": "LINEFORWARDMODE_UNCOND", "to": "105"}]}
        self.assert_refused(await self.op("/lines/104/forward", forward, status=403), "104")
        self.assertEqual(h.calls("104"), {}, "no stale call in DIALTONE")
        self.assertEqual(self.seq(mark, "104"), [])
        self.assertEqual(h.driver.lines.get("104").forwarding.get(0, []), [])
        # The licensed line goes on working.
        made = await self.op("/lines/103/makecall", {"to": "105"})
        self.assertEqual(self.seq(mark, "103"), OUTGOING)
        await self.op(f"/calls/{made['call']}/drop")
