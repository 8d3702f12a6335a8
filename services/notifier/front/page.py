"""The small mobile pages behind an acknowledgment link, in Vietnamese (default) or English.

Pure: strings in, HTML out, every value escaped. They show an alert's operational facts only
(an `AlertView` has nothing else). The alert page's only way to acknowledge is its form, which
POSTs back to the same address: a GET must never acknowledge, since link scanners and
previewers open links on their own.
"""

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from contracts.incident import Status
from services.notifier.core.ack import AckMethod
from services.notifier.core.policy import Language
from services.notifier.front.projection import AlertView
from services.notifier.texts.messages import CATEGORY_LABELS, SEVERITY_LABELS

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


@dataclass(frozen=True)
class _Words:
    title: str
    drill: str
    reference: str
    category: str
    severity: str
    place: str
    deadline: str
    danger: str
    shelter: str
    explain: str
    button: str
    acknowledged: str
    acknowledged_by: str
    recorded: str
    processing: str
    invalid: str
    expired: str
    unavailable: str
    footer: str
    other_language: str
    methods: dict[AckMethod, str]


_WORDS = {
    VI: _Words(
        title="Xác nhận cảnh báo",
        drill="DIỄN TẬP: đây là tin diễn tập, không phải sự việc thật.",
        reference="Mã sự việc",
        category="Loại việc",
        severity="Mức độ",
        place="Địa bàn",
        deadline="Hạn xác nhận",
        danger="Nguy hiểm tức thời",
        shelter="Cần nơi tạm lánh",
        explain="Nhấn Xác nhận để báo rằng bạn đã nhận cảnh báo này và đang xử lý.",
        button="Xác nhận",
        acknowledged="Cảnh báo đã được xác nhận",
        acknowledged_by="Xác nhận bởi {by} lúc {at} (qua {method}).",
        recorded="Đã ghi nhận xác nhận của bạn. Trạng thái cảnh báo sẽ cập nhật trong giây lát.",
        processing="Cảnh báo này đang được xử lý. Vui lòng tải lại trang sau vài giây.",
        invalid="Đường dẫn không hợp lệ. Hãy mở đúng đường dẫn trong tin nhắn, hoặc gọi trực ban.",
        expired="Đường dẫn đã hết hạn. Vui lòng gọi trực ban để xác nhận.",
        unavailable="Chưa ghi nhận được xác nhận. Vui lòng thử lại sau ít phút.",
        footer="Safeguard. Không chuyển tiếp đường dẫn này.",
        other_language="English",
        methods={
            AckMethod.LINK: "đường dẫn",
            AckMethod.SMS_REPLY: "tin nhắn trả lời",
            AckMethod.VOICE_KEYPRESS: "phím bấm trong cuộc gọi",
            AckMethod.API: "hệ thống tích hợp",
        },
    ),
    EN: _Words(
        title="Acknowledge alert",
        drill="DRILL: this is an exercise, not a real incident.",
        reference="Reference",
        category="Category",
        severity="Severity",
        place="Commune/ward",
        deadline="Acknowledge by",
        danger="Immediate danger",
        shelter="Needs shelter",
        explain="Press Acknowledge to confirm that you received this alert and are acting on it.",
        button="Acknowledge",
        acknowledged="Alert acknowledged",
        acknowledged_by="Acknowledged by {by} at {at} (by {method}).",
        recorded="Your acknowledgment is recorded. The alert will show as acknowledged shortly.",
        processing="This alert is still being processed. Please reload this page in a few seconds.",
        invalid="This link is not valid. Open the link exactly as it is in the message, "
        "or call the duty desk.",
        expired="This link has expired. Please call the duty desk to acknowledge.",
        unavailable="Your acknowledgment could not be recorded just now. "
        "Please try again in a minute.",
        footer="Safeguard. Do not forward this link.",
        other_language="Tiếng Việt",
        methods={
            AckMethod.LINK: "link",
            AckMethod.SMS_REPLY: "SMS reply",
            AckMethod.VOICE_KEYPRESS: "keypress in a call",
            AckMethod.API: "integration",
        },
    ),
}

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
    words = _WORDS[lang]
    form = (
        f"<p>{_e(words.explain)}</p>"
        f'<form method="post" action=""><button type="submit">{_e(words.button)}</button></form>'
    )
    return _page(lang, words.title, _drill(view, words) + _facts(view, lang, zone) + form)


def acknowledged_page(view: AlertView, lang: Language, zone: ZoneInfo) -> str:
    words = _WORDS[lang]
    method = words.methods.get(view.ack_method, "?") if view.ack_method else "?"
    at = _local(view.acknowledged_at, zone) if view.acknowledged_at else "?"
    by = words.acknowledged_by.format(by=view.acknowledged_by or "?", at=at, method=method)
    body = _drill(view, words) + f"<p>{_e(by)}</p>" + _facts(view, lang, zone)
    return _page(lang, words.acknowledged, body)


def recorded_page(lang: Language) -> str:
    return _notice(lang, lambda w: w.recorded)


def processing_page(lang: Language) -> str:
    return _notice(lang, lambda w: w.processing)


def invalid_page(lang: Language) -> str:
    return _notice(lang, lambda w: w.invalid)


def expired_page(lang: Language) -> str:
    return _notice(lang, lambda w: w.expired)


def unavailable_page(lang: Language) -> str:
    return _notice(lang, lambda w: w.unavailable)


def _notice(lang: Language, text_of: Callable[[_Words], str]) -> str:
    words = _WORDS[lang]
    return _page(lang, words.title, f"<p>{_e(text_of(words))}</p>")


def _drill(view: AlertView, words: _Words) -> str:
    if view.facts is None or view.facts.status is Status.ACTUAL:
        return ""
    return f'<p class="drill" role="alert">{_e(words.drill)}</p>'


def _facts(view: AlertView, lang: Language, zone: ZoneInfo) -> str:
    facts = view.facts
    if facts is None:
        return ""
    words = _WORDS[lang]
    rows = [
        (words.reference, facts.reference),
        (words.category, CATEGORY_LABELS[lang][facts.category]),
        (words.severity, SEVERITY_LABELS[lang][facts.severity]),
        (words.place, facts.unit_name),
    ]
    if view.ack_deadline is not None:
        rows.append((words.deadline, _local(view.ack_deadline, zone)))
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    flags = [words.danger] if facts.immediate_danger else []
    flags += [words.shelter] if facts.needs_shelter else []
    notes = "".join(f'<p class="flag">{_e(flag)}</p>' for flag in flags)
    return f"<table>{cells}</table>{notes}"


def _page(lang: Language, title: str, body: str) -> str:
    words = _WORDS[lang]
    other = EN if lang is VI else VI
    return (
        f'<!DOCTYPE html><html lang="{lang.value}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{_e(title)}</title>'
        f"<style>{_STYLE}</style></head><body><main><h1>{_e(title)}</h1>{body}</main>"
        f'<footer><p><a href="?lang={other.value}">{_e(words.other_language)}</a></p>'
        f"<p>{_e(words.footer)}</p></footer></body></html>"
    )


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M %d/%m/%Y")


def _e(text: str) -> str:
    return html.escape(text, quote=True)
