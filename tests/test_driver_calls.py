"""The TAPI call model without a network: ECMA-269 event sequences in, TAPI states out.

Each test feeds the events a switch reports for one call flow (ECMA TR/82 scenarios, the fields
of PROTOCOL.md section 7) to the monitors of every line involved, and checks the TAPI messages
and the calls' states, ids, origin and reason on each line.
"""

from typing import Any, cast

from twisted.logger import ILogObserver, Logger
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.calls import CallEngine
from ecsta.driver.devices import Directory
from ecsta.driver.lines import Line, Lines
from ecsta.driver.model import TRANSITIONS, Rule, Side
from tests import driver_events as E

CALL = b"\x00\x10"
CONSULT = b"\x00\x11"
NEW_CALL = b"\x00\x12"
TRUNK = 0x01310001
DECT = 0x01210001


class Rig:
    """Lines with monitors, an engine, and a log of everything it published."""

    def __init__(self, *numbers: str, directory: Directory | None = None) -> None:
        self.lines = Lines(directory)
        self.refs: dict[str, bytes] = {}
        for index, number in enumerate(numbers, start=1):
            line = self.lines.add(number)
            ref = bytes([index])
            self.lines.bind_monitor(line, ref)
            self.refs[number] = ref
        self.logged: list[dict[str, Any]] = []
        self.engine = CallEngine(self.lines)
        self.engine.log = Logger(observer=cast(ILogObserver, self.logged.append))

    def feed(self, event: tuple[str, dict[str, Any]], *at: str) -> list[tuple[Any, ...]]:
        """Report ``event`` to the monitors of ``at`` (every line when empty)."""
        out = []
        for number in at or self.refs:
            ref = self.refs[number]
            out.extend(self.engine.report(E.report(ref, *event)))
        return [brief(m) for m in out]

    def line(self, number: str) -> Line:
        line = self.lines.get(number)
        assert line is not None
        return line

    def call(self, number: str, address: int = 0) -> Any:
        line = self.line(number)
        calls = [c for c in line.calls.values() if c.address == address]
        assert len(calls) == 1, f"{number}/{address} has {len(calls)} calls"
        return calls[0]

    def states(self) -> dict[tuple[str, int], str]:
        return {(c.line, c.address): c.state.name for c in self.engine.calls.values()}


def brief(message: dict[str, Any]) -> tuple[Any, ...]:
    kind = message["msg"]
    if kind == "LINE_CALLSTATE":
        return (kind, message["line"], message["state"])
    if kind == "LINE_CALLINFO":
        return (kind, message["line"], tuple(message["infoState"]))
    return (kind, message["line"])


