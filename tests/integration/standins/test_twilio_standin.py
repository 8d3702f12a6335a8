"""The Twilio stand-in, driven by the official twilio client (sync and async) over HTTP."""

import time

import httpx
import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.integration.standins.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.integration.standins.receiver import THANKS_TWIML, Hook, Receiver

SENDER = "+15005550006"
VIETNAMESE = "Cảnh báo khẩn: có trẻ em cần hỗ trợ tại xã Thanh Yên. Xác nhận ngay bằng liên kết."


def twilio_client(standin: httpx.Client, token: str = AUTH_TOKEN) -> Client:
    client = Client(ACCOUNT_SID, token)
    client.api.base_url = str(standin.base_url).rstrip("/")
    return client


def control_of(standin: httpx.Client) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=standin.base_url, timeout=10)


def assert_signed(hook: Hook) -> None:
    assert hook.signature, "the webhook carries no X-Twilio-Signature"
    assert RequestValidator(AUTH_TOKEN).validate(hook.url, hook.params, hook.signature)
    assert not RequestValidator("another-token").validate(hook.url, hook.params, hook.signature)


def settled(standin: httpx.Client, sid: str, timeout: float = 5.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        listed: list[dict[str, object]] = standin.get("/_standin/messages").json()
        record = next(message for message in listed if message["sid"] == sid)
        if record["settled"]:
            return record
        assert time.monotonic() < deadline, f"message {sid} never settled: {record}"
        time.sleep(0.01)


def call_status(standin: httpx.Client, sid: str, wanted: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while (status := standin.get(f"/_standin/calls/{sid}").json()["status"]) != wanted:
        assert time.monotonic() < deadline, f"call {sid} is {status}, not {wanted}"
        time.sleep(0.01)


def test_sync_client_sends_an_sms_and_gets_signed_receipts(
    standin: httpx.Client, receiver: Receiver
) -> None:
    to = "+84912000001"
    callback = f"{receiver.url}/status?alert=a-1"

    message = twilio_client(standin).messages.create(
        to=to, from_=SENDER, body="Alert A-1: acknowledge", status_callback=callback
    )

    assert message.sid.startswith("SM")
    assert len(message.sid) == 34
    assert (message.status, message.to, message.from_) == ("queued", to, SENDER)
    assert message.num_segments == "1"
    assert message.date_created is not None
    assert message.account_sid == ACCOUNT_SID
    assert message.direction == "outbound-api"
    hooks = receiver.wait_for("/status", count=2, MessageSid=message.sid)
    assert [hook.params["MessageStatus"] for hook in hooks] == ["sent", "delivered"]
    for hook in hooks:
        assert_signed(hook)
        assert hook.url == callback
        assert hook.params["To"] == to
        assert hook.params["AccountSid"] == ACCOUNT_SID
        assert "ErrorCode" not in hook.params
    [inbox] = standin.get(f"/_standin/inbox/{to}").json()
    assert (inbox["sid"], inbox["body"], inbox["status"]) == (
        message.sid,
        message.body,
        "delivered",
    )


async def test_async_client_sends_a_vietnamese_sms_and_a_call(standin: httpx.Client) -> None:
    http_client = AsyncTwilioHttpClient(timeout=10)
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http_client)
    client.api.base_url = str(standin.base_url).rstrip("/")
    try:
        message = await client.messages.create_async(
            to="+84912000002", from_=SENDER, body=VIETNAMESE
        )
        call = await client.calls.create_async(
            to="+84912000002", from_=SENDER, twiml="<Response><Say>Hi</Say></Response>"
        )
    finally:
        await http_client.close()

    assert len(VIETNAMESE) > 70
    assert (message.status, message.num_segments) == ("queued", "2")  # UCS-2: 67 per part
    assert call.sid.startswith("CA")
    assert len(call.sid) == 34
    assert call.status == "queued"
    async with control_of(standin) as control:
        [listed] = (await control.get("/_standin/calls", params={"to": "+84912000002"})).json()
    assert listed["sid"] == call.sid


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("a" * 160, "1"),
        ("a" * 306, "2"),  # 153 per part once split
        ("a" * 307, "3"),
        ("{" * 80, "1"),  # an extension character costs two septets
        ("{" * 81, "2"),
        ("ă" * 70, "1"),
        ("ă" * 134, "2"),  # 67 per part once split
        ("ă" * 135, "3"),
        ("a" * 152 + "{" + "a" * 152, "3"),  # an escape pair is never split across parts
    ],
)
def test_segments_are_counted_like_twilio(standin: httpx.Client, body: str, segments: str) -> None:
    message = twilio_client(standin).messages.create(to="+84912000003", from_=SENDER, body=body)
    assert message.num_segments == segments


