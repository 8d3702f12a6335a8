"""The Twilio stand-in at realistic pacing, measured with the official twilio client.

    .venv/bin/python -m bench.standin_bench

One stand-in process on a free loopback port. Three same-run comparisons:

1. The round trip sets the pace of a serial loop: the same sends one at a time and ten at a
   time, at a 300 ms ± 50 ms round trip and no sender limit.
2. A pool of senders drains at its configured rate: messages (some of three UCS-2 segments)
   spread over three senders at 1 segment/s each, sent twenty at a time; the segments that
   left the queues per second, against the pool's configured capacity.
3. The concurrency limit: 150 requests at once against a limit of 100.
"""

import asyncio
import functools
import itertools
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import httpx
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT, TOKEN = "AC" + "0" * 32, "standin-auth-token"
ROUND_TRIP = {"latency_seconds": 0.3, "jitter_seconds": 0.05, "seed": 11}
POOL = ["SAFEGUARD", "+84900000001", "+84900000002"]
THREE_SEGMENTS = "Cảnh báo khẩn " * 12  # UCS-2, 168 characters: three parts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_standin(port: int) -> "subprocess.Popen[bytes]":
    argv = [sys.executable, "-m", "devstack.twilio_standin", "--port", str(port)]
    process = subprocess.Popen(
        [*argv, "--default-receipt", "none"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/_standin/config", timeout=2).raise_for_status()
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the stand-in did not start")


async def in_parallel(jobs: list[Callable[[], Awaitable[object]]], width: int) -> list[object]:
    gate = asyncio.Semaphore(width)

    async def run(job: Callable[[], Awaitable[object]]) -> object:
        async with gate:
            try:
                return await job()
            except TwilioRestException as error:
                return error

    return await asyncio.gather(*(run(job) for job in jobs))


class Bench:
    def __init__(self, url: str) -> None:
        self.url = url
        self.control = httpx.Client(base_url=url, timeout=60)

    def pace(self, **pacing: object) -> None:
        self.control.delete("/_standin/messages").raise_for_status()
        self.control.post("/_standin/config", json={"pacing": pacing}).raise_for_status()

    async def sends(self, bodies: list[tuple[str, str]], width: int) -> tuple[float, list[object]]:
        """Sends (sender, body) pairs, `width` at a time; the seconds taken and the answers."""
        clients = [AsyncTwilioHttpClient(timeout=60) for _ in range(max(1, width // 75 + 1))]
        twilios = [Client(ACCOUNT, TOKEN, http_client=client) for client in clients]
        for twilio in twilios:
            twilio.api.base_url = self.url
        chosen = itertools.cycle(twilios)
        jobs: list[Callable[[], Awaitable[object]]] = [
            functools.partial(
                next(chosen).messages.create_async,
                to=f"+8491200{index:04d}",
                from_=sender,
                body=body,
            )
            for index, (sender, body) in enumerate(bodies)
        ]
        started = time.perf_counter()
        try:
            answers = await in_parallel(jobs, width)
        finally:
            for client in clients:
                await client.close()
        return time.perf_counter() - started, answers

    def departures(self, count: int) -> dict[str, list[tuple[float, int]]]:
        """Per sender, when each message left its queue and its segments, in order."""
        deadline = time.monotonic() + 600
        while True:
            records = self.control.get("/_standin/messages").json()
            gone = [record for record in records if record["left_queue_at"]]
            if len(gone) >= count:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(gone)} of {count} left the queues")
            time.sleep(0.2)
        by_sender: dict[str, list[tuple[float, int]]] = {}
        for record in gone:
            moment = datetime.fromisoformat(record["left_queue_at"]).timestamp()
            by_sender.setdefault(record["from"], []).append((moment, record["num_segments"]))
        return {sender: sorted(times) for sender, times in by_sender.items()}


async def round_trip_sets_a_serial_pace(bench: Bench, count: int = 30) -> None:
    bench.pace(**ROUND_TRIP)
    bodies = [(POOL[0], "x")] * count
    serial, _ = await bench.sends(bodies, width=1)
    bench.pace(**ROUND_TRIP)
    parallel, _ = await bench.sends(bodies, width=10)
    print(f"1. {count} sends at a 300 ms round trip, no sender limit")
    per_round_trip = 0.3 * count / serial
    print(f"   one at a time: {count / serial:5.2f} sends/s ({per_round_trip:.2f} per round trip)")
    print(f"   ten at a time: {count / parallel:5.2f} sends/s, {serial / parallel:.1f}x the serial")


async def pool_drains_at_capacity(bench: Bench, count: int = 45) -> None:
    one_per_second = {"segments_per_second": 1.0, "queue_depth": 4 * 3600}
    bench.pace(**ROUND_TRIP, senders=dict.fromkeys(POOL, one_per_second))
    bodies = [
        (POOL[index % len(POOL)], THREE_SEGMENTS if index % 5 == 0 else "x")
        for index in range(count)
    ]
    await bench.sends(bodies, width=20)
    utilisation = []
    for times in bench.departures(count).values():
        # Each message but the last took its slots between the first and last departures.
        used = sum(segments for _, segments in times[:-1])
        utilisation.append(used / 1.0 / (times[-1][0] - times[0][0]))
    segments = sum(3 if index % 5 == 0 else 1 for index in range(count))
    print(f"2. {count} messages, {segments} segments, over {len(POOL)} senders at 1 segment/s")
    shares = ", ".join(f"{share:.1%}" for share in utilisation)
    print(f"   each sender busy for {shares} of the time between its first and last departure")


async def concurrency_limit(bench: Bench, count: int = 150, limit: int = 100) -> None:
    bench.pace(**ROUND_TRIP, max_concurrent_requests=limit)
    _, answers = await bench.sends([(POOL[0], "x")] * count, width=count)
    throttled = [a for a in answers if isinstance(a, TwilioRestException) and a.code == 20429]
    print(f"3. {count} requests at once, limit {limit}")
    print(f"   answered 20429: {len(throttled)}, accepted: {count - len(throttled)}")


async def main() -> None:
    port = free_port()
    process = start_standin(port)
    try:
        bench = Bench(f"http://127.0.0.1:{port}")
        await round_trip_sets_a_serial_pace(bench)
        await pool_drains_at_capacity(bench)
        await concurrency_limit(bench)
    finally:
        process.terminate()
        process.wait(timeout=15)


if __name__ == "__main__":
    asyncio.run(main())