class OutgoingCallTests(SynchronousTestCase):
    def test_internal_call_between_two_lines(self) -> None:
        """101 calls 102: both lines show the call, with the right states and ids."""
        rig = Rig("101", "102")
        self.assertEqual(
            rig.feed(E.service_initiated(CALL, "101"), "101"),
            [("LINE_NEWCALL", "101"), ("LINE_CALLSTATE", "101", "LINECALLSTATE_DIALTONE")],
        )
        self.assertEqual(
            rig.feed(E.originated(CALL, "101", "102"), "101"),
            [
                (
                    "LINE_CALLINFO",
                    "101",
                    ("LINECALLINFOSTATE_CALLERID", "LINECALLINFOSTATE_CALLEDID"),
                ),
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_PROCEEDING"),
            ],
        )
        self.assertEqual(
            rig.feed(E.delivered(CALL, "102", "101", "102")),
            [
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_RINGBACK"),
                ("LINE_NEWCALL", "102"),
                ("LINE_CALLSTATE", "102", "LINECALLSTATE_OFFERING"),
            ],
        )
        incoming = rig.call("102")
        self.assertEqual(incoming.origin.name, "LINECALLORIGIN_INTERNAL")
        self.assertEqual(incoming.reason.name, "LINECALLREASON_DIRECT")
        self.assertEqual(incoming.caller, {"number": "101", "name": None})
        self.assertIn("LINECALLFEATURE_ANSWER", incoming.to_json()["features"])
        self.assertEqual(
            rig.feed(E.established(CALL, "102", "101", "102")),
            [
                ("LINE_CALLINFO", "101", ("LINECALLINFOSTATE_CONNECTEDID",)),
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_CONNECTED"),
                ("LINE_CALLINFO", "102", ("LINECALLINFOSTATE_CONNECTEDID",)),
                ("LINE_CALLSTATE", "102", "LINECALLSTATE_CONNECTED"),
            ],
        )
        outgoing = rig.call("101")
        self.assertEqual(outgoing.origin.name, "LINECALLORIGIN_OUTBOUND")
        self.assertEqual(outgoing.connected, {"number": "102", "name": None})
        self.assertEqual(outgoing.called, {"number": "102", "name": None})
        self.assertEqual(rig.call("102").connected, {"number": "101", "name": None})
        self.assertEqual(
            rig.feed(E.cleared(CALL, "102")),
            [
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_DISCONNECTED"),
                ("LINE_CALLSTATE", "102", "LINECALLSTATE_IDLE"),
            ],
        )
        self.assertEqual(
            rig.feed(E.cleared(CALL, "101"), "101"),
            [("LINE_CALLSTATE", "101", "LINECALLSTATE_IDLE")],
        )
        self.assertEqual(rig.engine.calls, {})
        self.assertEqual(rig.engine.unfitting, 0)

    def test_external_call_over_a_trunk(self) -> None:
        """networkReached keeps PROCEEDING; the outside party answering connects the call."""
        rig = Rig("101")
        rig.feed(E.service_initiated(CALL, "101"))
        rig.feed(E.originated(CALL, "101", "0301234"))
        self.assertEqual(rig.feed(E.network_reached(CALL, TRUNK, "101", "0301234")), [])
        self.assertEqual(rig.call("101").state.name, "LINECALLSTATE_PROCEEDING")
        rig.feed(E.delivered(CALL, TRUNK, "101", "0301234"))
        self.assertEqual(rig.call("101").state.name, "LINECALLSTATE_RINGBACK")
        rig.feed(E.established(CALL, TRUNK, "101", "0301234"))
        self.assertEqual(rig.call("101").state.name, "LINECALLSTATE_CONNECTED")
        self.assertEqual(
            rig.feed(E.cleared(CALL, TRUNK)),
            [("LINE_CALLSTATE", "101", "LINECALLSTATE_DISCONNECTED")],
        )

    def test_busy(self) -> None:
        """The called phone is busy: BUSY (station) until our phone hangs up."""
        rig = Rig("101")
        rig.feed(E.service_initiated(CALL, "101"))
        rig.feed(E.originated(CALL, "101", "103"))
        self.assertEqual(
            rig.feed(E.failed(CALL, "101", "103", "101", "103", "busy")),
            [("LINE_CALLSTATE", "101", "LINECALLSTATE_BUSY")],
        )
        call = rig.call("101")
        self.assertEqual(call.to_json()["stateMode"], ["LINEBUSYMODE_STATION"])
        self.assertIn("LINECALLFEATURE_COMPLETECALL", call.to_json()["features"])
        self.assertEqual(
            rig.feed(E.cleared(CALL, "101")), [("LINE_CALLSTATE", "101", "LINECALLSTATE_IDLE")]
        )

    def test_failure_causes(self) -> None:
        """Each Failed cause gives the TAPI state and mode a TAPI application expects."""
        expected = {
            "doNotDisturb": ("LINECALLSTATE_DISCONNECTED", "LINEDISCONNECTMODE_DONOTDISTURB"),
            "destNotObtainable": ("LINECALLSTATE_DISCONNECTED", "LINEDISCONNECTMODE_UNREACHABLE"),
            "trunksBusy": ("LINECALLSTATE_BUSY", "LINEBUSYMODE_TRUNK"),
            "reorderTone": ("LINECALLSTATE_SPECIALINFO", "LINESPECIALINFO_REORDER"),
            "somethingNew": ("LINECALLSTATE_DISCONNECTED", "LINEDISCONNECTMODE_UNKNOWN"),
        }
        for cause, (state, mode) in expected.items():
            rig = Rig("101")
            rig.feed(E.service_initiated(CALL, "101"))
            rig.feed(E.failed(CALL, "101", "103", "101", "103", cause))
            call = rig.call("101")
            self.assertEqual((call.state.name, call.to_json()["stateMode"]), (state, [mode]), cause)

    def test_call_made_before_the_driver_saw_it_start(self) -> None:
        """A delivered event for a call we make but never saw start still creates it."""
        rig = Rig("101")
        self.assertEqual(
            rig.feed(E.delivered(CALL, "102", "101", "102")),
            [("LINE_NEWCALL", "101"), ("LINE_CALLSTATE", "101", "LINECALLSTATE_RINGBACK")],
        )
        self.assertEqual(rig.call("101").origin.name, "LINECALLORIGIN_OUTBOUND")

    def test_events_of_other_calls_are_ignored(self) -> None:
        """A call between two other phones reported on our monitor creates nothing."""
        rig = Rig("101")
        self.assertEqual(rig.feed(E.delivered(CALL, "103", "104", "103")), [])
        self.assertEqual(rig.engine.calls, {})


