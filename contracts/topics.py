"""Kafka topics: names and partition counts, the one place the code and deploy/k8s agree on."""

from dataclasses import dataclass

__all__ = [
    "ALERTS_REQUESTED",
    "ALERT_COMMANDS",
    "ALERT_DISPATCH",
    "ALERT_EVENTS",
    "ALL_TOPICS",
    "CASES",
    "CASE_COMMANDS",
    "CASE_ERASURES",
    "CASE_KEYS",
    "CASE_REPORTS",
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
# Inputs to an alert's state (acknowledgments, receipts, send results, deadlines), keyed by
# alert id like alerts.requested, so one worker owns all of an alert's changes.
ALERT_COMMANDS = Topic("alerts.commands", partitions=6)
# Messages to send, keyed by alert id; the dispatcher sends and reports back as a command.
ALERT_DISPATCH = Topic("alerts.dispatch", partitions=6)
# Reports re-keyed by linking zone (the province), so one worker sees every open case a report
# could belong to; ops' link and unlink commands share the key and the partition count.
CASE_REPORTS = Topic("cases.reports", partitions=6)
CASE_COMMANDS = Topic("cases.commands", partitions=6)
# Every filing of a report into a case, keyed by case id: the case history ops and audit read.
CASES = Topic("cases", partitions=6)
DEAD_LETTERS = Topic("incidents.deadletter", partitions=1)
IDEMPOTENCY = Topic("intake.idempotency", partitions=1, compacted=True)
# Each case's data keys, wrapped by a KEK, under "<case id>/<key id>"; a tombstone destroys one.
# Every reader replays it whole, so one partition.
CASE_KEYS = Topic("sealing.case-keys", partitions=1, compacted=True)
# Which cases were erased, when and why, under the case id; kept for good.
CASE_ERASURES = Topic("sealing.erasures", partitions=1, compacted=True)

ALL_TOPICS = (
    INCIDENTS,
    ALERTS_REQUESTED,
    ALERT_COMMANDS,
    ALERT_DISPATCH,
    ALERT_EVENTS,
    CASE_REPORTS,
    CASE_COMMANDS,
    CASES,
    DEAD_LETTERS,
    IDEMPOTENCY,
    CASE_KEYS,
    CASE_ERASURES,
)
