"""Diagnostics: the driver's log files, and a log of the CSTA traffic that can be switched on.

Log files go to a configured directory and are rotated by size
(:class:`twisted.python.logfile.LogFile`), keeping a bounded number of old files, so a driver
left running for years with tracing on cannot fill the disk.

The CSTA traffic log writes every PDU the driver sends and receives, decoded
(:func:`ecsta.wire.apdu.decode`), into the same log: what support asks for first when a call
does something odd. It is switched on and off while the driver runs (the ``diagnostics.trafficLog``
setting) and costs nothing while off. An association request is reduced to its user name and
CSTA versions and never written out in full or in hex, because it carries the login password;
a PDU that does not decode is logged in hex with the decoder's complaint.
"""

import os
from collections.abc import Callable
from typing import IO, cast

from twisted.logger import ILogObserver, Logger, textFileLogObserver
from twisted.python.logfile import LogFile

from ecsta.wire import apdu
from ecsta.wire.errors import DecodeError

LOG_NAME = "ecsta-driver.log"
ROTATE_LENGTH = 10_000_000
MAX_ROTATED_FILES = 10
#: First octet of an AARQ ([APPLICATION 0]): the one PDU that carries a password.
_AARQ_TAG = 0x60


class LogDirectory:
    """A size-rotated log file in ``directory``; add :attr:`observer` to the log publisher."""

    def __init__(
        self,
        directory: str,
        name: str = LOG_NAME,
        rotate_length: int = ROTATE_LENGTH,
        max_rotated_files: int = MAX_ROTATED_FILES,
    ) -> None:
        os.makedirs(directory, exist_ok=True)
        self.file = LogFile(
            name, directory, rotateLength=rotate_length, maxRotatedFiles=max_rotated_files
        )
        # LogFile is file-like (write, flush) without being a typing.IO.
        self.observer: ILogObserver = textFileLogObserver(cast(IO[str], self.file))

    @property
    def path(self) -> str:
        return str(self.file.path)

    def close(self) -> None:
        self.file.close()


def describe(pdu: bytes, decode: Callable[[bytes], object] = apdu.decode) -> str:
    """One PDU as a log line: decoded, or in hex with the reason it did not decode."""
    try:
        value = decode(pdu)
    except DecodeError as error:
        if pdu[:1] == bytes([_AARQ_TAG]):
            return (
                f"undecodable AARQ of {len(pdu)} bytes, not shown (it may hold a password): {error}"
            )
        return f"undecodable ({error}): {pdu.hex()}"
    if isinstance(value, apdu.AARQ):
        return f"AARQ user={value.user!r} versions={sorted(value.csta_versions)}"
    operation = getattr(value, "operation", None)
    if operation is not None:
        return f"{operation.name} {value!r}"
    return repr(value)


class TrafficLog:
    """Logs CSTA PDUs while :attr:`enabled`; the link adapters report each PDU to it."""

    def __init__(
        self,
        log: Logger | None = None,
        decode: Callable[[bytes], object] = apdu.decode,
        enabled: bool = False,
    ) -> None:
        self.log = log or Logger(namespace="ecsta.traffic")
        self.decode = decode
        self.enabled = enabled

    def sent(self, pdu: bytes, peer: str) -> None:
        if self.enabled:
            self._record("->", pdu, peer)

    def received(self, pdu: bytes, peer: str) -> None:
        if self.enabled:
            self._record("<-", pdu, peer)

    def _record(self, direction: str, pdu: bytes, peer: str) -> None:
        self.log.info(
            "CSTA {direction} {peer}: {pdu}",
            direction=direction,
            peer=peer,
            pdu=describe(pdu, self.decode),
        )
