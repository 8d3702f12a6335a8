"""Real servers for integration tests: a real Kafka broker (started here when `make test` or
CI has not started one) and services run with uvicorn on loopback ports."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.kafka import LocalKafka
from services.messaging.topics_admin import ensure_topics
from tests.integration.servers import BackgroundServer

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# The servers run in threads here, and their Kafka clients draw from the global `random` while
# hypothesis generates a request; hypothesis takes that for a strategy using `random` and the
# test fails, depending on which servers earlier tests left running. No strategy here does.
_THREADS_DRAW_FROM_RANDOM = pytest.mark.filterwarnings(
    "ignore::hypothesis.errors.HypothesisDeprecationWarning"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(_THREADS_DRAW_FROM_RANDOM)


@pytest.fixture(scope="session")
def kafka() -> Iterator[LocalKafka]:
    broker = LocalKafka(
        Path(os.environ.get("SAFEGUARD_TEST_KAFKA_HOME", ROOT / ".var/kafka-test")),
        port=int(os.environ.get("SAFEGUARD_TEST_KAFKA_PORT", "19092")),
        controller_port=int(os.environ.get("SAFEGUARD_TEST_KAFKA_CONTROLLER_PORT", "19093")),
    )
    started_here = broker.running_pid() is None
    if started_here:
        broker.start()
    ensure_topics(broker.bootstrap)
    yield broker
    if started_here and broker.running_pid() is not None:
        broker.stop()


@pytest.fixture(scope="session")
def intake_server(kafka: LocalKafka) -> Iterator[BackgroundServer]:
    from services.intake.bootstrap import build_app
    from services.intake.settings import IntakeSettings

    settings = IntakeSettings(
        kafka_bootstrap=kafka.bootstrap,
        sources_file=ROOT / "config/sources.yaml",
        publish_timeout_seconds=3.0,
        kafka_request_timeout_seconds=5.0,
        auth_failures_burst=100_000,  # the fuzzers send wrong keys on purpose, from one address
    )
    with BackgroundServer(build_app(settings)) as server:
        yield server
