"""SMS, e-mail and voice texts for an alert, in Vietnamese (default) or English.

Everything here is rendered from an `AlertRequestedV1`, which carries operational facts only:
no child's name, description or reporter can reach a message because none reaches the
notifier. A drill says so first. `unaccented=True` strips Vietnamese diacritics (đ -> d) so an
SMS fits GSM-7; a character that still does not fit is kept (the SMS goes as UCS-2), never
replaced with "?".
"""

import html
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

from contracts.alert import AlertFacts, AlertRequestedV1
from contracts.incident import Category, Certainty, Severity, Status, Urgency
from services.notifier.core.policy import DEFAULT_TIME_ZONE, Language, Officer

__all__ = [
    "CATEGORY_LABELS",
    "SEVERITY_LABELS",
    "AckOptions",
    "Email",
    "email",
    "expiry_email",
    "expiry_sms",
    "sms",
    "unaccent",
    "voice",
]

VI, EN = Language.VI, Language.EN

CATEGORY_LABELS: dict[Language, dict[Category, str]] = {
    VI: {
        Category.PHYSICAL_ABUSE: "Bạo lực thể chất",
        Category.SEXUAL_ABUSE: "Xâm hại tình dục",
        Category.EMOTIONAL_ABUSE: "Bạo lực tinh thần",
        Category.NEGLECT: "Sao nhãng, bỏ mặc",
        Category.VIOLENCE: "Bạo lực",
        Category.ONLINE_ABUSE: "Xâm hại trên mạng",
        Category.TRAFFICKING: "Mua bán trẻ em",
        Category.CHILD_LABOUR: "Lao động trẻ em",
        Category.ACCIDENT: "Tai nạn",
        Category.DROWNING: "Đuối nước",
        Category.SCHOOL_DROPOUT: "Bỏ học",
        Category.MISSING_CHILD: "Trẻ mất tích",
        Category.OTHER: "Khác",
    },
    EN: {
        Category.PHYSICAL_ABUSE: "Physical abuse",
        Category.SEXUAL_ABUSE: "Sexual abuse",
        Category.EMOTIONAL_ABUSE: "Emotional abuse",
        Category.NEGLECT: "Neglect",
        Category.VIOLENCE: "Violence",
        Category.ONLINE_ABUSE: "Online abuse",
        Category.TRAFFICKING: "Trafficking",
        Category.CHILD_LABOUR: "Child labour",
        Category.ACCIDENT: "Accident",
        Category.DROWNING: "Drowning",
        Category.SCHOOL_DROPOUT: "School dropout",
        Category.MISSING_CHILD: "Missing child",
        Category.OTHER: "Other",
    },
}

SEVERITY_LABELS: dict[Language, dict[Severity, str]] = {
    VI: {
        Severity.EXTREME: "Đặc biệt nghiêm trọng",
        Severity.SEVERE: "Nghiêm trọng",
        Severity.MODERATE: "Trung bình",
        Severity.MINOR: "Nhẹ",
        Severity.UNKNOWN: "Chưa rõ mức độ",
    },
    EN: {
        Severity.EXTREME: "Extreme",
        Severity.SEVERE: "Severe",
        Severity.MODERATE: "Moderate",
        Severity.MINOR: "Minor",
        Severity.UNKNOWN: "Unknown severity",
    },
}

_URGENCY: dict[Language, dict[Urgency, str]] = {
    VI: {
        Urgency.IMMEDIATE: "Ngay lập tức",
        Urgency.EXPECTED: "Sắp xảy ra",
        Urgency.FUTURE: "Có thể xảy ra sau",
        Urgency.PAST: "Đã xảy ra",
        Urgency.UNKNOWN: "Chưa rõ",
    },
    EN: {u: u.value for u in Urgency},
}

_CERTAINTY: dict[Language, dict[Certainty, str]] = {
    VI: {
        Certainty.OBSERVED: "Đã xác thực",
        Certainty.LIKELY: "Nhiều khả năng",
        Certainty.POSSIBLE: "Có thể",
        Certainty.UNLIKELY: "Ít khả năng",
        Certainty.UNKNOWN: "Chưa rõ",
    },
    EN: {c: c.value for c in Certainty},
}


@dataclass(frozen=True)
class _Phrases:
    drill: str
    drill_note: str
    danger: str
    shelter: str
    where: str
    ack_by: str
    acknowledge: str
    before: str
    reply: str
    overdue: str
    heading: str
    labels: tuple[str, ...]  # category, severity, urgency, certainty, place, age, danger, shelter
    yes_no: tuple[str, str]
    unknown: str
    footer: str
    spoken_heading: str
    press_one: str
    no_key: str


