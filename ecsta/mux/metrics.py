"""The multiplexer's Prometheus metrics, read from its live state at each scrape.

Served at ``/metrics`` on the status port. Gauges say what holds now (the PBX link, who is
connected, what is monitored, what waits in which queue); counters are the core's own running
totals, which start at zero with the process as Prometheus expects. PBX errors show as
``ecsta_mux_pbx_pdus_total{direction="received",kind="returnError"}`` (and ``reject``); what
the multiplexer itself refused is ``ecsta_mux_errors_total``.
"""

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from ecsta.daemon.metrics import PDUCounts, registry_of
from ecsta.mux.monitors import MonitorState
from ecsta.mux.router import LinkState

if TYPE_CHECKING:
    from ecsta.mux.service import Multiplexer

#: Router counters that count something the multiplexer refused or gave up on, by label.
ERROR_COUNTERS = {
    "rejected": "application invokes answered with a ROSE reject",
    "timeouts": "requests the PBX did not answer in time",
    "reports_refused": "CDR and data collection reports the owner did not confirm",
    "events_unrouted": "events for a monitor nobody holds",
}
#: Login outcomes counted by the multiplexer.
LOGIN_RESULTS = ("accepted", "failed", "locked_out", "over_limit")


def _gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, text, value=value)


def _counter(name: str, text: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, text, value=value)


def families(mux: "Multiplexer", pdus: PDUCounts) -> Iterator[Metric]:
    """Every metric of one multiplexer, as it stands now."""
    router = mux.router
    yield _gauge(
        "ecsta_mux_pbx_link_up",
        "1 while the PBX association is up and restored, else 0",
        1 if router.link is LinkState.UP else 0,
    )
    state = GaugeMetricFamily(
        "ecsta_mux_pbx_link_state", "The PBX link's state (1 for the current one)", labels=["state"]
    )
    for link in LinkState:
        state.add_metric([link.value], 1 if router.link is link else 0)
    yield state
    yield _counter(
        "ecsta_mux_pbx_associations",
        "PBX associations made since the start",
        router.counters["associations"],
    )
    yield pdus.family("ecsta_mux_pbx_pdus")
    yield _gauge(
        "ecsta_mux_pbx_requests_in_flight",
        "Requests sent to the PBX, not answered yet",
        router.in_flight,
    )
    yield _gauge(
        "ecsta_mux_pbx_requests_queued",
        "Application requests waiting for room in the PBX's in-flight limit",
        router.queued,
    )

    apps = list(router.apps.values())
    connected = GaugeMetricFamily(
        "ecsta_mux_applications", "Applications associated now", labels=["tls"]
    )
    for tls in (False, True):
        connected.add_metric([str(tls).lower()], sum(1 for app in apps if app.tls is tls))
    yield connected
    yield _gauge(
        "ecsta_mux_application_open_requests",
        "Application requests waiting for the PBX (queued or in flight), all applications",
        sum(app.open_requests for app in apps),
    )
    backlogs = [app.handle.backlog for app in apps]
    yield _gauge(
        "ecsta_mux_application_output_bytes",
        "Bytes waiting to be written to applications that do not read fast enough, in total",
        sum(backlogs),
    )
    yield _gauge(
        "ecsta_mux_application_output_bytes_max",
        "The largest output queue of one application, in bytes",
        max(backlogs, default=0),
    )
    yield _counter(
        "ecsta_mux_requests", "Invokes received from applications", router.counters["requests"]
    )
    yield _gauge(
        "ecsta_mux_connections_unassociated",
        "Application connections that have not associated yet",
        mux.unassociated.total(),
    )
    refused = CounterMetricFamily(
        "ecsta_mux_connections_refused",
        "Connections closed at once: too many not associated yet (in all, or from one "
        "address), or from an address outside the listener's listen.allow",
        labels=["reason"],
    )
    refused.add_metric(["unassociated"], mux.connections["refused_unassociated"])
    refused.add_metric(["not_allowed"], mux.connections["refused_not_allowed"])
    yield refused
    yield _counter(
        "ecsta_mux_association_timeouts",
        "Connections closed because no AARQ came within applications.association_timeout",
        mux.connections["association_timeouts"],
    )
    yield _counter(
        "ecsta_mux_applications_not_reading",
        "Applications disconnected because they stopped reading: more than "
        "applications.max_output_buffer bytes waited for them",
        mux.connections["not_reading"],
    )
    certificates = GaugeMetricFamily(
        "ecsta_mux_tls_certificate_days_left",
        "Days until the certificate of a TLS listener expires",
        labels=["listener", "file"],
    )
    now = time.time()
    for certificate in mux.certificates:
        certificates.add_metric(
            [certificate.listener.split(":")[1], certificate.path], certificate.days_left(now)
        )
    yield certificates
    yield _gauge(
        "ecsta_mux_validated_cache_bytes",
        "Octets of application requests remembered as valid (bounded)",
        router.validated.octets,
    )

    monitors = GaugeMetricFamily(
        "ecsta_mux_monitors", "PBX monitors the multiplexer holds, by state", labels=["state"]
    )
    for monitor_state in MonitorState:
        monitors.add_metric(
            [monitor_state.value], sum(1 for m in router.monitors if m.state is monitor_state)
        )
    yield monitors
    yield _gauge(
        "ecsta_mux_monitor_shares",
        "Applications' shares of PBX monitors (one PBX monitor may have many)",
        sum(len(monitor.sharers) for monitor in router.monitors),
    )
    yield _counter("ecsta_mux_events", "Event reports from the PBX", router.counters["events"])
    yield _counter(
        "ecsta_mux_event_deliveries",
        "Event reports written to applications",
        router.counters["deliveries"],
    )

    errors = CounterMetricFamily(
        "ecsta_mux_errors",
        "What the multiplexer refused or gave up on: "
        + "; ".join(f"{name}: {text}" for name, text in ERROR_COUNTERS.items()),
        labels=["error"],
    )
    for name in ERROR_COUNTERS:
        errors.add_metric([name], router.counters[name])
    yield errors
    logins = CounterMetricFamily(
        "ecsta_mux_logins", "Association attempts by outcome", labels=["result"]
    )
    for result in LOGIN_RESULTS:
        logins.add_metric([result], mux.logins[result])
    yield logins

    for service, reports, what, ownership in (
        ("ecsta_mux_cdr", "records", "CDR records", router.cdr),
        ("ecsta_mux_data_collection", "reports", "Data collection reports", router.data_collection),
    ):
        yield _counter(
            f"{service}_{reports}_forwarded",
            f"{what} relayed to the owning application",
            ownership.reports,
        )
        yield _gauge(
            f"{service}_{reports}_pending",
            f"{what} relayed to the owner and not confirmed yet",
            ownership.pending,
        )
        yield _gauge(
            f"{service}_owned",
            "1 while an application owns the service, else 0",
            0 if ownership.owner is None else 1,
        )

    if mux.journal is not None:
        yield from mux.journal.families("ecsta_mux")


def mux_registry(mux: "Multiplexer", pdus: PDUCounts) -> CollectorRegistry:
    """A registry of the multiplexer's own (never the process-wide default)."""
    return registry_of(lambda: families(mux, pdus), "ecsta-mux")
