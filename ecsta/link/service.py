"""Keeping one association with a PBX (or a multiplexer) up, on ``ClientService``.

``ClientService`` reconnects after every loss; on top of it, this module makes a failed
association count like a failed connection. The first attempt after a loss is made at once (a
PBX that restarted, or a link dropped in passing, is back without a pause: applications'
monitors are restored within a second or two of the PBX answering); each further failure waits
``initial_delay`` seconds, doubling up to ``max_delay``, plus up to a tenth more at random so
that many clients of one PBX do not retry in step. A PBX that accepts TCP but refuses the AARQ (or
never answers it) is retried with the same growing backoff as one that is unreachable, instead
of being hammered once a second.

The association is not made a ``prepareConnection`` step on purpose: ClientService has no
transition for a connection that closes while it is being prepared, or after preparing failed,
and would log a state-machine error for each refused association. Readiness is tracked on the
protocol's ``ready`` Deferred instead.

``on_associated`` runs with the protocol after each (re)association: that is where monitors
are restarted and CDR transmission resumed.

Every failed attempt is logged in one line naming the address and the cause ("connection
refused", "certificate verify failed: ...", "login refused (wrong user or password)"), and kept
in :class:`LinkHealth` with the time the failures began, for status pages.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from twisted.application.internet import ClientService
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.internet.interfaces import IReactorTime, IStreamClientEndpoint
from twisted.internet.protocol import Factory
from twisted.logger import Logger
from twisted.python.failure import Failure
from zope.interface import implementer

from ecsta.link.capture import PDURecorder
from ecsta.link.errors import LoginRefused, describe_connect_failure
from ecsta.link.protocol import CSTAClientProtocol

log = Logger()
P = TypeVar("P", bound=CSTAClientProtocol)


class PBXClientFactory(Factory):
    """Builds client protocols with the same settings for every connection attempt.

    ``capture``, when set, records every association the factory builds into one pcap file.
    """

    def __init__(
        self,
        clock: IReactorTime,
        protocol_class: type[CSTAClientProtocol] = CSTAClientProtocol,
        **protocol_kwargs: Any,
    ) -> None:
        self.clock = clock
        self.protocol_class = protocol_class
        self.protocol_kwargs = protocol_kwargs
        self.built: Callable[[CSTAClientProtocol], None] | None = None
        self.capture: PDURecorder | None = None

    def buildProtocol(self, addr: Any) -> CSTAClientProtocol:
        proto = self.protocol_class(self.clock, **self.protocol_kwargs)
        proto.factory = self
        proto.capture = self.capture
        if self.built is not None:
            self.built(proto)
        return proto


@dataclass
class LinkHealth:
    """The last failure of a link and since when it has been failing; cleared once it is up."""

    clock: IReactorTime
    last_error: str | None = None
    since: float | None = None

    def failed(self, error: str) -> None:
        if self.since is None:
            self.since = self.clock.seconds()
        self.last_error = error

    def recovered(self) -> None:
        self.last_error = None
        self.since = None


def endpoint_address(endpoint: Any) -> str:
    """``host:port`` of a client endpoint (through a TLS wrapper), else its description."""
    inner = getattr(endpoint, "_wrappedEndpoint", endpoint)
    host = getattr(inner, "_hostText", None) or getattr(inner, "_host", None)
    port = getattr(inner, "_port", None)
    if host is None:
        path = getattr(inner, "_path", None)
        return str(path) if path else type(endpoint).__name__
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


@implementer(IStreamClientEndpoint)
class _Reporting:
    """An endpoint whose failed connections are logged naming the address and the cause."""

    def __init__(self, endpoint: IStreamClientEndpoint, associations: "_Associations") -> None:
        self.endpoint = endpoint
        self.associations = associations

    def connect(self, factory: Any) -> Deferred[Any]:
        d = self.endpoint.connect(factory)
        d.addErrback(self._failed)
        return d

    def _failed(self, failure: Failure) -> Failure:
        self.associations.report(
            describe_connect_failure(failure.value or Exception(failure.getErrorMessage()))
        )
        return failure


class _Associations:
    """Counts refused associations so that the retry policy backs off for them too.

    ``refused_delay`` is the least wait after the peer refused the login: retrying a wrong
    password faster than the peer's lockout allows would lock out every client of this host.
    """

    def __init__(
        self,
        on_associated: Callable[[Any], Any] | None,
        initial_delay: float,
        max_delay: float,
        health: LinkHealth,
        address: str,
        refused_delay: float,
    ) -> None:
        self.on_associated = on_associated
        self.failures = 0
        self.health = health
        self.address = address
        self.refused_delay = refused_delay
        self.refused = False
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.jitter: Callable[[], float] = random.random

    def delay(self, failed_connections: int) -> float:
        """Seconds before the next attempt: ``failed_connections`` is 1 right after a loss.

        The first attempt after a loss is at once (a PBX that restarted is back as soon as it
        answers), then 1 s doubling; a refused login waits at least ``refused_delay``, so that
        a wrong password does not lock the host's other clients out."""
        attempt = failed_connections + self.failures
        if attempt <= 1:
            wait = 0.0
        else:
            base = min(self.max_delay, self.initial_delay * 2.0 ** min(attempt - 2, 32))
            wait = base + base * 0.1 * self.jitter()
        return max(wait, self.refused_delay) if self.refused else wait

    def report(self, error: str) -> None:
        log.warn("{address}: {error}", address=self.address, error=error)
        self.health.failed(f"{self.address}: {error}")

    def watch(self, proto: CSTAClientProtocol) -> None:
        proto.ready.addCallbacks(self._ready, self._failed)

    def _ready(self, proto: CSTAClientProtocol) -> CSTAClientProtocol:
        self.failures = 0
        self.refused = False
        self.health.recovered()
        if self.on_associated is not None:
            d = maybeDeferred(self.on_associated, proto)
            d.addErrback(self._hook_failed, proto)
        return proto

    def _hook_failed(self, failure: Failure, proto: CSTAClientProtocol) -> None:
        log.failure("after associating with {peer}", failure, peer=proto.peer)
        proto.abort()

    def _failed(self, failure: Failure) -> None:
        """Consumed here: the connection is gone or going, and the service will retry."""
        self.failures += 1
        self.refused = isinstance(failure.value, LoginRefused)
        self.report(describe_connect_failure(failure.value or Exception(failure.getErrorMessage())))


def pbx_client_service(
    clock: IReactorTime,
    endpoint: IStreamClientEndpoint,
    factory: PBXClientFactory,
    on_associated: Callable[[P], Any] | None = None,
    initial_delay: float = 1.0,
    max_delay: float = 60.0,
    health: LinkHealth | None = None,
    refused_delay: float = 300.0,
) -> ClientService:
    """A service that associates with ``endpoint`` and re-associates after every loss.

    A failure of ``on_associated`` is logged and drops the association, so that the next one
    tries again from a clean state. ``health`` keeps the last failure; after a refused login
    the next attempt waits at least ``refused_delay`` seconds.
    """
    associations = _Associations(
        on_associated,
        initial_delay,
        max_delay,
        health if health is not None else LinkHealth(clock),
        endpoint_address(endpoint),
        refused_delay,
    )
    factory.built = associations.watch
    reporting = _Reporting(endpoint, associations)
    return ClientService(reporting, factory, retryPolicy=associations.delay, clock=clock)
