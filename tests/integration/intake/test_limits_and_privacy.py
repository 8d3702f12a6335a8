"""Rate limiting per source, and no personal data in logs or metrics."""

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.kafka import LocalKafka
from services.intake.bootstrap import build_app
from services.intake.settings import IntakeSettings
from services.intake.sources import hash_key
from services.observability.logging import configure_logging
from tests.integration.intake.incidents import HELPLINE, new_incident
from tests.integration.processes import ROOT
from tests.integration.servers import BackgroundServer


@pytest.fixture
def strict_server(kafka: LocalKafka, tmp_path: Path) -> Iterator[BackgroundServer]:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  - id: slow-source\n    name: test\n    rate_per_second: 0.2\n    burst: 2\n"
        f"    keys:\n      - sha256: {hash_key('slow-key')}\n"
    )
    settings = IntakeSettings(kafka_bootstrap=kafka.bootstrap, sources_file=sources)
    with BackgroundServer(build_app(settings)) as server:
        yield server


def test_past_the_rate_limit_a_source_gets_429_with_retry_after(
    strict_server: BackgroundServer,
) -> None:
    headers = {"Authorization": "Bearer slow-key"}
    statuses = [
        httpx.post(f"{strict_server.url}/v1/incidents", json=new_incident(), headers=headers)
        for _ in range(3)
    ]
    assert [s.status_code for s in statuses] == [202, 202, 429]
    assert int(statuses[2].headers["Retry-After"]) >= 1


@pytest.fixture
def guarded_server(kafka: LocalKafka) -> Iterator[BackgroundServer]:
    settings = IntakeSettings(
        kafka_bootstrap=kafka.bootstrap,
        sources_file=ROOT / "config/sources.yaml",
        auth_failures_burst=3,
        auth_failures_per_second=0.01,
    )
    with BackgroundServer(build_app(settings)) as server:
        yield server


def _post_from(server: BackgroundServer, address: str, key: str) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, timeout=10) as client:
        return client.post(
            f"{server.url}/v1/incidents",
            json=new_incident(),
            headers={"Authorization": f"Bearer {key}"},
        )


def _counted(server: BackgroundServer, outcome: str) -> float:
    sample = f'safeguard_intake_auth_failures_total{{outcome="{outcome}"}} '
    text = httpx.get(f"{server.url}/metrics", timeout=5).text
    return float(next(line for line in text.splitlines() if line.startswith(sample)).split()[-1])


def test_guessing_api_keys_is_slowed_per_address_and_counted(
    guarded_server: BackgroundServer,
) -> None:
    guesses = [_post_from(guarded_server, "127.0.0.2", f"guess-{n}") for n in range(5)]
    assert [r.status_code for r in guesses] == [401, 401, 401, 429, 429]
    assert int(guesses[3].headers["Retry-After"]) >= 1
    # Over its limit, the address has no key checked at all: a right guess is not revealed.
    assert _post_from(guarded_server, "127.0.0.2", "dev-helpline-key").status_code == 429
    # Another address, and an honest source, are not held back by the guesser.
    assert _post_from(guarded_server, "127.0.0.3", "dev-helpline-key").status_code == 202
    assert (_counted(guarded_server, "refused"), _counted(guarded_server, "throttled")) == (3, 3)


CANARIES = {
    "name": "Lò Thị Canary-Name",
    "description": "CANARY-DESCRIPTION beaten at home",
    "reporter": "CANARY-REPORTER Nguyễn",
    "phone": "+84987650001",
    "place": "CANARY-PLACE Bản Him Lam",
}


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """The services' own logging set-up, at its most talkative level."""
    stream = io.StringIO()
    root = logging.getLogger()
    previous_handlers, previous_level = root.handlers[:], root.level
    configure_logging("DEBUG", stream)
    yield stream
    root.handlers[:] = previous_handlers
    root.setLevel(previous_level)


def test_personal_data_never_reaches_logs_or_metrics(
    intake_server: BackgroundServer, captured_logs: io.StringIO
) -> None:
    sensitive = new_incident(
        child={"name": CANARIES["name"], "age": 8},
        description=CANARIES["description"],
        reporter={"name": CANARIES["reporter"], "phone": CANARIES["phone"]},
        area={"geocode": "03127", "area_desc": CANARIES["place"]},
    )
    accepted = httpx.post(f"{intake_server.url}/v1/incidents", json=sensitive, headers=HELPLINE)
    invalid = httpx.post(
        f"{intake_server.url}/v1/incidents",
        json={**sensitive, "severity": CANARIES["description"]},
        headers=HELPLINE,
    )
    assert (accepted.status_code, invalid.status_code) == (202, 422)
    metrics = httpx.get(f"{intake_server.url}/metrics").text

    logs = captured_logs.getvalue()
    assert accepted.json()["incident_id"] in logs  # the capture works: it saw the acceptance
    for canary in CANARIES.values():
        assert canary not in logs
        assert canary not in metrics
        assert canary not in invalid.text
