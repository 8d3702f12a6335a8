"""Every alert has a severity Alertmanager routes on and a runbook entry in docs/operations.md;
every rule and dashboard query parses."""

import re

import promql_parser
import pytest

from tests.deploy.manifests import MONITORING, ROOT, kubernetes_objects, monitoring_queries

RUNBOOK = ROOT / "docs/operations.md"


def alerts() -> list[dict[str, object]]:
    return [
        rule
        for rule_file in kubernetes_objects("PrometheusRule", MONITORING)
        for group in rule_file["spec"]["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


@pytest.mark.parametrize("alert", alerts(), ids=lambda alert: str(alert["alert"]))
def test_each_alert_has_a_severity_and_a_runbook_entry(alert: dict[str, object]) -> None:
    name = str(alert["alert"])
    labels = alert["labels"]
    annotations = alert["annotations"]
    assert isinstance(labels, dict)
    assert isinstance(annotations, dict)
    assert labels["severity"] in {"critical", "warning", "info"}
    assert annotations["runbook_url"] == f"docs/operations.md#{name.lower()}"
    headings = re.findall(r"^### (\S+)$", RUNBOOK.read_text(encoding="utf-8"), re.MULTILINE)
    assert name in headings, f"no '### {name}' in docs/operations.md"


def test_the_critical_overdue_alert_watches_extreme_and_severe_alerts() -> None:
    rule = next(a for a in alerts() if a["alert"] == "SafeguardCriticalAlertUnacknowledged")
    assert 'safeguard_notifier_overdue_alerts{severity=~"Extreme|Severe"}' in str(rule["expr"])


@pytest.mark.parametrize(("where", "query"), list(monitoring_queries()))
def test_every_query_parses(where: str, query: str) -> None:
    promql_parser.parse(query)
