"""``ecsta journal export``: the calls of a period from the journal database, as JSON or CSV.

Reads the database directly (SQLite in WAL mode takes readers beside the running service;
PostgreSQL takes any number), so it works whether or not the service runs. The database is the
one a service's configuration names (``--config``, its ``[journal]`` section), or a file or DSN
given outright.
"""

import argparse
import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, TextIO

from ecsta.daemon.config import read_toml
from ecsta.journal import queries
from ecsta.journal.export import csv_lines
from ecsta.journal.settings import check
from ecsta.journal.store import connect_blocking

#: The state directory of the systemd units, where a relative ``[journal] path`` leads.
STATE_DIRECTORY = "/var/lib/ecsta"


def _database(args: argparse.Namespace) -> tuple[str, str]:
    """(SQLite path, PostgreSQL DSN) from the options."""
    if args.postgres:
        return "", args.postgres
    if args.database:
        return args.database, ""
    settings = check({})
    if args.config:
        settings = check(read_toml(args.config).get("journal", {}))
    return settings.database_path(args.state_directory), settings.postgres


def export_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        query = queries.parse_query(
            {"from": args.start or "", "to": args.stop or "", "number": args.number or ""}
        )
        path, dsn = _database(args)
        connection, dialect = connect_blocking(path, dsn)
    except (queries.QueryError, OSError, ValueError) as error:
        err.write(f"ecsta journal export: {error}\n")
        return 2
    except Exception as error:  # the database drivers' own errors (PostgreSQL unreachable, ...)
        err.write(f"ecsta journal export: cannot open the journal: {error}\n")
        return 1
    try:
        cursor = connection.cursor()
        # Up to the newest call now: a running service's new calls cannot shift the pages.
        query = replace(query, through=queries.last_id(cursor, dialect))
        rows = queries.pages(cursor, dialect, query)
        if args.csv:
            out.writelines(csv_lines(rows))
        else:
            _json_array(rows, out)
    except Exception as error:
        err.write(f"ecsta journal export: cannot read the journal: {error}\n")
        return 1
    finally:
        connection.close()
    return 0


def _json_array(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    """A JSON array written a row at a time, so that a year of calls is never held whole."""
    out.write("[")
    for n, row in enumerate(rows):
        out.write(",\n " if n else "\n ")
        json.dump(row, out)
    out.write("\n]\n")


def register(subcommands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    journal = subcommands.add_parser("journal", help="the call journal")
    actions = journal.add_subparsers(dest="action", required=True, metavar="ACTION")
    parser = actions.add_parser(
        "export",
        help="print the calls of a period (JSON, or CSV with --csv)",
        description="Print the calls that ended between --from and --to (the PBX's clock), "
        "newest first, from the journal database.",
    )
    parser.add_argument("--from", dest="start", metavar="WHEN", help="YYYY-MM-DD[ HH:MM[:SS]]")
    parser.add_argument("--to", dest="stop", metavar="WHEN", help="YYYY-MM-DD[ HH:MM[:SS]]")
    parser.add_argument("--number", help="only calls this number took part in")
    parser.add_argument("--csv", action="store_true", help="CSV instead of JSON")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--config", metavar="FILE", help="a service's TOML file ([journal])")
    source.add_argument("--database", metavar="PATH", help="the SQLite journal file")
    source.add_argument("--postgres", metavar="DSN", help="the PostgreSQL journal")
    parser.add_argument(
        "--state-directory",
        default=STATE_DIRECTORY,
        metavar="DIR",
        help=f"where a relative [journal] path leads (default {STATE_DIRECTORY})",
    )
    parser.set_defaults(handler=export_command)
