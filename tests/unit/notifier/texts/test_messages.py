"""Message templates: content, language, drills, segment counts, escaping, and no personal data."""

import itertools
import unicodedata
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

import pytest

from contracts.alert import AlertRequestedV1, RequestKind
from contracts.incident import Category, IncidentReportedV1, IncidentV1, Severity, Status
from contracts.sensitivity import personal_field_paths
from services.notifier.core.links import issue
from services.notifier.core.policy import Language, Officer
from services.notifier.texts import messages
from services.notifier.texts.messages import About, AckOptions, Escalation, unaccent
from services.notifier.texts.segments import Encoding, count
from services.router.directory import Directory, Unit, UnitKind
from services.router.routing import Decision, to_alert_request
from tests.unit.notifier.builders import MONDAY_0800, request

TOKEN = issue(b"k" * 32, "alr_" + "1" * 32, 0, MONDAY_0800 + timedelta(hours=6))
ACK = AckOptions(url=f"https://safeguard.example.vn/a/{TOKEN}", reply_code="47")
GATHER = "https://safeguard.example.vn/v/" + TOKEN + "?slot=0&try=1"
POLICE = {"vi": About(agency="Công an tỉnh Điện Biên"), "en": About(agency="Provincial Police")}


def officer(language: str = "vi", two_way_sms: bool = False) -> Officer:
    return Officer(
        id="day",
        name="Day officer",
        phone="+842000000001",
        email="day@example.invalid",
        language=Language(language),
        two_way_sms=two_way_sms,
    )


# Content --------------------------------------------------------------------------------------


def test_vietnamese_sms_gives_the_operational_facts_and_how_to_acknowledge() -> None:
    text = messages.sms(request(), officer(), ACK, about=POLICE["vi"])
    assert text == (
        "SG-6F1C0A8E gửi Công an tỉnh Điện Biên: "
        "Xâm hại tình dục (Đặc biệt nghiêm trọng) tại Mường Phăng. "
        "Nguy hiểm tức thời. Cần tạm lánh. "
        f"Xác nhận trước 08:30: {ACK.url}"
    )


def test_english_sms_with_a_reply_code_for_two_way_senders() -> None:
    recipient = officer("en", two_way_sms=True)
    text = messages.sms(request(), recipient, ACK, about=POLICE["en"], unaccented=True)
    assert text == (
        "SG-6F1C0A8E for Provincial Police: Sexual abuse (Extreme) in Muong Phang. "
        "Immediate danger. Needs shelter. "
        f"Acknowledge by 08:30: {ACK.url} or reply OK 47"
    )


def test_no_reply_code_where_two_way_sms_does_not_work() -> None:
    assert "XN" not in messages.sms(request(), officer(two_way_sms=False), ACK)
    assert messages.sms(request(), officer(two_way_sms=True), ACK).endswith(" hoặc nhắn XN 47")
    no_code = AckOptions(url=ACK.url)
    assert "XN" not in messages.sms(request(), officer(two_way_sms=True), no_code)


def test_the_deadline_is_local_time_with_the_date_when_it_is_another_day() -> None:
    late = request(at=MONDAY_0800 + timedelta(hours=15, minutes=50), ack_within=timedelta(hours=1))
    assert "trước 00:50 01/12:" in messages.sms(late, officer(), ACK)
    assert "trước 08:30:" in messages.sms(request(), officer(), ACK)


def test_a_naive_deadline_is_taken_as_utc() -> None:
    naive = request().model_copy(update={"ack_deadline": datetime(2026, 11, 30, 1, 30)})
    assert "trước 08:30:" in messages.sms(naive, officer(), ACK)


@pytest.mark.parametrize("status", [Status.EXERCISE, Status.TEST])
def test_a_drill_says_so_first_everywhere(status: Status) -> None:
    drill = request(status=status)
    assert messages.sms(drill, officer(), ACK).startswith("DIỄN TẬP - SG-6F1C0A8E")
    assert messages.sms(drill, officer(), ACK, unaccented=True).startswith("DIEN TAP - ")
    assert messages.sms(drill, officer("en"), ACK).startswith("DRILL - ")
    assert messages.expiry_sms(drill, officer(), ACK).startswith("DIỄN TẬP - QUÁ HẠN")
    mail = messages.email(drill, officer(), ACK)
    assert mail.subject.startswith("[Safeguard] DIỄN TẬP - ")
    assert mail.text.startswith("DIỄN TẬP:")
    assert "<strong>DIỄN TẬP:" in mail.html
    assert ">DIỄN TẬP. " in messages.voice(drill, officer(), GATHER)


def test_a_real_alert_never_says_drill() -> None:
    texts = [messages.sms(request(), officer(lang), ACK) for lang in ("vi", "en")]
    assert not any("DIỄN TẬP" in t or "DRILL" in t for t in texts)


