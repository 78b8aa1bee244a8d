"""Who may reach the multiplexer's listeners: allow-lists, and a warning for open ports."""

from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import succeed
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from ecsta.mux.config import ConfigError, from_dict
from ecsta.mux.service import MuxService
from tests.logged import logged_lines


class Port:
    def stopListening(self) -> None:
        pass


class Endpoint:
    """Records the factory it is asked to listen with."""

    def __init__(self) -> None:
        self.factory: Any = None

    def listen(self, factory: Any) -> Any:
        self.factory = factory
        return succeed(Port())


class ExposureTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.lines = logged_lines(self)

    def start(self, document: dict[str, Any]) -> dict[str, Endpoint]:
        endpoints: dict[str, Endpoint] = {}

        def parse(reactor: Any, text: str) -> Endpoint:
            return endpoints.setdefault(text.split(":backlog=")[0], Endpoint())

        service = MuxService(
            Clock(),
            from_dict({"status": {"endpoint": ""}, **document}),
            pbx_endpoint=object(),
            server_endpoint=parse,
        )
        service.privilegedStartService()
        self.service = service
        return endpoints

    def test_a_listener_accepts_only_its_networks(self) -> None:
        endpoints = self.start(
            {"listen": {"tcp": ["tcp:33333"], "allow": {"tcp:33333": ["192.168.7.0/24", "::1"]}}}
        )
        factory = endpoints["tcp:33333"].factory
        self.assertIsNotNone(factory.buildProtocol(IPv4Address("TCP", "192.168.7.20", 5000)))
        self.assertIsNotNone(factory.buildProtocol(IPv6Address("TCP", "::1", 5000)))
        self.assertIsNone(factory.buildProtocol(IPv4Address("TCP", "10.1.1.1", 5000)))
        self.assertIsNone(factory.buildProtocol(IPv6Address("TCP", "::ffff:10.1.1.1", 5000)))
        self.assertEqual(self.service.mux.connections["refused_not_allowed"], 2)

    def test_an_open_listener_beyond_loopback_is_named_at_start(self) -> None:
        self.start({"listen": {"tcp": ["tcp:33333", "tcp:33336:interface=127.0.0.1"]}})
        warnings = [x for x in self.lines if "without a login" in x]
        self.assertEqual(len(warnings), 1)
        self.assertIn("tcp:33333 accepts applications from any address", warnings[0])

    def test_no_warning_when_logins_are_required_or_only_loopback_is_allowed(self) -> None:
        self.start({"listen": {"tcp": ["tcp:33333"], "allow": {"tcp:33333": ["127.0.0.0/8"]}}})
        self.assertFalse([x for x in self.lines if "without a login" in x])

    def test_an_allow_list_must_name_a_listener_and_networks(self) -> None:
        for allow, message in (
            ({"tcp:4444": ["10.0.0.0/8"]}, "not one of the listeners"),
            ({"tcp:33333": ["10.0.0.0/33"]}, "listen.allow.'tcp:33333'[0]"),
            ({"tcp:33333": []}, "a list of networks"),
        ):
            with self.assertRaises(ConfigError) as caught:
                from_dict({"listen": {"tcp": ["tcp:33333"], "allow": allow}})
            self.assertIn(message, str(caught.exception))
