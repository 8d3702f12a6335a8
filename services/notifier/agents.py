"""The notifier worker's topics, tables, agents and deadline timer.

`track` owns every alert's state: requests and commands in (both keyed by alert id, so one
partition holds all of an alert's inputs), the pure driver decides, and the agent publishes the
audit events and the messages to send before it stores the new state. `dispatch` sends. The
timer only publishes `tick` commands: faust tables can be written from a stream alone."""

import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

import faust
from faust.types import EventT
from pydantic import BaseModel

from contracts import cloudevents, events
from contracts.alert import AlertRequestedV1
from contracts.alert_command import AlertCommandV1, CommandType
from contracts.dispatch import DispatchRequestV1
from contracts.topics import ALERT_COMMANDS, ALERT_DISPATCH, ALERT_EVENTS, ALERTS_REQUESTED
from services.messaging.faust_events import event_headers
from services.notifier.ack import AlertState, AuditType, Lifecycle
from services.notifier.channels import SendFailed, SendOutcome, Sent
from services.notifier.compose import ComposeConfig, compose
from services.notifier.dispatcher import Dispatcher
from services.notifier.driver import Step, on_command, on_request
from services.notifier.metrics import NotifierMetrics
from services.notifier.roster import Rosters, escalation_policy

__all__ = ["TABLES", "register"]

log = logging.getLogger(__name__)

SOURCE = "safeguard/notifier"
ALERTS, SENT_MESSAGES = "alerts", "sent-messages"
TABLES = {ALERTS: ALERTS_REQUESTED.partitions, SENT_MESSAGES: ALERT_DISPATCH.partitions}


class Deadlines:
    """When each open alert next needs a decision; what the timer reads. Rebuilt from the
    table after a restart, kept current by the agent."""

    def __init__(self) -> None:
        self.due: dict[str, datetime] = {}
        self.ticked: dict[str, datetime] = {}

    def track(self, state: AlertState) -> None:
        done = state.lifecycle is Lifecycle.ACKNOWLEDGED or (
            state.lifecycle is Lifecycle.EXPIRED and state.expiry_notified
        )
        if done or state.deadline is None:
            self.due.pop(state.alert_id, None)
        else:
            self.due[state.alert_id] = state.deadline

    def to_tick(self, now: datetime) -> list[str]:
        """Each passed deadline once (again after a restart, which the state machine absorbs)."""
        ready = [a for a, due in self.due.items() if due <= now and self.ticked.get(a) != due]
        for alert_id in ready:
            self.ticked[alert_id] = self.due[alert_id]
        return ready


