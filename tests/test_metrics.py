"""``/metrics`` of the mux (status port) and the driver (API port), read with prometheus_client's
own parser, against the live state of running services: the mux on loopback, with an
application and a PBX of its own, the driver in memory."""

from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from twisted.internet import reactor
from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.trial.unittest import SynchronousTestCase, TestCase
from twisted.web.client import Agent, readBody
from twisted.web.http_headers import Headers

from ecsta.daemon.metrics import PDUCounts
from ecsta.link.service import PBXClientFactory
from ecsta.mux.config import from_dict
from ecsta.mux.service import MuxService
from ecsta.sim.control import Controller
from ecsta.web.muxconsole import StatusRoot
from ecsta.wire import apdu, ber
from ecsta.wire.opcodes import Opcode
from tests.driver_harness import port_of
from tests.driver_rig import DriverRig
from tests.mux_harness import RecordingApp
from tests.mux_in_process import start_sim_and_mux
from tests.waiting import until

LOOPBACK = "tcp:0:interface=127.0.0.1"
TOKEN = "a-token-of-at-least-sixteen-characters"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


async def get(port: int, path: str, token: str | None = None) -> tuple[int, str, Any]:
    headers = Headers({"authorization": [f"Bearer {token}"]} if token else {})
    response = await Agent(reactor).request(
        b"GET", f"http://127.0.0.1:{port}{path}".encode(), headers
    )
    body = await readBody(response)
    return response.code, body.decode("utf-8"), response.headers


class PDUCountsTests(SynchronousTestCase):
    def test_pdus_are_counted_by_direction_kind_and_operation_then_handed_on(self) -> None:
        handed: list[tuple[bool, bytes, ber.Peek | None]] = []

        class Recorder:
            def record(self, outgoing: bool, pdu: bytes, peek: ber.Peek | None) -> None:
                handed.append((outgoing, pdu, peek))

        counts = PDUCounts(Recorder())
        invoke = apdu.encode(
            apdu.Invoke(
                1,
                Opcode.makeCall,
                {
                    "callingDevice": {"deviceIdentifier": ("dialingNumber", "101")},
                    "calledDirectoryNumber": {"deviceIdentifier": ("dialingNumber", "102")},
                },
            )
        )
        error = apdu.return_error(1, "operation", "generic")
        counts.record(True, invoke, None)
        counts.record(False, error, None)
        counts.record(False, b"\x30\x00", None)
        self.assertEqual(
            dict(counts.counts),
            {
                ("sent", "invoke", "makeCall"): 1,
                ("received", "returnError", ""): 1,
                ("received", "malformed", ""): 1,
            },
        )
        self.assertEqual([outgoing for outgoing, _, _ in handed], [True, False, False])
        self.assertEqual([pdu for _, pdu, _ in handed], [invoke, error, b"\x30\x00"])

    def test_the_links_peek_is_taken_as_it_is(self) -> None:
        """What the link already read is not read again: the count follows the peek given."""
        counts = PDUCounts()
        report = ber.peek(apdu.encode(apdu.Invoke(3, Opcode.cDRReport, None)))
        counts.record(False, b"\x30\x00", report)
        self.assertEqual(dict(counts.counts), {("received", "invoke", "cDRReport"): 1})


