"""Reads the committed manifests and the queries in the alert rules and dashboards."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser
import yaml

__all__ = [
    "K8S",
    "MONITORING",
    "ROOT",
    "exported_series",
    "kubernetes_objects",
    "metric_names_in",
    "monitoring_queries",
]

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy/k8s"
MONITORING = K8S / "base/monitoring"


def kubernetes_objects(kind: str, folder: Path = K8S) -> list[dict[str, Any]]:
    """Every object of `kind` in the YAML files under folder (kustomize's inputs, not rendered)."""
    found: list[dict[str, Any]] = []
    for path in sorted(folder.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and doc.get("kind") == kind:
                found.append(doc)
    return found


def monitoring_queries() -> Iterator[tuple[str, str]]:
    """(where, PromQL) for every alert rule and every dashboard panel query."""
    for rule_file in kubernetes_objects("PrometheusRule", MONITORING):
        for group in rule_file["spec"]["groups"]:
            for rule in group["rules"]:
                yield f"rule {rule.get('alert') or rule.get('record')}", rule["expr"]
    for path in sorted((MONITORING / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
            for target in panel.get("targets", []):
                yield f"{path.name} panel {panel['title']!r}", target["expr"]


def metric_names_in(query: str) -> set[str]:
    """Metric names selected by a PromQL expression, from its syntax tree; a selector without
    a plain name (e.g. {__name__=~"..."}) is reported as the empty string."""
    names: set[str] = set()
    pending: list[Any] = [promql_parser.parse(query)]
    while pending:
        node = pending.pop()
        if isinstance(node, promql_parser.VectorSelector):
            names.add(node.name or "")
            continue
        for attribute in ("lhs", "rhs", "expr", "param", "vector_selector"):
            child = getattr(node, attribute, None)
            if child is not None and not isinstance(child, (str, int, float)):
                pending.append(child)
        pending.extend(getattr(node, "args", None) or [])
    return names


def exported_series(exposition: str) -> set[str]:
    """Series names a Prometheus text exposition offers, including those of labelled metrics
    that have no sample yet: counters as <name>_total, histograms as _bucket, _sum, _count."""
    from prometheus_client.parser import text_string_to_metric_families

    suffixes = {
        "counter": ("_total", "_created"),
        "histogram": ("_bucket", "_sum", "_count", "_created"),
        "summary": ("", "_sum", "_count", "_created"),
        "info": ("_info",),
    }
    names: set[str] = set()
    for family in text_string_to_metric_families(exposition):
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names
