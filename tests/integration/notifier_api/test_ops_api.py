"""The ops side on a real broker: the alerts API behind its key, probes and metrics."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from contracts.alert_command import AckMethod, CommandType
from contracts.incident import Severity
from services.notifier.core.ack import AckMethod as AuditAckMethod
from services.notifier.core.ack import AuditType, Lifecycle
from tests.integration.kafka_reader import TopicReader
from tests.integration.notifier_api.alerts import (
    OPS,
    AlertWriter,
    commands,
    metric,
    wait_for_alert,
)
from tests.integration.servers import BackgroundServer


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic b3BzLXRlc3Qta2V5"}],
)
def test_the_alerts_api_needs_an_ops_key(api: BackgroundServer, headers: dict[str, str]) -> None:
    for method, path, body in (
        ("GET", "/v1/alerts", None),
        ("GET", "/v1/alerts/alr_" + "1" * 32, None),
        ("POST", "/v1/alerts/alr_" + "1" * 32 + "/ack", {"by": "x"}),
    ):
        response = httpx.request(method, f"{api.url}{path}", headers=headers, json=body)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"


def test_alerts_are_listed_and_filtered_by_state_agency_and_incident(
    api: BackgroundServer, writer: AlertWriter
) -> None:
    incident = "inc_" + datetime.now(UTC).strftime("%Y%m%d%H%M%S%f").ljust(32, "0")[:32]
    police = writer.new_alert("police", incident_id=incident)
    school = writer.new_alert("school", "duty-en", writer.phones.en, incident_id=incident)
    writer.acknowledged(school, "duty-en")
    wait_for_alert(api, police.alert_id)
    wait_for_alert(api, school.alert_id, lambda a: a["lifecycle"] == Lifecycle.ACKNOWLEDGED)

    def ids(**query: str) -> set[str]:
        response = httpx.get(f"{api.url}/v1/alerts", params=query, headers=OPS, timeout=10)
        assert response.status_code == 200
        return {a["alert_id"] for a in response.json()["alerts"]}

    assert ids(incident=incident) == {police.alert_id, school.alert_id}
    assert ids(incident=incident, agency="school") == {school.alert_id}
    assert ids(incident=incident, state="acknowledged") == {school.alert_id}
    assert ids(incident=incident, state="notified", agency="police") == {police.alert_id}
    assert ids(incident=incident, state="expired") == set()
    assert police.alert_id in ids(state="notified")
    assert police.alert_id not in ids(agency="school")
    bad = httpx.get(f"{api.url}/v1/alerts", params={"state": "lost"}, headers=OPS, timeout=10)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "query.state"


def test_one_alert_shows_its_state_and_messages_but_no_phone_number(
    api: BackgroundServer, writer: AlertWriter
) -> None:
    alert = writer.new_alert()
    body = wait_for_alert(api, alert.alert_id)

    assert body["facts"]["reference"] == alert.reference
    assert (body["agency_id"], body["lifecycle"], body["tier"]) == ("police", "notified", 1)
    assert body["messages"] == [
        {"message_id": "m0", "recipient_id": "duty-vi", "channel": "sms", "delivery": "queued"}
    ]
    assert alert.phone not in str(body)
    assert alert.code not in str(body)
    missing = httpx.get(f"{api.url}/v1/alerts/alr_" + "f" * 32, headers=OPS, timeout=10)
    assert missing.status_code == 404


def test_an_integration_acknowledges_through_the_api(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert()
    wait_for_alert(api, alert.alert_id)
    url = f"{api.url}/v1/alerts/{alert.alert_id}/ack"

    accepted = httpx.post(url, json={"by": "helpline-111"}, headers=OPS, timeout=10)
    invalid = httpx.post(url, json={"by": "Nguyễn Văn A, phone 0912"}, headers=OPS, timeout=10)
    unknown = httpx.post(
        f"{api.url}/v1/alerts/alr_{'e' * 32}/ack", json={"by": "x"}, headers=OPS, timeout=10
    )

    assert accepted.status_code == 202
    assert accepted.json() == {"alert_id": alert.alert_id, "status": "accepted"} | {
        "acknowledged_by": None,
        "acknowledged_at": None,
        "method": None,
    }
    assert invalid.status_code == 422
    assert unknown.status_code == 404
    [command] = commands(command_log, alert.alert_id, wait=3.0)
    assert command.type is CommandType.ACKNOWLEDGE
    assert command.method is AckMethod.API
    assert command.by == "api:helpline-111"

    writer.acknowledged(alert, "api:helpline-111", method=AuditAckMethod.API)
    wait_for_alert(api, alert.alert_id, lambda a: a["lifecycle"] == Lifecycle.ACKNOWLEDGED)
    again = httpx.post(url, json={"by": "helpline-111"}, headers=OPS, timeout=10)
    assert again.status_code == 200
    assert again.json()["status"] == "already_acknowledged"
    assert again.json()["acknowledged_by"] == "api:helpline-111"


def test_probes(api: BackgroundServer) -> None:
    assert httpx.get(f"{api.url}/healthz", timeout=5).json() == {"status": "ok"}
    ready = httpx.get(f"{api.url}/readyz", timeout=5)
    assert ready.status_code == 200
    assert ready.json()["kafka"] == "reachable"
    assert ready.json()["projection"] == "caught_up"


def test_metrics_are_computed_from_the_alerts(api: BackgroundServer, writer: AlertWriter) -> None:
    open_minor = 'safeguard_notifier_open_alerts{severity="Minor"}'
    overdue_minor = 'safeguard_notifier_overdue_alerts{severity="Minor"}'
    by_link = 'safeguard_notifier_acknowledgments_total{method="link"}'
    count = "safeguard_notifier_time_to_acknowledge_seconds_count"
    before = {name: metric(api, name) for name in (open_minor, overdue_minor, by_link, count)}

    overdue = writer.new_alert(
        severity=Severity.MINOR, requested_at=datetime.now(UTC) - timedelta(hours=1)
    )
    fresh = writer.new_alert(severity=Severity.MINOR)
    done = writer.new_alert(severity=Severity.MINOR)
    writer.acknowledged(done, "duty-vi")
    for alert in (overdue, fresh):
        wait_for_alert(api, alert.alert_id)
    wait_for_alert(api, done.alert_id, lambda a: a["lifecycle"] == Lifecycle.ACKNOWLEDGED)

    assert metric(api, open_minor) == before[open_minor] + 2
    assert metric(api, overdue_minor) == before[overdue_minor] + 1
    assert metric(api, by_link) == before[by_link] + 1
    assert metric(api, count) == before[count] + 1
    text = httpx.get(f"{api.url}/metrics", timeout=5).text
    assert 'safeguard_notifier_alerts{agency="police",state="notified"}' in text
    assert 'safeguard_notifier_webhooks_rejected_total{kind="sms"}' in text
    assert "Mường Phăng" not in text
    assert writer.phones.vi not in text


def test_an_expired_alert_cannot_be_acknowledged_through_the_api(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert()
    writer.audit(alert, AuditType.EXPIRED, Lifecycle.EXPIRED)
    wait_for_alert(api, alert.alert_id, lambda a: a["lifecycle"] == Lifecycle.EXPIRED)
    url = f"{api.url}/v1/alerts/{alert.alert_id}/ack"

    refused = httpx.post(url, json={"by": "helpline-111"}, headers=OPS, timeout=10)

    assert refused.status_code == 409
    assert "expired" in refused.json()["detail"]
    assert commands(command_log, alert.alert_id, wait=1.0) == []
