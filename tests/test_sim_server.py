"""The simulator's CSTA side, in memory: what a client sees on the wire.

Every PDU the simulator sends in these tests is decoded by ecsta and by the independent
ECMA-285 oracle (see tests/sim_wire.py), so each test also shows the bytes are standard CSTA.
"""

from typing import Any, cast

from twisted.internet.task import Clock
from twisted.logger import ILogObserver, LogEvent, globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase

from ecsta.sim.config import SimConfig
from ecsta.sim.control import Controller
from ecsta.sim.plan import SwitchPlan
from ecsta.sim.server import REFUSED_AARE, SimulatorFactory
from ecsta.wire import apdu
from ecsta.wire.opcodes import Opcode
from tests.sim_wire import (
    DEVICE_LIST_STATIONS,
    DEVICE_LIST_TRUNKS,
    WireClient,
    advance,
    device_number,
    dialing,
    events,
    simulator,
)

#: The KME escape that asks for the extension names: systemData 41 (extName).
EXT_NAMES = bytes.fromhex("a112020206040201333009a407a005a0030a0129")
DESK_101 = 0x01110000
DESK_102 = 0x01110001
DECT_101 = 0x01210000
TRUNK_1 = 0x01310000
ABORT = bytes.fromhex("6403800100")


def unexpected_answers(case: SynchronousTestCase) -> list[LogEvent]:
    """Log events, from now to the end of the test, of answers the simulator did not expect."""
    seen: list[LogEvent] = []

    def observe(event: LogEvent) -> None:
        if "not in flight" in (event.get("log_format") or ""):
            seen.append(event)

    observer = cast(ILogObserver, observe)
    globalLogPublisher.addObserver(observer)
    case.addCleanup(globalLogPublisher.removeObserver, observer)
    return seen


def linked_replies(pdus: list[apdu.APDU]) -> list[dict[str, Any]]:
    out = []
    for pdu in pdus:
        if isinstance(pdu, apdu.Invoke) and pdu.opcode == Opcode.escape:
            kind, (kme, (reply, segment)) = pdu.argument["privateData"]
            assert (kind, kme, reply) == ("private", "kmeSystemData", "systemDataLinkedReply")
            out.append(segment)
    return out