def test_expiry_notice_says_it_is_one_names_the_agency_and_the_link() -> None:
    text = messages.expiry_sms(request(), officer(), ACK, about=POLICE["vi"])
    assert text.startswith(
        "QUÁ HẠN: SG-6F1C0A8E gửi Công an tỉnh Điện Biên chưa ai xác nhận từ 08:00, "
        "đã báo hết các cấp. Xâm hại tình dục"
    )
    assert text.endswith(ACK.url)
    mail = messages.expiry_email(request(), officer("en"), ACK, about=POLICE["en"])
    assert mail.subject.startswith("[Safeguard] OVERDUE - SG-6F1C0A8E for Provincial Police: ")
    assert mail.text.startswith(
        "OVERDUE: SG-6F1C0A8E for Provincial Police not acknowledged since 08:00, "
        "every tier was alerted."
    )
    assert f"Acknowledge: {ACK.url}" in mail.text


def test_without_a_configured_name_the_request_s_name_then_the_id_is_used() -> None:
    named = request().model_copy(update={"agency_name": "Công an tỉnh"})
    assert messages.sms(named, officer(), ACK).startswith("SG-6F1C0A8E gửi Công an tỉnh: ")
    assert messages.sms(request(), officer(), ACK).startswith("SG-6F1C0A8E gửi police: ")


def escalated(language: str = "vi", tier: int = 2) -> About:
    deadline = MONDAY_0800 + timedelta(minutes=45)
    return About(
        agency=POLICE[language].agency,
        since=MONDAY_0800 - timedelta(minutes=1),
        escalation=Escalation(tier=tier, deadline=deadline),
    )


def test_an_escalation_says_it_is_one_its_tier_since_when_and_its_own_deadline() -> None:
    text = messages.sms(request(), officer(), ACK, about=escalated())
    assert text.startswith(
        "CHUYỂN LÊN CẤP 2: SG-6F1C0A8E gửi Công an tỉnh Điện Biên chưa ai xác nhận từ 07:59. "
        "Xâm hại tình dục (Đặc biệt nghiêm trọng) tại Mường Phăng."
    )
    assert f"Xác nhận trước 08:45: {ACK.url}" in text
    assert "08:30" not in text  # the first deadline, already past
    english = messages.sms(request(), officer("en"), ACK, about=escalated("en", tier=3))
    assert english.startswith(
        "ESCALATED TO TIER 3: SG-6F1C0A8E for Provincial Police not acknowledged since 07:59. "
    )
    assert f"Acknowledge by 08:45: {ACK.url}" in english


def test_a_plain_alert_does_not_say_it_escalates() -> None:
    for language in ("vi", "en"):
        text = messages.sms(request(), officer(language), ACK, about=POLICE[language])
        assert "CẤP" not in text
        assert "TIER" not in text


def test_an_escalated_email_and_call_say_so_too() -> None:
    mail = messages.email(request(), officer(), ACK, about=escalated())
    assert mail.subject.startswith(
        "[Safeguard] CHUYỂN LÊN CẤP 2 - SG-6F1C0A8E gửi Công an tỉnh Điện Biên: Xâm hại"
    )
    assert mail.text.startswith(
        "CHUYỂN LÊN CẤP 2: SG-6F1C0A8E gửi Công an tỉnh Điện Biên chưa ai xác nhận từ 07:59."
    )
    assert f"Xác nhận trước 08:45 30/11/2026: {ACK.url}" in mail.text
    assert "CHUYỂN LÊN CẤP 2:" in mail.html
    say = ET.fromstring(messages.voice(request(), officer(), GATHER, about=escalated()))
    spoken = say.findtext("Gather/Say") or ""
    assert spoken.startswith("CHUYỂN LÊN CẤP 2. Chưa ai xác nhận từ 07:59. ")
    assert "gửi Công an tỉnh Điện Biên, mã S G" in spoken


def test_the_time_since_gives_the_date_when_it_is_another_day() -> None:
    about = About(
        agency="Công an tỉnh",
        since=MONDAY_0800 - timedelta(days=1),
        escalation=Escalation(tier=2, deadline=MONDAY_0800 + timedelta(minutes=45)),
    )
    text = messages.sms(request(), officer(), ACK, about=about)
    assert "chưa ai xác nhận từ 08:00 29/11." in text


def test_every_medium_names_the_agency() -> None:
    for language in ("vi", "en"):
        about, name = POLICE[language], POLICE[language].agency
        recipient = officer(language)
        mail = messages.email(request(), recipient, ACK, about=about)
        expiry = messages.expiry_email(request(), recipient, ACK, about=about)
        assert name in messages.sms(request(), recipient, ACK, about=about)
        assert name in messages.expiry_sms(request(), recipient, ACK, about=about)
        assert all(name in part for part in (mail.subject, mail.text, mail.html))
        assert all(name in part for part in (expiry.subject, expiry.text, expiry.html))
        assert name in messages.voice(request(), recipient, GATHER, about=about)


