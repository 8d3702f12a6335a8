"""The chaos run: a steady load of incidents while services, the broker and the SMS gateway
fail on a schedule; then a ledger reconciled from the topics and the stand-in.

    .venv/bin/python -m bench.chaos [--seconds 150] [--rate 2] [--seed 7] [--rounds 1]
                                    [--report FILE]

Loopback only, on ports 31000-31102, below the ephemeral range (so no other program's free
port can take one while a service restarts): a fresh broker (31092/31093, data in
.var/kafka-chaos wiped first), the Twilio stand-in, the SMTP mailbox, intake, router, notifier
worker and notifier front, each its own process. Exits 1 when the ledger shows a loss.
"""

import argparse
import hashlib
import itertools
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import yaml
from kafka import KafkaConsumer, TopicPartition

from bench.ledger import LATE_SECONDS, AlertTrail, Observed, reconcile
from contracts import events
from contracts.alert import AlertRequestedV1
from contracts.alert_event import AlertEventV1
from contracts.deadletter import DeadLetterV1
from contracts.topics import ALERT_EVENTS, ALERTS_REQUESTED, DEAD_LETTERS, INCIDENTS
from devstack.kafka import LocalKafka
from devstack.scenarios import SCENARIOS
from services.messaging.topics_admin import ensure_topics
from services.notifier.core import links
from services.notifier.settings import NotifierSettings

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / ".var/kafka-chaos"
STANDIN, INTAKE, FRONT = (
    "http://127.0.0.1:31030",
    "http://127.0.0.1:31000",
    "http://127.0.0.1:31001",
)
ROSTERS = ROOT / "tests/integration/notifier/rosters.yaml"  # the police escalate in seconds
OPS_KEY = "chaos-ops-key"
SOURCES = ("Bearer dev-helpline-key", "Bearer dev-school-key")
LINK_SECRET = NotifierSettings().link_secret.get_secret_value().encode()  # the services' own
ACK_LINK = re.compile(r"https?://\S+/ack/[A-Za-z0-9_-]{40}")
CALL_ALERT = re.compile(r"alert_id=(alr_[0-9a-f]{32})")


@dataclass
class Service:
    name: str
    argv: list[str]
    ready_url: str
    process: "subprocess.Popen[bytes] | None" = None

    def start(self, environment: dict[str, str], logs: Path) -> None:
        log = (logs / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self.argv, env={**os.environ, **environment}, cwd=ROOT, stdout=log, stderr=log
        )
        wait_until(self._ready, 120, f"{self.name} ready")

    def _ready(self) -> bool:
        assert self.process is not None
        if (code := self.process.poll()) is not None:
            raise RuntimeError(f"{self.name} exited with {code} before it was ready: see its log")
        return _answers(self.ready_url)

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Rig:
    broker: LocalKafka
    services: dict[str, Service]
    environment: dict[str, str]
    logs: Path
    restarts: dict[str, int] = field(default_factory=dict)

    def restart(self, name: str, pause: float = 2.0) -> None:
        self.services[name].kill()
        time.sleep(pause)
        self.services[name].start(self.environment, self.logs)
        self.restarts[name] = self.restarts.get(name, 0) + 1

    def bounce_broker(self) -> None:
        self.broker.stop()
        time.sleep(3)
        self.broker.start()

    def gateway(self, **behaviour: Any) -> None:
        httpx.post(f"{STANDIN}/_standin/config", json=behaviour, timeout=10).raise_for_status()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def wait_until(probe: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.3)
    raise RuntimeError(f"timed out: {what}")


def faults(rig: Rig) -> list[tuple[str, Callable[[], None]]]:
    """The schedule, in order; each fault lasts until the next one starts."""
    return [
        ("SIGKILL router, restart", lambda: rig.restart("router")),
        (
            "gateway answers 503 to the next 6 sends",
            lambda: rig.gateway(faults=[{"status": 503}] * 6),
        ),
        ("SIGKILL notifier worker, restart", lambda: rig.restart("notifier")),
        (
            "gateway 429/20429 to the next 6 sends",
            lambda: rig.gateway(faults=[{"status": 429, "code": 20429}] * 6),
        ),
        ("SIGKILL notifier front, restart", lambda: rig.restart("notifier-api")),
        ("gateway: no receipts at all", lambda: rig.gateway(default_receipt="none")),
        ("SIGKILL intake, restart", lambda: rig.restart("intake")),
        ("gateway: undelivered receipts", lambda: rig.gateway(default_receipt="undelivered")),
        ("broker stopped 3 s and started", rig.bounce_broker),
        (
            "gateway: a 12 s timeout on the next 3 sends",
            lambda: rig.gateway(
                default_receipt="delivered", faults=[{"status": 503, "delay_seconds": 12.0}] * 3
            ),
        ),
        ("SMTP server down, restart", lambda: rig.restart("mailbox", pause=5.0)),
    ]