_PHRASES = {
    VI: _Phrases(
        drill="DIỄN TẬP",
        drill_note="DIỄN TẬP: đây là tin diễn tập, không phải sự việc thật.",
        danger="Nguy hiểm tức thời.",
        shelter="Cần tạm lánh.",
        where="tại",
        ack_by="Xác nhận trước {time}: {url}",
        acknowledge="Xác nhận",
        before="trước {time}",
        reply=" hoặc nhắn XN {code}",
        overdue="QUÁ HẠN: {ref} gửi {agency} chưa ai xác nhận.",
        heading="Cảnh báo bảo vệ trẻ em {ref} gửi {agency}.",
        labels=(
            "Loại việc",
            "Mức độ",
            "Khẩn cấp",
            "Độ chắc chắn",
            "Địa bàn",
            "Tuổi của trẻ",
            "Nguy hiểm tức thời",
            "Cần nơi tạm lánh",
        ),
        yes_no=("Có", "Không"),
        unknown="Chưa rõ",
        footer="Thông tin chi tiết chỉ xem trên hệ thống Safeguard. Không chuyển tiếp thư này.",
        spoken_heading="Cảnh báo bảo vệ trẻ em, mã {ref}.",
        press_one="Nhấn phím 1 để xác nhận.",
        no_key="Chưa nhận được xác nhận. Xin chào.",
    ),
    EN: _Phrases(
        drill="DRILL",
        drill_note="DRILL: this is an exercise, not a real incident.",
        danger="Immediate danger.",
        shelter="Needs shelter.",
        where="in",
        ack_by="Acknowledge by {time}: {url}",
        acknowledge="Acknowledge",
        before="by {time}",
        reply=" or reply OK {code}",
        overdue="OVERDUE: {ref} for {agency} not acknowledged.",
        heading="Child-protection alert {ref} for {agency}.",
        labels=(
            "Category",
            "Severity",
            "Urgency",
            "Certainty",
            "Place",
            "Child's age",
            "Immediate danger",
            "Needs shelter",
        ),
        yes_no=("Yes", "No"),
        unknown="Unknown",
        footer="Details only on the Safeguard system. Do not forward this e-mail.",
        spoken_heading="Child-protection alert, reference {ref}.",
        press_one="Press 1 to acknowledge.",
        no_key="No acknowledgment received. Goodbye.",
    ),
}

_VOICES = {VI: ("vi-VN", "Google.vi-VN-Standard-A"), EN: ("en-GB", "Google.en-GB-Standard-A")}
_ASCII_PUNCTUATION = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass(frozen=True)
class AckOptions:
    """How the recipient acknowledges: the signed link, and a reply code for two-way SMS."""

    url: str
    reply_code: str | None = None


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def unaccent(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D").translate(_ASCII_PUNCTUATION)
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare)


def sms(
    request: AlertRequestedV1,
    recipient: Officer,
    ack: AckOptions,
    *,
    unaccented: bool = False,
    zone: ZoneInfo | None = None,
) -> str:
    words = _PHRASES[recipient.language]
    facts = request.facts
    parts = [
        _drill_prefix(facts, words) + f"{facts.reference}: {_summary(facts, recipient.language)}.",
        words.danger if facts.immediate_danger else "",
        words.shelter if facts.needs_shelter else "",
        words.ack_by.format(time=_deadline(request, zone), url=ack.url)
        + (words.reply.format(code=ack.reply_code) if _replies(recipient, ack) else ""),
    ]
    return _finish(" ".join(part for part in parts if part), unaccented)


def expiry_sms(
    request: AlertRequestedV1,
    recipient: Officer,
    ack: AckOptions,
    *,
    agency_name: str | None = None,
    unaccented: bool = False,
) -> str:
    words = _PHRASES[recipient.language]
    facts = request.facts
    overdue = words.overdue.format(ref=facts.reference, agency=agency_name or request.agency_id)
    summary = _summary(facts, recipient.language)
    text = f"{_drill_prefix(facts, words)}{overdue} {summary}. {ack.url}"
    return _finish(text, unaccented)


def email(
    request: AlertRequestedV1,
    recipient: Officer,
    ack: AckOptions,
    *,
    agency_name: str | None = None,
    zone: ZoneInfo | None = None,
) -> Email:
    words = _PHRASES[recipient.language]
    heading = words.heading.format(
        ref=request.facts.reference, agency=agency_name or request.agency_id
    )
    action = f"{words.acknowledge} {words.before.format(time=_deadline(request, zone, full=True))}"
    return _email(request, recipient.language, heading, action, ack.url)


def expiry_email(
    request: AlertRequestedV1,
    recipient: Officer,
    ack: AckOptions,
    *,
    agency_name: str | None = None,
) -> Email:
    words = _PHRASES[recipient.language]
    heading = words.overdue.format(
        ref=request.facts.reference, agency=agency_name or request.agency_id
    )
    return _email(request, recipient.language, heading, words.acknowledge, ack.url)


