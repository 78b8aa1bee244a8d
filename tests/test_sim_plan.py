"""The simulated PBX's configuration, its devices, its clock and its callIDs."""

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.sim.calls import CallIdAllocator
from ecsta.sim.plan import (
    Device,
    DeviceKind,
    ExternalBehaviour,
    ExternalMode,
    PlanError,
    SwitchPlan,
)
from ecsta.sim.switch import Switch


class DefaultOfficeTests(SynchronousTestCase):
    def test_composition(self) -> None:
        devices = SwitchPlan.default().devices
        by_kind: dict[DeviceKind, list[Device]] = {}
        for device in devices:
            by_kind.setdefault(device.kind, []).append(device)
        self.assertEqual(
            [d.number for d in by_kind[DeviceKind.STATION]], [str(n) for n in range(101, 121)]
        )
        self.assertEqual(len(by_kind[DeviceKind.DECT]), 4)
        self.assertEqual(len(by_kind[DeviceKind.SIP]), 2)
        self.assertEqual(len(by_kind[DeviceKind.TRUNK]), 4)
        twins = [(d.number, d.twin_of) for d in by_kind[DeviceKind.DECT] if d.twin_of]
        self.assertEqual(twins, [("101", "101"), ("102", "102")])

    def test_device_numbers_carry_the_panasonic_class(self) -> None:
        classes = {DeviceKind.STATION: 0x0111, DeviceKind.DECT: 0x0121, DeviceKind.TRUNK: 0x0131}
        numbers = set()
        for device in SwitchPlan.default().devices:
            if device.kind in classes:
                self.assertEqual(device.device_number >> 16, classes[device.kind], device)
            numbers.add(device.device_number)
        self.assertEqual(len(numbers), len(SwitchPlan.default().devices))

    def test_twins_are_named_by_device_number_and_the_rest_by_number(self) -> None:
        named = {d.kind: d.named_by_number for d in SwitchPlan.default().devices if not d.twin_of}
        self.assertEqual(
            named,
            {
                DeviceKind.STATION: True,
                DeviceKind.DECT: True,
                DeviceKind.SIP: True,
                DeviceKind.TRUNK: False,
            },
        )
        twin = next(d for d in SwitchPlan.default().devices if d.twin_of)
        self.assertFalse(twin.named_by_number)


