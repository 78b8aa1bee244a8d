"""``ecsta check FILE``: a configuration checked as the service would check it at start.

Every key, the files it names (readable, certificates valid, not expired and matching their
keys), the endpoints (parseable, a port given), and the directories the service writes
(writable by the user running the check: run it as the service's user, as ``ExecStartPre=``
does). One line per problem; exit status 0 when there is none, 1 otherwise, 2 for usage errors.

The checks of each kind of file are in :data:`CHECKS`: the loader, which reads the file once
(raising :class:`Stop` when it cannot be loaded), and the checks of the loaded configuration. A
section a service gains gets its check by adding a function there; a check yields problems.
"""

import argparse
import datetime
import importlib.util
import os
from collections.abc import Callable, Iterator
from typing import Any, TextIO

Problems = Iterator[str]


class Stop(Exception):
    """The file cannot be loaded: the one problem reported, the later checks skipped."""


# -- helpers ----------------------------------------------------------------------------------


def _writable(key: str, directory: str | None) -> Problems:
    """The directory exists and can be written, or can be made under one that can."""
    if directory is None:
        return
    path = os.path.abspath(directory)
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    if not os.path.isdir(path):
        yield f"{key}: {path} is not a directory"
    elif not os.access(path, os.W_OK | os.X_OK):
        yield f"{key}: {path} cannot be written by this user"


def _server_endpoint(key: str, description: str) -> Problems:
    from twisted.internet import reactor

    from ecsta.mux.service import StartupError, parse_server_endpoint

    try:
        endpoint = parse_server_endpoint(reactor, description)
    except StartupError as error:
        yield f"{key}: {error}"
        return
    certificate = getattr(getattr(endpoint, "_sslContextFactory", None), "certificate", None)
    if certificate is not None:
        expires = certificate.to_cryptography().not_valid_after_utc
        if expires < datetime.datetime.now(datetime.UTC):
            yield f"{key}: the certificate expired on {expires:%Y-%m-%d}"


def _client_endpoint(key: str, description: str) -> Problems:
    """The form (a port given), then what it names (a CA directory, a client certificate)."""
    from twisted.internet import reactor

    from ecsta.daemon.endpointform import endpoint_problem
    from ecsta.daemon.endpoints import EndpointError, client_endpoint

    if description == "sim":
        return
    problem = endpoint_problem(description)
    if problem is not None:
        yield f"{key}: {problem}"
        return
    try:
        client_endpoint(reactor, description)
    except EndpointError as error:
        yield f"{key}: {error}"


def _journal(key: str, settings: Any, state_directory: str) -> Problems:
    """The journal's database: PostgreSQL's client installed, or the SQLite file writable."""
    if not settings.enabled:
        return
    if settings.postgres:
        if importlib.util.find_spec("psycopg") is None:
            yield f"{key}.postgres: psycopg is not installed: install ecsta[postgres]"
        return
    path = settings.database_path(state_directory)
    if os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK):
        yield f"{key}.path: {path} cannot be written by this user"
    else:
        yield from _writable(f"{key}.path", os.path.dirname(path))


# -- the mux ----------------------------------------------------------------------------------


def _mux(path: str) -> Any:
    from ecsta.daemon.config import ConfigError
    from ecsta.mux.config import load

    try:
        return load(path)
    except ConfigError as error:
        raise Stop(str(error).removeprefix(f"{path}: ")) from None


def _mux_endpoints(config: Any) -> Problems:
    for index, description in enumerate(config.listen.tcp):
        yield from _server_endpoint(f"listen.tcp[{index}]", description)
    for index, description in enumerate(config.listen.tls):
        yield from _server_endpoint(f"listen.tls[{index}]", description)
    if config.status.endpoint:
        yield from _server_endpoint("status.endpoint", config.status.endpoint)
    yield from _client_endpoint("pbx.endpoint", config.pbx.endpoint)


def _mux_files(config: Any) -> Problems:
    from ecsta.journal.settings import service_state_directory

    if config.pbx.capture:
        yield from _writable("pbx.capture", os.path.dirname(config.pbx.capture) or ".")
    yield from _journal("journal", config.journal, service_state_directory())


def _mux_simulator(config: Any) -> Problems:
    """The ``[sim]`` table, read as the built-in simulator will read it with ``pbx = "sim"``."""
    from ecsta.daemon.config import ConfigError
    from ecsta.mux.tap import simulator_config

    if config.pbx.endpoint != "sim":
        return
    try:
        sim = simulator_config(config)
    except ConfigError as error:
        yield str(error)
        return
    yield from _server_endpoint("sim.csta.endpoint", sim.csta)
    if sim.control:
        yield from _server_endpoint("sim.control.endpoint", sim.control)


# -- the driver -------------------------------------------------------------------------------


