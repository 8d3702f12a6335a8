"""The acknowledgment pages and the TwiML answers: what they show, escaped, in both languages,
and that the only way to acknowledge from a page is a POST."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest

from contracts.incident import Status
from services.notifier.core.ack import AckMethod, Lifecycle
from services.notifier.core.policy import AgencyName, Language
from services.notifier.front import page as ack_page
from services.notifier.front import twiml
from services.notifier.front.projection import AlertView
from services.notifier.texts.phrases import PHRASES, ReplyAnswer, VoiceAnswer
from tests.unit.notifier.builders import MONDAY_0800, facts

VN = ZoneInfo("Asia/Ho_Chi_Minh")
VI, EN = Language.VI, Language.EN


def view(**changes: Any) -> AlertView:
    fact_changes = changes.pop("facts", {})
    values: dict[str, Any] = {
        "alert_id": "alr_" + "1" * 32,
        "incident_id": "inc_" + "2" * 32,
        "agency_id": "police",
        "facts": facts(**fact_changes),
        "requested_at": MONDAY_0800,
        "ack_deadline": MONDAY_0800 + timedelta(minutes=30),
    }
    return AlertView(**(values | changes))


def acknowledged(**changes: Any) -> AlertView:
    done: dict[str, Any] = {
        "lifecycle": Lifecycle.ACKNOWLEDGED,
        "acknowledged_by": "police-duty-a",
        "ack_method": AckMethod.LINK,
        "acknowledged_at": MONDAY_0800 + timedelta(minutes=7),
    }
    return view(**(done | changes))


class _Elements(HTMLParser):
    """Every start tag with its attributes; parsing also proves the page is well formed."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_the_alert_page_shows_the_operational_facts_in_vietnamese_by_default() -> None:
    page = text_of(ack_page.alert_page(view(), VI, VN))

    assert "SG-6F1C0A8E" in page
    assert "Xâm hại tình dục" in page
    assert "Đặc biệt nghiêm trọng" in page
    assert "Mường Phăng" in page
    assert "08:30 30/11/2026" in page  # the deadline in Asia/Ho_Chi_Minh time
    assert "Nguy hiểm tức thời" in page
    assert "Xác nhận" in page


def test_english_on_request_with_the_deadline_still_in_local_time() -> None:
    page = text_of(ack_page.alert_page(view(), EN, VN))
    assert "Sexual abuse" in page
    assert "Extreme" in page
    assert "Acknowledge" in page
    assert "08:30 30/11/2026" in page
    assert "Xác nhận" not in page


def test_the_only_way_to_acknowledge_is_a_post_form_back_to_the_same_address() -> None:
    elements = _Elements(ack_page.alert_page(view(), VI, VN))

    assert elements.all("form") == [{"method": "post", "action": ""}]
    assert elements.all("script") == []
    assert elements.all("meta")[-1] == {
        "name": "robots",
        "content": "noindex",
    }
    # The only link switches the language: a GET of it shows the page again.
    assert [a["href"] for a in elements.all("a")] == ["?lang=en"]


def test_pages_other_than_the_alert_page_have_no_form() -> None:
    pages = [ack_page.acknowledged_page(acknowledged(), lang, VN) for lang in (VI, EN)]
    pages += [ack_page.processing_page(VI), ack_page.recorded_page(VI)]
    assert all(_Elements(page).all("form") == [] for page in pages)


def test_every_value_is_html_escaped() -> None:
    hostile = view(facts={"unit_name": '<script>alert("x")</script> & Co'})
    page = ack_page.alert_page(hostile, EN, VN)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page

    done = ack_page.acknowledged_page(acknowledged(acknowledged_by="<b>x</b>"), EN, VN)
    assert "<b>x</b>" not in done
    assert "&lt;b&gt;x&lt;/b&gt;" in done


@pytest.mark.parametrize("status", [Status.EXERCISE, Status.TEST])
def test_a_drill_says_so_first(status: Status) -> None:
    page = ack_page.alert_page(view(facts={"status": status}), VI, VN)
    assert 'class="drill"' in page
    assert page.index("DIỄN TẬP") < page.index("SG-6F1C0A8E")
    assert "DRILL" in ack_page.acknowledged_page(acknowledged(facts={"status": status}), EN, VN)


def test_a_real_incident_has_no_drill_banner() -> None:
    assert 'class="drill"' not in ack_page.alert_page(view(), VI, VN)
    assert "DIỄN TẬP" not in ack_page.alert_page(view(), VI, VN)


def test_the_acknowledged_page_says_by_whom_when_and_how() -> None:
    page = text_of(ack_page.acknowledged_page(acknowledged(), EN, VN))
    assert "Acknowledged by police-duty-a at 08:07 30/11/2026 (by link)." in page
    vi = text_of(ack_page.acknowledged_page(acknowledged(), VI, VN))
    assert "police-duty-a" in vi
    assert "08:07 30/11/2026" in vi
    assert "đường dẫn" in vi


