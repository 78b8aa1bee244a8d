"""Call records out of cDRReport invokes, normalised and keyed, without I/O.

A Panasonic PBX fills only a few fields of each CDRInformationItem (PROTOCOL.md section 5):
recordCreationTime, calling / called / associated / network called devices, chargedDevice,
connectionEnd, connectionDuration (in 100 ms units), billingID, chargingInfo, reasonForTerm and
accountInfo. It sends no connectionStart, so the start of a call is its end minus its duration.
The condition code rides in the report's KME private data, not in the item.

**The key.** The PBX sends a record again until it is acknowledged, so a record the journal
stored and could not acknowledge (the service was killed in between) comes back, byte for byte
the same item, in a new invoke, possibly on a new association with a new cross reference. The
key is therefore the SHA-256 of what the PBX says about the call and nothing about its
delivery: the item's own encoding, the condition code's encoding, and the item's position in
its report (two identical items in one report are two calls). Invoke id, cross reference and
the time of arrival are left out. The price: two calls the PBX describes identically in every
field (same devices, same end second, same duration, same condition code) are one record. A
real PBX stamps the end to the second, so this needs two calls between the same parties ending
in the same second with the same length; the journal counts each such arrival as a duplicate.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ecsta.wire import apdu, values
from ecsta.wire.asn1.cdr import CDRInformationItem
from ecsta.wire.asn1.kme import KmeConditionCode
from ecsta.wire.errors import DecodeError
from ecsta.wire.opcodes import Opcode

#: Panasonic condition codes by the names of :class:`KmeConditionCode`.
CONDITION_CODES = {str(name): int(number) for name, number in KmeConditionCode.namedValues.items()}

#: Bumped when the key's recipe changes, so that old and new keys can never meet.
KEY_VERSION = b"ecsta-cdr-1\x00"


#: The answer to a report that could not be stored: the PBX keeps the record and sends it again.
NOT_STORED = ("systemResourceAvailability", "resourceBusy")


def confirmation(invoke_id: int | None) -> bytes:
    """The PBX's cDRReport answered: the record may leave its buffer."""
    return apdu.encode(apdu.ReturnResult(invoke_id, Opcode.cDRReport, ("noData", None)))


def refusal(invoke_id: int | None) -> bytes:
    """The PBX's cDRReport refused: it keeps the record."""
    return apdu.return_error(invoke_id, *NOT_STORED)


class NotACallRecord(ValueError):
    """The PDU is not a cDRReport invoke that decodes; the message says why."""


@dataclass(frozen=True)
class CallRecord:
    """One call as the journal keeps it. Times are the PBX's clock, ``YYYY-MM-DD HH:MM:SS``."""

    key: str
    start: str | None
    end: str | None
    duration: float | None
    calling: str | None
    called: str | None
    line: str | None
    charged: str | None
    condition: int | None
    account: str | None
    units: int | None
    billing: str | None
    reason: str | None
    created: str | None
    #: The whole cDRReport PDU as it arrived, for audit.
    raw: bytes


def records_from_report(pdu: bytes) -> list[CallRecord]:
    """The records of one cDRReport invoke, in the order the PBX listed them."""
    try:
        invoke = apdu.decode(pdu)
    except DecodeError as error:
        raise NotACallRecord(f"the cDRReport does not decode: {error}") from error
    if not isinstance(invoke, apdu.Invoke) or invoke.opcode != Opcode.cDRReport:
        raise NotACallRecord("not a cDRReport invoke")
    argument = invoke.argument
    condition_name = _condition(argument.get("extensions"))
    condition = CONDITION_CODES.get(condition_name) if condition_name is not None else None
    condition_bytes = b"" if condition_name is None else condition_name.encode()
    out = []
    for index, item in enumerate(argument["cdrInfo"]):
        encoded = values.encode(CDRInformationItem, item)
        digest = hashlib.sha256(KEY_VERSION)
        digest.update(index.to_bytes(2, "big"))
        digest.update(len(condition_bytes).to_bytes(2, "big") + condition_bytes)
        digest.update(encoded)
        out.append(_normalise(item, digest.hexdigest(), condition, pdu))
    return out


