"""The simulator's HTTP control API: persons at phones, outside callers, link faults, state."""

import json
from io import BytesIO
from typing import Any

from twisted.trial.unittest import SynchronousTestCase
from twisted.web.test.requesthelper import DummyRequest

from ecsta.sim.config import SimConfig
from ecsta.sim.control import Controller, ControlResource
from ecsta.sim.plan import ExternalMode
from ecsta.sim.server import COUNTERS
from ecsta.sim.traffic import TrafficGenerator
from ecsta.wire import apdu
from ecsta.wire.opcodes import Opcode
from tests.sim_wire import DEVICE_LIST_STATIONS, WireClient, advance, dialing, events, simulator


class ControlAPITests(SynchronousTestCase):
    def setUp(self) -> None:
        self.factory = simulator()
        self.traffic = TrafficGenerator(self.factory, 0.0, seed=3)
        self.resource = ControlResource(Controller(self.factory, self.traffic))

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        request = DummyRequest([p.encode() for p in path.strip("/").split("/")])
        request.method = method.encode()
        raw = (
            b""
            if body is None
            else (body if isinstance(body, bytes) else json.dumps(body).encode())
        )
        request.content = BytesIO(raw)  # type: ignore[attr-defined]
        out = self.resource.render(request)  # type: ignore[arg-type]
        self.assertEqual(
            request.responseHeaders.getRawHeaders(b"content-type"), [b"application/json"]
        )
        return request.responseCode or 200, json.loads(out)

    def state(self) -> dict[str, Any]:
        status, state = self.call("GET", "state")
        self.assertEqual(status, 200)
        return state

    def device(self, number: str) -> dict[str, Any]:
        [view] = [d for d in self.state()["devices"] if d["number"] == number and "twinOf" not in d]
        return view

    def test_state_lists_devices_of_every_kind(self) -> None:
        state = self.state()
        kinds = {d["kind"] for d in state["devices"]}
        self.assertEqual(kinds, {"station", "dect", "sip", "trunk"})
        portable = [d for d in state["devices"] if d.get("twinOf") == "101"]
        self.assertEqual(portable[0]["deviceNumber"], 0x01210000)
        self.assertEqual(
            state["association"], {"connected": False, "peer": None, "refusingFor": 0.0}
        )
        self.assertEqual(
            state["cdr"],
            {
                "pending": 0,
                "sent": 0,
                "acknowledged": 0,
                "dropped": 0,
                "buffer": 10000,
                "transmitting": False,
            },
        )

    def test_every_counter_is_shown_from_the_start(self) -> None:
        counters = self.state()["counters"]
        self.assertEqual(counters, dict.fromkeys(COUNTERS, 0))
        for name in ("pdus_in", "pdus_out", "rejects_sent", "malformed_in", "events_generated"):
            self.assertIn(name, counters)

    def test_counters_keep_their_names_while_they_count(self) -> None:
        client = WireClient(self.factory)
        client.associate()
        client.request(2, "monitorStart", {"monitorObject": ("deviceObject", dialing("105"))})
        client.request(3, "startCDRTransmission", {"transferMode": "transferAtEndOfCall"})
        client.send(bytes.fromhex("a1030201"))  # not BER
        client.request(4, "clearCall", {"callToBeCleared": ("callID", b"\x09")})
        self.call("POST", "devices/105/dial", {"digits": "106"})
        self.call("POST", "devices/106/answer")
        self.call("POST", "devices/105/onhook")
        [report] = [
            p
            for p in client.decoded()
            if isinstance(p, apdu.Invoke) and p.opcode == Opcode.cDRReport
        ]
        client.answer(report)
        self.call("POST", "devices/105/dial", {"digits": "107"})
        self.call("POST", "devices", {"kind": "station", "number": "150"})
        self.call("DELETE", "devices/105")
        counters = self.state()["counters"]
        self.assertEqual(set(counters), set(COUNTERS))
        self.assertEqual(
            {name for name, count in counters.items() if count == 0},
            {"associations_refused", "data_collected_sent", "cdr_refused"},
        )

    def test_the_cdr_buffer_keeps_the_newest_records_and_counts_the_dropped(self) -> None:
        factory = simulator(SimConfig(cdr_buffer=2))
        resource = ControlResource(Controller(factory))
        for caller in ("105", "106", "107"):
            Controller(factory).person(caller, "dial", {"digits": "110"})
            Controller(factory).person(caller, "onhook", {})
        request = DummyRequest([b"state"])
        state = json.loads(resource.render(request))  # type: ignore[arg-type]
        self.assertEqual(
            {key: state["cdr"][key] for key in ("pending", "dropped", "buffer")},
            {"pending": 2, "dropped": 1, "buffer": 2},
        )
        callers = [r.calling for r in factory.switch.cdr.records()]
        self.assertEqual(callers, [dialing("106"), dialing("107")])

    def test_the_cdr_list_shows_each_record_as_reported_with_its_state(self) -> None:
        self.call("POST", "incoming", {"from": "+4930123", "to": "101"})
        advance(self.factory, 2)
        self.call("POST", "devices/101/answer")
        advance(self.factory, 3)
        self.call("POST", "devices/101/onhook")
        self.call("POST", "devices/105/dial", {"digits": "110"})
        self.call("POST", "devices/105/onhook")
        status, body = self.call("GET", "cdr")
        self.assertEqual(status, 200)
        self.assertEqual(
            {k: body[k] for k in ("recorded", "dropped", "forgotten", "history")},
            {"recorded": 2, "dropped": 0, "forgotten": 0, "history": 10000},
        )
        first, second = body["records"]
        self.assertEqual(
            {k: first[k] for k in ("state", "callingDevice", "calledDevice", "chargedDevice")},
            {
                "state": "pending",
                "callingDevice": {"dialingNumber": "+4930123"},
                "calledDevice": {"dialingNumber": "101"},
                "chargedDevice": {"dialingNumber": "101"},
            },
        )
        self.assertEqual((first["connectionDuration"], first["conditionCode"]), (30, None))
        self.assertEqual(len(first["connectionEnd"]), 14)
        self.assertEqual(
            (second["callingDevice"], second["connectionDuration"], second["conditionCode"]),
            ({"dialingNumber": "105"}, 0, "noAnswer"),
        )
        self.assertEqual(self.call("POST", "cdr")[0], 405)

    def test_a_person_calls_a_colleague_who_answers(self) -> None:
        self.assertEqual(self.call("POST", "devices/105/offhook")[1]["state"], "initiated")
        status, view = self.call("POST", "devices/105/dial", {"digits": "106"})
        self.assertEqual((status, view["state"]), (200, "connected"))
        self.assertEqual(self.device("106")["state"], "alerting")
        self.call("POST", "devices/106/answer")
        [call] = self.state()["calls"]
        self.assertEqual(
            [(c["device"], c["state"]) for c in call["connections"]],
            [("105", "connected"), ("106", "connected")],
        )
        self.call("POST", "devices/106/hold")
        self.assertEqual(self.device("106")["state"], "hold")
        self.call("POST", "devices/106/retrieve")
        self.call("POST", "devices/105/onhook")
        state = self.state()
        self.assertEqual(state["calls"], [])
        self.assertEqual(state["cdr"]["pending"], 1)

    def test_incoming_external_call_rings_the_extension_and_monitors_see_it(self) -> None:
        client = WireClient(self.factory)
        client.associate()
        client.request(9, "monitorStart", {"monitorObject": ("deviceObject", dialing("110"))})
        status, body = self.call("POST", "incoming", {"from": "+4930123456", "to": "110"})
        self.assertEqual(status, 200)
        self.assertEqual(len(bytes.fromhex(body["callID"])), 2)
        [(_, name, value)] = events(client.decoded())
        self.assertEqual(name, "delivered")
        self.assertEqual(value["callingDevice"], ("deviceIdentifier", dialing("+4930123456")))
        state = self.state()
        self.assertEqual(state["monitors"][0]["device"], "110")
        self.assertTrue(state["association"]["connected"])
        self.assertEqual(state["operations"], {"monitorStart": 1})

    def test_outside_party_behaviour_and_actions(self) -> None:
        status, body = self.call("POST", "external/0301234567", {"mode": "no_answer"})
        self.assertEqual((status, body["mode"]), (200, ExternalMode.NO_ANSWER.value))
        self.call("POST", "devices/101/dial", {"digits": "00301234567"})
        status, body = self.call("POST", "external/0301234567/answer")
        self.assertEqual(status, 200)
        self.assertEqual(self.device("101")["state"], "connected")
        self.call("POST", "external/0301234567/hangup")
        self.assertEqual(self.device("101")["state"], "idle")

    def test_adding_and_removing_devices(self) -> None:
        status, view = self.call("POST", "devices", {"kind": "station", "number": "150"})
        self.assertEqual((status, view["deviceNumber"] >> 16), (200, 0x0111))
        status, body = self.call("DELETE", "devices/150")
        self.assertEqual(status, 200)
        self.assertNotIn("150", [d["number"] for d in self.state()["devices"]])
        status, body = self.call("POST", "devices", {"kind": "station", "number": "101"})
        self.assertEqual(status, 400)
        self.assertIn("101", body["error"])

    def test_devices_added_and_removed_are_announced_to_the_client(self) -> None:
        client = WireClient(self.factory)
        client.associate()
        client.request(9, "monitorStart", {"monitorObject": ("deviceObject", dialing("120"))})
        self.assertEqual(self.call("POST", "devices", {"kind": "sip", "number": "150"})[0], 200)
        [changed] = client.decoded()
        assert isinstance(changed, apdu.Invoke)
        self.assertEqual((changed.opcode, changed.argument), (Opcode.swFunctionDevicesChanged, {}))
        client.send(DEVICE_LIST_STATIONS)
        _, *segments = client.decoded()
        listed = [
            entry["number"]
            for segment in segments
            if isinstance(segment, apdu.Invoke)
            for entry in segment.argument["privateData"][1][1][1]["sysData"]["deviceList"]
        ]
        self.assertIn("150", listed)
        self.assertEqual(self.call("DELETE", "devices/120")[0], 200)
        stopped, changed = client.decoded()
        assert isinstance(stopped, apdu.Invoke) and isinstance(changed, apdu.Invoke)
        self.assertEqual(stopped.opcode, Opcode.monitorStop)  # monitorStop, from the switch
        self.assertEqual((changed.opcode, changed.argument), (Opcode.swFunctionDevicesChanged, {}))
        state = self.state()
        self.assertEqual(state["monitors"], [])  # the monitor of 120 ended with it
        self.assertNotIn("120", [d["number"] for d in state["devices"]])
        status, _ = self.call("POST", "devices/120/offhook")
        self.assertEqual(status, 404)

    def test_link_drop_and_refusal(self) -> None:
        client = WireClient(self.factory)
        client.associate()
        self.assertEqual(self.call("POST", "link/drop"), (200, {"dropped": True}))
        self.assertTrue(client.transport.disconnecting)
        client.drop()
        self.assertEqual(self.call("POST", "link/refuse", {"seconds": 10})[0], 200)
        self.assertEqual(self.state()["association"]["refusingFor"], 10.0)
        self.assertEqual(self.call("POST", "link/drop"), (200, {"dropped": False}))

    def test_traffic_rate_can_be_set(self) -> None:
        self.assertEqual(self.call("POST", "traffic", {"rate": 0.5}), (200, {"rate": 0.5}))
        self.assertEqual(self.state()["traffic"], {"rate": 0.5})
        advance(self.factory, 120)
        self.assertGreater(self.traffic.started, 0)
        self.traffic.stop()

    def test_errors_are_json_with_the_right_status(self) -> None:
        cases = [
            ("GET", "nowhere", None, 404),
            ("POST", "state", None, 405),
            ("POST", "devices/999/offhook", None, 404),
            ("POST", "devices/101/juggle", None, 404),
            ("POST", "devices/101/dial", {}, 400),
            ("POST", "devices/101/dial", b"{not json", 400),
            ("POST", "devices/101/dial", [1, 2], 400),
            ("POST", "incoming", {"from": "+49"}, 400),
            ("POST", "link/refuse", {"seconds": "ten"}, 400),
            ("POST", "external/123", {"mode": "sulk"}, 400),
            ("POST", "devices", {"kind": "fax", "number": "160"}, 400),
        ]
        for method, path, body, expected in cases:
            status, answer = self.call(method, path, body)
            self.assertEqual(status, expected, (method, path, answer))
            self.assertIsInstance(answer["error"], str)

    def test_switch_refusals_are_409_with_the_universal_failure(self) -> None:
        status, body = self.call("POST", "devices/101/answer")
        self.assertEqual(status, 409)
        self.assertEqual(body["universalFailure"], ["stateIncompatibility", "noCallToAnswer"])

    def test_device_number_in_hex_names_the_super_twin_portable(self) -> None:
        self.call("POST", "incoming", {"from": "", "to": "101"})
        status, view = self.call("POST", "devices/0x01210000/answer")
        self.assertEqual((status, view["state"], view["twinOf"]), (200, "connected", "101"))
        self.assertEqual(self.device("101")["state"], "idle")

    def test_out_of_service_and_back(self) -> None:
        client = WireClient(self.factory)
        client.associate()
        client.request(9, "monitorStart", {"monitorObject": ("deviceObject", dialing("104"))})
        self.assertEqual(self.call("POST", "devices/104/outofservice")[1]["state"], "outOfService")
        self.assertEqual(self.call("POST", "devices/104/offhook")[0], 409)
        self.call("POST", "devices/104/inservice")
        names = [name for _, name, _ in events(client.decoded())]
        self.assertEqual(names, ["outOfService", "backInService"])
        reports = [
            p
            for p in client.log
            if isinstance(p, apdu.Invoke) and p.opcode == Opcode.cSTAEventReport
        ]
        self.assertEqual(reports[0].argument["eventSpecificInfo"][0], "deviceMaintenanceEvents")