def _driver(path: str) -> Any:
    from ecsta.daemon.config import ConfigError
    from ecsta.driver.tap import settle

    given = dict.fromkeys(("pbx", "user", "password", "api", "capture"))
    try:
        return settle({"config": path, **given})
    except ConfigError as error:
        raise Stop(str(error)) from None


def _driver_endpoints(config: Any) -> Problems:
    yield from _server_endpoint("api.endpoint", config.api)
    for index, instance in enumerate(config.each_instance()):
        key = f"instances[{index}].pbx" if config.instances else "pbx.endpoint"
        yield from _client_endpoint(key, instance.pbx)


def _driver_settings(config: Any) -> Problems:
    from ecsta.daemon.config import ConfigError
    from ecsta.driver.admin import settings_from_config
    from ecsta.driver.settingerrors import InvalidSetting
    from ecsta.sim.config import load as load_sim

    for index, instance in enumerate(config.each_instance()):
        where = f"instances[{index}]." if config.instances else ""
        try:
            settings_from_config(instance)
        except InvalidSetting as error:
            yield f"{where}{error.path}: {error.reason}"
        if instance.sim_config:
            try:
                load_sim(instance.sim_config)
            except ConfigError as error:
                yield f"{where}sim.config: {error}"


def _driver_directories(config: Any) -> Problems:
    from ecsta.journal.settings import service_state_directory

    yield from _writable("admin.licenceDirectory", config.licence_directory)
    yield from _writable("admin.logDirectory", config.log_directory)
    for index, instance in enumerate(config.each_instance()):
        where = f"instances[{index}]." if config.instances else ""
        key = f"{where}stateDirectory" if config.instances else "admin.stateDirectory"
        yield from _writable(key, instance.state_directory)
        if instance.capture:
            capture = f"{where}capture" if config.instances else "pbx.capture"
            yield from _writable(capture, os.path.dirname(instance.capture) or ".")
        if instance.user is None:  # behind a mux the journal is the mux's
            state = instance.state_directory or service_state_directory()
            yield from _journal("journal", instance.journal, state)


# -- the simulator ----------------------------------------------------------------------------


def _sim(path: str) -> Any:
    from ecsta.daemon.config import ConfigError
    from ecsta.sim.config import load

    try:
        return load(path)
    except ConfigError as error:
        raise Stop(str(error)) from None


def _sim_endpoints(config: Any) -> Problems:
    yield from _server_endpoint("csta.endpoint", config.csta)
    if config.control:
        yield from _server_endpoint("control.endpoint", config.control)


#: How each kind of configuration is loaded, and its checks in order.
CHECKS: dict[str, tuple[Callable[[str], Any], list[Callable[[Any], Problems]]]] = {
    "mux": (_mux, [_mux_endpoints, _mux_files, _mux_simulator]),
    "driver": (_driver, [_driver_endpoints, _driver_settings, _driver_directories]),
    "pbxsim": (_sim, [_sim_endpoints]),
}


def problems(kind: str, path: str) -> list[str]:
    """Every problem of the file, or the one that stops it from loading."""
    if not os.access(path, os.R_OK):
        return [f"cannot read {path}"]
    load, checks = CHECKS[kind]
    try:
        config = load(path)
    except Stop as stop:
        return [str(stop)]
    return [problem for check in checks for problem in check(config)]


def guess_kind(path: str) -> str | None:
    """The kind of file its name says (``mux.toml``, ``ecsta-driver.toml``, ``pbxsim.toml``)."""
    name = os.path.basename(path).lower()
    for kind, words in (("pbxsim", ("sim",)), ("driver", ("driver",)), ("mux", ("mux",))):
        if any(word in name for word in words):
            return kind
    return None


def check_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    status = 0
    for path in args.files:
        kind = args.kind or guess_kind(path)
        if kind is None:
            err.write(f"{path}: cannot tell which service it configures: give --kind\n")
            status = 1
            continue
        found = problems(kind, path)
        for problem in found:
            out.write(f"{path}: {problem}\n")
        if found:
            status = 1
        else:
            out.write(f"{path}: OK (ecsta-{kind} configuration)\n")
    return status


def register(subcommands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subcommands.add_parser(
        "check",
        help="check a configuration file before a (re)start",
        description="Check configuration files as the service would at start: every key, the"
        " files and certificates they name, the endpoints, and the directories the service"
        " writes (run it as the service's user). One line per problem; exit status 0 when"
        " there is none, 1 otherwise.",
        epilog="example: sudo -u ecsta /opt/ecsta/bin/ecsta check /etc/ecsta/mux.toml",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="a mux, driver or pbxsim file")
    parser.add_argument(
        "--kind",
        choices=sorted(CHECKS),
        help="which service the files configure (default: from each file's name)",
    )
    parser.set_defaults(handler=check_command)
