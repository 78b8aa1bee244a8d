"""How a request on a CSTA association can fail, one exception per outcome.

Callers tell these apart to answer their own peers precisely: the multiplexer turns a timeout
into a universalFailure for the application, a lost link into a non-normal systemStatus.
"""

from builtins import ConnectionRefusedError as builtin_refused
from typing import Any

from OpenSSL import SSL
from service_identity import VerificationError
from twisted.internet import error as internet_error
from twisted.internet.error import ConnectionRefusedError


class LinkError(Exception):
    """Base of every failure the link reports."""


class LinkLost(LinkError):
    """The association ended before an answer came, or was not up when the request was made."""


class RequestTimeout(LinkError):
    """The peer did not answer within the request's timeout; a late answer is dropped."""


class AssociationRejected(LinkError):
    """The peer answered the AARQ with a rejection (or did not answer it in time)."""

    def __init__(self, result: int | None, diagnostic: Any = None) -> None:
        super().__init__(f"association rejected: result {result}, diagnostic {diagnostic!r}")
        self.result = result
        self.diagnostic = diagnostic


class LoginRefused(AssociationRejected):
    """The peer refused the login: a wrong user or password, or (``locked_out``) a host that
    failed too often and must wait."""

    def __init__(self, result: int | None, diagnostic: Any, locked_out: bool) -> None:
        super().__init__(result, diagnostic)
        self.locked_out = locked_out


#: acse-service-user diagnostics (X.227) a mux gives when it refuses an association.
AUTHENTICATION_FAILURE = 13
AUTHENTICATION_REQUIRED = 14
#: AARE results: the rejection is permanent (fix the request) or transient (try later).
REJECTED_PERMANENT = 1
REJECTED_TRANSIENT = 2


def refusal(result: int | None, diagnostic: Any) -> AssociationRejected:
    """The error an AARE rejection stands for, with a message an operator acts on.

    A mux answers a wrong user or password with rejected-permanent authentication-failure,
    and a host locked out after failed logins with rejected-transient authentication-failure
    (docs/login.md).
    """
    reason = diagnostic[1] if isinstance(diagnostic, tuple) and len(diagnostic) == 2 else None
    if reason == AUTHENTICATION_FAILURE:
        locked = result == REJECTED_TRANSIENT
        error = LoginRefused(result, diagnostic, locked)
        error.args = (
            "login refused: this host is locked out after failed logins; it may try again"
            " once the lockout ends"
            if locked
            else "login refused (wrong user or password)",
        )
        return error
    rejected = AssociationRejected(result, diagnostic)
    if reason == AUTHENTICATION_REQUIRED:
        rejected.args = ("login required: configure a user and password for this link",)
    elif result == REJECTED_TRANSIENT:
        rejected.args = ("association refused for now (the peer is full or busy)",)
    return rejected


def describe_connect_failure(error: BaseException) -> str:
    """One line for why a connection or association attempt failed, without object reprs."""
    if isinstance(error, ConnectionRefusedError | builtin_refused):
        return "connection refused"
    if isinstance(error, internet_error.DNSLookupError):
        return "host name not found"
    if isinstance(error, internet_error.TimeoutError | TimeoutError):
        return "connection timed out"
    if isinstance(error, internet_error.NoRouteError):
        return "no route to host"
    if isinstance(error, SSL.Error):
        return tls_failure(error)
    if isinstance(error, VerificationError):
        return f"certificate verify failed: {error}"
    if isinstance(error, internet_error.ConnectError):
        return (error.osError and str(error.osError)) or type(error).__name__
    return str(error) or type(error).__name__


def tls_failure(error: SSL.Error, reason: str | None = None) -> str:
    """``certificate verify failed: REASON`` for a TLS handshake that failed."""
    parts = [part[-1] for part in (error.args[0] if error.args else []) if part]
    text = "; ".join(str(part) for part in parts) or str(error)
    if "certificate verify failed" in text:
        return f"certificate verify failed: {reason or 'the certificate is not trusted'}"
    return f"TLS handshake failed: {text}"


class OperationFailed(LinkError):
    """The peer answered with a ROSE returnError; ``error`` is the universalFailure value."""

    def __init__(self, error: Any, errcode: int = 1) -> None:
        super().__init__(f"operation failed: {error!r}")
        self.error = error
        self.errcode = errcode


class InvokeRejected(LinkError):
    """The peer answered with a ROSE reject; ``problem`` is e.g. ('invoke', 'mistypedArgument')."""

    def __init__(self, problem: Any) -> None:
        super().__init__(f"rejected: {problem!r}")
        self.problem = problem


class Unsendable(LinkError):
    """The request cannot be framed for this link (too long once it carries our invokeId).

    It was never sent and holds nothing; the caller answers its own peer instead.
    """
