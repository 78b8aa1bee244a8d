"""Who may connect to a listener: loopback tests and allow-lists of networks.

A listener with an allow-list closes, before anything is read, every connection whose peer is
in none of its networks; the others are handed to the listener's own factory unchanged (same
protocol, same transport).
"""

import ipaddress
import re
from collections.abc import Callable, Iterable
from typing import Any

from twisted.internet.protocol import Factory

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_loopback(endpoint: str) -> bool:
    """Whether a server endpoint string listens on loopback only.

    ``tcp:8782`` without ``interface`` listens on every interface, so it is not loopback.
    Colons inside a value are escaped (``interface=\\:\\:1``), as in every endpoint string.
    """
    if endpoint.startswith("unix:"):
        return True
    match = re.search(r"(?:^|:)interface=((?:\\.|[^:])*)", endpoint)
    if match is None:
        return False
    host = match.group(1).replace("\\", "").strip("[]")
    return host.startswith("127.") or host in ("localhost", "::1")


def networks(texts: Iterable[str]) -> tuple[Network, ...]:
    """Parse ``10.0.0.0/8``-style networks (a single address is a network of one)."""
    return tuple(ipaddress.ip_network(text.strip(), strict=False) for text in texts)


def only_loopback(allowed: Iterable[Network]) -> bool:
    return all(network.is_loopback for network in allowed)


def admitted(host: str, allowed: Iterable[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False  # not an IP peer (a UNIX socket has no allow-list)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in allowed)


class AllowedNetworks(Factory):
    """``wrapped``, for peers in ``allowed`` only; ``refused`` hears of every other peer."""

    def __init__(
        self, wrapped: Factory, allowed: tuple[Network, ...], refused: Callable[[str], None]
    ) -> None:
        self.wrapped = wrapped
        self.allowed = allowed
        self.refused = refused

    def doStart(self) -> None:
        self.wrapped.doStart()

    def doStop(self) -> None:
        self.wrapped.doStop()

    def buildProtocol(self, addr: Any) -> Any:
        host = str(getattr(addr, "host", ""))
        if not admitted(host, self.allowed):
            self.refused(host)
            return None
        return self.wrapped.buildProtocol(addr)
