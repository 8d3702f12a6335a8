"""Waiting for the broker's acknowledgment of a send, bounded in time. Pure asyncio, so that
the services' decision modules can wait on a send without importing a Kafka client."""

import asyncio

__all__ = ["PublishUnavailable", "wait_acknowledged"]


class PublishUnavailable(RuntimeError):
    """Kafka did not acknowledge the event in time; it may still arrive later."""


async def wait_acknowledged(send: "asyncio.Task[None]", timeout: float) -> None:
    """Wait for a send without cancelling it when the wait gives up."""
    try:
        await asyncio.wait_for(asyncio.shield(send), timeout)
    except TimeoutError as error:
        raise PublishUnavailable(f"no acknowledgment within {timeout:.1f}s") from error
