"""Token buckets by key: bursts are absorbed, a sustained flood is refused with a wait."""

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter"]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, clock: Callable[[], float], max_keys: int = 10_000) -> None:
        self._clock = clock
        self._max_keys = max_keys  # keys from outside (client addresses) must not grow memory
        self._buckets: dict[str, _Bucket] = {}

    def acquire(self, key: str, rate: float, burst: int) -> float:
        """Take one token; return 0 when allowed, else the seconds until one is available."""
        wait = self.wait(key, rate, burst)
        if wait == 0:
            self._buckets[key].tokens -= 1
        return wait

    def wait(self, key: str, rate: float, burst: int) -> float:
        """The seconds until a token is available (0: now), taking none."""
        bucket = self._refilled(key, rate, burst)
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / rate

    def _refilled(self, key: str, rate: float, burst: int) -> _Bucket:
        now = self._clock()
        if key not in self._buckets and len(self._buckets) >= self._max_keys:
            self._forget_full(now, rate, burst)
        bucket = self._buckets.setdefault(key, _Bucket(tokens=float(burst), updated=now))
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        return bucket

    def _forget_full(self, now: float, rate: float, burst: int) -> None:
        """Drop the buckets that have refilled: forgetting them changes no answer."""
        self._buckets = {
            key: bucket
            for key, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.updated) * rate < burst
        }
