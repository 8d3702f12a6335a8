"""Retrying a recoverable send failure: how many attempts, and how long to wait before each
("full jitter" exponential backoff). The dispatcher retries its sends with it."""

from dataclasses import dataclass
from typing import Protocol

__all__ = ["RandomSource", "RetryPolicy", "backoff"]


class RandomSource(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


def backoff(attempt: int, base: float, cap: float, rng: RandomSource) -> float:
    """Seconds before retry number `attempt` (0 for the first): "full jitter", uniform between
    zero and the capped exponential, so many failing sends do not retry in step."""
    if attempt < 0 or base <= 0 or cap <= 0:
        raise ValueError("attempt must be >= 0, base and cap > 0")
    return rng.uniform(0.0, min(cap, base * 2.0 ** min(attempt, 64)))


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_seconds: float = 2.0
    cap_seconds: float = 60.0
