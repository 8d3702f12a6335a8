"""The KafkaTopics in deploy/k8s agree with contracts/topics.py, read at test time: names,
partitions and compaction; the workers' changelog topics are compacted and partitioned like
their source; KEDA never scales past a topic's partitions."""

import importlib
from types import ModuleType
from typing import Any

import pytest

from tests.deploy.manifests import K8S, kubernetes_objects

# faust app id -> the topic its table is partitioned like (the faust agent's source topic).
CHANGELOG_SOURCES = {
    "safeguard-router": "incidents",
    "safeguard-notifier": "alerts.requested",
}


def contract_topics() -> ModuleType:
    return importlib.import_module("contracts.topics")


def deployed() -> dict[str, dict[str, Any]]:
    topics: dict[str, dict[str, Any]] = {}
    for topic in kubernetes_objects("KafkaTopic"):
        name = topic["spec"].get("topicName", topic["metadata"]["name"])
        assert name not in topics, f"KafkaTopic {name} is declared twice"
        topics[name] = topic["spec"]
    return topics


def compacted(spec: dict[str, Any]) -> bool:
    return "compact" in str(spec.get("config", {}).get("cleanup.policy", "delete"))


def test_every_contract_topic_is_deployed_with_its_partitions_and_compaction() -> None:
    topics = deployed()
    for topic in contract_topics().ALL_TOPICS:
        assert topic.name in topics, f"no KafkaTopic for {topic.name}"
        spec = topics[topic.name]
        assert spec["partitions"] == topic.partitions, topic.name
        assert compacted(spec) == topic.compacted, topic.name


def test_every_deployed_topic_is_a_contract_topic_or_a_changelog() -> None:
    contract = {topic.name: topic for topic in contract_topics().ALL_TOPICS}
    for name, spec in deployed().items():
        if name in contract:
            continue
        app = next((app for app in CHANGELOG_SOURCES if name.startswith(f"{app}-")), None)
        assert app is not None, f"{name}: not in contracts"
        assert name.endswith("-changelog"), f"{name}: not in contracts"
        assert compacted(spec), f"{name}: a changelog must be compacted"
        source = contract[CHANGELOG_SOURCES[app]]
        assert spec["partitions"] == source.partitions, f"{name}: partitions != {source.name}"


def test_each_worker_has_a_changelog_topic() -> None:
    names = deployed()
    for app in CHANGELOG_SOURCES:
        assert any(name.startswith(f"{app}-") and name.endswith("-changelog") for name in names)


def test_replication_allows_one_broker_down_in_the_base() -> None:
    for name, spec in deployed().items():
        assert spec["replicas"] == 3, name
        assert int(spec["config"]["min.insync.replicas"]) == 2, name


def test_overlays_do_not_change_topic_names_or_partitions() -> None:
    for kustomization in (K8S / "overlays").rglob("kustomization.yaml"):
        text = kustomization.read_text(encoding="utf-8")
        assert "/spec/partitions" not in text, kustomization
        assert "/spec/topicName" not in text, kustomization


@pytest.mark.parametrize(
    "scaled", kubernetes_objects("ScaledObject"), ids=lambda s: s["metadata"]["name"]
)
def test_keda_scales_on_deployed_topics_and_stops_at_their_partitions(
    scaled: dict[str, Any],
) -> None:
    partitions = {topic.name: topic.partitions for topic in contract_topics().ALL_TOPICS}
    for trigger in scaled["spec"]["triggers"]:
        metadata = trigger["metadata"]
        assert trigger["type"] == "kafka"
        assert metadata["consumerGroup"] in CHANGELOG_SOURCES
        assert metadata["topic"] in partitions, metadata["topic"]
        assert scaled["spec"]["maxReplicaCount"] <= partitions[metadata["topic"]]
        assert all(isinstance(value, str) for value in metadata.values())
