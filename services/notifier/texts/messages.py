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
from enum import StrEnum
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

from contracts.alert import AlertFacts, AlertRequestedV1
from contracts.incident import Status
from services.notifier.core.policy import DEFAULT_TIME_ZONE, Language, Officer
from services.notifier.texts.phrases import (
    CATEGORY_LABELS,
    CERTAINTY_LABELS,
    PHRASES,
    SEVERITY_LABELS,
    URGENCY_LABELS,
    VOICES,
    Phrases,
)
from services.notifier.texts.segments import Budget

__all__ = [
    "SMS_BUDGETS",
    "About",
    "AckOptions",
    "Email",
    "Escalation",
    "SmsKind",
    "email",
    "expiry_email",
    "expiry_sms",
    "sms",
    "unaccent",
    "voice",
]

VI, EN = Language.VI, Language.EN

_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)
_ASCII_PUNCTUATION = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


class SmsKind(StrEnum):
    ALERT = "alert"
    ESCALATION = "escalation"
    EXPIRY = "expiry"


# Worst case: a drill, both flags, a reply code, the longest category, severity, unit and
# agency name of the sample province (tests/unit/notifier/texts/test_budgets.py). An escalation
# says more (the tier, since when), so it may take one segment more.
SMS_BUDGETS = {
    SmsKind.ALERT: Budget(gsm7=2, ucs2=5),
    SmsKind.ESCALATION: Budget(gsm7=3, ucs2=6),
    SmsKind.EXPIRY: Budget(gsm7=2, ucs2=5),
}


@dataclass(frozen=True)
class AckOptions:
    """How the recipient acknowledges: the signed link, and a reply code for two-way SMS."""

    url: str
    reply_code: str | None = None


@dataclass(frozen=True)
class Escalation:
    """The alert goes to a later tier because nobody acknowledged it."""

    tier: int
    deadline: datetime  # this tier's own deadline, not the first one, which has passed


@dataclass(frozen=True)
class About:
    """What a message is: the agency it is for (its name, never its id), since when it waits
    for an acknowledgment (the request's time if not given) and whether it escalates. Without
    one, the request's own agency name (or id) is used."""

    agency: str
    since: datetime | None = None  # when the agency was first alerted
    escalation: Escalation | None = None


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
    about: About | None = None,
    unaccented: bool = False,
    zone: ZoneInfo | None = None,
) -> str:
    words = PHRASES[recipient.language]
    facts, about, zone = request.facts, about or _about(request), zone or _ZONE
    parts = [
        _drill_prefix(facts, words) + _opening(request, about, words, zone),
        f"{_summary(facts, recipient.language)}.",
        words.message.danger if facts.immediate_danger else "",
        words.message.shelter if facts.needs_shelter else "",
        words.message.ack_by.format(time=_due(request, about, zone), url=ack.url)
        + (words.message.reply.format(code=ack.reply_code) if _replies(recipient, ack) else ""),
    ]
    return _finish(" ".join(part for part in parts if part), unaccented)


def expiry_sms(
    request: AlertRequestedV1,
    recipient: Officer,
    ack: AckOptions,
    *,
    about: About | None = None,
    unaccented: bool = False,
    zone: ZoneInfo | None = None,
) -> str:
    """To the duty desk: nobody acknowledged at any tier."""
    words = PHRASES[recipient.language]
    facts, about, zone = request.facts, about or _about(request), zone or _ZONE
    overdue = _overdue(request, about, words, zone)
    summary = _summary(facts, recipient.language)
    return _finish(f"{_drill_prefix(facts, words)}{overdue} {summary}. {ack.url}", unaccented)


def email(
    request: AlertRequestedV1,
    recipient: Officer,
    ack: AckOptions,
    *,
    about: About | None = None,
    zone: ZoneInfo | None = None,
) -> Email:
    words = PHRASES[recipient.language]
    about, zone = about or _about(request), zone or _ZONE
    if about.escalation is None:
        heading = words.message.heading.format(ref=request.facts.reference, agency=about.agency)
    else:
        heading = _opening(request, about, words, zone)
    before = words.message.before.format(time=_due(request, about, zone, full=True))
    head = _subject_head(request, about, words, _tag(about, words))
    return _email(
        request, recipient.language, head, (heading, f"{words.acknowledge} {before}"), ack.url
    )


