"""Notifier worker metrics on a registry passed in. Labels: channels, outcomes, tiers."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["NotifierMetrics"]


class NotifierMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.messages = Counter(
            "safeguard_notifier_messages_total",
            "Messages by channel and outcome (sent, failed, delivered, undelivered).",
            ["channel", "outcome"],
            registry=registry,
        )
        self.escalations = Counter(
            "safeguard_notifier_escalations_total",
            "Alerts escalated to a further tier, and expiries (tier=expired).",
            ["tier"],
            registry=registry,
        )
        self.lateness = Histogram(
            "safeguard_notifier_escalation_lateness_seconds",
            "How long after its deadline an unacknowledged step was escalated.",
            registry=registry,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60),
        )
        self.refused = Counter(
            "safeguard_notifier_refused_inputs_total",
            "Requests and commands the state machine refused (logged with the reason).",
            registry=registry,
        )
        self.dead_letters = Counter(
            "safeguard_notifier_dead_letters_total",
            "Records the worker could not read, set aside on the dead-letter topic, by reason.",
            ["reason"],
            registry=registry,
        )
        self.queue_depth = Gauge(
            "safeguard_notifier_dispatch_queue_depth",
            "Messages waiting to be sent, by priority class.",
            ["priority_class"],
            registry=registry,
        )
        self.dispatch_wait = Histogram(
            "safeguard_notifier_dispatch_wait_seconds",
            "From ready (queued, or its retry time) to its send starting, by priority class.",
            ["priority_class"],
            registry=registry,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
        )
        self.in_flight = Gauge(
            "safeguard_notifier_sends_in_flight",
            "Sends waiting for the gateway's answer, by channel.",
            ["channel"],
            registry=registry,
        )
        self.retries = Counter(
            "safeguard_notifier_retries_scheduled_total",
            "Recoverable failures rescheduled as a new attempt, by channel.",
            ["channel"],
            registry=registry,
        )
        self.sender_rate = Gauge(
            "safeguard_notifier_sender_rate_ratio",
            "A sender's allowed rate as a fraction of its configured rate (below 1: throttled).",
            ["sender"],
            registry=registry,
        )
        self.sender_outcomes = Counter(
            "safeguard_notifier_sender_outcomes_total",
            "What the gateway's answers said about each sender (ok, throttled, queue_full, "
            "failed).",
            ["sender", "outcome"],
            registry=registry,
        )
        self.roster_gaps = Gauge(
            "safeguard_notifier_roster_gaps",
            "Findings of the rosters' coverage check for the next 14 days, by kind (uncovered: "
            "hours with nobody on duty, no_contact: officers unreachable on a tier's channel, "
            "dead_end: hours no tier reaches anyone); `safeguard rosters check` lists them.",
            ["kind"],
            registry=registry,
        )
        self.lag = Gauge(
            "safeguard_notifier_consumer_lag",
            "Records not yet processed, per topic partition.",
            ["topic", "partition"],
            registry=registry,
        )
