"""The event stream's bound: a client that stops reading is cut off, the others are not."""

import json
from typing import Any

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.api import EventStream
from ecsta.driver.connection import Driver


class FakeWebSocket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.closed: int | None = None
        self.producer: Any = None

    def sendTextMessage(self, text: str) -> None:
        self.sent.append(json.loads(text))

    def detachProducer(self) -> None:
        self.producer = None

    def attachProducer(self, producer: Any) -> None:
        self.producer = producer

    def loseConnection(self, code: int = 1000) -> None:
        self.closed = code


class EventStreamTests(SynchronousTestCase):
    def connect(self, driver: Driver, max_queued: int) -> tuple[EventStream, FakeWebSocket]:
        stream = EventStream(driver, max_queued)
        socket = FakeWebSocket()
        stream.negotiationStarted(socket)  # type: ignore[arg-type]
        stream.negotiationFinished()
        return stream, socket

    def test_paused_client_gets_its_backlog_in_order(self) -> None:
        driver = Driver(Clock())
        _, socket = self.connect(driver, 10)
        socket.producer.pauseProducing()
        driver.publish([{"msg": "LINE_CALLSTATE", "n": n} for n in range(5)])
        self.assertEqual([m["msg"] for m in socket.sent], ["HELLO"])
        socket.producer.resumeProducing()
        self.assertEqual([m.get("n") for m in socket.sent[1:]], [0, 1, 2, 3, 4])
        self.assertIsNone(socket.closed)

    def test_client_that_stops_reading_is_disconnected(self) -> None:
        driver = Driver(Clock())
        slow, slow_socket = self.connect(driver, 3)
        _, fast_socket = self.connect(driver, 3)
        slow_socket.producer.pauseProducing()
        driver.publish([{"msg": "LINE_CALLSTATE", "n": n} for n in range(10)])
        self.assertEqual(slow_socket.closed, 1008)
        self.assertNotIn(slow.send, driver.subscribers)
        self.assertEqual(slow.queue, type(slow.queue)())
        self.assertEqual([m.get("n") for m in fast_socket.sent[1:]], list(range(10)))
