"""Small inputs that used to crash a handler: each now gets a precise answer, never a 500."""

import json
from io import BytesIO
from typing import Any

from twisted.trial.unittest import SynchronousTestCase
from twisted.web.test.requesthelper import DummyRequest

from ecsta.sim.control import Controller, ControlResource
from ecsta.sim.traffic import TrafficGenerator
from ecsta.wire import apdu
from tests.mux_harness import Rig
from tests.sim_wire import WireClient, simulator
from tests.test_web_console import TOKEN, driver_browser

#: systemStatus (211) with a NULL invokeId and a normal status.
NULL_ID_STATUS = bytes.fromhex("a10b0500020200d330030a0102")
DEEP = b"[" * 20_000 + b"]" * 20_000
LONG_INTEGER = b'{"rate": ' + b"9" * 5000 + b"}"


class NullInvokeIdTests(SynchronousTestCase):
    def test_the_mux_rejects_a_system_status_with_a_null_invoke_id(self) -> None:
        rig = Rig()
        app = rig.connect_app()
        rig.send(app, NULL_ID_STATUS)
        [reject] = [a for a in app.answers() if isinstance(a, apdu.Reject)]
        self.assertEqual((reject.invoke_id, reject.problem), (None, ("general", "mistypedPDU")))
        self.assertFalse(self.flushLoggedErrors())
        self.assertFalse(rig.server_of(app).closed)

    def test_the_simulator_rejects_it_too(self) -> None:
        client = WireClient(simulator())
        client.associate()
        client.send(NULL_ID_STATUS)
        [reject] = [apdu.decode(pdu) for pdu in client.received()]
        self.assertIsInstance(reject, apdu.Reject)
        self.assertFalse(self.flushLoggedErrors())


class SimulatorControlTests(SynchronousTestCase):
    def setUp(self) -> None:
        factory = simulator()
        self.traffic = TrafficGenerator(factory, 0.0, seed=3)
        self.resource = ControlResource(Controller(factory, self.traffic))

    def post(self, path: str, raw: bytes) -> tuple[int, Any]:
        request = DummyRequest([p.encode() for p in path.split("/")])
        request.method = b"POST"
        request.content = BytesIO(raw)  # type: ignore[attr-defined]
        out = self.resource.render(request)  # type: ignore[arg-type]
        return request.responseCode or 200, json.loads(out)

    def test_rates_that_are_not_finite_numbers_are_refused(self) -> None:
        for raw in (
            b'{"rate": Infinity}',
            b'{"rate": NaN}',
            b'{"rate": -Infinity}',
            b'{"rate": 1e999}',
            b'{"rate": 1e300}',
            LONG_INTEGER,
            DEEP,
        ):
            status, answer = self.post("traffic", raw)
            self.assertEqual(status, 400, raw[:30])
            self.assertIn("error", answer)
        self.assertEqual(self.traffic.rate, 0.0)
        # The state stays JSON a strict parser reads.
        json.loads(json.dumps(self.resource.controller.state()), parse_constant=self.fail)
        self.assertEqual(self.post("traffic", b'{"rate": 2.5}'), (200, {"rate": 2.5}))


class ConsoleTests(SynchronousTestCase):
    def test_head_of_login_and_logout_is_a_405(self) -> None:
        browser = driver_browser([TOKEN])
        for path in ("/console/login", "/console/logout"):
            answer = browser.request("HEAD", path)
            self.assertEqual(answer.status, 405, path)
            self.assertEqual(answer.header("allow"), "POST")
        self.assertFalse(self.flushLoggedErrors())

    def test_the_admin_api_refuses_deep_nesting_and_huge_integers_with_400(self) -> None:
        browser = driver_browser([TOKEN])
        auth = {"authorization": f"Bearer {TOKEN}", "content-type": "application/json"}
        for raw in (DEEP, b'{"advanced": {"snapshotInterval": ' + b"9" * 5000 + b"}}"):
            answer = browser.request("PUT", "/api/v1/settings", raw, auth)
            self.assertEqual(answer.status, 400, answer.body[:200])
            self.assertEqual(answer.json()["error"], "badJson")
        self.assertFalse(self.flushLoggedErrors())
