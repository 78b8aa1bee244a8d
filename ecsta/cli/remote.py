"""The commands that talk to running services over HTTP: ``dial``, ``lines query``,
``status``, ``reload``.

``ecsta dial FROM TO`` and ``ecsta lines query`` use the driver's API (``--api``, default
``http://127.0.0.1:8782``); ``ecsta status`` reads the mux's status page (``--mux``, default
``http://127.0.0.1:33335``) or, with ``--api``, sums up a driver; ``ecsta reload`` posts to
the ``/reload`` of the mux (``--mux``), a driver (``--api``) or the simulator (``--sim``). A
driver with bearer tokens wants one: ``--token`` or ``$ECSTA_API_TOKEN`` (the environment keeps
it out of ``ps``).

Exit status: 0 when the service did what was asked (for ``status``: answered, and has no
problem: its PBX link is up and, for a driver, the PBX is available and it has lines), 1 when
it could not be reached, refused, or has a problem (each named on stderr), 2 for usage errors.
"""

import argparse
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Mapping
from typing import Any, TextIO

from prometheus_client.parser import text_string_to_metric_families

DEFAULT_API = "http://127.0.0.1:8782"
DEFAULT_STATUS = "http://127.0.0.1:33335"
TIMEOUT = 30.0


class RemoteError(Exception):
    """The service could not be reached, or refused; the message says what to do.

    ``status`` is the HTTP status of a refusal (None when nothing answered)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotJSON(RemoteError):
    """Something answered, but not with JSON: another service, or a web page."""


def _url(base: str, path: str) -> str:
    return base.rstrip("/") + path


def fetch(
    method: str, url: str, token: str | None = None, body: Any = None, accept: str = "json"
) -> Any:
    """One HTTP request; the answer's JSON (or text with ``accept="text"``)."""
    headers = {"accept": "application/json" if accept == "json" else "text/plain"}
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["content-type"] = "application/json"
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            content = response.read()
    except urllib.error.HTTPError as error:
        raise RemoteError(_refusal(method, url, error, bool(token)), error.code) from None
    except urllib.error.URLError as error:
        # A reset while the request is sent comes wrapped; one while the answer is awaited
        # does not.
        raise RemoteError(_unreachable(url, error.reason)) from None
    except (TimeoutError, OSError) as error:
        raise RemoteError(_unreachable(url, error)) from None
    if accept == "text":
        return content.decode("utf-8", "replace")
    try:
        return json.loads(content)
    except ValueError:
        raise NotJSON(f"{url} did not answer with JSON: is it the right port?") from None


def _unreachable(url: str, reason: object) -> str:
    if isinstance(reason, ConnectionResetError):
        # What an ecsta port does with a connection past the most it keeps open.
        return (
            f"cannot reach {url}: the connection was closed as it was made; the port may have"
            " all the connections it keeps open (its log says so)"
        )
    return f"cannot reach {url}: {reason}"


def _refusal(method: str, url: str, error: urllib.error.HTTPError, token: bool) -> str:
    if error.code == 401 and token:
        return f"{url}: token refused (not one of the driver's [api] tokens)"
    if error.code == 401:
        return f"{url} wants a bearer token: give --token or set ECSTA_API_TOKEN"
    try:
        body = json.loads(error.read())
        if body.get("refused"):
            return f"new configuration refused, the running one stays in force: {body['refused']}"
        message = body.get("message") or body.get("error") or ""
    except (ValueError, AttributeError):
        message = ""
    return f"{method} {url}: {error.code} {message or error.reason}".rstrip()


def _token(args: argparse.Namespace) -> str | None:
    token: str | None = args.token or os.environ.get("ECSTA_API_TOKEN") or None
    return token


# -- dial -------------------------------------------------------------------------------------


