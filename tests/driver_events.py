"""CSTA call control events as a Panasonic PBX reports them (PROTOCOL.md section 7).

Builders of event values in the project's value convention, with exactly the fields (and
field order) of the 2nd edition that a Panasonic PBX sends, for the driver's tests and bench.
A device is named by its dialing number (``"101"``) or by its deviceNumber (an ``int``).
"""

from typing import Any

DeviceName = str | int


def device(name: DeviceName) -> dict[str, Any]:
    if isinstance(name, int):
        return {"deviceIdentifier": ("deviceNumber", name)}
    return {"deviceIdentifier": ("dialingNumber", name)}


def conn(call: bytes, name: DeviceName) -> tuple[str, dict[str, Any]]:
    return ("both", {"callID": call, "deviceID": ("staticID", device(name))})


def subject(name: DeviceName | None) -> tuple[str, Any]:
    return ("notKnown", None) if name is None else ("deviceIdentifier", device(name))


def redirection(name: DeviceName | None) -> tuple[str, Any]:
    return ("notKnown", None) if name is None else ("numberdialed", device(name))


def report(cross_ref: bytes, name: str, value: dict[str, Any]) -> dict[str, Any]:
    group = "callControlEvents"
    if name == "forwarding":
        group = "logicalDeviceFeatureEvents"
    elif name in ("outOfService", "backInService"):
        group = "deviceMaintenanceEvents"
    elif name == "digitsGeneratedEvent":
        group = "callAssociatedEvents"
    return {"crossRefIdentifier": cross_ref, "eventSpecificInfo": (group, (name, value))}


def service_initiated(call: bytes, at: DeviceName, cause: str = "newCall") -> tuple[str, dict]:
    return "serviceInitiated", {
        "initiatedConnection": conn(call, at),
        "initiatingDevice": subject(at),
        "localConnectionInfo": "initiated",
        "cause": cause,
    }


def originated(call: bytes, at: DeviceName, to: DeviceName, cause: str = "newCall") -> tuple:
    return "originated", {
        "originatedConnection": conn(call, at),
        "callingDevice": subject(at),
        "calledDevice": subject(to),
        "localConnectionInfo": "connected",
        "cause": cause,
    }


def network_reached(call: bytes, trunk: int, caller: DeviceName, to: str) -> tuple:
    return "networkReached", {
        "outboundConnection": conn(call, trunk),
        "networkInterfaceUsed": subject(trunk),
        "callingDevice": subject(caller),
        "calledDevice": subject(to),
        "lastRedirectionDevice": redirection(None),
        "cause": "normal",
    }


def delivered(
    call: bytes,
    at: DeviceName,
    caller: DeviceName | None,
    called: DeviceName,
    cause: str = "newCall",
    redirected_by: DeviceName | None = None,
    external: bool = False,
) -> tuple:
    value: dict[str, Any] = {
        "connection": conn(call, at),
        "alertingDevice": subject(at),
        "callingDevice": subject(caller),
        "calledDevice": subject(called),
        "lastRedirectionDevice": redirection(redirected_by),
        "localConnectionInfo": "alerting",
        "cause": cause,
    }
    if external:
        value["networkCallingDevice"] = ("deviceIdentifier", device(caller or "unknown"))
    return "delivered", value


def established(
    call: bytes,
    at: DeviceName,
    caller: DeviceName | None,
    called: DeviceName,
    cause: str = "newCall",
    redirected_by: DeviceName | None = None,
) -> tuple:
    return "established", {
        "establishedConnection": conn(call, at),
        "answeringDevice": subject(at),
        "callingDevice": subject(caller),
        "calledDevice": subject(called),
        "lastRedirectionDevice": redirection(redirected_by),
        "localConnectionInfo": "connected",
        "cause": cause,
    }


def failed(
    call: bytes,
    at: DeviceName,
    failing: DeviceName,
    caller: DeviceName,
    called: DeviceName,
    cause: str,
) -> tuple:
    return "failed", {
        "failedConnection": conn(call, at),
        "failingDevice": subject(failing),
        "callingDevice": subject(caller),
        "calledDevice": subject(called),
        "lastRedirectionDevice": redirection(None),
        "localConnectionInfo": "fail",
        "cause": cause,
    }


def diverted(
    call: bytes, at: DeviceName, to: DeviceName, caller: DeviceName, cause: str = "redirected"
) -> tuple:
    return "diverted", {
        "connection": conn(call, at),
        "divertingDevice": subject(at),
        "newDestination": subject(to),
        "callingDevice": subject(caller),
        "calledDevice": subject(at),
        "lastRedirectionDevice": redirection(None),
        "localConnectionInfo": "null",
        "cause": cause,
    }


def held(call: bytes, at: DeviceName) -> tuple:
    return "held", {
        "heldConnection": conn(call, at),
        "holdingDevice": subject(at),
        "localConnectionInfo": "hold",
        "cause": "normal",
    }


def retrieved(call: bytes, at: DeviceName) -> tuple:
    return "retrieved", {
        "retrievedConnection": conn(call, at),
        "retrievingDevice": subject(at),
        "localConnectionInfo": "connected",
        "cause": "normal",
    }


def cleared(call: bytes, at: DeviceName, cause: str = "normalClearing") -> tuple:
    return "connectionCleared", {
        "droppedConnection": conn(call, at),
        "releasingDevice": subject(at),
        "localConnectionInfo": "null",
        "cause": cause,
    }


def digits_generated(call: bytes, at: DeviceName, digits: str) -> tuple:
    return "digitsGeneratedEvent", {"connection": conn(call, at), "digitGeneratedList": digits}


def is_trunk(name: DeviceName) -> bool:
    return isinstance(name, int) and name >> 16 == 0x0131


def connection_list(call: bytes, parties: list[DeviceName]) -> list[dict[str, Any]]:
    """A ConnectionList as Panasonic sends it: newConnection and associatedNID only (PROTOCOL.md
    section 5); a CO line is its own network interface."""
    return [
        {
            "newConnection": conn(call, p),
            "associatedNID": ("deviceID", device(p)) if is_trunk(p) else ("notKnown", None),
        }
        for p in parties
    ]


def transferred(
    primary: bytes,
    secondary: bytes,
    by: DeviceName,
    to: DeviceName,
    new_call: bytes,
    parties: list[DeviceName],
) -> tuple:
    return "transferred", {
        "primaryOldCall": conn(primary, by),
        "secondaryOldCall": conn(secondary, by),
        "transferringDevice": subject(by),
        "transferredToDevice": subject(to),
        "transferredConnections": connection_list(new_call, parties),
        "localConnectionInfo": "null",
        "cause": "transfer",
    }


def conferenced(
    primary: bytes,
    secondary: bytes,
    by: DeviceName,
    added: DeviceName,
    new_call: bytes,
    parties: list[DeviceName],
) -> tuple:
    return "conferenced", {
        "primaryOldCall": conn(primary, by),
        "secondaryOldCall": conn(secondary, by),
        "conferencingDevice": subject(by),
        "addedParty": subject(added),
        "conferenceConnections": connection_list(new_call, parties),
        "localConnectionInfo": "connected",
        "cause": "conference",
    }


def forwarding(at: DeviceName, kind: str, on: bool, to: DeviceName | None = None) -> tuple:
    value: dict[str, Any] = {"device": subject(at), "forwardingType": kind, "forwardStatus": on}
    if to is not None:
        value["forwardTo"] = device(to)
    return "forwarding", value
