"""scripts/validate-k8s passes on the committed manifests and fails on a broken copy of them.

These run the real tools (kustomize, kubernetes-validate, the CRD schemas, promtool, checkov,
hadolint); scripts/install-k8s-tools puts them in .var/tools the first time."""

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.manifests import K8S, ROOT

SCRIPT = ROOT / "scripts/validate-k8s"
Docs = list[dict[str, Any]]


def validate(folder: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] + ([str(folder)] if folder else [])
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def edit(path: Path, change: Callable[[Docs], None]) -> None:
    docs = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    change(docs)
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")


def named(docs: Docs, kind: str, name: str) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def test_the_committed_manifests_are_valid() -> None:
    result = validate()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every overlay and the Dockerfile are valid" in result.stdout


BROKEN = {
    "a KafkaTopic with partitions 'six'": (
        "base/kafka/topics.yaml",
        lambda docs: named(docs, "KafkaTopic", "incidents")["spec"].update(partitions="six"),
        "KafkaTopic/incidents: spec.partitions: 'six' is not of type 'integer'",
    ),
    "a Deployment with replicas 'two'": (
        "base/apps/notifier-api.yaml",
        lambda docs: named(docs, "Deployment", "safeguard-notifier-api")["spec"].update(
            replicas="two"
        ),
        "Deployment/safeguard-notifier-api: Kubernetes 1.33.0: spec.replicas: 'two'",
    ),
    "a misspelt field in a ScaledObject": (
        "base/apps/router.yaml",
        lambda docs: named(docs, "ScaledObject", "safeguard-router")["spec"].update(maxReplicas=6),
        "'maxReplicas' was unexpected",
    ),
    "KEDA allowed past the partitions": (
        "base/apps/notifier.yaml",
        lambda docs: named(docs, "ScaledObject", "safeguard-notifier")["spec"].update(
            maxReplicaCount=12
        ),
        "ScaledObject/safeguard-notifier: maxReplicaCount > the 6 partitions",
    ),
    "an alert rule that does not parse": (
        "base/monitoring/prometheus-rule.yaml",
        lambda docs: docs[0]["spec"]["groups"][0]["rules"][0].update(expr="sum(rate(x[5m])"),
        "promtool check rules",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_copy_fails(case: str, tmp_path: Path) -> None:
    relative, change, message = BROKEN[case]
    copy = tmp_path / "k8s"
    shutil.copytree(K8S, copy, ignore=shutil.ignore_patterns("__pycache__"))
    edit(copy / relative, change)
    result = validate(copy)
    assert result.returncode != 0, result.stdout
    assert message in result.stdout, result.stdout
