"""The stuck in-flight slot, through the multiplexer as operators run it (real processes).

An application sends more maximum-size invokes with a NULL invokeId than the mux may have in
flight to the PBX, each two octets too long once it carries the PBX link's invokeId; then
another application's request must still be answered, and the mux must show nothing in flight.
"""

from collections.abc import Generator
from typing import Any

from twisted.internet.defer import Deferred, inlineCallbacks

from ecsta.wire import apdu
from tests.mux_e2e import wait_until
from tests.test_mux_e2e import EndToEnd, snapshot
from tests.test_mux_hostile import long_make_call

Gen = Generator[Deferred[Any], Any, None]


class StuckSlotEndToEndTests(EndToEnd):
    mux_config = "[pbx]\nmax_in_flight = 16\ncapture = 'pbx.pcap'\n"

    @inlineCallbacks
    def test_null_invoke_ids_leave_every_application_served(self) -> Gen:
        attacker = yield self.app()
        neighbour = yield self.app()
        null_id = long_make_call(0xFFFF, None)
        attacker.max_backlog = None  # 1.3 MB at once: more than an application buffers by default
        for _ in range(20):
            attacker.send_pdu(null_id)
        yield wait_until(lambda: len(attacker.answers()) == 20, what="20 answers")
        problems = {a.problem for a in attacker.answers() if isinstance(a, apdu.Reject)}
        self.assertEqual(problems, {("invoke", "resourceLimitation")})
        # With the capture on, a request just under the frame limit is carried as well.
        answer = yield self.request(attacker, long_make_call(65_500, 7))
        self.assertNotIsInstance(answer, apdu.Reject)
        answer = yield self.request(neighbour, snapshot(3, "101"))
        self.assertIsInstance(answer, apdu.ReturnResult)
        state = self.mux.state()
        self.assertEqual((state["pbx"]["inFlight"], state["pbx"]["queued"]), (0, 0))
        self.assertEqual(self.sim.state()["operations"].get("makeCall", 0), 1)