@dataclass
class Load:
    """Posts incidents at a steady rate, retrying (same body, same identifier) until a 202."""

    rate: float
    rng: random.Random
    accepted: dict[str, bool] = field(default_factory=dict)
    refused: int = 0  # answers other than 202 (each retried)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(timeout=15) as client:
            while not self.stop.is_set():
                began = time.monotonic()
                self._post_one(client)
                self.stop.wait(max(0.0, 1 / self.rate - (time.monotonic() - began)))

    def _post_one(self, client: httpx.Client) -> None:
        drill = self.rng.random() < 0.25
        body = {**self.rng.choice(SCENARIOS).incident, "identifier": f"CHAOS-{uuid.uuid4().hex}"}
        body["status"] = "Exercise" if drill else "Actual"
        headers = {"Authorization": self.rng.choice(SOURCES)}
        for _ in range(60):
            try:
                response = client.post(f"{INTAKE}/v1/incidents", json=body, headers=headers)
                if response.status_code == 202:
                    self.accepted[response.json()["incident_id"]] = drill
                    return
            except httpx.TransportError:
                pass
            self.refused += 1
            time.sleep(0.5)


@dataclass
class Acknowledger:
    """Acknowledges open alerts of earlier incidents every 2 s, in turn by the ops API, by the
    link in the officer's SMS, and by pressing 1 in an escalation call at the stand-in."""

    load: Load
    rng: random.Random
    given: set[str] = field(default_factory=set)
    by_method: Counter[str] = field(default_factory=Counter)

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {OPS_KEY}"}
        methods = itertools.cycle((self._by_api, self._by_link, self._by_keypress))
        with httpx.Client(timeout=10, headers=headers) as client:
            while not self.load.stop.is_set():
                self.load.stop.wait(2.0)
                try:
                    name, alert_id = next(methods)(client)
                except (httpx.TransportError, ValueError, KeyError):
                    continue  # the front or the stand-in is down in this fault: nothing given
                if alert_id is not None:
                    self.given.add(alert_id)
                    self.by_method[name] += 1

    def _open_alerts(self, client: httpx.Client) -> list[str]:
        actual = [i for i, drill in list(self.load.accepted.items()) if not drill]
        if not actual:
            return []
        listed = client.get(f"{FRONT}/v1/alerts", params={"incident": self.rng.choice(actual)})
        return [
            a["alert_id"]
            for a in listed.json().get("alerts", [])
            if a["lifecycle"] in ("notified", "escalated")
        ]

    def _by_api(self, client: httpx.Client) -> tuple[str, str | None]:
        if not (open_alerts := self._open_alerts(client)):
            return "api", None
        alert_id = self.rng.choice(open_alerts)
        answer = client.post(f"{FRONT}/v1/alerts/{alert_id}/ack", json={"by": "chaos"})
        return "api", alert_id if answer.status_code == 202 else None

    def _by_link(self, client: httpx.Client) -> tuple[str, str | None]:
        """POST the link of a recent SMS whose alert is still open."""
        recent = client.get(f"{STANDIN}/_standin/messages").json()[-200:]
        self.rng.shuffle(recent)
        for message in recent:
            for link in ACK_LINK.findall(str(message["body"])):
                claims = links.verify(LINK_SECRET, link.rsplit("/", 1)[1], datetime.now(UTC))
                if isinstance(claims, links.LinkClaims) and self._is_open(client, claims.alert_id):
                    answer = client.post(link)
                    confirmed = answer.status_code in (200, 202) and "form" not in answer.text
                    return "link", claims.alert_id if confirmed else None
        return "link", None

    def _by_keypress(self, client: httpx.Client) -> tuple[str, str | None]:
        """Press 1 in an escalation call still waiting for a key."""
        calls = client.get(f"{STANDIN}/_standin/calls").json()
        waiting = [c for c in calls if c["status"] == "in-progress" and not c["digits"]]
        for call in self.rng.sample(waiting, len(waiting)):
            found = CALL_ALERT.search(str(call["twiml"]))
            if found and self._is_open(client, found.group(1)):
                pressed = client.post(
                    f"{STANDIN}/_standin/calls/{call['sid']}/press", json={"digits": "1"}
                )
                thanked = pressed.status_code == 200 and pressed.json().get("status") == 200
                return "keypress", found.group(1) if thanked else None
        return "keypress", None

    def _is_open(self, client: httpx.Client, alert_id: str) -> bool:
        shown = client.get(f"{FRONT}/v1/alerts/{alert_id}")
        return shown.status_code == 200 and shown.json()["lifecycle"] in ("notified", "escalated")