class IncomingCallTests(SynchronousTestCase):
    def test_external_call_has_external_origin(self) -> None:
        rig = Rig("101")
        rig.feed(E.delivered(CALL, "101", "+4930123456", "101", external=True))
        call = rig.call("101")
        self.assertEqual(call.origin.name, "LINECALLORIGIN_EXTERNAL")
        self.assertEqual(call.caller, {"number": "+4930123456", "name": None})
        rig.feed(E.established(CALL, "101", "+4930123456", "101"))
        self.assertEqual(call.state.name, "LINECALLSTATE_CONNECTED")
        self.assertEqual(
            rig.feed(E.cleared(CALL, TRUNK)),
            [("LINE_CALLSTATE", "101", "LINECALLSTATE_DISCONNECTED")],
        )

    def test_caller_gives_up_while_ringing(self) -> None:
        rig = Rig("102")
        rig.feed(E.delivered(CALL, "102", "101", "102"))
        self.assertEqual(
            rig.feed(E.cleared(CALL, "101")),
            [("LINE_CALLSTATE", "102", "LINECALLSTATE_DISCONNECTED")],
        )
        self.assertEqual(
            rig.feed(E.cleared(CALL, "102", "callCancelled")),
            [("LINE_CALLSTATE", "102", "LINECALLSTATE_IDLE")],
        )

    def test_forwarded_call_reason_and_redirecting_id(self) -> None:
        """A call forwarded from 103 to us: reason FWDUNCOND, redirectingId 103."""
        rig = Rig("101")
        rig.feed(
            E.delivered(
                CALL, "101", "104", "103", cause="callForwardImmediate", redirected_by="103"
            )
        )
        call = rig.call("101")
        self.assertEqual(call.reason.name, "LINECALLREASON_FWDUNCOND")
        self.assertEqual(call.redirecting, {"number": "103", "name": None})

    def test_deflected_call_leaves_the_line(self) -> None:
        """Our ringing call deflected elsewhere goes IDLE; the caller sees the redirection."""
        rig = Rig("101", "102")
        rig.feed(E.delivered(CALL, "102", "101", "102"))
        self.assertEqual(
            rig.feed(E.diverted(CALL, "102", "105", "101")),
            [
                ("LINE_CALLINFO", "101", ("LINECALLINFOSTATE_REDIRECTIONID",)),
                ("LINE_CALLSTATE", "102", "LINECALLSTATE_IDLE"),
            ],
        )
        self.assertEqual(rig.call("101").redirection, {"number": "105", "name": None})
        self.assertEqual(rig.call("101").state.name, "LINECALLSTATE_RINGBACK")

    def test_picked_up_elsewhere(self) -> None:
        """Another phone picks our ringing call up: established elsewhere, then our
        connection is cleared and the call goes IDLE here."""
        rig = Rig("102")
        rig.feed(E.delivered(CALL, "102", "101", "102"))
        self.assertEqual(rig.feed(E.established(CALL, "103", "101", "102", "callPickup")), [])
        self.assertEqual(
            rig.feed(E.cleared(CALL, "102")), [("LINE_CALLSTATE", "102", "LINECALLSTATE_IDLE")]
        )