class FromDictTests(SynchronousTestCase):
    def test_a_small_plan(self) -> None:
        plan = SwitchPlan.from_dict(
            {
                "extension_range": ["200", "299"],
                "trunk_access_code": "9",
                "devices": [
                    {"kind": "station", "number": "201", "name": "Front desk"},
                    {"kind": "dect", "twin_of": "201"},
                    {"kind": "sip", "number": "250", "in_service": False},
                    {"kind": "trunk", "number": "1"},
                ],
                "external": {"0301234": {"mode": "busy"}},
                "default_external": {"mode": "no_answer"},
                "ring_timeout": False,
                "no_answer_seconds": 20,
            }
        )
        desk, twin, sip, trunk = plan.devices
        self.assertEqual((desk.device_number, desk.name), (0x01110000, "Front desk"))
        self.assertEqual((twin.number, twin.device_number), ("201", 0x01210000))
        self.assertEqual((sip.device_number, sip.in_service), (0x01410000, False))
        self.assertEqual(trunk.device_number, 0x01310000)
        self.assertEqual(plan.external, {"0301234": ExternalBehaviour(ExternalMode.BUSY, 5.0)})
        self.assertEqual(plan.default_external.mode, ExternalMode.NO_ANSWER)
        self.assertIsNone(plan.ring_timeout)
        self.assertEqual(plan.no_answer_seconds, 20.0)

    def test_the_default_office_when_devices_are_omitted(self) -> None:
        plan = SwitchPlan.from_dict({"trunk_access_code": "9"})
        self.assertEqual(len(plan.devices), 30)

    def assertRejected(self, data: dict[str, Any], field: str) -> None:
        error = self.assertRaises(PlanError, SwitchPlan.from_dict, data)
        self.assertEqual(error.field, field, str(error))

    def test_errors_name_the_field(self) -> None:
        station = {"kind": "station", "number": "101"}
        self.assertRejected({"ring_timout": 5}, "ring_timout")
        self.assertRejected({"devices": [{"kind": "fax", "number": "1"}]}, "devices[0].kind")
        self.assertRejected({"devices": [{"kind": "station"}]}, "devices[0].number")
        self.assertRejected({"devices": [station, station]}, "devices[1].number")
        self.assertRejected({"devices": [{"number": "201"}]}, "devices[0].number")
        self.assertRejected({"devices": [{"number": "10a"}]}, "devices[0].number")
        self.assertRejected(
            {"devices": [{"number": "101", "device_number": 0x01310000}]},
            "devices[0].device_number",
        )
        self.assertRejected({"devices": [{"kind": "dect", "twin_of": "105"}]}, "devices[0].twin_of")
        self.assertRejected(
            {"devices": [station, {"kind": "sip", "twin_of": "101"}]}, "devices[1].twin_of"
        )
        self.assertRejected(
            {"devices": [station, {"kind": "dect", "twin_of": "101", "number": "102"}]},
            "devices[1].number",
        )
        self.assertRejected({"devices": [{"number": "101", "colour": "red"}]}, "devices[0].colour")
        self.assertRejected({"trunk_access_code": "1"}, "devices[0].number")
        self.assertRejected({"extension_range": ["100"]}, "extension_range")
        self.assertRejected({"external": {"123": {"mode": "sometimes"}}}, "external['123'].mode")
        self.assertRejected({"default_external": {"delay": -1}}, "default_external.delay")
        self.assertRejected({"callback_delay": 0}, "callback_delay")
        self.assertRejected({"make_call_prompts": "yes"}, "make_call_prompts")

    def test_a_switch_refuses_a_clashing_device(self) -> None:
        switch = Switch()
        error = self.assertRaises(
            PlanError, switch.add_device, Device(DeviceKind.STATION, "1010", 0x01110100)
        )
        self.assertEqual(error.field, "devices[30].number")
        self.assertNotIn("1010", [d.number for d in switch.devices()])


class ClockTests(SynchronousTestCase):
    def test_time_only_runs_forward(self) -> None:
        switch = Switch(now=10.0)
        switch.advance(12.0)
        self.assertEqual(switch.now, 12.0)
        self.assertRaises(ValueError, switch.advance, 11.0)

    def test_timers_run_at_their_own_deadline(self) -> None:
        switch = Switch()
        switch.dial("103", "104")  # rings until 60 s
        switch.advance(500.0)
        cleared = [e for e in switch.take_events() if e.name == "connectionCleared"]
        self.assertTrue(cleared)
        [record] = switch.cdr.take(1)
        self.assertEqual(record.end, 60.0)
        self.assertEqual(switch.now, 500.0)

    def test_make_call_can_prompt_the_caller_first(self) -> None:
        switch = Switch(SwitchPlan(devices=SwitchPlan.default().devices, make_call_prompts=True))
        switch.make_call("103", "104", prompt=True)
        names = [e.name for e in switch.take_events()]
        self.assertEqual(names, ["serviceInitiated"])
        switch.offhook("103")
        seen = [(e.name, e.device.number) for e in switch.take_events()]
        self.assertEqual(seen, [("originated", "103"), ("delivered", "103"), ("delivered", "104")])


class CallIdTests(SynchronousTestCase):
    def test_live_ids_are_never_handed_out_again(self) -> None:
        allocator = CallIdAllocator()
        first = allocator.allocate()
        seen = {first}
        for _ in range(0xFFFF - 1):
            call_id = allocator.allocate()
            self.assertNotIn(call_id, seen)
            self.assertEqual(len(call_id), 2)
            seen.add(call_id)
        self.assertRaises(RuntimeError, allocator.allocate)
        allocator.release(first)
        self.assertEqual(allocator.allocate(), first)

    def test_calls_get_distinct_ids(self) -> None:
        switch = Switch()
        for caller, called in (("103", "104"), ("105", "106"), ("107", "108")):
            switch.dial(caller, called)
        ids = [info.call_id for info in switch.calls()]
        self.assertEqual(len(set(ids)), 3)
