"""The licence pool on the driver's ``/metrics``, read with prometheus_client's own parser."""

import os

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from twisted.trial.unittest import TestCase

from ecsta.driver.licence import LicencePool, issue_key
from tests.driver_rig import DriverRig
from tests.test_metrics import parse, value

DAY = 86400.0


async def metrics(harness: DriverRig) -> str:
    code, text = await harness.text("/metrics")
    assert code == 200, code
    return text.decode("utf-8")


class LicenceMetricsTests(TestCase):
    async def test_licences_in_use_licensed_lines_and_trial_days_left(self) -> None:
        harness = DriverRig()
        self.addCleanup(harness.stop)
        await harness.start(["101", "102"])
        samples = parse(await metrics(harness))
        self.assertNotIn("ecsta_driver_licences_in_use", {name for name, _ in samples})

        now = [1_800_000_000.0]
        signing = Ed25519PrivateKey.generate()
        directory = self.mktemp()
        os.makedirs(directory)
        pool = LicencePool(directory, public_key=signing.public_key(), clock=lambda: now[0])
        harness.driver.admin.licences = pool
        await harness.api("POST", "/lines/101/close")
        await harness.api("POST", "/lines/101/open")
        now[0] += 10 * DAY
        samples = parse(await metrics(harness))
        self.assertEqual(value(samples, "ecsta_driver_licences_in_use"), 1)
        self.assertEqual(value(samples, "ecsta_driver_licensed_lines"), 25)
        self.assertEqual(value(samples, "ecsta_driver_trial_days_left"), 35)

        pool.install_key(issue_key(signing, 40, "Test"))
        await harness.api("POST", "/lines/102/close")
        await harness.api("POST", "/lines/102/open")
        samples = parse(await metrics(harness))
        self.assertEqual(value(samples, "ecsta_driver_licences_in_use"), 2)
        self.assertEqual(value(samples, "ecsta_driver_licensed_lines"), 40)
        self.assertNotIn("ecsta_driver_trial_days_left", {name for name, _ in samples})

        now[0] += 60 * DAY
        pool_expired = LicencePool(self.mktemp(), clock=lambda: now[0] - 60 * DAY)
        pool_expired.status()
        harness.driver.admin.licences = LicencePool(pool_expired.directory, clock=lambda: now[0])
        samples = parse(await metrics(harness))
        self.assertEqual(value(samples, "ecsta_driver_trial_days_left"), 0)
        self.assertEqual(value(samples, "ecsta_driver_licensed_lines"), 0)
