"""Sends one DispatchRequest once, on its channel, from the sender it was granted. Ordering,
pacing and retries are the delivery loop's (worker/delivery.py); drills are kept in bounds
here, at the last step before the gateway."""

from contracts.dispatch import DispatchRequestV1
from services.notifier.core.channels import (
    Channel,
    ChannelKind,
    Outbound,
    ProviderAnswer,
    ProviderRejected,
)

__all__ = ["Dispatcher", "DrillGuard"]


class DrillGuard:
    """A second lock on drills, behind the policy's own: a drill message may only go to the
    configured drill recipient's addresses."""

    def __init__(self, drill_addresses: set[str]) -> None:
        self._allowed = drill_addresses

    def refuses(self, request: DispatchRequestV1) -> bool:
        return request.drill and request.to not in self._allowed


class Dispatcher:
    def __init__(self, channels: dict[ChannelKind, Channel], guard: DrillGuard) -> None:
        self._channels = channels
        self._guard = guard

    async def send(self, request: DispatchRequestV1, sender: str | None) -> ProviderAnswer:
        if self._guard.refuses(request):
            return ProviderRejected(
                recoverable=False, code="drill-guard", reason="not a drill address"
            )
        channel = ChannelKind(request.channel)
        outbound = Outbound(
            channel=channel,
            to=request.to,
            body=request.body,
            subject=request.subject,
            html=request.html,
            status_callback=request.status_callback,
            sender=sender,
        )
        return await self._channels[channel].send(outbound)
