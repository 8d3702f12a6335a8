"""Kafka down means 503 with Retry-After: never 202, never 500, and nothing lost or doubled."""

import httpx

from contracts.topics import INCIDENTS
from devstack.kafka import LocalKafka
from tests.integration.intake.incidents import HELPLINE, new_incident
from tests.integration.kafka_reader import TopicReader
from tests.integration.servers import BackgroundServer


def test_broker_down_gives_503_and_the_retry_lands_once(
    kafka: LocalKafka, intake_server: BackgroundServer
) -> None:
    reader = TopicReader(kafka.bootstrap, INCIDENTS.name)
    before = new_incident()
    during = new_incident()
    url = f"{intake_server.url}/v1/incidents"
    accepted_before = httpx.post(url, json=before, headers=HELPLINE)
    assert accepted_before.status_code == 202

    kafka.stop()
    try:
        refused = httpx.post(url, json=during, headers=HELPLINE, timeout=30)
        assert refused.status_code == 503
        assert int(refused.headers["Retry-After"]) > 0
        assert httpx.get(f"{intake_server.url}/readyz").status_code == 503
    finally:
        kafka.start()

    retried = httpx.post(url, json=during, headers=HELPLINE, timeout=30)
    assert retried.status_code == 202
    ids = {accepted_before.json()["incident_id"], retried.json()["incident_id"]}
    records = reader.read_until(lambda rs: ids <= {r.key for r in rs}, timeout=30)
    reader.read_for(2.0)
    keys = [r.key for r in records]
    assert all(keys.count(incident_id) == 1 for incident_id in ids)
    reader.close()
