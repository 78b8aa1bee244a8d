"""``ecsta``, the operators' command: one module per group of subcommands, :mod:`ecsta.cli.main`
parsing the command line and handing each subcommand to its module."""

from ecsta.cli.main import main

__all__ = ["main"]
