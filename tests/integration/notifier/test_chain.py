"""Incident in, officer alerted, acknowledged or escalated: the whole chain for real."""

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from contracts import cloudevents, events
from contracts.alert_command import AlertCommandV1, CommandType
from contracts.deadletter import DeadLetterV1
from contracts.topics import ALERT_COMMANDS, ALERT_DISPATCH, ALERTS_REQUESTED, DEAD_LETTERS
from devstack.kafka import LocalKafka
from devstack.scenarios import SCENARIOS
from tests.integration.kafka_reader import TopicReader, publish_raw
from tests.integration.notifier.chain_helpers import (
    AlertEvents,
    calls,
    inbox,
    post_incident,
    sms,
    wait_for,
)
from tests.integration.notifier.conftest import Chain
from tests.integration.servers import BackgroundServer

HEALTH, POLICE, DESK = "dienbien-health-pcd", "dienbien-police", "cpo-muong-cha"
HEALTH_PHONE, POLICE_PHONE, DEPUTY_PHONE = "+842000002001", "+842000001001", "+842000001002"
DESK_PHONE, DRILL_PHONE = "+842000009001", "+842000009999"
CHAIR_PHONE = "+842000003002"  # Mường Chà's tier 2: its post has nobody on duty (conftest)
NEGLECT = SCENARIOS[2].incident  # Mường Chà: the health division and the commune officer
SEXUAL_ABUSE = SCENARIOS[0].incident  # police among others
# The agencies' names in config/dienbien/agencies.yaml, which the chain's config folder copies
HEALTH_NAME = "Sở Y tế tỉnh Điện Biên – Chi cục Dân số – Trẻ em"
POLICE_NAME = "Công an tỉnh Điện Biên"


@pytest.fixture
def audit(kafka: LocalKafka) -> Iterator[AlertEvents]:
    audit = AlertEvents(kafka)
    yield audit
    audit.close()


def link_in(message: dict[str, object]) -> str:
    match = re.search(r"https?://\S+/ack/[A-Za-z0-9_-]{40}", str(message["body"]))
    assert match, message["body"]
    return match.group(0)


def test_a_link_acknowledges_on_post_only_and_only_its_own_agency(
    chain: Chain, intake_server: BackgroundServer, audit: AlertEvents
) -> None:
    incident_id, reference = post_incident(intake_server, NEGLECT)
    [message] = sms(chain.standin, HEALTH_PHONE, reference)
    link = link_in(message)

    assert str(message["body"]).startswith(f"{reference} gửi {HEALTH_NAME}: ")
    page = httpx.get(link)
    assert page.status_code == 200
    assert reference in page.text
    assert HEALTH_NAME in page.text
    assert "<form" in page.text
    audit.wait(incident_id, HEALTH, "message.sent")
    assert not any(e["type"] == "alert.acknowledged" for e in audit.of(incident_id, HEALTH))

    confirmed = httpx.post(link)
    assert confirmed.status_code == 200
    acknowledged = audit.wait(incident_id, HEALTH, "alert.acknowledged")
    assert (acknowledged["actor"], acknowledged["method"]) == ("health-a", "link")
    assert not any(e["type"] == "alert.acknowledged" for e in audit.of(incident_id, DESK))
    shown = wait_for(
        lambda: text if "Xác nhận bởi" in (text := httpx.get(link).text) else None,
        30,
        "the page showing the acknowledgment",
    )
    assert "Xác nhận bởi Health A lúc" in shown  # the roster's name, not "health-a"


def test_an_sms_reply_with_the_code_acknowledges(
    chain: Chain, intake_server: BackgroundServer, audit: AlertEvents
) -> None:
    incident_id, reference = post_incident(intake_server, NEGLECT)
    [message] = sms(chain.standin, HEALTH_PHONE, reference)
    code = re.search(r"XN (\d{2,4})", message["body"])
    assert code, message["body"]
    reply = httpx.post(
        f"{chain.standin.url}/_standin/reply",
        json={"from_phone": HEALTH_PHONE, "to": message["from"], "body": f"xn {code.group(1)}"},
    )
    assert reply.status_code == 200, reply.text
    acknowledged = audit.wait(incident_id, HEALTH, "alert.acknowledged")
    assert acknowledged["method"] == "sms_reply"