def voice(
    request: AlertRequestedV1, recipient: Officer, gather_action: str, *, loops: int = 2
) -> str:
    """TwiML for an escalation call: the alert, then "press 1", gathered by `gather_action`."""
    language, voice_name = _VOICES[recipient.language]
    words = _PHRASES[recipient.language]
    facts = request.facts
    spoken = " ".join(
        part
        for part in (
            f"{words.drill}." if facts.status is not Status.ACTUAL else "",
            words.spoken_heading.format(ref=_spell(facts.reference)),
            f"{_summary(facts, recipient.language)}.",
            words.danger if facts.immediate_danger else "",
            words.press_one,
        )
        if part
    )
    say = f"<Say language={quoteattr(language)} voice={quoteattr(voice_name)}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        f'<Gather numDigits="1" action={quoteattr(gather_action)} method="POST" timeout="8">'
        f'{say} loop="{loops}">{xml_escape(spoken)}</Say></Gather>'
        f"{say}>{xml_escape(words.no_key)}</Say></Response>"
    )


def _summary(facts: AlertFacts, language: Language) -> str:
    category = CATEGORY_LABELS[language][facts.category]
    severity = SEVERITY_LABELS[language][facts.severity]
    return f"{category} ({severity}) {_PHRASES[language].where} {facts.unit_name}"


def _drill_prefix(facts: AlertFacts, words: _Phrases) -> str:
    return f"{words.drill} - " if facts.status is not Status.ACTUAL else ""


def _replies(recipient: Officer, ack: AckOptions) -> bool:
    return recipient.two_way_sms and ack.reply_code is not None


def _deadline(request: AlertRequestedV1, zone: ZoneInfo | None, full: bool = False) -> str:
    """HH:MM local time; the date is added when it is not the day the alert was raised."""
    zone = zone or ZoneInfo(DEFAULT_TIME_ZONE)
    deadline = _local(request.ack_deadline, zone)
    if full or deadline.date() != _local(request.requested_at, zone).date():
        return deadline.strftime("%H:%M %d/%m/%Y" if full else "%H:%M %d/%m")
    return deadline.strftime("%H:%M")


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A naive time is taken as UTC, as in escalation.step_deadline."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)


def _finish(text: str, unaccented: bool) -> str:
    return unaccent(text) if unaccented else unicodedata.normalize("NFC", text)


def _spell(reference: str) -> str:
    """Read a reference out character by character: "SG-6F" -> "S G, 6 F"."""
    return ", ".join(" ".join(chunk) for chunk in reference.split("-"))


def _facts_rows(facts: AlertFacts, language: Language) -> list[tuple[str, str]]:
    words = _PHRASES[language]
    yes, no = words.yes_no
    age = str(facts.child_age) if facts.child_age is not None else None
    values = (
        CATEGORY_LABELS[language][facts.category],
        SEVERITY_LABELS[language][facts.severity],
        _URGENCY[language][facts.urgency],
        _CERTAINTY[language][facts.certainty],
        f"{facts.unit_name} ({facts.geocode})",
        age or (facts.child_age_band.value if facts.child_age_band else words.unknown),
        yes if facts.immediate_danger else no,
        yes if facts.needs_shelter else no,
    )
    return list(zip(words.labels, values, strict=True))


def _email(
    request: AlertRequestedV1, language: Language, heading: str, action: str, url: str
) -> Email:
    words = _PHRASES[language]
    facts = request.facts
    drill = facts.status is not Status.ACTUAL
    subject = f"[Safeguard] {_drill_prefix(facts, words)}{facts.reference}: "
    subject += " ".join(_summary(facts, language).split())  # one line: it is a header
    rows = _facts_rows(facts, language)
    text_lines = [words.drill_note] if drill else []
    text_lines += [heading, "", *(f"{label}: {value}" for label, value in rows), ""]
    text_lines += [f"{action}: {url}", "", words.footer]
    return Email(
        subject=unicodedata.normalize("NFC", subject),
        text=unicodedata.normalize("NFC", "\n".join(text_lines) + "\n"),
        html=unicodedata.normalize("NFC", _html(words, heading, rows, action, url, drill)),
    )


def _html(
    words: _Phrases,
    heading: str,
    rows: list[tuple[str, str]],
    action: str,
    url: str,
    drill: bool,
) -> str:
    e = html.escape
    note = f"<p><strong>{e(words.drill_note)}</strong></p>" if drill else ""
    cells = "".join(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>" for label, value in rows)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{note}'
        f"<p>{e(heading)}</p><table>{cells}</table>"
        f'<p><a href="{e(url)}">{e(action)}</a></p><p><small>{e(words.footer)}</small></p>'
        "</body></html>"
    )
