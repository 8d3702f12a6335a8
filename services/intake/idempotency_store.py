"""Keeps the idempotency index on a compacted topic: replayed at start, tailed afterwards so
that replicas learn each other's reports."""

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import BaseModel, ValidationError

from contracts import cloudevents
from contracts.topics import IDEMPOTENCY
from services.intake.idempotency import IdempotencyIndex, Record
from services.messaging.publisher import EventPublisher

__all__ = ["IdempotencyStore"]

log = logging.getLogger(__name__)

RECORD_TYPE = "org.safeguard.intake.idempotency.v1"


class _RecordBody(BaseModel):
    incident_id: str
    fingerprint: str


class IdempotencyStore:
    def __init__(self, bootstrap: str, index: IdempotencyIndex, publisher: EventPublisher) -> None:
        self._bootstrap = bootstrap
        self._index = index
        self._publisher = publisher
        self._consumer: AIOKafkaConsumer | None = None
        self._tail: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Replay the whole topic before returning, then keep following it."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
        await consumer.start()
        self._consumer = consumer
        partitions = [
            TopicPartition(IDEMPOTENCY.name, number)
            for number in sorted(consumer.partitions_for_topic(IDEMPOTENCY.name) or {0})
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end_offsets = await consumer.end_offsets(partitions)
        for partition, end in end_offsets.items():
            while await consumer.position(partition) < end:
                await self._consume_batch(consumer)
        self._tail = asyncio.create_task(self._follow(consumer))

    async def stop(self) -> None:
        if self._tail is not None:
            self._tail.cancel()
        if self._consumer is not None:
            await self._consumer.stop()

    def record(self, keys: list[str], record: Record) -> None:
        """Publish in the background: the incident is already safe, and a lost record costs
        at most one duplicate event that the router recognises by incident id."""
        body = _RecordBody(incident_id=record.incident_id, fingerprint=record.fingerprint)
        for key in keys:
            self._index.remember(key, record)
            send = self._publisher.send(IDEMPOTENCY.name, key, RECORD_TYPE, body)
            send.add_done_callback(_log_failure)

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            await self._consume_batch(consumer)

    async def _consume_batch(self, consumer: AIOKafkaConsumer) -> None:
        batches = await consumer.getmany(timeout_ms=500)
        for messages in batches.values():
            for message in messages:
                self._apply(message.key, message.headers, message.value)

    def _apply(self, key: bytes | None, headers: cloudevents.Headers, value: bytes | None) -> None:
        try:
            event = cloudevents.decode(list(headers), value)
            body = _RecordBody.model_validate_json(event.data)
        except (cloudevents.MalformedEvent, ValidationError):
            log.warning("skipping an unreadable idempotency record")
            return
        if key is not None:
            self._index.remember(key.decode(), Record(body.incident_id, body.fingerprint))


def _log_failure(send: "asyncio.Task[None]") -> None:
    if not send.cancelled() and send.exception() is not None:
        log.warning("idempotency record not published", extra={"error_type": "PublishUnavailable"})