class AssociationTests(SynchronousTestCase):
    def test_real_aarq_gets_the_real_aare_then_system_status_with_invoke_id_1(self) -> None:
        client = WireClient(simulator())
        client.associate()  # asserts both PDUs byte for byte
        self.assertTrue(client.protocol.associated)

    def test_keepalive_period_and_misses_come_from_the_configuration(self) -> None:
        factory = simulator(SimConfig(keepalive_interval=10, keepalive_misses=2))
        client = WireClient(factory)
        client.associate()
        advance(factory, 10)
        [second] = client.decoded()
        self.assertEqual(second, apdu.Invoke(2, Opcode.systemStatus, {"systemStatus": "normal"}))
        self.assertFalse(client.transport.disconnecting)
        # Two unanswered keep-alives in a row end the association at the next period.
        advance(factory, 10)
        self.assertTrue(client.transport.disconnecting)

    def test_default_keepalives_come_between_60_s_and_5_minutes_apart(self) -> None:
        """A production client starts CDR only once more than 60 s pass between two
        keep-alives and gives a link up after 5 minutes without one: by default they come
        every 90 s, and two left unanswered in a row end a silent association."""
        factory = simulator()
        client = WireClient(factory)
        client.associate()
        first = factory.clock.seconds()
        for _ in range(600):
            advance(factory, 0.5)
            pdus = client.decoded()
            if pdus:
                self.assertEqual(
                    pdus, [apdu.Invoke(2, Opcode.systemStatus, {"systemStatus": "normal"})]
                )
                break
        gap = factory.clock.seconds() - first
        self.assertEqual(gap, 90)
        self.assertGreater(gap, 60)
        self.assertLess(gap, 300)
        advance(factory, 89.9)
        self.assertFalse(client.transport.disconnecting)
        advance(factory, 0.1)  # the second in a row went unanswered
        self.assertTrue(client.transport.disconnecting)
        client.drop()
        self.assertIsNone(factory.association)
        WireClient(factory).associate()  # the simulator takes the next client

    def test_a_client_that_answers_all_but_the_first_keepalive_stays(self) -> None:
        factory = simulator(SimConfig(keepalive_interval=10, keepalive_misses=2))
        client = WireClient(factory)
        client.associate()  # the first keep-alive (invokeId 1) is never answered
        for invoke_id in range(2, 50):
            advance(factory, 10)
            [keepalive] = client.decoded()
            assert isinstance(keepalive, apdu.Invoke)
            self.assertEqual(
                keepalive, apdu.Invoke(invoke_id, Opcode.systemStatus, {"systemStatus": "normal"})
            )
            client.answer(keepalive)
        self.assertFalse(client.transport.disconnecting)
        self.assertIs(factory.association, client.protocol)
        # It falls silent: two periods later it is gone.
        advance(factory, 10)
        self.assertFalse(client.transport.disconnecting)
        advance(factory, 10)
        advance(factory, 10)
        self.assertTrue(client.transport.disconnecting)

    def test_a_second_client_is_refused_with_rejected_transient_and_closed(self) -> None:
        factory = simulator()
        first = WireClient(factory)
        first.associate()
        second = WireClient(factory)
        second.send(
            bytes.fromhex(
                "602380020780a10706052b0c00815abe14281206072b0c00821d8148a007a0050303000800"
            )
        )
        self.assertEqual(second.received(), [REFUSED_AARE])
        refusal = apdu.decode(REFUSED_AARE)
        assert isinstance(refusal, apdu.AARE)
        self.assertEqual(refusal.result, 2)
        self.assertTrue(second.transport.disconnecting)
        self.assertFalse(first.transport.disconnecting)
        self.assertEqual(factory.counters["associations_refused"], 1)
        # Once the first client has gone, the next one is welcome.
        first.drop()
        WireClient(factory).associate()

    def test_refusal_window_refuses_then_accepts(self) -> None:
        factory = simulator()
        factory.refuse(30)
        client = WireClient(factory)
        client.send(
            bytes.fromhex(
                "602380020780a10706052b0c00815abe14281206072b0c00821d8148a007a0050303000800"
            )
        )
        self.assertEqual(client.received(), [REFUSED_AARE])
        advance(factory, 31)
        WireClient(factory).associate()

    def test_link_drop_ends_the_association_and_its_monitors(self) -> None:
        factory = simulator()
        client = WireClient(factory)
        client.associate()
        client.request(9, "monitorStart", {"monitorObject": ("deviceObject", dialing("101"))})
        self.assertTrue(factory.drop_link())
        self.assertTrue(client.transport.disconnecting)
        client.drop()
        self.assertIsNone(factory.association)
        self.assertEqual(len(factory.monitors), 0)
        self.assertFalse(factory.drop_link())


class DeviceListTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.factory = simulator(SimConfig(segment_size=7))
        self.client = WireClient(self.factory)
        self.client.associate()

    def test_station_list_escape_exactly_as_protocol_section_5(self) -> None:
        self.client.send(DEVICE_LIST_STATIONS)
        answer, *invokes = self.client.decoded()
        assert isinstance(answer, apdu.ReturnResult)
        self.assertEqual((answer.invoke_id, answer.opcode), (0x0602, Opcode.escape))
        kind, common = answer.result
        self.assertEqual(kind, "extensions")
        [(private, (kme, (ack, cross_ref)))] = common["privateData"]
        self.assertEqual((private, kme, ack), ("private", "kmeSystemData", "getSystemDataPosAck"))
        segments = linked_replies(invokes)
        self.assertEqual(len(segments), len(invokes))
        self.assertEqual({s["crossRefID"] for s in segments}, {cross_ref})
        self.assertEqual([s["segmentID"] for s in segments], [1, 2, 3, 4])
        self.assertEqual([s["lastSegment"] for s in segments], [False, False, False, True])
        entries = [e for s in segments for e in s["sysData"]["deviceList"]]
        self.assertTrue(all(len(s["sysData"]["deviceList"]) <= 7 for s in segments))
        # 20 desk phones, 4 DECT portables (two of them Super-Twin), 2 SIP extensions.
        self.assertEqual(len(entries), 26)
        self.assertIn(
            {"device": device_number(DESK_101), "number": "101", "status": "ins"}, entries
        )
        self.assertIn(
            {"device": device_number(DECT_101), "number": "101", "status": "ins"}, entries
        )
        # Clients do not answer these invokes; one that does is tolerated, quietly.
        unexpected = unexpected_answers(self)
        assert isinstance(invokes[0], apdu.Invoke)
        self.client.answer(invokes[0], ("noData", None))
        self.assertEqual(self.client.received(), [])
        self.assertFalse(self.client.transport.disconnecting)
        self.assertEqual(unexpected, [])

    def test_segments_left_unanswered_are_forgotten_after_the_answer_timeout(self) -> None:
        protocol = self.client.protocol
        before = protocol.in_flight
        unexpected = unexpected_answers(self)
        self.client.send(DEVICE_LIST_STATIONS)
        _, *invokes = self.client.decoded()
        self.assertEqual(protocol.in_flight, before + len(invokes))
        advance(self.factory, self.factory.config.answer_timeout)
        self.assertEqual(protocol.in_flight, before)
        # An answer that comes after that is late, and only that is logged.
        assert isinstance(invokes[-1], apdu.Invoke)
        self.client.answer(invokes[-1])
        self.assertEqual(len(unexpected), 1)
        self.assertFalse(self.client.transport.disconnecting)

    def test_trunk_list_and_out_of_service_status(self) -> None:
        Controller(self.factory).person("0x01310000", "outofservice", {})
        self.client.send(DEVICE_LIST_TRUNKS)
        _, *invokes = self.client.decoded()
        [segment] = linked_replies(invokes)
        self.assertTrue(segment["lastSegment"])
        self.assertEqual(
            segment["sysData"]["deviceList"][0],
            {"device": device_number(TRUNK_1), "number": "1", "status": "ous"},
        )
        self.assertEqual(len(segment["sysData"]["deviceList"]), 4)

    def test_extension_names_come_like_the_device_list(self) -> None:
        """systemData 41 (extName, an inference) is answered with a cross reference, then the
        names of the named stations in linked replies: { deviceNumber, name }, a character
        outside ASCII as ``?``."""
        Controller(self.factory).add_device(
            {"kind": "sip", "number": "150", "name": "Türsprechstelle"}
        )
        self.client.received()
        self.client.send(EXT_NAMES)
        answer, *invokes = self.client.decoded()
        assert isinstance(answer, apdu.ReturnResult)
        self.assertEqual((answer.invoke_id, answer.opcode), (0x0604, Opcode.escape))
        [(_, (_, (ack, cross_ref)))] = answer.result[1]["privateData"]
        self.assertEqual(ack, "getSystemDataPosAck")
        segments = linked_replies(invokes)
        self.assertEqual({s["crossRefID"] for s in segments}, {cross_ref})
        self.assertEqual([s["lastSegment"] for s in segments], [False] * 3 + [True])
        self.assertEqual({tuple(s["sysData"]) for s in segments}, {("extName",)})
        names = [e for s in segments for e in s["sysData"]["extName"]]
        self.assertEqual(len(names), 27)  # every station of the default office has a name
        self.assertEqual(names[0], {"device": device_number(DESK_101), "name": "Extension 101"})
        self.assertIn({"device": device_number(DECT_101), "name": "Portable 101"}, names)
        self.assertEqual(names[-1]["name"], "T?rsprechstelle")

    def test_extension_names_refused_as_an_unknown_escape(self) -> None:
        factory = simulator(SimConfig(names_answer=False))
        client = WireClient(factory)
        client.associate()
        client.send(EXT_NAMES)
        [answer] = client.decoded()
        assert isinstance(answer, apdu.ReturnError)
        self.assertEqual(
            (answer.invoke_id, answer.error), (0x0604, ("privateData", "cSTAPrivateDataInfoError"))
        )
        self.assertFalse(client.transport.disconnecting)

    def test_other_escapes_get_a_private_data_error(self) -> None:
        [answer] = self.client.request(
            4, "escape", {"privateData": ("string", b"not a KME request")}
        )
        assert isinstance(answer, apdu.ReturnError)
        self.assertEqual(answer.error, ("privateData", "cSTAPrivateDataInfoError"))

    def test_get_switching_function_devices_answers_then_sends_segments(self) -> None:
        answer, *invokes = self.client.request(
            5, "getSwitchingFunctionDevices", {"requestedDeviceCategory": "networkInterface"}
        )
        assert isinstance(answer, apdu.ReturnResult)
        cross_ref = answer.result["serviceCrossRefID"]
        [segment] = [i.argument for i in invokes if isinstance(i, apdu.Invoke)]
        self.assertEqual(segment["serviceCrossRefID"], cross_ref)
        self.assertTrue(segment["lastSegment"])
        self.assertEqual(
            [e["deviceID"] for e in segment["deviceList"]],
            [device_number(TRUNK_1 + i) for i in range(4)],
        )

    def test_get_switching_function_devices_can_be_refused(self) -> None:
        client = self._fresh(SimConfig(sfd_answer=False))
        [answer] = client.request(5, "getSwitchingFunctionDevices", {})
        assert isinstance(answer, apdu.ReturnError)
        self.assertEqual(answer.error, ("operation", "serviceNotSupported"))

    def monitor(self, number: str) -> bytes:
        [started] = self.client.request(
            9, "monitorStart", {"monitorObject": ("deviceObject", dialing(number))}
        )
        assert isinstance(started, apdu.ReturnResult)
        cross_ref: bytes = started.result["crossRefIdentifier"]
        return cross_ref

    def test_devices_changed_is_sent_when_a_device_is_added(self) -> None:
        Controller(self.factory).add_device({"kind": "station", "number": "150", "name": "Lobby"})
        [changed] = self.client.decoded()
        assert isinstance(changed, apdu.Invoke)
        self.assertEqual((changed.opcode, changed.argument), (Opcode.swFunctionDevicesChanged, {}))

    def test_removing_a_device_stops_its_monitors_with_monitor_stop(self) -> None:
        control = Controller(self.factory)
        first, second, other = self.monitor("120"), self.monitor("120"), self.monitor("119")
        control.person("119", "dial", {"digits": "120"})
        control.person("120", "answer", {})
        self.client.received()
        protocol = self.client.protocol
        before = protocol.in_flight
        unexpected = unexpected_answers(self)
        control.remove_device("120")
        pdus = self.client.decoded()
        # The call ends first, as both parties' monitors hear; then the switch ends the
        # removed device's monitors and says its device list changed.
        self.assertEqual(
            sorted((ref, name) for ref, name, _ in events(pdus)),
            [(ref, "connectionCleared") for ref in (first, second, other, other)],
        )
        reports = [
            p for p in pdus if isinstance(p, apdu.Invoke) and p.opcode == Opcode.cSTAEventReport
        ]
        notices = [
            p for p in pdus if isinstance(p, apdu.Invoke) and p.opcode != Opcode.cSTAEventReport
        ]
        self.assertEqual(pdus, reports + notices)
        self.assertEqual(
            [(p.opcode, p.argument) for p in notices],
            [
                (73, {"crossRefIdentifier": first}),
                (73, {"crossRefIdentifier": second}),
                (213, {}),
            ],
        )
        self.assertEqual([m.cross_ref for m in self.factory.monitors], [other])
        self.assertEqual(self.factory.counters["monitors_ended"], 2)
        # The client answers them, as ECMA-285 has it do: accepted without a word.
        self.assertEqual(protocol.in_flight, before + 3)
        for notice in notices:
            self.client.answer(notice)
        self.assertEqual(protocol.in_flight, before)
        self.assertEqual(self.client.received(), [])
        self.assertEqual(unexpected, [])
        # The ended monitor is gone for the client's requests too.
        [answer] = self.client.request(12, "monitorStop", {"crossRefIdentifier": first})
        assert isinstance(answer, apdu.ReturnError)
        self.assertEqual(answer.error, ("operation", "invalidMonitorCrossRefID"))

    def _fresh(self, config: SimConfig) -> WireClient:
        self.client.drop()
        client = WireClient(simulator(config))
        client.associate()
        return client


class MonitorTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.factory = simulator()
        self.client = WireClient(self.factory)
        self.client.associate()

    def start(self, device: dict[str, Any], **extra: Any) -> bytes:
        # Invoke id 9 every time, as a real client does.
        [answer] = self.client.request(
            9, "monitorStart", {"monitorObject": ("deviceObject", device), **extra}
        )
        assert isinstance(answer, apdu.ReturnResult), answer
        return answer.result["crossRefIdentifier"]

    def test_monitor_start_by_device_number_reports_that_device(self) -> None:
        desk = self.start(device_number(DESK_101))
        callee = self.start(device_number(DESK_102))
        self.assertNotEqual(desk, callee)
        replies = self.client.request(
            10,
            "makeCall",
            {"callingDevice": dialing("101"), "calledDirectoryNumber": dialing("103")},
        )
        self.assertIsInstance(replies[0], apdu.ReturnResult)  # the answer comes first
        seen = [(ref, name) for ref, name, _ in events(replies)]
        self.assertEqual(
            seen, [(desk, "serviceInitiated"), (desk, "originated"), (desk, "delivered")]
        )
        _, _, delivered = events(replies)[-1]
        self.assertEqual(delivered["alertingDevice"], ("deviceIdentifier", dialing("103")))
        self.assertEqual(delivered["localConnectionInfo"], "connected")

    def test_super_twin_portable_is_monitored_and_named_by_its_device_number(self) -> None:
        dect = self.start(device_number(DECT_101))
        replies = self.client.request(
            10,
            "makeCall",
            {"callingDevice": dialing("105"), "calledDirectoryNumber": dialing("101")},
        )
        mine = [(name, value) for ref, name, value in events(replies) if ref == dect]
        delivered = [value for name, value in mine if name == "delivered"]
        self.assertTrue(delivered)
        self.assertIn(
            ("deviceIdentifier", device_number(DECT_101)),
            [value["alertingDevice"] for value in delivered],
        )

    def test_filter_bits_filter_events_out_until_changed(self) -> None:
        # callControl bit 3 is delivered (CSTA-application-context-information-csta3).
        no_delivered = {"callControl": (b"\x10", 4)}
        ref = self.start(dialing("103"), requestedMonitorFilter=no_delivered)
        replies = self.client.request(
            10,
            "makeCall",
            {"callingDevice": dialing("101"), "calledDirectoryNumber": dialing("103")},
        )
        self.assertNotIn("delivered", [name for _, name, _ in events(replies)])
        [answer] = self.client.request(
            11, "changeMonitorFilter", {"crossRefIdentifier": ref, "requestedFilterList": {}}
        )
        self.assertIsInstance(answer, apdu.ReturnResult)
        replies = self.client.request(
            12, "answerCall", {"callToBeAnswered": ("deviceID", ("staticID", dialing("103")))}
        )
        self.assertEqual([name for _, name, _ in events(replies)], ["established"])

    def test_monitor_stop_ends_the_events_and_unknown_refs_fail(self) -> None:
        ref = self.start(dialing("102"))
        [stopped] = self.client.request(13, "monitorStop", {"crossRefIdentifier": ref})
        self.assertIsInstance(stopped, apdu.ReturnResult)
        replies = self.client.request(
            10,
            "makeCall",
            {"callingDevice": dialing("101"), "calledDirectoryNumber": dialing("102")},
        )
        self.assertEqual(events(replies), [])
        [again] = self.client.request(13, "monitorStop", {"crossRefIdentifier": ref})
        assert isinstance(again, apdu.ReturnError)
        self.assertEqual(again.error, ("operation", "invalidMonitorCrossRefID"))

    def test_monitoring_an_unknown_device_fails(self) -> None:
        [answer] = self.client.request(
            9, "monitorStart", {"monitorObject": ("deviceObject", dialing("999"))}
        )
        assert isinstance(answer, apdu.ReturnError)
        self.assertEqual(answer.error, ("operation", "invalidDeviceID"))

    def refused(self, device: dict[str, Any]) -> Any:
        [answer] = self.client.request(
            9, "monitorStart", {"monitorObject": ("deviceObject", device)}
        )
        assert isinstance(answer, apdu.ReturnError), answer
        return answer.error

    def test_an_out_of_service_device_is_monitored_only_once_it_is_back(self) -> None:
        control = Controller(self.factory)
        watching = self.start(dialing("104"))
        control.person("104", "outofservice", {})
        seen = events(self.client.decoded())
        self.assertEqual(
            seen,
            [(watching, "outOfService", {"device": ("deviceIdentifier", dialing("104"))})],
        )
        out_of_service = ("systemResourceAvailability", "deviceOutOfService")
        self.assertEqual(self.refused(dialing("104")), out_of_service)
        self.assertEqual(self.refused(device_number(0x01110003)), out_of_service)
        self.assertEqual([m["device"] for m in control.state()["monitors"]], ["104"])
        control.person("104", "inservice", {})
        self.assertEqual(
            events(self.client.decoded()),
            [(watching, "backInService", {"device": ("deviceIdentifier", dialing("104"))})],
        )
        again = self.start(dialing("104"))
        replies = self.client.request(
            10,
            "makeCall",
            {"callingDevice": dialing("103"), "calledDirectoryNumber": dialing("104")},
        )
        delivered = [ref for ref, name, _ in events(replies) if name == "delivered"]
        self.assertEqual(delivered, [watching, again])

    def test_only_the_device_that_is_out_of_service_is_refused(self) -> None:
        control = Controller(self.factory)
        control.person("0x01210000", "outofservice", {})
        self.assertEqual(
            self.refused(device_number(DECT_101)),
            ("systemResourceAvailability", "deviceOutOfService"),
        )
        self.start(dialing("101"))
        self.start(device_number(DESK_101))

    def test_snapshot_device_shows_the_call(self) -> None:
        self.client.request(
            10,
            "makeCall",
            {"callingDevice": dialing("101"), "calledDirectoryNumber": dialing("103")},
        )
        [answer] = self.client.request(14, "snapshotDevice", {"snapshotObject": dialing("103")})
        assert isinstance(answer, apdu.ReturnResult)
        kind, entries = answer.result["crossRefIDorSnapshotData"]
        self.assertEqual(kind, "snapshotData")
        [entry] = entries
        self.assertEqual(entry["localCallState"], ("compoundCallState", ["alerting", "connected"]))


class BadInputTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.factory = simulator()
        self.client = WireClient(self.factory)
        self.client.associate()

    def test_malformed_ber_gets_a_reject_and_is_counted(self) -> None:
        self.client.send(bytes.fromhex("a10602010102"))
        [reject] = self.client.decoded()
        assert isinstance(reject, apdu.Reject)
        self.assertEqual(reject.problem[0], "general")
        self.assertEqual(self.factory.counters["malformed_in"], 1)

    def test_unknown_operation_and_mistyped_argument_get_invoke_rejects(self) -> None:
        self.client.send(bytes.fromhex("a10902010502020fa00500"))
        self.client.send(bytes.fromhex("a10b02010602010a300302010a"))
        self.assertEqual(
            self.client.decoded(),
            [
                apdu.Reject(5, ("invoke", "unrecognizedOperation")),
                apdu.Reject(6, ("invoke", "mistypedArgument")),
            ],
        )
        self.assertEqual(self.factory.counters["malformed_in"], 0)  # well-formed, not served
        self.assertEqual(self.factory.counters["rejects_sent"], 2)

    def test_operations_it_does_not_serve_are_rejected_and_the_association_stays(self) -> None:
        """systemRegister (207) and an opcode of no CSTA edition are refused with an invoke
        reject under their own ids, as a PBX answers what it does not know; the association
        goes on, and a MonitorStart right after is served."""
        self.client.send(bytes.fromhex("a10c020121020200cf30030a0100"))
        self.client.send(bytes.fromhex("a10b0201220202270f30020500"))
        self.assertEqual(
            self.client.decoded(),
            [
                apdu.Reject(0x21, ("invoke", "unrecognizedOperation")),
                apdu.Reject(0x22, ("invoke", "unrecognizedOperation")),
            ],
        )
        self.assertFalse(self.client.transport.disconnecting)
        [started] = self.client.request(
            0x23, "monitorStart", {"monitorObject": ("deviceObject", dialing("101"))}
        )
        self.assertIsInstance(started, apdu.ReturnResult)
        self.assertEqual(self.factory.counters["associations"], 1)

    def test_invalid_arguments_get_the_universal_failure_a_pbx_gives(self) -> None:
        cases = [
            (
                "makeCall",
                {"callingDevice": dialing("999"), "calledDirectoryNumber": dialing("102")},
                ("operation", "invalidDeviceID"),
            ),
            (
                "answerCall",
                {"callToBeAnswered": ("deviceID", ("staticID", dialing("102")))},
                ("operation", "invalidConnectionID"),
            ),
            (
                "clearCall",
                {"callToBeCleared": ("callID", b"\x7f\x7f")},
                ("operation", "invalidCallID"),
            ),
            ("stopCDRTransmission", {"cdrCrossRefID": b"\x01"}, ("operation", "invalidCrossRefID")),
            (
                "buttonPress",
                {"device": dialing("101"), "button": b"1"},
                ("operation", "serviceNotSupported"),
            ),
        ]
        for invoke_id, (operation, argument, failure) in enumerate(cases, start=20):
            [answer] = self.client.request(invoke_id, operation, argument)
            assert isinstance(answer, apdu.ReturnError), (operation, answer)
            self.assertEqual((answer.invoke_id, answer.error), (invoke_id, failure))
        self.assertEqual(self.factory.counters["malformed_in"], 0)

    def test_garbage_framing_is_aborted_and_the_simulator_lives_on(self) -> None:
        self.client.protocol.dataReceived(b"\x00\x00garbage")
        self.assertEqual(self.client.received(), [ABORT])
        self.assertTrue(self.client.transport.disconnecting)
        self.client.drop()
        newcomer = WireClient(self.factory)
        newcomer.associate()
        [answer] = newcomer.request(
            9, "monitorStart", {"monitorObject": ("deviceObject", dialing("101"))}
        )
        self.assertIsInstance(answer, apdu.ReturnResult)

    def test_rose_before_association_is_aborted(self) -> None:
        stranger = WireClient(simulator())
        stranger.send(bytes.fromhex("a10c020101020200d330030a0102"))
        self.assertEqual(stranger.received(), [ABORT])

    def test_event_reports_from_a_client_are_ignored(self) -> None:
        report = apdu.event_report(
            7,
            b"\x01",
            "callControlEvents",
            "callCleared",
            {"clearedCall": ("callID", b"\x01"), "cause": "normalClearing"},
        )
        self.client.send(report)
        self.assertEqual(self.client.received(), [])
        self.assertFalse(self.client.transport.disconnecting)


