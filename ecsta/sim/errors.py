"""Why a control request was refused, with what its caller needs to know."""

from typing import Any


class ControlError(Exception):
    """A control API request that cannot be carried out; ``status`` is the HTTP status to send.

    ``details`` adds fields to the JSON error body, e.g. the CSTA universalFailure the switch
    gave, so that a test can tell a wrong state from an unknown device.
    """

    def __init__(self, status: int, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
