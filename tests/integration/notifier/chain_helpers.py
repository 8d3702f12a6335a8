"""Posting incidents into the chain and watching what reaches phones, mailboxes and Kafka."""

import copy
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from contracts.topics import ALERT_EVENTS
from devstack.kafka import LocalKafka
from services.router.routing import alert_id
from tests.integration.intake.incidents import HELPLINE
from tests.integration.kafka_reader import TopicReader
from tests.integration.servers import BackgroundServer

T = TypeVar("T")


def post_incident(intake: BackgroundServer, body: dict[str, Any]) -> tuple[str, str]:
    """Post a copy of `body` under a fresh identifier; return its incident id and reference."""
    body = copy.deepcopy(body)
    body["identifier"] = f"E2E-{uuid.uuid4().hex[:10]}"
    response = httpx.post(f"{intake.url}/v1/incidents", json=body, headers=HELPLINE)
    assert response.status_code == 202, response.text
    incident_id: str = response.json()["incident_id"]
    return incident_id, "SG-" + incident_id.removeprefix("inc_")[:8].upper()


def wait_for(probe: Callable[[], T | None], timeout: float = 30.0, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := probe()) is not None:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or probe}")


def inbox(standin: BackgroundServer, phone: str, reference: str) -> list[dict[str, Any]]:
    messages = httpx.get(f"{standin.url}/_standin/inbox/{phone}").json()
    return [m for m in messages if reference in m["body"]]


def sms(
    standin: BackgroundServer, phone: str, reference: str, count: int = 1, timeout: float = 30.0
) -> list[dict[str, Any]]:
    return wait_for(
        lambda: found if len(found := inbox(standin, phone, reference)) >= count else None,
        timeout,
        f"{count} SMS for {reference} at {phone}",
    )


def calls(standin: BackgroundServer, phone: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = httpx.get(
        f"{standin.url}/_standin/calls", params={"to": phone}
    ).json()
    return result


class AlertEvents:
    """The audit trail of alerts.events, read from the moment it was created."""

    def __init__(self, kafka: LocalKafka) -> None:
        self._reader = TopicReader(kafka.bootstrap, ALERT_EVENTS.name)

    def of(self, incident_id: str, agency_id: str) -> list[dict[str, Any]]:
        import json

        wanted = alert_id(incident_id, agency_id)
        return [json.loads(r.value) for r in self._reader.records if r.key == wanted]

    def wait(
        self, incident_id: str, agency_id: str, event_type: str, timeout: float = 30.0
    ) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            self._reader.read_for(0.2)
            return next(
                (e for e in self.of(incident_id, agency_id) if e["type"] == event_type), None
            )

        return wait_for(probe, timeout, f"{event_type} for {agency_id}")

    def close(self) -> None:
        self._reader.close()