class DataCollectionTests(SynchronousTestCase):
    def collect_digits_of_110(self, digits: int) -> tuple[SimulatorFactory, WireClient, Any]:
        """A simulator, an associated client collecting the digits 110 dials, ``digits`` at a
        time, and the collection's dcollCrossRefID."""
        factory = simulator()
        client = WireClient(factory)
        client.associate()
        criteria = {"numChars": digits}
        [answer] = client.request(
            30,
            "startDataCollection",
            {"object": ("device", dialing("110")), "digitsReportingCriteria": criteria},
        )
        assert isinstance(answer, apdu.ReturnResult)
        return factory, client, answer.result["dcollCrossRefID"]

    def test_digits_dialled_are_reported_and_collection_ends_with_the_association(self) -> None:
        factory, client, cross_ref = self.collect_digits_of_110(3)
        Controller(factory).person("110", "dial", {"digits": "123"})
        [collected] = client.decoded()
        assert isinstance(collected, apdu.Invoke)
        self.assertEqual(collected.opcode, Opcode.dataCollected)
        self.assertEqual(collected.argument["dcollCrossRefID"], cross_ref)
        self.assertEqual(collected.argument["digitsData"], {"digitsDetected": "123"})
        unexpected = unexpected_answers(self)
        client.answer(collected)
        self.assertEqual(unexpected, [])
        client.drop()
        Controller(factory).person("110", "onhook", {})
        # The collection ended with the association: dialling is routed again.
        Controller(factory).person("110", "dial", {"digits": "102"})
        self.assertEqual(factory.switch.calls()[0].connections[1][0].number, "102")

    def test_removing_the_device_ends_its_collection_with_sf_terminated(self) -> None:
        factory, client, cross_ref = self.collect_digits_of_110(4)
        control = Controller(factory)
        control.person("110", "dial", {"digits": "12"})
        self.assertEqual(client.decoded(), [])  # two of four digits: nothing to report yet
        control.remove_device("110")
        collected, changed = client.decoded()
        assert isinstance(collected, apdu.Invoke) and isinstance(changed, apdu.Invoke)
        self.assertEqual(
            (collected.opcode, collected.argument),
            (
                Opcode.dataCollected,
                {
                    "dcollCrossRefID": cross_ref,
                    "digitsData": {"digitsDetected": "12"},
                    "dcollCause": "sfTerminated",
                },
            ),
        )
        self.assertEqual(changed.opcode, Opcode.swFunctionDevicesChanged)
        self.assertEqual(factory.collections, set())
        self.assertEqual(factory.switch.footprint()["collections"], 0)
        [stopped] = client.request(31, "stopDataCollection", {"dcollCrossRefID": cross_ref})
        assert isinstance(stopped, apdu.ReturnError)
        self.assertEqual(stopped.error, ("operation", "invalidCrossRefID"))


