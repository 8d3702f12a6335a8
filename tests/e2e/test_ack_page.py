"""An officer's phone: the SMS of a drill, its link opened in chromium, the Acknowledge button,
and the ops API seeing exactly that alert acknowledged."""

from pathlib import Path

from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.system import DRILL_DESK, DRILL_INCIDENT, System, ack_link, wait_for

PHONE_SCREEN = ViewportSize(width=412, height=915)


def test_an_officer_opens_the_link_sees_the_facts_and_acknowledges(
    system: System, page: Page, screenshots: Path
) -> None:
    incident_id = system.post_incident(DRILL_INCIDENT)
    alerts = system.notified_alerts(incident_id)
    reference = alerts[0]["facts"]["reference"]
    first, *_ = system.messages_to(DRILL_DESK, reference, count=len(alerts))

    page.set_viewport_size(PHONE_SCREEN)
    page.goto(ack_link(first))
    expect(page.get_by_role("heading", name="Xác nhận cảnh báo")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("DIỄN TẬP")
    expect(page.get_by_role("row", name="Mã sự việc")).to_contain_text(reference)
    expect(page.get_by_role("row", name="Địa bàn")).to_contain_text("Điện Biên Phủ")
    button = page.get_by_role("button", name="Xác nhận")
    expect(button).to_be_visible()
    page.screenshot(path=screenshots / "ack-page.png", full_page=True)
    assert [a["lifecycle"] for a in system.alerts(incident_id)].count("acknowledged") == 0

    button.click()
    expect(page.get_by_text("Xác nhận bởi").or_(page.get_by_text("Đã ghi nhận"))).to_be_visible()
    acknowledged = wait_for(
        lambda: (
            found
            if (
                found := [a for a in system.alerts(incident_id) if a["lifecycle"] == "acknowledged"]
            )
            else None
        ),
        what="an acknowledged alert in the ops API",
    )
    assert len(acknowledged) == 1
    assert acknowledged[0]["ack_method"] == "link"
    # The incident's other alerts may reach the projection later than the first: wait for them.
    acked_id = acknowledged[0]["alert_id"]
    others = wait_for(
        lambda: [a for a in system.alerts(incident_id) if a["alert_id"] != acked_id] or None,
        what="the drill's other alerts in the ops API",
    )
    assert "acknowledged" not in [a["lifecycle"] for a in others]

    page.reload()
    expect(page.get_by_role("heading", name="Cảnh báo đã được xác nhận")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(0)
    page.screenshot(path=screenshots / "ack-confirmed.png", full_page=True)
