"""How a request on a CSTA association can fail, one exception per outcome.

Callers tell these apart to answer their own peers precisely: the multiplexer turns a timeout
into a universalFailure for the application, a lost link into a non-normal systemStatus.
"""

from typing import Any


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
