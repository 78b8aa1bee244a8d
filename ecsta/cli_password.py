"""``ecsta hash-password``: a password hash for the mux's ``[users]`` table.

The password is asked for twice at a terminal, or read as the first line of standard input
when that is a pipe (``printf '%s\\n' "$PW" | ecsta hash-password``). It is never taken from
the command line, where ``ps`` and the shell history would show it to others.
"""

import argparse
import getpass
import sys
from typing import TextIO

from ecsta.mux.auth import SCHEMES, hash_password


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
    hashed = hash_password(password, args.scheme)
    if args.user is None:
        out.write(hashed + "\n")
    else:
        out.write(f'{args.user} = "{hashed}"\n')
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
