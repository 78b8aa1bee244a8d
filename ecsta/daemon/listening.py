"""Listen now or fail with one line: every service opens its ports before the reactor runs.

A service whose port is taken must not run on, pretending to serve: twistd is to exit at once
with the port and the cause on one line (:class:`ecsta.daemon.startup.Daemon`). Endpoints that
listen synchronously (TCP, SSL, UNIX) fire their Deferred before ``listen`` returns, so the
outcome is known within ``privilegedStartService``.
"""

from typing import Any

from twisted.application.service import Service
from twisted.internet import defer
from twisted.internet.error import CannotListenError
from twisted.internet.interfaces import IListeningPort, IStreamServerEndpoint
from twisted.internet.protocol import Factory
from twisted.python.failure import Failure

from ecsta.daemon.startup import StartupError, listen_failure


def listen_now(
    endpoint: IStreamServerEndpoint, factory: Factory[Any], description: str | None = None
) -> IListeningPort:
    """The port ``endpoint`` listens on, or :class:`StartupError` naming it: as ``description``
    (the endpoint as the operator wrote it) when given, else by its address."""
    outcome: list[Any] = []
    endpoint.listen(factory).addBoth(outcome.append)
    if not outcome:
        raise StartupError(
            f"{description or endpoint}: the endpoint did not start listening at once"
        )
    result = outcome[0]
    if not isinstance(result, Failure):
        port: IListeningPort = result
        return port
    if result.check(CannotListenError):
        error: Any = result.value
        raise StartupError(listen_failure(error, description))
    where = description or str(endpoint)
    raise StartupError(f"cannot listen on {where}: {result.getErrorMessage()}")


class Listener(Service):
    """Listens on an endpoint while running; a port that cannot be had fails the start.

    ``listening`` fires with the port once it listens.
    """

    def __init__(self, endpoint: IStreamServerEndpoint, factory: Factory[Any]) -> None:
        self.endpoint: Any = endpoint
        self.factory = factory
        self.port: Any = None
        self.listening: defer.Deferred[IListeningPort] = defer.Deferred()

    def privilegedStartService(self) -> None:
        super().privilegedStartService()
        self.port = listen_now(self.endpoint, self.factory)
        self.listening.callback(self.port)

    def stopService(self) -> "defer.Deferred[None] | None":
        super().stopService()
        port, self.port = self.port, None
        if port is None:
            return None
        return defer.maybeDeferred(port.stopListening)