def test_wrong_credentials_are_refused_in_twilios_shape(standin: httpx.Client) -> None:
    with pytest.raises(TwilioRestException) as refused:
        twilio_client(standin, token="wrong").messages.create(
            to="+84912000004", from_=SENDER, body="x"
        )
    assert (refused.value.status, refused.value.code) == (401, 20003)
    assert standin.get("/_standin/inbox/+84912000004").json() == []


@pytest.mark.parametrize("code", [21211, 21610])
def test_configured_failing_numbers_raise_their_code(standin: httpx.Client, code: int) -> None:
    to = f"+8491200{code}"
    standin.post("/_standin/config", json={"failing_numbers": {to: code}}).raise_for_status()

    with pytest.raises(TwilioRestException) as refused:
        twilio_client(standin).messages.create(to=to, from_=SENDER, body="x")

    assert (refused.value.status, refused.value.code) == (400, code)
    assert standin.get(f"/_standin/inbox/{to}").json() == []


def test_a_number_that_is_not_e164_is_invalid(standin: httpx.Client) -> None:
    with pytest.raises(TwilioRestException) as refused:
        twilio_client(standin).messages.create(to="0912 000 005", from_=SENDER, body="x")
    assert refused.value.code == 21211


def test_injected_faults_are_consumed_one_per_request(standin: httpx.Client) -> None:
    faults = [{"status": 429}, {"status": 503, "code": 20503}]
    standin.post("/_standin/config", json={"faults": faults}).raise_for_status()
    client = twilio_client(standin)

    codes = []
    for _ in faults:
        with pytest.raises(TwilioRestException) as refused:
            client.messages.create(to="+84912000006", from_=SENDER, body="x")
        codes.append((refused.value.status, refused.value.code))

    assert codes == [(429, 20429), (503, 20503)]
    assert client.messages.create(to="+84912000006", from_=SENDER, body="x").status == "queued"


def test_a_slow_answer_can_be_injected_to_test_client_timeouts(standin: httpx.Client) -> None:
    slow = {"status": 201, "delay_seconds": 0.5}
    standin.post("/_standin/config", json={"faults": [slow]}).raise_for_status()
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=TwilioHttpClient(timeout=0.1))
    client.api.base_url = str(standin.base_url).rstrip("/")
    with pytest.raises(requests.Timeout):
        client.messages.create(to="+84912000019", from_=SENDER, body="x")


async def test_the_async_client_retries_a_server_error(standin: httpx.Client) -> None:
    async with control_of(standin) as control:
        fault = await control.post("/_standin/config", json={"faults": [{"status": 500}]})
        fault.raise_for_status()
        http_client = AsyncTwilioHttpClient(max_retries=2)
        client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http_client)
        client.api.base_url = str(standin.base_url).rstrip("/")
        try:
            message = await client.messages.create_async(to="+84912000007", from_=SENDER, body="x")
        finally:
            await http_client.close()
        config = (await control.get("/_standin/config")).json()
    assert message.status == "queued"
    assert config["faults"] == []


