"""Every metric the alert rules and the Grafana dashboard query is one a service exports:
intake's from a live scrape of the real app on a real broker; the workers' from their metrics
classes rendered on a fresh registry (what their /metrics serves)."""

import importlib
import inspect
from collections.abc import Callable

import httpx
from prometheus_client import CollectorRegistry, generate_latest

from tests.deploy.manifests import ROOT, exported_series, metric_names_in, monitoring_queries
from tests.integration.servers import BackgroundServer

# Series Prometheus makes itself for every target; the rules use `up` to see a service gone.
PROMETHEUS_SERIES = {"up"}
SERVICES = ("intake", "router", "notifier")


def used(service: str) -> dict[str, list[str]]:
    """Metric name -> where it is queried, for the names of one service."""
    names: dict[str, list[str]] = {}
    for where, query in monitoring_queries():
        for name in metric_names_in(query):
            if name.startswith(f"safeguard_{service}_"):
                names.setdefault(name, []).append(where)
    return names


def rendered(module: str, cls: str) -> str:
    metrics: Callable[[CollectorRegistry], object] = getattr(importlib.import_module(module), cls)
    registry = CollectorRegistry()
    metrics(registry)
    return generate_latest(registry).decode()


def rendered_package(package: str) -> str:
    """Every *Metrics class in the package's *metrics* modules (the worker's and, if it has
    its own, the HTTP front's), each on a fresh registry."""
    folder = ROOT / package.replace(".", "/")
    expositions = []
    for path in sorted(folder.rglob("*metrics*.py")):
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and name.endswith("Metrics")
                and value.__module__ == module.__name__
            ):
                expositions.append(rendered(module.__name__, name))
    return "\n".join(expositions)


def assert_exported(service: str, exposition: str) -> None:
    exported = exported_series(exposition)
    missing = {name: where for name, where in used(service).items() if name not in exported}
    assert not missing, f"queried but not exported by {service}: " + "; ".join(
        f"{name} (in {', '.join(where)})" for name, where in sorted(missing.items())
    )


def test_every_queried_metric_belongs_to_a_service() -> None:
    for where, query in monitoring_queries():
        for name in metric_names_in(query):
            assert name in PROMETHEUS_SERIES or any(
                name.startswith(f"safeguard_{service}_") for service in SERVICES
            ), f"{where}: {name!r} is exported by no Safeguard service"


def test_the_rules_and_dashboard_query_each_service() -> None:
    for service in SERVICES:
        assert used(service), f"nothing queries safeguard_{service}_*"


def test_intake_metrics_match_a_live_scrape(intake_server: BackgroundServer) -> None:
    response = httpx.get(f"{intake_server.url}/metrics", timeout=10)
    assert response.status_code == 200
    assert_exported("intake", response.text)


def test_router_metrics_match_what_the_router_exports() -> None:
    assert_exported("router", rendered("services.router.metrics", "RouterMetrics"))


def test_notifier_metrics_match_what_the_notifier_exports() -> None:
    assert_exported("notifier", rendered_package("services.notifier"))
