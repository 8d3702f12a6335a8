"""Twilio's webhooks on a real broker: signatures checked against the public address, receipts,
SMS replies and keypresses turned into commands, everything else answered and left alone."""

from xml.etree import ElementTree

import httpx
import pytest

from contracts.alert_command import AckMethod, CommandType, ReceiptStatus
from services.notifier.core.ack import AckMethod as AuditAckMethod
from services.notifier.core.ack import Lifecycle
from tests.integration.kafka_reader import TopicReader
from tests.integration.notifier_api.alerts import (
    PUBLIC_BASE_URL,
    AlertWriter,
    commands,
    first_command,
    metric,
    twilio_post,
    wait_for_alert,
)
from tests.integration.servers import BackgroundServer


def status_path(alert_id: str, message_id: str = "m0") -> str:
    return f"/webhooks/twilio/status?alert_id={alert_id}&message_id={message_id}"


def receipt(status: str) -> dict[str, str]:
    return {
        "MessageSid": "SM" + "a" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": "SAFEGUARD",
        "To": "+842000000001",
        "MessageStatus": status,
    }


def sms(phone: str, body: str) -> dict[str, str]:
    return {"MessageSid": "SM" + "b" * 32, "From": phone, "To": "SAFEGUARD", "Body": body}


def said(response: httpx.Response) -> str:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    return "".join(ElementTree.fromstring(response.text).itertext())


REJECTED = 'safeguard_notifier_webhooks_rejected_total{kind="%s"}'


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("status", status_path("alr_" + "a" * 32)),
        ("sms", "/webhooks/twilio/sms"),
        ("voice", "/webhooks/twilio/voice?alert_id=alr_" + "a" * 32 + "&slot=0"),
    ],
)
def test_forged_webhooks_are_refused_and_counted(
    api: BackgroundServer, command_log: TopicReader, kind: str, path: str
) -> None:
    params = receipt("delivered") | {"Body": "XN", "Digits": "1"}
    before = metric(api, REJECTED % kind)

    forged = [
        twilio_post(api, path, params, token="not-the-auth-token"),
        twilio_post(api, path, params, signature="bm90IGEgc2lnbmF0dXJl"),
        # Signed for the address the API sees, not the public one Twilio was given.
        twilio_post(api, path, params, signed_url=f"{api.url}{path}"),
        httpx.post(f"{api.url}{path}", data=params, timeout=10),  # no signature at all
    ]

    assert [r.status_code for r in forged] == [403] * 4
    assert forged[0].headers["content-type"] == "application/problem+json"
    assert metric(api, REJECTED % kind) == before + 4
    assert commands(command_log, "alr_" + "a" * 32, wait=1.0) == []


