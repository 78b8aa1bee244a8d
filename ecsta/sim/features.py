"""Per-device feature settings: call forwarding and do-not-disturb.

ECMA-285 ForwardingType has nine values besides the DND ones: immediate, busy and no answer,
each for every caller (general), for callers inside the PBX (...Int) or for callers from the
public network (...Ext).  A specific setting wins over the general one for the callers it
covers, so "forward external calls to the mobile" can sit beside "forward everything else to
reception".  The DND forwarding types are refused: Panasonic has no forwarding on DND.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DIVERSION_CAUSE", "FORWARDING_TYPES", "Forwarding", "ForwardingTable", "Trigger"]

Trigger = str  # "immediate", "busy" or "noAnswer"

#: ForwardingType name -> (trigger, callers: None for all, True internal, False external).
FORWARDING_TYPES: dict[str, tuple[Trigger, bool | None]] = {
    "forwardImmediate": ("immediate", None),
    "forwardImmInt": ("immediate", True),
    "forwardImmExt": ("immediate", False),
    "forwardBusy": ("busy", None),
    "forwardBusyInt": ("busy", True),
    "forwardBusyExt": ("busy", False),
    "forwardNoAns": ("noAnswer", None),
    "forwardNoAnsInt": ("noAnswer", True),
    "forwardNoAnsExt": ("noAnswer", False),
}

#: The EventCause a diversion by each trigger reports.
DIVERSION_CAUSE: dict[Trigger, str] = {
    "immediate": "callForwardImmediate",
    "busy": "callForwardBusy",
    "noAnswer": "callForwardNoAnswer",
}


@dataclass(frozen=True)
class Forwarding:
    """One active forwarding: the digits to divert to, and for no answer how long to wait."""

    destination: str
    ring_count: int | None = None
    ring_duration: float | None = None


class ForwardingTable:
    """The forwardings set on one device, by ForwardingType name."""

    def __init__(self) -> None:
        self._active: dict[str, Forwarding] = {}

    def set(self, forwarding_type: str, forwarding: Forwarding | None) -> None:
        if forwarding is None:
            self._active.pop(forwarding_type, None)
        else:
            self._active[forwarding_type] = forwarding

    def get(self, forwarding_type: str) -> Forwarding | None:
        return self._active.get(forwarding_type)

    def applicable(self, trigger: Trigger, internal_caller: bool) -> Forwarding | None:
        """The forwarding that a call from such a caller meets on ``trigger``, if any."""
        specific = None
        general = None
        for name, (kind, callers) in FORWARDING_TYPES.items():
            if kind != trigger or name not in self._active:
                continue
            if callers is None:
                general = self._active[name]
            elif callers == internal_caller:
                specific = self._active[name]
        return specific or general
