"""What compose tells the templates: the agency's configured name in each officer's language,
and for a later tier that the alert escalated, with that tier's own deadline."""

from datetime import datetime, timedelta

from pydantic import BaseModel

from contracts import cloudevents, events
from contracts.dispatch import DispatchRequestV1
from services.notifier.core.ack import AlertState
from services.notifier.core.duty import Rosters
from services.notifier.core.handlers import Handled, handle_input, tick_command
from services.notifier.core.open_alerts import OpenAlerts
from services.notifier.core.policy import AgencyName
from services.notifier.texts.compose import ComposeConfig
from tests.unit.notifier.builders import ALERT_ID, MONDAY_0800, request, rosters

CONFIG = ComposeConfig(
    public_base_url="https://notify.example",
    link_secret=b"k" * 32,
    link_valid=timedelta(hours=24),
)
NAMES = {"police": AgencyName(vi="Công an tỉnh Điện Biên", en="Điện Biên Provincial Police")}


def _named() -> Rosters:
    return rosters().model_copy(update={"agency_names": NAMES})


def _handle(
    kind: str, data: BaseModel, state: AlertState | None, roster: Rosters, now: datetime
) -> Handled:
    headers, body = cloudevents.encode(type=kind, source="tests", data=data)
    handled = handle_input(headers, body, state, roster, CONFIG, OpenAlerts().codes, now)
    assert isinstance(handled, Handled)
    return handled


def _run_until_expiry(roster: Rosters) -> list[DispatchRequestV1]:
    """Nobody acknowledges: tier 1 (SMS, call), tier 2, tier 3, then the expiry notice."""
    handled = _handle(events.ALERT_REQUESTED, request(), None, roster, MONDAY_0800)
    sent = list(handled.dispatches)
    now = MONDAY_0800
    for _ in range(12):
        now += timedelta(minutes=5)
        tick = tick_command(ALERT_ID, now)
        handled = _handle(events.ALERT_COMMAND, tick, handled.state, roster, now)
        sent += handled.dispatches
    return sent


def test_every_message_names_the_agency_in_its_recipient_s_language() -> None:
    sent = _run_until_expiry(_named())
    first = sent[0]
    assert first.body.startswith("SG-6F1C0A8E gửi Công an tỉnh Điện Biên: ")
    english = [d for d in sent if d.recipient_id == "head"]  # the police head reads English
    assert english
    assert english[0].body.startswith(
        "ESCALATED TO TIER 2: SG-6F1C0A8E for Điện Biên Provincial Police not acknowledged "
        "since 08:00."
    )
    assert all("Công an tỉnh Điện Biên" in d.body for d in sent if d.recipient_id != "head")


def test_a_later_tier_says_it_escalated_with_its_own_deadline() -> None:
    sent = _run_until_expiry(_named())
    deputy = next(d for d in sent if d.recipient_id == "deputy")
    # tier 1: SMS at 08:00 (5 min), call at 08:05 (5 min); tier 2 at 08:10 waits 10 min
    assert deputy.body.startswith("CHUYỂN LÊN CẤP 2: SG-6F1C0A8E gửi Công an tỉnh Điện Biên ")
    assert "chưa ai xác nhận từ 08:00." in deputy.body
    assert "Xác nhận trước 08:20: " in deputy.body
    assert "08:30" not in deputy.body
    tier3 = [d for d in sent if d.body.startswith("CHUYỂN LÊN CẤP 3:")]
    assert [d.recipient_id for d in tier3] == ["desk1"]
    assert "Xác nhận trước 08:30: " in tier3[0].body


def test_the_first_tier_and_its_call_do_not_say_escalated() -> None:
    sent = _run_until_expiry(_named())
    tier1 = [d for d in sent if d.recipient_id == "day"]
    assert [d.channel for d in tier1] == ["sms", "voice"]
    assert not any("CẤP" in d.body for d in tier1)
    assert "gửi Công an tỉnh Điện Biên, mã S G" in tier1[1].body


def test_the_expiry_notice_says_so_and_names_the_agency() -> None:
    sent = _run_until_expiry(_named())
    expiry = [d for d in sent if "QUÁ HẠN" in d.body]
    assert expiry, [d.body for d in sent]
    assert expiry[-1].body.startswith(
        "QUÁ HẠN: SG-6F1C0A8E gửi Công an tỉnh Điện Biên chưa ai xác nhận từ 08:00, "
        "đã báo hết các cấp."
    )


def test_without_configured_names_the_id_is_said() -> None:
    sent = _run_until_expiry(rosters())
    assert sent[0].body.startswith("SG-6F1C0A8E gửi police: ")
