"""Open-loop load at a fixed rate and closed-loop maximum throughput, over real HTTP."""

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Result:
    sent: int
    ok: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def line(self) -> str:
        return (
            f"{self.ok}/{self.sent} ok, {self.rate:7.1f}/s, p50 {self.percentile(50):6.2f} ms, "
            f"p99 {self.percentile(99):6.2f} ms, mean {statistics.fmean(self.latencies_ms):6.2f} ms"
        )


RequestFactory = Callable[[int], dict[str, Any]]


async def fixed_rate(
    url: str, make: RequestFactory, rate: float, seconds: float, ok: int
) -> Result:
    """Requests start on schedule whatever the server does; latency counts from the schedule,
    so a slow server cannot hide its queueing (no coordinated omission)."""
    count = int(rate * seconds)
    latencies: list[float] = []
    successes = 0
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        start = time.perf_counter()

        async def one(index: int) -> None:
            nonlocal successes
            scheduled = start + index / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            response = await client.post(url, **make(index))
            latencies.append((time.perf_counter() - scheduled) * 1000)
            successes += response.status_code == ok

        await asyncio.gather(*(one(index) for index in range(count)))
        elapsed = time.perf_counter() - start
    return Result(count, successes, elapsed, latencies)


async def max_throughput(
    url: str, make: RequestFactory, concurrency: int, seconds: float, ok: int
) -> Result:
    latencies: list[float] = []
    successes = sent = 0
    async with httpx.AsyncClient(timeout=30) as client:
        start = time.perf_counter()
        deadline = start + seconds

        async def worker() -> None:
            nonlocal successes, sent
            while time.perf_counter() < deadline:
                index = sent
                sent += 1
                began = time.perf_counter()
                response = await client.post(url, **make(index))
                latencies.append((time.perf_counter() - began) * 1000)
                successes += response.status_code == ok

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return Result(sent, successes, elapsed, latencies)
