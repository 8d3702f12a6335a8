"""Several sender identities (alphanumeric sender IDs, numbers, a Messaging Service), each
sending at its own rate counted in segments, as the provider counts them. Throttling by the
gateway (429 / Twilio 20429) slows that sender, which then recovers (additive increase,
multiplicative decrease); a full queue or a sender that keeps failing is rested while its
traffic goes to the others. Pure: the clock is injected."""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Grant",
    "Outcome",
    "PoolPolicy",
    "SenderConfig",
    "SenderPool",
    "SenderState",
    "Wait",
    "outcome_of",
]

# Twilio: too many requests; a sender's queue is full (a From number at once, a messaging
# service's message afterwards).
_THROTTLED_CODES = frozenset({20429})
_QUEUE_FULL_CODES = frozenset({21611, 30001})


class Outcome(StrEnum):
    OK = "ok"  # the sender worked, whatever the recipient's network did with the message
    THROTTLED = "throttled"
    QUEUE_FULL = "queue_full"
    FAILED = "failed"  # the gateway or the sender failed: no answer, a 5xx


def outcome_of(http_status: int | None, error_code: int | None) -> Outcome:
    """What a gateway answer says about the sender; None status: no answer at all."""
    if http_status == 429 or error_code in _THROTTLED_CODES:
        return Outcome.THROTTLED
    if error_code in _QUEUE_FULL_CODES:
        return Outcome.QUEUE_FULL
    if http_status is None or http_status >= 500:
        return Outcome.FAILED
    return Outcome.OK


class SenderConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sender: str = Field(min_length=1)  # From number, alphanumeric ID or MessagingServiceSid
    segments_per_second: float = Field(gt=0.0)
    burst_segments: int = Field(default=1, ge=1)


class PoolPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    senders: list[SenderConfig] = Field(min_length=1)
    # On throttling, the rate is multiplied by this, never below the floor fraction...
    throttle_factor: float = Field(default=0.5, gt=0.0, lt=1.0)
    min_rate_fraction: float = Field(default=0.05, gt=0.0, le=1.0)
    # ...and regains this fraction of its configured rate per second without throttling.
    recovery_per_second: float = Field(default=0.05, gt=0.0)
    queue_full_rest_seconds: float = Field(default=60.0, ge=0.0)
    failures_before_rest: int = Field(default=3, ge=1)
    failure_rest_seconds: float = Field(default=30.0, ge=0.0)

    @classmethod
    def parse(cls, raw: Mapping[str, object]) -> Self:
        return cls.model_validate(raw)

    @model_validator(mode="after")
    def _senders_are_unique(self) -> Self:
        names = [config.sender for config in self.senders]
        if len(set(names)) != len(names):
            raise ValueError("a sender is listed twice")
        return self


@dataclass(frozen=True)
class Grant:
    sender: str
    segments: int


@dataclass(frozen=True)
class Wait:
    seconds: float  # until a sender can take the message


@dataclass(frozen=True)
class SenderState:
    """For metrics: `rate` is the current allowed rate, below `configured_rate` after
    throttling; `resting_until` is set while the sender gets no traffic."""

    sender: str
    configured_rate: float
    rate: float
    tokens: float
    resting_until: float | None
    consecutive_failures: int


class _Sender:
    def __init__(self, config: SenderConfig, now: float) -> None:
        self.config = config
        self.rate = config.segments_per_second
        self.tokens = float(config.burst_segments)
        self.updated = now
        self.resting_until = now
        self.failures = 0

    def refresh(self, now: float, recovery_per_second: float) -> None:
        elapsed = max(0.0, now - self.updated)
        # Refill at the rate of the interval's start: the rate only grows during it.
        self.tokens = min(float(self.config.burst_segments), self.tokens + elapsed * self.rate)
        regained = elapsed * recovery_per_second * self.config.segments_per_second
        self.rate = min(self.config.segments_per_second, self.rate + regained)
        self.updated = now

    def needs(self, segments: int) -> float:
        """Tokens needed to start: a message longer than the burst starts from a full bucket
        and leaves it in debt, so it takes as many slots as it has segments."""
        return float(min(segments, self.config.burst_segments))

    def ready_in(self, segments: int, now: float) -> float:
        refill = max(0.0, self.needs(segments) - self.tokens) / self.rate
        return max(refill, self.resting_until - now)


class SenderPool:
    def __init__(self, policy: PoolPolicy, clock: Callable[[], float]) -> None:
        self._policy = policy
        self._clock = clock
        now = clock()
        self._senders = {config.sender: _Sender(config, now) for config in policy.senders}

    def acquire(self, segments: int, among: Collection[str] | None = None) -> Grant | Wait:
        """Take `segments` slots from the sender with most room now, or say how long to wait.
        `among` limits the choice (a call needs a number, a reply code a two-way sender)."""
        if segments < 1:
            raise ValueError("a message has at least one segment")
        now = self._refreshed()
        senders = [state for name, state in self._senders.items() if among is None or name in among]
        if not senders:
            raise ValueError("none of the senders asked for is in the pool")
        ready = [sender for sender in senders if sender.ready_in(segments, now) <= 0]
        if not ready:
            return Wait(min(sender.ready_in(segments, now) for sender in senders))
        chosen = max(ready, key=lambda sender: sender.tokens)  # ties: the first configured
        chosen.tokens -= segments
        return Grant(chosen.config.sender, segments)

    def report(self, sender: str, outcome: Outcome) -> None:
        """What the gateway answered to a message sent with a grant of `sender`."""
        now = self._refreshed()
        state = self._senders[sender]
        if outcome is Outcome.OK:
            state.failures = 0
        elif outcome is Outcome.THROTTLED:
            floor = self._policy.min_rate_fraction * state.config.segments_per_second
            state.rate = max(floor, state.rate * self._policy.throttle_factor)
            state.tokens = min(state.tokens, 0.0)  # back off: the next slot at the new rate
        elif outcome is Outcome.QUEUE_FULL:
            state.resting_until = now + self._policy.queue_full_rest_seconds
        else:
            self._failed(state, now)

    def snapshot(self) -> list[SenderState]:
        now = self._refreshed()
        return [
            SenderState(
                sender=name,
                configured_rate=state.config.segments_per_second,
                rate=state.rate,
                tokens=state.tokens,
                resting_until=state.resting_until if state.resting_until > now else None,
                consecutive_failures=state.failures,
            )
            for name, state in self._senders.items()
        ]

    def _failed(self, state: _Sender, now: float) -> None:
        state.failures += 1
        if state.failures >= self._policy.failures_before_rest:
            state.resting_until = now + self._policy.failure_rest_seconds
            # Back from its rest, one more failure rests it again; one success clears it.
            state.failures = self._policy.failures_before_rest - 1

    def _refreshed(self) -> float:
        now = self._clock()
        for state in self._senders.values():
            state.refresh(now, self._policy.recovery_per_second)
        return now
