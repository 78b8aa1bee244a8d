"""Random but believable telephone traffic, for demos and load tests (``--traffic RATE``).

Calls start as a Poisson process of ``rate`` calls per second. Each call is a little script of
what people do, with human delays between the steps: someone lifts a handset and dials a
colleague, an outside number (trunk access code first) or a colleague who is already on the
phone; an outside caller rings in on a CO line. The called party answers after a few rings, or
not at all; conversations last from seconds to minutes; some are put on hold and picked up
again, some are transferred to a third colleague by consultation and hang-up (the Panasonic
way). The same ``seed`` gives the same traffic when the same things happen to the switch.

People only act on phones that are free, so scripts do not trip over each other; when the
switch refuses a step anyway (an application moved the call meanwhile), the script hangs up
the phones it holds and ends.
"""

import random
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

from twisted.logger import Logger

from ecsta.sim.failure import CstaError
from ecsta.sim.plan import Device, DeviceKind
from ecsta.sim.server import Delayed, SimulatorFactory

__all__ = ["TrafficGenerator"]

#: A script yields the seconds until its next step.
Script = Generator[float, None, None]

log = Logger()


class TrafficGenerator:
    """Starts call scripts on one simulator at ``rate`` calls per second (0 pauses it)."""

    def __init__(self, factory: SimulatorFactory, rate: float = 0.0, seed: int | None = None):
        self.factory = factory
        self.random = random.Random(seed)
        self.rate = 0.0
        self.started = 0
        self.failed_steps = 0
        self._busy: set[Device] = set()
        self._next: Delayed | None = None
        self._steps: set[Delayed] = set()
        self.set_rate(rate)

    def set_rate(self, rate: float) -> None:
        if rate < 0:
            raise ValueError("the traffic rate cannot be negative")
        self.rate = rate
        if self._next is not None and self._next.active():
            self._next.cancel()
        self._next = None
        if rate > 0:
            self._schedule_next()

    def stop(self) -> None:
        """No new calls, and every running script stops where it is."""
        self.set_rate(0)
        for step in self._steps:
            if step.active():
                step.cancel()
        self._steps.clear()

    def footprint(self) -> dict[str, int]:
        """Devices its scripts hold and script steps waiting on the clock; both are zero once
        :meth:`stop` has run, whatever the scripts were doing."""
        return {
            "trafficDevices": len(self._busy),
            "trafficSteps": sum(1 for step in self._steps if step.active()),
        }

    def _schedule_next(self, after: float | None = None) -> None:
        # Times are kept as intended rather than as the clock fired them, so that a clock that
        # jumps (a test's, or a busy reactor's) still gets ``rate`` calls per second.
        now = self.factory.clock.seconds()
        due = (now if after is None else after) + self.random.expovariate(self.rate)
        self._next = self.factory.clock.callLater(max(0.0, due - now), self._start, due)

    def _start(self, due: float) -> None:
        self._next = None
        script = self._choose()
        if script is not None:
            self.started += 1
            self._step(script, due)
        self._schedule_next(due)

    # -- scripts --------------------------------------------------------------------------------

    def _free(self) -> list[Device]:
        switch = self.factory.switch
        return [
            d
            for d in switch.devices()
            if d.kind is not DeviceKind.TRUNK
            and d.twin_of is None
            and d.in_service
            and d not in self._busy
            and not switch.connections_of(d)
        ]

    def _choose(self) -> Script | None:
        free = self._free()
        draw = self.random.random()
        if draw < 0.3:
            if not free:
                return None
            return self._incoming(self.random.choice(free))
        if draw < 0.5:
            if not free:
                return None
            return self._outgoing(self.random.choice(free))
        if len(free) < 2:
            return None
        caller, callee = self.random.sample(free, 2)
        if draw < 0.55:
            busy = sorted(self._busy, key=lambda d: d.device_number)
            if busy:
                return self._to_busy(caller, self.random.choice(busy))
        return self._internal(caller, callee)

    def _internal(self, caller: Device, callee: Device) -> Script:
        with self._holding(caller, callee):
            self._act(caller, "offhook")
            yield self._pause(1, 3)
            self._act(caller, "dial", callee.number)
            yield self._pause(3, 12)
            if self.random.random() < 0.2:
                self._act(caller, "onhook")  # nobody answered
                return
            self._act(callee, "answer")
            yield from self._conversation(caller, callee)

    def _outgoing(self, caller: Device) -> Script:
        with self._holding(caller):
            number = "".join(self.random.choice("0123456789") for _ in range(9))
            self._act(caller, "offhook")
            yield self._pause(1, 3)
            self._act(caller, "dial", self.factory.switch.plan.trunk_access_code + "0" + number)
            yield self._pause(10, 120)
            self._act(caller, "onhook")

    def _incoming(self, callee: Device) -> Script:
        with self._holding(callee):
            caller = "+49" + "".join(self.random.choice("0123456789") for _ in range(9))
            self._run(lambda: self.factory.switch.incoming(caller, callee.number))
            yield self._pause(3, 15)
            if self.random.random() < 0.2:
                self._run(lambda: self.factory.switch.outside_hangs_up(caller))
                return
            self._act(callee, "answer")
            yield self._pause(10, 120)
            if self.random.random() < 0.5:
                self._act(callee, "onhook")
            else:
                self._run(lambda: self.factory.switch.outside_hangs_up(caller))

    def _to_busy(self, caller: Device, busy: Device) -> Script:
        with self._holding(caller):
            self._act(caller, "dial", busy.number)
            yield self._pause(2, 5)
            self._act(caller, "onhook")

    def _conversation(self, caller: Device, callee: Device) -> Script:
        yield self._pause(5, 90)
        draw = self.random.random()
        if draw < 0.15:
            self._act(callee, "hold")
            yield self._pause(5, 30)
            self._act(callee, "retrieve")
            yield self._pause(5, 60)
        elif draw < 0.25:
            third = self._free()
            if third:
                target = self.random.choice(third)
                with self._holding(target):
                    self._act(callee, "hold")
                    yield self._pause(1, 3)
                    self._act(callee, "dial", target.number)
                    yield self._pause(3, 10)
                    self._act(target, "answer")
                    yield self._pause(3, 20)
                    self._act(callee, "onhook")  # transfers the caller to the target
                    yield self._pause(10, 90)
                    self._act(target, "onhook")
                return
        self._act(self.random.choice((caller, callee)), "onhook")

    # -- running --------------------------------------------------------------------------------

    def _pause(self, low: float, high: float) -> float:
        return self.random.uniform(low, high)

    def _holding(self, *devices: Device) -> "_Holding":
        return _Holding(self, devices)

    def _act(self, device: Device, action: str, *args: Any) -> None:
        self._run(lambda: getattr(self.factory.switch, action)(device, *args))

    def _run(self, action: Callable[[], Any]) -> None:
        try:
            self.factory.run(action)
        except CstaError as error:
            self.failed_steps += 1
            raise _Abandon(str(error)) from None

    def _step(self, script: Script, due: float) -> None:
        try:
            delay = next(script)
        except (StopIteration, _Abandon):
            return
        now = self.factory.clock.seconds()
        call = self.factory.clock.callLater(
            max(0.0, due + delay - now), self._resume, script, due + delay
        )
        self._steps.add(call)

    def _resume(self, script: Script, due: float) -> None:
        self._steps = {c for c in self._steps if c.active()}
        self._step(script, due)


class _Abandon(Exception):
    """The switch refused a step: the script ends, hanging up what it holds."""


class _Holding:
    """Marks devices as used by a script, and hangs them up when the script ends early."""

    def __init__(self, traffic: TrafficGenerator, devices: tuple[Device, ...]) -> None:
        self.traffic = traffic
        self.devices = devices

    def __enter__(self) -> None:
        self.traffic._busy.update(self.devices)

    def __exit__(self, kind: type[BaseException] | None, *rest: Any) -> None:
        self.traffic._busy.difference_update(self.devices)
        if kind is None or kind is GeneratorExit:
            return
        factory = self.traffic.factory
        for device in self.devices:
            try:
                factory.run(partial(factory.switch.onhook, device))
            except CstaError:
                pass
