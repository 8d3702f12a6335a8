"""The stand-in's one human page: every phone's inbox and the calls, refreshed every 2 s."""

from html import escape
from itertools import groupby

from devstack.twilio_records import CallRecord, MessageRecord

__all__ = ["render_page"]

_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>Twilio stand-in</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left;
vertical-align:top}pre{white-space:pre-wrap;margin:0}</style></head><body>
<h1>Twilio stand-in</h1>"""


def render_page(messages: list[MessageRecord], calls: list[CallRecord]) -> str:
    parts = [_HEAD, "<h2>Inboxes</h2>"]
    if not messages:
        parts.append("<p>No message yet.</p>")
    by_phone = sorted(messages, key=lambda record: record.to)
    for phone, records in groupby(by_phone, key=lambda record: record.to):
        parts.append(f"<h3>{escape(phone)}</h3><table><tr><th>time</th><th>from</th>")
        parts.append("<th>status</th><th>message</th></tr>")
        parts.extend(_message_row(record) for record in reversed(list(records)))
        parts.append("</table>")
    parts.append("<h2>Calls</h2><table><tr><th>time</th><th>to</th><th>status</th>")
    parts.append("<th>digits</th></tr>")
    parts.extend(_call_row(call) for call in reversed(calls))
    parts.append("</table></body></html>")
    return "".join(parts)


def _message_row(record: MessageRecord) -> str:
    cells = (
        record.created.strftime("%H:%M:%S"),
        record.sender or "",
        record.status,
    )
    row = "".join(f"<td>{escape(cell)}</td>" for cell in cells)
    return f"<tr>{row}<td><pre>{escape(record.body)}</pre></td></tr>"


def _call_row(call: CallRecord) -> str:
    cells = (call.created.strftime("%H:%M:%S"), call.to, call.status, " ".join(call.digits_pressed))
    return "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"
