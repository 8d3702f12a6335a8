"""Incidents read together in one batch, from several partitions: each incident's table entry
goes to the changelog partition of its own record (faust writes to the current event's), and a
restarted router recognises every one of them as routed, so a repeated report alerts nobody.
Its own module, so that no other router group runs on the same incidents meanwhile."""

import json
import time
import uuid

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from contracts.topics import INCIDENTS
from devstack.kafka import LocalKafka
from devstack.scenarios import SCENARIOS
from services.messaging.lag import LagReader
from services.router.agents import ROUTED
from tests.integration.kafka_reader import TopicReader
from tests.integration.router.conftest import RouterFactory
from tests.integration.router.helpers import agencies_by_incident, reported_event, unique

Event = tuple[bytes, list[tuple[str, bytes]], bytes]


def test_a_batch_across_partitions_writes_each_entry_to_its_own_partition(
    kafka: LocalKafka, router_factory: RouterFactory, alerts_topic: TopicReader
) -> None:
    group = f"router-batch-{uuid.uuid4().hex[:8]}"
    first = router_factory(group)  # the group starts at the end of what is already there
    records = [reported_event(unique(SCENARIOS[i % len(SCENARIOS)].incident)) for i in range(60)]
    expected = {
        key.decode(): set(SCENARIOS[i % len(SCENARIOS)].agencies)
        for i, (key, _, _) in enumerate(records)
    }
    partitions = _publish(kafka, records)  # all waiting when the router starts: one batch
    assert len(set(partitions.values())) >= 3, "the batch must span several partitions"

    with first:
        alerts_topic.read_until(
            lambda rs: all(agencies_by_incident(rs).get(i) == a for i, a in expected.items()),
            timeout=90,
        )
    found = agencies_by_incident(alerts_topic.records)
    assert {i: found.get(i) for i in expected} == expected
    assert _changelog_partitions(kafka, f"{group}-{ROUTED}-changelog", set(expected)) == partitions

    routed = len(alerts_topic.records)
    _publish(kafka, records)  # every report again, as a source system retrying would
    with router_factory(group):
        _wait_until_committed(kafka, group)
        alerts_topic.read_for(2.0)
    again = agencies_by_incident(alerts_topic.records[routed:])
    assert {i: again[i] for i in expected if i in again} == {}, "a routed incident alerted twice"


def _publish(kafka: LocalKafka, records: list[Event]) -> dict[str, int]:
    """Each record's incident id and the partition it went to."""
    producer = KafkaProducer(bootstrap_servers=kafka.bootstrap, acks="all", linger_ms=20)
    sent = [
        (key, producer.send(INCIDENTS.name, key=key, value=value, headers=headers))
        for key, headers, value in records
    ]
    partitions = {key.decode(): future.get(timeout=30).partition for key, future in sent}
    producer.close()
    return partitions


def _changelog_partitions(kafka: LocalKafka, topic: str, keys: set[str]) -> dict[str, int]:
    """The partition of each of `keys` on the table's changelog."""
    consumer = KafkaConsumer(bootstrap_servers=kafka.bootstrap, enable_auto_commit=False)
    parts = [TopicPartition(topic, n) for n in sorted(consumer.partitions_for_topic(topic) or ())]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    ends = consumer.end_offsets(parts)
    found: dict[str, int] = {}
    deadline = time.monotonic() + 30
    while any(consumer.position(tp) < ends[tp] for tp in parts) and time.monotonic() < deadline:
        for tp, messages in consumer.poll(timeout_ms=500).items():
            for message in messages:
                raw = message.key.decode() if message.key else ""
                key = json.loads(raw) if raw.startswith('"') else raw
                if key in keys:
                    found[key] = tp.partition
    consumer.close()
    return found


def _wait_until_committed(kafka: LocalKafka, group: str, timeout: float = 60.0) -> None:
    lag = LagReader(kafka.bootstrap, group, INCIDENTS.name)
    try:
        deadline = time.monotonic() + timeout
        while sum(lag.lag().values()) > 0:
            assert time.monotonic() < deadline, "the restarted router did not catch up"
            time.sleep(0.5)
    finally:
        lag.close()
