"""``ecsta settings show|set`` and ``ecsta sipfilter check``: a running driver's settings.

The settings document is the driver's (``GET``/``PUT /api/v1/settings``, DESIGN.md "Driver
administration API"); ``set`` sends only the keys given, which the driver merges and validates
as a whole, so a bad value is refused with the field named and nothing changes. Values are JSON
(``advanced.snapshotInterval=30``, ``advanced.readNames=false``,
``numberFormat.incoming='[{"search": "^0", "replace": "", "regex": true}]'``); a value that is not
JSON is taken as a string.
"""

import argparse
import json
import urllib.parse
from typing import Any, TextIO

from ecsta.cli.remote import RemoteError, _api_options, _token, _url, fetch


def _driver_url(args: argparse.Namespace, path: str) -> str:
    """``path`` of the driver's API, for the instance ``--instance`` names (default: the first)."""
    query = f"?instance={urllib.parse.quote(args.instance)}" if args.instance else ""
    return _url(args.api, path + query)


def patch_of(assignments: list[str]) -> dict[str, Any]:
    """``a.b=VALUE`` assignments as one partial settings document."""
    document: dict[str, Any] = {}
    for assignment in assignments:
        path, separator, text = assignment.partition("=")
        keys = [k for k in path.strip().split(".") if k]
        if not separator or not keys:
            raise ValueError(
                f"{assignment!r}: expected KEY.PATH=VALUE, e.g. advanced.readNames=true"
            )
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        node = document
        for key in keys[:-1]:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise ValueError(f"{assignment!r}: {key} is set to a value above")
            node = child
        node[keys[-1]] = value
    return document


def show_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        document = fetch("GET", _driver_url(args, "/api/v1/settings"), _token(args))
    except RemoteError as error:
        err.write(f"ecsta settings show: {error}\n")
        return 1
    if args.section:
        if args.section not in document:
            err.write(
                f"ecsta settings show: no section {args.section!r}; "
                f"the driver has {', '.join(sorted(document))}\n"
            )
            return 1
        document = document[args.section]
    out.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return 0


def set_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        patch = patch_of(args.assignments)
    except ValueError as error:
        err.write(f"ecsta settings set: {error}\n")
        return 2
    try:
        document = fetch("PUT", _driver_url(args, "/api/v1/settings"), _token(args), patch)
    except RemoteError as error:
        err.write(f"ecsta settings set: {error}\n")
        return 1
    changed = {key: document.get(key) for key in patch}
    out.write(json.dumps(changed, indent=2, sort_keys=True) + "\n")
    return 0


def sipfilter_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        answer = fetch(
            "POST",
            _driver_url(args, "/api/v1/sipfilter/check"),
            _token(args),
            {"name": args.name, "number": args.number},
        )
    except RemoteError as error:
        err.write(f"ecsta sipfilter check: {error}\n")
        return 1
    if answer.get("filtered"):
        out.write(f"filtered (rule {answer.get('rule')})\n")
    else:
        out.write("not filtered\n")
    return 0


def register(subcommands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``settings`` and ``sipfilter`` to the console script's subcommands."""
    settings = subcommands.add_parser(
        "settings",
        help="read or change a running driver's settings",
        description="Read or change the settings of a running driver through its API; changes"
        " take effect at once and are kept by the driver.",
    )
    actions = settings.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="print the settings document (or one section)")
    show.add_argument("section", nargs="?", help="location, numberFormat, sipFilter, advanced, ...")
    set_ = actions.add_parser(
        "set",
        help="change settings: KEY.PATH=VALUE ...",
        epilog="example: ecsta settings set advanced.snapshotInterval=30 location.useLocation=true",
    )
    set_.add_argument("assignments", nargs="+", metavar="KEY.PATH=VALUE")
    for parser, handler in ((show, show_command), (set_, set_command)):
        _api_options(parser)
        parser.add_argument("--instance", help="the driver instance (default: the first)")
        parser.set_defaults(handler=handler)

    sipfilter = subcommands.add_parser("sipfilter", help="the driver's SIP line filter")
    checks = sipfilter.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = checks.add_parser(
        "check",
        help="would a line with this name and number be left out?",
    )
    check.add_argument("--name", default="", help="the device's name")
    check.add_argument("--number", default="", help="the device's number")
    _api_options(check)
    check.add_argument("--instance", help="the driver instance (default: the first)")
    check.set_defaults(handler=sipfilter_command)
