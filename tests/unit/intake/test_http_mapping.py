"""The HTTP layer on the in-memory ports, in process: what each outcome of IntakeService
becomes on the wire (the same app runs on Kafka in tests/integration/intake)."""

from collections.abc import AsyncIterator
from contextlib import nullcontext

import httpx
import pytest
from prometheus_client import CollectorRegistry

from services.intake.app import IntakeParts, create_app
from services.intake.memory import MemoryEventSink, MemoryIdempotencyIndex
from services.intake.metrics import IntakeMetrics
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from services.intake.sources import ApiKey, Source, SourceRegistry, hash_key
from tests.unit.contracts.samples import SAMPLES

HEADERS = {"Authorization": "Bearer unit-key"}
SETTINGS = IntakeSettings(retry_after_seconds=7)


@pytest.fixture
def sink() -> MemoryEventSink:
    return MemoryEventSink()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def client(
    sink: MemoryEventSink, registry: CollectorRegistry
) -> AsyncIterator[httpx.AsyncClient]:
    metrics = IntakeMetrics(registry)
    source = Source(id="helpline-111", name="unit", keys=(ApiKey(sha256=hash_key("unit-key")),))
    parts = IntakeParts(
        service=IntakeService(sink, MemoryIdempotencyIndex(), metrics, publish_timeout=1.0),
        sources=SourceRegistry([source]),
        metrics=metrics,
        registry=registry,
        ready=sink.reachable,
        connected=nullcontext,
    )
    transport = httpx.ASGITransport(app=create_app(SETTINGS, parts))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        yield client


async def test_accepted_then_replayed_with_the_same_id(
    client: httpx.AsyncClient, sink: MemoryEventSink
) -> None:
    first = await client.post("/v1/incidents", json=SAMPLES["incident.v1"], headers=HEADERS)
    retry = await client.post("/v1/incidents", json=SAMPLES["incident.v1"], headers=HEADERS)

    assert (first.status_code, first.json()["replay"]) == (202, False)
    assert retry.status_code == 202
    assert retry.json() == {
        "incident_id": first.json()["incident_id"],
        "replay": True,
        "warnings": [],
    }
    assert len(sink.stored) == 1


async def test_other_content_under_the_same_identifier_is_409(client: httpx.AsyncClient) -> None:
    await client.post("/v1/incidents", json=SAMPLES["incident.v1"], headers=HEADERS)
    changed = {**SAMPLES["incident.v1"], "severity": "Minor"}

    response = await client.post("/v1/incidents", json=changed, headers=HEADERS)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert '"refers_to"' in response.json()["detail"]  # how to add to a report without re-alerting


async def test_an_unavailable_sink_is_503_with_retry_after_and_not_ready(
    client: httpx.AsyncClient, sink: MemoryEventSink, registry: CollectorRegistry
) -> None:
    sink.unavailable = True

    response = await client.post("/v1/incidents", json=SAMPLES["incident.v1"], headers=HEADERS)

    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert registry.get_sample_value("safeguard_intake_unavailable_total") == 1
    assert (await client.get("/readyz")).status_code == 503
