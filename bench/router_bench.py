"""Router throughput (incidents/s, one worker) beside a plain aiokafka consume-and-produce
loop on the same broker, in the same run.

    .venv/bin/python -m bench.router_bench [--incidents 5000]

Uses a fresh broker (ports 26092/26093, data in .var/kafka-router-bench, wiped first) and
router web port 26101: none of them the notifier bench's, so the two can run at once. Both
consumers read the same pre-filled incidents topic under their own consumer group; throughput counts
from the first committed offset to the last, so start-up and rebalancing are left out.
"""

import argparse
import asyncio
import copy
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka.errors import KafkaError

from contracts import cloudevents, events
from contracts.incident import IncidentReportedV1
from contracts.topics import INCIDENTS, Topic
from devstack.kafka import LocalKafka
from services.messaging.lag import LagReader
from services.messaging.topics_admin import ensure_topics

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE: dict[str, Any] = IncidentReportedV1.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index,assignment]


async def fill(bootstrap: str, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        for index in range(count):
            body = copy.deepcopy(EXAMPLE)
            body["incident_id"] = "inc_" + uuid.uuid4().hex
            body["incident"]["identifier"] = f"BENCH-{index}"
            event = IncidentReportedV1.model_validate(body)
            headers, value = cloudevents.encode(
                type=events.INCIDENT_REPORTED, source="bench", data=event
            )
            await producer.send(
                INCIDENTS.name, value, key=event.incident_id.encode(), headers=headers
            )
        await producer.flush()
    finally:
        await producer.stop()


async def plain_loop(bootstrap: str, group: str, count: int) -> None:
    """The floor: read each record, write one record, wait for acks=all, commit."""
    consumer = AIOKafkaConsumer(
        INCIDENTS.name,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await consumer.start()
    await producer.start()
    done = 0
    try:
        while done < count:
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            for messages in batches.values():
                for message in messages:
                    await producer.send_and_wait(
                        "bench.plain-out",
                        message.value,
                        key=message.key,
                        headers=list(message.headers),
                    )
                    done += 1
            await consumer.commit()
    finally:
        await producer.stop()
        await consumer.stop()


def throughput(lag: LagReader, count: int, timeout: float) -> float:
    """Incidents/s between the first and the last committed offset of the group."""
    first: float | None = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            committed = count - sum(lag.lag().values())
        except KafkaError:  # the group coordinator is not up yet
            time.sleep(0.2)
            continue
        now = time.monotonic()
        if first is None and committed > 0:
            first, first_count = now, committed
        if committed >= count and first is not None:
            return (count - first_count) / max(now - first, 1e-6)
        time.sleep(0.05)
    raise RuntimeError("the consumer did not finish in time")


def measure_router(broker: LocalKafka, count: int) -> float:
    group = f"bench-router-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "SAFEGUARD_KAFKA_BOOTSTRAP": broker.bootstrap,
        "SAFEGUARD_ROUTER_APP_ID": group,
        "SAFEGUARD_LOG_LEVEL": "WARNING",
        "SAFEGUARD_ROUTER_WEB_PORT": "26101",
        "SAFEGUARD_ROUTER_DATA_DIR": str(ROOT / ".var/kafka-router-bench/router"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "router"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    lag = LagReader(broker.bootstrap, group, INCIDENTS.name)
    try:
        return throughput(lag, count, timeout=600)
    finally:
        process.terminate()
        process.wait(timeout=60)
        lag.close()


def measure_plain(broker: LocalKafka, count: int) -> float:
    group = f"bench-plain-{uuid.uuid4().hex[:6]}"
    lag = LagReader(broker.bootstrap, group, INCIDENTS.name)
    loop = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import asyncio, sys; from bench.router_bench import plain_loop; "
            f"asyncio.run(plain_loop({broker.bootstrap!r}, {group!r}, {count}))",
        ],
        cwd=ROOT,
    )
    try:
        return throughput(lag, count, timeout=600)
    finally:
        loop.wait(timeout=60)
        lag.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=5000)
    args = parser.parse_args()
    home = ROOT / ".var/kafka-router-bench"
    broker = LocalKafka(home, port=26092, controller_port=26093)
    if broker.running_pid() is not None:
        broker.stop()
    shutil.rmtree(home / "data", ignore_errors=True)
    broker.start()
    try:
        ensure_topics(broker.bootstrap)
        ensure_topics(broker.bootstrap, (Topic("bench.plain-out", partitions=6),))
        asyncio.run(fill(broker.bootstrap, args.incidents))
        plain = measure_plain(broker, args.incidents)
        router = measure_router(broker, args.incidents)
    finally:
        broker.stop()
    print(f"{args.incidents} incidents on {INCIDENTS.partitions} partitions, one process each")
    print(f"  plain aiokafka consume-produce loop  {plain:8.1f} incidents/s")
    print(f"  router (faust, one worker)           {router:8.1f} incidents/s")
    print(f"  router / plain                       {router / plain:8.2f}x")


if __name__ == "__main__":
    main()
