"""The local Prometheus of `make run`, against the real services: it scrapes every one of them
and has the cluster's alert rules loaded, evaluating cleanly."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devstack.prometheus import LocalPrometheus, find_prometheus, rule_groups
from tests.e2e.system import System, wait_for
from tests.integration.servers import free_port


@pytest.fixture(scope="module")
def prometheus(system: System, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = find_prometheus()
    assert binary is not None, "no Prometheus: scripts/install-prometheus unpacks Debian's"
    home = tmp_path_factory.mktemp("prometheus")
    local = LocalPrometheus(
        binary, home, system.scrape_targets(), port=free_port(), interval_seconds=1.0
    )
    with local:
        yield local.url


def api(url: str, path: str) -> Any:
    response = httpx.get(f"{url}/api/v1/{path}", timeout=5)
    response.raise_for_status()
    return response.json()["data"]


def test_every_service_of_the_stack_is_scraped_and_up(prometheus: str, system: System) -> None:
    def all_up() -> list[dict[str, Any]] | None:
        targets: list[dict[str, Any]] = api(prometheus, "targets")["activeTargets"]
        return targets if targets and all(t["health"] == "up" for t in targets) else None

    targets = wait_for(all_up, timeout=30, what="every target up")
    assert {t["labels"]["job"] for t in targets} == {
        "safeguard-intake",
        "safeguard-router",
        "safeguard-notifier",
        "safeguard-notifier-api",
    }
    assert {t["scrapeUrl"] for t in targets} == {
        f"http://{target.address}/metrics" for target in system.scrape_targets()
    }


def loaded_rules(url: str) -> dict[str, dict[str, str]]:
    """Group name -> alert name -> its state, once every rule has been evaluated cleanly."""
    groups: list[dict[str, Any]] = api(url, "rules")["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    if not rules or any(rule["health"] != "ok" for rule in rules):
        return {}
    return {g["name"]: {r["name"]: r["state"] for r in g["rules"]} for g in groups}


def test_the_alert_rules_are_loaded_and_the_down_alerts_stay_quiet(prometheus: str) -> None:
    expected = {
        group["name"]: {rule["alert"] for rule in group["rules"]}
        for group in rule_groups()["groups"]
    }
    loaded = wait_for(lambda: loaded_rules(prometheus) or None, what="every rule evaluated")
    assert {name: set(states) for name, states in loaded.items()} == expected

    # absent(up{job=...} == 1) goes quiet only when a target of that very job is up: this
    # fails if the local job names drift from the ones the rules were written for.
    def down_alerts() -> dict[str, str]:
        states = loaded_rules(prometheus).get("safeguard.availability", {})
        return {name: state for name, state in states.items() if name.endswith("Down")}

    assert len(down_alerts()) == 4
    wait_for(
        lambda: True if set(down_alerts().values()) == {"inactive"} else None,
        what="the Down alerts inactive",
    )