def read_topic(bootstrap: str, topic: str) -> list[events.Received]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    end = consumer.end_offsets(partitions)
    received: list[events.Received] = []
    while any(consumer.position(p) < end[p] for p in partitions):
        for records in consumer.poll(timeout_ms=1000).values():
            received += [events.decode(list(r.headers), r.value) for r in records]
    consumer.close()
    return received


def observe(rig: Rig, load: Load, acks: Acknowledger) -> Observed:
    bootstrap = rig.broker.bootstrap
    on_topic = {r.envelope.subject or "" for r in read_topic(bootstrap, INCIDENTS.name)}
    alerts: dict[str, AlertTrail] = {}
    for record in read_topic(bootstrap, ALERTS_REQUESTED.name):
        request = record.data
        assert isinstance(request, AlertRequestedV1)
        alerts[request.alert_id] = AlertTrail(request.incident_id)
    for record in read_topic(bootstrap, ALERT_EVENTS.name):
        event = record.data
        assert isinstance(event, AlertEventV1)
        if event.alert_id in alerts:
            alerts[event.alert_id].events.append((event.type.value, event.at))
            if event.deadline is not None:
                alerts[event.alert_id].late_by.append((event.at - event.deadline).total_seconds())
    dead = {
        r.data.original_key or ""
        for r in read_topic(bootstrap, DEAD_LETTERS.name)
        if isinstance(r.data, DeadLetterV1)
    }
    return Observed(
        accepted=dict(load.accepted),
        on_topic=on_topic,
        dead_lettered=dead,
        alerts=alerts,
        acks_given=set(acks.given),
        sends=gateway_sends(),
        drill_desk=yaml.safe_load(ROSTERS.read_text(encoding="utf-8"))["drill_recipient"]["phone"],
        notifier_restarts=rig.restarts.get("notifier", 0),
    )


def gateway_sends() -> list[tuple[str, str, str]]:
    sends = []
    for message in httpx.get(f"{STANDIN}/_standin/messages", timeout=30).json():
        query = parse_qs(urlsplit(message.get("status_callback") or "").query)
        message_id = (query.get("message_id") or [message["sid"]])[0]
        body = str(message["body"])
        reference = next((w.rstrip(":") for w in body.split() if w.startswith("SG-")), "")
        sends.append((message_id, message["to"], reference))
    return sends


def settle(rig: Rig, load: Load, acks: Acknowledger, timeout: float) -> Observed:
    """Observe until two readings agree and nothing is lost, or the time is up."""
    deadline = time.monotonic() + timeout
    seen = observe(rig, load, acks)
    while time.monotonic() < deadline and reconcile(seen).losses:
        time.sleep(5)
        seen = observe(rig, load, acks)
    return seen


