"""When a message that failed recoverably is tried again: exponential backoff with jitter,
as a next-attempt time to be recorded (so it survives a restart), never as a sleep."""

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["GiveUp", "RetryAt", "RetryPolicy", "next_attempt"]


class RetryPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    first_delay_seconds: float = Field(default=2.0, gt=0.0)
    multiplier: float = Field(default=2.0, ge=1.0)
    max_delay_seconds: float = Field(default=300.0, gt=0.0)
    # Up to this fraction of each delay is taken off at random, so retries do not bunch up.
    jitter: float = Field(default=0.5, ge=0.0, le=1.0)
    max_attempts: int = Field(default=8, ge=1)

    @classmethod
    def parse(cls, raw: Mapping[str, object]) -> Self:
        return cls.model_validate(raw)

    def delay_cap(self, attempts_made: int) -> float:
        """The delay after the n-th failed attempt, before jitter."""
        growth = (attempts_made - 1) * math.log(self.multiplier)
        if growth >= math.log(self.max_delay_seconds / self.first_delay_seconds):
            return self.max_delay_seconds  # also where the power would overflow a float
        return min(self.max_delay_seconds, self.first_delay_seconds * math.exp(growth))


@dataclass(frozen=True)
class RetryAt:
    at: datetime
    attempt: int  # the number of the attempt to come, the first being 1


@dataclass(frozen=True)
class GiveUp:
    attempts: int


def next_attempt(
    policy: RetryPolicy,
    attempts_made: int,
    failed_at: datetime,
    rng: random.Random,
    retry_after_seconds: float | None = None,
) -> RetryAt | GiveUp:
    """After `attempts_made` attempts, the last failed recoverably at `failed_at`: when to try
    again, never before the gateway's Retry-After; or give up."""
    if attempts_made < 1:
        raise ValueError("a retry follows at least one attempt")
    if attempts_made >= policy.max_attempts:
        return GiveUp(attempts_made)
    delay = policy.delay_cap(attempts_made) * (1.0 - policy.jitter * rng.random())
    delay = max(delay, retry_after_seconds or 0.0)
    return RetryAt(failed_at + timedelta(seconds=delay), attempts_made + 1)
