"""Intake against the real broker: what a 202 promises is really on the incidents topic."""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import jsonschema
import pytest

from contracts import cloudevents
from contracts.incident import IncidentReportedV1, IncidentV1
from contracts.topics import INCIDENTS
from devstack.kafka import LocalKafka
from tests.integration.intake.incidents import HELPLINE, new_incident
from tests.integration.kafka_reader import TopicReader
from tests.integration.servers import BackgroundServer

SCHEMA_FILE = Path(__file__).parents[3] / "contracts/schemas/incident-reported.v1.json"


@pytest.fixture
def incidents_topic(kafka: LocalKafka) -> Iterator[TopicReader]:
    reader = TopicReader(kafka.bootstrap, INCIDENTS.name)
    yield reader
    reader.close()


def post(
    server: BackgroundServer, body: object, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/incidents", json=body, headers=headers or HELPLINE)


def test_an_accepted_incident_is_on_kafka_as_a_cloudevent(
    intake_server: BackgroundServer, incidents_topic: TopicReader
) -> None:
    body = new_incident()
    response = post(intake_server, body)
    assert response.status_code == 202
    incident_id = response.json()["incident_id"]

    records = incidents_topic.read_until(lambda rs: any(r.key == incident_id for r in rs))
    [record] = [r for r in records if r.key == incident_id]
    assert record.headers["ce_type"] == "org.safeguard.incident.reported.v1"
    assert record.headers["ce_specversion"] == "1.0"
    assert record.headers["ce_source"] == "safeguard/intake"
    assert record.headers["ce_subject"] == incident_id
    assert record.headers["ce_id"]
    assert record.headers["ce_time"]
    event = cloudevents.decode(
        list((k, v.encode()) for k, v in record.headers.items()), record.value
    )
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text())).validate(
        json.loads(event.data)
    )
    reported = IncidentReportedV1.model_validate_json(event.data)
    assert reported.incident_id == incident_id
    assert reported.sender == "helpline-111"
    assert reported.incident == IncidentV1.model_validate(body)


def test_a_retry_gets_the_same_id_and_publishes_nothing_new(
    intake_server: BackgroundServer, incidents_topic: TopicReader
) -> None:
    body = new_incident()
    first = post(intake_server, body)
    second = post(intake_server, body)
    by_header = post(
        intake_server, body, {**HELPLINE, "Idempotency-Key": "k-" + body["identifier"]}
    )
    assert first.status_code == second.status_code == by_header.status_code == 202
    incident_id = first.json()["incident_id"]
    assert second.json() == {"incident_id": incident_id, "replay": True, "warnings": []}
    assert by_header.json()["incident_id"] == incident_id

    records = incidents_topic.read_for(3.0)
    assert [r.key for r in records].count(incident_id) == 1


def test_the_same_identifier_with_other_content_is_a_conflict(
    intake_server: BackgroundServer,
) -> None:
    body = new_incident()
    assert post(intake_server, body).status_code == 202
    changed = post(intake_server, {**body, "severity": "Minor"})
    assert changed.status_code == 409
    assert changed.headers["content-type"] == "application/problem+json"


def test_retries_are_recognised_after_an_intake_restart(
    kafka: LocalKafka, intake_server: BackgroundServer, incidents_topic: TopicReader
) -> None:
    from services.intake.bootstrap import build_app
    from services.intake.settings import IntakeSettings

    body = new_incident()
    incident_id = post(intake_server, body).json()["incident_id"]
    settings = IntakeSettings(
        kafka_bootstrap=kafka.bootstrap,
        sources_file=Path(__file__).parents[3] / "config/sources.yaml",
    )
    with BackgroundServer(build_app(settings)) as restarted:
        retry = post(restarted, body)
    assert retry.status_code == 202
    assert retry.json() == {"incident_id": incident_id, "replay": True, "warnings": []}
    records = incidents_topic.read_for(3.0)
    assert [r.key for r in records].count(incident_id) == 1


def test_a_batch_answers_per_item(
    intake_server: BackgroundServer, incidents_topic: TopicReader
) -> None:
    good, bad = new_incident(), new_incident(severity="Apocalyptic")
    response = httpx.post(
        f"{intake_server.url}/v1/incidents:batch", json={"incidents": [good, bad]}, headers=HELPLINE
    )
    assert response.status_code == 207
    first, second = response.json()["results"]
    assert first["status"] == 202
    assert first["incident_id"].startswith("inc_")
    assert second["status"] == 422
    assert [error["path"] for error in second["errors"]] == ["severity"]
    records = incidents_topic.read_until(lambda rs: any(r.key == first["incident_id"] for r in rs))
    assert len([r for r in records if r.key == first["incident_id"]]) == 1


@pytest.mark.parametrize(
    ("headers", "content", "status"),
    [
        ({}, b"{}", 401),
        ({"Authorization": "Bearer wrong"}, b"{}", 401),
        ({"Authorization": "Bearer revoked-key"}, b"{}", 401),
        ({**HELPLINE, "Content-Type": "text/plain"}, b"{}", 415),
        ({**HELPLINE, "Content-Type": "application/json"}, b"{not json", 422),
        ({**HELPLINE, "Content-Type": "application/json"}, b"[" + b" " * 70_000 + b"]", 413),
    ],
)
def test_refusals_are_problems_not_crashes(
    intake_server: BackgroundServer, headers: dict[str, str], content: bytes, status: int
) -> None:
    response = httpx.post(f"{intake_server.url}/v1/incidents", content=content, headers=headers)
    assert response.status_code == status
    assert response.json()["status"] == status


def test_each_bad_field_is_named_by_its_path(intake_server: BackgroundServer) -> None:
    body = new_incident(area={"geocode": "not-a-code"}, child={"age": 30})
    response = post(intake_server, body)
    assert response.status_code == 422
    assert {error["path"] for error in response.json()["errors"]} == {"area.geocode", "child.age"}


def test_values_the_schema_refuses_are_not_coerced(intake_server: BackgroundServer) -> None:
    body = new_incident(child={"age": "9"}, flags={"immediate_danger": "true"}, sent=1795000000)
    response = post(intake_server, body)
    assert response.status_code == 422
    paths = {error["path"] for error in response.json()["errors"]}
    assert paths == {"child.age", "flags.immediate_danger", "sent"}


def test_readiness_and_health(intake_server: BackgroundServer) -> None:
    assert httpx.get(f"{intake_server.url}/healthz").status_code == 200
    assert httpx.get(f"{intake_server.url}/readyz").json() == {"kafka": "reachable"}


def test_a_code_nobody_knows_is_accepted_with_a_warning_and_a_known_one_without(
    intake_server: BackgroundServer,
) -> None:
    body = new_incident()
    body["area"] = {**body["area"], "geocode": "99999"}
    body["child"] = {**body["child"], "school_id": "NO-SUCH-SCHOOL"}

    unknown = post(intake_server, body)
    known = post(intake_server, new_incident())

    assert unknown.status_code == 202
    assert unknown.json()["warnings"] == [
        "unknown unit code 99999: no local agency covers it, the duty desk sorts it",
        "unknown school id NO-SUCH-SCHOOL: the child's school cannot be told, "
        "the duty desk finds it",
    ]
    assert (known.status_code, known.json()["warnings"]) == (202, [])
