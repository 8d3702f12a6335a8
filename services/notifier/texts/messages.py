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

__all__ = [
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
    words = PHRASES[recipient.language]
    facts = request.facts
    parts = [
        _drill_prefix(facts, words) + f"{facts.reference}: {_summary(facts, recipient.language)}.",
        words.message.danger if facts.immediate_danger else "",
        words.message.shelter if facts.needs_shelter else "",
        words.message.ack_by.format(time=_deadline(request, zone), url=ack.url)
        + (words.message.reply.format(code=ack.reply_code) if _replies(recipient, ack) else ""),
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
    words = PHRASES[recipient.language]
    facts = request.facts
    overdue = words.message.overdue.format(
        ref=facts.reference, agency=agency_name or request.agency_id
    )
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
    words = PHRASES[recipient.language]
    heading = words.message.heading.format(
        ref=request.facts.reference, agency=agency_name or request.agency_id
    )
    before = words.message.before.format(time=_deadline(request, zone, full=True))
    action = f"{words.acknowledge} {before}"
    return _email(request, recipient.language, heading, action, ack.url)


def expiry_email(
    request: AlertRequestedV1,
    recipient: Officer,
    ack: AckOptions,
    *,
    agency_name: str | None = None,
) -> Email:
    words = PHRASES[recipient.language]
    heading = words.message.overdue.format(
        ref=request.facts.reference, agency=agency_name or request.agency_id
    )
    return _email(request, recipient.language, heading, words.acknowledge, ack.url)


def voice(
    request: AlertRequestedV1, recipient: Officer, gather_action: str, *, loops: int = 2
) -> str:
    """TwiML for an escalation call: the alert, then "press 1", gathered by `gather_action`."""
    language, voice_name = VOICES[recipient.language]
    words = PHRASES[recipient.language]
    facts = request.facts
    spoken = " ".join(
        part
        for part in (
            f"{words.drill}." if facts.status is not Status.ACTUAL else "",
            words.message.spoken_heading.format(ref=_spell(facts.reference)),
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


def _summary(facts: AlertFacts, language: Language) -> str:
    category = CATEGORY_LABELS[language][facts.category]
    severity = SEVERITY_LABELS[language][facts.severity]
    return f"{category} ({severity}) {PHRASES[language].message.where} {facts.unit_name}"


def _drill_prefix(facts: AlertFacts, words: Phrases) -> str:
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
    request: AlertRequestedV1, language: Language, heading: str, action: str, url: str
) -> Email:
    words = PHRASES[language]
    facts = request.facts
    drill = facts.status is not Status.ACTUAL
    subject = f"[Safeguard] {_drill_prefix(facts, words)}{facts.reference}: "
    subject += " ".join(_summary(facts, language).split())  # one line: it is a header
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
