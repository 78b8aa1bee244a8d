"""The multiplexer as operators run it: real ``twistd`` processes on loopback.

A simulator process stands for the PBX, a multiplexer process connects to it, and applications
connect to the multiplexer. What reaches the PBX is counted through the simulator's control API.
"""

import os
import random
import socket
from collections.abc import Generator
from typing import Any

from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.trial.unittest import TestCase

from ecsta.daemon.auth import hash_password
from ecsta.link.errors import AssociationRejected
from ecsta.wire import apdu, ber
from ecsta.wire.framing import frame
from ecsta.wire.opcodes import Opcode
from tests.ber_pdus import SYSTEM_STATUS as FIRST_STATUS
from tests.mux_e2e import (
    Mux,
    Process,
    Simulator,
    connect,
    settle,
    wait_until,
    workdir,
)
from tests.mux_harness import RecordingApp, cdr_start, decoded, device, make_call, monitor_start
from tests.test_mux_tap import pem_pair

#: MonitorFilter removing delivered (callControl bit 3) and established (bit 5).
NO_DELIVERED_ESTABLISHED = {"callControl": (b"\x14", 8)}
DELIVERED, ESTABLISHED = (0, 4), (0, 7)
SIM_CONFIG = "[cdr]\nresend_delay = 0.3\n[csta]\nkeepalive_interval = 0\n"
PASSWORD_HASH = hash_password("s3cret", "pbkdf2-sha256", iterations=100_000)
USERS = f'[users]\nalice = "{PASSWORD_HASH}"\n'

Gen = Generator[Deferred[Any], Any, None]
#: The invokeId of the request that shows an application has caught up with the PBX.
CAUGHT_UP = 30000


def snapshot(invoke_id: int, number: str) -> bytes:
    return apdu.encode(
        apdu.Invoke(invoke_id, Opcode.snapshotDevice, {"snapshotObject": device(number)})
    )


class EndToEnd(TestCase):
    timeout = 60
    sim_config = SIM_CONFIG
    mux_config = ""
    mux_tls = ""

    def setUp(self) -> None:
        self.dir = workdir()
        self.apps: list[RecordingApp] = []
        self.sim = Simulator(self.dir, self.sim_config)
        self.addCleanup(self.sim.process.stop)
        self.mux = Mux(self.dir, self.sim.csta, self.mux_config, self.mux_tls)
        self.addCleanup(self.mux.process.stop)

    @inlineCallbacks
    def tearDown(self) -> Gen:  # type: ignore[override]
        for app in self.apps:
            if not app.closed:
                app.transport.abortConnection()  # type: ignore[union-attr]
        yield wait_until(lambda: all(app.closed for app in self.apps), what="apps closed")

    @inlineCallbacks
    def app(self, **kwargs: Any) -> Generator[Deferred[Any], Any, RecordingApp]:
        app = yield connect(kwargs.pop("port", self.mux.port), **kwargs)
        self.apps.append(app)
        # As Panasonic applications do, wait until the switch says it is normal: an application
        # that connects while the mux is still associating first hears 'disabled'.
        yield wait_until(
            lambda: app.statuses()[-1:] == ["normal"], timeout=20, what="systemStatus normal"
        )
        return app

    @inlineCallbacks
    def request(self, app: RecordingApp, pdu: bytes) -> Generator[Deferred[Any], Any, Any]:
        invoke_id = ber.peek(pdu).invoke_id
        before = len(app.answers(invoke_id))
        app.send_pdu(pdu)
        yield wait_until(lambda: len(app.answers(invoke_id)) > before, what=f"answer {invoke_id}")
        return app.answers(invoke_id)[-1]

    @inlineCallbacks
    def caught_up(self, *apps: RecordingApp) -> Gen:
        """Until each application has received what the PBX sent before now: the PBX answers a
        request after the events it sent before it, and the mux passes both on in order."""
        for app in apps:
            yield self.request(app, apdu.encode(apdu.Invoke(CAUGHT_UP, Opcode.requestSysStat, {})))


