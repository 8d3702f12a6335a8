"""Burst with a needle: does an extreme case overtake a routine backlog, and does the backlog
still drain at the sender pool's capacity?

    .venv/bin/python -m bench.needle_bench [--incidents 334] [--needles 20] [--json FILE]

Each phase has a fresh broker of its own (ports 27092/27093, data in .var/kafka-needle wiped
first), the Twilio stand-in with realistic pacing (300 ms round trip, 20429 beyond 100
requests in flight) and a pool of three senders at 20 segments/s each (delivery.yaml in a copy
of config/dienbien, the stand-in queueing each sender at the same rate), intake, one router and
one notifier worker, each its own process. A routine burst (Moderate neglect cases, three
agencies each: about 1,000 alerts) is posted; once the whole burst waits in the notifier's
delivery loop (its queue depth stops growing; `--while-filling`: as soon as 300 wait), one
Extreme immediate-danger case (five agencies) is posted at a time, spread over the drain.

A needle's time runs from intake's 202 to its first SMS request at the stand-in, and is split
by stage at its first record on alerts.requested and on alerts.dispatch (the records'
timestamps). The drain rate is the segments per second the stand-in received from the first
routine request to the last. The same run repeats with `priority: {enabled: false}` (first
in, first out) for comparison.
"""

import argparse
import asyncio
import copy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeAlias

import httpx
import yaml
from kafka import KafkaConsumer, TopicPartition

from bench.ledger import reference_of
from bench.needle_stats import (
    Phase,
    Sms,
    drain_of,
    first_at,
    needle_times,
    sms_of,
    stages_of,
    table,
)
from contracts.topics import ALERT_DISPATCH, ALERTS_REQUESTED
from devstack.kafka import LocalKafka
from devstack.scenarios import SCENARIOS
from devstack.twilio_settings import REALISTIC_PACING, Pacing, SenderPace
from services.messaging.topics_admin import ensure_topics

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / ".var/kafka-needle"
STANDIN = "http://127.0.0.1:27030"
INTAKE = "http://127.0.0.1:27000"
NOTIFIER_WEB = "http://127.0.0.1:27102"
SENDERS = ("SAFEGUARD1", "SAFEGUARD2", "SAFEGUARD3")
SEGMENTS_PER_SECOND = 20.0
CAPACITY = SEGMENTS_PER_SECOND * len(SENDERS)
AUTH = {"Authorization": "Bearer dev-helpline-key"}
# Moderate neglect needing shelter, Tuần Giáo: shelter, child protection officer, health.
ROUTINE = next(s.incident for s in SCENARIOS if s.incident["identifier"] == "SCN-04")
# Extreme and in immediate danger, Điện Biên Phủ ward: five agencies. No sex or school, so no
# two needles are taken for the same child (an update, not an alert).
NEEDLE = {
    **next(s.incident for s in SCENARIOS if s.incident["identifier"] == "SCN-01"),
    "severity": "Extreme",
    "child": {"age": 12},
}

Process: TypeAlias = "subprocess.Popen[bytes]"


def pacing() -> Pacing:
    """REALISTIC_PACING, with each bench sender queued at the rate the notifier is given."""
    pace = SenderPace(segments_per_second=SEGMENTS_PER_SECOND, queue_depth=4 * 3600 * 20)
    return REALISTIC_PACING.model_copy(
        update={"seed": 11, "senders": dict.fromkeys(SENDERS, pace)}, deep=True
    )


def delivery_yaml(priority: bool) -> dict[str, Any]:
    senders = [{"sender": s, "segments_per_second": SEGMENTS_PER_SECOND} for s in SENDERS]
    return {"priority": {"enabled": priority}, "senders": {"senders": senders}}


def start(argv: list[str], environment: dict[str, str], ready_url: str, log: Path) -> Process:
    """Starts a service and waits until it answers; a port someone else holds is refused, so
    an earlier run's leftover never answers for this one."""
    port = int(ready_url.split(":")[2].split("/")[0])
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is in use; stop what holds it")
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv, env={**os.environ, **environment}, cwd=ROOT, stdout=out, stderr=out
        )
    try:
        _wait_ready(ready_url)
    except BaseException:  # also Ctrl-C: never leave it running
        process.kill()
        process.wait()
        raise
    return process


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within 120 s; see {HOME / 'services.log'}")


