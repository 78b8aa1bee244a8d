"""Settings saved through the API hide the configuration's: the driver says so when it starts."""

import os
from typing import Any, cast

from twisted.internet.testing import MemoryReactorClock
from twisted.logger import Logger, formatEvent
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver import tap
from ecsta.driver.admin import Administration, overridden_sections
from ecsta.driver.config import parse

LOCATION = {"useLocation": True, "countryCode": "49", "localNumber": "1234"}


class SavedSettingsTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.state = self.mktemp()
        self.licences = self.mktemp()

    def document(self, **sections: Any) -> dict[str, Any]:
        return {
            "admin": {"stateDirectory": self.state, "licenceDirectory": self.licences},
            **sections,
        }

    def save_through_the_api(self, patch: dict[str, Any]) -> None:
        Administration.from_config(parse(self.document())).update_settings(patch)

    def start(self, document: dict[str, Any]) -> list[str]:
        events: list[dict[str, Any]] = []
        self.patch(tap, "log", Logger(observer=cast(Any, events.append)))
        tap.build(MemoryReactorClock(), parse(document))
        return [formatEvent(event) for event in events if event["log_level"].name == "warn"]

    def test_nothing_is_said_before_settings_are_saved(self) -> None:
        document = self.document(location=LOCATION, advanced={"snapshotInterval": 5})
        self.assertEqual(overridden_sections(parse(document)), [])
        self.assertEqual(self.start(document), [])

    def test_the_sections_the_saved_settings_hide_are_named(self) -> None:
        self.save_through_the_api({"location": LOCATION, "advanced": {"snapshotInterval": 5}})
        document = self.document(
            location={**LOCATION, "localNumber": "9999"},
            numberFormat={"incoming": [{"search": "^0", "replace": ""}]},
            advanced={"snapshotInterval": 5},
        )
        self.assertEqual(overridden_sections(parse(document)), ["location", "numberFormat"])
        (warning,) = self.start(document)
        self.assertIn(os.path.join(self.state, "settings.json"), warning)
        self.assertIn("which are not used: [location], [numberFormat];", warning)
        self.assertNotIn("[advanced]", warning)

    def test_sections_that_agree_with_the_saved_settings_are_not_named(self) -> None:
        self.save_through_the_api({"location": LOCATION})
        document = self.document(location=LOCATION)
        self.assertEqual(overridden_sections(parse(document)), [])
        self.assertEqual(self.start(document), [])

    def test_advanced_settings_of_the_file_count_once_given(self) -> None:
        self.save_through_the_api({"advanced": {"monitorRetryInterval": 7}})
        document = self.document(advanced={"monitorRetryInterval": 9})
        self.assertEqual(overridden_sections(parse(document)), ["advanced"])
