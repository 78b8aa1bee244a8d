"""A line's lifecycle: what each event makes of each state, and what applications are told."""

from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.calls import CallEngine
from ecsta.driver.lifecycle import TRANSITIONS, LineEvent, LineState, next_state
from ecsta.driver.lines import Lines

S, E = LineState, LineEvent


class TableTests(SynchronousTestCase):
    def test_a_line_comes_into_service_goes_out_and_back_and_closes(self) -> None:
        state = S.BRINGING_UP
        for event, expected in (
            (E.SERVED, S.IN_SERVICE),
            (E.UNSERVED, S.OUT_OF_SERVICE),
            (E.SERVED, S.IN_SERVICE),
            (E.CLOSE, S.CLOSED),
            (E.OPEN, S.BRINGING_UP),
        ):
            state = next_state(state, event) or state
            self.assertEqual(state, expected, event)

    def test_a_closed_line_is_never_served_and_stays_closed_when_the_link_goes(self) -> None:
        self.assertIsNone(next_state(S.CLOSED, E.SERVED))
        self.assertEqual(next_state(S.CLOSED, E.UNSERVED), S.CLOSED)

    def test_every_open_state_can_be_closed_and_opening_an_open_line_changes_nothing(self) -> None:
        for state in (S.BRINGING_UP, S.IN_SERVICE, S.OUT_OF_SERVICE):
            self.assertEqual(next_state(state, E.CLOSE), S.CLOSED)
            self.assertEqual(next_state(state, E.OPEN), state)
        self.assertTrue(all(isinstance(target, LineState) for target in TRANSITIONS.values()))


class EngineTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.lines = Lines()
        self.engine = CallEngine(self.lines)
        self.line = self.lines.add("101")

    def states(self, event: LineEvent) -> list[object]:
        return [m["devState"] for m in self.engine.line_event(self.line, event, reason="test")]

    def test_going_in_and_out_of_service_is_announced_once(self) -> None:
        self.assertEqual(self.states(E.SERVED), [["LINEDEVSTATE_INSERVICE"]])
        self.assertEqual(self.states(E.SERVED), [])
        self.assertEqual(self.states(E.UNSERVED), [["LINEDEVSTATE_OUTOFSERVICE"]])
        self.assertEqual(self.states(E.UNSERVED), [])
        self.assertEqual((self.line.opened, self.line.in_service), (True, False))

    def test_closing_is_silent_here_and_a_closed_line_ignores_being_served(self) -> None:
        self.states(E.SERVED)
        self.assertEqual(self.states(E.CLOSE), [])
        self.assertEqual((self.line.opened, self.line.in_service), (False, False))
        self.assertEqual(self.states(E.SERVED), [])
        self.assertEqual(self.line.state, S.CLOSED)
        self.assertEqual(self.line.to_json()["open"], False)
