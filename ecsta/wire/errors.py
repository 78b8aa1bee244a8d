"""The one exception type that every decoder of the wire layer raises.

Callers that read bytes from a peer catch exactly :class:`DecodeError` and decide how to answer
(ROSE reject, or ABRT and close); anything else escaping a decoder is a bug in ecsta.
"""


class DecodeError(ValueError):
    """Bytes that are not a well-formed PDU of the kind expected.

    ``offset`` is the position in the PDU where the problem was found, when known, so that the
    decoder CLI and the logs can point at the offending byte.
    """

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message if offset is None else f"{message} (at byte {offset})")
        self.reason = message
        self.offset = offset
