"""Why a link is not up, in one line naming the address and the cause, and a refused login
that is not retried faster than a lockout allows."""

from typing import Any

from twisted.internet import defer
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from ecsta.link.service import LinkHealth, PBXClientFactory, pbx_client_service
from ecsta.wire import apdu
from tests.logged import logged_lines
from tests.test_link import LoopbackEndpoint, Switch


class RefusingPBXEndpoint:
    """A PBX host that refuses TCP, shaped as Twisted's own TCP endpoint."""

    def __init__(self) -> None:
        self._host, self._port = "192.0.2.7", 33333

    def connect(self, factory: Any) -> defer.Deferred[Any]:
        return defer.fail(ConnectionRefusedError())


class WrongPassword(Switch):
    def authorize(self, aarq: apdu.AARQ) -> bytes | None:
        return apdu.aare_rejected(1, 13)


class LockedOut(Switch):
    def authorize(self, aarq: apdu.AARQ) -> bytes | None:
        return apdu.aare_rejected(2, 13)


class FailureTests(SynchronousTestCase):
    def test_a_refused_connection_names_the_address_and_since_when(self) -> None:
        lines = logged_lines(self)
        clock = Clock()
        clock.advance(1000)
        health = LinkHealth(clock)
        service = pbx_client_service(
            clock,
            RefusingPBXEndpoint(),  # type: ignore[arg-type]
            PBXClientFactory(clock),
            health=health,
        )
        service.startService()
        clock.advance(5)
        self.assertIn("192.0.2.7:33333: connection refused", lines)
        self.assertEqual(
            (health.last_error, health.since), ("192.0.2.7:33333: connection refused", 1000)
        )
        service.stopService()

    def attempts_against(self, switch: type[Switch], seconds: float) -> tuple[int, LinkHealth]:
        clock = Clock()
        endpoint = LoopbackEndpoint(clock)
        endpoint.server_class = switch
        health = LinkHealth(clock)
        service = pbx_client_service(
            clock,
            endpoint,  # type: ignore[arg-type]
            PBXClientFactory(clock, user="driver", password="wrong"),
            initial_delay=1.0,
            max_delay=60.0,
            health=health,
        )
        service.startService()
        for _ in range(int(seconds)):
            endpoint.flush()
            clock.advance(1)
        service.stopService()
        endpoint.flush()
        return len(endpoint.servers), health

    def test_a_wrong_password_is_named_and_retried_no_faster_than_every_five_minutes(
        self,
    ) -> None:
        lines = logged_lines(self)
        attempts, health = self.attempts_against(WrongPassword, 900)
        assert health.last_error is not None
        self.assertTrue(health.last_error.endswith(": login refused (wrong user or password)"))
        self.assertIn("login refused (wrong user or password)", "\n".join(lines))
        self.assertLessEqual(attempts, 4)

    def test_a_locked_out_host_is_told_so(self) -> None:
        _, health = self.attempts_against(LockedOut, 10)
        assert health.last_error is not None
        self.assertIn("locked out", health.last_error)