class HoldTransferConferenceTests(SynchronousTestCase):
    def connected(self) -> Rig:
        rig = Rig("101", "102", "103")
        rig.feed(E.service_initiated(CALL, "101"), "101")
        rig.feed(E.originated(CALL, "101", "102"), "101")
        rig.feed(E.delivered(CALL, "102", "101", "102"), "101", "102")
        rig.feed(E.established(CALL, "102", "101", "102"), "101", "102")
        return rig

    def consult(self, rig: Rig) -> None:
        rig.feed(E.held(CALL, "101"), "101", "102")
        rig.feed(E.service_initiated(CONSULT, "101"), "101")
        rig.feed(E.originated(CONSULT, "101", "103"), "101")
        rig.feed(E.delivered(CONSULT, "103", "101", "103"), "101", "103")
        rig.feed(E.established(CONSULT, "103", "101", "103"), "101", "103")

    def test_hold_and_retrieve(self) -> None:
        rig = self.connected()
        self.assertEqual(
            rig.feed(E.held(CALL, "101"), "101", "102"),
            [("LINE_CALLSTATE", "101", "LINECALLSTATE_ONHOLD")],
        )
        self.assertEqual(rig.call("102").state.name, "LINECALLSTATE_CONNECTED")
        self.assertIn("LINECALLFEATURE_UNHOLD", rig.call("101").to_json()["features"])
        self.assertEqual(
            rig.feed(E.retrieved(CALL, "101"), "101", "102"),
            [("LINE_CALLSTATE", "101", "LINECALLSTATE_CONNECTED")],
        )

    def test_pending_transfer_state_and_swap_features(self) -> None:
        """While a transfer is set up the held call is ONHOLDPENDTRANSFER; once the
        consultation call is connected both calls offer swap hold and complete transfer."""
        rig = self.connected()
        rig.call("101").pending = "transfer"
        self.consult(rig)
        held = next(c for c in rig.line("101").calls.values() if c.csta_call == CALL)
        active = next(c for c in rig.line("101").calls.values() if c.csta_call == CONSULT)
        self.assertEqual(held.state.name, "LINECALLSTATE_ONHOLDPENDTRANSFER")
        self.assertEqual(active.state.name, "LINECALLSTATE_CONNECTED")
        for call in (held, active):
            features = call.to_json()["features"]
            self.assertIn("LINECALLFEATURE_SWAPHOLD", features)
            self.assertIn("LINECALLFEATURE_COMPLETETRANSF", features)

    def test_transfer_rebinds_the_other_parties(self) -> None:
        """101 transfers 102 to 103: 101's calls go IDLE; 102 and 103 are connected to each
        other, on the new call."""
        rig = self.connected()
        self.consult(rig)
        out = rig.feed(E.transferred(CALL, CONSULT, "101", "103", NEW_CALL, ["102", "103"]))
        self.assertEqual(
            sorted(m for m in out if m[0] == "LINE_CALLSTATE"),
            [
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_IDLE"),
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_IDLE"),
            ],
        )
        self.assertIn(
            (
                "LINE_CALLINFO",
                "102",
                (
                    "LINECALLINFOSTATE_CALLID",
                    "LINECALLINFOSTATE_CONNECTEDID",
                    "LINECALLINFOSTATE_REDIRECTIONID",
                ),
            ),
            out,
        )
        self.assertEqual(rig.call("102").csta_call, NEW_CALL)
        self.assertEqual(rig.call("102").connected, {"number": "103", "name": None})
        self.assertEqual(rig.call("103").connected, {"number": "102", "name": None})
        self.assertEqual(
            rig.states(),
            {("102", 0): "LINECALLSTATE_CONNECTED", ("103", 0): "LINECALLSTATE_CONNECTED"},
        )
        rig.feed(E.cleared(NEW_CALL, "103"))
        self.assertEqual(rig.states()[("102", 0)], "LINECALLSTATE_DISCONNECTED")

    def test_transfer_of_an_outside_call_from_new_connections_alone(self) -> None:
        """101 talks to an outside party over a CO line, consults 102 and transfers: the
        Transferred event carries, per party, newConnection and associatedNID and nothing
        else, as a Panasonic PBX sends it. Every line's calls end in the right TAPI state, and
        102's call follows into the call that survives."""
        rig = Rig("101", "102")
        rig.feed(E.service_initiated(CALL, "101"), "101")
        rig.feed(E.originated(CALL, "101", "0301234"), "101")
        rig.feed(E.network_reached(CALL, TRUNK, "101", "0301234"), "101")
        rig.feed(E.established(CALL, TRUNK, "101", "0301234"), "101")
        rig.feed(E.held(CALL, "101"), "101")
        rig.feed(E.service_initiated(CONSULT, "101"), "101")
        rig.feed(E.originated(CONSULT, "101", "102"), "101")
        rig.feed(E.delivered(CONSULT, "102", "101", "102"), "101", "102")
        rig.feed(E.established(CONSULT, "102", "101", "102"), "101", "102")
        self.assertEqual(
            sorted(c.state.name for c in rig.line("101").calls.values()),
            ["LINECALLSTATE_CONNECTED", "LINECALLSTATE_ONHOLD"],
        )
        self.assertEqual(rig.call("102").state.name, "LINECALLSTATE_CONNECTED")
        event = E.transferred(CONSULT, CALL, "101", "102", CALL, [TRUNK, "102"])
        entries = event[1]["transferredConnections"]
        self.assertEqual([sorted(e) for e in entries], [["associatedNID", "newConnection"]] * 2)
        self.assertEqual(entries[0]["associatedNID"], ("deviceID", E.device(TRUNK)))
        self.assertEqual(entries[1]["associatedNID"], ("notKnown", None))
        out = rig.feed(event)
        self.assertEqual(
            sorted(m for m in out if m[0] == "LINE_CALLSTATE"),
            [
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_IDLE"),
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_IDLE"),
            ],
        )
        self.assertEqual(rig.line("101").calls, {})
        self.assertEqual(rig.states(), {("102", 0): "LINECALLSTATE_CONNECTED"})
        self.assertEqual(rig.call("102").csta_call, CALL)
        changed = [m[2] for m in out if m[:2] == ("LINE_CALLINFO", "102")]
        self.assertEqual(len(changed), 1)
        self.assertLessEqual(
            {"LINECALLINFOSTATE_CALLID", "LINECALLINFOSTATE_CONNECTEDID"}, set(changed[0])
        )
        self.assertEqual(rig.call("102").connected_key, TRUNK)
        self.assertEqual(rig.engine.unfitting, 0)
        out = rig.feed(E.cleared(CALL, TRUNK), "102")
        self.assertEqual(out, [("LINE_CALLSTATE", "102", "LINECALLSTATE_DISCONNECTED")])

    def test_conference_builds_a_conference_call(self) -> None:
        """101 conferences 102 and 103: a conference call appears on 101 with both calls
        CONFERENCED in it; a member leaving takes only its call away."""
        rig = self.connected()
        rig.call("101").pending = "conference"
        self.consult(rig)
        held = next(c for c in rig.line("101").calls.values() if c.csta_call == CALL)
        self.assertEqual(held.state.name, "LINECALLSTATE_ONHOLDPENDCONF")
        out = rig.feed(E.conferenced(CALL, CONSULT, "101", "103", NEW_CALL, ["101", "102", "103"]))
        self.assertIn(("LINE_NEWCALL", "101"), out)
        calls = list(rig.line("101").calls.values())
        parent = next(c for c in calls if c.is_conference)
        members = [c for c in calls if not c.is_conference]
        self.assertEqual(parent.state.name, "LINECALLSTATE_CONNECTED")
        self.assertEqual(parent.origin.name, "LINECALLORIGIN_CONFERENCE")
        self.assertEqual({m.state.name for m in members}, {"LINECALLSTATE_CONFERENCED"})
        self.assertEqual({m.conference for m in members}, {parent.id})
        self.assertEqual(rig.call("102").csta_call, NEW_CALL)
        self.assertEqual(rig.call("102").state.name, "LINECALLSTATE_CONNECTED")
        out = rig.feed(E.cleared(NEW_CALL, "103"))
        self.assertEqual(rig.call("102").state.name, "LINECALLSTATE_CONNECTED")
        self.assertEqual(parent.state.name, "LINECALLSTATE_CONNECTED")
        remaining = [c for c in rig.line("101").calls.values() if not c.is_conference]
        self.assertEqual([(c.connected or {}).get("number") for c in remaining], ["102"])


