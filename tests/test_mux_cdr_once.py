"""A CDR record reaches its owner once, even when the PBX resends one the owner confirmed."""

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import apdu
from tests.mux_harness import FakePBX, RecordingApp, Rig, device


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
        rig.send(owner, apdu.encode(apdu.Invoke(20, 363, {"transferMode": "transferAtEndOfCall"})))
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
        owner.send_pdu(apdu.encode(apdu.ReturnResult(delivered.invoke_id, 361, ("noData", None))))
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