def expiry_email(
    request: AlertRequestedV1,
    recipient: Officer,
    ack: AckOptions,
    *,
    about: About | None = None,
    zone: ZoneInfo | None = None,
) -> Email:
    words = PHRASES[recipient.language]
    about, zone = about or _about(request), zone or _ZONE
    heading = _overdue(request, about, words, zone)
    head = _subject_head(request, about, words, words.message.overdue)
    return _email(request, recipient.language, head, (heading, words.acknowledge), ack.url)


def voice(
    request: AlertRequestedV1,
    recipient: Officer,
    gather_action: str,
    *,
    about: About | None = None,
    zone: ZoneInfo | None = None,
    loops: int = 2,
) -> str:
    """TwiML for an escalation call: the alert, then "press 1", gathered by `gather_action`."""
    language, voice_name = VOICES[recipient.language]
    words = PHRASES[recipient.language]
    facts, about, zone = request.facts, about or _about(request), zone or _ZONE
    spoken = " ".join(
        part
        for part in (
            f"{words.drill}." if facts.status is not Status.ACTUAL else "",
            _spoken_escalation(request, about, words, zone),
            words.message.spoken_heading.format(ref=_spell(facts.reference), agency=about.agency),
            f"{_summary(facts, recipient.language)}.",
            words.message.danger if facts.immediate_danger else "",
            words.message.press_one,
        )
        if part
    )
    say = f"<Say language={quoteattr(language)} voice={quoteattr(voice_name)}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        f'<Gather numDigits="1" action={quoteattr(gather_action)} method="POST" timeout="8">'
        f'{say} loop="{loops}">{xml_escape(spoken)}</Say></Gather>'
        f"{say}>{xml_escape(words.message.no_key)}</Say></Response>"
    )


def _about(request: AlertRequestedV1) -> About:
    return About(agency=request.agency_name or request.agency_id)


def _for_agency(request: AlertRequestedV1, about: About, words: Phrases) -> str:
    return words.message.for_agency.format(ref=request.facts.reference, agency=about.agency)


def _tag(about: About, words: Phrases) -> str:
    escalation = about.escalation
    return words.message.escalated.format(tier=escalation.tier) if escalation else ""


def _unanswered(request: AlertRequestedV1, about: About, words: Phrases, zone: ZoneInfo) -> str:
    since = about.since or request.requested_at
    when = _clock(since, zone, reference=_due_time(request, about))
    return words.message.unanswered.format(since=when)


def _opening(request: AlertRequestedV1, about: About, words: Phrases, zone: ZoneInfo) -> str:
    """ "SG-1 gửi <agency>:" or, escalating, "CHUYỂN LÊN CẤP 2: SG-1 gửi <agency> chưa ai
    xác nhận từ 08:00." """
    if about.escalation is None:
        return f"{_for_agency(request, about, words)}:"
    unanswered = _unanswered(request, about, words, zone)
    return f"{_tag(about, words)}: {_for_agency(request, about, words)} {unanswered}."


def _overdue(request: AlertRequestedV1, about: About, words: Phrases, zone: ZoneInfo) -> str:
    unanswered = _unanswered(request, about, words, zone)
    return (
        f"{words.message.overdue}: {_for_agency(request, about, words)} {unanswered}, "
        f"{words.message.every_tier}."
    )


def _spoken_escalation(
    request: AlertRequestedV1, about: About, words: Phrases, zone: ZoneInfo
) -> str:
    if about.escalation is None:
        return ""
    unanswered = _unanswered(request, about, words, zone)
    return f"{_tag(about, words)}. {unanswered[:1].upper()}{unanswered[1:]}."


