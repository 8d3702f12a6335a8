"""The delivery loop: every message waits in a ready-queue per channel, ordered by priority
(core/priority.py); a message starts when it is the most urgent ready one of its channel, a
send slot of that channel is free, and (SMS, calls) a sender of the pool has room for its
segments (core/sender_pool.py). Sends run concurrently; a recoverable failure is not slept on
but handed back as a retry time (core/retry_schedule.py), which the agent records durably on
Kafka, so nothing else waits for it.

Each message carries the `contextvars.Context` of the stream event it came from, and its send
runs in it: what settles the message (a table write, the event's acknowledgment) then belongs
to that event, as faust requires."""

import asyncio
import contextlib
import contextvars
import logging
import random
import time
from collections.abc import Awaitable, Callable, Collection, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from contracts.alert_event import ChannelKind
from contracts.dispatch import DispatchRequestV1
from services.notifier.core.channels import ProviderAnswer, ProviderRejected
from services.notifier.core.priority import MessageFacts, PriorityPolicy, Queued, ReadyQueue
from services.notifier.core.retry_schedule import RetryAt, RetryPolicy, next_attempt
from services.notifier.core.sender_pool import Grant, SenderPool, Wait, outcome_of
from services.notifier.texts.segments import count
from services.notifier.worker.dispatcher import Dispatcher
from services.notifier.worker.metrics import NotifierMetrics

