"""A real router worker process on the test broker, with a consumer group of its own."""

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.topics import ALERTS_REQUESTED, INCIDENTS
from devstack.kafka import LocalKafka
from tests.integration.kafka_reader import TopicReader, commit_group_at_end
from tests.integration.processes import ROOT, ServiceProcess
from tests.integration.servers import free_port

RouterFactory = Callable[[str], ServiceProcess]


@pytest.fixture(scope="module")
def router_factory(kafka: LocalKafka, tmp_path_factory: pytest.TempPathFactory) -> RouterFactory:
    """Makes router processes; two made with the same group id are one router restarted."""
    folder = tmp_path_factory.mktemp("router")
    started: set[str] = set()

    def make(group: str) -> ServiceProcess:
        environment = {
            "SAFEGUARD_KAFKA_BOOTSTRAP": kafka.bootstrap,
            "SAFEGUARD_CONFIG_DIR": str(ROOT / "config/dienbien"),
            "SAFEGUARD_ROUTER_APP_ID": group,
            "SAFEGUARD_ROUTER_DATA_DIR": str(folder / group),
            "SAFEGUARD_ROUTER_WEB_PORT": str(free_port()),
        }
        if group not in started:  # a restart must resume where the group stopped
            commit_group_at_end(kafka.bootstrap, group, [INCIDENTS.name])
            started.add(group)
        return ServiceProcess(
            "router",
            environment,
            int(environment["SAFEGUARD_ROUTER_WEB_PORT"]),
            folder / f"{group}.log",
        )

    return make


@pytest.fixture(scope="module")
def router(router_factory: RouterFactory) -> Iterator[ServiceProcess]:
    with router_factory(f"router-test-{uuid.uuid4().hex[:8]}") as process:
        yield process


def log_of(process: ServiceProcess) -> Path:
    return process.log


@pytest.fixture
def alerts_topic(kafka: LocalKafka) -> Any:
    reader = TopicReader(kafka.bootstrap, ALERTS_REQUESTED.name)
    yield reader
    reader.close()
