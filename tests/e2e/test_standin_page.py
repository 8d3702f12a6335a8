"""The Twilio stand-in's page, where a developer reads what the phones received."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.system import DRILL_DESK, DRILL_INCIDENT, System


def test_the_inbox_page_shows_the_drill_desk_messages(
    system: System, page: Page, screenshots: Path
) -> None:
    incident_id = system.post_incident(DRILL_INCIDENT)
    reference = system.notified_alerts(incident_id)[0]["facts"]["reference"]
    system.messages_to(DRILL_DESK, reference, count=1)

    page.goto(system.standin.url)
    expect(page.get_by_role("heading", name=DRILL_DESK)).to_be_visible()
    message = page.get_by_text(reference).first
    expect(message).to_be_visible()
    expect(message).to_contain_text("DIỄN TẬP")
    expect(message).to_contain_text("/ack/")
    page.screenshot(path=screenshots / "standin-inbox.png", full_page=True)
