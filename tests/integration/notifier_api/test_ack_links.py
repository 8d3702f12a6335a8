"""Acknowledgment links on a real broker: a GET only shows, a POST publishes one command."""

import threading
from datetime import timedelta

import httpx

from contracts.alert_command import AckMethod, CommandType
from contracts.incident import Status
from services.notifier.core.ack import Lifecycle
from tests.integration.kafka_reader import TopicReader
from tests.integration.notifier_api.alerts import (
    AlertWriter,
    commands,
    link,
    nonce_of,
    wait_for_alert,
)
from tests.integration.servers import BackgroundServer


def test_opening_a_link_shows_the_facts_and_publishes_nothing(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert()
    wait_for_alert(api, alert.alert_id)
    path = link(alert.alert_id)

    vi = httpx.get(f"{api.url}{path}", timeout=10)
    en = httpx.get(f"{api.url}{path}?lang=en", timeout=10)
    httpx.head(f"{api.url}{path}", timeout=10)

    assert vi.status_code == 200
    assert en.status_code == 200
    assert alert.reference in vi.text
    assert "Mường Phăng" in vi.text
    assert "Xác nhận" in vi.text
    assert '<form method="post" action="">' in vi.text
    assert "Acknowledge" in en.text
    assert "Physical abuse" in en.text
    assert vi.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in vi.headers["cache-control"]
    assert commands(command_log, alert.alert_id, wait=3.0) == []


def test_a_drill_link_says_it_is_a_drill(api: BackgroundServer, writer: AlertWriter) -> None:
    alert = writer.new_alert(status=Status.EXERCISE)
    wait_for_alert(api, alert.alert_id)
    page = httpx.get(f"{api.url}{link(alert.alert_id)}", timeout=10).text
    assert "DIỄN TẬP" in page


def test_confirming_publishes_one_acknowledge_command_with_the_slot_and_nonce(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert()
    wait_for_alert(api, alert.alert_id)
    path = link(alert.alert_id, slot=2)

    first = httpx.post(f"{api.url}{path}", timeout=15)
    again = httpx.post(f"{api.url}{path}", timeout=15)

    # No worker runs here, so the projection never shows it acknowledged: "recorded".
    assert first.status_code == 202
    assert again.status_code == 202
    assert "Đã ghi nhận" in first.text
    [command] = commands(command_log, alert.alert_id, wait=3.0)
    assert command.type is CommandType.ACKNOWLEDGE
    assert command.method is AckMethod.LINK
    assert command.recipient_slot == 2
    assert command.nonce == nonce_of(path)
    assert command.by is None


def test_confirming_waits_for_the_worker_and_says_who_acknowledged(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert()
    wait_for_alert(api, alert.alert_id)
    # The worker applies the command a moment later and publishes its audit event.
    worker = threading.Timer(0.3, writer.acknowledged, (alert, "duty-vi"))
    worker.start()

    response = httpx.post(f"{api.url}{link(alert.alert_id)}?lang=en", timeout=15)
    worker.join()

    assert response.status_code == 200
    assert "Alert acknowledged" in response.text
    assert "duty-vi" in response.text
    assert len(commands(command_log, alert.alert_id, wait=2.0)) == 1


def test_an_acknowledged_alert_says_by_whom_and_a_used_link_changes_nothing_and_says_so(
    api: BackgroundServer, writer: AlertWriter, command_log: TopicReader
) -> None:
    alert = writer.new_alert()
    writer.acknowledged(alert, "duty-vi")
    wait_for_alert(api, alert.alert_id, lambda a: a["lifecycle"] == Lifecycle.ACKNOWLEDGED)

    shown = httpx.get(f"{api.url}{link(alert.alert_id)}?lang=en", timeout=10)
    posted = httpx.post(f"{api.url}{link(alert.alert_id, slot=1)}?lang=en", timeout=10)

    for response in (shown, posted):
        assert response.status_code == 200
        assert "Acknowledged by duty-vi" in response.text
        assert "<form" not in response.text
    assert "Nothing changed" in posted.text  # a second press says it did nothing
    assert "Nothing changed" not in shown.text
    assert commands(command_log, alert.alert_id, wait=2.0) == []


def test_bad_expired_and_not_yet_known_links(
    api: BackgroundServer, command_log: TopicReader
) -> None:
    unknown = "alr_" + "0" * 31 + "1"
    valid = link(unknown)
    forged = valid[:-4] + ("AAAA" if not valid.endswith("AAAA") else "BBBB")
    expired = link(unknown, valid=-timedelta(seconds=1))

    for path, status in ((forged, 400), ("/ack/short", 400), (expired, 410), (valid, 200)):
        for method in ("GET", "POST"):
            if (path, method) == (valid, "POST"):
                continue
            response = httpx.request(method, f"{api.url}{path}", timeout=10)
            assert response.status_code == status, (path, method)
    processing = httpx.get(f"{api.url}{valid}", timeout=10)
    assert "đang được xử lý" in processing.text
    assert processing.headers["retry-after"]
    assert "<form" not in processing.text
    assert commands(command_log, unknown, wait=1.0) == []