class SharingTests(EndToEnd):
    @inlineCallbacks
    def test_shared_monitors_events_filters_and_reused_ids(self) -> Gen:
        a = yield self.app()
        b = yield self.app()
        c = yield self.app()
        ra = yield self.request(a, monitor_start(9, "101", NO_DELIVERED_ESTABLISHED))
        rb = yield self.request(b, monitor_start(9, "101"))
        rc = yield self.request(c, monitor_start(9, "102"))
        xref = ra.result["crossRefIdentifier"]
        self.assertEqual(rb.result["crossRefIdentifier"], xref)
        state = self.sim.state()
        self.assertEqual(state["operations"]["monitorStart"], 2)
        self.assertEqual(sorted(m["device"] for m in state["monitors"]), ["101", "102"])

        self.sim.call("101", "102")
        yield wait_until(lambda: ESTABLISHED in [p.event for p in b.events()], what="events")
        yield wait_until(lambda: ESTABLISHED in [p.event for p in c.events()], what="events")
        yield self.caught_up(a, b, c)
        at_a, at_b = a.events(), b.events()
        self.assertTrue(at_b)
        self.assertEqual({p.cross_ref for p in at_a + at_b}, {xref})
        self.assertEqual([p for p in at_b if p.event not in (DELIVERED, ESTABLISHED)], at_a)
        self.assertEqual({p.cross_ref for p in c.events()}, {rc.result["crossRefIdentifier"]})

        # Two requests under one invokeId, both open at once: both answers come back under it.
        a.send_pdu(snapshot(9, "101"))
        a.send_pdu(snapshot(9, "102"))
        yield wait_until(lambda: len(a.answers(9)) == 3, what="two snapshot answers")
        self.assertTrue(all(isinstance(r, apdu.ReturnResult) for r in a.answers(9)))

        # The last share stops the PBX monitor.
        yield self.request(
            a, apdu.encode(apdu.Invoke(5, Opcode.monitorStop, {"crossRefIdentifier": xref}))
        )
        self.assertEqual(len(self.sim.state()["monitors"]), 2)
        b.transport.loseConnection()
        yield wait_until(lambda: len(self.sim.state()["monitors"]) == 1, what="monitor stopped")
        self.sim.hang_up("101")


#: The multiplexer without its call journal, which would run CDR transmission itself.
NO_JOURNAL = "[journal]\nenabled = false\n"


class CDRTests(EndToEnd):
    # CDR as an application alone owns it; with the journal, see tests.test_journal_e2e.
    mux_config = NO_JOURNAL

    @inlineCallbacks
    def test_a_second_cdr_registrant_is_refused(self) -> Gen:
        a = yield self.app()
        b = yield self.app()
        start = cdr_start(20)
        self.assertIsInstance((yield self.request(a, start)), apdu.ReturnResult)
        refused = yield self.request(b, start)
        self.assertEqual(refused.error, ("operation", "generic"))
        self.assertEqual(self.sim.state()["operations"]["startCDRTransmission"], 1)

    @inlineCallbacks
    def test_no_record_is_lost_when_the_owner_is_killed(self) -> Gen:
        owner = Process("cdr-owner", ["-m", "tests.mux_e2e_owner", str(self.mux.port)], self.dir)
        self.addCleanup(owner.stop)
        yield wait_until(lambda: self.sim.state()["cdr"]["transmitting"], what="CDR started")
        calls = 12
        # Each call to another phone: a PBX stamps its records in whole seconds, and the mux
        # takes a report identical in every field to one already confirmed for a resend.
        for n in range(calls):
            self.sim.call("103", str(104 + n))
            self.sim.hang_up("103")
            if n == calls // 2:
                yield wait_until(
                    lambda: self.sim.state()["cdr"]["acknowledged"] > 0,
                    what="the owner acknowledges",
                )
                owner.kill()
        self.assertIn("acknowledged", owner.output())
        yield wait_until(
            lambda: not self.sim.state()["cdr"]["transmitting"],
            what="CDR stopped after the owner died",
        )
        successor = yield self.app()
        start = cdr_start(20)
        yield self.request(successor, start)
        yield wait_until(
            lambda: self.sim.state()["cdr"]["acknowledged"] == calls,
            what=f"{calls} records acknowledged",
        )
        cdr = self.sim.state()["cdr"]
        self.assertEqual((cdr["pending"], cdr["sent"]), (0, 0))
        self.assertGreater(len(successor.reports), 0)


