"""The administration commands of the ``ecsta`` console script: rules, lines and licences.

``ecsta rules check`` shows what the number format rules of a settings file, or of a driver's
configuration, make of numbers. ``ecsta lines import`` and ``ecsta lines export`` move line
lists between a driver's line file and the text format; a running driver reads its line file
when it starts, so import into a running one through ``POST /lines/import`` instead.
``ecsta license issue`` signs licence keys (for the vendor, who holds the private key),
``ecsta license add`` installs one on this host and ``ecsta license show`` reports the host's
licence pool.

:func:`register` adds the commands to the console script's argparse subcommands; each sets
``handler(args, out, err) -> exit status``, the convention of :mod:`ecsta.cli.main`.
"""

import argparse
import os
import sys
from typing import TextIO

from ecsta.cli.remote import register_lines_query
from ecsta.driver.admin import LINES_FILE, settings_from_config, state_file
from ecsta.driver.config import ConfigError, load
from ecsta.driver.licence import (
    LicenceError,
    LicencePool,
    default_state_directory,
    issue_key,
    load_private_key,
    load_public_key,
)
from ecsta.driver.linestore import ImportFailed, LineStore, LineStoreError
from ecsta.driver.numberformat import CATEGORIES
from ecsta.driver.settingerrors import InvalidSetting
from ecsta.driver.settings import DriverSettings, load_settings


def _settings(args: argparse.Namespace) -> DriverSettings:
    """The settings of a settings file, or those a driver configuration gives its driver."""
    if args.settings is not None:
        return load_settings(args.settings)
    return settings_from_config(load(args.config))


def _store(args: argparse.Namespace) -> LineStore:
    """The line file given, or the one of a driver configuration's state directory."""
    if args.store is not None:
        return LineStore(args.store)
    config = load(args.config)
    path = state_file(config, LINES_FILE)
    if config.state_directory is None or path is None:
        raise LineStoreError(f"{args.config} names no admin.stateDirectory to keep lines in")
    os.makedirs(config.state_directory, exist_ok=True)
    return LineStore(path)


def rules_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        number_format = _settings(args).number_format
    except (InvalidSetting, ConfigError) as error:
        err.write(f"ecsta: {error}\n")
        return 1
    for number in args.numbers:
        result = number_format.check(args.category, number)
        if result.rule is None:
            out.write(f"{number} -> {number} (no rule matches)\n")
        elif result.suppressed:
            out.write(f"{number} -> suppressed (rule {result.rule})\n")
        else:
            out.write(f"{number} -> {result.number} (rule {result.rule})\n")
    return 0


def lines_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8-sig") as handle:
                text = handle.read()
        store = _store(args)
        result = store.import_text(text, replace=args.replace)
    except ImportFailed as error:
        err.write(f"ecsta: {args.file}: nothing imported, {len(error.problems)} bad line(s)\n")
        for line_number, reason in error.problems:
            err.write(f"{args.file}:{line_number}: {reason}\n")
        return 1
    except (OSError, UnicodeDecodeError, LineStoreError, ConfigError) as error:
        err.write(f"ecsta: {error}\n")
        return 1
    out.write(
        f"{len(result.added)} added, {len(result.renamed)} renamed, "
        f"{len(result.removed)} removed; {len(store.lines)} lines\n"
    )
    if args.config is not None and (result.added or result.removed):
        out.write(
            "a running driver keeps these changes and applies them at its next start; "
            "POST /api/v1/lines/import applies them at once\n"
        )
    return 0


def lines_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        text = _store(args).export_text()
        if args.output is None:
            out.write(text)
        else:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
    except (OSError, LineStoreError, ConfigError) as error:
        err.write(f"ecsta: {error}\n")
        return 1
    return 0


