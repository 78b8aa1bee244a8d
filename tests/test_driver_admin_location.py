"""Location settings: the extension range and the located and canonical forms of extensions."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.location import ExtensionRange, Location
from ecsta.driver.settingerrors import InvalidSetting

FAST = settings(max_examples=200, deadline=None)

MUNICH = Location(
    use_location=True,
    country_code="49",
    area_code="89",
    local_number="1234",
    extension_range=ExtensionRange.parse("100-199"),
)
BERLIN = Location(
    use_location=True,
    country_code="49",
    area_code="30",
    local_number="12345",
    canonical=True,
)


class ExtensionRangeTests(SynchronousTestCase):
    def test_spans_and_single_numbers(self) -> None:
        extensions = ExtensionRange.parse(" 100-199, 7000 ,300-301")
        for number in ("100", "150", "199", "7000", "300", "301"):
            self.assertIn(number, extensions)
        for number in ("99", "200", "7001", "302", "1000", "", "1a0", "+100"):
            self.assertNotIn(number, extensions)
        self.assertEqual(str(extensions), "100-199, 7000, 300-301")

    def test_a_number_needs_the_digits_of_the_span(self) -> None:
        extensions = ExtensionRange.parse("0100-0199")
        self.assertIn("0150", extensions)
        self.assertNotIn("150", extensions)
        self.assertNotIn("0150", ExtensionRange.parse("100-199"))
        self.assertEqual(
            list(ExtensionRange.parse("098-0101").numbers())[:3], ["098", "099", "100"]
        )

    def test_numbers_lists_every_extension_in_order(self) -> None:
        self.assertEqual(
            list(ExtensionRange.parse("101-103,200").numbers()), ["101", "102", "103", "200"]
        )

    def test_an_empty_range_takes_every_number(self) -> None:
        everything = ExtensionRange.parse("  ")
        self.assertIn("4711", everything)
        self.assertEqual(list(everything.numbers()), [])

    def test_bad_spans_are_refused_with_the_span_named(self) -> None:
        for text, fragment in (
            ("100-1x9", "'100-1x9'"),
            ("200-100", "ends before it starts"),
            ("100-", "'100-'"),
            ("0-99999999", "more than"),
        ):
            with self.assertRaises(InvalidSetting, msg=text) as caught:
                ExtensionRange.parse(text)
            self.assertIn(fragment, str(caught.exception))


class NumberFormsTests(SynchronousTestCase):
    def test_the_originals_located_form(self) -> None:
        self.assertEqual(MUNICH.number_for("100"), "49(89)1234-100")

    def test_the_canonical_form(self) -> None:
        self.assertEqual(BERLIN.number_for("123"), "+49(30)12345-123")

    def test_without_location_extensions_stay_internal(self) -> None:
        plain = Location(country_code="49", area_code="89", local_number="1234")
        self.assertEqual(plain.number_for("100"), "100")
        self.assertIsNone(plain.extension_of("49(89)1234-100"))
        self.assertEqual(plain.dialable("49(89)1234-100"), "49(89)1234-100")

    def test_a_location_without_area_code(self) -> None:
        denmark = Location(
            use_location=True, country_code="45", local_number="3312", canonical=True
        )
        self.assertEqual(denmark.number_for("20"), "+453312-20")
        self.assertEqual(denmark.extension_of("+453312-20"), "20")

    def test_numbers_at_this_location_are_dialled_as_extensions(self) -> None:
        for number in ("49(89)1234-100", "+49(89)1234-100", "+49891234100", "+49 89 1234 100"):
            self.assertEqual(MUNICH.extension_of(number), "100", number)
            self.assertEqual(MUNICH.dialable(number), "100", number)

    def test_other_numbers_are_dialled_as_given(self) -> None:
        for number in ("+4930123456", "0891234100", "100", "49(89)1234-200"):
            self.assertIsNone(MUNICH.extension_of(number), number)
            self.assertEqual(MUNICH.dialable(number), number)

    def test_canonical_numbers_elsewhere_are_dialled_from_here(self) -> None:
        self.assertIsNone(MUNICH.extension_of("+49(30)12345-100"))
        self.assertEqual(MUNICH.dialable("+49(30)12345-100"), "03012345100")

    @FAST
    @given(st.integers(min_value=100, max_value=199), st.booleans())
    def test_every_reported_extension_reads_back(self, value: int, canonical: bool) -> None:
        location = replace(MUNICH, canonical=canonical)
        extension = str(value)
        self.assertEqual(location.extension_of(location.number_for(extension)), extension)


class DocumentTests(SynchronousTestCase):
    def test_the_document_reads_back(self) -> None:
        self.assertEqual(Location.from_document(MUNICH.to_document()), MUNICH)
        self.assertEqual(
            MUNICH.to_document(),
            {
                "useLocation": True,
                "countryCode": "49",
                "areaCode": "89",
                "localNumber": "1234",
                "canonical": False,
                "extensionRange": "100-199",
                "lineNumbers": "internal",
            },
        )

    def test_using_the_location_needs_country_and_local_number(self) -> None:
        with self.assertRaises(InvalidSetting) as caught:
            Location.from_document({"useLocation": True, "areaCode": "89", "localNumber": "1"})
        self.assertEqual(caught.exception.path, "countryCode")
        with self.assertRaises(InvalidSetting) as caught:
            Location.from_document({"useLocation": True, "countryCode": "49"})
        self.assertEqual(caught.exception.path, "localNumber")

    def test_bad_fields_are_named(self) -> None:
        for document, path in (
            ({"countryCode": "+49"}, "countryCode"),
            ({"areaCode": 89}, "areaCode"),
            ({"useLocation": "yes"}, "useLocation"),
            ({"extensionRange": "1-x"}, "extensionRange"),
            ({"city": "Munich"}, "city"),
        ):
            with self.assertRaises(InvalidSetting, msg=repr(document)) as caught:
                Location.from_document(document)
            self.assertEqual(caught.exception.path, path)
