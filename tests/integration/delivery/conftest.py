"""A notifier worker alone against a Twilio stand-in as slow as the real thing (a round trip of
a fifth of a second, a sender queue at its rate): alert requests are written straight to
alerts.requested, as the router would, and the SMS are read back from the stand-in."""

import secrets
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml
from kafka import KafkaProducer

from contracts import cloudevents
from contracts.alert import AlertFacts, AlertRequestedV1, RequestKind
from contracts.events import ALERT_REQUESTED
from contracts.incident import Category, Certainty, Severity, Status, Urgency
from contracts.topics import ALERT_COMMANDS, ALERT_DISPATCH, ALERTS_REQUESTED
from devstack.kafka import LocalKafka
from devstack.twilio_settings import Behaviour, Pacing, SenderPace, StandinSettings
from devstack.twilio_standin import create_app as create_standin
from tests.integration.kafka_reader import commit_group_at_end
from tests.integration.processes import ROOT, ServiceProcess
from tests.integration.servers import BackgroundServer, free_port

SENDER = "SLOW"
SEGMENTS_PER_SECOND = 20.0  # about five Vietnamese SMS a second
SLOTS = 8
HEALTH, HEALTH_PHONE = "dienbien-health-pcd", "+842000002001"  # waits 30 min per step
DELIVERY = {
    "senders": {"senders": [{"sender": SENDER, "segments_per_second": SEGMENTS_PER_SECOND}]},
    "slots": {"sms": SLOTS},
}


@dataclass
class Rig:
    standin: BackgroundServer
    worker: ServiceProcess
    environment: dict[str, str]
    folder: Path
    producer: KafkaProducer

    def request(self, severity: Severity = Severity.MODERATE, danger: bool = False) -> str:
        """Ask for one alert to the health division; its SMS reference."""
        reference = "SG-" + secrets.token_hex(4).upper()
        now = datetime.now(UTC)
        request = AlertRequestedV1(
            alert_id="alr_" + secrets.token_hex(16),
            incident_id="inc_" + secrets.token_hex(16),
            kind=RequestKind.NEW,
            agency_id=HEALTH,
            agency_kind="health",
            rule_path=["root"],
            rules_version="test",
            fallback=False,
            ack_deadline=now + timedelta(hours=1),
            requested_at=now,
            facts=AlertFacts(
                reference=reference,
                status=Status.ACTUAL,
                category=Category.NEGLECT,
                severity=severity,
                urgency=Urgency.IMMEDIATE if danger else Urgency.EXPECTED,
                certainty=Certainty.LIKELY,
                geocode="03127",
                unit_name="Điện Biên Phủ",
                immediate_danger=danger,
                needs_shelter=False,
            ),
        )
        headers, value = cloudevents.encode(
            type=ALERT_REQUESTED, source="tests/delivery", data=request, subject=request.alert_id
        )
        self.producer.send(
            ALERTS_REQUESTED.name, key=request.alert_id.encode(), value=value, headers=headers
        ).get(10)
        return reference

    def sms_order(self) -> list[str]:
        """The references of the SMS the gateway took, in the order it took them."""
        messages = httpx.get(f"{self.standin.url}/_standin/messages", timeout=10).json()
        return [str(m["body"]).split(" ", 1)[0] for m in messages if m["to"] == HEALTH_PHONE]

    def configure(self, **behaviour: object) -> None:
        httpx.post(f"{self.standin.url}/_standin/config", json=behaviour, timeout=10)

    def restart_worker(self) -> None:
        self.worker.kill()
        self.worker = ServiceProcess(
            "notifier",
            self.environment,
            int(self.environment["SAFEGUARD_NOTIFIER_WEB_PORT"]),
            self.folder / "notifier.log",
        )
        self.worker.start()


@pytest.fixture
def rig(kafka: LocalKafka, tmp_path: Path) -> Iterator[Rig]:
    """A fresh worker and gateway per test: each test's burst is its own."""
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config/dienbien", config)
    shutil.copy(ROOT / "tests/integration/notifier/rosters.yaml", config / "rosters.yaml")
    (config / "delivery.yaml").write_text(yaml.safe_dump(DELIVERY), encoding="utf-8")
    pacing = Pacing(
        latency_seconds=0.2,
        jitter_seconds=0.05,
        senders={SENDER: SenderPace(segments_per_second=SEGMENTS_PER_SECOND)},
    )
    standin_settings = StandinSettings(behaviour=Behaviour(pacing=pacing))
    producer = KafkaProducer(bootstrap_servers=kafka.bootstrap, acks="all")
    with BackgroundServer(create_standin(standin_settings)) as standin:
        environment = {
            "SAFEGUARD_KAFKA_BOOTSTRAP": kafka.bootstrap,
            "SAFEGUARD_CONFIG_DIR": str(config),
            "SAFEGUARD_TWILIO_BASE_URL": standin.url,
            "SAFEGUARD_TWILIO_FROM": SENDER,
            "SAFEGUARD_TWILIO_TWO_WAY": "true",
            "SAFEGUARD_NOTIFIER_APP_ID": f"delivery-{uuid.uuid4().hex[:8]}",
            "SAFEGUARD_NOTIFIER_WEB_PORT": str(free_port()),
            "SAFEGUARD_NOTIFIER_DATA_DIR": str(tmp_path / "notifier"),
        }
        commit_group_at_end(
            kafka.bootstrap,
            environment["SAFEGUARD_NOTIFIER_APP_ID"],
            [ALERTS_REQUESTED.name, ALERT_COMMANDS.name, ALERT_DISPATCH.name],
        )
        worker = ServiceProcess(
            "notifier",
            environment,
            int(environment["SAFEGUARD_NOTIFIER_WEB_PORT"]),
            tmp_path / "notifier.log",
        )
        worker.start()
        rig = Rig(standin, worker, environment, tmp_path, producer)
        try:
            yield rig
        finally:
            rig.worker.stop()
            producer.close()
