"""The notifier API's metrics, on a registry passed in. Labels hold only bounded operational
values: webhook kinds, routes, command types, ack methods, severities, states, agency ids.

What the alerts are (open, overdue, by state, acknowledged, time to acknowledge) is read from
the projection at scrape time: it is rebuilt from the topics, so every replica reports the same
numbers and a restart continues the counters where they were (aggregate replicas with max, not
sum). Nothing is reported while the projection is still replaying, so a half-read history never
looks like a counter reset."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from contracts.incident import Severity
from services.notifier.core.ack import AckMethod
from services.notifier.front.projection import Projection

__all__ = ["TIME_TO_ACK_BUCKETS", "WEBHOOK_KINDS", "ApiMetrics"]

WEBHOOK_KINDS = ("status", "sms", "voice")
TIME_TO_ACK_BUCKETS = (30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 21600.0)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ApiMetrics:
    def __init__(
        self,
        registry: CollectorRegistry,
        projection: Projection | None = None,
        ready: Callable[[], bool] = lambda: True,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.webhooks_rejected = Counter(
            "safeguard_notifier_webhooks_rejected_total",
            "Twilio webhooks refused because X-Twilio-Signature was missing or wrong.",
            ["kind"],
            registry=registry,
        )
        self.webhooks_replayed = Counter(
            "safeguard_notifier_webhooks_replayed_total",
            "Signed Twilio webhooks that repeated one already handled, answered without acting.",
            ["kind"],
            registry=registry,
        )
        for kind in WEBHOOK_KINDS:
            self.webhooks_rejected.labels(kind)
            self.webhooks_replayed.labels(kind)
        self.requests = Counter(
            "safeguard_notifier_api_requests_total",
            "HTTP requests to the notifier API by route template and status code.",
            ["route", "status"],
            registry=registry,
        )
        self.commands = Counter(
            "safeguard_notifier_api_commands_total",
            "Alert commands the API published (outcome published) or could not (unavailable).",
            ["type", "outcome"],
            registry=registry,
        )
        alerts = projection if projection is not None else Projection()  # empty is falsy
        registry.register(_AlertsCollector(alerts, ready, clock))


class _AlertsCollector(Collector):
    def __init__(
        self, projection: Projection, ready: Callable[[], bool], clock: Callable[[], datetime]
    ) -> None:
        self._projection = projection
        self._ready = ready
        self._clock = clock

    def describe(self) -> list[Metric]:
        return []  # computed at scrape time; nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        if not self._ready():
            return
        projection = self._projection
        yield _by_severity(
            "safeguard_notifier_open_alerts",
            "Alerts not acknowledged and still escalating, by incident severity.",
            projection.open_by_severity(),
        )
        yield _by_severity(
            "safeguard_notifier_overdue_alerts",
            "Open alerts past their acknowledgment deadline, by incident severity.",
            projection.overdue_by_severity(self._clock()),
        )
        yield self._by_state()
        yield self._acknowledgments()
        yield self._time_to_acknowledge()

    def _by_state(self) -> Metric:
        family = GaugeMetricFamily(
            "safeguard_notifier_alerts",
            "Alerts by lifecycle state and agency.",
            labels=["state", "agency"],
        )
        for (state, agency), count in sorted(self._projection.by_state_and_agency().items()):
            family.add_metric([state.value, agency], count)
        return family

    def _acknowledgments(self) -> Metric:
        family = CounterMetricFamily(
            "safeguard_notifier_acknowledgments_total",
            "Acknowledged alerts by method, from the acknowledged events on alerts.events.",
            labels=["method"],
        )
        counts = self._projection.acknowledgments_by_method()
        for method in AckMethod:
            family.add_metric([method.value], counts[method])
        return family

    def _time_to_acknowledge(self) -> Metric:
        times = self._projection.times_to_acknowledge()
        buckets = [
            (str(bound), float(sum(1 for t in times if t <= bound)))
            for bound in TIME_TO_ACK_BUCKETS
        ]
        return HistogramMetricFamily(
            "safeguard_notifier_time_to_acknowledge_seconds",
            "From the alert request to its acknowledgment.",
            buckets=[*buckets, ("+Inf", float(len(times)))],
            sum_value=sum(times),
        )


def _by_severity(name: str, documentation: str, counts: dict[Severity, int]) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=["severity"])
    for severity in Severity:
        family.add_metric([severity.value], counts.get(severity, 0))
    return family
