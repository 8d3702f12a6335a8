"""In-memory ports: the fakes that unit tests give IntakeService in place of Kafka (as httpx
from services.intake import idempotency_store  # noqa: F401
ships MockTransport beside its real transport), and the index the Kafka adapter keeps in
memory while it replays and follows its topic."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from services.intake.idempotency import Record
from services.messaging.acknowledgment import PublishUnavailable

__all__ = ["MemoryEventSink", "MemoryIdempotencyIndex", "StoredEvent"]


@dataclass(frozen=True)
class StoredEvent:
    topic: str
    key: str
    event_type: str
    data: BaseModel
    subject: str | None


class MemoryEventSink:
    """An EventSink keeping events in `stored`. Sends are acknowledged at once, unless
    `hold()` keeps them in flight until `release()`; while `unavailable`, sends fail as they
    would with the broker down."""

    def __init__(self) -> None:
        self.stored: list[StoredEvent] = []
        self.sends = 0
        self.unavailable = False
        self._released = asyncio.Event()
        self._released.set()

    def hold(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def send(
        self, topic: str, key: str, event_type: str, data: BaseModel, subject: str | None = None
    ) -> "asyncio.Task[None]":
        self.sends += 1
        event = StoredEvent(topic, key, event_type, data, subject)
        return asyncio.create_task(self._store(event))

    async def reachable(self) -> bool:
        return not self.unavailable

    async def _store(self, event: StoredEvent) -> None:
        await self._released.wait()
        if self.unavailable:
            raise PublishUnavailable("the in-memory sink is set unavailable")
        self.stored.append(event)


class MemoryIdempotencyIndex:
    """An IdempotencyIndex in a dict: what this process knows, and nothing more."""

    def __init__(self) -> None:
        self._records: dict[str, Record] = {}

    def __len__(self) -> int:
        return len(self._records)

    def find(self, key: str) -> Record | None:
        return self._records.get(key)

    def record(self, keys: Sequence[str], record: Record) -> None:
        for key in keys:
            self._records[key] = record
