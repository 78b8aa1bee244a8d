"""The JSON status page, read from a multiplexer in use."""

import json
from typing import Any

from twisted.trial.unittest import SynchronousTestCase
from twisted.web.test.requesthelper import DummyRequest

from ecsta.mux.status import StatusResource
from tests.mux_harness import Rig, cdr_start, monitor_start


def read(rig: Rig) -> Any:
    request = DummyRequest([b"status"])
    body = StatusResource(rig.mux).render_GET(request)  # type: ignore[arg-type]
    assert request.responseHeaders.getRawHeaders(b"content-type") == [b"application/json"]
    return json.loads(body)


class StatusTests(SynchronousTestCase):
    def test_the_status_shows_link_applications_monitors_and_owners(self) -> None:
        rig = Rig()
        a, b = rig.connect_app(), rig.connect_app()
        rig.send(a, monitor_start(9, "101"))
        rig.send(b, monitor_start(9, "101"))
        rig.send(a, cdr_start(20))
        status = read(rig)
        self.assertEqual(status["pbx"]["state"], "up")
        self.assertTrue(status["pbx"]["connected"])
        self.assertEqual(status["pbx"]["systemStatus"], "normal")
        self.assertEqual(len(status["applications"]), 2)
        first = status["applications"][0]
        self.assertEqual(first["address"], "10.0.0.1:40001")
        self.assertEqual((first["user"], first["tls"], first["openRequests"]), (None, False, 0))
        self.assertEqual(first["buffer"], 0)
        [monitor] = status["monitors"]
        self.assertEqual(first["monitors"], [monitor["crossRefID"]])
        self.assertEqual(monitor["sharers"], [app["id"] for app in status["applications"]])
        self.assertEqual(
            monitor["object"],
            {"deviceObject": {"deviceIdentifier": {"dialingNumber": "101"}}},
        )
        self.assertEqual(status["cdr"]["owner"], first["id"])
        self.assertIsNone(status["dataCollection"]["owner"])
        self.assertEqual(status["counters"]["monitor_starts"], 1)

    def test_the_status_shows_a_lost_pbx(self) -> None:
        rig = Rig()
        rig.connect_app()
        rig.drop_pbx()
        status = read(rig)
        self.assertEqual(status["pbx"]["state"], "down")
        self.assertFalse(status["pbx"]["connected"])
        self.assertEqual(status["pbx"]["systemStatus"], "disabled")
        self.assertEqual(len(status["applications"]), 1)