def fresh_broker(broker: LocalKafka) -> None:
    if broker.running_pid() is not None:
        broker.stop()
    shutil.rmtree(HOME / "data", ignore_errors=True)
    libs = ROOT / ".var/kafka" / f"libs-{broker.version}"
    if libs.exists() and not (HOME / libs.name).exists():
        shutil.copytree(libs, HOME / libs.name)  # spares a Maven resolve
    broker.start()
    ensure_topics(broker.bootstrap)


def province(priority: bool) -> Path:
    config = HOME / "config"
    shutil.rmtree(config, ignore_errors=True)
    shutil.copytree(ROOT / "config/dienbien", config)
    text = yaml.safe_dump(delivery_yaml(priority), sort_keys=False)
    (config / "delivery.yaml").write_text(text, encoding="utf-8")
    return config


def environment_for(broker: LocalKafka, config: Path) -> dict[str, str]:
    return {
        "SAFEGUARD_KAFKA_BOOTSTRAP": broker.bootstrap,
        "SAFEGUARD_CONFIG_DIR": str(config),
        "SAFEGUARD_LOG_LEVEL": "WARNING",
        "SAFEGUARD_TWILIO_BASE_URL": STANDIN,
        "SAFEGUARD_ROUTER_WEB_PORT": "27101",
        "SAFEGUARD_NOTIFIER_WEB_PORT": "27102",
        "SAFEGUARD_ROUTER_DATA_DIR": str(HOME / "router"),
        "SAFEGUARD_NOTIFIER_DATA_DIR": str(HOME / "notifier"),
        "SAFEGUARD_SOURCES_FILE": str(ROOT / "config/sources.yaml"),
    }


def start_services(environment: dict[str, str], processes: list[Process]) -> None:
    """Starts each service into `processes`, so the caller stops those that did start."""
    python, log = sys.executable, HOME / "services.log"
    standin = [python, "-m", "devstack.twilio_standin", "--port", "27030"]
    intake = [python, "-m", "uvicorn", "bench.baseline_app:create_intake", "--factory"]
    processes.append(
        start([*standin, "--default-receipt", "none"], environment, f"{STANDIN}/", log)
    )
    body = {"pacing": pacing().model_dump()}
    httpx.post(f"{STANDIN}/_standin/config", json=body, timeout=10).raise_for_status()
    intake += ["--port", "27000", "--log-level", "warning"]
    processes.append(start(intake, environment, f"{INTAKE}/readyz", log))
    cli = [python, "-m", "services.cli"]
    processes.append(start([*cli, "router"], environment, "http://127.0.0.1:27101/readyz", log))
    processes.append(start([*cli, "notifier"], environment, f"{NOTIFIER_WEB}/readyz", log))


@contextmanager
def rig(priority: bool) -> Iterator[LocalKafka]:
    broker = LocalKafka(HOME, port=27092, controller_port=27093)
    processes: list[Process] = []
    try:
        fresh_broker(broker)
        start_services(environment_for(broker, province(priority)), processes)
        yield broker
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=60)
        if broker.running_pid() is not None:
            broker.stop()


async def post(client: httpx.AsyncClient, template: dict[str, Any], prefix: str) -> str:
    """Posts one incident until a 202; its reference."""
    body = copy.deepcopy(template)
    body["identifier"] = f"{prefix}-{uuid.uuid4().hex[:12]}"
    for _ in range(20):
        response = await client.post(f"{INTAKE}/v1/incidents", json=body, headers=AUTH)
        if response.status_code == 202:
            return reference_of(str(response.json()["incident_id"]))
        await asyncio.sleep(0.5)
    raise RuntimeError(f"intake kept answering {response.status_code}")


async def burst(incidents: int) -> None:
    limit = asyncio.Semaphore(16)
    async with httpx.AsyncClient(timeout=30) as client:

        async def one() -> None:
            async with limit:
                await post(client, ROUTINE, "ROUTINE")

        await asyncio.gather(*(one() for _ in range(incidents)))


def queued() -> int:
    """Messages waiting in the notifier's delivery loop, every class."""
    text = httpx.get(f"{NOTIFIER_WEB}/metrics", timeout=10).text
    name = "safeguard_notifier_dispatch_queue_depth"
    lines = [x for x in text.splitlines() if x.startswith(name)]
    return int(sum(float(line.rsplit(" ", 1)[1]) for line in lines))


