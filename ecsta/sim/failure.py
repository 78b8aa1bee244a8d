"""The refusal a switch gives to a request it cannot carry out."""

from __future__ import annotations


class CstaError(Exception):
    """A universalFailure as a PBX returns it (ECMA-285 CSTA-error-definition).

    ``category`` is the UniversalFailure alternative (``operation``, ``stateIncompatibility``,
    ``systemResourceAvailability``, ...) and ``value`` the name from that alternative's
    enumeration (``None`` for ``unspecified``), so :attr:`universal_failure` is the value the
    wire encoder puts in a ROSE returnError.  Person actions on the control API fail the same
    way, so that one error type reaches every front end.
    """

    def __init__(self, category: str, value: str | None, detail: str = "") -> None:
        text = f"{category}: {value}" + (f" ({detail})" if detail else "")
        super().__init__(text)
        self.category = category
        self.value = value
        self.detail = detail

    @property
    def universal_failure(self) -> tuple[str, str | None]:
        return (self.category, self.value)


def invalid_device(detail: str = "") -> CstaError:
    return CstaError("operation", "invalidDeviceID", detail)


def invalid_call(detail: str = "") -> CstaError:
    return CstaError("operation", "invalidCallID", detail)


def invalid_connection(detail: str = "") -> CstaError:
    return CstaError("operation", "invalidConnectionID", detail)


def wrong_state(value: str, detail: str = "") -> CstaError:
    return CstaError("stateIncompatibility", value, detail)


def out_of_service(detail: str = "") -> CstaError:
    return CstaError("systemResourceAvailability", "deviceOutOfService", detail)
