"""`safeguard stack up`: the whole system on this machine, in the foreground, until Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from devstack.kafka import KafkaStackError, LocalKafka
from devstack.prometheus import LocalPrometheus, PrometheusError, ScrapeTarget, find_prometheus

__all__ = ["SERVICES", "run_stack", "scrape_targets"]


@dataclass(frozen=True)
class Service:
    name: str
    argv: tuple[str, ...]
    url: str
    job: str | None = None  # the Prometheus job scraping the /metrics of `url`'s host and port


_SAFEGUARD = ("-m", "services.cli")
SERVICES = (
    Service(
        "twilio stand-in",
        (
            "-m",
            "devstack.twilio_standin",
            "--port",
            "8030",
            "--inbound-sms-url",
            "http://127.0.0.1:8001/webhooks/twilio/sms",
        ),
        "http://127.0.0.1:8030/ (the SMS inboxes)",
    ),
    Service(
        "mailbox",
        ("-m", "devstack.mailbox", "--port", "8025", "--http-port", "8026", "--no-tls"),
        "http://127.0.0.1:8026/messages",
    ),
    Service(
        "intake",
        (*_SAFEGUARD, "intake", "--port", "8000"),
        "http://127.0.0.1:8000/docs",
        "safeguard-intake",
    ),
    Service("router", (*_SAFEGUARD, "router"), "http://127.0.0.1:9101/metrics", "safeguard-router"),
    Service(
        "notifier",
        (*_SAFEGUARD, "notifier"),
        "http://127.0.0.1:9102/metrics",
        "safeguard-notifier",
    ),
    Service(
        "notifier-api",
        (*_SAFEGUARD, "notifier-api", "--port", "8001"),
        "http://127.0.0.1:8001/docs",
        "safeguard-notifier-api",
    ),
)
# The local stack talks to the stand-ins, never to Twilio or a real mail server.
LOCAL_ENVIRONMENT = {
    "SAFEGUARD_TWILIO_BASE_URL": "http://127.0.0.1:8030",
    "SAFEGUARD_SMTP_PORT": "8025",
    "SAFEGUARD_SMTP_STARTTLS": "false",
    "SAFEGUARD_PUBLIC_BASE_URL": "http://127.0.0.1:8001",
    # The stand-in answers at once: send as fast as people can read, not at one segment a second
    # as a real long code would (a Vietnamese SMS is often four segments).
    "SAFEGUARD_SMS_PER_SECOND": "20",
    # The development ops key "dev-ops-key", for GET /v1/alerts.
    "SAFEGUARD_OPS_API_KEYS_SHA256": '["ce1aa37cf0e1d89018e77e017437e598'
    'abb5aac253d55d90a753155394adbd47"]',
}


def run_stack(kafka_home: Path) -> int:
    broker = LocalKafka(kafka_home)
    started_kafka = broker.running_pid() is None
    try:
        if started_kafka:
            print(f"starting Kafka (data in {kafka_home}) ...", flush=True)
            broker.start()
        from services.messaging.topics_admin import ensure_topics

        ensure_topics(broker.bootstrap)
    except KafkaStackError as error:
        print(f"safeguard stack: {error}", file=sys.stderr)
        return 1
    processes = [_spawn(service) for service in SERVICES]
    prometheus: LocalPrometheus | None = None
    try:
        prometheus = _start_prometheus(kafka_home.parent / "prometheus")
        return _supervise(processes)
    finally:
        for process in processes:
            _terminate(process)
        if prometheus is not None:
            prometheus.stop()
        if started_kafka:
            broker.stop()
            print("Kafka stopped", flush=True)


def _spawn(service: Service) -> "subprocess.Popen[bytes]":
    print(f"starting {service.name}: {service.url}", flush=True)
    environment = {**LOCAL_ENVIRONMENT, **os.environ}
    return subprocess.Popen([sys.executable, *service.argv], env=environment)  # noqa: S603


def scrape_targets() -> list[ScrapeTarget]:
    return [
        ScrapeTarget(service.job, urlsplit(service.url).netloc)
        for service in SERVICES
        if service.job is not None
    ]


def _start_prometheus(home: Path) -> LocalPrometheus | None:
    """Metrics to look at, not a part of the system: without it the stack goes on."""
    binary = find_prometheus()
    if binary is None:
        print(
            "Prometheus: not installed (scripts/install-prometheus); going on without it",
            flush=True,
        )
        return None
    prometheus = LocalPrometheus(binary, home, scrape_targets())
    try:
        prometheus.spawn()
        prometheus.wait_ready()
    except PrometheusError as error:
        prometheus.stop()
        print(f"Prometheus: {error}; going on without it", file=sys.stderr)
        return None
    except BaseException:  # Ctrl-C while it starts
        prometheus.stop()
        raise
    print(
        f"Prometheus: {prometheus.url}/ (Alerts: the project's alert rules; "
        "Status > Targets: every service's /metrics)",
        flush=True,
    )
    return prometheus


def _supervise(processes: "list[subprocess.Popen[bytes]]") -> int:
    stopping = False

    def request_stop(_signal: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    print("the stack is up; Ctrl-C stops it", flush=True)
    while not stopping:
        if any((code := process.poll()) is not None for process in processes):
            print(f"a service exited (code {code}); stopping the stack", file=sys.stderr)
            return 1
        time.sleep(0.5)
    return 0


def _terminate(process: "subprocess.Popen[bytes]") -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
