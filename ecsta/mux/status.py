"""The multiplexer's status page: one JSON document an operator or a monitoring system reads.

``GET`` on any path answers with the PBX link (state, peer, connected since, requests in flight
and queued, counters), every application (address, user, TLS, monitors, open requests, bytes
waiting in its output buffer), every monitor with its sharers, the CDR and data collection
owners, and the login counters. Cross references are written in hex, times in seconds since the
epoch.
"""

import json
from typing import TYPE_CHECKING, Any

from twisted.web.resource import Resource
from twisted.web.server import Request

from ecsta import __version__
from ecsta.daemon.site import serving_site
from ecsta.mux.ownership import Ownership

if TYPE_CHECKING:
    from ecsta.mux.service import Multiplexer


def _plain(value: Any) -> Any:
    """A decoded CSTA value as JSON: bytes in hex, choices as one-key objects."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return {value[0]: _plain(value[1])}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _owner(ownership: Ownership) -> dict[str, Any]:
    return {
        "owner": None if ownership.owner is None else ownership.owner.id,
        "sessions": [
            {
                "crossRefID": session.xref.hex(),
                "pbxCrossRefID": None if session.pbx_xref is None else session.pbx_xref.hex(),
            }
            for session in ownership.sessions
        ],
        "reports": ownership.reports,
    }


def snapshot(mux: "Multiplexer") -> dict[str, Any]:
    router = mux.router
    pbx = mux.pbx
    clock: Any = mux.clock
    now: float = clock.seconds()
    return {
        "service": "ecsta-mux",
        "version": __version__,
        "pbx": {
            "state": router.link.value,
            "lastError": mux.pbx_health.last_error,
            "lastErrorSince": mux.pbx_health.since,
            "connected": pbx is not None,
            "peer": mux.pbx_peer,
            "since": mux.pbx_since,
            "systemStatus": router.status,
            "inFlight": router.in_flight,
            "queued": router.queued,
            "counters": dict(pbx.counters) if pbx is not None else None,
        },
        "applications": [
            {
                "id": app.id,
                "address": app.address,
                "user": app.user,
                "tls": app.tls,
                "since": app.since,
                "monitors": sorted(monitor.xref.hex() for monitor in app.monitors),
                "openRequests": app.open_requests,
                "requests": app.requests,
                "rejected": app.rejected,
                "buffer": app.handle.backlog,
            }
            for app in router.apps.values()
        ],
        "monitors": [
            {
                "crossRefID": monitor.xref.hex(),
                "pbxCrossRefID": None if monitor.pbx_xref is None else monitor.pbx_xref.hex(),
                "object": _plain(monitor.argument.get("monitorObject")),
                "state": monitor.state.value,
                "sharers": sorted(app.id for app in monitor.sharers),
                "events": monitor.events,
            }
            for monitor in router.monitors
        ],
        "cdr": _owner(router.cdr),
        "dataCollection": _owner(router.data_collection),
        "journal": None if mux.journal is None else mux.journal.status(),
        "logins": dict(
            mux.logins,
            lockedOut=mux.guard.locked_addresses(now),
            lockedUsers=mux.guard.locked_users(now),
        ),
        "counters": dict(router.counters),
        "connections": {"unassociated": mux.unassociated.total(), **mux.connections},
    }


class StatusResource(Resource):
    isLeaf = True

    def __init__(self, mux: "Multiplexer") -> None:
        super().__init__()
        self.mux = mux

    def render_GET(self, request: Request) -> bytes:
        request.setHeader(b"content-type", b"application/json")
        request.setHeader(b"cache-control", b"no-store")
        document = snapshot(self.mux)
        site = serving_site(request)
        if site is not None:
            document["http"] = site.figures()
        return json.dumps(document, indent=1).encode("utf-8") + b"\n"