__all__ = ["Delivery", "Retry", "Settle", "Settled", "Skip"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retry:
    """Try again at `at.at` (attempt `at.attempt`), after `rejection`."""

    at: RetryAt
    rejection: ProviderRejected


@dataclass(frozen=True)
class Skip:
    """Sent already (before a restart, or by an earlier copy of the record)."""


Settled = ProviderAnswer | Retry | Skip
Settle = Callable[[Settled], Awaitable[None]]


@dataclass
class _Job:
    request: DispatchRequestV1
    settle: Settle
    context: contextvars.Context
    segments: int
    source: Hashable  # where the record came from: the stream's topic partition


@dataclass
class _Lane:
    """One channel's queue and its send slots."""

    queue: ReadyQueue[_Job]
    slots: int
    in_flight: int = 0
    uses_pool: bool = True
    tasks: set["asyncio.Task[None]"] = field(default_factory=set)


class Delivery:
    def __init__(
        self,
        dispatcher: Dispatcher,
        pool: SenderPool,
        priority: PriorityPolicy,
        retry: RetryPolicy,
        slots: dict[ChannelKind, int],
        metrics: NotifierMetrics,
        already_sent: Callable[[DispatchRequestV1], bool],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._dispatcher = dispatcher
        self._pool = pool
        self._priority = priority
        self._retry = retry
        self._metrics = metrics
        self._already_sent = already_sent
        self._clock = clock  # epoch seconds: a retry time read back after a restart
        self._lanes = {
            channel: _Lane(ReadyQueue(priority), n, uses_pool=channel is not ChannelKind.EMAIL)
            for channel, n in slots.items()
        }
        self._wake = asyncio.Event()
        self._random = random.Random()  # noqa: S311 - jitter, not security
        # Read at each scrape, not kept up to date on the send path: a rate recovers while
        # idle, and counting the queues at every message of a burst would cost O(n) each.
        for state in pool.snapshot():
            metrics.sender_rate.labels(state.sender).set_function(
                partial(self._rate_ratio, state.sender)
            )
        for name in priority.classes:
            metrics.queue_depth.labels(name).set_function(partial(self._depth, name))

    def offer(self, request: DispatchRequestV1, settle: Settle, source: Hashable) -> None:
        """Queue a message; `settle` hears how it ended, in the caller's context."""
        lane = self._lanes[ChannelKind(request.channel)]
        segments = count(request.body).segments if request.channel == "sms" else 1
        job = _Job(request, settle, contextvars.copy_context(), segments, source)
        priority = self._priority.priority_of(MessageFacts.of_request(request))
        not_before = request.not_before.timestamp() if request.not_before else None
        lane.queue.push(job, priority, self._clock(), not_before)
        self._wake.set()

    def forget(self, sources: Collection[Hashable]) -> int:
        """Drop the queued messages of sources no longer ours (partitions revoked in a
        rebalance): their new owner re-reads them, so only the sends in flight can repeat."""
        return sum(
            lane.queue.discard(lambda job: job.source in sources) for lane in self._lanes.values()
        )

    async def run(self) -> None:
        """Start what can start; otherwise sleep until something may have changed."""
        while True:
            self._wake.clear()
            waits = [self._start_ready(lane) for lane in self._lanes.values()]
            timeout = min((w for w in waits if w is not None), default=None)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _start_ready(self, lane: _Lane) -> float | None:
        """Start the lane's ready messages while slots and senders allow; the seconds until
        the lane may start another (None: only a new message or a finished send can tell)."""
        while lane.in_flight < lane.slots:
            now = self._clock()
            head = lane.queue.peek(now)
            if head is None:
                ready_at = lane.queue.next_ready_at()
                return None if ready_at is None else max(0.0, ready_at - now)
            grant = self._pool.acquire(head.item.segments) if lane.uses_pool else None
            if isinstance(grant, Wait):
                return grant.seconds
            lane.queue.pop(now)
            self._start(lane, head, grant)
        return None

    def _start(self, lane: _Lane, job: Queued[_Job], grant: Grant | None) -> None:
        lane.in_flight += 1
        self._metrics.in_flight.labels(job.item.request.channel).inc()
        self._metrics.dispatch_wait.labels(job.priority.priority_class).observe(
            max(0.0, self._clock() - job.ready_at)
        )
        task = asyncio.create_task(self._send(lane, job.item, grant), context=job.item.context)
        lane.tasks.add(task)
        task.add_done_callback(lane.tasks.discard)

    async def _send(self, lane: _Lane, job: _Job, grant: Grant | None) -> None:
        try:
            result = await self._attempt(job, grant)
            await self._settle(job, result)
        finally:
            lane.in_flight -= 1
            self._metrics.in_flight.labels(job.request.channel).dec()
            self._wake.set()

    async def _attempt(self, job: _Job, grant: Grant | None) -> Settled:
        if self._already_sent(job.request):
            return Skip()
        try:
            answer = await self._dispatcher.send(job.request, grant.sender if grant else None)
        except Exception as error:  # a bug must cost one attempt, never the loop
            log.exception("send failed unexpectedly")
            answer = ProviderRejected(True, "internal", type(error).__name__)
        if grant is not None:
            self._report(grant.sender, answer)
        if isinstance(answer, ProviderRejected) and answer.recoverable:
            now = datetime.now(UTC)
            after = next_attempt(self._retry, job.request.attempt, now, self._random)
            if isinstance(after, RetryAt):
                self._metrics.retries.labels(job.request.channel).inc()
                return Retry(after, answer)
        return answer

    def _report(self, sender: str, answer: ProviderAnswer) -> None:
        """What the answer says about the sender (not the recipient) goes to the pool."""
        if isinstance(answer, ProviderRejected):
            outcome = outcome_of(answer.http_status, answer.provider_code)
        else:
            outcome = outcome_of(200, None)
        self._pool.report(sender, outcome)
        self._metrics.sender_outcomes.labels(sender, outcome.value).inc()

    def _rate_ratio(self, sender: str) -> float:
        state = next(s for s in self._pool.snapshot() if s.sender == sender)
        return state.rate / state.configured_rate

    async def _settle(self, job: _Job, result: Settled) -> None:
        """Until it succeeds: the send happened, so only its report may be repeated."""
        while True:
            try:
                await job.settle(result)
                return
            except Exception:
                log.exception("settling a message failed; trying again")
                await asyncio.sleep(2.0)

    def _depth(self, priority_class: str) -> int:
        return sum(
            lane.queue.depth_by_class().get(priority_class, 0) for lane in self._lanes.values()
        )
