"""Keeping one association with a PBX (or a multiplexer) up, on ``ClientService``.

A connection only counts once the association is ready (AARE accepted and the first keep-alive
seen), so a PBX that accepts TCP but refuses the AARQ is retried with backoff like one that is
unreachable. ``on_associated`` runs after each (re)association, before anyone else is told the
link is up: that is where monitors are restarted and CDR transmission resumed.
"""

from collections.abc import Callable
from typing import Any, cast

from twisted.application.internet import ClientService, backoffPolicy
from twisted.internet import defer
from twisted.internet.interfaces import IProtocol, IReactorTime, IStreamClientEndpoint
from twisted.internet.protocol import Factory
from twisted.logger import Logger
from twisted.python.failure import Failure

from ecsta.link.protocol import CSTAClientProtocol

log = Logger()


class PBXClientFactory(Factory):
    """Builds client protocols with the same settings for every connection attempt."""

    def __init__(
        self,
        clock: IReactorTime,
        protocol_class: type[CSTAClientProtocol] = CSTAClientProtocol,
        **protocol_kwargs: Any,
    ) -> None:
        self.clock = clock
        self.protocol_class = protocol_class
        self.protocol_kwargs = protocol_kwargs

    def buildProtocol(self, addr: Any) -> CSTAClientProtocol:
        proto = self.protocol_class(self.clock, **self.protocol_kwargs)
        proto.factory = self
        return proto


def pbx_client_service(
    clock: IReactorTime,
    endpoint: IStreamClientEndpoint,
    factory: PBXClientFactory,
    on_associated: Callable[[CSTAClientProtocol], Any] | None = None,
    initial_delay: float = 1.0,
    max_delay: float = 60.0,
) -> ClientService:
    """A service that associates with ``endpoint`` and re-associates after every loss."""

    def prepare(connected: IProtocol) -> defer.Deferred[Any]:
        proto = cast(CSTAClientProtocol, connected)
        d: defer.Deferred[Any] = proto.ready
        if on_associated is not None:
            d.addCallback(lambda _: on_associated(proto))

        def failed(failure: Failure) -> Failure:
            log.warn("association attempt failed: {error}", error=failure.getErrorMessage())
            proto.abort()
            return failure

        d.addErrback(failed)
        return d

    return ClientService(
        endpoint,
        factory,
        retryPolicy=backoffPolicy(initialDelay=initial_delay, maxDelay=max_delay),
        clock=clock,
        prepareConnection=prepare,
    )
