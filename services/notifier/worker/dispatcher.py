"""Sends one DispatchRequest: picks the channel, keeps each sender under its rate, retries a
recoverable failure with backoff and jitter, and returns the final outcome."""

import asyncio
import random
import time
from collections.abc import Awaitable, Callable

from contracts.dispatch import DispatchRequestV1
from services.notifier.core.channels import (
    Channel,
    ChannelKind,
    Outbound,
    ProviderAnswer,
    ProviderRejected,
)
from services.notifier.core.retry import RetryPolicy, backoff
from services.ratelimit import RateLimiter

__all__ = ["Dispatcher", "DrillGuard"]

_DEFAULT_RETRY = RetryPolicy()


class DrillGuard:
    """A second lock on drills, behind the policy's own: a drill message may only go to the
    configured drill recipient's addresses."""

    def __init__(self, drill_addresses: set[str]) -> None:
        self._allowed = drill_addresses

    def refuses(self, request: DispatchRequestV1) -> bool:
        return request.drill and request.to not in self._allowed


class Dispatcher:
    def __init__(
        self,
        channels: dict[ChannelKind, Channel],
        phone_rate: float,
        guard: DrillGuard,
        retry: RetryPolicy = _DEFAULT_RETRY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._channels = channels
        self._phone_rate = phone_rate
        self._guard = guard
        self._retry = retry
        self._sleep = sleep
        self._limiter = RateLimiter(time.monotonic)
        self._random = random.Random()  # noqa: S311 - jitter, not security

    async def send(
        self, request: DispatchRequestV1, on_retry: Callable[[ProviderRejected], Awaitable[None]]
    ) -> ProviderAnswer:
        """The final outcome; `on_retry` hears of each recoverable failure retried."""
        if self._guard.refuses(request):
            return ProviderRejected(
                recoverable=False, code="drill-guard", reason="not a drill address"
            )
        channel = ChannelKind(request.channel)
        outbound = Outbound(
            channel=channel,
            to=request.to,
            body=request.body,
            subject=request.subject,
            html=request.html,
            status_callback=request.status_callback,
        )
        outcome: ProviderAnswer = ProviderRejected(recoverable=True, code="not-tried", reason="")
        for attempt in range(self._retry.max_attempts):
            if channel is not ChannelKind.EMAIL:
                await self._wait_for_sender_slot()
            outcome = await self._channels[channel].send(outbound)
            if not isinstance(outcome, ProviderRejected) or not outcome.recoverable:
                return outcome
            if attempt + 1 < self._retry.max_attempts:
                await on_retry(outcome)
                await self._sleep(
                    backoff(
                        attempt, self._retry.base_seconds, self._retry.cap_seconds, self._random
                    )
                )
        return outcome

    async def _wait_for_sender_slot(self) -> None:
        """One sender number: Twilio queues what exceeds ~1 message/s, we pace it instead."""
        while (wait := self._limiter.acquire("sender", self._phone_rate, burst=1)) > 0:
            await self._sleep(wait)
