"""The driver's web console, on the API's own port.

The console logs in with one of the API's bearer tokens and then calls the API with its
session cookie (the API's :class:`~ecsta.driver.api.Authorizer` asks this console's gate), so
that the token is typed once and never kept where scripts can read it. Without tokens the API
is open on loopback, and so is the console.
"""

from collections.abc import Collection

from twisted.internet.interfaces import IReactorTime
from twisted.web.resource import Resource
from twisted.web.util import Redirect

from ecsta.daemon.auth import LoginGuard
from ecsta.daemon.tokens import BearerTokens
from ecsta.web.console import ConsoleGate, ConsoleResource
from ecsta.web.files import load
from ecsta.web.logins import TokenLogin
from ecsta.web.sessions import SessionStore


class DriverConsole:
    """The console's gate, for the API, and its resource, for the site."""

    def __init__(self, clock: IReactorTime, tokens: "Collection[str] | BearerTokens") -> None:
        self.gate = ConsoleGate(
            TokenLogin(tokens), SessionStore(lambda: clock.seconds()), "ecsta_driver"
        )
        self.resource = ConsoleResource(self.gate, load("common", "driver"), clock, LoginGuard())

    def mount(self, root: Resource) -> Resource:
        """``root`` with the console at ``/console/``, where ``/`` leads."""
        root.putChild(b"console", self.resource)
        root.putChild(b"", Redirect(b"/console/"))
        return root
