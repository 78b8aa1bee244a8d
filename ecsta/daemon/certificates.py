"""The certificates of a service's TLS listeners: checked at start, and their days left shown.

A listener whose certificate has expired (or is not valid yet) would accept connections that
every verifying client then drops, each with an error of its own far from the cause. The
service refuses to start instead, with one line naming the file and the date, and its metrics
say how many days each certificate has left, so that renewal is seen coming.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from OpenSSL import crypto

_FIELD = r"(?:^|:){}=((?:\\.|[^:])*)"


class CertificateError(Exception):
    """A listener's certificate cannot be used now; the message names it and why."""


@dataclass(frozen=True)
class Certificate:
    """The validity of the certificate an ``ssl:`` listener presents."""

    listener: str
    path: str
    not_before: float
    not_after: float

    def days_left(self, now: float) -> float:
        return (self.not_after - now) / 86400.0


def _value(description: str, name: str) -> str | None:
    match = re.search(_FIELD.format(name), description)
    return None if match is None else re.sub(r"\\(.)", r"\1", match.group(1))


def _seconds(stamp: bytes | None) -> float:
    assert stamp is not None
    moment = datetime.strptime(stamp.decode("ascii"), "%Y%m%d%H%M%SZ")
    return moment.replace(tzinfo=UTC).timestamp()


def _day(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def listener_certificate(description: str, now: float) -> Certificate | None:
    """The certificate of an ``ssl:`` listener, checked against ``now``; None for others.

    Raises :class:`CertificateError` for a certificate that has expired or is not valid yet.
    A file that cannot be read is left to the endpoint parser, which names it already.
    """
    if description.split(":", 1)[0].strip().lower() != "ssl":
        return None
    path = _value(description, "certKey") or _value(description, "privateKey")
    if path is None:
        return None
    try:
        with open(path, "rb") as stream:
            certificate = crypto.load_certificate(crypto.FILETYPE_PEM, stream.read())
    except (OSError, crypto.Error):
        return None
    found = Certificate(
        description,
        path,
        _seconds(certificate.get_notBefore()),
        _seconds(certificate.get_notAfter()),
    )
    if now >= found.not_after:
        raise CertificateError(
            f"the certificate {path} expired on {_day(found.not_after)}: renew it"
        )
    if now < found.not_before:
        raise CertificateError(
            f"the certificate {path} is not valid before {_day(found.not_before)}: "
            "check the clock, or the certificate"
        )
    return found