@pytest.mark.parametrize(
    ("receipt", "expected"),
    [
        ("delivered", [("sent", None), ("delivered", None)]),
        ("undelivered", [("sent", None), ("undelivered", "30003")]),
        ("failed", [("failed", "30008")]),
        ("none", [("sent", None)]),
    ],
)
def test_receipts_follow_the_number_behaviour(
    standin: httpx.Client,
    receiver: Receiver,
    receipt: str,
    expected: list[tuple[str, str | None]],
) -> None:
    to = "+84912000008"
    standin.post("/_standin/config", json={"receipts": {to: receipt}}).raise_for_status()
    message = twilio_client(standin).messages.create(
        to=to, from_=SENDER, body="x", status_callback=f"{receiver.url}/status"
    )

    record = settled(standin, message.sid)

    hooks = receiver.hooks("/status", MessageSid=message.sid)
    assert [(h.params["MessageStatus"], h.params.get("ErrorCode")) for h in hooks] == expected
    assert record["status"] == expected[-1][0]
    fetched = twilio_client(standin).messages(message.sid).fetch()
    assert fetched.status == expected[-1][0]


def test_a_messaging_service_message_is_accepted_then_queued(
    standin: httpx.Client, receiver: Receiver
) -> None:
    message = twilio_client(standin).messages.create(
        to="+84912000009",
        messaging_service_sid="MG" + "0" * 32,
        body="x",
        status_callback=f"{receiver.url}/status",
    )
    assert (message.status, message.from_) == ("accepted", None)
    settled(standin, message.sid)
    hooks = receiver.hooks("/status", MessageSid=message.sid)
    assert [hook.params["MessageStatus"] for hook in hooks] == ["queued", "sent", "delivered"]
    assert {hook.params["From"] for hook in hooks} == {SENDER}


def test_receipts_to_an_unreachable_url_are_retried_then_given_up(
    standin: httpx.Client, receiver: Receiver
) -> None:
    standin.delete("/_standin/webhooks")
    dead = "http://127.0.0.1:9/status"  # discard port: nothing listens
    standin.post("/_standin/config", json={"default_receipt": "none"}).raise_for_status()
    message = twilio_client(standin).messages.create(
        to="+84912000010", from_=SENDER, body="x", status_callback=dead
    )

    settled(standin, message.sid)

    [entry] = standin.get("/_standin/webhooks").json()
    assert (entry["url"], entry["attempts"], entry["status"]) == (dead, 2, None)
    assert "ConnectError" in entry["error"]


