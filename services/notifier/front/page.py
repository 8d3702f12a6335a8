"""The small mobile pages behind an acknowledgment link, in Vietnamese (default) or English.

Pure: strings in, HTML out, every value escaped. They show an alert's operational facts only
(an `AlertView` has nothing else). The alert page's only way to acknowledge is its form, which
POSTs back to the same address: a GET must never acknowledge, since link scanners and
previewers open links on their own.
"""

import html
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from contracts.incident import Status
from services.notifier.core.policy import Language
from services.notifier.front.projection import AlertView
from services.notifier.texts.phrases import CATEGORY_LABELS, PHRASES, SEVERITY_LABELS, Phrases

__all__ = [
    "acknowledged_page",
    "alert_page",
    "expired_page",
    "invalid_page",
    "language",
    "processing_page",
    "recorded_page",
    "unavailable_page",
]

VI, EN = Language.VI, Language.EN


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0;padding:1rem;max-width:32rem;"
    "line-height:1.4}h1{font-size:1.3rem}table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:.3rem .2rem;border-bottom:1px solid #ddd}"
    ".drill{background:#ffd400;padding:.6rem;font-weight:bold}"
    ".flag{color:#b00000;font-weight:bold}"
    "button{font-size:1.2rem;padding:.8rem;width:100%;margin-top:1rem}"
    "footer{margin-top:2rem;color:#666;font-size:.85rem}"
)


def language(value: str | None) -> Language:
    return EN if value == EN.value else VI


def alert_page(view: AlertView, lang: Language, zone: ZoneInfo) -> str:
    """The facts and the Acknowledge form. `action=""` posts back to this very address, query
    included, which stays right behind a proxy that adds a path prefix."""
    words = PHRASES[lang]
    form = (
        f"<p>{_e(words.page.explain)}</p>"
        '<form method="post" action="">'
        f'<button type="submit">{_e(words.acknowledge)}</button></form>'
    )
    return _page(lang, words.page.title, _drill(view, words) + _facts(view, lang, zone) + form)


def acknowledged_page(
    view: AlertView, lang: Language, zone: ZoneInfo, *, again: bool = False
) -> str:
    """Who acknowledged, when and how; `again` when this request found it already done."""
    words = PHRASES[lang]
    method = words.page.methods.get(view.ack_method, "?") if view.ack_method else "?"
    at = _local(view.acknowledged_at, zone) if view.acknowledged_at else "?"
    who = view.acknowledged_by_name or view.acknowledged_by or "?"  # a name, the id if unknown
    by = words.page.acknowledged_by.format(by=who, at=at, method=method)
    note = f'<p class="flag" role="status">{_e(words.page.nothing_changed)}</p>' if again else ""
    body = _drill(view, words) + note + f"<p>{_e(by)}</p>" + _facts(view, lang, zone)
    return _page(lang, words.page.acknowledged, body)


def recorded_page(lang: Language) -> str:
    return _notice(lang, lambda w: w.page.recorded)


def processing_page(lang: Language) -> str:
    return _notice(lang, lambda w: w.page.processing)


def invalid_page(lang: Language) -> str:
    return _notice(lang, lambda w: w.page.invalid)


def expired_page(lang: Language) -> str:
    return _notice(lang, lambda w: w.page.expired)


def unavailable_page(lang: Language) -> str:
    return _notice(lang, lambda w: w.page.unavailable)


def _notice(lang: Language, text_of: Callable[[Phrases], str]) -> str:
    words = PHRASES[lang]
    return _page(lang, words.page.title, f"<p>{_e(text_of(words))}</p>")


def _drill(view: AlertView, words: Phrases) -> str:
    if view.facts is None or view.facts.status is Status.ACTUAL:
        return ""
    return f'<p class="drill" role="alert">{_e(words.drill_note)}</p>'


def _facts(view: AlertView, lang: Language, zone: ZoneInfo) -> str:
    facts = view.facts
    if facts is None:
        return ""
    words = PHRASES[lang]
    agency = view.agency_name.in_language(lang) if view.agency_name else view.agency_id
    rows = [(words.page.agency, agency)] if agency else []
    rows += [
        (words.page.reference, facts.reference),
        (words.labels.category, CATEGORY_LABELS[lang][facts.category]),
        (words.labels.severity, SEVERITY_LABELS[lang][facts.severity]),
        (words.page.place, facts.unit_name),
    ]
    if view.ack_deadline is not None:
        rows.append((words.page.deadline, _local(view.ack_deadline, zone)))
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    flags = [words.labels.danger] if facts.immediate_danger else []
    flags += [words.labels.shelter] if facts.needs_shelter else []
    notes = "".join(f'<p class="flag">{_e(flag)}</p>' for flag in flags)
    return f"<table>{cells}</table>{notes}"


def _page(lang: Language, title: str, body: str) -> str:
    words = PHRASES[lang]
    other = EN if lang is VI else VI
    return (
        f'<!DOCTYPE html><html lang="{lang.value}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{_e(title)}</title>'
        f"<style>{_STYLE}</style></head><body><main><h1>{_e(title)}</h1>{body}</main>"
        f'<footer><p><a href="?lang={other.value}">{_e(words.page.other_language)}</a></p>'
        f"<p>{_e(words.page.footer)}</p></footer></body></html>"
    )


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M %d/%m/%Y")


def _e(text: str) -> str:
    return html.escape(text, quote=True)
