"""What a failed CSTA request means to the driver's applications and operators.

Shared by the line lifecycle (a line's ``monitorError``, the device list's ``load_error``) and
the API (the body of a refused operation): one wording for one failure, wherever it shows.
"""

from typing import Any

from ecsta.link.errors import InvokeRejected, LinkLost, OperationFailed, RequestTimeout


class CSTAOperationError(Exception):
    """The PBX refused or did not answer an operation: ``body`` for the API, whose ``error``
    (and ``cstaError``) the API layer turns into an HTTP status."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", "operation failed"))
        self.body = body


class PBXBusy(Exception):
    """An application's request refused before it was sent: too many already wait for a
    place among the requests the driver has at the PBX at once."""


def describe_failure(error: BaseException) -> CSTAOperationError:
    """The API's view of a failed CSTA request, naming the CSTA error."""
    if isinstance(error, OperationFailed):
        failure = error.error
        kind, detail = failure if isinstance(failure, tuple) else ("unspecified", failure)
        return CSTAOperationError(
            {
                "error": "cstaError",
                "cstaError": {
                    kind: detail if isinstance(detail, str | int | None) else repr(detail)
                },
                "message": f"the PBX refused the operation: {kind} {detail}",
            },
        )
    if isinstance(error, InvokeRejected):
        return CSTAOperationError(
            {
                "error": "rejected",
                "problem": list(error.problem or ()),
                "message": f"the PBX rejected the request: {error.problem}",
            },
        )
    if isinstance(error, RequestTimeout):
        return CSTAOperationError({"error": "timeout", "message": str(error)})
    if isinstance(error, PBXBusy):
        return CSTAOperationError(
            {"error": "pbxBusy", "lineError": "LINEERR_RESOURCEUNAVAIL", "message": str(error)}
        )
    if isinstance(error, LinkLost):
        return CSTAOperationError({"error": "pbxUnavailable", "message": "the PBX link is down"})
    return CSTAOperationError({"error": "failed", "message": str(error)})