class EveryPduIsStandardTests(SynchronousTestCase):
    """A busy session: every PDU sent decodes with ecsta and the oracle (sim_wire checks)."""

    def test_a_session_of_calls_hold_transfer_and_features(self) -> None:
        factory = simulator(SimConfig(plan=SwitchPlan.default()))
        client = WireClient(factory)
        client.associate()
        for number in ("101", "102", "103"):
            client.request(9, "monitorStart", {"monitorObject": ("deviceObject", dialing(number))})
        control = Controller(factory)
        control.person("101", "dial", {"digits": "102"})
        control.person("102", "answer", {})
        control.person("102", "hold", {})
        control.person("102", "dial", {"digits": "103"})
        control.person("103", "answer", {})
        control.person("102", "onhook", {})
        control.person("103", "onhook", {})
        client.request(
            40,
            "setForwarding",
            {
                "device": dialing("103"),
                "forwardingType": "forwardImmediate",
                "activateForward": True,
                "forwardDN": dialing("104"),
            },
        )
        client.request(41, "setDoNotDisturb", {"device": dialing("101"), "doNotDisturbOn": True})
        control.incoming("+4930123456", "102")
        control.person("102", "answer", {})
        advance(factory, 30)
        control.person("102", "onhook", {})
        client.received()
        names = [
            pdu.argument["eventSpecificInfo"][1][0]
            for pdu in client.log
            if isinstance(pdu, apdu.Invoke) and pdu.opcode == Opcode.cSTAEventReport
        ]
        for expected in (
            "delivered",
            "established",
            "held",
            "transferred",
            "connectionCleared",
            "forwarding",
            "doNotDisturb",
        ):
            self.assertIn(expected, names)
        self.assertGreater(len(client.log), 30)


