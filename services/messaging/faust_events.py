"""Reading CloudEvents from faust stream events (raw bytes, headers as faust hands them)."""

from typing import Any

from faust.types import EventT

from contracts import cloudevents

__all__ = ["event_headers", "header"]


def event_headers(event: EventT[Any]) -> cloudevents.Headers:
    headers = event.headers or {}
    items = headers.items() if isinstance(headers, dict) else headers
    return [(name, raw if isinstance(raw, bytes) else str(raw).encode()) for name, raw in items]


def header(event: EventT[Any], name: str) -> str | None:
    return next((raw.decode() for key, raw in event_headers(event) if key == name), None)
