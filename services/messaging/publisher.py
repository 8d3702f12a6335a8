"""The one way services put CloudEvents on Kafka: an idempotent producer with acks=all whose
every send is bounded in time, so a caller can answer "not accepted" instead of hanging."""

import asyncio
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from pydantic import BaseModel

from contracts import cloudevents
from services.messaging.acknowledgment import PublishUnavailable, wait_acknowledged

# PublishUnavailable is re-exported for the callers that import it from here.
__all__ = ["EventPublisher", "PublishUnavailable"]

log = logging.getLogger(__name__)


class EventPublisher:
    def __init__(self, bootstrap: str, source: str, request_timeout: float = 10.0) -> None:
        self._bootstrap = bootstrap
        self._source = source
        self._request_timeout = request_timeout
        self._producer: AIOKafkaProducer | None = None

    @property
    def started(self) -> bool:
        return self._producer is not None

    async def start(self) -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap,
            client_id=self._source,
            enable_idempotence=True,  # implies acks=all
            request_timeout_ms=int(self._request_timeout * 1000),
            linger_ms=2,
        )
        try:
            await producer.start()
        except KafkaError:
            await producer.stop()
            raise
        self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    def send(
        self, topic: str, key: str, event_type: str, data: BaseModel, subject: str | None = None
    ) -> "asyncio.Task[None]":
        """Start sending; the task completes once the broker acknowledged the record.

        A task rather than a coroutine, so that a caller who stops waiting does not cancel the
        send: the record may still land, and a retry must learn that it did.
        """
        if self._producer is None:
            raise PublishUnavailable("not connected to Kafka")
        headers, value = cloudevents.encode(
            type=event_type, source=self._source, data=data, subject=subject
        )
        return asyncio.create_task(self._send_and_wait(self._producer, topic, key, headers, value))

    async def publish(
        self, topic: str, key: str, event_type: str, data: BaseModel, timeout: float
    ) -> None:
        await wait_acknowledged(self.send(topic, key, event_type, data), timeout)

    async def reachable(self, timeout: float = 2.0) -> bool:
        if self._producer is None:
            return False
        try:
            metadata = await asyncio.wait_for(self._producer.client.fetch_all_metadata(), timeout)
        except (TimeoutError, KafkaError):
            return False
        return bool(metadata.brokers())

    @staticmethod
    async def _send_and_wait(
        producer: AIOKafkaProducer,
        topic: str,
        key: str,
        headers: cloudevents.Headers,
        value: bytes,
    ) -> None:
        try:
            await producer.send_and_wait(topic, value=value, key=key.encode(), headers=headers)
        except KafkaError as error:
            raise PublishUnavailable(type(error).__name__) from error
