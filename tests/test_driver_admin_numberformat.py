"""Phone number format rules: the original driver's documented examples and their edge cases."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.numberformat import NumberFormat, Rule, apply_rules
from ecsta.driver.settingerrors import InvalidSetting

FAST = settings(max_examples=200, deadline=None)
DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=16)


def incoming(*rules: Rule) -> NumberFormat:
    return NumberFormat(incoming=rules)


class OriginalExamplesTests(SynchronousTestCase):
    """The seven examples the original documents, each with numbers it must and must not touch."""

    def assertFormats(self, rule: Rule, expected: dict[str, str | None]) -> None:
        """``expected`` maps a number to its result, or to None where the rule must not match."""
        rules = incoming(rule)
        for number, result in expected.items():
            formatted = rules.check("incoming", number)
            if result is None:
                self.assertEqual((formatted.number, formatted.rule), (number, None), number)
            else:
                self.assertEqual((formatted.number, formatted.rule), (result, 0), number)

    def test_remove_a_leading_zero(self) -> None:
        self.assertFormats(
            Rule(r"^0(.*)", r"\1"),
            {"0301234567": "301234567", "00441234": "0441234", "0": "", "101": None},
        )

    def test_replace_80_at_the_start_with_0(self) -> None:
        self.assertFormats(
            Rule(r"^80(.*)", r"0\1"),
            {"80301234": "0301234", "8089": "089", "0801": None, "180": None},
        )

    def test_strip_a_private_pin_of_50_and_three_digits(self) -> None:
        self.assertFormats(
            Rule(r"^50[0-9][0-9][0-9](.*)", r"\1"),
            {"501230301234": "0301234", "50999123": "123", "5012": None, "0501230301": None},
        )

    def test_suppress_three_digit_internal_numbers(self) -> None:
        rules = incoming(Rule(r"^[0-9][0-9][0-9]$", ""))
        for number in ("101", "999", "000"):
            result = rules.check("incoming", number)
            self.assertTrue(result.suppressed, number)
            self.assertEqual((result.number, result.rule), ("", 0))
        for number in ("10", "1011", "0301234"):
            self.assertEqual(rules.check("incoming", number).number, number)

    def test_add_access_code_0_to_numbers_longer_than_three_digits(self) -> None:
        self.assertFormats(
            Rule(r"^([0-9][0-9][0-9].+)", r"0\1"),
            {"1234": "01234", "0301234567": "00301234567", "123": None, "1": None},
        )

    def test_add_base_number_to_numbers_of_one_to_three_digits(self) -> None:
        self.assertFormats(
            Rule(r"^([0-9][0-9]?[0-9]?)$", r"03012345\1"),
            {"1": "030123451", "12": "0301234512", "123": "03012345123", "1234": None},
        )

    def test_add_area_code_to_numbers_of_four_digits_or_more_not_starting_with_0(self) -> None:
        self.assertFormats(
            Rule(r"^([^0][0-9][0-9][0-9].*)", r"08151\1"),
            {"1234": "081511234", "987654": "08151987654", "0891234": None, "123": None},
        )


class DialingExamplesTests(SynchronousTestCase):
    def test_dial_a_number_over_a_dedicated_line(self) -> None:
        rules = NumberFormat(dialing=(Rule(r"^\+49891234(.*)", r"80\1"),))
        self.assertEqual(rules.check("dialing", "+49891234567").number, "80567")
        self.assertEqual(rules.check("dialing", "+4930123").number, "+4930123")

    def test_text_compare_replaces_only_the_whole_number(self) -> None:
        rules = NumberFormat(dialing=(Rule("115", "215", regex=False), Rule("11833", "11855")))
        self.assertEqual(rules.check("dialing", "115").number, "215")
        self.assertEqual(rules.check("dialing", "1150").number, "1150")
        self.assertEqual(rules.check("dialing", "0115").number, "0115")
        self.assertEqual(rules.check("dialing", "11833").number, "11855")

    def test_text_compare_takes_the_replacement_literally(self) -> None:
        rules = NumberFormat(dialing=(Rule("1+1", r"\1.*", regex=False),))
        self.assertEqual(rules.check("dialing", "1+1").number, r"\1.*")
        self.assertEqual(rules.check("dialing", "11").rule, None)


class OrderTests(SynchronousTestCase):
    def test_the_first_matching_rule_wins_and_is_reported(self) -> None:
        rules = incoming(
            Rule(r"^9(.*)", r"X\1"),
            Rule(r"^[0-9][0-9][0-9]$", ""),
            Rule(r"^(.*)$", r"0\1"),
        )
        results = [rules.check("incoming", number) for number in ("9123", "101", "1234")]
        self.assertEqual(
            [(result.number, result.rule) for result in results],
            [("X123", 0), ("", 1), ("01234", 2)],
        )

    def test_categories_have_their_own_rules(self) -> None:
        rules = NumberFormat(
            incoming=(Rule(r"^0(.*)", r"\1"),),
            outgoing=(Rule(r"^(.*)$", r"+\1"),),
            dialing=(Rule(r"^\+(.*)", r"00\1"),),
        )
        self.assertEqual(rules.check("incoming", "0301").number, "301")
        self.assertEqual(rules.check("outgoing", "0301").number, "+0301")
        self.assertEqual(rules.check("dialing", "0301").number, "0301")
        self.assertEqual(rules.check("dialing", "+49").number, "0049")

    def test_an_unknown_category_is_refused(self) -> None:
        with self.assertRaises(InvalidSetting) as caught:
            NumberFormat().check("sideways", "1")  # type: ignore[arg-type]
        self.assertEqual(caught.exception.path, "category")

    @FAST
    @given(DIGITS)
    def test_no_rules_leave_every_number_unchanged(self, number: str) -> None:
        result = NumberFormat().check("outgoing", number)
        self.assertEqual((result.number, result.rule), (number, None))

    @FAST
    @given(DIGITS)
    def test_internal_numbers_are_suppressed_and_others_get_a_base_or_access_code(
        self, number: str
    ) -> None:
        rules = (
            Rule(r"^[0-9][0-9][0-9]$", ""),
            Rule(r"^([0-9][0-9]?)$", r"03012345\1"),
            Rule(r"^([0-9][0-9][0-9].+)", r"0\1"),
        )
        result = apply_rules(rules, number)
        if len(number) == 3:
            self.assertEqual((result.number, result.rule), ("", 0))
        elif len(number) < 3:
            self.assertEqual(result.number, "03012345" + number)
        else:
            self.assertEqual(result.number, "0" + number)


class InvalidRuleTests(SynchronousTestCase):
    def test_an_invalid_regular_expression_names_the_rule(self) -> None:
        document = {
            "incoming": [
                {"search": "^0(.*)", "replace": r"\1"},
                {"search": "^80", "replace": "0"},
                {"search": "^(0[0-9", "replace": r"\1"},
            ]
        }
        with self.assertRaises(InvalidSetting) as caught:
            NumberFormat.from_document(document)
        self.assertEqual(caught.exception.path, "incoming[2].search")
        self.assertTrue(
            str(caught.exception).startswith("incoming[2].search: invalid regular expression: "),
            str(caught.exception),
        )

    def test_a_replacement_naming_a_missing_group_is_refused_when_the_rule_is_made(self) -> None:
        with self.assertRaises(InvalidSetting) as caught:
            NumberFormat.from_document({"dialing": [{"search": "^(1)(2)", "replace": r"\3"}]})
        self.assertEqual(caught.exception.path, "dialing[0].replace")
        self.assertIn("invalid group reference 3", str(caught.exception))
        with self.assertRaises(InvalidSetting):
            Rule("^(?P<area>0[0-9]+)", r"\g<city>")
        self.assertEqual(Rule("^(?P<area>0[0-9]+)", r"\g<area>-").apply("089"), "089-")

    def test_a_text_rule_is_not_compiled(self) -> None:
        self.assertEqual(Rule("(", "x", regex=False).apply("("), "x")

    def test_wrong_types_and_unknown_fields_name_the_field(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"outgoing": {"search": "1"}}, "outgoing"),
            ({"outgoing": ["^1"]}, "outgoing[0]"),
            ({"outgoing": [{"search": 1}]}, "outgoing[0].search"),
            ({"outgoing": [{"search": "1", "replace": None}]}, "outgoing[0].replace"),
            ({"outgoing": [{"search": "1", "regex": "yes"}]}, "outgoing[0].regex"),
            ({"outgoing": [{"search": ""}]}, "outgoing[0].search"),
            ({"outgoing": [{"search": "1", "replce": "2"}]}, "outgoing[0].replce"),
            ({"pcDialing": []}, "pcDialing"),
        ]
        for document, path in cases:
            with self.assertRaises(InvalidSetting, msg=repr(document)) as caught:
                NumberFormat.from_document(document)
            self.assertEqual(caught.exception.path, path)

    def test_the_document_form_reads_back_to_the_same_rules(self) -> None:
        rules = NumberFormat(
            incoming=(Rule(r"^0(.*)", r"\1"),),
            dialing=(Rule("115", "215", regex=False),),
        )
        self.assertEqual(NumberFormat.from_document(rules.to_document()), rules)