def dial_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    token = _token(args)
    line = urllib.parse.quote(args.source, safe="")
    try:
        made = fetch(
            "POST",
            _url(args.api, f"/api/v1/lines/{line}/makecall"),
            token,
            {"to": args.destination, "address": args.address},
        )
    except RemoteError as error:
        err.write(f"ecsta dial: {error}\n")
        return 1
    call = made.get("call") if isinstance(made, Mapping) else None
    if call is None:
        out.write(f"dialling {args.destination} from line {args.source}\n")
        return 0
    try:
        state, reason = _outcome(args.api, token, call, args.wait)
    except RemoteError as error:
        err.write(f"ecsta dial: call {call} was made, but how it went is unknown: {error}\n")
        return 1
    out.write(f"call {call} on line {args.source} to {args.destination}: {state}\n")
    failed = FAILED_STATES.get(state)
    if failed is not None:
        err.write(f"ecsta dial: the call to {args.destination} failed: {failed}{reason}\n")
        return 1
    return 0


#: Call states that end a call before it was answered, as ``ecsta dial`` reports them.
FAILED_STATES = {
    "LINECALLSTATE_BUSY": "busy",
    "LINECALLSTATE_DISCONNECTED": "disconnected",
    "LINECALLSTATE_IDLE": "it ended",
}
#: Call states that show the call reached the other end.
REACHED_STATES = {"LINECALLSTATE_RINGBACK", "LINECALLSTATE_CONNECTED", "LINECALLSTATE_ONHOLD"}


def _outcome(api: str, token: str | None, call: Any, wait: float) -> tuple[str, str]:
    """The call's state once it rings, is answered or has failed (or after ``wait`` seconds),
    and the reason the PBX gave, if any; RemoteError when the driver cannot tell (unreachable,
    refused), which is not to be read as the call having ended."""
    deadline = time.monotonic() + wait
    state, reason = "LINECALLSTATE_UNKNOWN", ""
    while True:
        try:
            shown = fetch("GET", _url(api, f"/api/v1/calls/{call}"), token)
        except RemoteError as error:
            if error.status == 404:
                return "LINECALLSTATE_IDLE", ""  # gone already: it ended before it rang
            raise  # the driver went away or refused: that is no answer about the call
        if isinstance(shown, Mapping):
            state = str(shown.get("state"))
            # The state's mode says why (LINEDISCONNECTMODE_BUSY, ...); the call's "reason" is
            # how it came to be (LINECALLREASON_DIRECT), which says nothing about a failure.
            mode = shown.get("stateMode")
            reason = f" ({', '.join(map(str, mode))})" if isinstance(mode, list) and mode else ""
        if state in REACHED_STATES or state in FAILED_STATES or time.monotonic() >= deadline:
            return state, reason
        time.sleep(0.2)


# -- lines query ------------------------------------------------------------------------------


def _line_state(line: Mapping[str, Any]) -> str:
    if not line.get("open"):
        return "closed"
    if line.get("monitorError"):
        return f"monitor refused ({line['monitorError']})"
    return "in service" if line.get("inService") else "out of service"


def _line_rows(lines: list[Mapping[str, Any]]) -> list[str]:
    width = max((len(str(line.get("line", ""))) for line in lines), default=0)
    names = max((len(str(line.get("name") or "")) for line in lines), default=0)
    rows = []
    for line in lines:
        name = f"{line.get('name') or ''!s:<{names}}  " if names else ""
        rows.append(f"  {line.get('line', '')!s:<{width}}  {name}{_line_state(line)}")
    return rows


def lines_query_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        answer = fetch("POST", _url(args.api, "/api/v1/lines/query"), _token(args))
    except RemoteError as error:
        err.write(f"ecsta lines query: {error}\n")
        return 1
    lines = answer.get("lines", []) if isinstance(answer, Mapping) else []
    out.write(
        f"the PBX lists {answer.get('devices', 0)} devices; the driver has {len(lines)} lines:\n"
    )
    for row in _line_rows(lines):
        out.write(row + "\n")
    return 0


