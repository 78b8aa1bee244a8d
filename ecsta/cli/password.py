"""``ecsta hash-password``: a password hash for the mux's ``[users]`` table.

The password is asked for twice at a terminal, or read as the first line of standard input
when that is a pipe (``printf '%s\\n' "$PW" | ecsta hash-password``). It is never taken from
the command line, where ``ps`` and the shell history would show it to others.
"""

import argparse
import getpass
import json
import re
import sys
from typing import TextIO

from ecsta.daemon.auth import SCHEMES, hash_password

#: Shorter passwords are accepted with a warning: a lockout slows guessing, it cannot stop it.
SHORT = 12
#: A TOML bare key; any other user name is written as a quoted key.
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(name: str) -> str:
    """``name`` as a key of the ``[users]`` table: bare when TOML allows, else quoted."""
    if _BARE_KEY.fullmatch(name):
        return name
    return json.dumps(name)  # a JSON string is a TOML basic string for any name


class NoPassword(ValueError):
    """No usable password was given."""


def read_password(stdin: TextIO) -> str:
    """The new password from the terminal (asked twice) or from the first line of ``stdin``."""
    if stdin.isatty():
        first = getpass.getpass("new password: ")
        if getpass.getpass("again: ") != first:
            raise NoPassword("the two passwords differ")
        password = first
    else:
        password = stdin.readline().rstrip("\r\n")
    if not password:
        raise NoPassword("the password is empty")
    return password


def hash_password_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        password = read_password(sys.stdin)
    except NoPassword as error:
        err.write(f"ecsta hash-password: {error}\n")
        return 1
    if args.user is not None and (not args.user or not args.user.isprintable()):
        err.write("ecsta hash-password: --user must be a name without control characters\n")
        return 1
    if len(password) < SHORT:
        err.write(
            f"ecsta hash-password: warning: a password of {len(password)} characters is easy to"
            f" guess; use {SHORT} or more\n"
        )
    hashed = hash_password(password, args.scheme)
    if args.user is None:
        out.write(hashed + "\n")
    else:
        out.write(f'{toml_key(args.user)} = "{hashed}"\n')
    return 0


def register(subcommands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subcommands.add_parser(
        "hash-password",
        help="hash a password for the mux's [users] table",
        description="Read a password (asked twice at a terminal, else the first line of"
        " standard input) and print its hash for the [users] table of the mux's configuration."
        " The password is never taken from the command line.",
        epilog="example: ecsta hash-password --user crm >> /etc/ecsta/mux.toml"
        " (under the [users] table)",
    )
    parser.add_argument(
        "--scheme", choices=SCHEMES, default="scrypt", help="hash scheme (default scrypt)"
    )
    parser.add_argument("--user", metavar="NAME", help='print a whole TOML line: NAME = "hash"')
    parser.set_defaults(handler=hash_password_command)
