"""The router's topics, table and agent. The agent moves bytes: decoding and deciding happen in
services.router.processing; sends are awaited before the table is updated, so a crash can
repeat an alert request (same alert id, which the notifier recognises) but never lose one.

Records are settled in batches (services.router.batching): the alert requests of every record
read while more were waiting are in flight together and awaited once; then each incident's
table entry is written in the context of its own record (faust writes an entry to the
changelog partition of the current event, and a batch spans partitions); only then are the
records acknowledged, so no offset is committed before its incident's entry is written."""

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

import faust
from faust.types import ChannelT, EventT, TableT

from contracts import cloudevents, events
from contracts.deadletter import DeadLetter
from contracts.topics import ALERTS_REQUESTED, DEAD_LETTERS, INCIDENTS
from services.messaging.dead_letters import set_aside
from services.messaging.faust_events import event_headers, produce
from services.router.batching import Batch, Held
from services.router.directory import Directory
from services.router.metrics import RouterMetrics
from services.router.processing import Routed, RoutedState, process
from services.router.rules import RuleSet

__all__ = ["TABLES", "register"]

log = logging.getLogger(__name__)

SOURCE = "safeguard/router"
ROUTED = "routed-incidents"
TABLES = {ROUTED: INCIDENTS.partitions}  # faust tables and their partitions


BATCH_LIMIT = 500  # incidents settled together at most
SETTLE_EVERY = 0.1  # seconds: how long a batch may wait for a record that does not come
FAUST_SETTINGS = {
    # A batch's alert requests (about 4 KB an incident, over the topic's partitions) should fit
    # the producer's batch of each partition, or a send waits for the broker in the middle of
    # reading (faust's default is 16 KiB); well under the broker's message.max.bytes (1 MiB).
    "producer_max_batch_size": 512 * 1024,
    # Settled batches are committed within half a second (faust's default 2.8 s), so a killed
    # router repeats less, and the committed offset follows what is routed more closely.
    "broker_commit_interval": 0.5,
}


def register(app: faust.App, directory: Directory, rules: RuleSet, metrics: RouterMetrics) -> None:
    incidents = app.topic(INCIDENTS.name, key_serializer="raw", value_serializer="raw")
    router = _Router(
        alerts=app.topic(ALERTS_REQUESTED.name, key_serializer="raw", value_serializer="raw"),
        dead_letters=app.topic(DEAD_LETTERS.name, key_serializer="raw", value_serializer="raw"),
        routed=app.Table(ROUTED, partitions=TABLES[ROUTED]),
        directory=directory,
        rules=rules,
        metrics=metrics,
    )

    # concurrency=1: faust can commit past an in-flight message with more (faust #606).
    @app.agent(incidents, concurrency=1)
    async def route_incidents(stream: faust.StreamT[bytes]) -> None:
        """Reads while more records are waiting, then settles them together; a record is
        acknowledged (its offset may be committed) only once its table entry is written."""
        manual: faust.StreamT[bytes] = stream.noack()  # type: ignore[attr-defined]
        router.stream = manual
        async for event in manual.events():
            async with router.lock:
                await router.read(event)
                if router.batch.settle_now(_more_waiting(manual)):
                    await router.settle()

    @app.timer(interval=SETTLE_EVERY)  # type: ignore[untyped-decorator]
    async def settle_held() -> None:
        """A batch read while more records were waiting is settled even if those were never
        handed over (a rebalance skips them): faust waits for unacknowledged records then."""
        async with router.lock:
            await router.settle()


def _more_waiting(stream: faust.StreamT[bytes]) -> bool:
    """Whether the consumer has already handed the stream its next record."""
    channel = stream.channel
    return isinstance(channel, ChannelT) and not channel.queue.empty()


class _Router:
    """The agent's work on one record (`read`) and on a batch of them (`settle`)."""

    def __init__(
        self,
        alerts: faust.TopicT,
        dead_letters: faust.TopicT,
        routed: TableT[str, Any],
        directory: Directory,
        rules: RuleSet,
        metrics: RouterMetrics,
    ) -> None:
        self.alerts, self.dead_letters, self.routed = alerts, dead_letters, routed
        self.directory, self.rules, self.metrics = directory, rules, metrics
        self.batch: Batch[EventT[Any], contextvars.Context] = Batch(BATCH_LIMIT)
        self.sends: list[Awaitable[Any]] = []
        self.lock = asyncio.Lock()  # one of the agent and the timer reads or settles at a time
        self.stream: faust.StreamT[bytes] | None = None  # the agent's, to acknowledge on

    async def read(self, event: EventT[Any]) -> None:
        """Decides, and sends the alert requests without waiting for the broker; the record's
        context (its partition, for the table's changelog) is kept to write its entry in."""
        started = time.perf_counter()
        key = event.key.decode(errors="replace") if event.key else ""
        outcome = self._decide(event, self.batch.previous(key, self._stored))
        context = contextvars.copy_context()
        if isinstance(outcome, DeadLetter):
            await _dead_letter(self.dead_letters, event, outcome, self.metrics)
            self.batch.hold(Held(event, context, key, None, None, "", started))
            return
        self.sends.extend(await _emit(self.alerts, outcome, self.metrics))
        self.batch.hold(
            Held(event, context, key, outcome.state, _result(outcome), _category(outcome), started)
        )

    async def settle(self) -> None:
        """Every alert request of the batch acknowledged by the broker, then each incident's
        table entry written in its own record's context, then the records acknowledged."""
        if self.stream is None or not self.batch.held:
            return
        stream, (sends, self.sends) = self.stream, (self.sends, [])
        for sent in sends:
            await sent
        held = self.batch.take()
        for entry in held:
            if entry.state is not None and entry.outcome is not None:
                entry.context.run(self.routed.__setitem__, entry.key, entry.state.model_dump())
                self.metrics.incidents.labels(entry.category, entry.outcome).inc()
                self.metrics.latency.observe(time.perf_counter() - entry.started)
        for entry in held:
            await stream.ack(entry.record)

    def _stored(self, key: str) -> RoutedState | None:
        previous = self.routed.get(key)
        return RoutedState.model_validate(previous) if previous else None

    def _decide(self, event: EventT[Any], previous: RoutedState | None) -> Routed | DeadLetter:
        try:
            return process(
                event_headers(event),
                event.value,
                previous,
                self.directory,
                self.rules,
                datetime.now(UTC),
            )
        except Exception as error:  # a bug must cost one record, not the whole stream
            return DeadLetter("internal_error", f"router failed: {type(error).__name__}")


async def _emit(alerts: faust.TopicT, outcome: Routed, metrics: RouterMetrics) -> list[Any]:
    """Hands the alert requests to the producer; the caller awaits the broker's answers."""
    pending = []
    for request in outcome.requests:
        headers, value = cloudevents.encode(
            type=events.ALERT_REQUESTED, source=SOURCE, data=request, subject=request.alert_id
        )
        pending.append(await produce(alerts, request.alert_id.encode(), value, headers))
        metrics.routed.labels(
            request.rule_path[-1], request.facts.category.value, request.kind.value
        ).inc()
    for kind in outcome.triage:
        metrics.triage.labels(outcome.source, kind.value).inc()
        log.warning("incident sent to the duty desk for triage", extra={"kind": kind.value})
    return pending


def _category(outcome: Routed) -> str:
    return outcome.requests[0].facts.category.value if outcome.requests else "unknown"


def _result(outcome: Routed) -> str:
    if outcome.duplicate:
        return "duplicate"
    return "fallback" if any(r.fallback for r in outcome.requests) else "routed"


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
