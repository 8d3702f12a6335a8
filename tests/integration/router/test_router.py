"""The router on real Kafka: incidents in through intake, alert requests out, checked against
the Điện Biên scenario table; poison records, duplicates and restarts."""

import copy
import uuid
from collections import defaultdict
from typing import Any

import httpx
import pytest

from contracts import cloudevents
from contracts.alert import AlertRequestedV1
from contracts.deadletter import DeadLetterV1
from contracts.incident import IncidentReportedV1
from contracts.topics import ALERTS_REQUESTED, DEAD_LETTERS, INCIDENTS
from devstack.kafka import LocalKafka
from services.intake.service import INCIDENT_REPORTED_TYPE
from tests.integration.intake.incidents import HELPLINE
from tests.integration.kafka_reader import Record, TopicReader
from tests.integration.processes import ServiceProcess
from tests.integration.router.conftest import RouterFactory
from tests.integration.servers import BackgroundServer
from tests.unit.router.scenarios import SCENARIOS


def alert_requests(records: list[Record]) -> list[AlertRequestedV1]:
    return [AlertRequestedV1.model_validate_json(r.value) for r in records]


def agencies_by_incident(records: list[Record]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for request in alert_requests(records):
        found[request.incident_id].add(request.agency_id)
    return found


def unique(body: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    body["identifier"] = f"{body['identifier']}-{uuid.uuid4().hex[:8]}"
    return body


def publish_raw(
    kafka: LocalKafka, key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]
) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=kafka.bootstrap, acks="all")
    producer.send(INCIDENTS.name, key=key, value=value, headers=headers).get(timeout=30)
    producer.close()


def reported_event(
    incident: dict[str, Any], incident_id: str | None = None
) -> tuple[bytes, list[tuple[str, bytes]], bytes]:
    event = IncidentReportedV1.model_validate(
        {
            "incident_id": incident_id or "inc_" + uuid.uuid4().hex,
            "sender": "helpline-111",
            "received_at": "2026-11-29T01:15:02Z",
            "incident": incident,
        }
    )
    headers, value = cloudevents.encode(type=INCIDENT_REPORTED_TYPE, source="test", data=event)
    return event.incident_id.encode(), headers, value


@pytest.fixture
def alerts_topic(kafka: LocalKafka) -> Any:
    reader = TopicReader(kafka.bootstrap, ALERTS_REQUESTED.name)
    yield reader
    reader.close()


def test_every_scenario_reaches_exactly_its_agencies(
    router: ServiceProcess, intake_server: BackgroundServer, alerts_topic: TopicReader
) -> None:
    expected: dict[str, frozenset[str]] = {}
    for scenario in SCENARIOS:
        response = httpx.post(
            f"{intake_server.url}/v1/incidents", json=unique(scenario.incident), headers=HELPLINE
        )
        assert response.status_code == 202, scenario.name
        expected[response.json()["incident_id"]] = scenario.agencies
    records = alerts_topic.read_until(
        lambda rs: all(agencies_by_incident(rs).get(i) == a for i, a in expected.items()),
        timeout=60,
    )
    alerts_topic.read_for(2.0)
    found = agencies_by_incident(records)
    assert {i: found.get(i) for i in expected} == {i: set(a) for i, a in expected.items()}
    record = records[0]
    assert record.headers["ce_type"] == "org.safeguard.alert.requested.v1"
    request = AlertRequestedV1.model_validate_json(record.value)
    assert record.key == request.alert_id and request.rule_path and request.rules_version


def test_a_duplicate_event_alerts_nobody_twice_and_an_update_is_an_update(
    kafka: LocalKafka, router: ServiceProcess, alerts_topic: TopicReader
) -> None:
    incident = unique(SCENARIOS[2].incident)
    key, headers, value = reported_event(incident)
    publish_raw(kafka, key, value, headers)
    publish_raw(kafka, key, value, headers)  # intake crashed after publishing: a second copy
    changed = {**incident, "severity": "Severe"}
    _, headers2, value2 = reported_event(changed, key.decode())
    publish_raw(kafka, key, value2, headers2)

    records = alerts_topic.read_until(
        lambda rs: len(rs) >= 2 * len(SCENARIOS[2].agencies), timeout=60
    )
    records = alerts_topic.read_for(3.0)
    requests = [r for r in alert_requests(records) if r.incident_id == key.decode()]
    kinds: dict[str, list[str]] = defaultdict(list)
    for request in requests:
        kinds[request.agency_id].append(request.kind.value)
    assert {a: kinds[a] for a in SCENARIOS[2].agencies} == {
        a: ["new", "update"] for a in SCENARIOS[2].agencies
    }


def test_a_poison_record_goes_to_the_dead_letters_and_the_stream_goes_on(
    kafka: LocalKafka, router: ServiceProcess, alerts_topic: TopicReader
) -> None:
    dead_letters = TopicReader(kafka.bootstrap, DEAD_LETTERS.name)
    publish_raw(kafka, b"poison", b"\xff not json", [])
    key, headers, value = reported_event(unique(SCENARIOS[12].incident))
    publish_raw(kafka, key, value, headers)

    letters = dead_letters.read_until(lambda rs: any(r.key == "poison" for r in rs), timeout=60)
    letter = DeadLetterV1.model_validate_json(next(r for r in letters if r.key == "poison").value)
    assert letter.reason.startswith("not a CloudEvent") and letter.original_topic == INCIDENTS.name
    routed = alerts_topic.read_until(
        lambda rs: key.decode() in agencies_by_incident(rs), timeout=60
    )
    assert agencies_by_incident(routed)[key.decode()] == set(SCENARIOS[12].agencies)
    assert 'safeguard_router_dead_letters_total{reason="malformed_envelope"}' in router.metrics()
    dead_letters.close()


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
