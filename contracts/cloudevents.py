"""CloudEvents 1.0 in Kafka binary mode: attributes as ``ce_*`` headers, the JSON body as value."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel

__all__ = ["CloudEvent", "MalformedEvent", "decode", "encode"]

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
_REQUIRED = ("ce_id", "ce_source", "ce_type", "ce_specversion")

Headers = list[tuple[str, bytes]]


class MalformedEvent(ValueError):
    """A Kafka record that is not a CloudEvent this codec can read."""


@dataclass(frozen=True)
class CloudEvent:
    id: str
    source: str
    type: str
    time: datetime | None
    subject: str | None
    data: bytes


def encode(
    *,
    type: str,
    source: str,
    data: BaseModel,
    subject: str | None = None,
    id: str | None = None,
    time: datetime | None = None,
) -> tuple[Headers, bytes]:
    """Headers and value for one Kafka record carrying ``data`` as a CloudEvent."""
    headers: Headers = [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", (id or uuid.uuid4().hex).encode()),
        ("ce_source", source.encode()),
        ("ce_type", type.encode()),
        ("ce_time", (time or datetime.now(UTC)).isoformat().encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if subject is not None:
        headers.append(("ce_subject", subject.encode()))
    return headers, data.model_dump_json(exclude_none=True).encode()


def decode(headers: Headers | None, value: bytes | None) -> CloudEvent:
    """Read a record's CloudEvent attributes; raise MalformedEvent with the reason."""
    attributes = _decode_headers(headers or [])
    missing = [name for name in _REQUIRED if name not in attributes]
    if missing:
        raise MalformedEvent(f"missing CloudEvents headers: {', '.join(missing)}")
    if attributes["ce_specversion"] != SPEC_VERSION:
        raise MalformedEvent(f"unsupported ce_specversion {attributes['ce_specversion']!r}")
    if value is None:
        raise MalformedEvent("record has no body")
    return CloudEvent(
        id=attributes["ce_id"],
        source=attributes["ce_source"],
        type=attributes["ce_type"],
        time=_parse_time(attributes.get("ce_time")),
        subject=attributes.get("ce_subject"),
        data=value,
    )


def _decode_headers(headers: Headers) -> dict[str, str]:
    try:
        return {name: raw.decode() for name, raw in headers}
    except UnicodeDecodeError as error:
        raise MalformedEvent("a header is not UTF-8") from error


def _parse_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise MalformedEvent(f"ce_time is not RFC 3339: {text!r}") from error
