"""Prometheus metrics of one service: PDU counts of its PBX link and the ``/metrics`` page.

Every service builds its own ``CollectorRegistry``, never the process-wide default one, so that
two services in one process (the mux with its built-in simulator, or tests) never mix their
numbers. Most values are read from the service's live state when Prometheus scrapes, by a
custom collector; the exception is what no state holds, the PDUs of the PBX link by direction,
APDU kind and operation, counted here as each passes (a dictionary increment, no lock and no
prometheus object on the way).
"""

from collections import Counter
from collections.abc import Callable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, InfoMetricFamily, Metric
from twisted.web.resource import Resource
from twisted.web.server import Request

from ecsta import __version__
from ecsta.daemon.site import serving_site
from ecsta.link.capture import PDURecorder
from ecsta.wire import ber
from ecsta.wire.errors import DecodeError
from ecsta.wire.operations import BY_CODE

SENT = "sent"
RECEIVED = "received"
#: The kind label of bytes that are not one well-formed APDU.
MALFORMED = "malformed"


def operation_label(opcode: int | None) -> str:
    """The operation's ECMA-285 name, its code for one ecsta does not know, "" for none."""
    if opcode is None:
        return ""
    operation = BY_CODE.get(opcode)
    return str(opcode) if operation is None else operation.name


class PDUCounts:
    """Counts the PDUs a link sends and receives, then hands each to ``capture`` if there is one.

    Set it as a ``PBXClientFactory``'s ``capture``: it sees every association the factory
    builds, so the counts run on across re-associations as Prometheus counters must.
    """

    def __init__(self, capture: PDURecorder | None = None) -> None:
        self.capture = capture
        #: (outgoing, kind or None for malformed, opcode) -> PDUs; labelled when scraped, so
        #: that a PDU costs one increment.
        self._counts: Counter[tuple[bool, ber.Kind | None, int | None]] = Counter()

    def record(self, outgoing: bool, pdu: bytes, peek: ber.Peek | None) -> None:
        if peek is None:
            try:
                peek = ber.peek(pdu)
            except DecodeError:
                peek = None
        if peek is None:
            self._counts[(outgoing, None, None)] += 1
        else:
            self._counts[(outgoing, peek.kind, peek.opcode)] += 1
        if self.capture is not None:
            self.capture.record(outgoing, pdu, peek)

    @property
    def counts(self) -> Counter[tuple[str, str, str]]:
        """(direction, kind, operation) -> PDUs, as the metric labels them."""
        labelled: Counter[tuple[str, str, str]] = Counter()
        for (outgoing, kind, opcode), count in self._counts.items():
            direction = SENT if outgoing else RECEIVED
            if kind is None:
                labelled[(direction, MALFORMED, "")] += count
            else:
                labelled[(direction, kind.value, operation_label(opcode))] += count
        return labelled

    def family(self, name: str) -> Metric:
        family = CounterMetricFamily(
            name,
            "PDUs on the PBX link, by direction, APDU kind and operation",
            labels=["direction", "kind", "operation"],
        )
        for labels, count in sorted(self.counts.items()):
            family.add_metric(list(labels), count)
        return family


class LiveCollector:
    """A collector whose families a function makes from live state at each scrape."""

    def __init__(self, families: Callable[[], Iterator[Metric]]) -> None:
        self._families = families

    def collect(self) -> Iterator[Metric]:
        return self._families()


def registry_of(
    families: Callable[[], Iterator[Metric]], program: str | None = None
) -> CollectorRegistry:
    """A registry of its own holding one live collector; with ``program``, also
    ``ecsta_build_info{program, version}``, which says what runs."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LiveCollector(families))
    if program is not None:
        info = InfoMetricFamily(
            "ecsta_build", "The program and version that serve these metrics", labels=["program"]
        )
        info.add_metric([program], {"version": __version__})
        registry.register(LiveCollector(lambda: iter([info])))
    return registry


class MetricsResource(Resource):
    """``GET /metrics`` in the Prometheus text format; ``allows`` may ask for a bearer token."""

    isLeaf = True

    def __init__(
        self, registry: CollectorRegistry, allows: Callable[[Request], bool] | None = None
    ) -> None:
        super().__init__()
        self.registry = registry
        self.allows = allows

    def render_GET(self, request: Request) -> bytes:
        if self.allows is not None and not self.allows(request):
            request.setResponseCode(401)
            request.setHeader(b"www-authenticate", b'Bearer realm="ecsta"')
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            return b"a valid bearer token is required\n"
        request.setHeader(b"content-type", CONTENT_TYPE_LATEST.encode("ascii"))
        request.setHeader(b"cache-control", b"no-store")
        text = generate_latest(self.registry)
        site = serving_site(request)
        if site is not None:
            text += generate_latest(registry_of(site.families))
        return text
