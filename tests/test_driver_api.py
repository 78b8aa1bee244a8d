"""The event stream: every client gets the same encoded text of a message, and a client that
stops reading is cut off, the others are not."""

import json
from typing import Any

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from ecsta.driver.api import Broadcast, EventStream
from ecsta.driver.connection import Driver
from ecsta.driver.instances import Instances


class FakeWebSocket:
    def __init__(self) -> None:
        self.frames: list[str] = []
        self.closed: int | None = None
        self.producer: Any = None

    @property
    def sent(self) -> list[dict[str, Any]]:
        return [json.loads(frame) for frame in self.frames]

    def sendTextMessage(self, text: str) -> None:
        self.frames.append(text)

    def detachProducer(self) -> None:
        self.producer = None

    def attachProducer(self, producer: Any) -> None:
        self.producer = producer

    def loseConnection(self, code: int = 1000) -> None:
        self.closed = code


class EventStreamTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.driver = Driver(Clock())
        self.broadcast = Broadcast(Instances.of([("", self.driver)]))

    def connect(self, max_queued: int) -> tuple[EventStream, FakeWebSocket]:
        stream = EventStream(self.broadcast, max_queued)
        socket = FakeWebSocket()
        stream.negotiationStarted(socket)  # type: ignore[arg-type]
        stream.negotiationFinished()
        return stream, socket

    def test_every_client_gets_the_same_text_encoded_once(self) -> None:
        _, first = self.connect(10)
        _, second = self.connect(10)
        event = {"msg": "LINE_CALLSTATE", "line": "101", "callInfo": {"callerId": "Zoë"}}
        self.driver.publish([event])
        [one], [other] = first.frames[1:], second.frames[1:]
        self.assertEqual(one.encode(), other.encode())
        self.assertIs(one, other)
        self.assertEqual(json.loads(one), event)

    def test_paused_client_gets_its_backlog_in_order(self) -> None:
        _, socket = self.connect(10)
        socket.producer.pauseProducing()
        self.driver.publish([{"msg": "LINE_CALLSTATE", "n": n} for n in range(5)])
        self.assertEqual([m["msg"] for m in socket.sent], ["HELLO"])
        socket.producer.resumeProducing()
        self.assertEqual([m.get("n") for m in socket.sent[1:]], [0, 1, 2, 3, 4])
        self.assertIsNone(socket.closed)

    def test_client_that_stops_reading_is_disconnected(self) -> None:
        slow, slow_socket = self.connect(3)
        fast, fast_socket = self.connect(3)
        slow_socket.producer.pauseProducing()
        self.driver.publish([{"msg": "LINE_CALLSTATE", "n": n} for n in range(10)])
        self.assertEqual(slow_socket.closed, 1008)
        self.assertEqual(list(self.broadcast.streams), [fast])
        self.assertEqual(slow.queue, type(slow.queue)())
        self.assertEqual([m.get("n") for m in fast_socket.sent[1:]], list(range(10)))

    def test_the_drivers_are_listened_to_only_while_a_client_is_connected(self) -> None:
        stream, _ = self.connect(3)
        self.assertEqual(len(self.driver.subscribers), 1)
        self.connect(3)
        self.assertEqual(len(self.driver.subscribers), 1)
        stream.connectionLost(None)  # type: ignore[arg-type]
        self.assertEqual(len(self.driver.subscribers), 1)
        self.broadcast.discard(next(iter(self.broadcast.streams)))
        self.assertEqual(self.driver.subscribers, [])
