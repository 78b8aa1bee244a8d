"""The driver end to end: its API and event stream against the simulator, in memory.

For every operation: the HTTP answer, and the full sequence of TAPI messages published for
every line involved (compact: ``CALLSTATE:CONNECTED``, ``CALLINFO:CONNECTEDID``, ``REPLY:hold``).
Calls persons make at the phones go through the simulator's control API. The call operations
also run through the multiplexer.
"""

from typing import Any

from twisted.trial.unittest import TestCase

from ecsta.sim.config import SimConfig
from ecsta.sim.plan import SwitchPlan
from tests.driver_harness import DriverHarness
from tests.driver_rig import API_PORT, DriverRig

TOKEN = "a-test-token-of-some-length"


def compact(message: dict[str, Any]) -> str:
    kind = message["msg"].removeprefix("LINE_")
    if kind == "CALLSTATE":
        return f"CALLSTATE:{message['state'].removeprefix('LINECALLSTATE_')}"
    if kind == "CALLINFO":
        return "CALLINFO:" + "+".join(
            s.removeprefix("LINECALLINFOSTATE_") for s in message["infoState"]
        )
    if kind == "REPLY":
        return f"REPLY:{message['operation']}" + ("!" if "error" in message else "")
    if kind == "LINEDEVSTATE":
        return "LINEDEVSTATE:" + "+".join(
            s.removeprefix("LINEDEVSTATE_") for s in message["devState"]
        )
    return kind


class Flow(TestCase):
    """One rig per test, in memory (:class:`DriverRig`); ``lines`` are monitored (103-106 have
    no Super-Twin). ``through_mux`` puts the multiplexer in between; ``loopback`` takes the
    loopback harness on the real reactor instead, for what only real threads show."""

    lines = ["103", "104", "105"]
    through_mux = False
    loopback = False

    async def begin(self, **kwargs: Any) -> Any:
        if self.loopback:
            h: Any = DriverHarness()
        else:
            h = DriverRig()
            if self.through_mux:
                kwargs["via"] = lambda pbx: h.mux({}, pbx)
        self.addCleanup(h.stop)
        await h.start(kwargs.pop("lines", self.lines), **kwargs)
        self.h = h
        return h

    async def quiet(self) -> None:
        """Until nothing more is coming: in memory, every byte and due timer moved; over
        loopback, until the driver and the event stream have caught up with the PBX."""
        if isinstance(self.h, DriverRig):
            self.h.flush()
        else:
            await self.h.caught_up()

    async def retry_monitors(self) -> None:
        """The driver's periodic retry, now, and what it set off."""
        retrying = self.h.driver.retry_monitors()
        await self.quiet()
        await retrying

    def seq(self, mark: int, line: str) -> list[str]:
        return [compact(m) for m in self.h.since(mark, line)]

    async def op(self, path: str, body: Any = None, status: int = 200) -> Any:
        code, answer = await self.h.api("POST", path, body)
        self.assertEqual(code, status, answer)
        await self.quiet()
        return answer

    async def call_on(self, line: str, state: str = "OFFERING") -> int:
        await self.quiet()
        found = [i for i, c in self.h.calls(line).items() if c["state"] == f"LINECALLSTATE_{state}"]
        self.assertEqual(len(found), 1, self.h.calls(line))
        return found[0]

    async def connected(self, a: str = "103", b: str = "104") -> tuple[int, int]:
        made = await self.op(f"/lines/{a}/makecall", {"to": b})
        answered = await self.call_on(b)
        await self.op(f"/calls/{answered}/answer")
        return made["call"], answered


OUTGOING = [
    "NEWCALL",
    "CALLSTATE:DIALTONE",
    "REPLY:makecall",
    "CALLINFO:CALLERID+CALLEDID",
    "CALLSTATE:PROCEEDING",
    "CALLSTATE:RINGBACK",
]
#: A line that rings and is answered at the phone, not through the API.
ANSWERED_AT_THE_PHONE = [
    "NEWCALL",
    "CALLSTATE:OFFERING",
    "CALLINFO:CONNECTEDID",
    "CALLSTATE:CONNECTED",
]


