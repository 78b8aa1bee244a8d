"""Exactly-once CDR across a mux killed without warning: a real mux process, this test as its PBX.

The owner confirms a record while the PBX link is down, so that its answer cannot reach the PBX;
the mux is then killed with SIGKILL. The PBX sends the record again to the next mux process,
which must answer it without delivering it to the owner a second time.
"""

import os
import sqlite3
from collections.abc import Generator
from typing import Any

from twisted.internet import reactor
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.internet.protocol import Factory
from twisted.trial.unittest import TestCase

from ecsta.wire import apdu
from ecsta.wire.opcodes import Opcode
from tests.mux_e2e import Mux, connect, free_port, wait_until, workdir
from tests.mux_harness import FakePBX, RecordingApp, device
from tests.test_mux_cdr_once import report

MUX_CONFIG = "[pbx]\nreconnect_initial_delay = 0.1\nreconnect_max_delay = 0.2\n"
START_CDR = {"transferMode": "transferAtEndOfCall"}

Gen = Generator[Deferred[Any], Any, None]


class RestartTests(TestCase):
    timeout = 120

    def setUp(self) -> None:
        self.dir = workdir()
        self.pbx_port = free_port()
        self.pbxs: list[FakePBX] = []
        self.apps: list[RecordingApp] = []
        self.listening: Any = None

    def listen(self) -> None:
        """Be the PBX: accept the mux's association on the PBX port."""

        def build() -> FakePBX:
            self.pbxs.append(FakePBX(reactor))  # type: ignore[arg-type]
            return self.pbxs[-1]

        self.listening = reactor.listenTCP(  # type: ignore[attr-defined]
            self.pbx_port, Factory.forProtocol(build), interface="127.0.0.1"
        )

    @inlineCallbacks
    def tearDown(self) -> Gen:  # type: ignore[override]
        for link in [*self.apps, *self.pbxs]:
            if not link.closed:
                link.transport.abortConnection()  # type: ignore[union-attr]
        if self.listening is not None:
            yield self.listening.stopListening()
        yield wait_until(
            lambda: all(link.closed for link in [*self.apps, *self.pbxs]), what="links closed"
        )

    def start_mux(self) -> Mux:
        mux = Mux(self.dir, self.pbx_port, MUX_CONFIG)
        self.addCleanup(mux.process.stop)
        return mux

    @inlineCallbacks
    def owner(self, mux: Mux) -> Generator[Deferred[Any], Any, tuple[RecordingApp, FakePBX]]:
        """A CDR owner that answers reports only when told, and the PBX link it reaches."""
        yield wait_until(
            lambda: self.pbxs and not self.pbxs[-1].closed and self.pbxs[-1].cdr_running,
            what="the mux's CDR transmission started at the PBX",
        )
        yield wait_until(lambda: mux.state()["journal"]["state"] == "ok", what="journal open")
        app = yield connect(mux.port)
        self.apps.append(app)
        app.answer_reports = False
        yield app.invoke("startCDRTransmission", START_CDR)
        return app, self.pbxs[-1]

    def confirmed(self) -> list[Any]:
        with sqlite3.connect(os.path.join(self.dir, "journal.sqlite")) as db:
            return list(db.execute("SELECT calling FROM calls WHERE owner_confirmed IS NOT NULL"))

    @inlineCallbacks
    def test_a_record_confirmed_just_before_a_sigkill_is_not_delivered_again(self) -> Gen:
        self.listen()
        mux = self.start_mux()
        owner, pbx = yield self.owner(mux)
        [ref] = pbx.cdr_running
        first = report(pbx, ref, "101")
        first.addErrback(lambda _: None)  # the PBX never hears this answer
        yield wait_until(lambda: owner.reports, what="the report at its owner")
        # The PBX goes away (and stays away) before the owner answers ...
        yield self.listening.stopListening()
        pbx.transport.loseConnection()  # type: ignore[union-attr]
        yield wait_until(lambda: not mux.state()["pbx"]["connected"], what="the PBX link down")
        owner.send_pdu(
            apdu.encode(
                apdu.ReturnResult(owner.reports[0].invoke_id, Opcode.cDRReport, ("noData", None))
            )
        )
        yield wait_until(self.confirmed, what="the owner's confirmation in the journal")
        # ... and the mux is killed before it could ever relay that answer.
        mux.process.kill()
        yield wait_until(lambda: owner.closed, what="the owner disconnected by the kill")

        self.listen()
        mux = self.start_mux()
        owner, pbx = yield self.owner(mux)
        [ref] = pbx.cdr_running
        resent = report(pbx, ref, "101")
        fresh = report(pbx, ref, "102")
        calling = lambda: [r.argument["cdrInfo"][0]["callingDevice"] for r in owner.reports]  # noqa: E731
        yield wait_until(
            lambda: ("deviceIdentifier", device("102")) in calling(),
            what="the fresh report at the new owner",
        )
        self.assertEqual(calling(), [("deviceIdentifier", device("102"))])
        self.assertEqual((yield resent), ("noData", None))
        self.assertEqual(mux.state()["counters"]["reports_resent"], 1)
        owner.send_pdu(
            apdu.encode(
                apdu.ReturnResult(owner.reports[0].invoke_id, Opcode.cDRReport, ("noData", None))
            )
        )
        self.assertEqual((yield fresh), ("noData", None))
