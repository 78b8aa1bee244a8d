"""Every rule in every sample file does what the examples under it say.

A sample rule is a commented (or live) ``incoming``/``outgoing``/``dialing`` or SIP filter
``rules`` line of ``etc/*.toml``; the lines right under it, ``#   NUMBER -> RESULT`` (or
``#   NUMBER NAME -> filtered|kept`` for the SIP filter), are its examples, and a sample rule
without one is an error: an example is what tells an administrator what a rule is for.
"""

import glob
import os
import re
import tomllib

from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.numberformat import CATEGORIES, apply_rules, parse_rules
from ecsta.driver.sipfilter import SipFilter

ETC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "etc")
RULE = re.compile(r"^#?\s*(?P<key>incoming|outgoing|dialing|rules)\s*=\s*(?P<value>\[.+\])\s*$")
EXAMPLE = re.compile(r"^#\s{2,}(?P<given>.+?)\s+->\s+(?P<expected>.*?)\s*$")


def sample_rules() -> list[tuple[str, int, str, str, list[tuple[str, str]]]]:
    """(file, line number, key, TOML value, examples) of every non-empty sample rule."""
    found = []
    for path in sorted(glob.glob(os.path.join(ETC, "*.toml"))):
        with open(path, encoding="utf-8") as stream:
            lines = stream.read().splitlines()
        for index, line in enumerate(lines):
            match = RULE.match(line)
            if match is None or match["value"] == "[]":
                continue
            examples = []
            for following in lines[index + 1 :]:
                example = EXAMPLE.match(following)
                if example is None:
                    break
                examples.append((example["given"], example["expected"]))
            found.append(
                (os.path.basename(path), index + 1, match["key"], match["value"], examples)
            )
    return found


class SampleRuleTests(SynchronousTestCase):
    def test_the_samples_have_rules_to_check(self) -> None:
        keys = {key for _, _, key, _, _ in sample_rules()}
        self.assertEqual(keys, {"dialing", "incoming", "rules"})

    def test_every_sample_rule_does_what_its_examples_say(self) -> None:
        for name, number, key, value, examples in sample_rules():
            where = f"{name}:{number}"
            self.assertTrue(examples, f"{where}: a sample rule without examples")
            documents = tomllib.loads(f"value = {value}")["value"]
            if key in CATEGORIES:
                rules = parse_rules(documents)
                for given, expected in examples:
                    result = apply_rules(rules, given).number
                    self.assertEqual(result, expected, f"{where}: {given}")
            else:
                sip = SipFilter.from_document({"enabled": True, "rules": documents})
                for given, expected in examples:
                    device, _, device_name = given.partition(" ")
                    filtered = sip.check(device_name, device).filtered
                    self.assertEqual("filtered" if filtered else "kept", expected, where)

    def test_the_old_sample_would_have_been_caught(self) -> None:
        """``^\\+49`` -> ``0`` dials 0 for every German number: the check sees it."""
        rules = parse_rules([{"search": "^\\+49", "replace": "0", "regex": True}])
        self.assertEqual(apply_rules(rules, "+4930123456").number, "0")
