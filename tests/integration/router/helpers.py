"""Publishing incident records and reading alert requests, for the router tests."""

import copy
import uuid
from collections import defaultdict
from typing import Any

from contracts import cloudevents
from contracts.alert import AlertRequestedV1
from contracts.events import INCIDENT_REPORTED
from contracts.incident import IncidentReportedV1
from contracts.topics import INCIDENTS
from devstack.kafka import LocalKafka
from tests.integration.kafka_reader import Record
from tests.integration.kafka_reader import publish_raw as publish_to


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
    publish_to(kafka.bootstrap, INCIDENTS.name, key, value, headers)


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
    headers, value = cloudevents.encode(type=INCIDENT_REPORTED, source="test", data=event)
    return event.incident_id.encode(), headers, value