class LinkLossTests(EndToEnd):
    @inlineCallbacks
    def test_monitors_come_back_and_events_resume_after_the_link_drops(self) -> Gen:
        a = yield self.app()
        result = yield self.request(a, monitor_start(9, "105"))
        xref = result.result["crossRefIdentifier"]
        seen = len(a.statuses())
        self.sim.post("link/drop")
        yield wait_until(lambda: "disabled" in a.statuses()[seen:], what="systemStatus disabled")
        yield wait_until(
            lambda: a.statuses()[-1] == "normal", timeout=20, what="systemStatus normal again"
        )
        self.assertFalse(a.closed)
        state = self.sim.state()
        self.assertEqual(
            [m["device"] for m in state["monitors"]],
            ["105"],
            f"{state}\n{self.mux.state()}\n{a.seen}\n{self.mux.process.output()}",
        )
        self.sim.call("105", "106")
        yield wait_until(lambda: a.events(), what="events after the restart")
        self.assertEqual({p.cross_ref for p in a.events()}, {xref})
        self.sim.hang_up("105")

    @inlineCallbacks
    def test_cdr_transmission_restarts_for_its_owner_after_the_link_drops(self) -> Gen:
        owner = yield self.app()
        start = cdr_start(20)
        started = yield self.request(owner, start)
        xref = started.result["cdrCrossRefID"]
        seen = len(owner.statuses())
        self.sim.post("link/drop")
        yield wait_until(
            lambda: "disabled" in owner.statuses()[seen:], what="systemStatus disabled"
        )
        yield wait_until(
            lambda: owner.statuses()[-1] == "normal", timeout=20, what="systemStatus normal again"
        )
        self.assertFalse(owner.closed)
        state = self.sim.state()
        self.assertTrue(state["cdr"]["transmitting"], state)
        self.assertEqual(state["operations"]["startCDRTransmission"], 2)
        self.sim.call("103", "104")
        self.sim.hang_up("103")
        yield wait_until(lambda: owner.reports, what="a CDR after the restart")
        yield wait_until(
            lambda: self.sim.state()["cdr"]["acknowledged"] == 1, what="the record acknowledged"
        )
        self.assertEqual({report.argument["cdrCrossRefID"] for report in owner.reports}, {xref})


class TLSTests(EndToEnd):
    mux_config = USERS

    def setUp(self) -> None:
        files = workdir()
        key, cert = pem_pair("localhost")
        for name, data in (("key.pem", key), ("cert.pem", cert)):
            with open(os.path.join(files, name), "wb") as stream:
                stream.write(data)
        self.mux_tls = f"privateKey={files}/key.pem:certKey={files}/cert.pem"
        super().setUp()

    @inlineCallbacks
    def test_good_bad_and_missing_logins_over_tls(self) -> Gen:
        port = self.mux.tls_port
        assert port is not None
        good = yield self.app(port=port, tls=True, user="alice", password="s3cret")
        self.assertIsInstance(
            (yield self.request(good, make_call(1, "107", "108"))), apdu.ReturnResult
        )
        for user, password, diagnostic in (("alice", "wrong", 13), (None, None, 14)):
            try:
                yield connect(port, tls=True, user=user, password=password)
            except AssociationRejected as error:
                self.assertEqual(error.diagnostic, ("acse-service-user", diagnostic))
            else:
                self.fail(f"login {user}/{password} was accepted")
        self.assertEqual(self.mux.state()["logins"]["failed"], 1)
        self.sim.hang_up("107")