@pytest.mark.parametrize("lang", [VI, EN])
def test_only_a_page_found_already_acknowledged_says_nothing_changed(lang: Language) -> None:
    note = PHRASES[lang].page.nothing_changed
    assert note in text_of(ack_page.acknowledged_page(acknowledged(), lang, VN, again=True))
    assert note not in text_of(ack_page.acknowledged_page(acknowledged(), lang, VN))


def test_a_confirmation_shows_the_officer_s_name_not_the_id() -> None:
    named = acknowledged(acknowledged_by_name="Trực ban Công an tỉnh, ca A")
    vi = text_of(ack_page.acknowledged_page(named, VI, VN))
    assert "Xác nhận bởi Trực ban Công an tỉnh, ca A lúc 08:07 30/11/2026" in vi
    assert "police-duty-a" not in vi


POLICE = AgencyName(vi="Công an tỉnh Điện Biên", en="Điện Biên Provincial Police")


@pytest.mark.parametrize(("lang", "row"), [(VI, "Đơn vị nhận"), (EN, "For")])
def test_the_pages_name_the_agency_in_the_page_s_language(lang: Language, row: str) -> None:
    name = POLICE.in_language(lang)
    alert = text_of(ack_page.alert_page(view(agency_name=POLICE), lang, VN))
    assert f"{row} {name}" in alert
    done = text_of(ack_page.acknowledged_page(acknowledged(agency_name=POLICE), lang, VN))
    assert f"{row} {name}" in done
    assert f"{row} police" in text_of(ack_page.alert_page(view(), lang, VN))  # unnamed: the id


def test_an_acknowledgment_seen_before_the_request_still_renders() -> None:
    no_facts = acknowledged().model_copy(update={"facts": None})
    assert "police-duty-a" in text_of(ack_page.acknowledged_page(no_facts, EN, VN))


@pytest.mark.parametrize(
    ("render", "vi_text", "en_text"),
    [
        (ack_page.invalid_page, "không hợp lệ", "not valid"),
        (ack_page.expired_page, "hết hạn", "expired"),
        (ack_page.processing_page, "đang được xử lý", "reload this page"),
        (ack_page.recorded_page, "Đã ghi nhận", "recorded"),
        (ack_page.unavailable_page, "thử lại", "try again"),
    ],
)
def test_notice_pages_in_both_languages(render: Any, vi_text: str, en_text: str) -> None:
    assert vi_text in render(VI)
    assert '<html lang="vi">' in render(VI)
    assert en_text in render(EN)
    assert '<html lang="en">' in render(EN)


def test_the_language_defaults_to_vietnamese() -> None:
    assert [ack_page.language(v) for v in (None, "", "vi", "fr", "EN", "en")] == [
        VI,
        VI,
        VI,
        VI,
        VI,
        EN,
    ]


# TwiML answers -------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", list(ReplyAnswer))
@pytest.mark.parametrize("lang", [VI, EN])
def test_every_sms_answer_is_one_message_of_valid_twiml(
    answer: ReplyAnswer, lang: Language
) -> None:
    root = ElementTree.fromstring(twiml.sms_answer(answer, lang, ref="SG-1 & <2>", by="day"))
    [message] = root
    assert root.tag == "Response"
    assert message.tag == "Message"
    assert message.text


def test_sms_answers_name_the_alert_and_who_acknowledged_it() -> None:
    text = ElementTree.fromstring(
        twiml.sms_answer(ReplyAnswer.ALREADY_ACKNOWLEDGED, EN, ref="SG-1", by="police-duty-a")
    )[0].text
    assert text == "Alert SG-1 was already acknowledged by police-duty-a."
    assert "XN" in twiml.sms_answer(ReplyAnswer.AMBIGUOUS, VI)


@pytest.mark.parametrize("answer", list(VoiceAnswer))
def test_voice_answers_say_something_in_the_officer_s_language(answer: VoiceAnswer) -> None:
    for lang, code in ((VI, "vi-VN"), (EN, "en-GB")):
        [say] = ElementTree.fromstring(twiml.voice_answer(answer, lang))
        assert say.tag == "Say"
        assert say.get("language") == code
        assert say.text


def test_a_wrong_key_gathers_again_at_the_same_address() -> None:
    action = "https://sg.example/webhooks/twilio/voice?alert_id=alr_1&slot=0"
    [gather] = ElementTree.fromstring(twiml.gather_again(EN, action))
    assert gather.tag == "Gather"
    assert gather.get("action") == action
    assert gather.get("numDigits") == "1"
    assert "Press 1" in (gather[0].text or "")
