"""The coverage gauge: counts by kind, refreshed from the clock, no person in a label or a log."""

import logging
from datetime import datetime

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from services.notifier.worker.coverage_watch import CoverageWatch
from services.notifier.worker.metrics import NotifierMetrics
from tests.unit.notifier.builders import VN, roster_data, rosters


def test_the_gauge_counts_findings_by_kind_and_follows_the_clock(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = roster_data()  # every e-mail is @example.invalid: the desk's expiry e-mail fails
    data["agencies"]["health"]["duty"] = {
        "assignments": [
            {"officer": "nurse", "from": "2026-11-30T00:00", "until": "2026-12-28T00:00"}
        ]
    }
    registry = CollectorRegistry()
    metrics = NotifierMetrics(registry)
    now = [datetime(2026, 11, 30, tzinfo=VN)]
    watch = CoverageWatch(rosters(data), metrics.roster_gaps, clock=lambda: now[0])

    def value(kind: str) -> float | None:
        return registry.get_sample_value("safeguard_notifier_roster_gaps", {"kind": kind})

    watch.refresh()
    assert (value("uncovered"), value("no_contact"), value("dead_end")) == (0, 1, 0)
    now[0] = datetime(2026, 12, 20, tzinfo=VN)  # the assignment ends within 14 days
    with caplog.at_level(logging.WARNING):
        watch.refresh()
    assert (value("uncovered"), value("no_contact"), value("dead_end")) == (1, 1, 0)
    exported = generate_latest(registry).decode()
    assert "desk1" not in exported
    assert "health" not in exported.split("safeguard_notifier_roster_gaps", 1)[1][:400]
    assert "uncovered=1, no_contact=1, dead_end=0" in caplog.text
    assert "@" not in caplog.text
    assert "desk1" not in caplog.text