class CallOperationTests(Flow):
    async def test_makecall_answer_drop(self) -> None:
        h = await self.begin()
        mark = h.mark()
        made = await self.op("/lines/103/makecall", {"to": "104"})
        self.assertEqual(set(made), {"call", "callID"})
        ringing = await self.call_on("104")
        self.assertEqual(await self.op(f"/calls/{ringing}/answer"), {})
        self.assertEqual(await self.op(f"/calls/{made['call']}/drop"), {})
        self.assertEqual(
            self.seq(mark, "103"),
            [
                *OUTGOING,
                "CALLINFO:CONNECTEDID",
                "CALLSTATE:CONNECTED",
                "REPLY:drop",
                "CALLSTATE:IDLE",
            ],
        )
        self.assertEqual(
            self.seq(mark, "104"),
            [
                "NEWCALL",
                "CALLSTATE:OFFERING",
                "REPLY:answer",
                "CALLINFO:CONNECTEDID",
                "CALLSTATE:CONNECTED",
                "CALLSTATE:DISCONNECTED",
                "CALLSTATE:IDLE",
            ],
        )
        news = [m for m in h.since(mark, "104") if m["msg"] == "LINE_NEWCALL"]
        info = news[0]["callInfo"]
        self.assertEqual(
            (info["origin"], info["reason"], info["callerId"]["number"]),
            ("LINECALLORIGIN_INTERNAL", "LINECALLREASON_DIRECT", "103"),
        )
        self.assertEqual((await h.api("GET", "/calls"))[1], {"calls": []})

    async def test_hold_unhold(self) -> None:
        h = await self.begin()
        _caller, callee = await self.connected()
        mark = h.mark()
        await self.op(f"/calls/{callee}/hold")
        self.assertEqual(
            (await h.api("GET", f"/calls/{callee}"))[1]["state"], "LINECALLSTATE_ONHOLD"
        )
        await self.op(f"/calls/{callee}/unhold")
        self.assertEqual(
            self.seq(mark, "104"),
            ["REPLY:hold", "CALLSTATE:ONHOLD", "REPLY:unhold", "CALLSTATE:CONNECTED"],
        )
        self.assertEqual(self.seq(mark, "103"), [])

    async def test_generatedigits(self) -> None:
        h = await self.begin()
        caller, _ = await self.connected()
        mark = h.mark()
        self.assertEqual(await self.op(f"/calls/{caller}/generatedigits", {"digits": "123#"}), {})
        self.assertEqual(self.seq(mark, "103"), ["REPLY:generatedigits", "GENERATE"])
        self.assertEqual(self.seq(mark, "104"), [], "only the line that generated them")
        done = h.since(mark, "103")[-1]
        self.assertEqual(
            (done["call"], done["generateTermination"], done["digits"]),
            (caller, "LINEGENERATETERM_DONE", "123#"),
        )

    async def test_redirect(self) -> None:
        h = await self.begin()
        mark = h.mark()
        made = await self.op("/lines/103/makecall", {"to": "104"})
        ringing = await self.call_on("104")
        self.assertEqual(await self.op(f"/calls/{ringing}/redirect", {"to": "105"}), {})
        self.assertEqual(
            self.seq(mark, "104"),
            ["NEWCALL", "CALLSTATE:OFFERING", "REPLY:redirect", "CALLSTATE:IDLE"],
        )
        self.assertEqual(self.seq(mark, "105"), ["NEWCALL", "CALLSTATE:OFFERING"])
        self.assertEqual(self.seq(mark, "103"), [*OUTGOING, "CALLINFO:REDIRECTIONID"])
        self.assertEqual(h.calls("103")[made["call"]]["redirectionId"]["number"], "105")
        offered = h.calls("105")[await self.call_on("105")]
        self.assertEqual(offered["reason"], "LINECALLREASON_REDIRECT")
        self.assertEqual(offered["redirectingId"]["number"], "104")

    async def test_blindtransfer(self) -> None:
        h = await self.begin()
        caller, callee = await self.connected()
        mark = h.mark()
        answer = await self.op(f"/calls/{callee}/blindtransfer", {"to": "105"})
        self.assertEqual(set(answer), {"transferredCallID"})
        self.assertEqual(self.seq(mark, "104"), ["REPLY:blindtransfer", "CALLSTATE:IDLE"])
        self.assertEqual(self.seq(mark, "103"), ["CALLINFO:CONNECTEDID+REDIRECTIONID"])
        self.assertEqual(h.calls("103")[caller]["connectedId"]["number"], "105")
        self.assertEqual(self.seq(mark, "105"), ["NEWCALL", "CALLSTATE:OFFERING"])
        offered = h.calls("105")[await self.call_on("105")]
        self.assertEqual(offered["reason"], "LINECALLREASON_TRANSFER")

    async def consultation(self) -> tuple[int, int, int, int]:
        caller, callee = await self.connected()
        setup = await self.op(f"/calls/{caller}/setuptransfer")
        consult = setup["consult"]
        self.assertEqual(
            await self.op(f"/calls/{consult}/dial", {"digits": "105"}), {"call": consult}
        )
        third = await self.call_on("105")
        await self.op(f"/calls/{third}/answer")
        return caller, callee, consult, third

    async def test_setuptransfer_dial_completetransfer(self) -> None:
        h = await self.begin()
        mark = h.mark()
        caller, callee, consult, third = await self.consultation()
        calls = h.calls("103")
        self.assertEqual(calls[caller]["state"], "LINECALLSTATE_ONHOLDPENDTRANSFER")
        self.assertEqual(calls[consult]["relatedCall"], caller)
        self.assertIn("LINECALLFEATURE_COMPLETETRANSF", calls[consult]["features"])
        done = await self.op(
            f"/calls/{caller}/completetransfer", {"consult": consult, "mode": "transfer"}
        )
        self.assertEqual(set(done), {"transferredCallID"})
        self.assertEqual(
            self.seq(mark, "103"),
            [
                *OUTGOING,
                "CALLINFO:CONNECTEDID",
                "CALLSTATE:CONNECTED",
                "NEWCALL",
                "CALLSTATE:DIALTONE",
                "REPLY:setuptransfer",
                "CALLSTATE:ONHOLDPENDTRANSFER",
                "REPLY:dial",
                "CALLINFO:CALLERID+CALLEDID",
                "CALLSTATE:PROCEEDING",
                "CALLSTATE:RINGBACK",
                "CALLSTATE:ONHOLDPENDTRANSFER",
                "CALLINFO:CONNECTEDID",
                "CALLSTATE:CONNECTED",
                "CALLSTATE:ONHOLDPENDTRANSFER",
                "REPLY:completetransfer",
                "CALLSTATE:IDLE",
                "CALLSTATE:IDLE",
            ],
        )
        self.assertEqual(self.seq(mark, "104")[-1], "CALLINFO:CONNECTEDID+REDIRECTIONID")
        self.assertEqual(
            self.seq(mark, "105"),
            [
                "NEWCALL",
                "CALLSTATE:OFFERING",
                "REPLY:answer",
                "CALLINFO:CONNECTEDID",
                "CALLSTATE:CONNECTED",
                "CALLINFO:CALLID+REASON+CALLERID+CONNECTEDID+REDIRECTINGID",
            ],
        )
        self.assertEqual(h.calls("104")[callee]["connectedId"]["number"], "105")
        self.assertEqual(h.calls("105")[third]["connectedId"]["number"], "104")
        self.assertEqual(h.calls("104")[callee]["callID"], h.calls("105")[third]["callID"])

    async def test_swaphold(self) -> None:
        h = await self.begin()
        caller, _, consult, _ = await self.consultation()
        mark = h.mark()
        self.assertEqual(await self.op(f"/calls/{consult}/swaphold", {"other": caller}), {})
        calls = h.calls("103")
        self.assertEqual(
            (calls[caller]["state"], calls[consult]["state"]),
            ("LINECALLSTATE_CONNECTED", "LINECALLSTATE_ONHOLD"),
        )
        self.assertEqual(
            self.seq(mark, "103"),
            [
                "REPLY:swaphold",
                "CALLSTATE:ONHOLD",
                "CALLSTATE:ONHOLDPENDTRANSFER",
                "CALLSTATE:CONNECTED",
                "CALLSTATE:ONHOLD",
            ],
        )
        self.assertEqual(self.seq(mark, "104"), [])
        self.assertEqual(self.seq(mark, "105"), [])

    async def test_conference_add_and_remove(self) -> None:
        """completetransfer in conference mode, then a member removed, then one added."""
        h = await self.begin(lines=["103", "104", "105", "106"])
        caller, _callee = await self.connected()
        setup = await self.op(f"/calls/{caller}/setupconference")
        consult = setup["consult"]
        await self.op(f"/calls/{consult}/dial", {"digits": "105"})
        await self.op(f"/calls/{await self.call_on('105')}/answer")
        self.assertEqual(h.calls("103")[caller]["state"], "LINECALLSTATE_ONHOLDPENDCONF")
        mark = h.mark()
        done = await self.op(
            f"/calls/{caller}/completetransfer", {"consult": consult, "mode": "conference"}
        )
        parent = done["conferenceCall"]
        calls = h.calls("103")
        self.assertEqual(calls[parent]["state"], "LINECALLSTATE_CONNECTED")
        self.assertEqual(calls[parent]["origin"], "LINECALLORIGIN_CONFERENCE")
        self.assertEqual(
            {calls[caller]["state"], calls[consult]["state"]}, {"LINECALLSTATE_CONFERENCED"}
        )
        self.assertEqual(
            {calls[caller]["conferenceCall"], calls[consult]["conferenceCall"]}, {parent}
        )
        self.assertEqual(
            self.seq(mark, "103"),
            [
                "NEWCALL",
                "CALLSTATE:CONNECTED",
                "REPLY:completetransfer",
                "CALLINFO:CALLID+RELATEDCALLID",
                "CALLSTATE:CONFERENCED",
                "CALLINFO:CALLID+RELATEDCALLID",
                "CALLSTATE:CONFERENCED",
                # the conference call no longer offers what its held member made possible
                "CALLSTATE:CONNECTED",
            ],
        )
        self.assertEqual(self.seq(mark, "104"), [])
        self.assertEqual(self.seq(mark, "105"), ["CALLINFO:CALLID"])
        mark = h.mark()
        self.assertEqual(await self.op(f"/calls/{caller}/removefromconference"), {})
        self.assertEqual(self.seq(mark, "103"), ["REPLY:removefromconference", "CALLSTATE:IDLE"])
        self.assertEqual(self.seq(mark, "104"), ["CALLSTATE:IDLE"])
        self.assertEqual(
            h.calls("105")[await self.call_on("105", "CONNECTED")]["state"],
            "LINECALLSTATE_CONNECTED",
        )
        # add 106 to the conference: hold it, consult 106, add.
        await self.op(f"/calls/{parent}/hold")
        extra = await self.op("/lines/103/makecall", {"to": "106"})
        await self.op(f"/calls/{await self.call_on('106')}/answer")
        mark = h.mark()
        added = await self.op(f"/calls/{parent}/addtoconference", {"consult": extra["call"]})
        self.assertEqual(added["conferenceCall"], parent)
        calls = h.calls("103")
        self.assertEqual(calls[extra["call"]]["state"], "LINECALLSTATE_CONFERENCED")
        self.assertEqual(calls[parent]["state"], "LINECALLSTATE_CONNECTED")
        self.assertEqual(self.seq(mark, "106"), ["CALLINFO:CALLID"])

    async def test_completecall_callback_and_intrude(self) -> None:
        h = await self.begin()
        await self.connected()
        mark = h.mark()
        busy = await self.op("/lines/105/makecall", {"to": "104"})
        self.assertEqual(h.calls("105")[busy["call"]]["state"], "LINECALLSTATE_BUSY")
        answer = await self.op(f"/calls/{busy['call']}/completecall", {"mode": "callback"})
        self.assertEqual(answer["mode"], "LINECALLCOMPLMODE_CALLBACK")
        self.assertEqual(
            self.seq(mark, "105"),
            [
                "NEWCALL",
                "CALLSTATE:DIALTONE",
                "REPLY:makecall",
                "CALLINFO:CALLERID+CALLEDID",
                "CALLSTATE:PROCEEDING",
                "CALLSTATE:BUSY",
                "REPLY:completecall",
                "CALLSTATE:IDLE",
            ],
        )
        mark = h.mark()
        busy = await self.op("/lines/105/makecall", {"to": "104"})
        answer = await self.op(f"/calls/{busy['call']}/completecall", {"mode": "intrude"})
        self.assertEqual(answer, {"mode": "LINECALLCOMPLMODE_INTRUDE"})
        joined = h.calls("105")[busy["call"]]
        self.assertEqual(
            (joined["state"], joined["connectedId"]["number"]), ("LINECALLSTATE_CONNECTED", "104")
        )
        self.assertEqual(
            self.seq(mark, "105")[-3:],
            ["REPLY:completecall", "CALLINFO:CALLID+CONNECTEDID", "CALLSTATE:CONNECTED"],
        )
        self.assertEqual(self.seq(mark, "104"), ["CALLINFO:CONNECTEDID"])
        self.assertEqual(self.seq(mark, "103"), ["CALLINFO:CONNECTEDID"])

    async def test_dial_on_the_dial_tone_of_a_phone(self) -> None:
        """A person lifts the handset; the application dials the number for them (DialDigits)."""
        h = await self.begin()
        mark = h.mark()
        await h.person("103", "offhook")
        call = await self.call_on("103", "DIALTONE")
        self.assertEqual(self.seq(mark, "103"), ["NEWCALL", "CALLSTATE:DIALTONE"])
        self.assertEqual(await self.op(f"/calls/{call}/dial", {"digits": "104"}), {})
        self.assertEqual(
            self.seq(mark, "103"),
            [
                "NEWCALL",
                "CALLSTATE:DIALTONE",
                "REPLY:dial",
                "CALLINFO:CALLERID+CALLEDID",
                "CALLSTATE:PROCEEDING",
                "CALLSTATE:RINGBACK",
            ],
        )
        self.assertEqual(self.seq(mark, "104"), ["NEWCALL", "CALLSTATE:OFFERING"])
        offered = h.calls("104")[await self.call_on("104")]
        self.assertEqual(
            (offered["origin"], offered["callerId"]["number"]), ("LINECALLORIGIN_INTERNAL", "103")
        )
        self.assertEqual(h.calls("103")[call]["calledId"]["number"], "104")
        self.assertEqual(offered["callID"], h.calls("103")[call]["callID"])
        await h.person("104", "answer")
        await self.quiet()
        self.assertEqual(h.calls("103")[call]["state"], "LINECALLSTATE_CONNECTED")
        self.assertEqual(h.calls("104")[offered["id"]]["state"], "LINECALLSTATE_CONNECTED")