class SuperTwinTests(SynchronousTestCase):
    def rig(self) -> Rig:
        directory = Directory()
        directory.add(0x01110001, "101")
        directory.add(DECT, "101")
        rig = Rig("101", directory=directory)
        line = rig.line("101")
        assert line is not None
        self.assertEqual(line.twin, DECT)
        rig.lines.bind_monitor(line, b"\x09", twin=True)
        rig.refs["dect"] = b"\x09"
        return rig

    def test_incoming_call_rings_both_and_dect_answer_takes_address_1(self) -> None:
        rig = self.rig()
        line = rig.line("101")
        self.assertEqual([a["name"] for a in line.addresses], ["101", "Mobile"])
        rig.feed(E.delivered(CALL, "101", "102", "101"))
        rig.feed(E.delivered(CALL, DECT, "102", "101"))
        self.assertEqual(
            rig.states(),
            {("101", 0): "LINECALLSTATE_OFFERING", ("101", 1): "LINECALLSTATE_OFFERING"},
        )
        out = rig.feed(E.established(CALL, DECT, "102", "101"))
        self.assertIn(("LINE_CALLSTATE", "101", "LINECALLSTATE_IDLE"), out)
        self.assertEqual(rig.states(), {("101", 1): "LINECALLSTATE_CONNECTED"})
        rig.feed(E.cleared(CALL, "101"))
        self.assertEqual(rig.states(), {("101", 1): "LINECALLSTATE_CONNECTED"})
        rig.feed(E.cleared(CALL, DECT))
        self.assertEqual(rig.states(), {})
        self.assertEqual(rig.engine.unfitting, 0)

    def test_twin_learned_from_events(self) -> None:
        """Without a device list, a DECT ringing for our number is taken as our twin."""
        rig = Rig("101")
        rig.feed(E.delivered(CALL, DECT, "102", "101"))
        line = rig.line("101")
        self.assertEqual(line.twin, DECT)
        self.assertEqual(rig.engine.learned_twins, [line])
        self.assertEqual(rig.states(), {("101", 1): "LINECALLSTATE_OFFERING"})

    def test_events_reported_by_both_monitors_count_once(self) -> None:
        rig = self.rig()
        first = rig.feed(E.delivered(CALL, "101", "102", "101"), "101")
        again = rig.feed(E.delivered(CALL, "101", "102", "101"), "dect")
        self.assertEqual(len(first), 2)
        self.assertEqual(again, [])