# -- status -----------------------------------------------------------------------------------


def _since(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return ""
    return time.strftime(", since %Y-%m-%d %H:%M:%S", time.localtime(seconds))


def _tally(title: str, states: list[str]) -> str:
    """``title: 3 (2 closed, 1 in service)``: how many there are, and how many in each state."""
    detail = ", ".join(f"{count} {state}" for state, count in sorted(Counter(states).items()))
    return f"{title}: {len(states)}" + (f" ({detail})" if detail else "")


def mux_summary(status: Mapping[str, Any]) -> list[str]:
    """The mux's status document as a few readable lines."""
    pbx = status.get("pbx", {})
    peer = f" ({pbx['peer']}{_since(pbx.get('since'))})" if pbx.get("peer") else ""
    lines = [f"ecsta-mux {status['version']}"] if status.get("version") else []
    if pbx.get("lastError"):
        lines.append(f"last error: {pbx['lastError']}{_since(pbx.get('lastErrorSince'))}")
    lines += [
        f"PBX link: {pbx.get('state')}{peer}; applications are shown systemStatus"
        f" {pbx.get('systemStatus')}",
        f"requests to the PBX: {pbx.get('inFlight', 0)} in flight, {pbx.get('queued', 0)} queued",
    ]
    apps = status.get("applications", [])
    lines.append(f"applications: {len(apps)}")
    for app in apps:
        user = app.get("user") or "no login"
        tls = "tls" if app.get("tls") else "tcp"
        lines.append(
            f"  {app.get('id')}: {app.get('address')} {tls} {user}, monitors"
            f" {len(app.get('monitors', []))}, open requests {app.get('openRequests', 0)},"
            f" output buffer {app.get('buffer', 0)} bytes"
        )
    monitors = status.get("monitors", [])
    lines.append(_tally("PBX monitors", [str(monitor.get("state")) for monitor in monitors]))
    for key, title in (("cdr", "CDR"), ("dataCollection", "data collection")):
        owned = status.get(key, {})
        owner = owned.get("owner")
        who = "no owner" if owner is None else f"owned by application {owner}"
        lines.append(f"{title}: {who}, {owned.get('reports', 0)} reports relayed")
    logins = status.get("logins", {})
    lines.append(
        f"logins: {logins.get('accepted', 0)} accepted, {logins.get('failed', 0)} failed,"
        f" {len(logins.get('lockedOut', []))} addresses locked out now"
    )
    refusals = http_refusals(status)
    return lines if refusals is None else [*lines, refusals]


def http_refusals(status: Mapping[str, Any]) -> str | None:
    """A line on the HTTP connections of the status port that were refused, if any were."""
    http = status.get("http") or {}
    if not http.get("refused"):
        return None
    return (
        f"HTTP: {http['refused']} connections refused because {http.get('most')} were open"
        f" ({http.get('open', 0)} open now)"
    )


def _metric_values(text: str) -> dict[str, float]:
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if not sample.labels:
                values[sample.name] = sample.value
    return values


def driver_summary(
    metrics: Mapping[str, float],
    lines: list[Mapping[str, Any]],
    calls: list[Mapping[str, Any]],
    licence: Mapping[str, Any] | None,
) -> list[str]:
    """A driver's state as a few readable lines."""
    up = metrics.get("ecsta_driver_pbx_link_up") == 1
    out = [f"PBX link: {'up' if up else 'down'}"]
    out.append(_tally("lines", [_line_state(line) for line in lines]))
    # Only the lines that need a look: a driver may have a thousand in service.
    out.extend(_line_rows([line for line in lines if _line_state(line) != "in service"]))
    out.append(f"calls: {len(calls)}")
    for call in calls:
        caller = (call.get("callerId") or {}).get("number") or ""
        called = (call.get("calledId") or {}).get("number") or ""
        parties = f" {caller} -> {called}" if caller or called else ""
        out.append(f"  {call.get('id')}: line {call.get('line')} {call.get('state')}{parties}")
    if licence is not None and licence.get("mode") not in (None, "off"):
        days = licence.get("daysLeft")
        left = f", {days} days left" if days is not None else ""
        out.append(
            f"licence: {licence['mode']}{left}, {licence.get('linesInUse', 0)} of"
            f" {licence.get('linesLicensed', 0)} lines in use"
        )
    return out


def _driver_status(args: argparse.Namespace, out: TextIO) -> list[str]:
    """Print the driver's state; its problems (none when all is well)."""
    token = _token(args)
    wrong = RemoteError(f"{args.api} is not an ecsta driver's API: is it the right port?")
    try:
        status = fetch("GET", _url(args.api, "/api/v1/status"), token)
    except NotJSON:
        raise wrong from None
    except RemoteError as error:
        if error.status == 404:
            raise wrong from None
        raise
    if not isinstance(status, Mapping) or status.get("service") != "ecsta-driver":
        raise wrong
    metrics = _metric_values(fetch("GET", _url(args.api, "/metrics"), token, accept="text"))
    lines = fetch("GET", _url(args.api, "/api/v1/lines"), token).get("lines", [])
    calls = fetch("GET", _url(args.api, "/api/v1/calls"), token).get("calls", [])
    try:
        licence = fetch("GET", _url(args.api, "/api/v1/license"), token)
    except RemoteError:
        licence = None  # a driver without the licence endpoint
    if args.json:
        document = {
            "status": status,
            "metrics": metrics,
            "lines": lines,
            "calls": calls,
            "license": licence,
        }
        out.write(json.dumps(document, indent=1) + "\n")
    else:
        out.write(f"ecsta-driver {status.get('version')}\n")
        for instance in status.get("instances", []):
            last = instance.get("lastError")
            if last:
                out.write(f"{instance.get('name')}: last error: {last}")
                out.write(f"{_since(instance.get('lastErrorSince'))}\n")
            requests = instance.get("requests") or {}
            if requests.get("waiting") or requests.get("refusedBusy"):
                out.write(
                    f"{instance.get('name')}: {requests.get('waiting', 0)} requests waiting for"
                    f" the PBX (at most {requests.get('maxWaiting')}),"
                    f" {requests.get('refusedBusy', 0)} refused as busy\n"
                )
        refusals = http_refusals(status)
        if refusals is not None:
            out.write(refusals + "\n")
        out.write("\n".join(driver_summary(metrics, lines, calls, licence)) + "\n")
    return [str(problem) for problem in status.get("problems", [])]


def _mux_status(args: argparse.Namespace, out: TextIO) -> list[str]:
    """Print the mux's state; its problems (none when all is well)."""
    try:
        status = fetch("GET", _url(args.mux, "/"))
    except NotJSON:
        status = None
    if not isinstance(status, Mapping) or "pbx" not in status:
        raise RemoteError(
            f"{args.mux} is not a mux status page (for a driver give --api URL instead)"
        )
    if args.json:
        out.write(json.dumps(status, indent=1) + "\n")
    else:
        out.write("\n".join(mux_summary(status)) + "\n")
    return [] if status["pbx"].get("state") == "up" else ["the PBX link is not up"]


def status_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        problems = _driver_status(args, out) if args.api else _mux_status(args, out)
    except RemoteError as error:
        err.write(f"ecsta status: {error}\n")
        return 1
    for problem in problems:
        err.write(f"ecsta status: {problem}\n")
    return 1 if problems else 0


# -- reload -----------------------------------------------------------------------------------


def reload_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """POST /reload: what ``systemctl reload`` (SIGHUP) does, with the outcome printed."""
    url = _url(args.api or args.sim or args.mux, "/reload")
    try:
        outcome = fetch("POST", url, _token(args) if args.api else None)
    except RemoteError as error:
        err.write(f"ecsta reload: {error}\n")
        return 1
    for change in outcome.get("changed", []):
        out.write(f"reloaded {change}\n")
    if not outcome.get("changed"):
        out.write("reloaded, nothing changed\n")
    for part in outcome.get("needsRestart", []):
        out.write(f"changed but taking effect only at a restart: {part}\n")
    for part in outcome.get("unused", []):
        out.write(f"not used: {part}\n")
    return 0


# -- registration -----------------------------------------------------------------------------


def _api_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--api",
        default=DEFAULT_API,
        metavar="URL",
        help=f"the driver's API (default {DEFAULT_API})",
    )
    _token_option(parser)


