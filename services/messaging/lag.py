"""Consumer-group lag per partition, read from the broker the way an operator's tool does."""

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

__all__ = ["LagReader"]


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
