"""Creates the contract topics with their partition counts (locally and in tests; Strimzi does it
in a cluster)."""

from contextlib import suppress

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from contracts.topics import ALL_TOPICS, Topic

__all__ = ["ensure_topics"]


def ensure_topics(bootstrap: str, topics: tuple[Topic, ...] = ALL_TOPICS) -> list[str]:
    """Create the missing topics; return the names created."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
    try:
        existing = set(admin.list_topics())
        missing = [topic for topic in topics if topic.name not in existing]
        for topic in missing:
            # Another process may create it between our list and create.
            with suppress(TopicAlreadyExistsError):
                admin.create_topics([_new_topic(topic)])
        return [topic.name for topic in missing]
    finally:
        admin.close()


def _new_topic(topic: Topic) -> NewTopic:
    configs = {"min.insync.replicas": "1"}
    if topic.compacted:
        configs["cleanup.policy"] = "compact"
    return NewTopic(topic.name, topic.partitions, replication_factor=1, topic_configs=configs)