def _token_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--token", help="bearer token of the driver's API (default: $ECSTA_API_TOKEN)"
    )


def _target_options(parser: argparse.ArgumentParser, sim: bool = False) -> None:
    """``--mux`` (the default), ``--api`` or ``--sim``: one service, so naming two is a usage
    error rather than one of them silently ignored."""
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--mux",
        default=DEFAULT_STATUS,
        metavar="URL",
        help=f"the mux's status endpoint (default {DEFAULT_STATUS})",
    )
    target.add_argument("--api", metavar="URL", help="the driver's API")
    if sim:
        target.add_argument(
            "--sim", metavar="URL", help="the simulator's control API (http://127.0.0.1:8081)"
        )
    _token_option(parser)


def register(subcommands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``dial``, ``status`` and ``reload`` to the console script's subcommands."""
    dial = subcommands.add_parser(
        "dial",
        help="make a call from a line through the driver",
        description="Make a call from line FROM to TO through the driver's API, as an"
        " application's click-to-dial does. The driver answers once the PBX has taken the call;"
        " ecsta dial then waits until it rings at the other end (exit status 0) or fails, busy,"
        " unreachable or refused (exit status 1).",
        epilog="example: ecsta dial 101 102; ecsta dial --api http://pbx-host:8782 101 0301234567",
    )
    dial.add_argument("source", metavar="FROM", help="the calling line (its extension number)")
    dial.add_argument("destination", metavar="TO", help="the number to call")
    dial.add_argument(
        "--address", type=int, default=0, help="the line's address (1: a Super-Twin DECT)"
    )
    dial.add_argument(
        "--wait",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="how long to wait for the call to ring or fail (default 15)",
    )
    _api_options(dial)
    dial.set_defaults(handler=dial_command)

    status = subcommands.add_parser(
        "status",
        help="what the mux (or a driver) is doing now",
        description="Sum up the mux's status page (default) or, with --api, a driver: the PBX"
        " link, applications or lines, calls. Exit status 0 when all is well, 1 when the PBX"
        " link is down, a driver has no lines, or the service cannot be reached.",
    )
    _target_options(status)
    status.add_argument("--json", action="store_true", help="print the raw document instead")
    status.set_defaults(handler=status_command)

    reload = subcommands.add_parser(
        "reload",
        help="have the mux (or a driver, or the simulator) read its configuration again",
        description="What systemctl reload (SIGHUP) does, with the outcome printed: users,"
        " certificates, rules and the log level are read again without dropping applications"
        " or the PBX link. Exit status 0 when the new configuration is in force, 1 when it was"
        " refused (the running one stays) or the service cannot be reached.",
    )
    _target_options(reload, sim=True)
    reload.set_defaults(handler=reload_command)


def register_lines_query(
    lines: "argparse._SubParsersAction[argparse.ArgumentParser]",
) -> None:
    """Add ``lines query`` beside ``lines import`` and ``lines export``."""
    query = lines.add_parser(
        "query",
        help="have the driver load the PBX's lines",
        description="Ask the running driver to read the PBX's device list and add its stations"
        " as lines (POST /api/v1/lines/query), then list the lines.",
    )
    _api_options(query)
    query.set_defaults(handler=lines_query_command)
