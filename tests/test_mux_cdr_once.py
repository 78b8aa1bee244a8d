"""A CDR record reaches its owner once, even when the PBX resends one the owner confirmed."""

from collections.abc import Callable, Generator
from typing import Any

from twisted.internet import reactor, task
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase, TestCase

from ecsta.journal.service import Journal
from ecsta.wire import apdu
from ecsta.wire.opcodes import Opcode
from tests.journal_support import Database
from tests.mux_harness import FakePBX, RecordingApp, Rig, cdr_start, device

Gen = Generator[Deferred[Any], Any, None]


def report(pbx: FakePBX, ref: bytes, number: str) -> Any:
    return pbx.invoke(
        "cDRReport",
        {
            "cdrCrossRefID": ref,
            "numberOfRecordsSent": 1,
            "cdrInfo": [
                {
                    "recordCreationTime": "20261127103000",
                    "callingDevice": ("deviceIdentifier", device(number)),
                }
            ],
        },
    )


class ExactlyOnceTests(SynchronousTestCase):
    def one_report(self) -> tuple[Rig, RecordingApp, Any]:
        """A CDR owner that answers reports only when told, and one report on its way to it."""
        rig = Rig()
        owner = rig.connect_app()
        owner.answer_reports = False
        rig.send(owner, cdr_start(20))
        assert rig.pbx is not None
        [ref] = rig.pbx.cdr_running
        first = report(rig.pbx, ref, "101")
        rig.flush()
        return rig, owner, first

    def test_a_record_confirmed_while_the_link_was_down_is_not_delivered_again(self) -> None:
        rig, owner, first = self.one_report()
        [delivered] = owner.reports
        # The link drops after the report reached the owner and before its answer is relayed.
        rig.drop_pbx()
        self.failureResultOf(first)
        owner.send_pdu(
            apdu.encode(apdu.ReturnResult(delivered.invoke_id, Opcode.cDRReport, ("noData", None)))
        )
        rig.flush()
        pbx = rig.connect_pbx()
        [new_ref] = pbx.cdr_running
        resent = report(pbx, new_ref, "101")
        fresh = report(pbx, new_ref, "102")
        rig.flush()
        self.assertEqual(self.successResultOf(resent), ("noData", None))
        self.assertEqual(
            [r.argument["cdrInfo"][0]["callingDevice"] for r in owner.reports],
            [("deviceIdentifier", device("101")), ("deviceIdentifier", device("102"))],
        )
        self.assertNoResult(fresh)  # the owner has not confirmed that one yet
        self.assertEqual(rig.mux.router.counters["reports_resent"], 1)

    def test_an_answer_after_a_new_association_confirms_nothing_there(self) -> None:
        rig, owner, first = self.one_report()
        rig.drop_pbx()
        self.failureResultOf(first)
        pbx = rig.connect_pbx()
        [new_ref] = pbx.cdr_running
        other = report(pbx, new_ref, "102")  # under the invokeId the first report had
        rig.flush()
        # The owner's answer to the first report comes only now: the new PBX never asked it.
        owner.send_pdu(
            apdu.encode(
                apdu.ReturnResult(owner.reports[0].invoke_id, Opcode.cDRReport, ("noData", None))
            )
        )
        rig.flush()
        self.assertNoResult(other)
        self.assertEqual(rig.mux.router.counters["reports_answer_late"], 1)
        resent = report(pbx, new_ref, "101")
        rig.flush()
        self.assertEqual(self.successResultOf(resent), ("noData", None))
        self.assertEqual(len(owner.reports), 2)

    def test_a_record_the_owner_refused_is_delivered_again(self) -> None:
        rig, owner, first = self.one_report()
        owner.send_pdu(
            apdu.encode(
                apdu.ReturnError(
                    owner.reports[0].invoke_id, 1, ("systemResourceAvailability", "resourceBusy")
                )
            )
        )
        rig.flush()
        self.failureResultOf(first)
        assert rig.pbx is not None
        [ref] = rig.pbx.cdr_running
        report(rig.pbx, ref, "101")
        rig.flush()
        self.assertEqual(len(owner.reports), 2)


