"""CloudEvents in and out of faust: read from stream events (raw bytes, headers as faust hands
them), and published straight to the app's producer."""

from collections.abc import Awaitable
from typing import Any

import faust
from faust.types import EventT

from contracts import cloudevents

__all__ = ["event_headers", "header", "produce"]


def event_headers(event: EventT[Any]) -> cloudevents.Headers:
    headers = event.headers or {}
    items = headers.items() if isinstance(headers, dict) else headers
    return [(name, raw if isinstance(raw, bytes) else str(raw).encode()) for name, raw in items]


def header(event: EventT[Any], name: str) -> str | None:
    return next((raw.decode() for key, raw in event_headers(event) if key == name), None)


async def produce(
    topic: faust.TopicT, key: bytes | None, value: bytes, headers: cloudevents.Headers
) -> Awaitable[Any]:
    """Hand a record to the app's producer (the same partitioner, acks and idempotence as
    Topic.send, whose serializers, callbacks and sensors doubled the router's CPU per record);
    await the result for the broker's acknowledgment."""
    return await topic.app.producer.send(topic.get_topic_name(), key, value, None, None, headers)