class LineOperationTests(Flow):
    async def test_pickup(self) -> None:
        h = await self.begin()
        mark = h.mark()
        await self.op("/lines/103/makecall", {"to": "104"})
        await self.call_on("104")
        picked = await self.op("/lines/105/pickup", {"from": "104"})
        call = h.calls("105")[picked["call"]]
        self.assertEqual(
            (call["state"], call["reason"], call["connectedId"]["number"]),
            ("LINECALLSTATE_CONNECTED", "LINECALLREASON_PICKUP", "103"),
        )
        self.assertEqual(self.seq(mark, "104"), ["NEWCALL", "CALLSTATE:OFFERING", "CALLSTATE:IDLE"])
        self.assertEqual(
            self.seq(mark, "105")[:3], ["NEWCALL", "CALLSTATE:CONNECTED", "REPLY:pickup"]
        )
        self.assertEqual(
            self.seq(mark, "103")[-2:], ["CALLINFO:CONNECTEDID", "CALLSTATE:CONNECTED"]
        )

    async def test_forward_all_nine_modes(self) -> None:
        h = await self.begin()
        modes = [
            "UNCOND",
            "UNCONDINTERNAL",
            "UNCONDEXTERNAL",
            "BUSY",
            "BUSYINTERNAL",
            "BUSYEXTERNAL",
            "NOANSW",
            "NOANSWINTERNAL",
            "NOANSWEXTERNAL",
        ]
        for mode in modes:
            mark = h.mark()
            wanted = [{"mode": f"LINEFORWARDMODE_{mode}", "to": "105"}]
            answer = await self.op("/lines/104/forward", {"address": 0, "forwards": wanted})
            self.assertEqual(answer["forwards"], wanted)
            status = (await h.api("GET", "/lines/104/addresses/0/status"))[1]
            self.assertEqual(status["forwards"], wanted)
            sequence = self.seq(mark, "104")
            self.assertEqual(sequence[-1], "REPLY:forward")
            self.assertIn("ADDRESSSTATE", sequence)
            state = await h.control("GET", "/state")
            device = next(d for d in state["devices"] if d["number"] == "104")
            self.assertEqual(len(device["forwarding"]), 1, device["forwarding"])
        mark = h.mark()
        answer = await self.op("/lines/104/forward", {"forwards": []})
        self.assertEqual(answer["forwards"], [])
        self.assertEqual(self.seq(mark, "104"), ["ADDRESSSTATE", "REPLY:forward"])

    async def test_forwarded_call_arrives_with_its_reason(self) -> None:
        h = await self.begin()
        await self.op(
            "/lines/104/forward", {"forwards": [{"mode": "LINEFORWARDMODE_UNCOND", "to": "105"}]}
        )
        mark = h.mark()
        made = await self.op("/lines/103/makecall", {"to": "104"})
        offered = h.calls("105")[await self.call_on("105")]
        self.assertEqual(offered["reason"], "LINECALLREASON_FWDUNCOND")
        self.assertEqual(offered["redirectingId"]["number"], "104")
        self.assertEqual(h.calls("103")[made["call"]]["redirectionId"]["number"], "105")
        self.assertEqual(self.seq(mark, "104"), [])

    async def test_close_and_open(self) -> None:
        """A closed line is no longer monitored: its calls are not reported, its operations
        refused; opened again, it is back in service."""
        h = await self.begin()
        mark = h.mark()
        closed = await self.op("/lines/104/close")
        self.assertEqual((closed["open"], closed["inService"]), (False, False))
        await self.op("/lines/103/makecall", {"to": "104"})
        self.assertEqual(self.seq(mark, "104"), ["LINEDEVSTATE:CLOSE"])
        code, answer = await h.api("POST", "/lines/104/makecall", {"to": "105"})
        self.assertEqual((code, answer["error"]), (409, "lineClosed"))
        state = await h.control("GET", "/state")
        self.assertNotIn("104", [m["device"] for m in state["monitors"]])
        opened = await self.op("/lines/104/open")
        self.assertEqual((opened["open"], opened["inService"]), (True, True))
        calls = list(h.calls("104").values())
        self.assertEqual([c["state"] for c in calls], ["LINECALLSTATE_OFFERING"])
        self.assertEqual(
            self.seq(mark, "104")[1:], ["NEWCALL", "CALLSTATE:OFFERING", "LINEDEVSTATE:INSERVICE"]
        )