def test_a_signed_delivery_receipt_becomes_a_receipt_command(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert()
    params = receipt("undelivered") | {"ErrorCode": "30003"}

    response = twilio_post(api, status_path(alert.alert_id), params)

    assert response.status_code == 204
    command = first_command(command_log, alert.alert_id)
    assert command.type is CommandType.RECEIPT
    assert command.receipt is ReceiptStatus.UNDELIVERED
    assert (command.message_id, command.code) == ("m0", "30003")
    assert command.provider_id == "SM" + "a" * 32


def test_interim_statuses_are_accepted_and_ignored(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert()
    for status in ("queued", "sending", "accepted"):
        assert twilio_post(api, status_path(alert.alert_id), receipt(status)).status_code == 204
    assert commands(command_log, alert.alert_id, wait=2.0) == []


def test_a_receipt_without_a_usable_alert_id_is_a_bad_request(api: BackgroundServer) -> None:
    response = twilio_post(api, status_path("not-an-alert"), receipt("delivered"))
    assert response.status_code == 400


def test_a_reply_with_the_code_from_the_alerted_phone_acknowledges(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert()
    wait_for_alert(api, alert.alert_id)

    response = twilio_post(api, "/webhooks/twilio/sms", sms(alert.phone, f"xác nhận {alert.code}"))

    assert said(response) == f"Đã xác nhận cảnh báo {alert.reference}. Cảm ơn."
    [command] = commands(command_log, alert.alert_id, wait=3.0)
    assert command.type is CommandType.ACKNOWLEDGE
    assert command.method is AckMethod.SMS_REPLY
    assert command.by == "duty-vi"


def test_replies_are_answered_in_the_officer_s_language(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert("school", "duty-en", writer.phones.en)
    wait_for_alert(api, alert.alert_id)

    unknown = said(twilio_post(api, "/webhooks/twilio/sms", sms(alert.phone, "OK 9999")))
    gibberish = said(twilio_post(api, "/webhooks/twilio/sms", sms(alert.phone, "who is this?")))
    bare = said(twilio_post(api, "/webhooks/twilio/sms", sms(alert.phone, "ok")))

    assert unknown.startswith("Unknown or expired code")
    assert gibberish.startswith("Reply not understood")
    assert bare == f"Alert {alert.reference} acknowledged. Thank you."  # its only open alert
    [command] = commands(command_log, alert.alert_id, wait=3.0)
    assert command.by == "duty-en"


def test_a_reply_from_a_number_that_was_not_alerted_changes_nothing(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert()
    wait_for_alert(api, alert.alert_id)

    response = twilio_post(
        api, "/webhooks/twilio/sms", sms(writer.phones.stranger, f"XN {alert.code}")
    )

    assert "không được gửi cảnh báo" in said(response)
    assert commands(command_log, alert.alert_id, wait=2.0) == []


def test_a_reply_to_an_acknowledged_alert_says_who_was_first(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert("school", "duty-en", writer.phones.en)
    writer.acknowledged(alert, "duty-en", AuditAckMethod.LINK)
    wait_for_alert(api, alert.alert_id, lambda a: a["lifecycle"] == Lifecycle.ACKNOWLEDGED)

    response = twilio_post(api, "/webhooks/twilio/sms", sms(alert.phone, f"OK {alert.code}"))

    assert said(response) == f"Alert {alert.reference} was already acknowledged by duty-en (test)."
    assert commands(command_log, alert.alert_id, wait=2.0) == []


def test_pressing_1_in_the_call_acknowledges_and_other_keys_ask_again(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert()
    path = f"/webhooks/twilio/voice?alert_id={alert.alert_id}&slot=1"
    call = {"CallSid": "CA" + "c" * 32, "From": "SAFEGUARD", "To": alert.phone}

    wrong = twilio_post(api, path, call | {"Digits": "7"})
    right = twilio_post(api, path, call | {"Digits": "1"})

    gather = ElementTree.fromstring(wrong.text).find("Gather")
    assert gather is not None
    assert gather.get("action") == PUBLIC_BASE_URL + path
    assert said(right) == "Cảm ơn. Cảnh báo đã được xác nhận."
    [command] = commands(command_log, alert.alert_id, wait=3.0)
    assert command.method is AckMethod.VOICE_KEYPRESS
    assert command.recipient_slot == 1


REPLAYED = 'safeguard_notifier_webhooks_replayed_total{kind="%s"}'


@pytest.mark.parametrize("kind", ["status", "sms", "voice"])
def test_the_same_signed_webhook_twice_acts_once_and_says_so(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader, kind: str
) -> None:
    alert = writer.new_alert()
    wait_for_alert(api, alert.alert_id)
    path, params = {
        "status": (status_path(alert.alert_id), receipt("delivered")),
        "sms": ("/webhooks/twilio/sms", sms(alert.phone, f"XN {alert.code}")),
        "voice": (
            f"/webhooks/twilio/voice?alert_id={alert.alert_id}&slot=1",
            {"CallSid": "CA" + "d" * 32, "To": alert.phone, "Digits": "1"},
        ),
    }[kind]
    before = metric(api, REPLAYED % kind)

    first, again = twilio_post(api, path, params), twilio_post(api, path, params)

    assert first.status_code in (200, 204)
    assert "x-safeguard-replay" not in first.headers
    assert again.status_code == first.status_code
    assert again.headers["x-safeguard-replay"] == "already handled; nothing changed"
    if kind != "status":
        assert said(again) == ""  # no second SMS or speech for the officer
    assert len(commands(command_log, alert.alert_id, wait=3.0)) == 1
    assert metric(api, REPLAYED % kind) == before + 1
