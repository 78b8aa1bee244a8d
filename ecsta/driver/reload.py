"""What a reload changes in a running driver, and what must wait for a restart.

Reloaded in place, with every line, call and application kept: each instance's administration
settings (number rules, SIP line filter, location, diagnostics, intervals) as the driver
reads them at start, that is from the saved ``settings.json`` once the API has changed them,
else from the configuration; the API's bearer tokens (a change ends the web console's
sessions, whose logins were made with the old ones; event streams already open stay open);
the certificate of an ``ssl:`` API endpoint; the log level; and the login at a mux (user and
password, or a rotated ``--password-file``).

A new login at a mux is not sent on an association that is up, which the mux keeps without
asking again: dropping it would put every line out of service for nothing. It is used at the
next association, and at once when the link is down (a login the mux refused waits five
minutes before it is tried again, so that it does not lock the host out: a corrected one
should not). Every other change (the PBX or mux address, the API endpoint and host names, the
instances) takes effect at the next restart, and the reload says so.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from twisted.application.internet import ClientService
from twisted.internet.endpoints import serverFromString

from ecsta.daemon.certificates import CertificateError, listener_certificate
from ecsta.daemon.logs import LogControl
from ecsta.daemon.reload import Outcome, ReloadRefused, RenewableContext
from ecsta.daemon.tokens import BearerTokens
from ecsta.driver.admin import lines_overridden, overridden_sections, settings_from_config
from ecsta.driver.config import ConfigError, DriverConfig
from ecsta.driver.connection import Driver
from ecsta.driver.instances import Instances
from ecsta.driver.settingerrors import InvalidSetting
from ecsta.driver.settings import DriverSettings
from ecsta.link.service import PBXClientFactory

#: What a reload puts in force itself, or what the settings carry: never "needs a restart".
RELOADED = {
    "settings",
    "read_names",
    "snapshot_interval",
    "monitor_retry_interval",
    "log_level",
    "lines",
    "names",
    "instances",
    "tokens",
    "user",
    "password",
}


@dataclass
class Prepared:
    config: DriverConfig
    #: Each instance's settings, by instance name.
    settings: dict[str, DriverSettings]
    api_endpoint: Any
    #: The sections of the file that each instance's saved settings hide.
    unused: list[str]


def prepare(settle: Callable[[], DriverConfig], reactor: Any) -> Prepared:
    """Read the configuration (and saved settings) again; refused when any of it fails."""
    try:
        config = settle()
        settings: dict[str, DriverSettings] = {}
        unused: list[str] = []
        for index, instance in enumerate(config.each_instance()):
            where = f"instances[{index}]." if config.instances else ""
            try:
                settings[instance.instance] = settings_from_config(instance)
            except InvalidSetting as error:
                raise ConfigError(f"{where}{error.path}", error.reason) from None
            unused.extend(
                f"[{where}{section}] (the settings saved through the API take precedence: "
                "change them there, or delete the saved settings)"
                for section in overridden_sections(instance)
            )
            kept = lines_overridden(instance)
            if kept is not None:
                key = f"{where}lines" if where else "[lines] numbers"
                unused.append(
                    f"{key} (the lines kept in {kept} take precedence: add or remove lines "
                    "through the API, the console or ecsta lines import)"
                )
        api = serverFromString(reactor, config.api)
        listener_certificate(config.api, time.time())  # an expired one is refused, as at a start
    except ConfigError as error:
        raise ReloadRefused(str(error)) from None
    except CertificateError as error:
        raise ReloadRefused(f"api.endpoint: {error}") from None
    except Exception as error:  # the endpoint parsers raise ValueError, KeyError, SSL errors
        raise ReloadRefused(f"api.endpoint: {config.api!r}: {error}") from None
    return Prepared(config, settings, api, unused)


@dataclass
class MuxLogin:
    """One instance's login at its mux: the factory each association is built from."""

    driver: Driver
    factory: PBXClientFactory
    link: ClientService

    def adopt(self, user: str | None, password: str | None) -> str | None:
        """Use this login from now on; how, or None when it is the one in use."""
        given = self.factory.protocol_kwargs
        if (given.get("user"), given.get("password")) == (user, password):
            return None
        given["user"], given["password"] = user, password
        if self.driver.link_up:
            return "used at the next association (the one that is up is kept)"
        if self.link.running:
            # Down, perhaps waiting out a refused login: the corrected one is tried now.
            d = self.link.stopService()
            d.addCallback(lambda _: self.link.startService())
        return "trying it now (the link was down)"


@dataclass
class Running:
    """What a reload acts on: the configuration in force and the service's parts."""

    config: DriverConfig
    instances: Instances
    logs: LogControl
    api_certificate: RenewableContext | None
    tokens: BearerTokens
    #: Ends the web console's sessions, opened with tokens a reload may have withdrawn; how many.
    end_console_sessions: Callable[[], int]
    #: Each instance's login at its mux, by instance name.
    logins: dict[str, MuxLogin]


def apply(running: Running, prepared: Prepared) -> Outcome:
    outcome = Outcome()
    for instance in running.instances:
        admin = instance.driver.admin
        settings = prepared.settings.get(instance.name)
        if admin is None or settings is None:
            continue
        old, new = admin.settings.to_document(), settings.to_document()
        sections = [section for section in new if new[section] != old.get(section)]
        if sections:
            admin.adopt(settings)
            outcome.changed.append(f"settings of {instance.name}: {', '.join(sections)}")
    if running.tokens.replace(prepared.config.tokens):
        ended = running.end_console_sessions()
        outcome.changed.append(
            f"API tokens: {len(prepared.config.tokens)} in force, "
            f"{ended} web console session(s) ended"
        )
    for settled in prepared.config.each_instance():
        login = running.logins.get(settled.instance)
        how = None if login is None else login.adopt(settled.user, settled.password)
        if how is not None:
            outcome.changed.append(f"login at the mux of {settled.instance}: {how}")
    if running.api_certificate is not None and running.api_certificate.renew(prepared.api_endpoint):
        outcome.changed.append("certificate of the API")
    if running.logs.set_level(prepared.config.log_level):
        outcome.changed.append(f"log level: {prepared.config.log_level}")
    outcome.restart = _needs_restart(running.config, prepared.config)
    outcome.unused = prepared.unused
    return outcome


def _needs_restart(old: DriverConfig, new: DriverConfig) -> list[str]:
    names = [f.name for f in fields(DriverConfig) if f.name not in RELOADED]
    changed = [name for name in names if getattr(old, name) != getattr(new, name)]
    olds, news = old.each_instance(), new.each_instance()
    if [i.instance for i in olds] != [i.instance for i in news]:
        changed.append("instances")
    else:
        for before, after in zip(olds, news, strict=True):
            changed.extend(
                f"{after.instance}.{name}"
                for name in names
                if getattr(before, name) != getattr(after, name) and old.instances
            )
    return sorted(set(changed))
