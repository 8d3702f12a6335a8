"""The idempotency index on Kafka: kept in memory, written to a compacted topic, replayed at
start and followed afterwards so that replicas learn each other's reports."""

import asyncio
import logging
from collections.abc import Sequence

from pydantic import BaseModel, ValidationError

from contracts.events import INTAKE_IDEMPOTENCY
from contracts.topics import IDEMPOTENCY
from services.intake.idempotency import Record
from services.intake.memory import MemoryIdempotencyIndex
from services.messaging.follower import TopicFollower
from services.messaging.publisher import EventPublisher

__all__ = ["KafkaIdempotencyIndex"]

log = logging.getLogger(__name__)

REPLAY_TIMEOUT = 120.0


class _RecordBody(BaseModel):
    incident_id: str
    fingerprint: str


class KafkaIdempotencyIndex:
    def __init__(self, bootstrap: str, publisher: EventPublisher) -> None:
        self._known = MemoryIdempotencyIndex()
        self._publisher = publisher
        self._follower = TopicFollower(bootstrap, [IDEMPOTENCY.name], self._apply)

    async def start(self) -> None:
        """Replay the whole topic before returning (a retry must be recognised from the first
        request on), then keep following it."""
        await self._follower.start()
        if not await self._follower.wait_for(lambda: self._follower.caught_up, REPLAY_TIMEOUT):
            log.warning("idempotency index not fully replayed; retries may publish again")

    async def stop(self) -> None:
        await self._follower.stop()

    def __len__(self) -> int:
        return len(self._known)

    def find(self, key: str) -> Record | None:
        return self._known.find(key)

    def record(self, keys: Sequence[str], record: Record) -> None:
        """Publish in the background: the incident is already safe, and a lost record costs
        at most one duplicate event that the router recognises by incident id."""
        self._known.record(keys, record)
        body = _RecordBody(incident_id=record.incident_id, fingerprint=record.fingerprint)
        for key in keys:
            send = self._publisher.send(IDEMPOTENCY.name, key, INTAKE_IDEMPOTENCY, body)
            send.add_done_callback(_log_failure)

    def _apply(self, key: bytes | None, ce_type: str, data: bytes) -> None:
        try:
            body = _RecordBody.model_validate_json(data)
        except ValidationError:
            log.warning("skipping an unreadable idempotency record")
            return
        if key is not None and ce_type == INTAKE_IDEMPOTENCY:
            self._known.record([key.decode()], Record(body.incident_id, body.fingerprint))


def _log_failure(send: "asyncio.Task[None]") -> None:
    if not send.cancelled() and send.exception() is not None:
        log.warning("idempotency record not published", extra={"error_type": "PublishUnavailable"})
