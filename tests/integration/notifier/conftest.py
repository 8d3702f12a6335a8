"""The whole chain on loopback: intake, a router and a notifier worker as real processes, the
notifier's HTTP front, the Twilio stand-in and an SMTP mailbox with STARTTLS and AUTH."""

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from contracts.topics import ALERT_COMMANDS, ALERT_DISPATCH, ALERTS_REQUESTED, INCIDENTS
from devstack.kafka import LocalKafka
from devstack.mailbox import Mailbox
from devstack.twilio_settings import Behaviour, StandinSettings
from devstack.twilio_standin import create_app as create_standin
from services.notifier.front.app import create_app as create_front
from services.notifier.roster import load_rosters
from services.notifier.settings import NotifierSettings
from tests.integration.kafka_reader import commit_group_at_end
from tests.integration.processes import ROOT, ServiceProcess
from tests.integration.servers import BackgroundServer, free_port

HERE = Path(__file__).parent
LINK_SECRET = "test-link-secret-0123456789-0123456789"
SMTP_USER, SMTP_PASSWORD = "notifier", "mail-password"
# Added to rosters.yaml for the chain only (the benchmarks and delivery tests share the file):
# Mường Chà's commune post has nobody on duty, ever, so its alerts go straight to tier 2.
UNCOVERED_POST = {
    "officers": [
        {
            "id": "muong-cha-officer",
            "name": "Muong Cha officer",
            "phone": "+842000003001",
            "email": "muong-cha-officer@example.invalid",
        },
        {
            "id": "muong-cha-chair",
            "name": "Muong Cha chair",
            "phone": "+842000003002",
            "email": "muong-cha-chair@example.invalid",
        },
    ],
    "duty": {},
    "escalation": [
        {"recipients": "on_duty", "steps": [{"channel": "sms", "wait_minutes": 30}]},
        {"recipients": ["muong-cha-chair"], "steps": [{"channel": "sms", "wait_minutes": 30}]},
    ],
}


@dataclass
class Chain:
    standin: BackgroundServer
    mailbox: Mailbox
    front: BackgroundServer
    router: ServiceProcess
    notifier: ServiceProcess
    notifier_environment: dict[str, str]
    folder: Path

    def restart_notifier(self, kill: bool) -> None:
        self.notifier.kill() if kill else self.notifier.stop()
        self.notifier = ServiceProcess(
            "notifier",
            self.notifier_environment,
            int(self.notifier_environment["SAFEGUARD_NOTIFIER_WEB_PORT"]),
            self.folder / "notifier.log",
        )
        self.notifier.start()


@pytest.fixture(scope="package")
def chain(kafka: LocalKafka, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    folder = tmp_path_factory.mktemp("chain")
    config = folder / "config"
    shutil.copytree(ROOT / "config/dienbien", config)
    rosters = yaml.safe_load((HERE / "rosters.yaml").read_text(encoding="utf-8"))
    rosters["agencies"]["cpo-muong-cha"] = UNCOVERED_POST
    (config / "rosters.yaml").write_text(yaml.safe_dump(rosters), encoding="utf-8")
    front_port = free_port()
    front_url = f"http://127.0.0.1:{front_port}"
    standin_settings = StandinSettings(
        behaviour=Behaviour(
            default_receipt="delivered",
            inbound_sms_url=f"{front_url}/webhooks/twilio/sms",
            callback_delay_seconds=0.05,
        )
    )
    mailbox = Mailbox(username=SMTP_USER, password=SMTP_PASSWORD, tls=True)
    mailbox.start()
    run = uuid.uuid4().hex[:8]
    with BackgroundServer(create_standin(standin_settings)) as standin:
        environment = {
            "SAFEGUARD_KAFKA_BOOTSTRAP": kafka.bootstrap,
            "SAFEGUARD_CONFIG_DIR": str(config),
            "SAFEGUARD_PUBLIC_BASE_URL": front_url,
            "SAFEGUARD_LINK_SECRET": LINK_SECRET,
            "SAFEGUARD_TWILIO_BASE_URL": standin.url,
            "SAFEGUARD_TWILIO_TWO_WAY": "true",
            "SAFEGUARD_SMS_PER_SECOND": "50",
            "SAFEGUARD_SMTP_PORT": str(mailbox.port),
            "SAFEGUARD_SMTP_USERNAME": SMTP_USER,
            "SAFEGUARD_SMTP_PASSWORD": SMTP_PASSWORD,
            "SAFEGUARD_SMTP_CA_FILE": str(mailbox.cert_path),
            "SAFEGUARD_ROUTER_APP_ID": f"chain-router-{run}",
            "SAFEGUARD_ROUTER_WEB_PORT": str(free_port()),
            "SAFEGUARD_ROUTER_DATA_DIR": str(folder / "router"),
            "SAFEGUARD_NOTIFIER_APP_ID": f"chain-notifier-{run}",
            "SAFEGUARD_NOTIFIER_WEB_PORT": str(free_port()),
            "SAFEGUARD_NOTIFIER_DATA_DIR": str(folder / "notifier"),
        }
        settings = NotifierSettings(
            **{  # type: ignore[arg-type]
                key.removeprefix("SAFEGUARD_").lower(): value
                for key, value in environment.items()
                if key.removeprefix("SAFEGUARD_").lower() in NotifierSettings.model_fields
            }
        )
        commit_group_at_end(
            kafka.bootstrap, environment["SAFEGUARD_ROUTER_APP_ID"], [INCIDENTS.name]
        )
        commit_group_at_end(
            kafka.bootstrap,
            environment["SAFEGUARD_NOTIFIER_APP_ID"],
            [ALERTS_REQUESTED.name, ALERT_COMMANDS.name, ALERT_DISPATCH.name],
        )
        router = ServiceProcess(
            "router",
            environment,
            int(environment["SAFEGUARD_ROUTER_WEB_PORT"]),
            folder / "router.log",
        )
        notifier = ServiceProcess(
            "notifier",
            environment,
            int(environment["SAFEGUARD_NOTIFIER_WEB_PORT"]),
            folder / "notifier.log",
        )
        front_app = create_front(settings, load_rosters(config / "rosters.yaml"))
        with BackgroundServer(front_app, port=front_port) as front, router, notifier:
            chain = Chain(standin, mailbox, front, router, notifier, environment, folder)
            yield chain
            chain.notifier.stop()
    mailbox.stop()
