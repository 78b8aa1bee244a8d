"""What ``twistd`` runs for a service: a start that fails for a known reason ends the process
with that reason on one line and exit status 1, not with a traceback.

An operator whose port is taken or whose certificate is wrong needs the cause, and systemd's
journal shows the last lines; a traceback buries the cause under frames that say nothing to them.
"""

from twisted.application.service import MultiService
from twisted.internet.error import CannotListenError
from twisted.logger import Logger

log = Logger()


def describe(error: BaseException) -> str:
    """The cause of a failed start, in the words an operator acts on."""
    if isinstance(error, CannotListenError):
        why = getattr(error.socketError, "strerror", None) or error.socketError
        return f"cannot listen on {error.interface or '*'}:{error.port}: {why}"
    return str(error)


class Daemon(MultiService):
    """The top service of ``program``; ``expected`` are the failures that have a plain cause."""

    def __init__(self, program: str, expected: tuple[type[BaseException], ...]) -> None:
        super().__init__()
        self.program = program
        self.expected = expected

    def privilegedStartService(self) -> None:
        try:
            super().privilegedStartService()
        except self.expected as error:
            log.critical("{program} cannot start: {why}", program=self.program, why=describe(error))
            raise SystemExit(1) from None
