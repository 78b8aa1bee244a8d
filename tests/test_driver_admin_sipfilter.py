"""The SIP line filter: which devices are left out when lines are loaded, and why."""

from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.settingerrors import InvalidSetting
from ecsta.driver.sipfilter import FilterRule, SipFilter

RULES = (
    FilterRule("name-text", "door"),
    FilterRule("number-text", "99"),
    FilterRule("name-regex", r"^GW-[0-9]+$"),
    FilterRule("number-regex", r"^7[0-9]{3}$"),
)


class CheckTests(SynchronousTestCase):
    def test_an_enabled_filter_names_the_rule_that_matched(self) -> None:
        sip = SipFilter(True, RULES)
        cases = [
            (("Front Door", "301"), (True, 0)),
            (("Softphone", "3990"), (True, 1)),
            (("GW-12", "302"), (True, 2)),
            (("Alice", "7001"), (True, 3)),
            (("Alice", "301"), (False, None)),
            (("GW-12a", "70011"), (False, None)),
        ]
        for (name, number), expected in cases:
            result = sip.check(name, number)
            self.assertEqual((result.filtered, result.rule), expected, (name, number))

    def test_text_ignores_case_and_a_regex_does_not_unless_asked(self) -> None:
        self.assertTrue(
            SipFilter(True, (FilterRule("name-text", "DOOR"),)).check("door 2", "1").filtered
        )
        self.assertFalse(
            SipFilter(True, (FilterRule("name-regex", "DOOR"),)).check("door 2", "1").filtered
        )
        self.assertTrue(
            SipFilter(True, (FilterRule("name-regex", "(?i)DOOR"),)).check("door 2", "1").filtered
        )

    def test_name_rules_look_at_the_name_and_number_rules_at_the_number(self) -> None:
        by_name = SipFilter(True, (FilterRule("name-text", "301"),))
        by_number = SipFilter(True, (FilterRule("number-text", "301"),))
        self.assertFalse(by_name.check("Alice", "301").filtered)
        self.assertTrue(by_number.check("Alice", "301").filtered)
        self.assertTrue(by_name.check("Room 301", "5").filtered)
        self.assertFalse(by_number.check("Room 301", "5").filtered)

    def test_a_disabled_filter_keeps_everything(self) -> None:
        sip = SipFilter(False, RULES)
        result = sip.check("Front Door", "7001")
        self.assertEqual((result.filtered, result.rule), (False, None))

    def test_the_first_matching_rule_is_reported(self) -> None:
        sip = SipFilter(True, (FilterRule("number-text", "1"), FilterRule("number-text", "11")))
        self.assertEqual(sip.check("", "11").rule, 0)


class DocumentTests(SynchronousTestCase):
    def test_the_document_reads_back(self) -> None:
        sip = SipFilter(True, RULES)
        self.assertEqual(SipFilter.from_document(sip.to_document()), sip)
        self.assertEqual(
            sip.to_document()["rules"][2], {"kind": "name-regex", "search": r"^GW-[0-9]+$"}
        )

    def test_an_invalid_regular_expression_names_the_rule(self) -> None:
        with self.assertRaises(InvalidSetting) as caught:
            SipFilter.from_document(
                {
                    "enabled": True,
                    "rules": [
                        {"kind": "name-text", "search": "x"},
                        {"kind": "number-regex", "search": "[7"},
                    ],
                }
            )
        self.assertEqual(caught.exception.path, "rules[1].search")
        self.assertIn("invalid regular expression", str(caught.exception))

    def test_bad_fields_are_named(self) -> None:
        for document, path in (
            ({"enabled": 1}, "enabled"),
            ({"rules": {}}, "rules"),
            ({"rules": [{"kind": "name", "search": "x"}]}, "rules[0].kind"),
            ({"rules": [{"kind": "name-text", "search": ""}]}, "rules[0].search"),
            ({"rules": [{"kind": "name-text"}]}, "rules[0].search"),
            ({"rules": [{"kind": "name-text", "search": "x", "case": True}]}, "rules[0].case"),
            ({"rules": ["door"]}, "rules[0]"),
            ({"on": True}, "on"),
        ):
            with self.assertRaises(InvalidSetting, msg=repr(document)) as caught:
                SipFilter.from_document(document)
            self.assertEqual(caught.exception.path, path)