# Segments ---------------------------------------------------------------------------------------

# (language, two-way, drill, unaccented) -> (encoding, units, segments) for the realistic alert
SMS_SEGMENTS = {
    ("vi", False, False, False): (Encoding.UCS2, 225, 4),
    ("vi", False, False, True): (Encoding.GSM7, 225, 2),
    ("vi", False, True, False): (Encoding.UCS2, 236, 4),
    ("vi", False, True, True): (Encoding.GSM7, 236, 2),
    ("vi", True, False, False): (Encoding.UCS2, 241, 4),
    ("vi", True, False, True): (Encoding.GSM7, 241, 2),
    ("vi", True, True, True): (Encoding.GSM7, 252, 2),
    ("en", False, False, False): (Encoding.UCS2, 200, 3),  # the commune name is Vietnamese
    ("en", False, False, True): (Encoding.GSM7, 200, 2),
    ("en", True, True, True): (Encoding.GSM7, 223, 2),
}


@pytest.mark.parametrize(("key", "expected"), SMS_SEGMENTS.items(), ids=str)
def test_alert_sms_segments(key: tuple[str, bool, bool, bool], expected: tuple[Any, ...]) -> None:
    language, two_way, drill, unaccented = key
    alert = request(status=Status.EXERCISE if drill else Status.ACTUAL)
    about = POLICE[language]
    text = messages.sms(alert, officer(language, two_way), ACK, about=about, unaccented=unaccented)
    result = count(text)
    assert (result.encoding, result.units, result.segments) == expected


EXPIRY_SEGMENTS = {
    ("vi", False): (Encoding.UCS2, 224, 4),
    ("vi", True): (Encoding.GSM7, 224, 2),
    ("en", False): (Encoding.UCS2, 207, 4),
    ("en", True): (Encoding.GSM7, 207, 2),
}


@pytest.mark.parametrize(("key", "expected"), EXPIRY_SEGMENTS.items(), ids=str)
def test_expiry_sms_segments(key: tuple[str, bool], expected: tuple[Any, ...]) -> None:
    language, unaccented = key
    recipient, about = officer(language), POLICE[language]
    text = messages.expiry_sms(request(), recipient, ACK, about=about, unaccented=unaccented)
    result = count(text)
    assert (result.encoding, result.units, result.segments) == expected


def test_unaccented_sms_fits_two_gsm7_segments_for_every_category_and_severity() -> None:
    combos = itertools.product(Category, Severity, Status, Language, (False, True))
    for category, severity, status, language, flags in combos:
        alert = request(
            category=category,
            severity=severity,
            status=status,
            unit_name="Thị trấn Tuần Giáo",
            immediate_danger=flags,
            needs_shelter=flags,
        )
        text = messages.sms(alert, officer(language, True), ACK, unaccented=True)
        result = count(text)
        assert result.encoding is Encoding.GSM7, text
        assert result.segments <= 2, text


# Unaccented mode -----------------------------------------------------------------------------

VOWELS = "aăâeêioôơuưy"
TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def test_every_vietnamese_letter_unaccents_to_ascii() -> None:
    letters = [
        unicodedata.normalize("NFC", vowel + tone)
        for vowel in VOWELS + VOWELS.upper()
        for tone in ("", *TONES)
    ]
    text = "".join(letters) + "đĐ"
    assert unaccent(text).isascii()
    assert unaccent("Điện Biên Phủ – “Nà Tấu”") == 'Dien Bien Phu - "Na Tau"'


def test_unaccent_never_replaces_a_character_with_a_question_mark() -> None:
    text = unaccent("Bản 中 Ẳng ✓")
    assert "?" not in text
    assert text == "Ban 中 Ang ✓"
    assert count(text).encoding is Encoding.UCS2  # sent as UCS-2 rather than mangled


def test_decomposed_input_is_normalised_before_counting() -> None:
    decomposed = unicodedata.normalize("NFD", "Mường Phăng")
    text = messages.sms(request(unit_name=decomposed), officer(), ACK)
    assert text == messages.sms(request(), officer(), ACK)


# E-mail and voice -------------------------------------------------------------------------------


def test_email_has_a_subject_plain_text_and_escaped_html() -> None:
    alert = request(unit_name="Xã <b>Nà</b> & Tấu")
    mail = messages.email(alert, officer(), ACK)
    assert mail.subject == (
        "[Safeguard] SG-6F1C0A8E gửi police: "
        "Xâm hại tình dục (Đặc biệt nghiêm trọng) tại Xã <b>Nà</b> & Tấu"
    )
    assert "Địa bàn: Xã <b>Nà</b> & Tấu (03127)" in mail.text
    assert f"Xác nhận trước 08:30 30/11/2026: {ACK.url}" in mail.text
    assert "<b>Nà</b>" not in mail.html
    assert "Xã &lt;b&gt;Nà&lt;/b&gt; &amp; Tấu" in mail.html
    assert f'<a href="{ACK.url}">' in mail.html


