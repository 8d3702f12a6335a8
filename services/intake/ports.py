"""What intake needs from the outside world, each behind a narrow port. The Kafka adapters are
`services.messaging.publisher.EventPublisher` and `services.intake.idempotency_store`; the
in-memory ones are in `services.intake.memory`."""

import asyncio
from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel

from services.intake.idempotency import Record

__all__ = ["EventSink", "IdempotencyIndex"]


class EventSink(Protocol):
    def send(
        self, topic: str, key: str, event_type: str, data: BaseModel, subject: str | None = None
    ) -> "asyncio.Task[None]":
        """Start putting one event durably; the task completes once it is durable, or fails
        with PublishUnavailable (so may this call, when the sink is not connected).

        A task rather than a coroutine, so that a caller who stops waiting does not cancel the
        send: the event may still land, and a retry must learn that it did.
        """
        ...


class IdempotencyIndex(Protocol):
    """The reports already durably published, by idempotency key."""

    def __len__(self) -> int: ...

    def find(self, key: str) -> Record | None: ...

    def record(self, keys: Sequence[str], record: Record) -> None:
        """Remember a published report under each of its keys, from now on."""
        ...
