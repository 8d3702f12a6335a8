"""The stand-in as slow as Twilio: a round trip per request, a concurrency limit answering
20429, each sender's queue drained at its rate in segments, and queue overflow. Timings are
compared with each other (order, ratios), never with a wall-clock bound from above."""

import asyncio
import itertools
import time
from datetime import datetime

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from tests.integration.servers import free_port
from tests.integration.standins.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.integration.standins.receiver import Receiver
from tests.integration.standins.test_cli import running, wait_until_up
from tests.integration.standins.test_twilio_standin import SENDER, settled, twilio_client

THREE_SEGMENTS = "ă" * 150  # UCS-2: 67 characters per part
SERVICE = "MG" + "5" * 32


def pace(standin: httpx.Client, **pacing: object) -> None:
    standin.post("/_standin/config", json={"pacing": pacing}).raise_for_status()


def left_queue(record: dict[str, object]) -> float:
    return datetime.fromisoformat(str(record["left_queue_at"])).timestamp()


def records_of(standin: httpx.Client, sids: list[str]) -> list[dict[str, object]]:
    """The stand-in's records of these messages once settled, in the order of `sids`."""
    for sid in sids:
        settled(standin, sid, timeout=30)
    by_sid = {record["sid"]: record for record in standin.get("/_standin/messages").json()}
    return [by_sid[sid] for sid in sids]


def timed_create(client: Client, to: str) -> float:
    started = time.perf_counter()
    client.messages.create(to=to, from_=SENDER, body="x")
    return time.perf_counter() - started


def test_every_request_takes_the_configured_round_trip(standin: httpx.Client) -> None:
    client = twilio_client(standin)
    quick = [timed_create(client, "+84912100001") for _ in range(3)]
    pace(standin, latency_seconds=0.4, jitter_seconds=0.05, seed=7)
    slow = [timed_create(client, "+84912100001") for _ in range(3)]
    started = time.perf_counter()
    sid = standin.get("/_standin/messages").json()[-1]["sid"]
    client.messages(sid).fetch()
    fetched = time.perf_counter() - started

    assert min(slow) >= 0.35
    assert fetched >= 0.35
    assert min(slow) > 3 * max(quick)


async def test_requests_beyond_the_concurrency_limit_get_20429(standin: httpx.Client) -> None:
    pace(standin, latency_seconds=1.0, max_concurrent_requests=2)
    http_client = AsyncTwilioHttpClient(timeout=30)
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http_client)
    client.api.base_url = str(standin.base_url).rstrip("/")
    try:
        sends = [
            client.messages.create_async(to="+84912100002", from_=SENDER, body=f"m{index}")
            for index in range(5)
        ]
        answers = await asyncio.gather(*sends, return_exceptions=True)
        after = await client.messages.create_async(to="+84912100002", from_=SENDER, body="later")
    finally:
        await http_client.close()

    refused = [answer for answer in answers if isinstance(answer, TwilioRestException)]
    assert len(refused) == 3
    assert len(answers) - len(refused) == 2
    assert {(error.status, error.code) for error in refused} == {(429, 20429)}
    assert after.status == "queued"  # the limit counts requests in flight only


def test_a_sender_queue_drains_at_its_rate_counted_in_segments(
    standin: httpx.Client, receiver: Receiver
) -> None:
    pace(standin, senders={SENDER: {"segments_per_second": 2.0}})
    to, callback = "+84912100003", f"{receiver.url}/status"
    bodies = ["one", THREE_SEGMENTS, "one", "one", "one"]
    client = twilio_client(standin)
    sent = [
        client.messages.create(to=to, from_=SENDER, body=body, status_callback=callback)
        for body in bodies
    ]
    inbox_at_once = standin.get(f"/_standin/inbox/{to}").json()

    records = records_of(standin, [message.sid for message in sent])
    assert [message.status for message in sent] == ["queued"] * 5
    assert [message.num_segments for message in sent] == ["1", "3", "1", "1", "1"]
    assert len(inbox_at_once) < len(bodies)  # the rest was still in the sender's queue
    departures = [left_queue(record) for record in records]
    assert departures == sorted(departures)
    # Every request was answered before the second message left the queue.
    assert (
        max(datetime.fromisoformat(str(r["created"])).timestamp() for r in records)
        < (departures[1])
    )
    gaps = [later - earlier for earlier, later in itertools.pairwise(departures)]
    one_segment_gap = (gaps[0] + gaps[2] + gaps[3]) / 3
    assert 2.4 < gaps[1] / one_segment_gap < 3.6  # three slots for three segments
    sent_hooks = receiver.wait_for("/status", count=5, MessageStatus="sent")
    assert [hook.params["MessageSid"] for hook in sent_hooks] == [m.sid for m in sent]


