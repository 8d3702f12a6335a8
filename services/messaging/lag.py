"""Consumer-group lag per partition, read from the broker the way an operator's tool does."""

import asyncio

import faust
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from prometheus_client import Gauge

__all__ = ["LagReader", "watch_lag"]


class LagReader:
    """Blocking (kafka-python): call it from a worker thread, never on the event loop."""

    def __init__(self, bootstrap: str, group: str, topic: str) -> None:
        self._group = group
        self.topic = topic
        self._admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)

    def lag(self) -> dict[int, int]:
        numbers = self._consumer.partitions_for_topic(self.topic) or set()
        partitions = [TopicPartition(self.topic, number) for number in sorted(numbers)]
        ends = self._consumer.end_offsets(partitions)
        committed = self._admin.list_consumer_group_offsets(self._group, partitions=partitions)
        return {
            tp.partition: ends[tp]
            - (committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0)
            for tp in partitions
        }

    def close(self) -> None:
        self._consumer.close()
        self._admin.close()


def watch_lag(app: faust.App, bootstrap: str, group: str, topics: list[str], gauge: Gauge) -> None:
    """Set `gauge{topic, partition}` every 10 s from the broker's view of the group."""
    readers: list[LagReader] = []

    @app.timer(interval=10.0)  # type: ignore[untyped-decorator]
    async def measure_lag() -> None:
        if not readers:
            readers.extend(LagReader(bootstrap, group, topic) for topic in topics)
        for reader in readers:
            try:
                lags = await asyncio.to_thread(reader.lag)
            except KafkaError:
                continue  # advisory: a broker hiccup must not stop the worker's timers
            for partition, lag in lags.items():
                gauge.labels(reader.topic, str(partition)).set(lag)