class RobustnessTests(SynchronousTestCase):
    def test_unfitting_event_is_logged_with_history_not_raised(self) -> None:
        rig = Rig("101")
        rig.feed(E.delivered(CALL, "101", "102", "101"))
        self.assertEqual(rig.feed(E.retrieved(CALL, "101")), [])
        self.assertEqual(rig.call("101").state.name, "LINECALLSTATE_OFFERING")
        self.assertEqual(rig.engine.unfitting, 1)
        warnings = [e for e in rig.logged if "does not fit" in e["log_format"]]
        self.assertEqual(len(warnings), 1)
        self.assertIn("delivered/local: NEW -> LINECALLSTATE_OFFERING", warnings[0]["history"])

    def test_table_has_no_row_for_impossible_pairs(self) -> None:
        """Spot checks that the single table is what drives the model."""
        self.assertIs(
            TRANSITIONS[
                (
                    "held",
                    Side.LOCAL,
                    __import__(
                        "ecsta.driver.constants", fromlist=["x"]
                    ).LineCallState.LINECALLSTATE_CONNECTED,
                )
            ],
            Rule.HOLD,
        )
        self.assertNotIn(("retrieved", Side.LOCAL, "NEW"), TRANSITIONS)

    def test_event_for_unknown_monitor_is_dropped(self) -> None:
        rig = Rig("101")
        self.assertEqual(rig.engine.report(E.report(b"\xff", *E.held(CALL, "101"))), [])


class SnapshotTests(SynchronousTestCase):
    def entry(self, call: bytes, device: str | int, state: str) -> dict[str, Any]:
        return {
            "connectionIdentifier": E.conn(call, device),
            "localCallState": ("compoundCallState", [state, "connected"]),
        }

    def test_resync_removes_gone_calls_and_adds_new_ones(self) -> None:
        rig = Rig("101")
        rig.feed(E.delivered(CALL, "101", "102", "101"))
        line = rig.line("101")
        out = [brief(m) for m in rig.engine.resync(line, [self.entry(NEW_CALL, "101", "hold")])]
        self.assertEqual(
            out,
            [
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_IDLE"),
                ("LINE_NEWCALL", "101"),
                ("LINE_CALLSTATE", "101", "LINECALLSTATE_ONHOLD"),
            ],
        )
        self.assertEqual(rig.call("101").csta_call, NEW_CALL)

    def test_resync_keeps_what_agrees(self) -> None:
        rig = Rig("101")
        rig.feed(E.delivered(CALL, "101", "102", "101"))
        line = rig.line("101")
        self.assertEqual(rig.engine.resync(line, [self.entry(CALL, "101", "alerting")]), [])


class ForwardingTests(SynchronousTestCase):
    def test_forwarding_event_raises_address_state(self) -> None:
        rig = Rig("101")
        out = rig.engine.report(
            E.report(b"\x01", *E.forwarding("101", "forwardBusyExt", True, "200"))
        )
        self.assertEqual([m["msg"] for m in out], ["LINE_ADDRESSSTATE"])
        self.assertEqual(
            out[0]["status"]["forwards"], [{"mode": "LINEFORWARDMODE_BUSYEXTERNAL", "to": "200"}]
        )
        self.assertEqual(out[0]["addressState"], ["LINEADDRESSSTATE_FORWARD"])
        out = rig.engine.report(E.report(b"\x01", *E.forwarding("101", "forwardBusyExt", False)))
        self.assertEqual(out[0]["status"]["forwards"], [])