class ControlSiteTests(SynchronousTestCase):
    """The control API's port, where requests enter: host names and body sizes."""

    def site(self, endpoint: str = "tcp:8081:interface=127.0.0.1") -> Any:
        from twisted.internet.testing import MemoryReactorClock

        from ecsta.sim.runtime import SimulatorService

        config = SimConfig(csta="tcp:0:interface=127.0.0.1", control=endpoint)
        service = SimulatorService(MemoryReactorClock(), config)
        assert service.control is not None
        return service.control.factory

    def test_a_rebound_host_name_cannot_drive_the_switch(self) -> None:
        from tests.test_driver_http_guard import exchange, status

        site = self.site()
        request = b"GET /api/state HTTP/1.1\r\nhost: %s\r\n\r\n"
        response, _ = exchange(site, request % b"evil.example:8081")
        self.assertEqual(status(response), 421)
        self.assertNotIn(b"counters", response)
        for host in (b"127.0.0.1:8081", b"localhost:8081"):
            response, _ = exchange(site, request % host)
            self.assertEqual(status(response), 200, host)
        # Beyond loopback the simulator answers to any name, as the other services do.
        response, _ = exchange(self.site("tcp:8081"), request % b"pbxsim.example:8081")
        self.assertEqual(status(response), 200)

    def test_a_huge_body_is_refused_before_it_is_read(self) -> None:
        from tests.test_driver_http_guard import exchange, status

        head = (
            b"POST /api/traffic HTTP/1.1\r\nhost: 127.0.0.1:8081\r\n"
            b"content-type: application/json\r\ncontent-length: 300000000\r\n\r\n"
        )
        response, transport = exchange(self.site(), head + b'{"rate": 1' + b" " * 4096)
        self.assertEqual(status(response), 413)
        self.assertTrue(transport.disconnecting)
