"""What a reload changes in a running multiplexer, and what must wait for a restart.

Reloaded in place, with every application and the PBX link kept: the users and their passwords
(for the CSTA ports and the web console alike; a removed user, or one whose password changed,
is logged out of the console, while applications already associated stay), the certificates
and keys of the TLS listeners and of an ``ssl:`` status port (each new connection gets the
renewed ones, and the metrics their validity; an expired one is refused, as at a start) and the
log level. Every other change (ports, the PBX address, limits, the login guard) takes effect at
the next restart, and the reload says so.
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from twisted.python import usage

from ecsta.daemon.auth import HashFormatError, Users
from ecsta.daemon.certificates import Certificate, CertificateError, listener_certificate
from ecsta.daemon.logs import LogControl
from ecsta.daemon.reload import Outcome, ReloadRefused
from ecsta.mux.config import MuxConfig

if TYPE_CHECKING:
    from ecsta.mux.service import MuxService

#: The sections a reload puts in force; a change to any other waits for a restart.
RELOADED = ("users", "log")


@dataclass
class Prepared:
    """A new configuration, read and checked off the reactor thread."""

    config: MuxConfig
    users: Users
    #: Each TLS listener's endpoint, its certificate newly loaded, by description.
    endpoints: Mapping[str, Any]
    #: Each TLS listener's certificate's validity, for the metrics, by description.
    validity: Mapping[str, Certificate]


def prepare(
    configure: Callable[[], MuxConfig], tls_endpoints: Callable[[MuxConfig], Mapping[str, Any]]
) -> Prepared:
    """Read the configuration again and load what it names; refused when any of it fails."""
    from ecsta.mux.service import StartupError

    try:
        config = configure()
        endpoints = tls_endpoints(config)
        users = config.user_table()
        # An expired certificate is refused, as at a start.
        now = time.time()
        validity = {
            description: certificate
            for description in endpoints
            if (certificate := listener_certificate(description, now)) is not None
        }
    except (usage.UsageError, StartupError, HashFormatError, CertificateError) as error:
        raise ReloadRefused(str(error)) from None
    return Prepared(config, users, endpoints, validity)


def users_changed(old: Mapping[str, str], new: Mapping[str, str]) -> str | None:
    """``users: added bob; removed carol; password changed for alice``, or None."""
    parts = [
        (label, sorted(names))
        for label, names in (
            ("added", set(new) - set(old)),
            ("removed", set(old) - set(new)),
            ("password changed for", {n for n in set(old) & set(new) if old[n] != new[n]}),
        )
        if names
    ]
    if not parts:
        return None
    return "users: " + "; ".join(f"{label} {', '.join(names)}" for label, names in parts)


def apply(service: "MuxService", logs: LogControl, prepared: Prepared) -> Outcome:
    """Put a prepared configuration in force; the outcome says what changed."""
    outcome = Outcome()
    new, running = prepared.config, service.config
    changed = users_changed(running.users, new.users)
    if changed is not None:
        service.mux.users = prepared.users
        if service.status_root is not None:
            gate = service.status_root.gate  # type: ignore[attr-defined]
            gate.login.users = prepared.users
            # A user removed, or whose password changed, is logged out of the console too.
            gate.sessions.close_all(
                {name for name, hashed in running.users.items() if new.users.get(name) != hashed}
            )
        outcome.changed.append(changed)
    for description, renewable in service.certificates.items():
        endpoint = prepared.endpoints.get(description)
        if endpoint is not None and renewable.renew(endpoint):
            outcome.changed.append(f"certificate of {description}")
            kept = [c for c in service.mux.certificates if c.listener != description]
            renewed = prepared.validity.get(description)
            service.mux.certificates = kept if renewed is None else [*kept, renewed]
    if logs.set_level(new.log.level):
        outcome.changed.append(f"log level: {new.log.level}")
    outcome.restart = [
        section.name
        for section in fields(MuxConfig)
        if section.name not in RELOADED
        and getattr(new, section.name) != getattr(running, section.name)
    ]
    service.config = replace(running, users=new.users, log=new.log)
    return outcome
