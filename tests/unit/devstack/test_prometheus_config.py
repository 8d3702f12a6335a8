"""The local Prometheus's configuration: the cluster's rules, a job per service of the stack."""

import re
from pathlib import Path

import pytest

from devstack.prometheus import ScrapeTarget, prometheus_config, rule_groups
from devstack.stack import SERVICES, scrape_targets


def test_the_stack_scrapes_exactly_the_jobs_the_availability_rules_watch() -> None:
    expressions = [rule["expr"] for group in rule_groups()["groups"] for rule in group["rules"]]
    watched = {job for expr in expressions for job in re.findall(r'up\{job="([^"]+)"', expr)}
    assert len(watched) == 4
    assert {target.job for target in scrape_targets()} == watched


def test_each_target_is_the_loopback_address_its_service_announces() -> None:
    targets = {target.job: target.address for target in scrape_targets()}
    assert targets["safeguard-intake"] == "127.0.0.1:8000"
    assert targets["safeguard-notifier-api"] == "127.0.0.1:8001"
    assert targets["safeguard-router"] == "127.0.0.1:9101"
    announced = " ".join(service.url for service in SERVICES)
    assert all(f"http://{address}/" in announced for address in targets.values())


def test_the_rules_file_keeps_every_group_and_alert_of_the_prometheus_rule() -> None:
    groups = rule_groups()["groups"]
    assert [group["name"] for group in groups] == ["safeguard.alerting", "safeguard.availability"]
    alerts = [rule["alert"] for group in groups for rule in group["rules"]]
    assert len(alerts) == len(set(alerts)) > 10
    assert "SafeguardCriticalAlertUnacknowledged" in alerts


def test_the_config_has_one_job_per_target_and_the_rules_file() -> None:
    targets = [ScrapeTarget("a", "127.0.0.1:1"), ScrapeTarget("b", "127.0.0.1:2")]
    config = prometheus_config(targets, Path("/tmp/rules.yaml"), interval_seconds=1.5)
    assert config["global"] == {"scrape_interval": "1500ms", "evaluation_interval": "1500ms"}
    assert config["rule_files"] == ["/tmp/rules.yaml"]
    assert config["scrape_configs"] == [
        {"job_name": "a", "static_configs": [{"targets": ["127.0.0.1:1"]}]},
        {"job_name": "b", "static_configs": [{"targets": ["127.0.0.1:2"]}]},
    ]


def test_a_relative_rules_file_is_refused_since_prometheus_would_look_beside_its_config() -> None:
    with pytest.raises(ValueError, match="absolute"):
        prometheus_config([], Path(".var/prometheus/rules.yaml"), interval_seconds=5)
