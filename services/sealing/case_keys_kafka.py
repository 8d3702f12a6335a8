"""The case-key store on Kafka: data keys on the compacted sealing.case-keys topic (a
tombstone destroys one), erasures on sealing.erasures; every replica replays both at start and
follows them, with the shared TopicFollower and EventPublisher."""

import logging

from pydantic import BaseModel

from contracts.events import CASE_ERASED, CASE_KEY, Refused, parse
from contracts.sealing import CaseErasedV1, CaseKeyV1
from contracts.topics import CASE_ERASURES, CASE_KEYS
from services.messaging.follower import TopicFollower
from services.messaging.publisher import EventPublisher
from services.sealing.case_keys import IndexedCaseKeys, record_key

__all__ = ["KafkaCaseKeyStore"]

log = logging.getLogger(__name__)


class KafkaCaseKeyStore(IndexedCaseKeys):
    def __init__(
        self, bootstrap: str, publisher: EventPublisher, publish_timeout: float = 10.0
    ) -> None:
        super().__init__()
        self._publisher = publisher
        self._publish_timeout = publish_timeout
        self._follower = TopicFollower(
            bootstrap, [CASE_KEYS.name, CASE_ERASURES.name], self._apply, self._apply_tombstone
        )

    @property
    def caught_up(self) -> bool:
        return self._follower.caught_up

    async def start(self, replay_timeout: float = 120.0) -> bool:
        """Replay both topics; whether it caught up within `replay_timeout` seconds (until then
        an unsealing may find no key, and an erasure made elsewhere may not be known yet)."""
        await self._follower.start()
        caught_up = await self._follower.wait_for(lambda: self._follower.caught_up, replay_timeout)
        if not caught_up:
            log.warning("case keys not fully replayed", extra={"topic": CASE_KEYS.name})
        return caught_up

    async def stop(self) -> None:
        await self._follower.stop()

    async def put(self, key: CaseKeyV1) -> None:
        self._index.refuse_if_erased(key.case_id)
        where = record_key(key.case_id, key.key_id)
        await self._publish(CASE_KEYS.name, where, CASE_KEY, key)
        self._index.remember(key)

    async def erase(self, erasure: CaseErasedV1) -> None:
        # The record first: should a tombstone fail, the case already reads as erased
        # everywhere, and erasing again sends the rest. Erasing again keeps the first date.
        keys = self._index.keys_to_destroy(erasure.case_id)
        if self._index.erasure_of(erasure.case_id) is None:
            await self._publish(CASE_ERASURES.name, erasure.case_id, CASE_ERASED, erasure)
            self._index.record_erasure(erasure)
        for key in keys:
            where = record_key(key.case_id, key.key_id)
            await self._publisher.publish_tombstone(CASE_KEYS.name, where, self._publish_timeout)
            self._index.forget(key.case_id, key.key_id)
        log.info("case erased", extra={"case_id": erasure.case_id, "keys": len(keys)})

    async def _publish(self, topic: str, key: str, event_type: str, data: BaseModel) -> None:
        await self._publisher.publish(topic, key, event_type, data, self._publish_timeout)

    def _apply(self, key: bytes | None, ce_type: str, data: bytes) -> None:
        try:
            event = parse(ce_type, data)
        except Refused as refused:
            log.warning("unreadable sealing record skipped", extra={"reason": refused.reason})
            return
        if isinstance(event, CaseKeyV1):
            self._index.remember(event)
        elif isinstance(event, CaseErasedV1):
            self._index.record_erasure(event)

    def _apply_tombstone(self, key: bytes) -> None:
        case_id, _, key_id = key.decode(errors="replace").partition("/")
        self._index.forget(case_id, key_id)
