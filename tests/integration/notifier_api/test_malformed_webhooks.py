"""Oversized and malformed bodies on the Twilio webhooks and the acknowledgment link, against the
real server: each gets a 4xx with a problem body, and none publishes a command."""

import socket
from urllib.parse import quote, urlsplit

import httpx
import pytest
from twilio.request_validator import RequestValidator

from contracts.alert_command import AckMethod, CommandType
from services.notifier.core.links import SMS_PATH, STATUS_PATH, VOICE_PATH
from tests.integration.kafka_reader import TopicReader
from tests.integration.notifier_api.alerts import (
    PUBLIC_BASE_URL,
    TWILIO_TOKEN,
    AlertWriter,
    commands,
    link,
    twilio_post,
    wait_for_alert,
)
from tests.integration.servers import BackgroundServer

ALERT = "alr_" + "b" * 32
PATHS = [
    f"{STATUS_PATH}?alert_id={ALERT}&message_id=m0",
    SMS_PATH,
    f"{VOICE_PATH}?alert_id={ALERT}&slot=0",
]
FORM = "application/x-www-form-urlencoded"
LIMIT = 64 * 1024


def signed(path: str, params: dict[str, str]) -> dict[str, str]:
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE_URL + path, params)
    return {"X-Twilio-Signature": signature}


def raw_exchange(api: BackgroundServer, head: str, body: bytes) -> int:
    """Sends `head` and the start of a body whose end never comes; the status of the answer.
    A server that waited for the whole body would time out here instead."""
    address = urlsplit(api.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(head.encode("latin-1") + b"\r\n" + body)
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(4096)
            assert chunk, "the server closed the connection without answering"
            answer += chunk
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("path", PATHS)
def test_an_oversized_form_is_refused_from_its_declared_length(
    api: BackgroundServer, path: str
) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {FORM}\r\n"
        f"X-Twilio-Signature: x\r\nContent-Length: {100 * 1024 * 1024}\r\n"
    )
    assert raw_exchange(api, head, b"Body=" + b"a" * 1024) == 413


@pytest.mark.parametrize("path", PATHS)
def test_an_oversized_chunked_form_is_refused_while_it_streams(
    api: BackgroundServer, path: str
) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {FORM}\r\n"
        "X-Twilio-Signature: x\r\nTransfer-Encoding: chunked\r\n"
    )
    chunk = b"Body=" + b"a" * LIMIT
    assert raw_exchange(api, head, b"%x\r\n%s\r\n" % (len(chunk), chunk)) == 413


@pytest.mark.parametrize("path", PATHS)
def test_a_large_form_sent_whole_gets_413(api: BackgroundServer, path: str) -> None:
    params = {"From": "+842000000001", "Body": "a" * LIMIT, "MessageStatus": "delivered"}
    response = httpx.post(f"{api.url}{path}", data=params, headers=signed(path, params), timeout=15)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        (FORM, b"From=%2B84&Body=\xff\xfe", 400),  # not UTF-8
        (FORM, b"From=%2B84&Body=%C3%28", 400),  # not UTF-8 once decoded
        (FORM, b'{"From": "+84", "Body": "OK"}', 400),  # JSON under a form's name
        (FORM, b"\x00\x01\x02garbage", 400),
        ("application/json", b'{"From": "+84", "Body": "OK"}', 415),
        ("text/plain", b"From=%2B84&Body=OK", 415),
        (None, b"From=%2B84&Body=OK", 415),
    ],
)
def test_a_body_that_is_not_a_utf8_form_is_a_client_error(
    api: BackgroundServer,
    command_log: TopicReader,
    path: str,
    content_type: str | None,
    body: bytes,
    status: int,
) -> None:
    headers = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    if content_type:
        headers["Content-Type"] = content_type
    response = httpx.post(f"{api.url}{path}", content=body, headers=headers, timeout=15)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert "+84" not in response.text  # no value echoed
    assert commands(command_log, ALERT, wait=0.5) == []


@pytest.mark.parametrize(
    ("path", "params", "missing"),
    [
        (PATHS[0], {"MessageSid": "SM1"}, ["MessageStatus"]),
        (PATHS[1], {"MessageSid": "SM1"}, ["From", "Body"]),
        (PATHS[1], {"From": "+842000000001"}, ["Body"]),
    ],
)
def test_a_signed_form_without_the_fields_is_a_422_naming_them(
    api: BackgroundServer,
    command_log: TopicReader,
    path: str,
    params: dict[str, str],
    missing: list[str],
) -> None:
    response = httpx.post(f"{api.url}{path}", data=params, headers=signed(path, params), timeout=15)
    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == missing
    assert commands(command_log, ALERT, wait=0.5) == []


@pytest.mark.parametrize("path", PATHS)
def test_a_form_without_the_fields_and_a_bad_signature_stays_403(
    api: BackgroundServer, path: str
) -> None:
    response = twilio_post(api, path, {"MessageSid": "SM1"}, token="not-the-auth-token")
    assert response.status_code == 403


@pytest.mark.parametrize("slot", ["²", "٣", "-1", "256", "1e2", ""])
def test_a_voice_callback_with_a_strange_slot_is_a_bad_request(
    api: BackgroundServer, command_log: TopicReader, slot: str
) -> None:
    path = f"{VOICE_PATH}?alert_id={ALERT}&slot={quote(slot)}"
    response = twilio_post(api, path, {"To": "+842000000001", "Digits": "1"})
    assert response.status_code == 400
    assert commands(command_log, ALERT, wait=0.5) == []


def test_a_garbage_form_on_an_invalid_link_publishes_nothing(
    api: BackgroundServer, command_log: TopicReader
) -> None:
    response = httpx.post(
        f"{api.url}/ack/{'A' * 40}",
        content=b"\xff\xfe\x00garbage=%%%",
        headers={"Content-Type": FORM},
        timeout=15,
    )
    assert response.status_code == 400
    assert command_log.read_for(1.0) == []


def test_a_garbage_form_on_a_valid_link_acknowledges_once(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    """The button's form carries nothing the link needs: whatever the body, a press is a press."""
    alert = writer.new_alert()
    wait_for_alert(api, alert.alert_id)
    path = link(alert.alert_id, slot=1)

    pressed = [
        httpx.post(f"{api.url}{path}", content=body, headers={"Content-Type": kind}, timeout=15)
        for body, kind in [
            (b"\xff\xfe\x00garbage=%%%", FORM),
            (b"[1, 2", "application/json"),
            (b"x" * (LIMIT + 1), "application/octet-stream"),
        ]
    ]

    assert [response.status_code for response in pressed] == [202] * 3
    [command] = commands(command_log, alert.alert_id, wait=3.0)
    assert (command.type, command.method, command.recipient_slot) == (
        CommandType.ACKNOWLEDGE,
        AckMethod.LINK,
        1,
    )