class MuxMetricsTests(TestCase):
    timeout = 30

    async def test_metrics_follow_the_live_state(self) -> None:
        service, simulator, app_port, status_port = await start_sim_and_mux(self)
        router = service.mux.router
        await until(lambda: router.link.value == "up")

        factory = PBXClientFactory(reactor, RecordingApp)
        app: Any = await TCP4ClientEndpoint(reactor, "127.0.0.1", app_port).connect(factory)
        self.addCleanup(lambda: app.transport.abortConnection())
        await app.ready
        app.answer_reports = False
        await app.invoke(
            "monitorStart",
            {"monitorObject": ("deviceObject", {"deviceIdentifier": ("dialingNumber", "101")})},
        )
        await app.invoke("startCDRTransmission", {"transferMode": "transferAtEndOfCall"})
        controller = Controller(simulator.factory)
        controller.person("101", "offhook", {})
        controller.person("101", "dial", {"digits": "102"})
        controller.person("102", "answer", {})
        controller.person("101", "onhook", {})
        await until(lambda: app.reports)

        status, text, headers = await get(status_port, "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers.getRawHeaders(b"content-type")[0].startswith(b"text/plain"))
        samples = parse(text)
        self.assertEqual(value(samples, "ecsta_mux_pbx_link_up"), 1)
        self.assertEqual(value(samples, "ecsta_mux_pbx_link_state", state="up"), 1)
        self.assertEqual(value(samples, "ecsta_mux_pbx_link_state", state="down"), 0)
        self.assertEqual(value(samples, "ecsta_mux_applications", tls="false"), 1)
        self.assertEqual(value(samples, "ecsta_mux_applications", tls="true"), 0)
        self.assertEqual(value(samples, "ecsta_mux_monitors", state="active"), 1)
        self.assertEqual(value(samples, "ecsta_mux_monitor_shares"), 1)
        self.assertEqual(value(samples, "ecsta_mux_pbx_associations_total"), 1)
        sent = {"direction": "sent", "kind": "invoke"}
        self.assertEqual(
            value(samples, "ecsta_mux_pbx_pdus_total", **sent, operation="monitorStart"), 1
        )
        self.assertEqual(
            value(samples, "ecsta_mux_pbx_pdus_total", direction="sent", kind="aarq", operation=""),
            1,
        )
        events = router.counters["events"]
        self.assertGreater(events, 0)
        self.assertEqual(value(samples, "ecsta_mux_events_total"), events)
        self.assertEqual(
            value(
                samples,
                "ecsta_mux_pbx_pdus_total",
                direction="received",
                kind="invoke",
                operation="cSTAEventReport",
            ),
            events,
        )
        self.assertEqual(value(samples, "ecsta_mux_requests_total"), router.counters["requests"])
        self.assertEqual(value(samples, "ecsta_mux_logins_total", result="accepted"), 1)
        self.assertEqual(value(samples, "ecsta_mux_cdr_owned"), 1)
        self.assertEqual(value(samples, "ecsta_mux_cdr_records_forwarded_total"), 1)
        self.assertEqual(value(samples, "ecsta_mux_cdr_records_pending"), 1)
        self.assertEqual(value(samples, "ecsta_mux_pbx_requests_queued"), 0)

        report = app.reports[0]
        app.send_pdu(
            apdu.encode(apdu.ReturnResult(report.invoke_id, Opcode.cDRReport, ("noData", None)))
        )
        await until(lambda: router.cdr.pending == 0)
        samples = parse((await get(status_port, "/metrics"))[1])
        self.assertEqual(value(samples, "ecsta_mux_cdr_records_pending"), 0)
        self.assertEqual(value(samples, "ecsta_mux_cdr_records_forwarded_total"), 1)

        app.transport.loseConnection()
        await until(lambda: not router.apps)
        samples = parse((await get(status_port, "/metrics"))[1])
        self.assertEqual(value(samples, "ecsta_mux_applications", tls="false"), 0)
        self.assertEqual(value(samples, "ecsta_mux_monitors", state="active"), 0)
        self.assertEqual(value(samples, "ecsta_mux_cdr_owned"), 0)

    async def test_the_status_page_still_answers_beside_the_metrics(self) -> None:
        config = from_dict(
            {
                "pbx": {"endpoint": "tcp:host=127.0.0.1:port=1"},
                "listen": {"tcp": []},
                "status": {"endpoint": LOOPBACK},
            }
        )
        service = MuxService(reactor, config, status_root=StatusRoot)
        service.privilegedStartService()
        self.addCleanup(service.stopService)
        service.startService()
        port = port_of(service._ports[0])
        status, text, _ = await get(port, "/")
        self.assertEqual(status, 200)
        self.assertIn('"pbx"', text)
        samples = parse((await get(port, "/metrics"))[1])
        self.assertEqual(value(samples, "ecsta_mux_pbx_link_up"), 0)
        self.assertEqual(value(samples, "ecsta_mux_pbx_link_state", state="down"), 1)


class DriverMetricsTests(TestCase):
    """The driver in memory (:class:`tests.driver_rig.DriverRig`), its ``/metrics`` read over
    HTTP as Prometheus reads it."""

    async def start(self, tokens: list[str] | None = None) -> DriverRig:
        harness = DriverRig()
        self.addCleanup(harness.stop)
        await harness.start(["101", "102"], tokens=tokens)
        return harness

    async def test_lines_and_calls_by_state(self) -> None:
        harness = await self.start()
        await harness.person("101", "offhook")
        await harness.person("101", "dial", digits="102")
        await harness.until(lambda: harness.calls("102"))
        status, text = await harness.text("/metrics")
        self.assertEqual(status, 200)
        samples = parse(text.decode("utf-8"))
        self.assertEqual(value(samples, "ecsta_driver_pbx_link_up"), 1)
        self.assertEqual(value(samples, "ecsta_driver_lines", state="inService"), 2)
        self.assertEqual(value(samples, "ecsta_driver_lines", state="closed"), 0)
        calls: dict[str, int] = {}
        for call in harness.driver.engine.calls.values():
            if call.exists:
                calls[call.state.name] = calls.get(call.state.name, 0) + 1
        self.assertIn("LINECALLSTATE_OFFERING", calls)
        for state, count in calls.items():
            self.assertEqual(value(samples, "ecsta_driver_calls", state=state), count)
        self.assertEqual(value(samples, "ecsta_driver_calls", state="LINECALLSTATE_ONHOLD"), 0)
        monitor_starts = value(
            samples,
            "ecsta_driver_pbx_pdus_total",
            direction="sent",
            kind="invoke",
            operation="monitorStart",
        )
        self.assertGreaterEqual(monitor_starts, 2)

        await harness.api("POST", "/lines/102/close")
        samples = parse((await harness.text("/metrics"))[1].decode("utf-8"))
        self.assertEqual(value(samples, "ecsta_driver_lines", state="closed"), 1)

    async def test_metrics_want_the_api_token_when_there_is_one(self) -> None:
        harness = await self.start(tokens=[TOKEN])
        status, _ = await harness.text("/metrics")
        self.assertEqual(status, 401)
        status, text = await harness.text("/metrics", token=TOKEN)
        self.assertEqual(status, 200)
        self.assertEqual(value(parse(text.decode("utf-8")), "ecsta_driver_pbx_link_up"), 1)