class FuzzTests(EndToEnd):
    @inlineCallbacks
    def test_malformed_pdus_never_reach_the_pbx_and_a_neighbour_gets_every_event(self) -> Gen:
        fuzzer = yield self.app()
        worker = yield self.app()
        yield self.request(worker, monitor_start(9, "119"))
        seeds = [
            make_call(1, "101", "102"),
            monitor_start(2, "110"),
            snapshot(3, "111"),
            cdr_start(4),
            bytes.fromhex("a11602020602020133300da40ba009a407a105a0030a0105"),
        ]
        rng = random.Random(285)
        sent = reconnects = 0
        for _ in range(20):
            for _ in range(150):
                if fuzzer.closed:
                    # A mutation that turned into an ABRT or a second AARQ ends the
                    # association, as it would with the PBX: associate again and go on.
                    fuzzer = yield self.app()
                    reconnects += 1
                pdu = bytearray(rng.choice(seeds))
                for _ in range(rng.randint(1, 4)):
                    pdu[rng.randrange(len(pdu))] = rng.randrange(256)
                fuzzer.send_pdu(bytes(pdu))
                sent += 1
            self.sim.call("119", "120")
            self.sim.hang_up("119")
            yield settle(0.02)

        def established() -> list[ber.Peek]:
            return [p for p in worker.events() if p.event == ESTABLISHED]

        yield wait_until(lambda: len(established()) >= 20, what="every call's events")
        # A last request through the mux, queued for the PBX behind every fuzzed PDU it
        # passed on (on the worker's association: the fuzzer's may have ended since, through
        # a mutation or the mux): once its answer is back, the simulator has handled them all.
        last = yield self.request(worker, snapshot(99, "111"))
        self.assertIsInstance(last, apdu.ReturnResult)
        self.assertEqual(sent, 3000)
        self.assertLess(reconnects, 100)
        # The mux itself rejects the mutations that are not well-formed invokes (75 of these;
        # mutated escapes go on to the PBX, as any escape does).
        self.assertGreater(self.mux.state()["counters"]["rejected"], 50)
        self.assertTrue(self.mux.process.alive)
        state = self.sim.state()
        # Mutations that are still well-formed invokes reach the simulator, as the original
        # multiplexer passes every command on, and get its rejects; no malformed PDU does.
        self.assertEqual(state["counters"].get("malformed_in", 0), 0)
        self.assertGreater(state["counters"]["rejects_sent"], 0)
        self.assertEqual(len(established()), 20)


def _normalise(value: Any, names: dict[bytes, str], field: str = "") -> Any:
    """A decoded value with cross references numbered by first appearance and times blanked."""
    if isinstance(value, dict):
        return {key: _normalise(item, names, key) for key, item in value.items()}
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return (value[0], _normalise(value[1], names, value[0]))
    if isinstance(value, list):
        return [_normalise(item, names, field) for item in value]
    if (isinstance(value, bytes) and "cross" in field.lower()) or field == "getSystemDataPosAck":
        return names.setdefault(value, f"xref{len(names)}")
    if isinstance(value, str) and len(value) >= 14 and value[:14].isdigit():
        return "<time>"
    return value


def conversation_of(app: RecordingApp) -> list[Any]:
    """What an application received, comparable between a PBX and the mux in front of one."""
    names: dict[bytes, str] = {}
    out: list[Any] = []
    for pdu in app.seen:
        if pdu[0] < 0xA0:
            out.append(pdu)
            continue
        message = decoded(pdu)
        if isinstance(message, apdu.Invoke):
            if message.opcode == Opcode.systemStatus and message.invoke_id != 1:
                continue  # later keep-alives come on each side's own schedule
            item: tuple[Any, ...] = ("invoke", message.opcode, _normalise(message.argument, names))
        elif isinstance(message, apdu.ReturnResult):
            item = ("result", message.invoke_id, message.opcode, _normalise(message.result, names))
        else:
            item = (type(message).__name__, message.invoke_id)
        out.append(item)
    return out


DEVICE_LIST = bytes.fromhex("a11602020602020133300da40ba009a407a105a0030a0105")


