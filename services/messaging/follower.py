"""Rebuilds an in-memory model from topics: reads them from the beginning, then follows them.

No consumer group: every replica reads everything, so each holds the whole model. `caught_up`
turns true once the end offsets seen at start are reached (what a readiness probe waits for),
and `wait_for` lets a request wait, bounded, until the model shows something."""

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from contracts import events

__all__ = ["TopicFollower"]

log = logging.getLogger(__name__)

# (record key, ce_type, CloudEvent data)
Apply = Callable[[bytes | None, str, bytes], object]
# (record key) of a tombstone: a record with a key and no value, on a compacted topic
ApplyTombstone = Callable[[bytes], object]


class TopicFollower:
    def __init__(
        self,
        bootstrap: str,
        topics: Sequence[str],
        apply: Apply,
        apply_tombstone: ApplyTombstone | None = None,
    ) -> None:
        self._bootstrap = bootstrap
        self._topics = tuple(topics)
        self._apply = apply
        self._apply_tombstone = apply_tombstone
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._ends: dict[TopicPartition, int] = {}
        self._changed = asyncio.Condition()
        self.caught_up = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self, assignment_timeout: float = 30.0) -> None:
        """Connect and take the end offsets to reach; the reading goes on in the background."""
        # Subscribed without a group, the consumer takes every partition of the topics, also
        # those it learns of late (a topic just created, partitions added).
        consumer = AIOKafkaConsumer(
            *self._topics,
            bootstrap_servers=self._bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        self._consumer = consumer
        partitions = await self._assigned(consumer, assignment_timeout)
        if partitions:
            await consumer.seek_to_beginning(*partitions)
            self._ends = await consumer.end_offsets(partitions)
        self._task = asyncio.create_task(self._follow(consumer))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._consumer is not None:
            await self._consumer.stop()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Whether `predicate` became true within `timeout` seconds of records being read."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
            except TimeoutError:
                return False
        return True

    async def _assigned(self, consumer: AIOKafkaConsumer, timeout: float) -> list[TopicPartition]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            assigned = sorted(consumer.assignment())
            missing = set(self._topics) - {partition.topic for partition in assigned}
            if not missing:
                return assigned
            if asyncio.get_running_loop().time() > deadline:
                log.warning("topics to follow not found", extra={"topics": sorted(missing)})
                return assigned
            await asyncio.sleep(0.1)

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            try:
                batches = await consumer.getmany(timeout_ms=500)
            except KafkaError as error:
                log.warning("reading the topics failed", extra={"error_type": type(error).__name__})
                await asyncio.sleep(1.0)
                continue
            for records in batches.values():
                for record in records:
                    self._read(record)
            if not self.caught_up:
                self.caught_up = await self._reached_ends(consumer)
            async with self._changed:
                self._changed.notify_all()

    def _read(self, record: Any) -> None:  # an aiokafka ConsumerRecord
        if record.value is None and record.key is not None and self._apply_tombstone:
            self._apply_tombstone(record.key)
            return
        try:
            event = events.envelope(list(record.headers), record.value)
        except events.Refused:
            where = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
            log.warning("unreadable record skipped", extra=where)
            return
        self._apply(record.key, event.type, event.data)

    async def _reached_ends(self, consumer: AIOKafkaConsumer) -> bool:
        for partition, end in self._ends.items():
            if await consumer.position(partition) < end:
                return False
        log.info("caught up with the topics", extra={"topics": list(self._topics)})
        return True