def test_each_sender_identity_has_its_own_queue(standin: httpx.Client) -> None:
    alphanumeric = "SAFEGUARD"
    limit = {"segments_per_second": 2.0}
    pace(standin, senders={SENDER: limit, alphanumeric: limit})
    client = twilio_client(standin)
    first = [client.messages.create(to="+84912100004", from_=SENDER, body="a") for _ in range(3)]
    other = client.messages.create(to="+84912100004", from_=alphanumeric, body="b")

    *records, other_record = records_of(standin, [m.sid for m in [*first, other]])
    assert left_queue(other_record) < left_queue(records[2])
    assert left_queue(other_record) < left_queue(records[1])


def test_a_messaging_service_queue_overflows_with_30001_in_the_callback(
    standin: httpx.Client, receiver: Receiver
) -> None:
    pace(standin, senders={SERVICE: {"segments_per_second": 1.0, "queue_depth": 2}})
    to, callback = "+84912100005", f"{receiver.url}/status"
    client = twilio_client(standin)
    sent = [
        client.messages.create(
            to=to, messaging_service_sid=SERVICE, body=f"m{index}", status_callback=callback
        )
        for index in range(4)
    ]
    depths = standin.get("/_standin/senders").json()

    records = records_of(standin, [message.sid for message in sent])
    assert [message.status for message in sent] == ["accepted"] * 4
    assert depths[SERVICE] == 2
    assert [record["error_code"] for record in records] == [None, None, None, 30001]
    assert [record["status"] for record in records] == ["delivered"] * 3 + ["failed"]
    [failed] = receiver.wait_for("/status", MessageSid=sent[3].sid)
    assert (failed.params["MessageStatus"], failed.params["ErrorCode"]) == ("failed", "30001")
    inbox = standin.get(f"/_standin/inbox/{to}").json()
    assert [message["sid"] for message in inbox] == [message.sid for message in sent[:3]]


def test_a_from_number_with_a_full_queue_is_refused_with_21611(standin: httpx.Client) -> None:
    pace(standin, senders={SENDER: {"segments_per_second": 1.0, "queue_depth": 1}})
    client = twilio_client(standin)
    accepted = [client.messages.create(to="+84912100006", from_=SENDER, body="x")]
    accepted.append(client.messages.create(to="+84912100006", from_=SENDER, body="x"))
    with pytest.raises(TwilioRestException) as refused:
        client.messages.create(to="+84912100006", from_=SENDER, body="x")

    assert (refused.value.status, refused.value.code) == (400, 21611)
    assert [message.status for message in accepted] == ["queued", "queued"]
    assert len(standin.get("/_standin/messages", params={"to": "+84912100006"}).json()) == 2


def test_the_realistic_profile_is_one_flag_away() -> None:
    port = free_port()
    argv = ["devstack.twilio_standin", "--port", str(port), "--profile", "realistic"]
    with running(*argv) as process:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/_standin/config", process)
        client = Client("AC" + "0" * 32, "standin-auth-token")
        client.api.base_url = url
        started = time.perf_counter()
        first = client.messages.create(to="+84912100007", from_="SAFEGUARD", body="x")
        round_trip = time.perf_counter() - started
        second = client.messages.create(to="+84912100007", from_="SAFEGUARD", body="x")
        with httpx.Client(base_url=url) as control:
            pacing = control.get("/_standin/config").json()["pacing"]
            records = records_of(control, [first.sid, second.sid])

    assert pacing["latency_seconds"] == 0.3
    assert pacing["max_concurrent_requests"] == 100
    assert round_trip >= 0.25
    # One segment a second: the second left about a second after the first, whatever the
    # round trip between their requests.
    assert left_queue(records[1]) - left_queue(records[0]) >= 0.9
