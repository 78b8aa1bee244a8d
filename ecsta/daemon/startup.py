"""What ``twistd`` runs for a service: a start that fails for a known reason ends the process
with that reason on one line and exit status 1, not with a traceback.

An operator whose port is taken or whose certificate is wrong needs the cause, and systemd's
journal shows the last lines; a traceback buries the cause under frames that say nothing to them.
"""

import platform
import sys
from collections.abc import Callable
from typing import Any

from twisted.application.service import IService, MultiService, ServiceMaker
from twisted.internet.error import CannotListenError
from twisted.logger import Logger
from twisted.python import usage

from ecsta import __version__
from ecsta.daemon.logs import LogControl
from ecsta.daemon.reload import Reloader
from twisted import __version__ as twisted_version

log = Logger()


class StartupError(Exception):
    """A service cannot start as configured; the message says what to fix."""


def listen_failure(error: CannotListenError, description: str | None = None) -> str:
    """Why a port cannot be had, naming it as ``description`` or by its address."""
    why = getattr(error.socketError, "strerror", None) or error.socketError
    where = description or f"{error.interface or '*'}:{error.port}"
    return f"cannot listen on {where}: {why}"


def describe(error: BaseException) -> str:
    """The cause of a failed start, in the words an operator acts on."""
    if isinstance(error, CannotListenError):
        return listen_failure(error)
    return str(error)


class Daemon(MultiService):
    """The top service of ``program``; ``expected`` are the failures that have a plain cause.

    Its first log line names the program and its version. ``logs`` is the level filter; when
    twistd runs the service (:class:`DaemonMaker`), the service puts it in front of twistd's
    log observers before anything starts (a service started by a test leaves the test's log
    alone).
    """

    def __init__(
        self,
        program: str,
        expected: tuple[type[BaseException], ...],
        logs: LogControl | None = None,
    ) -> None:
        super().__init__()
        self.program = program
        self.expected = expected
        self.logs = logs or LogControl()
        self.owns_log = False
        log.info(
            "{program} {version} (Python {python}, Twisted {twisted})",
            program=program,
            version=__version__,
            python=platform.python_version(),
            twisted=twisted_version,
        )

    def privilegedStartService(self) -> None:
        if self.owns_log:
            self.logs.install()
        # A SIGHUP while the others start must reload, not end the process: the handler first.
        for service in self:
            if isinstance(service, Reloader):
                service.install()
        try:
            super().privilegedStartService()
        except self.expected as error:
            log.critical("{program} cannot start: {why}", program=self.program, why=describe(error))
            raise SystemExit(1) from None


class DaemonMaker(ServiceMaker):
    """The plugin's maker of a service: what twistd runs owns the process's log.

    Its options know ``--version``, and an option error ends twistd with one line naming the
    cause, where twistd itself would print the whole usage before it.
    """

    @property
    def options(self) -> type[usage.Options]:
        base: type[usage.Options] = super().options
        program = self.tapname
        return type(base.__name__, (_OneLineErrors, base), {"program": program})

    def makeService(self, options: Any) -> IService:
        service: IService = super().makeService(options)
        if isinstance(service, Daemon):
            service.owns_log = True
        return service


#: What each conversion of an option's value expects, in words.
_EXPECTED = {"int": "a whole number", "float": "a number"}


def _naming(name: str, coerce: Callable[[str], Any]) -> Callable[[str], Any]:
    """``coerce``, refusing a value with a :class:`usage.UsageError` that names the option."""
    expected = _EXPECTED.get(getattr(coerce, "__name__", ""), "another value")

    def converted(value: str) -> Any:
        try:
            return coerce(value)
        except ValueError:
            raise usage.UsageError(f"--{name}: expected {expected}, got {value!r}") from None

    return converted


class _OneLineErrors(usage.Options):
    """Mixed in before a service's own options by :class:`DaemonMaker`."""

    program = "ecsta"

    def __init__(self) -> None:
        super().__init__()
        # Twisted's own message for a value of the wrong type does not say which option it
        # was given to: each conversion is made to say it.
        for name, dispatcher in self._dispatch.items():
            if isinstance(dispatcher, usage.CoerceParameter):
                dispatcher.coerce = _naming(name, dispatcher.coerce)

    def opt_version(self) -> None:
        """Print the version and exit."""
        print(f"{self.program} {__version__}")
        raise SystemExit(0)

    def parseOptions(self, options: Any = None) -> None:
        try:
            super().parseOptions(options)
        except usage.UsageError as error:
            hint = f" (twistd {self.program} --help lists them)" if "option" in str(error) else ""
            sys.stderr.write(f"{self.program}: {error}{hint}\n")
            raise SystemExit(1) from None
