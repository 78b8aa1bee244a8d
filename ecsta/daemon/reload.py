"""Reloading a running service's configuration on SIGHUP (``systemctl reload``, ``ecsta
reload``), without dropping its applications or its PBX link.

The new configuration is read and checked in a thread (files, certificates), then applied on
the reactor thread all at once, or not at all: a configuration that does not load is refused,
the old one stays in force, and the log says why. What changed is logged one line per part;
what changed but can only take effect at a restart (a listening port, the PBX address) is named
too, so that nobody wonders why an edit did nothing.

Without a handler a SIGHUP ends a Python process at once, with nothing in the log and an exit
that systemd counts as clean, so that ``Restart=on-failure`` leaves the service down: every
service installs one.
"""

import json
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from OpenSSL import SSL
from twisted.application.service import Service
from twisted.internet import threads
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IOpenSSLContextFactory
from twisted.logger import Logger
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request
from zope.interface import implementer

log = Logger()
T = TypeVar("T")


class ReloadRefused(Exception):
    """The new configuration cannot be used; the message names the key and the cause."""


@dataclass
class Outcome:
    """What a reload did: the parts changed, those that wait for a restart, or why not."""

    changed: list[str] = field(default_factory=list)
    restart: list[str] = field(default_factory=list)
    #: Parts of the file that something else takes precedence over, so that editing them
    #: does nothing (a driver's settings saved through its API).
    unused: list[str] = field(default_factory=list)
    refused: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "reloaded": self.refused is None,
            "changed": self.changed,
            "needsRestart": self.restart,
            "unused": self.unused,
            "refused": self.refused,
        }


class Reloader(Service, Generic[T]):
    """Runs ``prepare`` in a thread and ``apply`` on the reactor thread at every SIGHUP.

    ``prepare`` reads the configuration anew and raises :class:`ReloadRefused` when it cannot
    be used; ``apply`` puts it in force and says what changed.
    """

    def __init__(
        self,
        reactor: Any,
        program: str,
        prepare: Callable[[], T],
        apply: Callable[[T], Outcome],
    ) -> None:
        self.reactor = reactor
        self.program = program
        self.prepare = prepare
        self.apply = apply
        self._previous: Any = None
        self._waiting: list[Deferred[Outcome]] = []

    def install(self) -> None:
        """Take SIGHUP over (once; only the main thread may)."""
        if threading.current_thread() is threading.main_thread() and self._previous is None:
            self._previous = signal.signal(signal.SIGHUP, self._signalled)

    def privilegedStartService(self) -> None:
        super().privilegedStartService()
        self.install()

    def startService(self) -> None:
        self.install()
        super().startService()

    def stopService(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGHUP, self._previous)
            self._previous = None
        super().stopService()

    def _signalled(self, signum: int, frame: Any) -> None:
        self.reactor.callFromThread(self.reload)

    def reload(self) -> Deferred[Outcome]:
        """Reload now; a reload asked for while one runs gets that one's outcome."""
        waiting: Deferred[Outcome] = Deferred()
        self._waiting.append(waiting)
        if len(self._waiting) > 1:
            return waiting
        log.info("{program}: reloading the configuration", program=self.program)
        d: Deferred[Any] = threads.deferToThreadPool(
            self.reactor, self.reactor.getThreadPool(), self.prepare
        )
        d.addCallback(self.apply)
        d.addErrback(self._refused)
        d.addCallback(self._report)
        d.addCallback(self._answer)
        return waiting

    def _answer(self, outcome: Outcome) -> None:
        waiting, self._waiting = self._waiting, []
        for d in waiting:
            d.callback(outcome)

    def _refused(self, failure: Any) -> Outcome:
        if failure.check(ReloadRefused):
            return Outcome(refused=str(failure.value))
        log.failure("{program}: reloading failed", failure, program=self.program)
        return Outcome(refused=f"internal error: {failure.getErrorMessage()}")

    def _report(self, outcome: Outcome) -> Outcome:
        if outcome.refused is not None:
            log.error(
                "{program}: new configuration refused, the running one stays in force: {why}",
                program=self.program,
                why=outcome.refused,
            )
            return outcome
        for change in outcome.changed:
            log.info("{program}: reloaded {change}", program=self.program, change=change)
        if not outcome.changed:
            log.info("{program}: reloaded, nothing changed", program=self.program)
        if outcome.restart:
            log.warn(
                "{program}: changed but taking effect only at a restart: {parts}",
                program=self.program,
                parts=", ".join(outcome.restart),
            )
        for part in outcome.unused:
            log.warn("{program}: not used: {part}", program=self.program, part=part)
        return outcome


@implementer(IOpenSSLContextFactory)
class RenewableContext:
    """A TLS listener's certificate and key, renewable while it listens: each new connection
    takes the current ones, and those already established keep theirs.

    It stands in for the context factory that Twisted's ``ssl:`` endpoint parsed, which asks
    its factory for a context on every connection it accepts.
    """

    def __init__(self, current: Any) -> None:
        self.current = current

    @classmethod
    def wrap(cls, endpoint: Any) -> "RenewableContext | None":
        """Make a parsed ``ssl:`` server endpoint's certificate renewable; None for others."""
        current = getattr(endpoint, "_sslContextFactory", None)
        if current is None:
            return None
        renewable = cls(current)
        endpoint._sslContextFactory = renewable
        return renewable

    def renew(self, endpoint: Any) -> bool:
        """Take the certificate of a newly parsed endpoint; whether it is another one."""
        fresh = getattr(endpoint, "_sslContextFactory", None)
        if fresh is None:
            return False
        before = self.fingerprint
        self.current = fresh
        return self.fingerprint != before

    def getContext(self) -> SSL.Context:
        context: SSL.Context = self.current.getContext()
        return context

    @property
    def fingerprint(self) -> str | None:
        certificate = getattr(self.current, "certificate", None)
        return None if certificate is None else certificate.digest("sha256").decode("ascii")


class ReloadResource(Resource):
    """``POST /reload`` (and ``ecsta reload``): the same reload as SIGHUP, with its outcome.

    200 with ``{"reloaded": true, "changed": [...], "needsRestart": [...]}``, or 409 with the
    reason the new configuration was refused (the running one stays in force).
    """

    isLeaf = True

    def __init__(
        self,
        reloader: Callable[[], "Reloader[Any] | None"],
        allows: Callable[[Request], bool] | None = None,
        without: str = "this service was not started by twistd",
    ) -> None:
        super().__init__()
        self.reloader = reloader
        self.allows = allows
        #: Why there is nothing to reload, when there is not.
        self.without = without

    def render_POST(self, request: Request) -> bytes | int:
        request.setHeader(b"content-type", b"application/json")
        if self.allows is not None and not self.allows(request):
            request.setResponseCode(401)
            return b'{"error": "unauthorized", "message": "a valid bearer token is required"}'
        reloader = self.reloader()
        if reloader is None:
            request.setResponseCode(503)
            return json.dumps({"error": "noReload", "message": self.without}).encode("utf-8")

        def answer(outcome: Outcome) -> None:
            if getattr(request, "_disconnected", False):
                return  # the caller left; the log has the outcome
            request.setResponseCode(200 if outcome.refused is None else 409)
            request.write(json.dumps(outcome.to_json()).encode("utf-8"))
            request.finish()

        reloader.reload().addCallback(answer)
        return NOT_DONE_YET
