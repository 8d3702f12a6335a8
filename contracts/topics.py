"""Kafka topics: names and partition counts, the one place the code and deploy/k8s agree on."""

from dataclasses import dataclass

__all__ = [
    "ALERTS_REQUESTED",
    "ALERT_EVENTS",
    "ALL_TOPICS",
    "DEAD_LETTERS",
    "IDEMPOTENCY",
    "INCIDENTS",
    "Topic",
]


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    compacted: bool = False


INCIDENTS = Topic("incidents", partitions=6)
ALERTS_REQUESTED = Topic("alerts.requested", partitions=6)
ALERT_EVENTS = Topic("alerts.events", partitions=6)
DEAD_LETTERS = Topic("incidents.deadletter", partitions=1)
IDEMPOTENCY = Topic("intake.idempotency", partitions=1, compacted=True)

ALL_TOPICS = (INCIDENTS, ALERTS_REQUESTED, ALERT_EVENTS, DEAD_LETTERS, IDEMPOTENCY)