def test_no_acknowledgment_escalates_to_a_call_then_a_keypress_acknowledges(
    chain: Chain, intake_server: BackgroundServer, audit: AlertEvents
) -> None:
    incident_id, reference = post_incident(intake_server, SEXUAL_ABUSE)
    sms(chain.standin, POLICE_PHONE, reference)
    audit.wait(incident_id, POLICE, "message.receipt")  # delivered, and still escalated:
    call = wait_for(
        lambda: next(
            (c for c in calls(chain.standin, POLICE_PHONE) if c["status"] == "in-progress"), None
        ),
        30,
        "a call answered",
    )
    pressed = httpx.post(
        f"{chain.standin.url}/_standin/calls/{call['sid']}/press", json={"digits": "1"}
    )
    assert pressed.status_code == 200, pressed.text
    acknowledged = audit.wait(incident_id, POLICE, "alert.acknowledged")
    assert acknowledged["method"] == "voice_keypress"


def test_nobody_answers_so_the_deputy_then_the_duty_desk_hear_of_it(
    chain: Chain, intake_server: BackgroundServer, audit: AlertEvents
) -> None:
    incident_id, reference = post_incident(intake_server, SEXUAL_ABUSE)
    [first] = sms(chain.standin, POLICE_PHONE, reference)
    [escalation] = sms(chain.standin, DEPUTY_PHONE, reference, timeout=45)
    audit.wait(incident_id, POLICE, "alert.expired", timeout=45)
    expiry = wait_for(  # the desk also hears of the agencies that have no roster here
        lambda: next(
            (m for m in inbox(chain.standin, DESK_PHONE, reference) if "QUÁ HẠN" in m["body"]),
            None,
        ),
        30,
        "the expiry notice at the duty desk",
    )

    assert str(first["body"]).startswith(f"{reference} gửi {POLICE_NAME}: ")
    said = re.fullmatch(
        rf"CHUYỂN LÊN CẤP 2: {reference} gửi {POLICE_NAME} chưa ai xác nhận từ \d\d:\d\d\. .*"
        r"Xác nhận trước (\d\d:\d\d): \S+",
        str(escalation["body"]),
    )
    assert said, escalation["body"]
    first_deadline = re.search(r"Xác nhận trước (\d\d:\d\d)", str(first["body"]))
    assert first_deadline
    assert said.group(1) != first_deadline.group(1)  # its own deadline, not the one passed
    assert str(expiry["body"]).startswith(
        f"QUÁ HẠN: {reference} gửi {POLICE_NAME} chưa ai xác nhận từ "
    )


def test_an_alert_for_an_uncovered_post_goes_straight_to_the_next_tier_saying_why(
    chain: Chain, intake_server: BackgroundServer, audit: AlertEvents
) -> None:
    incident_id, reference = post_incident(intake_server, NEGLECT)
    [first] = sms(chain.standin, CHAIR_PHONE, reference)
    notified = audit.wait(incident_id, DESK, "alert.notified")
    assert notified["tier"] == 1
    assert notified["detail"] == (
        "roster tier 1 reaches nobody (nobody on duty): went straight to the next tier"
    )
    audit.wait(incident_id, DESK, "message.queued")
    queued = [e for e in audit.of(incident_id, DESK) if e["type"] == "message.queued"]
    assert [e["actor"] for e in queued] == ["muong-cha-chair"]
    assert not str(first["body"]).startswith("CHUYỂN LÊN CẤP")  # the first message it gets
    assert inbox(chain.standin, "+842000003001", reference) == []


def test_a_failing_number_falls_back_to_email(
    chain: Chain, intake_server: BackgroundServer, audit: AlertEvents
) -> None:
    httpx.post(
        f"{chain.standin.url}/_standin/config", json={"failing_numbers": {HEALTH_PHONE: 21610}}
    ).raise_for_status()
    try:
        incident_id, reference = post_incident(intake_server, NEGLECT)
        audit.wait(incident_id, HEALTH, "message.failed")
        mail = wait_for(
            lambda: next(
                (
                    m
                    for m in chain.mailbox.messages(to="health-a@example.invalid")
                    if reference in m.subject
                ),
                None,
            ),
            30,
            "an e-mail",
        )
        assert mail.text is not None
        assert "/ack/" in mail.text
        assert mail.html
        # a long subject, folded on the wire, read back with every space
        assert mail.subject.startswith(
            f"[Safeguard] {reference} gửi {HEALTH_NAME}: Sao nhãng, bỏ mặc (Trung bình) tại "
        )
    finally:
        httpx.post(
            f"{chain.standin.url}/_standin/config", json={"failing_numbers": {}}
        ).raise_for_status()