def _subject_head(request: AlertRequestedV1, about: About, words: Phrases, tag: str) -> str:
    return f"{tag} - " * bool(tag) + _for_agency(request, about, words)


def _summary(facts: AlertFacts, language: Language) -> str:
    category = CATEGORY_LABELS[language][facts.category]
    severity = SEVERITY_LABELS[language][facts.severity]
    return f"{category} ({severity}) {PHRASES[language].message.where} {facts.unit_name}"


def _drill_prefix(facts: AlertFacts, words: Phrases) -> str:
    return f"{words.drill} - " if facts.status is not Status.ACTUAL else ""


def _replies(recipient: Officer, ack: AckOptions) -> bool:
    return recipient.two_way_sms and ack.reply_code is not None


def _due_time(request: AlertRequestedV1, about: About) -> datetime:
    """The time to acknowledge by: an escalation's own, else the alert's."""
    return about.escalation.deadline if about.escalation else request.ack_deadline


def _due(request: AlertRequestedV1, about: About, zone: ZoneInfo, full: bool = False) -> str:
    return _clock(_due_time(request, about), zone, reference=request.requested_at, full=full)


def _clock(moment: datetime, zone: ZoneInfo, *, reference: datetime, full: bool = False) -> str:
    """HH:MM local time; the date is added when it is not the day of `reference`."""
    local = _local(moment, zone)
    if full:
        return local.strftime("%H:%M %d/%m/%Y")
    if local.date() != _local(reference, zone).date():
        return local.strftime("%H:%M %d/%m")
    return local.strftime("%H:%M")


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A naive time is taken as UTC, as in escalation.step_deadline."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)


def _finish(text: str, unaccented: bool) -> str:
    return unaccent(text) if unaccented else unicodedata.normalize("NFC", text)


def _spell(reference: str) -> str:
    """Read a reference out character by character: "SG-6F" -> "S G, 6 F"."""
    return ", ".join(" ".join(chunk) for chunk in reference.split("-"))


def _facts_rows(facts: AlertFacts, language: Language) -> list[tuple[str, str]]:
    words = PHRASES[language]
    yes, no = words.yes_no
    age = str(facts.child_age) if facts.child_age is not None else None
    values = (
        CATEGORY_LABELS[language][facts.category],
        SEVERITY_LABELS[language][facts.severity],
        URGENCY_LABELS[language][facts.urgency],
        CERTAINTY_LABELS[language][facts.certainty],
        f"{facts.unit_name} ({facts.geocode})",
        age or (facts.child_age_band.value if facts.child_age_band else words.unknown),
        yes if facts.immediate_danger else no,
        yes if facts.needs_shelter else no,
    )
    return list(zip(words.labels.rows, values, strict=True))


def _email(
    request: AlertRequestedV1,
    language: Language,
    subject_head: str,
    lines: tuple[str, str],
    url: str,
) -> Email:
    """`subject_head` starts the subject; `lines` are the heading and the call to act."""
    words = PHRASES[language]
    facts = request.facts
    heading, action = lines
    drill = facts.status is not Status.ACTUAL
    subject = f"[Safeguard] {_drill_prefix(facts, words)}{subject_head}: "
    subject += _summary(facts, language)
    subject = " ".join(subject.split())  # one line: it is a header
    rows = _facts_rows(facts, language)
    text_lines = [words.drill_note] if drill else []
    text_lines += [heading, "", *(f"{label}: {value}" for label, value in rows), ""]
    text_lines += [f"{action}: {url}", "", words.message.footer]
    return Email(
        subject=unicodedata.normalize("NFC", subject),
        text=unicodedata.normalize("NFC", "\n".join(text_lines) + "\n"),
        html=unicodedata.normalize("NFC", _html(words, heading, rows, action, url, drill)),
    )


def _html(
    words: Phrases,
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
        f'<p><a href="{e(url)}">{e(action)}</a></p><p><small>{e(words.message.footer)}</small></p>'
        "</body></html>"
    )