class PersonTests(Flow):
    async def test_calls_made_at_the_phones(self) -> None:
        h = await self.begin()
        mark = h.mark()
        await h.person("103", "offhook")
        await h.person("103", "dial", digits="104")
        await h.person("104", "answer")
        await h.person("104", "hold")
        await h.person("104", "retrieve")
        await h.person("103", "onhook")
        await h.person("104", "onhook")
        await self.quiet()
        self.assertEqual(
            self.seq(mark, "103"),
            [
                "NEWCALL",
                "CALLSTATE:DIALTONE",
                "CALLINFO:CALLERID+CALLEDID",
                "CALLSTATE:PROCEEDING",
                "CALLSTATE:RINGBACK",
                "CALLINFO:CONNECTEDID",
                "CALLSTATE:CONNECTED",
                "CALLSTATE:IDLE",
            ],
        )
        self.assertEqual(
            self.seq(mark, "104"),
            [
                *ANSWERED_AT_THE_PHONE,
                "CALLSTATE:ONHOLD",
                "CALLSTATE:CONNECTED",
                "CALLSTATE:DISCONNECTED",
                "CALLSTATE:IDLE",
            ],
        )
        first = next(m for m in h.since(mark, "103") if m["msg"] == "LINE_NEWCALL")["callInfo"]
        self.assertEqual(first["origin"], "LINECALLORIGIN_OUTBOUND")

    async def test_external_incoming_call(self) -> None:
        h = await self.begin()
        mark = h.mark()
        await h.control("POST", "/incoming", {"from": "+4930123456", "to": "104"})
        await self.quiet()
        new = next(m for m in h.since(mark, "104") if m["msg"] == "LINE_NEWCALL")["callInfo"]
        self.assertEqual(
            (new["origin"], new["reason"], new["callerId"]["number"]),
            ("LINECALLORIGIN_EXTERNAL", "LINECALLREASON_DIRECT", "+4930123456"),
        )
        await h.person("104", "answer")
        await h.person("104", "onhook")
        await self.quiet()
        self.assertEqual(
            self.seq(mark, "104"),
            [*ANSWERED_AT_THE_PHONE, "CALLSTATE:IDLE"],
        )

    async def test_super_twin(self) -> None:
        """An incoming call rings desk phone and DECT; the DECT answering puts it on
        address 1; a call made on address 1 starts at the DECT."""
        h = await self.begin(lines=["101", "103"])
        line = (await h.api("GET", "/lines/101"))[1]
        self.assertEqual(
            line["addresses"], [{"address": 0, "name": "101"}, {"address": 1, "name": "Mobile"}]
        )
        dect = f"0x{h.driver.lines.get('101').twin:08x}"
        mark = h.mark()
        await self.op("/lines/103/makecall", {"to": "101"})
        offered = sorted((c["address"], c["state"]) for c in h.calls("101").values())
        self.assertEqual(offered, [(0, "LINECALLSTATE_OFFERING"), (1, "LINECALLSTATE_OFFERING")])
        await h.person(dect, "answer")
        await self.quiet()
        self.assertEqual(
            [(c["address"], c["state"]) for c in h.calls("101").values()],
            [(1, "LINECALLSTATE_CONNECTED")],
        )
        by_address = {0: [], 1: []}  # type: dict[int, list[str]]
        for message in h.since(mark, "101"):
            by_address[message["address"]].append(compact(message))
        self.assertEqual(by_address[0], ["NEWCALL", "CALLSTATE:OFFERING", "CALLSTATE:IDLE"])
        self.assertEqual(
            by_address[1],
            ANSWERED_AT_THE_PHONE,
        )
        await h.person(dect, "onhook")
        await self.quiet()
        self.assertEqual(h.calls("101"), {})
        made = await self.op("/lines/101/makecall", {"to": "103", "address": 1})
        call = h.calls("101")[made["call"]]
        self.assertEqual(call["address"], 1)
        self.assertNotEqual(call["state"], "LINECALLSTATE_IDLE")