def license_issue(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        with open(args.private_key, "rb") as handle:
            private_key = load_private_key(handle.read())
        out.write(issue_key(private_key, args.lines, args.licensee, key_id=args.id) + "\n")
    except (OSError, ValueError) as error:
        err.write(f"ecsta: {error}\n")
        return 1
    return 0


def _pool(args: argparse.Namespace) -> LicencePool:
    if args.public_key is None:
        return LicencePool(args.state_dir)
    with open(args.public_key, "rb") as handle:
        return LicencePool(args.state_dir, public_key=load_public_key(handle.read()))


def license_add(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        key = _pool(args).install_key(args.key)
    except (OSError, ValueError, LicenceError) as error:
        err.write(f"ecsta: {error}\n")
        return 1
    out.write(f"installed licence {key.id}: {key.lines} lines for {key.licensee}\n")
    return 0


def license_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        status = _pool(args).status()
    except (OSError, ValueError, LicenceError) as error:
        err.write(f"ecsta: {error}\n")
        return 1
    if status.mode == "licensed":
        out.write(f"licensed: {status.lines_licensed} lines\n")
    elif status.mode == "trial":
        out.write(f"trial: {status.lines_licensed} lines, {status.days_left} days left\n")
    else:
        out.write("trial expired: install a licence key to open lines\n")
    out.write(f"lines in use: {status.lines_in_use}\n")
    for key in status.keys:
        out.write(f"key {key.id}: {key.lines} lines, {key.licensee}, issued {key.issued}\n")
    if status.clock_moved_back:
        out.write("warning: the system clock is behind a time already seen\n")
    if status.unverified_keys:
        out.write(
            f"warning: {status.unverified_keys} installed licence key(s) not verified by the "
            f"{'public key given' if args.public_key else 'built-in public key'}: they unlock "
            "no lines (check --public-key)\n"
        )
    return 0


def _line_file(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", help="a line file")
    where.add_argument("--config", help="the driver's configuration (TOML): its line file")


def register(subcommands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``rules``, ``lines`` and ``license`` to the console script's subcommands."""
    rules = subcommands.add_parser("rules", help="phone number format rules")
    rules_sub = rules.add_subparsers(dest="action", required=True)
    check = rules_sub.add_parser("check", help="show what the rules make of numbers")
    source = check.add_mutually_exclusive_group(required=True)
    source.add_argument("--settings", help="a settings file (JSON, as GET /settings returns)")
    source.add_argument("--config", help="the driver's configuration (TOML)")
    check.add_argument("category", choices=CATEGORIES)
    check.add_argument("numbers", nargs="+", metavar="NUMBER")
    check.set_defaults(handler=rules_check)

    lines = subcommands.add_parser("lines", help="the driver's line devices")
    lines_sub = lines.add_subparsers(dest="action", required=True)
    imports = lines_sub.add_parser("import", help="import lines from a text file")
    _line_file(imports)
    imports.add_argument(
        "--replace", action="store_true", help="remove the lines the file does not list"
    )
    imports.add_argument("file", help="one line per line device: number[,name] ('-': stdin)")
    imports.set_defaults(handler=lines_import)
    exports = lines_sub.add_parser("export", help="write the lines in the import format")
    _line_file(exports)
    exports.add_argument("--output", "-o", help="file to write (default: standard output)")
    exports.set_defaults(handler=lines_export)
    register_lines_query(lines_sub)

    licence = subcommands.add_parser("license", help="line licences")
    licence_sub = licence.add_subparsers(dest="action", required=True)
    issue = licence_sub.add_parser("issue", help="sign a licence key")
    issue.add_argument("--private-key", required=True, help="Ed25519 private key (PEM)")
    issue.add_argument("--lines", required=True, type=int, help="lines the key unlocks")
    issue.add_argument("--licensee", required=True, help="whom the key is for")
    issue.add_argument("--id", help="key id (default: random)")
    issue.set_defaults(handler=license_issue)
    for name, handler, text in (
        ("add", license_add, "install a licence key on this host"),
        ("show", license_show, "the licence pool of this host"),
    ):
        command = licence_sub.add_parser(name, help=text)
        command.add_argument(
            "--state-dir", default=default_state_directory(), help="the licence state directory"
        )
        command.add_argument("--public-key", help="verify keys with this public key (PEM)")
        if name == "add":
            command.add_argument("key", help="the licence key")
        command.set_defaults(handler=handler)
