"""The settings document: partial updates checked as a whole, errors naming the field."""

import json
import os

from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver import atomicfile
from ecsta.driver.settingerrors import InvalidSetting
from ecsta.driver.settings import DriverSettings, load_settings, merge_patch, save_settings

RULES = [
    {"search": "^0(.*)", "replace": r"\1", "regex": True},
    {"search": "^80(.*)", "replace": r"0\1", "regex": True},
]


class DocumentTests(SynchronousTestCase):
    def test_the_defaults(self) -> None:
        self.assertEqual(
            DriverSettings().to_document(),
            {
                "location": {
                    "useLocation": False,
                    "countryCode": "",
                    "areaCode": "",
                    "localNumber": "",
                    "canonical": False,
                    "extensionRange": "",
                    "lineNumbers": "internal",
                },
                "numberFormat": {"incoming": [], "outgoing": [], "dialing": []},
                "sipFilter": {"enabled": False, "rules": []},
                "advanced": {
                    "readNames": True,
                    "snapshotInterval": 60.0,
                    "monitorRetryInterval": 30.0,
                },
                "diagnostics": {"trafficLog": False},
            },
        )

    def test_a_whole_document_reads_back(self) -> None:
        document = DriverSettings().to_document()
        document["location"].update(useLocation=True, countryCode="49", localNumber="1234")
        document["numberFormat"]["incoming"] = RULES
        document["sipFilter"] = {
            "enabled": True,
            "rules": [{"kind": "name-text", "search": "door"}],
        }
        settings = DriverSettings.from_document(document)
        self.assertEqual(settings.to_document(), document)
        self.assertEqual(settings.location.number_for("100"), "491234-100")
        self.assertEqual(settings.number_format.check("incoming", "80123").number, "0123")
        self.assertTrue(settings.sip_filter.check("Door", "1").filtered)


