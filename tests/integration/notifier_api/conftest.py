"""The notifier API on a real broker. No worker runs here: the tests publish what the router
and the worker would (requests, messages to send, audit events) and read the commands back."""

import hashlib
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest
import yaml

from contracts.topics import ALERT_COMMANDS
from devstack.kafka import LocalKafka
from services.notifier.core.duty import Rosters
from services.notifier.roster import load_rosters
from services.notifier.settings import NotifierSettings
from tests.integration.kafka_reader import TopicReader
from tests.integration.notifier_api.alerts import (
    LINK_SECRET,
    OPS_KEY,
    PUBLIC_BASE_URL,
    TWILIO_TOKEN,
    AlertWriter,
    Phones,
)
from tests.integration.servers import BackgroundServer


@pytest.fixture(scope="session")
def phones() -> Phones:
    """Numbers unique to this run: the broker keeps earlier runs' alerts to the same roles."""
    return Phones(*(f"+8429{secrets.randbelow(10**7):07d}" for _ in range(3)))


@pytest.fixture(scope="session")
def rosters(tmp_path_factory: pytest.TempPathFactory, phones: Phones) -> Rosters:
    def officer(officer_id: str, phone: str, language: str = "vi") -> dict[str, object]:
        return {
            "id": officer_id,
            "name": f"{officer_id} (test)",
            "phone": phone,
            "email": f"{officer_id}@example.invalid",
            "language": language,
            "two_way_sms": True,
        }

    def agency(*officers: dict[str, object]) -> dict[str, object]:
        return {
            "officers": list(officers),
            "duty": {"always": officers[0]["id"]},
            "escalation": [
                {"recipients": "on_duty", "steps": [{"channel": "sms", "wait_minutes": 5}]}
            ],
        }

    data = {
        "duty_desk": "desk",
        "drill_recipient": officer("drill-desk", "+842000000099"),
        "agencies": {
            "police": agency(officer("duty-vi", phones.vi)),
            "school": agency(officer("duty-en", phones.en, "en")),
            "desk": agency(officer("desk-1", "+842000000098")),
        },
    }
    path = tmp_path_factory.mktemp("notifier-api") / "rosters.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_rosters(path)


@pytest.fixture(scope="session")
def api(kafka: LocalKafka, rosters: Rosters) -> Iterator[BackgroundServer]:
    from services.notifier.front.app import create_app

    settings = NotifierSettings(
        kafka_bootstrap=kafka.bootstrap,
        public_base_url=PUBLIC_BASE_URL,
        link_secret=LINK_SECRET,
        ops_api_keys_sha256=[hashlib.sha256(OPS_KEY.encode()).hexdigest()],
        twilio_auth_token=TWILIO_TOKEN,
    )
    app = create_app(settings, rosters, publish_timeout=5.0, ack_wait=1.5)
    with BackgroundServer(app) as server:
        _wait_ready(server)
        yield server


@pytest.fixture(scope="session")
def writer(kafka: LocalKafka, phones: Phones) -> Iterator[AlertWriter]:
    alerts = AlertWriter(kafka.bootstrap, phones)
    yield alerts
    alerts.close()


def _wait_ready(server: BackgroundServer, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(f"{server.url}/readyz", timeout=5).status_code == 200:
            return
        time.sleep(0.2)
    raise RuntimeError("the notifier API did not catch up with the alert topics")


@pytest.fixture
def command_log(kafka: LocalKafka) -> Iterator[TopicReader]:
    """alerts.commands from now on."""
    reader = TopicReader(kafka.bootstrap, ALERT_COMMANDS.name)
    yield reader
    reader.close()
