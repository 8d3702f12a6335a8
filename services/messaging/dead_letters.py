"""Setting a record aside on the dead-letter topic: kept whole (base64), with the reason, so a
person can read it, fix what was wrong and replay it; nothing a service cannot read is lost."""

import base64
from datetime import UTC, datetime
from typing import Any

import faust
from faust.types import EventT

from contracts import cloudevents, events
from contracts.deadletter import DeadLetter, DeadLetterV1
from services.messaging.faust_events import event_headers, produce

__all__ = ["set_aside"]


async def set_aside(
    topic: faust.TopicT, event: EventT[Any], service: str, letter: DeadLetter
) -> None:
    """Publish the dead letter and wait for the broker's acknowledgment, so the caller may move
    past the record only once it is safe elsewhere."""
    message = event.message
    record = DeadLetterV1(
        service=service,
        reason=letter.reason,
        details=letter.details,
        original_topic=message.topic,
        original_partition=message.partition,
        original_offset=message.offset,
        original_key=message.key.decode(errors="replace") if message.key else None,
        original_headers={
            name: base64.b64encode(raw).decode() for name, raw in event_headers(event)
        },
        original_value=base64.b64encode(message.value).decode() if message.value else None,
        failed_at=datetime.now(UTC),
    )
    headers, value = cloudevents.encode(type=events.DEAD_LETTER, source=service, data=record)
    await (await produce(topic, message.key, value, headers))
