"""A router restarted, gently or by SIGKILL, loses no incident: its own module, so that no
other router group is running on the same incidents meanwhile."""

import uuid

import pytest

from devstack.kafka import LocalKafka
from devstack.scenarios import SCENARIOS
from tests.integration.kafka_reader import TopicReader
from tests.integration.router.conftest import RouterFactory
from tests.integration.router.helpers import (
    agencies_by_incident,
    alert_requests,
    publish_raw,
    reported_event,
    unique,
)


@pytest.mark.parametrize("stop", ["sigterm", "sigkill"])
def test_a_restarted_router_loses_nothing(
    kafka: LocalKafka, router_factory: RouterFactory, alerts_topic: TopicReader, stop: str
) -> None:
    group = f"router-restart-{uuid.uuid4().hex[:8]}"
    first = router_factory(group)
    first.start()
    sent: dict[str, frozenset[str]] = {}

    def post(count: int) -> None:
        for index in range(count):
            scenario = SCENARIOS[index % len(SCENARIOS)]
            key, headers, value = reported_event(unique(scenario.incident))
            publish_raw(kafka, key, value, headers)
            sent[key.decode()] = scenario.agencies

    post(10)
    first.kill() if stop == "sigkill" else first.stop()
    post(10)  # while no router runs
    with router_factory(group):
        records = alerts_topic.read_until(
            lambda rs: all(agencies_by_incident(rs).get(i) == set(a) for i, a in sent.items()),
            timeout=90,
        )
    found = agencies_by_incident(records)
    assert {i: found.get(i) for i in sent} == {i: set(a) for i, a in sent.items()}
    ids = [r.alert_id for r in alert_requests(records) if r.incident_id in sent]
    expected_total = sum(len(a) for a in sent.values())
    assert len(set(ids)) == expected_total
    if stop == "sigterm":
        assert len(ids) == expected_total, "a clean stop must not repeat an alert request"
