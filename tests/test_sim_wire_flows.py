"""The call flows of the simulator driven over CSTA, as an application drives them.

Each flow runs through the server protocol with monitors on every party; every PDU the
simulator sends is decoded by ecsta and by the independent ECMA-285 oracle (tests/sim_wire.py),
every request must be answered positively, and the flow's characteristic events must reach the
monitors. The event-by-event sequences themselves are the switch's tests (tests/test_sim_*.py
of the call model); these show the same flows reach a client as standard CSTA.
"""

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.sim.control import Controller
from ecsta.wire import apdu
from tests.sim_wire import WireClient, advance, dialing, events, simulator

PARTIES = ("101", "102", "103", "104", "105", "110")


def conn(call_id: bytes, number: str) -> tuple[str, dict[str, Any]]:
    return ("both", {"callID": call_id, "deviceID": ("staticID", dialing(number))})


class FlowTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.factory = simulator()
        self.control = Controller(self.factory)
        self.client = WireClient(self.factory)
        self.client.associate()
        self.names: dict[bytes, str] = {}
        for number in PARTIES:
            [answer] = self.client.request(
                9, "monitorStart", {"monitorObject": ("deviceObject", dialing(number))}
            )
            assert isinstance(answer, apdu.ReturnResult)
            self.names[answer.result["crossRefIdentifier"]] = number
        self.seen: list[tuple[str, str, dict[str, Any]]] = []
        self.next_id = 100

    def request(self, operation: str, argument: dict[str, Any]) -> Any:
        """A request that must succeed; returns its result."""
        self.next_id += 1
        answer, *rest = self.client.request(self.next_id, operation, argument)
        assert isinstance(answer, apdu.ReturnResult), (operation, answer)
        self.collect(rest)
        return answer.result

    def act(self, number: str, action: str, **body: Any) -> None:
        self.control.person(number, action, body)
        self.pump()

    def pump(self) -> None:
        self.collect(self.client.decoded())

    def collect(self, pdus: list[apdu.APDU]) -> None:
        for ref, name, value in events(pdus):
            self.seen.append((self.names[ref], name, value))

    def saw(self, number: str, *names: str) -> None:
        mine = [name for who, name, _ in self.seen if who == number]
        for name in names:
            self.assertIn(name, mine, f"{number} saw {mine}")

    def make_call(self, caller: str, callee: str) -> bytes:
        result = self.request(
            "makeCall", {"callingDevice": dialing(caller), "calledDirectoryNumber": dialing(callee)}
        )
        return bytes(result["callingDevice"][1]["callID"])

    def talking(self, caller: str, callee: str) -> bytes:
        call = self.make_call(caller, callee)
        self.request("answerCall", {"callToBeAnswered": conn(call, callee)})
        return call

    def tearDown(self) -> None:
        self.assertEqual(self.factory.counters["malformed_in"], 0)
        self.assertGreater(len(self.client.log), len(PARTIES) + 2)

    # -- the flows ------------------------------------------------------------------------------

    def test_make_call_answer_and_clear_connection(self) -> None:
        call = self.talking("101", "102")
        self.request("clearConnection", {"connectionToBeCleared": conn(call, "102")})
        self.saw(
            "101", "serviceInitiated", "originated", "delivered", "established", "connectionCleared"
        )
        self.saw("102", "delivered", "established", "connectionCleared")

    def test_manual_call_clear_call(self) -> None:
        self.act("103", "offhook")
        self.act("103", "dial", digits="104")
        self.act("104", "answer")
        [info] = self.factory.switch.calls()
        self.request("clearCall", {"callToBeCleared": ("callID", info.call_id)})
        self.saw("103", "serviceInitiated", "originated", "established", "callCleared")
        self.saw("104", "callCleared")

    def test_outgoing_external_call_over_a_trunk(self) -> None:
        self.make_call("101", "00301111111")
        advance(self.factory, 6)  # the outside party answers after five seconds
        self.pump()
        self.saw("101", "networkReached", "established")

    def test_incoming_external_call(self) -> None:
        self.control.incoming("+4930123456", "105")
        self.pump()
        call = self.factory.switch.calls()[0].call_id
        self.request("answerCall", {"callToBeAnswered": conn(call, "105")})
        delivered = [v for who, name, v in self.seen if who == "105" and name == "delivered"]
        self.assertEqual(
            delivered[0]["callingDevice"], ("deviceIdentifier", dialing("+4930123456"))
        )
        self.saw("105", "established")

    def test_busy_and_no_answer(self) -> None:
        # 104 has no Super-Twin portable that would ring while the desk phone is busy.
        self.talking("104", "105")
        self.make_call("101", "104")
        self.saw("101", "failed")
        self.act("101", "onhook")
        self.make_call("102", "103")
        advance(self.factory, 61)  # the plan's ring timeout
        self.pump()
        self.saw("103", "delivered", "connectionCleared")

    def test_hold_and_retrieve(self) -> None:
        call = self.talking("101", "102")
        self.request("holdCall", {"callToBeHeld": conn(call, "101")})
        self.request("retrieveCall", {"callToBeRetrieved": conn(call, "101")})
        self.saw("101", "held", "retrieved")
        self.saw("102", "held", "retrieved")

    def test_consultation_alternate_reconnect_and_transfer(self) -> None:
        first = self.talking("101", "102")
        result = self.request(
            "consultationCall",
            {"existingCall": conn(first, "102"), "consultedDevice": dialing("103")},
        )
        second = bytes(result["initiatedCall"][1]["callID"])
        self.request("answerCall", {"callToBeAnswered": conn(second, "103")})
        self.request(
            "alternateCall", {"heldCall": conn(first, "102"), "activeCall": conn(second, "102")}
        )
        self.request(
            "alternateCall", {"heldCall": conn(second, "102"), "activeCall": conn(first, "102")}
        )
        self.request(
            "transferCall", {"heldCall": conn(first, "102"), "activeCall": conn(second, "102")}
        )
        self.saw("102", "held", "retrieved", "transferred")
        self.saw("101", "transferred")
        self.saw("103", "established", "transferred")

    def test_reconnect_after_consultation(self) -> None:
        first = self.talking("101", "102")
        result = self.request(
            "consultationCall",
            {"existingCall": conn(first, "102"), "consultedDevice": dialing("103")},
        )
        second = bytes(result["initiatedCall"][1]["callID"])
        self.request(
            "reconnectCall", {"heldCall": conn(first, "102"), "activeCall": conn(second, "102")}
        )
        self.saw("102", "held", "connectionCleared", "retrieved")

    def test_single_step_transfer(self) -> None:
        call = self.talking("101", "102")
        self.request(
            "singleStepTrans", {"activeCall": conn(call, "102"), "transferredTo": dialing("104")}
        )
        self.saw("101", "transferred")
        self.saw("104", "delivered")

    def test_conference_and_leaving_it(self) -> None:
        first = self.talking("101", "102")
        result = self.request(
            "consultationCall",
            {"existingCall": conn(first, "101"), "consultedDevice": dialing("103")},
        )
        second = bytes(result["initiatedCall"][1]["callID"])
        self.request("answerCall", {"callToBeAnswered": conn(second, "103")})
        result = self.request(
            "conferenceCall", {"heldCall": conn(first, "101"), "activeCall": conn(second, "101")}
        )
        conference = bytes(result["conferenceCall"][1]["callID"])
        self.request("clearConnection", {"connectionToBeCleared": conn(conference, "103")})
        self.saw("101", "conferenced", "connectionCleared")
        self.saw("102", "conferenced")
        self.assertEqual(len(self.factory.switch.calls()), 1)

    def test_deflect_and_pickups(self) -> None:
        call = self.make_call("101", "103")
        self.request(
            "deflectCall", {"callToBeDiverted": conn(call, "103"), "newDestination": dialing("104")}
        )
        self.saw("103", "diverted")
        self.saw("104", "delivered")
        self.request(
            "directedPickupCall",
            {"callToBePickedUp": conn(call, "104"), "requestingDevice": dialing("105")},
        )
        self.saw("105", "established")
        self.act("101", "onhook")
        self.make_call("110", "102")
        self.request("groupPickupCall", {"newDestination": dialing("103")})
        self.saw("103", "established")

    def test_call_back_and_intrude(self) -> None:
        self.talking("104", "105")
        busy = self.make_call("101", "104")
        self.request("callBack", {"callbackConnection": conn(busy, "101")})
        self.saw("101", "failed", "callBack")
        failed = self.make_call("103", "105")
        self.request("intrudeCall", {"intrude": conn(failed, "103")})
        self.saw("103", "conferenced")

    def test_the_nine_forwardings_and_do_not_disturb(self) -> None:
        kinds = [
            "forwardImmediate",
            "forwardImmInt",
            "forwardImmExt",
            "forwardBusy",
            "forwardBusyInt",
            "forwardBusyExt",
            "forwardNoAns",
            "forwardNoAnsInt",
            "forwardNoAnsExt",
        ]
        for kind in kinds:
            self.request(
                "setForwarding",
                {
                    "device": dialing("105"),
                    "forwardingType": kind,
                    "activateForward": True,
                    "forwardDN": dialing("104"),
                },
            )
        listed = self.request("getForwarding", {"device": dialing("105")})["forwardingList"]
        self.assertEqual(
            sorted(e["forwardingType"] for e in listed if e["forwardStatus"]), sorted(kinds)
        )
        self.make_call("101", "105")
        self.saw("105", "forwarding", "diverted")
        self.saw("104", "delivered")
        self.request("setDoNotDisturb", {"device": dialing("103"), "doNotDisturbOn": True})
        self.make_call("102", "103")
        self.saw("103", "doNotDisturb")
        failed = [v for who, name, v in self.seen if who == "102" and name == "failed"]
        self.assertEqual(failed[-1]["cause"], "doNotDisturb")

    def test_digits_generated_on_a_connected_call(self) -> None:
        call = self.talking("101", "102")
        self.request(
            "generateDigits",
            {"connectionToSendDigits": conn(call, "101"), "charactersToSend": "1234#"},
        )
        self.saw("101", "digitsGeneratedEvent")

    def test_super_twin_portable_answers(self) -> None:
        self.control.incoming("", "101")
        self.act("0x01210000", "answer")
        established = [v for who, name, v in self.seen if who == "101" and name == "established"]
        self.assertEqual(
            established[0]["answeringDevice"],
            ("deviceIdentifier", {"deviceIdentifier": ("deviceNumber", 0x01210000)}),
        )
