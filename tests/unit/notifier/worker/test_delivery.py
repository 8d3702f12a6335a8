"""The delivery loop: the most urgent ready message first, sends in parallel up to the slots,
a recoverable failure handed back as a retry time instead of slept on, throttling slowing the
sender. The channel is a fake for this unit test; the chain tests use the real adapters."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from contracts.dispatch import DispatchRequestV1, MessageKind
from contracts.incident import Severity
from services.notifier.core.channels import (
    ChannelKind,
    Outbound,
    ProviderAccepted,
    ProviderAnswer,
    ProviderRejected,
)
from services.notifier.core.priority import PriorityPolicy
from services.notifier.core.retry_schedule import RetryPolicy
from services.notifier.core.sender_pool import PoolPolicy, SenderConfig, SenderPool
from services.notifier.worker.delivery import Delivery, Retry, Settled, Skip
from services.notifier.worker.dispatcher import Dispatcher, DrillGuard
from services.notifier.worker.metrics import NotifierMetrics


class SlowChannel:
    """Answers after `latency` seconds, from `answers` by address (accepted otherwise), and
    records the order of sends and the most that were in flight at once."""

    def __init__(self, latency: float = 0.0, answers: dict[str, ProviderAnswer] | None = None):
        self.latency = latency
        self.answers = answers or {}
        self.sent: list[str] = []
        self.in_flight = self.most_in_flight = 0

    async def send(self, message: Outbound) -> ProviderAnswer:
        self.sent.append(message.to)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(self.latency)
        self.in_flight -= 1
        return self.answers.get(message.to, ProviderAccepted(f"SM-{message.to}"))


def request(to: str, severity: Severity = Severity.MODERATE, **more: object) -> DispatchRequestV1:
    return DispatchRequestV1(
        alert_id="alr_" + "1" * 32,
        message_id=f"m-{to}",
        recipient_id="a",
        channel="sms",
        to=to,
        body="SG-1: test",
        drill=False,
        severity=severity,
        kind=MessageKind.FIRST_ALERT,
        **more,
    )


class Rig:
    def __init__(self, channel: SlowChannel, slots: int, rate: float = 1000.0) -> None:
        self.channel = channel
        self.settled: dict[str, Settled] = {}
        self.changed = asyncio.Event()
        self.sent_before: set[str] = set()
        pool = PoolPolicy(senders=[SenderConfig(sender="S", segments_per_second=rate)])
        self.pool = SenderPool(pool, asyncio.get_running_loop().time)
        self.delivery = Delivery(
            Dispatcher({ChannelKind.SMS: channel}, DrillGuard(set())),
            self.pool,
            PriorityPolicy(),
            RetryPolicy(first_delay_seconds=30.0),
            {ChannelKind.SMS: slots},
            NotifierMetrics(CollectorRegistry()),
            already_sent=lambda r: r.to in self.sent_before,
        )

    def offer(self, *requests: DispatchRequestV1) -> None:
        for one in requests:

            async def settle(result: Settled, to: str = one.to) -> None:
                self.settled[to] = result
                self.changed.set()

            self.delivery.offer(one, settle, source=one.to[-1])

    async def run_until_settled(self, n: int) -> None:
        task = asyncio.create_task(self.delivery.run())
        try:
            async with asyncio.timeout(10):
                while len(self.settled) < n:
                    await self.changed.wait()
                    self.changed.clear()
        finally:
            task.cancel()


@pytest.fixture
def numbers() -> list[str]:
    return [f"+8420000000{n:02d}" for n in range(20)]


async def test_in_a_burst_the_extreme_case_goes_first_then_the_rest_oldest_first(
    numbers: list[str],
) -> None:
    rig = Rig(SlowChannel(), slots=1)
    rig.offer(*(request(to) for to in numbers[:10]), request(numbers[10], Severity.EXTREME))
    await rig.run_until_settled(11)
    assert rig.channel.sent == [numbers[10], *numbers[:10]]


async def test_sends_run_in_parallel_up_to_the_slots(numbers: list[str]) -> None:
    rig = Rig(SlowChannel(latency=0.05), slots=4)
    rig.offer(*(request(to) for to in numbers[:12]))
    await rig.run_until_settled(12)
    assert rig.channel.most_in_flight == 4
    assert all(isinstance(r, ProviderAccepted) for r in rig.settled.values())


async def test_a_recoverable_failure_becomes_a_retry_time_and_blocks_nobody(
    numbers: list[str],
) -> None:
    failing = ProviderRejected(True, "twilio-503", "HTTP 503", http_status=503)
    rig = Rig(SlowChannel(answers={numbers[0]: failing}), slots=1)
    before = datetime.now(UTC)
    rig.offer(*(request(to) for to in numbers[:5]))
    await rig.run_until_settled(5)
    retry = rig.settled[numbers[0]]
    assert isinstance(retry, Retry)
    assert retry.at.attempt == 2
    assert retry.at.at >= before + timedelta(seconds=15)  # 30 s less at most half of jitter
    assert rig.channel.sent == numbers[:5]  # each sent once; nothing waited on the retry


async def test_a_retry_record_waits_for_its_time(numbers: list[str]) -> None:
    rig = Rig(SlowChannel(), slots=1)
    later = datetime.now(UTC) + timedelta(seconds=0.3)
    rig.offer(request(numbers[0], attempt=2, not_before=later), request(numbers[1]))
    await rig.run_until_settled(2)
    assert rig.channel.sent == [numbers[1], numbers[0]]
    assert datetime.now(UTC) >= later


async def test_a_message_sent_before_is_skipped(numbers: list[str]) -> None:
    rig = Rig(SlowChannel(), slots=1)
    rig.sent_before = {numbers[0]}
    rig.offer(request(numbers[0]))
    await rig.run_until_settled(1)
    assert rig.settled[numbers[0]] == Skip()
    assert rig.channel.sent == []


async def test_throttling_slows_the_sender(numbers: list[str]) -> None:
    throttled = ProviderRejected(
        True, "twilio-20429", "HTTP 429", http_status=429, provider_code=20429
    )
    rig = Rig(SlowChannel(answers={numbers[0]: throttled}), slots=1, rate=100.0)
    rig.offer(request(numbers[0]))
    await rig.run_until_settled(1)
    [sender] = rig.pool.snapshot()
    assert sender.rate < sender.configured_rate


async def test_the_queued_messages_of_a_revoked_source_are_forgotten(numbers: list[str]) -> None:
    rig = Rig(SlowChannel(), slots=1)
    rig.offer(*(request(to) for to in numbers[:10]))  # sources: the numbers' last digits
    assert rig.delivery.forget({"1", "2"}) == 2
    await rig.run_until_settled(8)
    assert sorted(rig.channel.sent) == sorted(n for n in numbers[:10] if n[-1] not in "12")