def register(
    app: faust.App,
    rosters: Rosters,
    compose_config: ComposeConfig,
    dispatcher: Dispatcher,
    metrics: NotifierMetrics,
) -> None:
    inputs = app.topic(
        ALERTS_REQUESTED.name, ALERT_COMMANDS.name, key_serializer="raw", value_serializer="raw"
    )
    commands = app.topic(ALERT_COMMANDS.name, key_serializer="raw", value_serializer="raw")
    outbox = app.topic(ALERT_DISPATCH.name, key_serializer="raw", value_serializer="raw")
    audit_log = app.topic(ALERT_EVENTS.name, key_serializer="raw", value_serializer="raw")
    alerts = app.Table(ALERTS, partitions=TABLES[ALERTS])
    sent = app.Table(SENT_MESSAGES, partitions=TABLES[SENT_MESSAGES])
    deadlines = Deadlines()

    @app.agent(inputs, concurrency=1)
    async def track(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            alert_id = event.key.decode() if event.key else ""
            raw_state = alerts.get(alert_id)
            state = AlertState.model_validate(raw_state) if raw_state else None
            step = _step(event, state, rosters, datetime.now(UTC))
            if step is None or step.state is None:
                continue
            await _publish(step, outbox, audit_log, compose_config, metrics)
            alerts[alert_id] = step.state.model_dump(mode="json")
            deadlines.track(step.state)
            _observe(step, metrics)

    @app.agent(outbox, concurrency=1)
    async def dispatch(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            request = _decode(event)
            if not isinstance(request, DispatchRequestV1):
                continue
            key = f"{request.alert_id}/{request.message_id}"
            if key in sent:
                continue  # sent before a restart; the provider already has it

            outcome = await dispatcher.send(request, partial(_report_retry, commands, request))
            command = _result_command(request, outcome)
            await _send(commands, request.alert_id, events.ALERT_COMMAND, command)
            sent[key] = outcome.provider_id if isinstance(outcome, Sent) else "failed"
            metrics.messages.labels(
                request.channel, "sent" if isinstance(outcome, Sent) else "failed"
            ).inc()

    @app.timer(interval=1.0)  # type: ignore[untyped-decorator]
    async def tick() -> None:
        if not deadlines.due and not deadlines.ticked:
            for raw in alerts.values():  # after a restart: rebuild from the recovered table
                deadlines.track(AlertState.model_validate(raw))
        now = datetime.now(UTC)
        for alert_id in deadlines.to_tick(now):
            command = AlertCommandV1(alert_id=alert_id, type=CommandType.TICK, at=now)
            await _send(commands, alert_id, events.ALERT_COMMAND, command)


def _step(
    event: EventT[Any], state: AlertState | None, rosters: Rosters, now: datetime
) -> Step | None:
    data = _decode(event)
    if isinstance(data, AlertRequestedV1):
        policy = escalation_policy(rosters, data.agency_id, now, data.facts.status)
        return on_request(state, data, policy, now)
    if not isinstance(data, AlertCommandV1) or state is None:
        log.warning("input for no known alert skipped", extra={"input": type(data).__name__})
        return None
    return on_command(state, data, now)


async def _publish(
    step: Step,
    outbox: faust.TopicT,
    audit_log: faust.TopicT,
    config: ComposeConfig,
    metrics: NotifierMetrics,
) -> None:
    """Everything the step produced, acknowledged by the broker before the state is stored."""
    assert step.state is not None
    now = datetime.now(UTC)
    pending = []
    for message in step.outgoing:
        request = compose(step.state, message, config, set(), now)
        pending.append(await _queue(outbox, step.state.alert_id, events.DISPATCH_REQUEST, request))
    for audit in step.audit:
        pending.append(await _queue(audit_log, audit.alert_id, events.ALERT_EVENT, audit))
    for future in pending:
        await future


def _observe(step: Step, metrics: NotifierMetrics) -> None:
    for reason in step.refusals:
        metrics.refused.inc()
        log.info("input refused by the alert state machine", extra={"reason": reason})
    for seconds in step.lateness_seconds:
        metrics.lateness.observe(seconds)
    for audit in step.audit:
        if audit.type is AuditType.ESCALATED:
            metrics.escalations.labels(str(audit.tier)).inc()
        elif audit.type is AuditType.EXPIRED:
            metrics.escalations.labels("expired").inc()
        elif audit.type is AuditType.MESSAGE_RECEIPT and audit.channel and audit.delivery:
            metrics.messages.labels(audit.channel.value, audit.delivery.value).inc()


async def _report_retry(
    commands: faust.TopicT, request: DispatchRequestV1, failure: SendFailed
) -> None:
    command = _failure_command(request, failure.code, recoverable=True)
    await _send(commands, request.alert_id, events.ALERT_COMMAND, command)


def _result_command(request: DispatchRequestV1, outcome: SendOutcome) -> AlertCommandV1:
    if isinstance(outcome, Sent):
        return AlertCommandV1(
            alert_id=request.alert_id,
            type=CommandType.SENT,
            at=datetime.now(UTC),
            message_id=request.message_id,
            provider_id=outcome.provider_id,
        )
    return _failure_command(request, outcome.code, recoverable=False)


def _failure_command(request: DispatchRequestV1, code: str, recoverable: bool) -> AlertCommandV1:
    """recoverable: the dispatcher retries it (recorded only); otherwise final: fall back."""
    return AlertCommandV1(
        alert_id=request.alert_id,
        type=CommandType.SEND_FAILED,
        at=datetime.now(UTC),
        message_id=request.message_id,
        code=code,
        recoverable=recoverable,
    )


async def _queue(topic: faust.TopicT, key: str, kind: str, data: BaseModel) -> Any:
    headers, value = cloudevents.encode(type=kind, source=SOURCE, data=data, subject=key)
    return await topic.send(key=key.encode(), value=value, headers=headers)


async def _send(topic: faust.TopicT, key: str, kind: str, data: BaseModel) -> None:
    await (await _queue(topic, key, kind, data))


def _decode(event: EventT[Any]) -> events.Event | None:
    try:
        return events.decode(event_headers(event), event.value).data
    except events.Refused as refusal:
        log.warning(
            "unreadable record skipped",
            extra={
                "reason": refusal.reason.value,
                "topic": event.message.topic,
                "partition": event.message.partition,
                "offset": event.message.offset,
            },
        )
        return None
