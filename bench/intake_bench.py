"""Intake throughput and latency against a bare FastAPI endpoint measured in the same run.

    .venv/bin/python -m bench.intake_bench [--rate 100] [--seconds 10]

Starts its own Kafka broker (ports 29092/29093, data in .var/kafka-bench), one intake process
and one baseline process (a FastAPI route that answers 202 and does nothing), each a single
uvicorn worker. Reports incidents/s and p50/p99 at a fixed rate, the maximum throughput, and
each as a ratio to the baseline. The load generator shares the machine: compare ratios, not
absolute numbers, across machines.
"""

import argparse
import asyncio
import copy
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.load import Result, fixed_rate, max_throughput
from contracts.incident import IncidentV1
from devstack.kafka import LocalKafka
from services.messaging.topics_admin import ensure_topics

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE: dict[str, Any] = IncidentV1.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index,assignment]
HEADERS = {"Authorization": "Bearer dev-helpline-key"}
RUN = uuid.uuid4().hex[:8]


def incident(index: int) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE)
    body["identifier"] = f"BENCH-{RUN}-{index}"
    return {"json": body, "headers": HEADERS}


def serve(app: str, port: int, env: dict[str, str]) -> "subprocess.Popen[bytes]":
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--factory",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{app} did not start")


async def measure(url: str, rate: float, seconds: float, ok: int) -> tuple[Result, Result]:
    await max_throughput(url, incident, 8, 1.0, ok)  # warm-up: connections, JIT-free paths
    steady = await fixed_rate(url, incident, rate, seconds, ok)
    peak = await max_throughput(url, incident, 32, seconds, ok)
    return steady, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    broker = LocalKafka(ROOT / ".var/kafka-bench", port=29092, controller_port=29093)
    started = broker.running_pid() is None
    if started:
        broker.start()
    ensure_topics(broker.bootstrap)
    env = {
        "SAFEGUARD_KAFKA_BOOTSTRAP": broker.bootstrap,
        "SAFEGUARD_LOG_LEVEL": "WARNING",
        "SAFEGUARD_SOURCES_FILE": str(ROOT / "config/sources.yaml"),
    }
    servers = {
        "baseline": serve("bench.baseline_app:create", 28001, env),
        "intake": serve("bench.baseline_app:create_intake", 28000, env),
    }
    try:
        results = {
            "baseline": asyncio.run(
                measure("http://127.0.0.1:28001/v1/incidents", args.rate, args.seconds, 202)
            ),
            "intake": asyncio.run(
                measure("http://127.0.0.1:28000/v1/incidents", args.rate, args.seconds, 202)
            ),
        }
    finally:
        for process in servers.values():
            process.terminate()
            process.wait()
        if started:
            broker.stop()
    report(results, args.rate)


def report(results: dict[str, tuple[Result, Result]], rate: float) -> None:
    (base_steady, base_peak), (steady, peak) = results["baseline"], results["intake"]
    print(f"fixed rate {rate:.0f}/s, one uvicorn process each")
    print(f"  baseline  {base_steady.line()}")
    print(f"  intake    {steady.line()}")
    print(
        f"  p50 ratio {steady.percentile(50) / base_steady.percentile(50):.2f}x, "
        f"p99 ratio {steady.percentile(99) / base_steady.percentile(99):.2f}x"
    )
    print("maximum throughput, 32 concurrent clients")
    print(f"  baseline  {base_peak.line()}")
    print(f"  intake    {peak.line()}")
    print(f"  throughput ratio {peak.rate / base_peak.rate:.2f}x of baseline")


if __name__ == "__main__":
    main()
