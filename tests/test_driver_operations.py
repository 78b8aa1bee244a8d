"""TAPI operations mapped to CSTA services: the arguments built, and the requests refused.

Every argument the driver builds is encoded with ecsta's own stack and decoded by the
independent ECMA-285 decoder, so what the driver sends is what the standard defines.
"""

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.api import http_status
from ecsta.driver.operations import (
    CALL_OPERATIONS,
    ApiError,
    plan_call_operation,
    plan_forward,
    plan_make_call,
    plan_pickup,
)
from ecsta.wire import values
from ecsta.wire.operations import lookup
from tests import driver_events as E
from tests.apdu_oracle import oracle
from tests.test_driver_calls import CALL, CONSULT, Rig


def connected_pair() -> Rig:
    rig = Rig("101", "102", "103")
    rig.feed(E.service_initiated(CALL, "101"), "101")
    rig.feed(E.originated(CALL, "101", "102"), "101")
    rig.feed(E.delivered(CALL, "102", "101", "102"), "101", "102")
    rig.feed(E.established(CALL, "102", "101", "102"), "101", "102")
    return rig


class ArgumentTests(SynchronousTestCase):
    def check(self, requests: list[tuple[str, dict[str, Any]]]) -> None:
        """Each argument encodes with our spec, and the oracle decodes it to the same value:
        what we meant, with the DEFAULT components the standard fills in."""
        ecma285 = oracle()
        for service, argument in requests:
            operation = lookup(service)
            data = values.encode(operation.argument, argument)
            decoded = ecma285.decode_type(operation.argument.__name__, data)
            self.assertEqual(decoded, values.decode(operation.argument, data), service)
            self.assertEqual({k: decoded[k] for k in argument}, argument, service)

    def test_call_operations(self) -> None:
        rig = connected_pair()
        call = rig.call("101")
        engine = rig.engine
        checked = []
        for operation, body in [
            ("drop", {}),
            ("hold", {}),
            ("blindtransfer", {"to": "104"}),
            ("setuptransfer", {}),
            ("generatedigits", {"digits": "12#"}),
        ]:
            plan = plan_call_operation(engine, call, operation, body)
            checked.extend(plan.requests)
        self.assertEqual(
            [service for service, _ in checked],
            ["clearConnection", "holdCall", "singleStepTrans", "holdCall", "generateDigits"],
        )
        self.assertEqual(checked[0][1], {"connectionToBeCleared": E.conn(CALL, "101")})
        self.check(checked)

    def test_ringing_call_operations(self) -> None:
        rig = Rig("102")
        rig.feed(E.delivered(CALL, "102", "101", "102"))
        call = rig.call("102")
        answer = plan_call_operation(rig.engine, call, "answer", {})
        redirect = plan_call_operation(rig.engine, call, "redirect", {"to": "105"})
        self.assertEqual(
            redirect.requests,
            [
                (
                    "deflectCall",
                    {"callToBeDiverted": E.conn(CALL, "102"), "newDestination": E.device("105")},
                )
            ],
        )
        self.check(answer.requests + redirect.requests)

    def test_held_and_consultation_pair(self) -> None:
        rig = connected_pair()
        rig.feed(E.held(CALL, "101"), "101")
        rig.feed(E.service_initiated(CONSULT, "101"), "101")
        rig.feed(E.originated(CONSULT, "101", "103"), "101")
        rig.feed(E.established(CONSULT, "103", "101", "103"), "101")
        line = rig.line("101")
        held = next(c for c in line.calls.values() if c.csta_call == CALL)
        active = next(c for c in line.calls.values() if c.csta_call == CONSULT)
        swap = plan_call_operation(rig.engine, active, "swaphold", {"other": held.id})
        transfer = plan_call_operation(
            rig.engine, held, "completetransfer", {"consult": active.id, "mode": "transfer"}
        )
        conference = plan_call_operation(
            rig.engine, held, "completetransfer", {"consult": active.id, "mode": "conference"}
        )
        unhold = plan_call_operation(rig.engine, held, "unhold", {})
        with self.assertRaises(ApiError) as caught:
            plan_call_operation(rig.engine, active, "swaphold", {"other": 999})
        self.assertEqual(http_status(caught.exception), 404)
        pair = {"heldCall": E.conn(CALL, "101"), "activeCall": E.conn(CONSULT, "101")}
        self.assertEqual(swap.requests, [("alternateCall", pair)])
        self.assertEqual(transfer.requests, [("transferCall", pair)])
        self.assertEqual(conference.requests, [("conferenceCall", pair)])
        self.check(swap.requests + transfer.requests + conference.requests + unhold.requests)

    def test_busy_call_completion(self) -> None:
        rig = Rig("101")
        rig.feed(E.service_initiated(CALL, "101"))
        rig.feed(E.failed(CALL, "101", "103", "101", "103", "busy"))
        call = rig.call("101")
        callback = plan_call_operation(rig.engine, call, "completecall", {"mode": "callback"})
        intrude = plan_call_operation(rig.engine, call, "completecall", {"mode": "intrude"})
        self.assertEqual(callback.requests[0][0], "callBack")
        self.assertEqual(intrude.requests[0][0], "intrudeCall")
        self.check(callback.requests + intrude.requests)

    def test_line_operations(self) -> None:
        rig = Rig("101", "102")
        rig.feed(E.delivered(CALL, "102", "103", "102"), "102")
        line = rig.line("101")
        make = plan_make_call(rig.engine, line, {"to": "102"})
        pickup = plan_pickup(rig.engine, line, {"from": "102"})
        forward = plan_forward(
            rig.engine,
            line,
            {
                "forwards": [
                    {"mode": "LINEFORWARDMODE_BUSYEXTERNAL", "to": "0301234"},
                    {"mode": "LINEFORWARDMODE_UNCOND", "to": "200"},
                ]
            },
        )
        self.assertEqual(
            make.requests,
            [
                (
                    "makeCall",
                    {"callingDevice": E.device("101"), "calledDirectoryNumber": E.device("102")},
                )
            ],
        )
        self.assertEqual(pickup.requests[0][1]["callToBePickedUp"], E.conn(CALL, "102"))
        self.assertEqual(
            [a["forwardingType"] for _, a in forward.requests],
            ["forwardBusyExt", "forwardImmediate"],
        )
        self.check(make.requests + pickup.requests + forward.requests)

    def test_forward_replaces_what_is_active(self) -> None:
        rig = Rig("101")
        line = rig.line("101")
        rig.engine.set_forwarding(line, 0, [{"mode": "LINEFORWARDMODE_NOANSW", "to": "200"}])
        cancel = plan_forward(rig.engine, line, {"forwards": []})
        self.assertEqual(
            cancel.requests,
            [
                (
                    "setForwarding",
                    {
                        "device": E.device("101"),
                        "forwardingType": "forwardNoAns",
                        "activateForward": False,
                    },
                )
            ],
        )
        self.check(cancel.requests)