def wait_for_backlog(least: int, filled: bool, timeout: float = 180) -> int:
    """Until at least `least` messages are queued and, with `filled`, the queue has stopped
    growing for 2 s (the whole burst has reached the delivery loop)."""
    deadline, peak, peak_at = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        depth = queued()
        if depth > peak:
            peak, peak_at = depth, time.monotonic()
        if depth >= least and (not filled or time.monotonic() - peak_at > 2):
            return depth
        time.sleep(0.5)
    raise RuntimeError(f"the notifier never queued {least} messages (peak {peak})")


async def needles(count: int, interval: float) -> dict[str, float]:
    """Reference -> epoch time of the 202, one needle at a time, `interval` apart."""
    posted: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(count):
            began = time.monotonic()
            reference = await post(client, NEEDLE, "NEEDLE")
            posted[reference] = time.time()
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - began)))
    return posted


_INCIDENT = re.compile(rb"inc_([0-9a-f]{8})")
_REFERENCE = re.compile(rb"SG-[0-9A-F]{8}")


def record_times(bootstrap: str, topic: str, pattern: re.Pattern[bytes]) -> dict[str, float]:
    """Reference -> timestamp of the first record of the topic naming it (its incident id on
    alerts.requested, the SMS body's reference on alerts.dispatch)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    end = consumer.end_offsets(partitions)
    seen: list[tuple[str | None, float]] = []
    while any(consumer.position(p) < end[p] for p in partitions):
        for records in consumer.poll(timeout_ms=1000).values():
            seen += [(_reference(pattern, r.value), r.timestamp / 1000) for r in records]
    consumer.close()
    return first_at(seen)


def _reference(pattern: re.Pattern[bytes], value: bytes | None) -> str | None:
    found = pattern.search(value or b"")
    if found is None:
        return None
    text = found.group(0).decode()
    return text if text.startswith("SG-") else "SG-" + found.group(1).decode().upper()


def settled_messages(posted: dict[str, float], timeout: float) -> list[Sms]:
    """The stand-in's SMS once every needle has one and nothing new came for 5 s."""
    deadline, last, still_since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        sms = sms_of(httpx.get(f"{STANDIN}/_standin/messages", timeout=60).json())
        if len(sms) != last:
            last, still_since = len(sms), time.monotonic()
        elif time.monotonic() - still_since > 5 and len(needle_times(posted, sms)) == len(posted):
            return sms
        time.sleep(2)
    raise RuntimeError(f"not settled within {timeout} s ({last} SMS)")


def run_phase(priority: bool, args: argparse.Namespace) -> tuple[Phase, dict[str, Any]]:
    label = "priority on" if priority else "priority off (FIFO)"
    print(f"{label}: starting", flush=True)
    with rig(priority) as broker:
        asyncio.run(burst(args.incidents))
        depth = wait_for_backlog(args.backlog, filled=not args.while_filling)
        print(f"{label}: burst posted, {depth} messages queued; needles", flush=True)
        posted = asyncio.run(needles(args.needles, args.interval))
        sms = settled_messages(posted, timeout=args.timeout)
        requested = record_times(broker.bootstrap, ALERTS_REQUESTED.name, _INCIDENT)
        dispatched = record_times(broker.bootstrap, ALERT_DISPATCH.name, _REFERENCE)
    times = needle_times(posted, sms)
    drain = drain_of(sms, posted)
    last_routine = max(m.created for m in sms if m.reference not in posted)
    in_drain = sum(1 for at in posted.values() if at < last_routine)
    stages = stages_of(posted, requested, dispatched, sms)
    phase = Phase(label, CAPACITY, [times[r] for r in posted], in_drain, drain, stages)
    began = sms[0].created
    raw = {
        "sms": [[m.created - began, m.segments, m.reference in posted] for m in sms],
        "needles_posted": [at - began for at in posted.values()],
    }
    return phase, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=334, help="routine ones, 3 alerts each")
    parser.add_argument("--needles", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.5, help="seconds between needles")
    parser.add_argument("--backlog", type=int, default=300, help="queued before the first needle")
    parser.add_argument(
        "--while-filling",
        action="store_true",
        help="post the first needle once --backlog is queued, while the burst still flows in",
    )
    parser.add_argument("--timeout", type=float, default=240.0)
    parser.add_argument("--json", type=Path, help="write the figures and the timelines here")
    args = parser.parse_args()
    began = time.monotonic()
    results = [run_phase(priority, args) for priority in (True, False)]
    print(f"\nburst with a needle, {time.monotonic() - began:.0f} s in all\n")
    print(table([phase for phase, _ in results]))
    if args.json:
        dump = [{"phase": asdict(phase), **raw} for phase, raw in results]
        args.json.write_text(json.dumps(dump, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
