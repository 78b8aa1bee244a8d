"""The multiplexer's status port: the JSON status page, and the web console beside it.

Every path answers the status JSON, as it always has, so that monitoring keeps working;
``/console/`` is the console, which reads the same document from ``/console/api/status``
once logged in. Logins are those of the ``[users]`` table (``[console] users`` may narrow
them down), slowed down and locked out by the same record as the CSTA logins.
"""

from typing import TYPE_CHECKING

from twisted.web.resource import IResource, Resource
from twisted.web.server import Request

from ecsta.journal.http import JournalResource
from ecsta.mux.status import StatusResource
from ecsta.web.console import ConsoleGate, ConsoleResource, Gated
from ecsta.web.files import load
from ecsta.web.logins import PasswordLogin
from ecsta.web.sessions import SessionStore

if TYPE_CHECKING:
    from ecsta.mux.service import Multiplexer


class StatusRoot(Resource):
    """The status site's root: ``/console/`` and whatever else is mounted, the status elsewhere."""

    def __init__(self, mux: "Multiplexer") -> None:
        super().__init__()
        self.status = StatusResource(mux)
        config = mux.config
        # One record of failures for the console and the CSTA ports: guesses made here count
        # against the same address and user as guesses made there.
        guard = mux.guard
        gate = ConsoleGate(
            PasswordLogin(
                mux.users,
                config.console.users,
                mux.console_check,
            ),
            SessionStore(lambda: mux.clock.seconds()),
            "ecsta_mux",
        )
        self.gate = gate
        api: dict[str, Resource] = {"status": self.status}
        if mux.journal is not None:
            # Call records are personal data: behind the console's login, never open as the
            # status document is.
            api["journal"] = JournalResource(mux.journal)
            v1 = Resource()
            v1.putChild(b"journal", Gated(api["journal"], gate))
            versions = Resource()
            versions.putChild(b"v1", v1)
            self.putChild(b"api", versions)
        self.putChild(
            b"console", ConsoleResource(gate, load("common", "mux"), mux.clock, guard, api)
        )

    def getChild(self, path: bytes, request: Request) -> IResource:
        return self.status

    def render(self, request: Request) -> bytes:
        body: bytes = self.status.render(request)
        return body
