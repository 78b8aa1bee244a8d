"""Line devices: adding, removing, importing and exporting, and saving without losing anything."""

import os
import subprocess
import sys
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver import atomicfile
from ecsta.driver.linestore import (
    ImportFailed,
    LineStore,
    LineStoreError,
    PbxDevice,
    StoredLine,
    format_lines,
    lines_from_pbx,
    parse_lines,
)
from ecsta.driver.location import ExtensionRange
from ecsta.driver.sipfilter import FilterRule, SipFilter

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAST = settings(max_examples=100, deadline=None)


class ByHandTests(SynchronousTestCase):
    def test_add_and_remove(self) -> None:
        store = LineStore()
        self.assertEqual(store.add(" 101 ", "Reception"), StoredLine("101", "Reception"))
        store.add("102")
        self.assertEqual(store.lines, (StoredLine("101", "Reception"), StoredLine("102", "")))
        self.assertEqual(store.remove("101"), StoredLine("101", "Reception"))
        self.assertEqual(store.lines, (StoredLine("102", ""),))
        self.assertIsNone(store.get("101"))

    def test_mistakes_are_refused_and_change_nothing(self) -> None:
        store = LineStore()
        store.add("101", "Reception")
        for call, fragment in (
            (lambda: store.add("101"), "already exists"),
            (lambda: store.add("1O1"), "not a phone number"),
            (lambda: store.add("103", "tab\there"), "control characters"),
            (lambda: store.add("104", "x" * 101), "longer than"),
            (lambda: store.remove("999"), "no line 999"),
        ):
            with self.assertRaises(LineStoreError) as caught:
                call()
            self.assertIn(fragment, str(caught.exception))
        self.assertEqual(store.lines, (StoredLine("101", "Reception"),))


class ImportExportTests(SynchronousTestCase):
    def test_numbers_with_and_without_names(self) -> None:
        text = "\ufeff101,Reception\r\n\r\n102\r\n  103 , Smith, John \r\n*21#\n+4930123,Berlin\n"
        self.assertEqual(
            parse_lines(text),
            [
                StoredLine("101", "Reception"),
                StoredLine("102", ""),
                StoredLine("103", "Smith, John"),
                StoredLine("*21#", ""),
                StoredLine("+4930123", "Berlin"),
            ],
        )

    def test_bad_lines_are_all_reported_with_line_numbers_and_nothing_is_imported(self) -> None:
        store = LineStore(self.mktemp())
        store.add("100", "Old")
        before = open(store.path or "", encoding="utf-8").read()
        text = "101,Reception\n\n1x2,Bad\n103\n,No number\n101,Again\n104,\x07bell\n"
        with self.assertRaises(ImportFailed) as caught:
            store.import_text(text)
        self.assertEqual(
            [line for line, _ in caught.exception.problems], [3, 5, 6, 7], caught.exception
        )
        reasons = dict(caught.exception.problems)
        self.assertIn("'1x2' is not a phone number", reasons[3])
        self.assertIn("already on line 1", reasons[6])
        self.assertIn("line 3:", str(caught.exception))
        self.assertIn("nothing imported", str(caught.exception))
        self.assertEqual(store.lines, (StoredLine("100", "Old"),))
        self.assertEqual(open(store.path or "", encoding="utf-8").read(), before)

    def test_import_adds_renames_and_keeps_names_it_is_not_given(self) -> None:
        store = LineStore()
        store.add("101", "Reception")
        store.add("102", "Kitchen")
        result = store.import_text("101\n102,Canteen\n103,Lab\n")
        self.assertEqual((result.added, result.renamed, result.removed), (("103",), ("102",), ()))
        self.assertEqual(
            store.lines,
            (
                StoredLine("101", "Reception"),
                StoredLine("102", "Canteen"),
                StoredLine("103", "Lab"),
            ),
        )

    def test_import_with_replace_drops_the_lines_not_listed(self) -> None:
        store = LineStore()
        for number in ("101", "102", "103"):
            store.add(number)
        result = store.import_text("104\n102\n", replace=True)
        self.assertEqual((result.added, result.removed), (("104",), ("101", "103")))
        self.assertEqual([line.number for line in store.lines], ["102", "104"])

    def test_export_writes_the_import_format(self) -> None:
        store = LineStore()
        store.add("101", "Reception")
        store.add("102")
        self.assertEqual(store.export_text(), "101,Reception\n102\n")

    @FAST
    @given(
        st.dictionaries(
            st.from_regex(r"\+?[0-9*#]{1,12}", fullmatch=True),
            st.text(
                alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                max_size=20,
            ).map(str.strip),
            max_size=20,
        )
    )
    def test_an_export_imports_back_unchanged(self, lines: dict[str, str]) -> None:
        store = LineStore()
        store.merge(StoredLine(number, name) for number, name in lines.items())
        again = LineStore()
        again.import_text(store.export_text())
        self.assertEqual(again.lines, store.lines)


class FileTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = self.mktemp()
        os.makedirs(self.directory)
        self.path = os.path.join(self.directory, "lines.txt")

    def test_every_change_is_on_disk(self) -> None:
        store = LineStore(self.path)
        store.add("101", "Reception")
        store.import_text("102,Kitchen\n")
        store.remove("101")
        self.assertEqual(LineStore(self.path).lines, (StoredLine("102", "Kitchen"),))
        self.assertEqual(open(self.path, encoding="utf-8").read(), "102,Kitchen\n")

    def test_a_damaged_file_is_reported_with_its_line_numbers(self) -> None:
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write("101\nhello\n")
        with self.assertRaises(ImportFailed) as caught:
            LineStore(self.path)
        self.assertEqual([line for line, _ in caught.exception.problems], [2])
        self.assertIn(self.path, str(caught.exception))

    def test_a_save_failing_between_write_and_replace_loses_nothing(self) -> None:
        store = LineStore(self.path)
        store.add("101", "Reception")

        def broken_replace(source: str, destination: str) -> None:
            raise OSError("disk gone")

        self.patch(atomicfile.os, "replace", broken_replace)
        with self.assertRaises(OSError):
            store.import_text("102\n103\n")
        with self.assertRaises(OSError):
            store.remove("101")
        self.assertEqual(store.lines, (StoredLine("101", "Reception"),))
        self.assertEqual(sorted(os.listdir(self.directory)), ["lines.txt", "lines.txt.lock"])
        self.assertEqual(LineStore(self.path).lines, (StoredLine("101", "Reception"),))

    def test_a_process_dying_between_write_and_replace_loses_nothing(self) -> None:
        store = LineStore(self.path)
        store.add("101", "Reception")
        script = textwrap.dedent(
            """
            import os, sys
            from ecsta.driver import atomicfile
            from ecsta.driver.linestore import LineStore
            store = LineStore(sys.argv[1])
            atomicfile.os.replace = lambda source, destination: os._exit(3)
            store.import_text("102\\n103,Lab\\n")
            """
        )
        child = subprocess.run(
            [sys.executable, "-c", script, self.path],
            env={**os.environ, "PYTHONPATH": REPO},
            timeout=30,
            capture_output=True,
        )
        self.assertEqual(child.returncode, 3, child.stderr)
        leftovers = [
            name
            for name in os.listdir(self.directory)
            if name not in ("lines.txt", "lines.txt.lock")
        ]
        self.assertEqual(len(leftovers), 1)
        self.assertIn("103,Lab", open(os.path.join(self.directory, leftovers[0])).read())
        self.assertEqual(LineStore(self.path).lines, (StoredLine("101", "Reception"),))


class FromPbxTests(SynchronousTestCase):
    def test_lines_in_the_range_and_not_filtered(self) -> None:
        devices = [
            PbxDevice("101", "Reception"),
            PbxDevice("102", "Door", sip=True),
            PbxDevice("103", "Door bell"),
            PbxDevice("104", "Softphone", sip=True),
            PbxDevice("501", "Store"),
            PbxDevice("150", "bad\nname"),
        ]
        sip = SipFilter(True, (FilterRule("name-text", "door"),))
        self.assertEqual(
            lines_from_pbx(devices, ExtensionRange.parse("100-199"), sip),
            [
                StoredLine("101", "Reception"),
                StoredLine("103", "Door bell"),
                StoredLine("104", "Softphone"),
            ],
        )

    def test_loading_from_the_pbx_keeps_names_typed_by_hand(self) -> None:
        store = LineStore()
        store.add("101", "Reception")
        found = lines_from_pbx([PbxDevice("101"), PbxDevice("102")], ExtensionRange(), SipFilter())
        result = store.merge(found)
        self.assertEqual(result.added, ("102",))
        self.assertEqual(store.lines, (StoredLine("101", "Reception"), StoredLine("102", "")))
        self.assertEqual(format_lines(store.lines), "101,Reception\n102\n")
