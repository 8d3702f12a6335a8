"""The router on real Kafka: incidents in through intake, alert requests out, checked against
the Điện Biên scenario table; poison records, duplicates and restarts."""

from collections import defaultdict

import httpx

from contracts.alert import AlertRequestedV1
from contracts.deadletter import DeadLetterV1
from contracts.topics import DEAD_LETTERS, INCIDENTS
from devstack.kafka import LocalKafka
from devstack.scenarios import SCENARIOS
from services.router.routing import route
from tests.integration.intake.incidents import HELPLINE
from tests.integration.kafka_reader import TopicReader
from tests.integration.processes import ServiceProcess
from tests.integration.router.helpers import (
    agencies_by_incident,
    alert_requests,
    publish_raw,
    reported_event,
    unique,
)
from tests.integration.servers import BackgroundServer
from tests.unit.router.builders import NOW, reported, sample


def test_every_scenario_reaches_exactly_its_agencies(
    router: ServiceProcess, intake_server: BackgroundServer, alerts_topic: TopicReader
) -> None:
    expected: dict[str, frozenset[str]] = {}
    reasons: dict[str, set[str | None]] = {}
    directory, rules = sample()
    for scenario in SCENARIOS:
        response = httpx.post(
            f"{intake_server.url}/v1/incidents", json=unique(scenario.incident), headers=HELPLINE
        )
        assert response.status_code == 202, scenario.name
        expected[response.json()["incident_id"]] = scenario.agencies
        decisions = route(reported(scenario.incident), directory, rules, NOW)
        reasons[response.json()["incident_id"]] = {d.place_reason for d in decisions}
    records = alerts_topic.read_until(
        lambda rs: all(agencies_by_incident(rs).get(i) == set(a) for i, a in expected.items()),
        timeout=60,
    )
    alerts_topic.read_for(2.0)
    found = agencies_by_incident(records)
    assert {i: found.get(i) for i in expected} == {i: set(a) for i, a in expected.items()}
    found_reasons: dict[str, set[str | None]] = defaultdict(set)
    for request in alert_requests(records):
        found_reasons[request.incident_id].add(request.place_reason)
    assert {i: found_reasons[i] for i in expected} == reasons  # pre-2025 and unknown codes
    assert sum(texts != {None} for texts in reasons.values()) >= 3
    record = records[0]
    assert record.headers["ce_type"] == "org.safeguard.alert.requested.v1"
    request = AlertRequestedV1.model_validate_json(record.value)
    assert record.key == request.alert_id
    assert request.rule_path
    assert request.rules_version


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
    assert letter.reason.startswith("not a CloudEvent")
    assert letter.original_topic == INCIDENTS.name
    routed = alerts_topic.read_until(
        lambda rs: key.decode() in agencies_by_incident(rs), timeout=60
    )
    assert agencies_by_incident(routed)[key.decode()] == set(SCENARIOS[12].agencies)
    assert 'safeguard_router_dead_letters_total{reason="malformed_envelope"}' in router.metrics()
    dead_letters.close()


def test_an_unknown_unit_code_and_school_reach_the_duty_desk_and_are_counted_by_source(
    kafka: LocalKafka, router: ServiceProcess, alerts_topic: TopicReader
) -> None:
    body = unique(SCENARIOS[2].incident)
    body["area"] = {**body["area"], "geocode": "99999"}
    body["child"] = {**body["child"], "school_id": "NO-SUCH-SCHOOL"}
    key, headers, value = reported_event(body)
    publish_raw(kafka, key, value, headers)

    routed = alerts_topic.read_until(
        lambda rs: "duty-desk" in agencies_by_incident(rs).get(key.decode(), set()), timeout=60
    )
    requests = [r for r in alert_requests(routed) if r.incident_id == key.decode()]
    desk = [r for r in requests if r.agency_id == "duty-desk"]
    assert desk
    assert desk[0].place_reason
    assert "unknown unit code 99999" in desk[0].place_reason
    assert "unknown school id NO-SUCH-SCHOOL" in desk[0].place_reason
    metrics = router.metrics()
    for kind in ("unknown_unit", "unknown_school"):
        assert f'safeguard_router_triage_total{{kind="{kind}",source="helpline-111"}}' in metrics
