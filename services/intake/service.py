"""Accepting one incident: recognise a retry, otherwise publish and wait for the sink to have
it durably."""

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from contracts.events import INCIDENT_REPORTED
from contracts.incident import IncidentReportedV1, IncidentV1
from contracts.topics import INCIDENTS
from services.intake.idempotency import Record, fingerprint, idempotency_key, incident_id_for
from services.intake.metrics import IntakeMetrics
from services.intake.ports import EventSink, IdempotencyIndex
from services.messaging.acknowledgment import wait_acknowledged

__all__ = ["Accepted", "Conflict", "IntakeService"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    incident_id: str
    replay: bool


@dataclass(frozen=True)
class Conflict:
    incident_id: str


class IntakeService:
    """Raises PublishUnavailable when the sink does not have the incident in time."""

    def __init__(
        self,
        sink: EventSink,
        index: IdempotencyIndex,
        metrics: IntakeMetrics,
        publish_timeout: float,
    ) -> None:
        self._sink = sink
        self._index = index
        self._metrics = metrics
        self._publish_timeout = publish_timeout
        # Sends not yet acknowledged, by incident id: a retry waits on the same send instead
        # of publishing a second copy.
        self._in_flight: dict[str, asyncio.Task[None]] = {}

    async def accept(
        self, sender: str, incident: IncidentV1, header_key: str | None
    ) -> Accepted | Conflict:
        keys = [idempotency_key(sender, incident.identifier, None)]
        if header_key:
            keys.append(idempotency_key(sender, incident.identifier, header_key))
        content = fingerprint(incident)
        if (known := self._known(keys, content)) is not None:
            return known
        incident_id = incident_id_for(sender, incident.identifier)
        send = self._in_flight.get(incident_id)
        if send is None:
            send = self._start_send(sender, incident, incident_id, keys, content)
        await wait_acknowledged(send, self._publish_timeout)
        self._metrics.accepted.labels(incident.category.value, incident.severity.value).inc()
        log.info(
            "incident accepted",
            extra={
                "incident_id": incident_id,
                "sender": sender,
                "category": incident.category.value,
                "severity": incident.severity.value,
            },
        )
        return Accepted(incident_id, replay=False)

    def _known(self, keys: list[str], content: str) -> Accepted | Conflict | None:
        for key in keys:
            record = self._index.find(key)
            if record is None:
                continue
            if record.fingerprint != content:
                return Conflict(record.incident_id)
            self._metrics.replays.inc()
            return Accepted(record.incident_id, replay=True)
        return None

    def _start_send(
        self, sender: str, incident: IncidentV1, incident_id: str, keys: list[str], content: str
    ) -> "asyncio.Task[None]":
        event = IncidentReportedV1(
            incident_id=incident_id,
            sender=sender,
            received_at=datetime.now(UTC),
            incident=incident,
        )
        started = time.perf_counter()
        send = self._sink.send(
            INCIDENTS.name, incident_id, INCIDENT_REPORTED, event, subject=incident_id
        )
        self._in_flight[incident_id] = send

        def settle(done: "asyncio.Task[None]") -> None:
            self._in_flight.pop(incident_id, None)
            if done.cancelled() or done.exception() is not None:
                return
            self._metrics.publish_seconds.observe(time.perf_counter() - started)
            self._index.record(keys, Record(incident_id, content))
            self._metrics.idempotency_records.set(len(self._index))

        send.add_done_callback(settle)
        return send
