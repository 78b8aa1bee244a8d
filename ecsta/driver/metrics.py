"""The driver's Prometheus metrics, read from its live state at each scrape.

Served at ``/metrics`` on the API port, behind the API's bearer tokens when tokens are
configured (Prometheus sends one with ``authorization: {credentials: ...}``). Lines are counted
by what an application sees of them (closed, open and in service, open and out of service),
calls by their TAPI call state; PBX errors show as
``ecsta_driver_pbx_pdus_total{direction="received",kind="returnError"}`` (and ``reject``).

The host's licence pool (shared by every instance) gives ``ecsta_driver_licences_in_use``,
``ecsta_driver_licensed_lines`` and, during the trial, ``ecsta_driver_trial_days_left``.

A service that runs several instances gives every sample a ``driver_instance`` label with the
instance's name (not ``instance``, which Prometheus itself gives the scraped target).
"""

from collections import Counter
from collections.abc import Iterator, Sequence

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from ecsta.daemon.metrics import PDUCounts, registry_of
from ecsta.driver.connection import Driver
from ecsta.driver.constants import LineCallState
from ecsta.driver.licence import LicenceError, LicencePool

LINE_STATES = ("inService", "outOfService", "closed")


def line_state(opened: bool, in_service: bool) -> str:
    if not opened:
        return "closed"
    return "inService" if in_service else "outOfService"


def families(driver: Driver, pdus: PDUCounts) -> Iterator[Metric]:
    """Every metric of one driver, as it stands now."""
    yield GaugeMetricFamily(
        "ecsta_driver_pbx_link_up",
        "1 while the association with the PBX (or the mux) is up, else 0",
        value=1 if driver.link_up else 0,
    )
    yield GaugeMetricFamily(
        "ecsta_driver_pbx_available",
        "1 while requests reach the PBX (link up and systemStatus normal), else 0",
        value=1 if driver.usable else 0,
    )
    yield GaugeMetricFamily(
        "ecsta_driver_problems",
        "Problems an operator must look at (link down, PBX not available, no lines); "
        "ecsta status --api names them",
        value=len(driver.problems),
    )
    yield pdus.family("ecsta_driver_pbx_pdus")
    proto = driver.proto
    yield GaugeMetricFamily(
        "ecsta_driver_pbx_requests_in_flight",
        "Requests sent to the PBX, not answered yet",
        value=proto.in_flight if proto is not None and not proto.closed else 0,
    )
    yield GaugeMetricFamily(
        "ecsta_driver_pbx_requests_waiting",
        "Applications' requests waiting for a place in flight",
        value=driver.waiting,
    )
    yield CounterMetricFamily(
        "ecsta_driver_pbx_requests_refused_busy",
        "Applications' requests answered pbxBusy at once: too many were waiting for the PBX",
        value=driver.refused_busy,
    )
    lines = list(driver.lines)
    by_state = Counter(line_state(line.opened, line.in_service) for line in lines)
    family = GaugeMetricFamily("ecsta_driver_lines", "Line devices by state", labels=["state"])
    for state in LINE_STATES:
        family.add_metric([state], by_state[state])
    yield family
    yield GaugeMetricFamily(
        "ecsta_driver_monitor_errors",
        "Open lines whose monitor the PBX refused (retried every monitorRetryInterval)",
        value=sum(1 for line in lines if line.opened and line.monitor_error is not None),
    )
    calls = Counter(call.state_name for call in driver.engine.calls.values() if call.exists)
    family = GaugeMetricFamily(
        "ecsta_driver_calls", "Calls on the driver's lines by TAPI call state", labels=["state"]
    )
    for call_state in LineCallState:
        name = str(call_state.name)
        family.add_metric([name], calls.pop(name, 0))
    for other, count in sorted(calls.items()):
        family.add_metric([other], count)
    yield family
    if driver.journaling is not None:
        yield from driver.journaling.journal.families("ecsta_driver")


def licence_families(pool: LicencePool) -> Iterator[Metric]:
    """The host's licence pool, which every instance shares: one set of samples, unlabelled.

    Trial days are only given during the trial (0 once it is over); a pool that cannot be read
    gives no licence samples rather than a failed scrape.
    """
    try:
        status = pool.status()
    except LicenceError:
        return
    yield GaugeMetricFamily(
        "ecsta_driver_licences_in_use",
        "Line licences of the host's pool held by open lines (of every driver on the host)",
        value=status.lines_in_use,
    )
    yield GaugeMetricFamily(
        "ecsta_driver_licensed_lines",
        "Lines the host's licence keys (or the trial) allow to be open at once",
        value=status.lines_licensed,
    )
    if status.days_left is not None:
        yield GaugeMetricFamily(
            "ecsta_driver_trial_days_left",
            "Days left of the trial (0: over, lines no longer open without a licence key)",
            value=status.days_left,
        )


def labelled(family: Metric, label: str, value: str) -> Metric:
    """``family`` with ``label=value`` added to each of its samples."""
    out = Metric(family.name, family.documentation, family.type, family.unit)
    for sample in family.samples:
        out.add_sample(sample.name, {**sample.labels, label: value}, sample.value, sample.timestamp)
    return out


def instance_families(parts: Sequence[tuple[str, Driver, PDUCounts]]) -> Iterator[Metric]:
    """Every metric of every instance; with several, one family each, labelled by instance."""
    pool = next((d.admin.licences for _, d, _ in parts if d.admin and d.admin.licences), None)
    if pool is not None:
        yield from licence_families(pool)
    if len(parts) == 1:
        _, driver, pdus = parts[0]
        yield from families(driver, pdus)
        return
    merged: dict[str, Metric] = {}
    for name, driver, pdus in parts:
        for family in families(driver, pdus):
            tagged = labelled(family, "driver_instance", name)
            if family.name in merged:
                merged[family.name].samples.extend(tagged.samples)
            else:
                merged[family.name] = tagged
    yield from merged.values()


def driver_registry(parts: Sequence[tuple[str, Driver, PDUCounts]]) -> CollectorRegistry:
    """A registry of the service's own (never the process-wide default): each part is an
    instance's name, driver and PDU counts."""
    return registry_of(lambda: instance_families(parts), "ecsta-driver")
