"""IntakeService on the in-memory ports: accept, replay, conflict, in-flight join, and a sink
that does not have the incident in time."""

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from contracts.events import INCIDENT_REPORTED
from contracts.incident import IncidentReportedV1, IncidentV1
from contracts.topics import INCIDENTS
from services.intake.idempotency import Record, fingerprint, idempotency_key, incident_id_for
from services.intake.memory import MemoryEventSink, MemoryIdempotencyIndex
from services.intake.metrics import IntakeMetrics
from services.intake.service import Accepted, Conflict, IntakeService
from services.messaging.acknowledgment import PublishUnavailable
from tests.unit.contracts.samples import SAMPLES

EXAMPLE = SAMPLES["incident.v1"]
SENDER = "helpline-111"


class Intake:
    def __init__(self, publish_timeout: float = 5.0) -> None:
        self.sink = MemoryEventSink()
        self.index = MemoryIdempotencyIndex()
        self.registry = CollectorRegistry()
        self.service = IntakeService(
            self.sink, self.index, IntakeMetrics(self.registry), publish_timeout
        )

    async def accept(
        self, incident: IncidentV1, header_key: str | None = None
    ) -> Accepted | Conflict:
        return await self.service.accept(SENDER, incident, header_key)

    def count(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0


def incident(**changes: Any) -> IncidentV1:
    return IncidentV1.model_validate({**EXAMPLE, **changes})


async def settle(condition: Callable[[], bool]) -> None:
    """Let the event loop run the sends' callbacks until `condition` holds."""
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def test_a_new_report_is_published_once_and_then_remembered() -> None:
    intake, report = Intake(), incident()
    incident_id = incident_id_for(SENDER, report.identifier)

    assert await intake.accept(report) == Accepted(incident_id, replay=False)

    [stored] = intake.sink.stored
    assert (stored.topic, stored.key, stored.event_type, stored.subject) == (
        INCIDENTS.name,
        incident_id,
        INCIDENT_REPORTED,
        incident_id,
    )
    assert isinstance(stored.data, IncidentReportedV1)
    assert (stored.data.incident_id, stored.data.sender, stored.data.incident) == (
        incident_id,
        SENDER,
        report,
    )
    key = idempotency_key(SENDER, report.identifier, None)
    assert intake.index.find(key) == Record(incident_id, fingerprint(report))
    labels = {"category": report.category.value, "severity": report.severity.value}
    assert intake.count("safeguard_intake_incidents_accepted_total", **labels) == 1


async def test_a_retry_gets_the_same_id_as_a_replay_and_publishes_nothing() -> None:
    intake, report = Intake(), incident()
    first = await intake.accept(report)

    retry = await intake.accept(incident())

    assert isinstance(first, Accepted)
    assert retry == Accepted(first.incident_id, replay=True)
    assert len(intake.sink.stored) == 1
    assert intake.count("safeguard_intake_replays_total") == 1


async def test_the_same_identifier_with_other_content_is_a_conflict_and_publishes_nothing() -> None:
    intake, report = Intake(), incident()
    await intake.accept(report)

    changed = await intake.accept(incident(severity="Minor"))

    assert changed == Conflict(incident_id_for(SENDER, report.identifier))
    assert len(intake.sink.stored) == 1


async def test_a_reused_idempotency_key_with_other_content_is_a_conflict() -> None:
    intake, report = Intake(), incident()
    await intake.accept(report, header_key="client-key-1")

    other = await intake.accept(incident(identifier="OTHER-REF-2"), header_key="client-key-1")

    assert other == Conflict(incident_id_for(SENDER, report.identifier))
    assert len(intake.sink.stored) == 1


async def test_two_concurrent_identical_reports_publish_once() -> None:
    intake = Intake()
    intake.sink.hold()
    first = asyncio.create_task(intake.accept(incident()))
    second = asyncio.create_task(intake.accept(incident()))
    await settle(lambda: intake.sink.sends >= 1)
    await asyncio.sleep(0)

    intake.sink.release()
    outcomes = await asyncio.gather(first, second)

    incident_id = incident_id_for(SENDER, incident().identifier)
    assert list(outcomes) == [Accepted(incident_id, replay=False)] * 2
    assert (intake.sink.sends, len(intake.sink.stored)) == (1, 1)


async def test_an_unavailable_sink_refuses_and_nothing_is_remembered() -> None:
    intake, report = Intake(), incident()
    intake.sink.unavailable = True

    with pytest.raises(PublishUnavailable):
        await intake.accept(report, header_key="client-key-1")

    assert len(intake.index) == 0
    assert intake.index.find(idempotency_key(SENDER, report.identifier, None)) is None
    assert intake.sink.stored == []


async def test_after_a_refusal_the_retry_publishes_afresh() -> None:
    intake = Intake()
    intake.sink.unavailable = True
    with pytest.raises(PublishUnavailable):
        await intake.accept(incident())
    intake.sink.unavailable = False

    retry = await intake.accept(incident())

    assert retry == Accepted(incident_id_for(SENDER, incident().identifier), replay=False)
    assert (intake.sink.sends, len(intake.sink.stored)) == (2, 1)


async def test_a_send_not_acknowledged_in_time_refuses_but_goes_on_for_the_retry() -> None:
    intake = Intake(publish_timeout=0.25)
    intake.sink.hold()
    with pytest.raises(PublishUnavailable):
        await intake.accept(incident())
    assert len(intake.index) == 0

    retry = asyncio.create_task(intake.accept(incident()))
    await asyncio.sleep(0)
    intake.sink.release()

    assert await retry == Accepted(incident_id_for(SENDER, incident().identifier), replay=False)
    assert (intake.sink.sends, len(intake.sink.stored)) == (1, 1)


async def test_a_late_acknowledgment_is_remembered_so_a_later_retry_is_a_replay() -> None:
    intake = Intake(publish_timeout=0.25)
    intake.sink.hold()
    with pytest.raises(PublishUnavailable):
        await intake.accept(incident())

    intake.sink.release()
    await settle(lambda: len(intake.index) == 1)

    assert await intake.accept(incident()) == Accepted(
        incident_id_for(SENDER, incident().identifier), replay=True
    )
    assert intake.sink.sends == 1
