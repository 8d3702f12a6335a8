"""Router metrics on a registry passed in. Labels: rule names, categories, reasons — never
incident content."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["RouterMetrics"]


class RouterMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.routed = Counter(
            "safeguard_router_alerts_requested_total",
            "Alert requests emitted, by the rule that chose the agency, category and kind.",
            ["rule", "category", "kind"],
            registry=registry,
        )
        self.incidents = Counter(
            "safeguard_router_incidents_total",
            "Incidents processed, by category and outcome (routed, fallback, duplicate).",
            ["category", "outcome"],
            registry=registry,
        )
        self.triage = Counter(
            "safeguard_router_triage_total",
            "Incidents whose unit code or school id no local agency knows, sent to the duty desk "
            "to sort out, by source system and kind (unknown_unit, unknown_school).",
            ["source", "kind"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "safeguard_router_dead_letters_total",
            "Records sent to the dead-letter topic.",
            ["reason"],
            registry=registry,
        )
        self.latency = Histogram(
            "safeguard_router_processing_seconds",
            "From reading an incident to the broker acknowledging its alert requests.",
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.lag = Gauge(
            "safeguard_router_consumer_lag",
            "Incidents on Kafka not yet processed, per topic partition.",
            ["topic", "partition"],
            registry=registry,
        )