class LinkTests(Flow):
    async def test_link_loss_resynchronises_calls(self) -> None:
        """Lines go out of service; a call that ended during the outage is gone after it and
        one still up is kept."""
        h = await self.begin()
        kept, _ = await self.connected("103", "104")
        await self.op("/lines/105/makecall", {"to": "106"})
        mark = h.mark()
        await h.control("POST", "/link/refuse", {"seconds": 0.5})
        await h.control("POST", "/link/drop")
        await h.until(lambda: not h.driver.link_up)
        await self.quiet()
        self.assertEqual(
            sorted(compact(m) for m in h.since(mark) if m["msg"] == "LINE_LINEDEVSTATE"),
            ["LINEDEVSTATE:OUTOFSERVICE"] * 3,
        )
        await h.person("105", "onhook")
        await h.until(lambda: all(line.in_service for line in h.driver.lines), timeout=10)
        await self.quiet()
        self.assertEqual(h.calls("105"), {})
        self.assertEqual(h.calls("103")[kept]["state"], "LINECALLSTATE_CONNECTED")
        self.assertEqual(
            self.seq(mark, "105"),
            ["LINEDEVSTATE:OUTOFSERVICE", "CALLSTATE:IDLE", "LINEDEVSTATE:INSERVICE"],
        )
        self.assertEqual(
            self.seq(mark, "103"), ["LINEDEVSTATE:OUTOFSERVICE", "LINEDEVSTATE:INSERVICE"]
        )
        status, answer = await h.api("POST", f"/calls/{kept}/hold")
        self.assertEqual(status, 200, answer)

    async def test_monitor_refused_out_of_service_is_retried_once_back(self) -> None:
        """A line configured for an extension that is out of service: the PBX refuses its
        MonitorStart, and the retry succeeds once the extension is back in service."""
        plan = SwitchPlan.default()
        next(d for d in plan.devices if d.number == "104" and d.twin_of is None).in_service = False
        sim = SimConfig(plan=plan)
        h = await self.begin(lines=["103", "104"], sim=sim, monitor_retry_interval=0.2)
        await self.quiet()
        line = (await h.api("GET", "/lines/104"))[1]
        self.assertEqual(line["inService"], False)
        self.assertIn("deviceOutOfService", line["monitorError"])
        state = await h.control("GET", "/state")
        self.assertEqual([m["device"] for m in state["monitors"]], ["103"])
        self.assertGreaterEqual(state["counters"]["errors_returned"], 1)
        mark = h.mark()
        await h.person("104", "inservice")
        await h.until(lambda: h.driver.lines.get("104").in_service, timeout=5)
        # The model changes before the message has crossed the WebSocket to this test.
        await h.until(lambda: self.seq(mark, "104"), timeout=5)
        self.assertEqual(self.seq(mark, "104"), ["LINEDEVSTATE:INSERVICE"])
        line = (await h.api("GET", "/lines/104"))[1]
        self.assertEqual((line["inService"], line["monitorError"]), (True, None))
        made = await self.op("/lines/103/makecall", {"to": "104"})
        self.assertTrue(made["call"])
        self.assertEqual(
            self.seq(mark, "104"), ["LINEDEVSTATE:INSERVICE", "NEWCALL", "CALLSTATE:OFFERING"]
        )

    async def test_monitored_line_follows_its_device_out_of_service_and_back(self) -> None:
        h = await self.begin()
        mark = h.mark()
        await h.person("104", "outofservice")
        await h.until(lambda: not h.driver.lines.get("104").in_service)
        await h.person("104", "inservice")
        await h.until(lambda: h.driver.lines.get("104").in_service)
        await self.quiet()
        self.assertEqual(
            self.seq(mark, "104"), ["LINEDEVSTATE:OUTOFSERVICE", "LINEDEVSTATE:INSERVICE"]
        )
        await self.op("/lines/103/makecall", {"to": "104"})
        self.assertEqual(self.seq(mark, "104")[-2:], ["NEWCALL", "CALLSTATE:OFFERING"])

    async def test_monitor_refused_for_a_missing_extension_is_retried_once_it_exists(self) -> None:
        """A line whose MonitorStart the PBX refuses because the extension does not exist yet
        stays out of service, and is monitored by a retry once the extension exists."""
        h = await self.begin(lines=["103"], monitor_retry_interval=0.2)
        code, line = await h.api("POST", "/lines", {"number": "150"})
        self.assertEqual(code, 200, line)
        await self.quiet()
        line = (await h.api("GET", "/lines/150"))[1]
        self.assertEqual(line["inService"], False)
        self.assertIn("invalidDeviceID", line["monitorError"])
        mark = h.mark()
        await h.control("POST", "/devices", {"number": "150", "kind": "station"})
        await h.until(lambda: h.driver.lines.get("150").in_service, timeout=5)
        # The model changes before the message has crossed the WebSocket to this test.
        await h.until(lambda: self.seq(mark, "150"), timeout=5)
        self.assertEqual(self.seq(mark, "150"), ["LINEDEVSTATE:INSERVICE"])
        made = await self.op("/lines/103/makecall", {"to": "150"})
        self.assertTrue(made["call"])
        self.assertEqual(self.seq(mark, "150")[-2:], ["NEWCALL", "CALLSTATE:OFFERING"])

    async def test_snapshot_validation_removes_stale_calls(self) -> None:
        h = await self.begin(snapshot_interval=0.2)
        _caller, _ = await self.connected()
        # The driver misses the end of the call: its monitor is stopped behind its back.
        line = h.driver.lines.get("103")
        h.driver.lines.forget_monitor(line)
        h.driver.lines.bind_monitor(line, b"\xff\xff")
        await h.person("104", "onhook")
        await h.until(lambda: not h.calls("103"), timeout=5)


