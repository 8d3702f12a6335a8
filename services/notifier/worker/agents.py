"""The notifier worker's topics, tables, agents and deadline timer.

`track` owns every alert's state: requests and commands in (both keyed by alert id, so one
partition holds all of an alert's inputs), core.handlers decides, and the agent publishes the
audit events and the messages to send before it stores the new state. `dispatch` sends. The
timer only publishes `tick` commands: faust tables can be written from a stream alone."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import faust
from faust.types import EventT
from pydantic import BaseModel

from contracts import cloudevents, events
from contracts.deadletter import DeadLetter
from contracts.dispatch import DispatchRequestV1
from contracts.topics import (
    ALERT_COMMANDS,
    ALERT_DISPATCH,
    ALERT_EVENTS,
    ALERTS_REQUESTED,
    DEAD_LETTERS,
)
from services.messaging.dead_letters import set_aside
from services.messaging.faust_events import event_headers, produce
from services.notifier.core.ack import AlertState, AuditType
from services.notifier.core.channels import ProviderAccepted, ProviderRejected
from services.notifier.core.duty import Rosters
from services.notifier.core.handlers import (
    Handled,
    answer_command,
    handle_input,
    retry_command,
    tick_command,
)
from services.notifier.core.open_alerts import OpenAlerts
from services.notifier.texts.compose import ComposeConfig
from services.notifier.worker.delivery import Delivery, Retry, Settled, Skip
from services.notifier.worker.metrics import NotifierMetrics

__all__ = ["TABLES", "register"]

log = logging.getLogger(__name__)

SOURCE = "safeguard/notifier"
ALERTS, SENT_MESSAGES = "alerts", "sent-messages"
TABLES = {ALERTS: ALERTS_REQUESTED.partitions, SENT_MESSAGES: ALERT_DISPATCH.partitions}


def register(  # noqa: C901
    app: faust.App,
    rosters: Rosters,
    compose_config: ComposeConfig,
    make_delivery: Callable[[Callable[[DispatchRequestV1], bool]], Delivery],
    metrics: NotifierMetrics,
) -> None:
    inputs = app.topic(
        ALERTS_REQUESTED.name, ALERT_COMMANDS.name, key_serializer="raw", value_serializer="raw"
    )
    commands = app.topic(ALERT_COMMANDS.name, key_serializer="raw", value_serializer="raw")
    outbox = app.topic(ALERT_DISPATCH.name, key_serializer="raw", value_serializer="raw")
    audit_log = app.topic(ALERT_EVENTS.name, key_serializer="raw", value_serializer="raw")
    dead_letters = app.topic(DEAD_LETTERS.name, key_serializer="raw", value_serializer="raw")
    set_aside_unread = partial(_dead_letter, dead_letters, metrics)
    alerts = app.Table(ALERTS, partitions=TABLES[ALERTS])
    sent = app.Table(SENT_MESSAGES, partitions=TABLES[SENT_MESSAGES])
    open_alerts = OpenAlerts()

    @app.agent(inputs, concurrency=1)
    async def track(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            if not open_alerts.rebuilt:  # streams start once the table is recovered
                open_alerts.rebuild(_states(alerts))
                open_alerts.rebuilt = True
            alert_id = event.key.decode() if event.key else ""
            raw_state = alerts.get(alert_id)
            handled = handle_input(
                event_headers(event),
                event.value,
                AlertState.model_validate(raw_state) if raw_state else None,
                rosters,
                compose_config,
                open_alerts.codes,
                datetime.now(UTC),
            )
            if isinstance(handled, DeadLetter):
                await set_aside_unread(event, handled)
                continue
            await _publish(handled, outbox, audit_log)
            alerts[alert_id] = handled.state.model_dump(mode="json")
            open_alerts.track(handled.state)
            _observe(handled, metrics)

    def already_sent(request: DispatchRequestV1) -> bool:
        return _sent_key(request) in sent

    delivery = make_delivery(already_sent)

    @app.agent(outbox, concurrency=1)
    async def dispatch(stream: faust.StreamT[bytes]) -> None:
        """Hands each message to the delivery loop and moves on; a record is acknowledged
        (its offset may be committed) only once its message is settled."""
        manual: faust.StreamT[bytes] = stream.noack()  # type: ignore[attr-defined]
        async for event in manual.events():
            request = _dispatch_request(event)
            if isinstance(request, DeadLetter):
                await set_aside_unread(event, request)
                await manual.ack(event)
            elif already_sent(request):
                await manual.ack(event)  # sent before a restart; the provider already has it
            else:
                settled = partial(settle, manual, event, request)
                delivery.offer(request, settled, event.message.tp)

    async def settle(
        manual: faust.StreamT[bytes],
        event: EventT[Any],
        request: DispatchRequestV1,
        result: Settled,
    ) -> None:
        """In the record's own context (tables are written from a stream only)."""
        if isinstance(result, Retry):
            await _report_retry(commands, request, result.rejection)
            again = request.model_copy(
                update={"attempt": result.at.attempt, "not_before": result.at.at}
            )
            await _send(outbox, request.alert_id, events.DISPATCH_REQUEST, again)
        elif not isinstance(result, Skip):
            command = answer_command(request, result, datetime.now(UTC))
            await _send(commands, request.alert_id, events.ALERT_COMMAND, command)
            accepted = isinstance(result, ProviderAccepted)
            sent[_sent_key(request)] = (
                result.provider_id if isinstance(result, ProviderAccepted) else "failed"
            )
            metrics.messages.labels(request.channel, "sent" if accepted else "failed").inc()
        await manual.ack(event)

    @app.task  # type: ignore[untyped-decorator]
    async def deliver() -> None:
        await delivery.run()

    async def on_revoked(_: Any, /, *revoked: Any, signal: Any, **__: Any) -> None:
        if dropped := delivery.forget(revoked[0]):
            log.info("queued messages left to the partitions' new owner", extra={"n": dropped})

    app.on_partitions_revoked.connect(on_revoked)

    @app.timer(interval=1.0)  # type: ignore[untyped-decorator]
    async def tick() -> None:
        deadlines = open_alerts.deadlines
        if not deadlines.due and not deadlines.ticked:
            open_alerts.rebuild(_states(alerts))  # after a restart: from the recovered table
        now = datetime.now(UTC)
        for alert_id in deadlines.to_tick(now):
            await _send(commands, alert_id, events.ALERT_COMMAND, tick_command(alert_id, now))


