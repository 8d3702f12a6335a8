"""The router's topics, table and agent. The agent moves bytes: decoding and deciding happen in
services.router.processing; sends are awaited before the table is updated, so a crash can
repeat an alert request (same alert id, which the notifier recognises) but never lose one."""

import logging
import time
from datetime import UTC, datetime
from typing import Any

import faust
from faust.types import EventT

from contracts import cloudevents, events
from contracts.deadletter import DeadLetter
from contracts.topics import ALERTS_REQUESTED, DEAD_LETTERS, INCIDENTS
from services.messaging.dead_letters import set_aside
from services.messaging.faust_events import event_headers
from services.router.directory import Directory
from services.router.metrics import RouterMetrics
from services.router.processing import Routed, RoutedState, process
from services.router.rules import RuleSet

__all__ = ["TABLES", "register"]

log = logging.getLogger(__name__)

SOURCE = "safeguard/router"
ROUTED = "routed-incidents"
TABLES = {ROUTED: INCIDENTS.partitions}  # faust tables and their partitions


def register(app: faust.App, directory: Directory, rules: RuleSet, metrics: RouterMetrics) -> None:
    incidents = app.topic(INCIDENTS.name, key_serializer="raw", value_serializer="raw")
    alerts = app.topic(ALERTS_REQUESTED.name, key_serializer="raw", value_serializer="raw")
    dead_letters = app.topic(DEAD_LETTERS.name, key_serializer="raw", value_serializer="raw")
    routed = app.Table(ROUTED, partitions=TABLES[ROUTED])

    # concurrency=1: faust can commit past an in-flight message with more (faust #606).
    @app.agent(incidents, concurrency=1)
    async def route_incidents(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            started = time.perf_counter()
            key = event.key.decode(errors="replace") if event.key else ""
            previous = routed.get(key)
            try:
                outcome = process(
                    event_headers(event),
                    event.value,
                    RoutedState.model_validate(previous) if previous else None,
                    directory,
                    rules,
                    datetime.now(UTC),
                )
            except Exception as error:  # a bug must cost one record, not the whole stream
                outcome = DeadLetter("internal_error", f"router failed: {type(error).__name__}")
            if isinstance(outcome, DeadLetter):
                await _dead_letter(dead_letters, event, outcome, metrics)
                continue
            await _emit(alerts, outcome, metrics)
            routed[key] = outcome.state.model_dump()
            metrics.latency.observe(time.perf_counter() - started)


async def _emit(alerts: faust.TopicT, outcome: Routed, metrics: RouterMetrics) -> None:
    pending = []
    for request in outcome.requests:
        headers, value = cloudevents.encode(
            type=events.ALERT_REQUESTED, source=SOURCE, data=request, subject=request.alert_id
        )
        pending.append(
            await alerts.send(key=request.alert_id.encode(), value=value, headers=headers)
        )
        metrics.routed.labels(
            request.rule_path[-1], request.facts.category.value, request.kind.value
        ).inc()
    for sent in pending:
        await sent  # the broker's acknowledgment
    category = outcome.requests[0].facts.category.value if outcome.requests else "unknown"
    result = (
        "duplicate"
        if outcome.duplicate
        else ("fallback" if any(r.fallback for r in outcome.requests) else "routed")
    )
    metrics.incidents.labels(category, result).inc()
    for kind in outcome.triage:
        metrics.triage.labels(outcome.source, kind.value).inc()
        log.warning("incident sent to the duty desk for triage", extra={"kind": kind.value})


async def _dead_letter(
    topic: faust.TopicT, event: EventT[Any], outcome: DeadLetter, metrics: RouterMetrics
) -> None:
    await set_aside(topic, event, SOURCE, outcome)
    metrics.dead_letters.labels(outcome.code).inc()
    message = event.message
    log.warning(
        "incident record dead-lettered",
        extra={"code": outcome.code, "partition": message.partition, "offset": message.offset},
    )
