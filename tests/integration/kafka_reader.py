"""Reads records back from a real topic, for assertions on what services published."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata


@dataclass(frozen=True)
class Record:
    key: str
    headers: dict[str, str]
    value: bytes


class TopicReader:
    """Remembers the end of the topic when created; `read` returns what arrived after."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        partitions = self._consumer.partitions_for_topic(topic) or set()
        self._partitions = [TopicPartition(topic, number) for number in sorted(partitions)]
        self._consumer.assign(self._partitions)
        self._consumer.seek_to_end(*self._partitions)
        for partition in self._partitions:
            self._consumer.position(partition)
        self.records: list[Record] = []

    def read_until(
        self, done: Callable[[list[Record]], bool], timeout: float = 20.0
    ) -> list[Record]:
        deadline = time.monotonic() + timeout
        while not done(self.records) and time.monotonic() < deadline:
            for batch in self._consumer.poll(timeout_ms=200).values():
                self.records.extend(
                    Record(
                        key=message.key.decode() if message.key else "",
                        headers={name: raw.decode() for name, raw in message.headers},
                        value=message.value,
                    )
                    for message in batch
                )
        return self.records

    def read_for(self, seconds: float) -> list[Record]:
        return self.read_until(lambda _: False, timeout=seconds)

    def close(self) -> None:
        self._consumer.close()


def commit_group_at_end(bootstrap: str, group: str, topics: list[str]) -> None:
    """Make `group` start after everything already on `topics`, as if it had processed it:
    a fresh worker in a test then ignores what earlier tests left on the shared broker."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    partitions = [
        TopicPartition(topic, number)
        for topic in topics
        for number in sorted(consumer.partitions_for_topic(topic) or set())
    ]
    consumer.assign(partitions)
    consumer.seek_to_end(*partitions)
    offsets = {tp: OffsetAndMetadata(consumer.position(tp), "", -1) for tp in partitions}
    consumer.commit(offsets)
    consumer.close()


def publish_raw(
    bootstrap: str,
    topic: str,
    key: bytes | None,
    value: bytes,
    headers: list[tuple[str, bytes]],
) -> None:
    """One record exactly as given, acknowledged by every in-sync replica."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    producer.send(topic, key=key, value=value, headers=headers).get(timeout=30)
    producer.close()