def _normalise(item: dict[str, Any], key: str, condition: int | None, raw: bytes) -> CallRecord:
    end = _time(item.get("connectionEnd")) or _time(item.get("recordCreationTime"))
    tenths = item.get("connectionDuration")
    duration = tenths / 10 if isinstance(tenths, int) else None
    start = _minus(end, duration) if end is not None and duration is not None else None
    line = _device(item.get("associatedCalledDevice")) or _device(
        item.get("associatedCallingDevice")
    )
    account = item.get("accountInfo")
    return CallRecord(
        key=key,
        start=start,
        end=end,
        duration=duration,
        calling=_device(item.get("callingDevice")),
        called=_device(item.get("calledDevice")) or _device(item.get("networkCalledDevice")),
        line=line,
        charged=_device(item.get("chargedDevice")),
        condition=condition,
        account=account.decode("latin-1") if isinstance(account, bytes) else None,
        units=_units(item.get("chargingInfo")),
        billing=_name(item.get("billingID")),
        reason=_name(item.get("reasonForTerm")),
        created=_time(item.get("recordCreationTime")),
        raw=raw,
    )


def _condition(extensions: Any) -> str | None:
    """The KME conditionCode of a report's privateData, by name, or None."""
    if not isinstance(extensions, dict):
        return None
    for entry in extensions.get("privateData") or []:
        if not (isinstance(entry, tuple) and entry[0] == "private"):
            continue
        kme = entry[1]
        if isinstance(kme, tuple) and kme[0] == "kmeAdditionalData":
            additional = kme[1]
            if isinstance(additional, tuple) and additional[0] == "conditionCode":
                return str(additional[1])
    return None


def _device(value: Any) -> str | None:
    """A device as text: the dialling number, or ``#`` and the PBX's device number.

    Calling/called devices are CHOICEs around a DeviceID, chargedDevice another CHOICE; the
    DeviceID itself is a SEQUENCE whose ``deviceIdentifier`` is the CHOICE that names it.
    """
    while isinstance(value, tuple) and len(value) == 2:
        value = value[1]
    if not isinstance(value, dict):
        return None
    identifier = value.get("deviceIdentifier")
    if not isinstance(identifier, tuple):
        return None
    kind, number = identifier
    if isinstance(number, int):
        return f"#{number}"
    if isinstance(number, bytes):
        return number.decode("latin-1")
    if isinstance(number, str):
        return number
    return kind if isinstance(kind, str) else None


def _time(value: Any) -> str | None:
    """GeneralizedTime text (``YYYYMMDDHHMMSS`` and what may follow) as ``YYYY-MM-DD HH:MM:SS``.

    The PBX's clock is the site's local time; nothing is converted.
    """
    if not isinstance(value, str) or len(value) < 14 or not value[:14].isdigit():
        return None
    v = value
    return f"{v[0:4]}-{v[4:6]}-{v[6:8]} {v[8:10]}:{v[10:12]}:{v[12:14]}"


def _minus(end: str, seconds: float) -> str:
    moment = datetime.strptime(end, "%Y-%m-%d %H:%M:%S") - timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _units(value: Any) -> int | None:
    """Charging units, summed over the unit types the PBX lists; currency amounts as given."""
    if not isinstance(value, dict):
        return None
    units = value.get("numberUnits")
    if not isinstance(units, tuple):
        return None
    kind, body = units
    if kind == "numberOfChargeUnits" and isinstance(body, list):
        return sum(int(entry.get("chargingUnits", 0)) for entry in body if isinstance(entry, dict))
    if kind == "numberOfCurrencyUnits" and isinstance(body, dict):
        amount = body.get("currencyAmount")
        return int(amount) if isinstance(amount, int) else None
    return None


def _name(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return None
