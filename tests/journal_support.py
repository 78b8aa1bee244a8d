"""Shared pieces of the journal tests: cDRReports as a Panasonic PBX sends them, and databases.

:func:`report` builds a cDRReport with only the fields a real PBX fills (PROTOCOL.md section 5).
:class:`Databases` gives each test a fresh SQLite file, or a fresh PostgreSQL database on the
server named by ``ECSTA_TEST_POSTGRES`` (a DSN; ``.ci/run`` starts a server and sets it).
"""

import os
import sqlite3
import tempfile
import uuid
from typing import Any

from twisted.trial.unittest import SkipTest

from ecsta.journal.settings import JournalSettings
from ecsta.wire import apdu
from ecsta.wire.opcodes import Opcode

POSTGRES_DSN = os.environ.get("ECSTA_TEST_POSTGRES", "")
NO_POSTGRES = (
    "no PostgreSQL server: set ECSTA_TEST_POSTGRES to a DSN "
    "(.ci/run starts one with .ci/postgres when the postgresql package can be installed)"
)


def dialling(number: str) -> dict[str, Any]:
    return {"deviceIdentifier": ("dialingNumber", number)}


def item(
    calling: str,
    called: str,
    end: str = "20261206101500",
    tenths: int = 653,
    line: str | None = None,
    account: bytes | None = None,
    units: int | None = None,
) -> dict[str, Any]:
    """One CDRInformationItem with the fields a Panasonic PBX fills."""
    value: dict[str, Any] = {
        "recordCreationTime": end,
        "callingDevice": ("deviceIdentifier", dialling(calling)),
        "calledDevice": ("deviceIdentifier", dialling(called)),
    }
    if line is not None:
        value["associatedCalledDevice"] = ("deviceIdentifier", dialling(line))
    value["chargedDevice"] = ("nonOperator", dialling(calling))
    value["connectionEnd"] = end
    value["connectionDuration"] = tenths
    if units is not None:
        value["chargingInfo"] = {
            "numberUnits": ("numberOfChargeUnits", [{"chargingUnits": units}]),
            "typeOfChargingInfo": "total",
        }
    if account is not None:
        value["accountInfo"] = account
    return value


def report(
    items: list[dict[str, Any]],
    invoke_id: int = 5,
    xref: bytes = b"\x00\x00\x00\x01",
    condition: str | None = None,
) -> bytes:
    argument: dict[str, Any] = {
        "cdrCrossRefID": xref,
        "numberOfRecordsSent": len(items),
        "cdrInfo": items,
    }
    if condition is not None:
        argument["extensions"] = {
            "privateData": [("private", ("kmeAdditionalData", ("conditionCode", condition)))]
        }
    return apdu.encode(apdu.Invoke(invoke_id, Opcode.cDRReport, argument))


class Database:
    """One fresh journal database; :meth:`execute` runs SQL on it from the test (blocking)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.dir = tempfile.mkdtemp(prefix="ecsta-journal-")
        self.dsn = ""
        self.name = ""
        if kind == "postgres":
            if not POSTGRES_DSN:
                raise SkipTest(NO_POSTGRES)
            import psycopg

            self.name = "journal_" + uuid.uuid4().hex[:12]
            with psycopg.connect(POSTGRES_DSN, autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {self.name}")
            self.dsn = f"{POSTGRES_DSN} dbname={self.name}"

    @property
    def settings(self) -> JournalSettings:
        return JournalSettings(path="journal.sqlite", postgres=self.dsn)

    def execute(self, statement: str) -> list[Any]:
        if self.kind == "postgres":
            import psycopg

            with psycopg.connect(self.dsn, autocommit=True) as connection:
                cursor = connection.execute(statement)
                return list(cursor.fetchall()) if cursor.description else []
        with sqlite3.connect(os.path.join(self.dir, "journal.sqlite")) as connection:
            return list(connection.execute(statement).fetchall())

    def drop(self) -> None:
        if self.kind == "postgres":
            import psycopg

            with psycopg.connect(POSTGRES_DSN, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