class TransparencyTests(EndToEnd):
    # The journal's own CDR session at the PBX would shift the simulator's cross references.
    mux_config = NO_JOURNAL

    def setUp(self) -> None:
        super().setUp()
        self.direct = Simulator(self.dir, self.sim_config)
        self.addCleanup(self.direct.process.stop)

    @inlineCallbacks
    def panasonic_client(self, port: int, sim: Simulator) -> Generator[Deferred[Any], Any, Any]:
        """The conversation of a Panasonic application: device list, monitor, events, CDR."""
        app = yield self.app(port=port)
        app.send_pdu(DEVICE_LIST)

        def last_segment_seen() -> bool:
            return any(
                decoded(p).argument["privateData"][1][1][1]["lastSegment"] for p in app.invokes(51)
            )

        yield wait_until(last_segment_seen, what="the device list")
        number = next(d["deviceNumber"] for d in sim.state()["devices"] if d["number"] == "113")
        by_number = {
            "monitorObject": ("deviceObject", {"deviceIdentifier": ("deviceNumber", number)})
        }
        yield self.request(app, apdu.encode(apdu.Invoke(9, Opcode.monitorStart, by_number)))
        yield self.request(app, cdr_start(10))
        sim.call("113", "114")
        sim.hang_up("113")
        yield wait_until(lambda: app.reports, what="a CDR report")
        yield self.caught_up(app)
        return conversation_of(app)

    @inlineCallbacks
    def test_a_panasonic_application_sees_the_same_conversation(self) -> Gen:
        direct = yield self.panasonic_client(self.direct.csta, self.direct)
        through_mux = yield self.panasonic_client(self.mux.port, self.sim)
        self.assertEqual(direct[:2], through_mux[:2])
        self.assertEqual(through_mux[1], ("invoke", 211, {"systemStatus": "normal"}))
        self.assertEqual(through_mux, direct)
        kinds = [item[:2] for item in through_mux[2:]]
        self.assertIn(("invoke", 51), kinds)
        self.assertIn(("invoke", 21), kinds)
        self.assertIn(("invoke", 361), kinds)


def blocking_app(port: int) -> socket.socket:
    """An application on a plain socket with a tiny receive buffer, associated and ready."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    sock.sendall(frame(apdu.aarq()))
    received = b""
    while FIRST_STATUS not in received:
        chunk = sock.recv(4096)
        if not chunk:
            raise AssertionError("the mux closed the association")
        received += chunk
    return sock


class SlowApplicationTests(EndToEnd):
    mux_config = "[applications]\nmax_output_buffer = 4096\nsocket_send_buffer = 4096\n"

    @inlineCallbacks
    def test_an_application_that_stops_reading_is_dropped_and_others_keep_receiving(
        self,
    ) -> Gen:
        reader = yield self.app()
        yield self.request(reader, monitor_start(9, "115"))
        slow = blocking_app(self.mux.port)
        self.addCleanup(slow.close)
        for invoke_id, number in ((9, "115"), (10, "117")):
            slow.sendall(frame(monitor_start(invoke_id, number)))
        yield wait_until(lambda: len(self.sim.state()["monitors"]) == 2, what="both monitors")
        # From here on it reads nothing: its small receive buffer fills, then the mux's.
        calls = 0
        while len(self.mux.state()["applications"]) == 2:
            self.assertLess(calls, 400, "the slow application was never dropped")
            self.sim.call("115", "116")
            self.sim.hang_up("115")
            calls += 1
            if calls % 10 == 0:
                yield settle(0.05)
        monitors = {m["device"] for m in self.sim.state()["monitors"]}
        self.assertEqual(monitors, {"115"})
        # An operator sees why it went, in the status document (and the metric beside it).
        self.assertEqual(self.mux.state()["connections"]["not_reading"], 1)

        def established() -> int:
            return len([p for p in reader.events() if p.event == ESTABLISHED])

        yield wait_until(lambda: established() == calls, what="every call at the reader")
        self.sim.call("115", "116")
        yield wait_until(lambda: established() == calls + 1, what="events after the drop")
        self.sim.hang_up("115")