def test_a_reply_posts_a_signed_inbound_webhook(standin: httpx.Client, receiver: Receiver) -> None:
    inbound = f"{receiver.url}/sms"
    standin.post("/_standin/config", json={"inbound_sms_url": inbound}).raise_for_status()

    answer = standin.post(
        "/_standin/reply", json={"from_phone": "+84912000011", "to": SENDER, "body": "ACK 4821"}
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == 200
    assert "<Message>" in answer.json()["body"]
    [hook] = receiver.hooks("/sms", From="+84912000011")
    assert_signed(hook)
    assert hook.params["Body"] == "ACK 4821"
    assert hook.params["To"] == SENDER
    assert hook.params["NumSegments"] == "1"
    assert hook.params["MessageSid"].startswith("SM")
    assert hook.params["MessageSid"] == answer.json()["sid"]
    assert any(m["body"] == "ACK 4821" for m in standin.get(f"/_standin/inbox/{SENDER}").json())


def test_a_reply_without_a_webhook_url_is_a_conflict(standin: httpx.Client) -> None:
    answer = standin.post(
        "/_standin/reply", json={"from_phone": "+84912000012", "to": SENDER, "body": "x"}
    )
    assert answer.status_code == 409


def test_a_keypress_posts_the_gather_action_then_the_call_completes(
    standin: httpx.Client, receiver: Receiver
) -> None:
    twiml = (
        f'<Response><Gather action="{receiver.url}/gather" numDigits="1">'
        "<Say>Press 1</Say></Gather></Response>"
    )
    call = twilio_client(standin).calls.create(
        to="+84912000013", from_=SENDER, twiml=twiml, status_callback=f"{receiver.url}/call-status"
    )
    call_status(standin, call.sid, "in-progress")

    pressed = standin.post(f"/_standin/calls/{call.sid}/press", json={"digits": "1"})

    assert pressed.status_code == 200, pressed.text
    assert pressed.json() == {"url": f"{receiver.url}/gather", "status": 200, "body": THANKS_TWIML}
    [hook] = receiver.hooks("/gather", CallSid=call.sid)
    assert_signed(hook)
    assert (hook.params["Digits"], hook.params["To"], hook.params["From"]) == (
        "1",
        "+84912000013",
        SENDER,
    )
    [ended] = receiver.wait_for("/call-status", CallSid=call.sid)
    assert_signed(ended)
    assert ended.params["CallStatus"] == "completed"


def test_a_call_by_url_fetches_its_twiml_and_resolves_a_relative_action(
    standin: httpx.Client, receiver: Receiver
) -> None:
    call = twilio_client(standin).calls.create(
        to="+84912000014", from_=SENDER, url=f"{receiver.url}/voice"
    )
    call_status(standin, call.sid, "in-progress")

    pressed = standin.post(f"/_standin/calls/{call.sid}/press", json={"digits": "2"})

    assert pressed.json()["url"] == f"{receiver.url}/gather"
    [voice] = receiver.hooks("/voice", CallSid=call.sid)
    assert_signed(voice)
    assert voice.params["CallStatus"] == "in-progress"
    assert receiver.hooks("/gather", CallSid=call.sid, Digits="2")


def test_an_unanswered_call_reports_no_answer(standin: httpx.Client, receiver: Receiver) -> None:
    to = "+84912000015"
    standin.post("/_standin/config", json={"call_outcomes": {to: "no-answer"}}).raise_for_status()
    call = twilio_client(standin).calls.create(
        to=to,
        from_=SENDER,
        twiml="<Response><Gather/></Response>",
        status_callback=f"{receiver.url}/call-status",
    )

    [hook] = receiver.wait_for("/call-status", CallSid=call.sid)

    assert hook.params["CallStatus"] == "no-answer"
    pressed = standin.post(f"/_standin/calls/{call.sid}/press", json={"digits": "1"})
    assert pressed.status_code == 409


def test_links_in_a_phones_messages_can_be_opened(standin: httpx.Client) -> None:
    to = "+84912000016"
    body = "Alert A-7. Acknowledge: http://127.0.0.1:8001/ack/Zx9_k-2. Call 113."
    twilio_client(standin).messages.create(to=to, from_=SENDER, body=body)

    links = standin.get(f"/_standin/inbox/{to.replace('+', '%2B')}/links").json()

    assert links == ["http://127.0.0.1:8001/ack/Zx9_k-2"]


def test_the_home_page_lists_inboxes_escaped(standin: httpx.Client) -> None:
    twilio_client(standin).messages.create(
        to="+84912000017", from_=SENDER, body="<script>alert(1)</script>"
    )

    page = standin.get("/")

    assert page.headers["content-type"].startswith("text/html")
    assert "+84912000017" in page.text
    assert "&lt;script&gt;" in page.text
    assert "<script>" not in page.text


def test_clearing_messages_empties_the_inboxes(standin: httpx.Client) -> None:
    twilio_client(standin).messages.create(to="+84912000018", from_=SENDER, body="x")
    assert standin.delete("/_standin/messages").status_code == 204
    assert standin.get("/_standin/messages").json() == []


def test_a_bad_config_is_refused_and_changes_nothing(standin: httpx.Client) -> None:
    before = standin.get("/_standin/config").json()
    answer = standin.post("/_standin/config", json={"default_receipt": "lost"})
    assert answer.status_code == 422
    assert standin.get("/_standin/config").json() == before
