"""The independent ECMA-285 decoder of ../shared/oracle, for cross-checking APDUs.

It is built with asn1tools from the standard's ASN.1 text, so agreeing with it shows that ecsta
encodes what the standard defines rather than what ecsta's own specs happen to say. Tests that
need it are skipped, with the reason, where it or asn1tools is missing.
"""

import importlib
import os
import sys
from types import ModuleType
from typing import Any

from twisted.trial.unittest import SkipTest

ORACLE_DIR = os.path.normpath(
    os.path.join(os.path.dirname(__file__), "..", "..", "shared", "oracle")
)


def oracle() -> ModuleType:
    """The oracle module; raises SkipTest when it cannot be loaded."""
    try:
        importlib.import_module("asn1tools")
    except ImportError:
        raise SkipTest("asn1tools is not installed; the oracle cross-checks need it") from None
    if not os.path.isfile(os.path.join(ORACLE_DIR, "ecma285.py")):
        raise SkipTest(f"the ECMA-285 oracle is not at {ORACLE_DIR}")
    if ORACLE_DIR not in sys.path:
        sys.path.insert(0, ORACLE_DIR)
    return importlib.import_module("ecma285")


def oracle_or_reason() -> tuple[ModuleType | None, str]:
    """The oracle module and "", or None and why it cannot be used: for test modules that
    decide at import time which of their tests run."""
    try:
        return oracle(), ""
    except SkipTest as missing:
        return None, str(missing)


def oracle_decode(pdu: bytes) -> tuple[str, dict[str, Any]]:
    """(kind, value) of ``pdu`` as the oracle decodes it, strictly."""
    kind, value = oracle().decode_apdu(pdu)
    return kind, value