class AcrossRestartTests(TestCase):
    """With the call journal on, the owner's confirmation is kept in it before it is relayed."""

    timeout = 60

    def setUp(self) -> None:
        self.db = Database("sqlite")

    @inlineCallbacks
    def start(self) -> Generator[Deferred[Any], Any, tuple[Rig, RecordingApp]]:
        """A multiplexer on the journal database, and a CDR owner that answers when told."""
        journal = Journal(reactor, self.db.settings, self.db.dir, clock=Clock())
        journal.startService()
        self.addCleanup(journal.stopService)
        while not journal.ready and journal.error is None:
            yield journal._opening
        rig = Rig(journal=journal)
        owner = rig.connect_app()
        owner.answer_reports = False
        rig.send(owner, cdr_start(20))
        return rig, owner

    @inlineCallbacks
    def until(self, rig: Rig, condition: Callable[[], Any], what: str) -> Generator[Any, Any, None]:
        """Pump the rig while the journal's threads work, until ``condition`` holds."""
        for _ in range(2000):
            rig.flush()
            if condition():
                return
            yield task.deferLater(reactor, 0.005, lambda: None)
        self.fail(f"timed out waiting for {what}")

    def confirmed_in_journal(self) -> list[Any]:
        return self.db.execute("SELECT calling FROM calls WHERE owner_confirmed IS NOT NULL")

    @inlineCallbacks
    def delivered(self) -> Generator[Deferred[Any], Any, tuple[Rig, RecordingApp, Any]]:
        """A started multiplexer, and the PBX's report of a call of 101 at the owner."""
        rig, owner = yield self.start()
        assert rig.pbx is not None
        [ref] = rig.pbx.cdr_running
        first = report(rig.pbx, ref, "101")
        yield self.until(rig, lambda: owner.reports, "the report at its owner")
        return rig, owner, first

    @inlineCallbacks
    def test_a_record_confirmed_before_a_restart_is_not_delivered_again(self) -> Gen:
        rig, owner, first = yield self.delivered()
        owner.send_pdu(
            apdu.encode(
                apdu.ReturnResult(owner.reports[0].invoke_id, Opcode.cDRReport, ("noData", None))
            )
        )
        rig.flush()  # the multiplexer has the answer; its relay waits for the journal
        stopped = rig.mux.journal.stopService()  # type: ignore[union-attr]
        rig.drop_pbx()  # ... and the multiplexer dies before the PBX hears it
        yield stopped
        self.failureResultOf(first)
        self.assertEqual(self.confirmed_in_journal(), [("101",)])

        rig, owner = yield self.start()
        assert rig.pbx is not None
        [ref] = rig.pbx.cdr_running
        resent = report(rig.pbx, ref, "101")
        fresh = report(rig.pbx, ref, "102")
        yield self.until(rig, lambda: owner.reports, "the new report at its owner")
        self.assertEqual(self.successResultOf(resent), ("noData", None))
        self.assertEqual(
            [r.argument["cdrInfo"][0]["callingDevice"] for r in owner.reports],
            [("deviceIdentifier", device("102"))],
        )
        self.assertNoResult(fresh)
        self.assertEqual(rig.mux.router.counters["reports_resent"], 1)

    @inlineCallbacks
    def test_a_record_not_confirmed_before_a_restart_is_delivered_again(self) -> Gen:
        rig, owner, first = yield self.delivered()
        yield rig.mux.journal.stopService()  # type: ignore[union-attr]
        rig.drop_pbx()
        self.failureResultOf(first)

        rig, owner = yield self.start()
        assert rig.pbx is not None
        [ref] = rig.pbx.cdr_running
        report(rig.pbx, ref, "101")
        yield self.until(rig, lambda: owner.reports, "the report at its owner again")
        self.assertEqual(self.confirmed_in_journal(), [])
        self.assertEqual(rig.mux.router.counters["reports_resent"], 0)

    @inlineCallbacks
    def test_reports_reach_the_owner_in_the_order_the_pbx_sent_them(self) -> Gen:
        rig, owner = yield self.start()
        journal = rig.mux.journal
        assert journal is not None and rig.pbx is not None
        asked: list[Deferred[bool]] = []

        def held(records: Any) -> Deferred[bool]:
            asked.append(Deferred())
            return asked[-1]

        journal.all_confirmed = held  # type: ignore[method-assign]
        [ref] = rig.pbx.cdr_running
        report(rig.pbx, ref, "101")
        report(rig.pbx, ref, "102")
        yield self.until(rig, lambda: len(asked) == 2, "both reports stored")
        asked[1].callback(False)  # the journal answers for the second report first
        rig.flush()
        self.assertEqual(owner.reports, [])
        asked[0].callback(False)
        rig.flush()
        self.assertEqual(
            [r.argument["cdrInfo"][0]["callingDevice"] for r in owner.reports],
            [("deviceIdentifier", device("101")), ("deviceIdentifier", device("102"))],
        )