def _states(alerts: Any) -> list[AlertState]:  # a faust Table
    return [AlertState.model_validate(raw) for raw in alerts.values()]


async def _publish(handled: Handled, outbox: faust.TopicT, audit_log: faust.TopicT) -> None:
    """Everything the input produced, acknowledged by the broker before the state is stored."""
    alert_id = handled.state.alert_id
    pending = [
        await _queue(outbox, alert_id, events.DISPATCH_REQUEST, request)
        for request in handled.dispatches
    ]
    for audit in handled.audit:
        pending.append(await _queue(audit_log, audit.alert_id, events.ALERT_EVENT, audit))
    for future in pending:
        await future


def _observe(handled: Handled, metrics: NotifierMetrics) -> None:
    for reason in handled.refusals:
        metrics.refused.inc()
        log.info("input refused by the alert state machine", extra={"reason": reason})
    for seconds in handled.lateness_seconds:
        metrics.lateness.observe(seconds)
    for audit in handled.audit:
        if audit.type is AuditType.ESCALATED:
            metrics.escalations.labels(str(audit.tier)).inc()
        elif audit.type is AuditType.EXPIRED:
            metrics.escalations.labels("expired").inc()
        elif audit.type is AuditType.MESSAGE_RECEIPT and audit.channel and audit.delivery:
            metrics.messages.labels(audit.channel.value, audit.delivery.value).inc()


async def _report_retry(
    commands: faust.TopicT, request: DispatchRequestV1, rejection: ProviderRejected
) -> None:
    command = retry_command(request, rejection, datetime.now(UTC))
    await _send(commands, request.alert_id, events.ALERT_COMMAND, command)


async def _queue(topic: faust.TopicT, key: str, kind: str, data: BaseModel) -> Any:
    headers, value = cloudevents.encode(type=kind, source=SOURCE, data=data, subject=key)
    return await produce(topic, key.encode(), value, headers)


async def _send(topic: faust.TopicT, key: str, kind: str, data: BaseModel) -> None:
    await (await _queue(topic, key, kind, data))


def _sent_key(request: DispatchRequestV1) -> str:
    return f"{request.alert_id}/{request.message_id}"


def _dispatch_request(event: EventT[Any]) -> DispatchRequestV1 | DeadLetter:
    try:
        data = events.decode(event_headers(event), event.value).data
    except events.Refused as refusal:
        return DeadLetter(refusal.reason.value, str(refusal), refusal.details)
    if not isinstance(data, DispatchRequestV1):
        return DeadLetter(
            events.RefusalReason.UNEXPECTED_TYPE.value, f"unexpected {type(data).__name__}"
        )
    return data


async def _dead_letter(
    topic: faust.TopicT, metrics: NotifierMetrics, event: EventT[Any], letter: DeadLetter
) -> None:
    await set_aside(topic, event, SOURCE, letter)
    metrics.dead_letters.labels(letter.code).inc()
    message = event.message
    log.warning(
        "record dead-lettered",
        extra={
            "code": letter.code,
            "topic": message.topic,
            "partition": message.partition,
            "offset": message.offset,
        },
    )