class StopTests(SynchronousTestCase):
    """Stopping is final: what arrives or closes afterwards leaves no timer of the simulator's."""

    def setUp(self) -> None:
        self.factory = simulator(SimConfig(cdr_answer_timeout=5.0, cdr_resend_delay=2.0))
        clock = self.factory.clock
        assert isinstance(clock, Clock)
        self.clock = clock
        self.client = WireClient(self.factory)
        self.client.associate()

    def test_requests_and_late_closing_after_stop_leave_no_timer(self) -> None:
        self.client.request(9, "monitorStart", {"monitorObject": ("deviceObject", dialing("103"))})
        self.client.request(
            10,
            "makeCall",
            {"callingDevice": dialing("101"), "calledDirectoryNumber": dialing("103")},
        )
        self.factory.stop()
        # The call still rings (its ring timeout is due in a minute); a request and a person
        # at a phone come in before the connection closes.
        [answer] = self.client.request(11, "snapshotDevice", {"snapshotObject": dialing("103")})
        self.assertIsInstance(answer, apdu.ReturnResult)
        Controller(self.factory).person("105", "offhook", {})
        self.client.drop()
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_a_report_unanswered_after_stop_is_not_sent_again(self) -> None:
        [started] = self.client.request(
            2, "startCDRTransmission", {"transferMode": "transferAtEndOfCall"}
        )
        self.assertIsInstance(started, apdu.ReturnResult)
        control = Controller(self.factory)
        control.person("101", "dial", {"digits": "102"})
        control.person("102", "answer", {})
        control.person("101", "onhook", {})
        control.person("102", "onhook", {})
        reports = [p for p in self.client.decoded() if isinstance(p, apdu.Invoke)]
        self.assertEqual([p.opcode for p in reports], [361])
        self.factory.stop()
        advance(self.factory, 5.0)  # the report times out unanswered
        advance(self.factory, 60.0)
        self.assertNotIn(
            361, [p.opcode for p in self.client.decoded() if isinstance(p, apdu.Invoke)]
        )
        self.assertEqual(self.factory.switch.cdr.pending, 1)
        self.client.drop()
        self.assertEqual(self.clock.getDelayedCalls(), [])