def test_a_drill_reaches_only_the_drill_desk(
    chain: Chain, intake_server: BackgroundServer, audit: AlertEvents
) -> None:
    incident_id, reference = post_incident(intake_server, {**NEGLECT, "status": "Exercise"})
    drill_messages = sms(chain.standin, DRILL_PHONE, reference, count=2)
    assert all("DIỄN TẬP" in m["body"] for m in drill_messages)
    audit.wait(incident_id, HEALTH, "message.sent")
    for phone in (HEALTH_PHONE, DESK_PHONE, POLICE_PHONE):
        assert inbox(chain.standin, phone, reference) == []


def test_a_killed_notifier_loses_no_alert_and_still_escalates(
    chain: Chain, intake_server: BackgroundServer, audit: AlertEvents
) -> None:
    incident_id, reference = post_incident(intake_server, SEXUAL_ABUSE)
    sms(chain.standin, POLICE_PHONE, reference)
    chain.restart_notifier(kill=True)
    sms(chain.standin, DEPUTY_PHONE, reference, timeout=60)
    audit.wait(incident_id, POLICE, "alert.expired", timeout=60)
    police = inbox(chain.standin, POLICE_PHONE, reference)
    assert 1 <= len(police) <= 2, "at most one duplicate of the message in flight at the kill"


CANARIES = {
    "child.name": "Lò Thị CANARY-NAME",
    "description": "CANARY-DESCRIPTION beaten at home",
    "reporter.name": "CANARY-REPORTER Nguyễn",
    "reporter.phone": "+84987650002",
    "area.area_desc": "CANARY-PLACE Bản Him Lam",
}


def test_no_personal_data_reaches_a_message_a_log_line_or_a_metric(
    chain: Chain, intake_server: BackgroundServer, audit: AlertEvents
) -> None:
    body = {
        **NEGLECT,
        "child": {"name": CANARIES["child.name"], "age": 6},
        "description": CANARIES["description"],
        "reporter": {"name": CANARIES["reporter.name"], "phone": CANARIES["reporter.phone"]},
        "area": {"geocode": NEGLECT["area"]["geocode"], "area_desc": CANARIES["area.area_desc"]},
    }
    incident_id, reference = post_incident(intake_server, body)
    sms(chain.standin, HEALTH_PHONE, reference)
    audit.wait(incident_id, HEALTH, "message.sent")

    texts = [m["body"] for m in httpx.get(f"{chain.standin.url}/_standin/messages").json()]
    texts += [f"{m.subject}\n{m.text}\n{m.html}" for m in chain.mailbox.messages()]
    texts += [chain.router.log.read_text(), chain.notifier.log.read_text()]
    texts += [chain.router.metrics(), chain.notifier.metrics()]
    texts.append(httpx.get(f"{chain.front.url}/metrics").text)
    assert any(reference in text for text in texts)  # the scan sees this incident's traffic
    leaks = {name for name, canary in CANARIES.items() for text in texts if canary in text}
    assert leaks == set()


def test_records_the_worker_cannot_read_are_dead_lettered_with_the_reason_and_it_goes_on(
    chain: Chain, kafka: LocalKafka, intake_server: BackgroundServer, audit: AlertEvents
) -> None:
    dead_letters = TopicReader(kafka.bootstrap, DEAD_LETTERS.name)
    tag = uuid.uuid4().hex
    unknown_alert = f"alr_{tag}"
    tick = AlertCommandV1(alert_id=unknown_alert, type=CommandType.TICK, at=datetime.now(UTC))
    headers, value = cloudevents.encode(type=events.ALERT_COMMAND, source="test", data=tick)
    poison = {
        f"request-{tag}": (ALERTS_REQUESTED.name, [], b"\xff not json"),
        unknown_alert: (ALERT_COMMANDS.name, headers, value),
        f"dispatch-{tag}": (ALERT_DISPATCH.name, [("ce_type", b"x")], b"{}"),
    }
    for key, (topic, record_headers, record_value) in poison.items():
        publish_raw(kafka.bootstrap, topic, key.encode(), record_value, record_headers)

    records = dead_letters.read_until(lambda rs: set(poison) <= {r.key for r in rs}, timeout=60)
    letters = {r.key: DeadLetterV1.model_validate_json(r.value) for r in records}
    for key, (topic, _, _) in poison.items():
        assert letters[key].service == "safeguard/notifier"
        assert letters[key].original_topic == topic
    assert "AlertCommandV1" in letters[unknown_alert].reason
    dead_letters.close()

    _, reference = post_incident(intake_server, NEGLECT)  # the worker goes on
    sms(chain.standin, HEALTH_PHONE, reference)
    metrics = chain.notifier.metrics()
    for reason in ("malformed_envelope", "no_known_alert"):
        assert f'safeguard_notifier_dead_letters_total{{reason="{reason}"}}' in metrics
