"""A short seeded soak: hundreds of calls under random traffic, a careless application and link
faults, and afterwards nothing left behind (bench/sim_soak.py runs the long version).

The soak (tests/sim_soak.py) checks the switch's invariants after every step: a phone is off
hook in one call at most, every call has a party, every monitor's picture of its device's calls
(built from the events' localConnectionInfo) is the switch's. Trial fails the test on any error
logged meanwhile.
"""

from twisted.trial.unittest import SynchronousTestCase

from tests.sim_soak import Soak, quiet_soak

CALLS = 250


class SoakTests(SynchronousTestCase):
    def test_hundreds_of_calls_leave_nothing_behind(self) -> None:
        soak = Soak(seed=4, rate=3.0, requests=4.0, stations=14, trunks=3)
        errors = quiet_soak(soak, CALLS)
        self.assertEqual(errors, [])
        self.assertGreaterEqual(soak.traffic.started, CALLS)
        self.assertEqual(soak.finish(), {})
        # The run did what it is for: the switch moved calls about, refused some requests,
        # lost its client and took it back, and delivered every CDR record exactly once.
        answers = soak.answers
        for operation in (
            "consultationCall",
            "transferCall",
            "conferenceCall",
            "deflectCall",
            "directedPickupCall",
            "singleStepTrans",
            "callBack",
        ):
            self.assertGreater(answers[f"{operation} ReturnResult"], 0, operation)
        self.assertGreater(sum(n for k, n in answers.items() if k.endswith("ReturnError")), 50)
        self.assertGreater(soak.stats["drops"], 2)
        self.assertGreater(soak.switch.cdr.acknowledged, CALLS)
        self.assertEqual(soak.switch.cdr.acknowledged, sum(soak.cdr_keys.values()))