class RefusalTests(SynchronousTestCase):
    def refused(self, status: int, build: Any, *args: Any) -> ApiError:
        with self.assertRaises(ApiError) as caught:
            build(*args)
        self.assertEqual(http_status(caught.exception), status, caught.exception.message)
        return caught.exception

    def test_operation_not_allowed_in_state(self) -> None:
        rig = Rig("102")
        rig.feed(E.delivered(CALL, "102", "101", "102"))
        call = rig.call("102")
        for operation in (
            "hold",
            "unhold",
            "blindtransfer",
            "setuptransfer",
            "generatedigits",
            "removefromconference",
            "dial",
            "completecall",
        ):
            error = self.refused(
                409,
                plan_call_operation,
                rig.engine,
                call,
                operation,
                {"to": "1", "digits": "1", "mode": "callback"},
            )
            self.assertIn("LINECALLSTATE_OFFERING", error.message)

    def test_unknown_operation(self) -> None:
        rig = Rig("102")
        rig.feed(E.delivered(CALL, "102", "101", "102"))
        self.refused(404, plan_call_operation, rig.engine, rig.call("102"), "explode", {})
        self.assertEqual(len(CALL_OPERATIONS), 17)

    def test_bad_arguments(self) -> None:
        rig = connected_pair()
        call = rig.call("101")
        line = rig.line("101")
        self.refused(400, plan_call_operation, rig.engine, call, "blindtransfer", {})
        self.refused(400, plan_call_operation, rig.engine, call, "blindtransfer", {"to": 5})
        self.refused(
            400, plan_call_operation, rig.engine, call, "blindtransfer", {"to": "12; DROP"}
        )
        self.refused(400, plan_make_call, rig.engine, line, {"to": ""})
        self.refused(409, plan_make_call, rig.engine, line, {"to": "102", "address": 1})
        self.refused(404, plan_make_call, rig.engine, line, {"to": "102", "address": 2})
        self.refused(400, plan_forward, rig.engine, line, {"forwards": [{"mode": "X", "to": "1"}]})
        self.refused(400, plan_forward, rig.engine, line, {"forwards": "all"})
        self.refused(
            400,
            plan_forward,
            rig.engine,
            line,
            {"forwards": [{"mode": "LINEFORWARDMODE_UNCONDSPECIFIC", "to": "1"}]},
        )