def test_the_subject_stays_on_one_line() -> None:
    mail = messages.email(request(unit_name="Nà\r\nBcc: x@example.invalid"), officer(), ACK)
    assert "\n" not in mail.subject
    assert "\r" not in mail.subject


def test_voice_is_twiml_that_gathers_one_digit_in_vietnamese() -> None:
    twiml = messages.voice(request(), officer(), GATHER)
    root = ET.fromstring(twiml)
    gather = root.find("Gather")
    assert gather is not None
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == GATHER  # the & survived escaping
    say = gather.find("Say")
    assert say is not None
    assert say.text is not None
    assert say.get("language") == "vi-VN"
    assert say.get("voice", "").startswith("Google.vi-VN")
    assert "S G, 6 F 1 C 0 A 8 E" in say.text
    assert say.text.endswith("Nhấn phím 1 để xác nhận.")


def test_english_voice() -> None:
    root = ET.fromstring(messages.voice(request(), officer("en"), GATHER))
    say = root.find("Gather/Say")
    assert say is not None
    assert say.text is not None
    assert say.get("language") == "en-GB"
    assert say.text.endswith("Press 1 to acknowledge.")


# No personal data ---------------------------------------------------------------------------------


def _incident_full_of_canaries() -> tuple[IncidentV1, set[str]]:
    body: dict[str, Any] = {
        "identifier": "HL111-2026-000123",
        "sent": "2026-11-30T08:00:00+07:00",
        "status": "Actual",
        "category": "sexual_abuse",
        "severity": "Extreme",
        "urgency": "Immediate",
        "certainty": "Likely",
        "area": {"geocode": "03127"},
        "child": {"age": 9},
        "flags": {"immediate_danger": True, "needs_shelter": True},
        "reporter": {},
    }
    canaries: set[str] = set()
    for number, path in enumerate(personal_field_paths(IncidentV1)):
        *parents, leaf = path.split(".")
        node = body
        for parent in parents:
            node = node.setdefault(parent, {})
        if leaf in {"latitude", "longitude"}:
            node[leaf] = 21.3856 + number / 1000
            canaries.add(f"{node[leaf]:.4f}".rstrip("0"))
        else:
            node[leaf] = f"CANARY{number}"
            canaries.add(node[leaf])
    return IncidentV1.model_validate(body), canaries


def _as_the_router_requests_it(incident: IncidentV1) -> AlertRequestedV1:
    """The router's own conversion, so a field it starts passing on is caught here."""
    event = IncidentReportedV1(
        incident_id="inc_" + "2" * 32,
        sender="helpline-111",
        received_at=MONDAY_0800,
        incident=incident,
    )
    unit = Unit(code="03127", name_vi="Xã Mường Phăng", kind=UnitKind.COMMUNE, parent="11")
    directory = Directory(units={"03127": unit}, agencies={}, schools={})
    decision = Decision(
        agency_id="dienbien-police",
        agency_kind="police",
        rule_path=("root",),
        rules_version="test",
        fallback=False,
        ack_deadline=MONDAY_0800 + timedelta(minutes=30),
    )
    return to_alert_request(decision, event, directory, MONDAY_0800, RequestKind.NEW)


def test_the_alert_request_has_no_personal_field() -> None:
    assert personal_field_paths(AlertRequestedV1) == []


def test_no_personal_field_of_the_incident_reaches_any_message() -> None:
    incident, canaries = _incident_full_of_canaries()
    assert len(canaries) == len(personal_field_paths(IncidentV1)) >= 6
    dumped = incident.model_dump_json()
    assert all(canary in dumped for canary in canaries)  # the canaries are really there
    alert = _as_the_router_requests_it(incident)
    rendered: list[str] = []
    for language, unaccented in itertools.product(("vi", "en"), (False, True)):
        recipient = officer(language, two_way_sms=True)
        rendered.append(messages.sms(alert, recipient, ACK, unaccented=unaccented))
        rendered.append(messages.expiry_sms(alert, recipient, ACK, unaccented=unaccented))
    for language in ("vi", "en"):
        for mail in (
            messages.email(alert, officer(language), ACK),
            messages.expiry_email(alert, officer(language), ACK),
        ):
            rendered += [mail.subject, mail.text, mail.html]
        rendered.append(messages.voice(alert, officer(language), GATHER))
    leaks = [(canary, text) for canary in canaries for text in rendered if canary in text]
    assert leaks == []