def build_rig(logs: Path) -> Rig:
    broker = LocalKafka(HOME, port=31092, controller_port=31093)
    if broker.running_pid() is not None:
        broker.stop()
    shutil.rmtree(HOME / "data", ignore_errors=True)
    broker.start()
    ensure_topics(broker.bootstrap)
    config = HOME / "config"
    shutil.rmtree(config, ignore_errors=True)
    shutil.copytree(ROOT / "config/dienbien", config)
    shutil.copy(ROSTERS, config / "rosters.yaml")
    environment = {
        "SAFEGUARD_KAFKA_BOOTSTRAP": broker.bootstrap,
        "SAFEGUARD_CONFIG_DIR": str(config),
        "SAFEGUARD_SOURCES_FILE": str(ROOT / "config/sources.yaml"),
        "SAFEGUARD_LOG_LEVEL": "WARNING",
        "SAFEGUARD_TWILIO_BASE_URL": STANDIN,
        "SAFEGUARD_TWILIO_TWO_WAY": "true",  # the test rosters give one officer reply codes
        "SAFEGUARD_SMS_PER_SECOND": "50",
        "SAFEGUARD_SMTP_PORT": "31025",
        "SAFEGUARD_SMTP_STARTTLS": "false",
        "SAFEGUARD_PUBLIC_BASE_URL": FRONT,
        "SAFEGUARD_OPS_API_KEYS_SHA256": f'["{_sha256(OPS_KEY)}"]',
        "SAFEGUARD_ROUTER_WEB_PORT": "31101",
        "SAFEGUARD_NOTIFIER_WEB_PORT": "31102",
        "SAFEGUARD_ROUTER_DATA_DIR": str(HOME / "router"),
        "SAFEGUARD_NOTIFIER_DATA_DIR": str(HOME / "notifier"),
    }
    python, cli = sys.executable, [sys.executable, "-m", "services.cli"]
    services = [
        Service(
            "standin",
            [
                python,
                "-m",
                "devstack.twilio_standin",
                "--port",
                "31030",
                "--inbound-sms-url",
                f"{FRONT}/webhooks/twilio/sms",
            ],
            f"{STANDIN}/",
        ),
        Service(
            "mailbox",
            [
                python,
                "-m",
                "devstack.mailbox",
                "--port",
                "31025",
                "--http-port",
                "31026",
                "--no-tls",
            ],
            "http://127.0.0.1:31026/messages",
        ),
        Service("intake", [*cli, "intake", "--port", "31000"], f"{INTAKE}/readyz"),
        Service("router", [*cli, "router"], "http://127.0.0.1:31101/metrics"),
        Service("notifier", [*cli, "notifier"], "http://127.0.0.1:31102/metrics"),
        Service("notifier-api", [*cli, "notifier-api", "--port", "31001"], f"{FRONT}/readyz"),
    ]
    return Rig(broker, {s.name: s for s in services}, environment, logs)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def report(path: Path, args: argparse.Namespace, schedule: list[str], ledger_text: str) -> None:
    run = (
        f"python -m bench.chaos --seconds {args.seconds:g} --rate {args.rate:g} "
        f"--seed {args.seed} --rounds {args.rounds}"
    )
    lines = [
        "# Reliability: the chaos run's ledger",
        "",
        f"`{run}` (run on {datetime.now(UTC):%Y-%m-%d}, 2 noisy cores): a steady load of",
        "incidents from two sources (the helpline and the school system, a quarter of them",
        "drills, the sample province's scenarios over many units) while the faults below are",
        "injected one after another, each lasting until the next. Acknowledgments arrive during",
        "every fault, in turn by the ops API, by the link in the officer's SMS and by pressing 1",
        "in an escalation call. The ledger is reconciled from the topics (`incidents`,",
        "`alerts.requested`, `alerts.events`, the dead-letter topic) and the SMS stand-in's",
        "record of every request it took, never from the services' own counters; the run exits",
        "1 on any loss.",
        "",
        "## Fault schedule",
        "",
        *[f"{n}. {what}" for n, what in enumerate(schedule, 1)],
        "",
        "## Ledger",
        "",
        ledger_text,
        "",
        "## Reading it",
        "",
        "- *Duplicates*: a message may be sent again only when the notifier worker dies between",
        "  the gateway's answer and the commit of its record, so at most the sends in flight at",
        "  the kill (the `slots` of delivery.yaml); the ledger checks at most 1 + (restarts of",
        "  the notifier worker) sends per message id.",
        "- *Lateness*: how long after its deadline each escalation fired, from the deadline each",
        f"  `alert.deadline_passed` event carries; over {LATE_SECONDS:g} s is counted as late.",
        "  Escalations late by several seconds are those due while the notifier worker or the",
        "  broker was down: the timer that fires them runs in the worker.",
        "- *Acknowledgments refused*: given after the alert had expired; the worker refuses",
        "  them, and that is right, so they are not a loss.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=150.0)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=1, help="times through the fault schedule")
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    logs = HOME / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    rig = build_rig(logs)
    schedule: list[str] = []
    try:
        for service in rig.services.values():
            service.start(rig.environment, logs)
        load = Load(args.rate, rng)
        acks = Acknowledger(load, random.Random(args.seed + 1))
        workers = [threading.Thread(target=w.run, daemon=True) for w in (load, acks)]
        for worker in workers:
            worker.start()
        plan = faults(rig) * args.rounds
        pause = args.seconds / (len(plan) + 1)
        for what, inject in plan:
            load.stop.wait(pause)
            print(f"fault: {what}", flush=True)
            inject()
            schedule.append(what)
        load.stop.wait(pause)
        load.stop.set()
        for worker in workers:
            worker.join(60)
        ledger = reconcile(settle(rig, load, acks, timeout=180))
    finally:
        for service in reversed(rig.services.values()):
            service.stop()
        rig.broker.stop()
    text = ledger.table()
    text += f"\n\nRetried posts (answers other than 202 during faults): {load.refused}."
    methods = ", ".join(f"{name} {n}" for name, n in sorted(acks.by_method.items()))
    text += f"\n\nAcknowledgments given, by method: {methods or 'none'}."
    text += f"\n\nEscalation lateness (from the audit trail): {ledger.lateness}."
    text += "\n\n" + ("Losses: " + "; ".join(ledger.losses) if ledger.losses else "No loss.")
    for alert_id in ledger.unrecorded_acks:
        text += f"\n- acknowledged but not recorded: {alert_id}"
    print(text)
    if args.report:
        report(args.report, args, schedule, text)
    return 1 if ledger.losses else 0


if __name__ == "__main__":
    sys.exit(main())