class UpdateTests(SynchronousTestCase):
    def test_a_partial_update_keeps_everything_else(self) -> None:
        settings = DriverSettings().updated({"numberFormat": {"incoming": RULES}})
        settings = settings.updated({"advanced": {"snapshotInterval": 0}})
        self.assertEqual(settings.number_format.to_document()["incoming"], RULES)
        self.assertEqual(settings.advanced.snapshot_interval, 0)
        self.assertEqual(settings.advanced.monitor_retry_interval, 30.0)

    def test_a_rule_list_is_replaced_not_merged(self) -> None:
        settings = DriverSettings().updated({"numberFormat": {"incoming": RULES}})
        settings = settings.updated({"numberFormat": {"incoming": RULES[1:]}})
        self.assertEqual(settings.number_format.to_document()["incoming"], RULES[1:])

    def test_null_puts_a_setting_back_to_its_default(self) -> None:
        settings = DriverSettings().updated(
            {"advanced": {"readNames": False, "snapshotInterval": 5}}
        )
        settings = settings.updated({"advanced": {"readNames": None}})
        self.assertEqual(
            (settings.advanced.read_names, settings.advanced.snapshot_interval), (True, 5)
        )
        self.assertEqual(settings.updated({"advanced": None}).advanced, DriverSettings().advanced)

    def test_an_invalid_regular_expression_names_its_field_and_changes_nothing(self) -> None:
        settings = DriverSettings().updated({"numberFormat": {"incoming": RULES}})
        bad = [*RULES, {"search": "^(0", "replace": ""}]
        with self.assertRaises(InvalidSetting) as caught:
            settings.updated({"advanced": {"readNames": False}, "numberFormat": {"incoming": bad}})
        self.assertEqual(caught.exception.path, "numberFormat.incoming[2].search")
        self.assertTrue(
            str(caught.exception).startswith(
                "numberFormat.incoming[2].search: invalid regular expression"
            )
        )
        self.assertTrue(settings.advanced.read_names)
        self.assertEqual(settings.number_format.to_document()["incoming"], RULES)

    def test_the_update_is_validated_as_a_whole(self) -> None:
        with self.assertRaises(InvalidSetting) as caught:
            DriverSettings().updated({"location": {"useLocation": True, "localNumber": "1234"}})
        self.assertEqual(
            str(caught.exception), "location.countryCode: required when useLocation is on"
        )
        settings = DriverSettings().updated(
            {"location": {"useLocation": True, "countryCode": "49", "localNumber": "1234"}}
        )
        with self.assertRaises(InvalidSetting) as caught:
            settings.updated({"location": {"countryCode": None}})
        self.assertEqual(caught.exception.path, "location.countryCode")

    def test_bad_values_name_their_field(self) -> None:
        for patch, path in (
            ({"advanced": {"snapshotInterval": -1}}, "advanced.snapshotInterval"),
            ({"advanced": {"snapshotInterval": "60"}}, "advanced.snapshotInterval"),
            ({"advanced": {"monitorRetryInterval": 3601}}, "advanced.monitorRetryInterval"),
            ({"advanced": {"monitorRetryInterval": True}}, "advanced.monitorRetryInterval"),
            ({"advanced": {"readNames": 1}}, "advanced.readNames"),
            ({"advanced": {"colour": "red"}}, "advanced.colour"),
            ({"advanced": []}, "advanced"),
            (
                {"sipFilter": {"rules": [{"kind": "name-regex", "search": "*"}]}},
                "sipFilter.rules[0].search",
            ),
            ({"location": {"extensionRange": "9-1"}}, "location.extensionRange"),
            ({"diagnostics": {"trafficLog": "on"}}, "diagnostics.trafficLog"),
            ({"licence": {}}, "licence"),
        ):
            with self.assertRaises(InvalidSetting, msg=repr(patch)) as caught:
                DriverSettings().updated(patch)
            self.assertEqual(caught.exception.path, path)
        with self.assertRaises(InvalidSetting):
            DriverSettings().updated(["advanced"])

    def test_merge_patch_follows_rfc_7386(self) -> None:
        self.assertEqual(
            merge_patch({"a": "b", "c": {"d": "e", "f": "g"}}, {"a": "z", "c": {"f": None}}),
            {"a": "z", "c": {"d": "e"}},
        )
        self.assertEqual(merge_patch({"a": [{"b": "c"}]}, {"a": [1]}), {"a": [1]})
        self.assertEqual(merge_patch({"a": "foo"}, "bar"), "bar")
        self.assertEqual(merge_patch({}, {"a": {"bb": {"ccc": None}}}), {"a": {"bb": {}}})


class FileTests(SynchronousTestCase):
    def setUp(self) -> None:
        directory = self.mktemp()
        os.makedirs(directory)
        self.path = os.path.join(directory, "settings.json")

    def test_nothing_saved_means_the_defaults(self) -> None:
        self.assertEqual(load_settings(self.path), DriverSettings())

    def test_saved_settings_load_back(self) -> None:
        settings = DriverSettings().updated({"numberFormat": {"dialing": RULES}})
        save_settings(self.path, settings)
        self.assertEqual(load_settings(self.path), settings)

    def test_a_save_failing_before_the_replace_keeps_the_old_settings(self) -> None:
        save_settings(self.path, DriverSettings())

        def broken_replace(source: str, destination: str) -> None:
            raise OSError("disk gone")

        self.patch(atomicfile.os, "replace", broken_replace)
        with self.assertRaises(OSError):
            save_settings(self.path, DriverSettings().updated({"advanced": {"readNames": False}}))
        self.assertEqual(load_settings(self.path), DriverSettings())

    def test_a_bad_file_is_reported_with_its_path(self) -> None:
        with open(self.path, "w") as handle:
            handle.write("{")
        with self.assertRaises(InvalidSetting) as caught:
            load_settings(self.path)
        self.assertIn(self.path, str(caught.exception))
        with open(self.path, "w") as handle:
            json.dump({"numberFormat": {"incoming": [{"search": "("}]}}, handle)
        with self.assertRaises(InvalidSetting) as caught:
            load_settings(self.path)
        self.assertEqual(caught.exception.path, "numberFormat.incoming[0].search")
        self.assertIn(self.path, str(caught.exception))