class ApiInputTests(Flow):
    async def test_bad_input_is_refused_and_changes_nothing(self) -> None:
        h = await self.begin()
        caller, _callee = await self.connected()
        before = (await h.api("GET", "/calls"))[1]
        mark = h.mark()
        cases = [
            ("POST", "/lines/999/makecall", {"to": "104"}, None, 404, "unknownLine"),
            ("POST", "/calls/999/drop", {}, None, 404, "unknownCall"),
            ("POST", f"/calls/{caller}/answer", {}, None, 409, "notAllowed"),
            ("POST", f"/calls/{caller}/frobnicate", {}, None, 404, "unknownOperation"),
            ("POST", f"/calls/{caller}/blindtransfer", None, b"{not json", 400, "badJson"),
            ("POST", f"/calls/{caller}/blindtransfer", None, b"[1,2]", 400, "badJson"),
            ("POST", f"/calls/{caller}/blindtransfer", {"to": ""}, None, 400, "badRequest"),
            (
                "POST",
                "/lines/103/forward",
                {"forwards": [{"mode": "LINEFORWARDMODE_X", "to": "1"}]},
                None,
                400,
                "badRequest",
            ),
            ("GET", "/lines/103/addresses/7/status", None, None, 404, "unknownAddress"),
            ("GET", "/nothing", None, None, 404, "notFound"),
        ]
        for method, path, body, raw, status, error in cases:
            code, answer = await h.api(method, path, body, raw=raw)
            self.assertEqual((code, answer["error"]), (status, error), (path, answer))
            self.assertIn("message", answer)
        await self.quiet()
        self.assertEqual((await h.api("GET", "/calls"))[1], before)
        self.assertEqual(h.since(mark), [])

    async def test_csta_error_is_named(self) -> None:
        """The PBX refuses: the HTTP status and body name the CSTA error, LINE_REPLY too."""
        h = await self.begin()
        await h.person("104", "outofservice")
        mark = h.mark()
        code, answer = await h.api("POST", "/lines/104/makecall", {"to": "103"})
        self.assertEqual((code, answer["error"]), (503, "cstaError"))
        self.assertEqual(answer["cstaError"], {"systemResourceAvailability": "deviceOutOfService"})
        await self.quiet()
        replies = [m for m in h.since(mark) if m["msg"] == "LINE_REPLY"]
        self.assertEqual(
            [(m["operation"], m["error"]["cstaError"]) for m in replies],
            [("makecall", {"systemResourceAvailability": "deviceOutOfService"})],
        )
        self.assertEqual(h.calls("104"), {})

    async def test_missing_token(self) -> None:
        h = await self.begin(tokens=[TOKEN])
        self.assertEqual((await h.api("GET", "/lines"))[0], 401)
        code, answer = await h.api("GET", "/lines", token="wrong-token-wrong-token")
        self.assertEqual((code, answer["error"]), (401, "unauthorized"))
        code, answer = await h.api("POST", "/lines/103/makecall", {"to": "104"})
        self.assertEqual(code, 401)
        await self.quiet()
        self.assertEqual(h.calls("103"), {})
        self.assertEqual((await h.api("GET", "/lines", token=TOKEN))[0], 200)


class HttpHeaderTests(Flow):
    """What the API makes of the headers a browser sends."""

    async def test_pages_of_other_sites_cannot_drive_an_open_api(self) -> None:
        h = await self.begin()
        evil = {"origin": "http://evil.example"}
        code, answer = await h.api("POST", "/lines/103/makecall", {"to": "104"}, headers=evil)
        self.assertEqual((code, answer["error"]), (403, "crossSite"))
        await self.quiet()
        self.assertEqual(h.calls("103"), {})
        own = {"origin": f"http://127.0.0.1:{API_PORT}"}
        code, _ = await h.api("GET", "/lines", headers=own)
        self.assertEqual(code, 200)


class ThroughMuxTests(CallOperationTests):
    """The call operations again, with the multiplexer between driver and simulator."""

    through_mux = True
