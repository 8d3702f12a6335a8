"""Intake metrics on a registry passed in. Labels hold only bounded, operational values."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["IntakeMetrics"]


class IntakeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "safeguard_intake_requests_total",
            "HTTP requests by route template and status code.",
            ["route", "status"],
            registry=registry,
        )
        self.publish_seconds = Histogram(
            "safeguard_intake_publish_seconds",
            "Time from send to the broker's acknowledgment of an incident.",
            registry=registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.accepted = Counter(
            "safeguard_intake_incidents_accepted_total",
            "Incidents durably on Kafka, by category and severity.",
            ["category", "severity"],
            registry=registry,
        )
        self.replays = Counter(
            "safeguard_intake_replays_total",
            "Retried reports answered with the existing incident id.",
            registry=registry,
        )
        self.auth_failures = Counter(
            "safeguard_intake_auth_failures_total",
            "Requests refused for their API key (refused), or unchecked because their address "
            "had too many refused keys (throttled).",
            ["outcome"],
            registry=registry,
        )
        for outcome in ("refused", "throttled"):
            self.auth_failures.labels(outcome)
        self.unavailable = Counter(
            "safeguard_intake_unavailable_total",
            "Incidents refused with 503 because Kafka did not acknowledge in time.",
            registry=registry,
        )
        self.idempotency_records = Gauge(
            "safeguard_intake_idempotency_records",
            "Reports remembered for recognising retries.",
            registry=registry,
        )
