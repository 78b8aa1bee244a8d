"""Every component of every CSTA type ecsta models, checked against the ECMA-285 oracle.

The samples of ``test_asn1_types`` are realistic; these values are exhaustive instead. They are
built from ecsta's own specs with every OPTIONAL and DEFAULT component present, and in turn
every alternative of every CHOICE and every name of every ENUMERATED, then compared byte for
byte with what the oracle makes of the same value from the ECMA-285 module text. A component
missing from a spec, a wrong tag or a wrong tagging mode anywhere shows up as a difference.
"""

from typing import Any

from pyasn1.error import PyAsn1Error
from pyasn1.type import char, univ, useful
from pyasn1.type.base import Asn1Item
from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import operations, values
from ecsta.wire.asn1.common import CSTAPrivateData
from ecsta.wire.asn1.error import UniversalFailure
from ecsta.wire.asn1.events import CSTAEventReportArgument, EventSpecificInfo
from tests.asn1_support import from_oracle, load_oracle, to_oracle

oracle, oracle_missing = load_oracle()


def _first_fitting(spec: Asn1Item, candidates: tuple[Any, ...]) -> Any:
    """The first candidate the spec's constraints accept (sizes and ranges differ by field)."""
    for candidate in candidates:
        try:
            spec.clone(candidate)
        except PyAsn1Error:
            continue
        return candidate
    raise AssertionError(f"no candidate value fits {type(spec).__name__}")


def build(spec: Asn1Item, turn: int) -> Any:
    """A value of ``spec`` with every component present; ``turn`` picks alternatives and names."""
    if isinstance(spec, CSTAPrivateData):
        # the oracle knows only the standard's NULL placeholder for ``private``
        return ("string", b"\x01\x02")
    if isinstance(spec, univ.Choice):
        named = spec.componentType.namedTypes
        chosen = named[turn % len(named)]
        return chosen.name, build(chosen.asn1Object, turn)
    if isinstance(spec, univ.SequenceOf | univ.SetOf):
        return [build(spec.componentType, turn)]
    if isinstance(spec, univ.Sequence | univ.Set):
        return {
            named.name: build(named.asn1Object, turn) for named in spec.componentType.namedTypes
        }
    if isinstance(spec, univ.Enumerated):
        names = list(spec.namedValues)
        return names[turn % len(names)] if names else turn
    if isinstance(spec, univ.Boolean):
        return turn % 2 == 0
    if isinstance(spec, univ.Integer):
        return _first_fitting(spec, (1000 + turn, 1, 0))
    if isinstance(spec, univ.Null):
        return None
    if isinstance(spec, univ.BitString):
        return (b"\xa0", 3)
    if isinstance(spec, useful.GeneralizedTime):
        return "20261127103015"
    if isinstance(spec, char.AbstractCharacterString):
        return _first_fitting(spec, ("101", "#"))
    if isinstance(spec, univ.OctetString):
        return _first_fitting(spec, (b"\x01\x02", b"\x01"))
    raise AssertionError(f"no value for {type(spec).__name__}")


def _key(spec: Asn1Item) -> object:
    """What identifies an ENUMERATED: its class, or the object itself when it is anonymous."""
    return id(spec) if type(spec) is univ.Enumerated else type(spec)


def enumerations(spec: Asn1Item) -> set[object]:
    """The ENUMERATED types inside ``spec``."""
    if isinstance(spec, univ.Enumerated):
        return {_key(spec)}
    if isinstance(spec, univ.SequenceOf | univ.SetOf):
        return enumerations(spec.componentType)
    if isinstance(spec, univ.Sequence | univ.Set | univ.Choice):
        found: set[object] = set()
        for named in spec.componentType.namedTypes:
            found |= enumerations(named.asn1Object)
        return found
    return set()


def turns_needed(spec: Asn1Item, covered: frozenset[object] = frozenset()) -> int:
    """How many turns it takes for every CHOICE alternative inside ``spec``, and every name of
    its ENUMERATED types other than those ``covered`` elsewhere, to come up at least once."""
    if isinstance(spec, CSTAPrivateData):
        return 1
    if isinstance(spec, univ.Enumerated):
        return 1 if _key(spec) in covered else max(1, len(spec.namedValues))
    if isinstance(spec, univ.SequenceOf | univ.SetOf):
        return turns_needed(spec.componentType, covered)
    if isinstance(spec, univ.Sequence | univ.Set | univ.Choice):
        named = spec.componentType.namedTypes
        own = len(named) if isinstance(spec, univ.Choice) else 1
        return max([own, *(turns_needed(n.asn1Object, covered) for n in named)])
    return 1


def operation_specs() -> list[type[Asn1Item]]:
    specs: list[type[Asn1Item]] = [UniversalFailure]
    for op in operations.OPERATIONS:
        if op.name != "cSTAEventReport":
            specs.append(op.argument)
            if op.result is not None:
                specs.append(op.result)
    return specs


class CoverageCase(SynchronousTestCase):
    if oracle is None:
        skip = oracle_missing

    def assertAllTurnsMatch(self, spec: type[Asn1Item], make: Any, turns: int) -> None:
        assert oracle is not None
        name = spec.__name__
        for turn in range(turns):
            value = make(turn)
            ours = values.encode(spec, value)
            reference = oracle.encode_type(name, to_oracle(spec, value))
            self.assertEqual(ours.hex(" "), reference.hex(" "), f"{name}, turn {turn}")
            self.assertEqual(
                values.decode(spec, reference),
                from_oracle(spec, oracle.decode_type(name, reference)),
                f"{name}, turn {turn}",
            )


class OperationCoverageTests(CoverageCase):
    def test_every_argument_and_result(self) -> None:
        for spec in operation_specs():
            instance = spec()
            self.assertAllTurnsMatch(
                spec, lambda turn, s=instance: build(s, turn), turns_needed(instance)
            )


class EventCoverageTests(CoverageCase):
    def test_every_event_of_every_group(self) -> None:
        """All events of the 4th edition, so none can make the event decoder fail."""
        covered: set[object] = set()
        for spec in operation_specs():
            covered |= enumerations(spec())
        groups = EventSpecificInfo().componentType.namedTypes
        self.assertEqual(len(groups), 8)
        events = 0
        for group in groups:
            for event in group.asn1Object.componentType.namedTypes:
                events += 1

                def report(turn: int, group: Any = group, event: Any = event) -> Any:
                    content = build(event.asn1Object, turn)
                    return {
                        "crossRefIdentifier": b"\x2a",
                        "eventSpecificInfo": (group.name, (event.name, content)),
                    }

                # ENUMERATED types that operations share (EventCause...) went through all
                # their names above
                turns = turns_needed(event.asn1Object, frozenset(covered))
                self.assertAllTurnsMatch(CSTAEventReportArgument, report, turns)
        self.assertEqual(events, 18 + 5 + 2 + 11 + 15 + 4 + 18 + 1)
