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
"""

import random
from collections.abc import Callable
from typing import Any, TypeVar

from OpenSSL import SSL
from twisted.application.internet import ClientService
from twisted.internet.defer import maybeDeferred
from twisted.internet.interfaces import IReactorTime, IStreamClientEndpoint
from twisted.internet.protocol import Factory
from twisted.logger import Logger
from twisted.python.failure import Failure

from ecsta.link.capture import PDURecorder
from ecsta.link.errors import LinkLost
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


class _Associations:
    """Counts refused associations so that the retry policy backs off for them too."""

    def __init__(
        self,
        on_associated: Callable[[Any], Any] | None,
        initial_delay: float,
        max_delay: float,
    ) -> None:
        self.on_associated = on_associated
        self.failures = 0
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.jitter: Callable[[], float] = random.random

    def delay(self, failed_connections: int) -> float:
        """Seconds before the next attempt: ``failed_connections`` is 1 right after a loss."""
        attempt = failed_connections + self.failures
        if attempt <= 1:
            return 0.0
        base = min(self.max_delay, self.initial_delay * 2.0 ** min(attempt - 2, 32))
        return base + base * 0.1 * self.jitter()

    def watch(self, proto: CSTAClientProtocol) -> None:
        proto.ready.addCallbacks(self._ready, self._failed)

    def _ready(self, proto: CSTAClientProtocol) -> CSTAClientProtocol:
        self.failures = 0
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
        log.warn("association attempt failed: {error}", error=_why(failure))


def _why(failure: Failure) -> str:
    """A failed association in one line; a TLS certificate that did not verify says so."""
    cause = getattr(failure.value, "__cause__", None)
    if failure.check(LinkLost) and isinstance(cause, SSL.Error):
        return f"the server's TLS certificate did not verify ({_ssl_reason(cause)})"
    return failure.getErrorMessage()


def _ssl_reason(error: SSL.Error) -> str:
    parts = [str(part[-1]) for part in (error.args[0] if error.args else []) if part]
    return "; ".join(parts) or str(error)


def pbx_client_service(
    clock: IReactorTime,
    endpoint: IStreamClientEndpoint,
    factory: PBXClientFactory,
    on_associated: Callable[[P], Any] | None = None,
    initial_delay: float = 1.0,
    max_delay: float = 60.0,
) -> ClientService:
    """A service that associates with ``endpoint`` and re-associates after every loss.

    A failure of ``on_associated`` is logged and drops the association, so that the next one
    tries again from a clean state.
    """
    associations = _Associations(on_associated, initial_delay, max_delay)
    factory.built = associations.watch
    return ClientService(endpoint, factory, retryPolicy=associations.delay, clock=clock)
