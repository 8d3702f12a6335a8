"""The province's `delivery.yaml`: the order messages go out in, the senders and their rates,
retries, and how many sends of each channel may run at once. Every section is optional."""

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator

from contracts.alert_event import ChannelKind
from services.notifier.core.priority import PriorityPolicy
from services.notifier.core.retry_schedule import RetryPolicy
from services.notifier.core.sender_pool import PoolPolicy, SenderConfig

__all__ = ["DeliveryConfig"]


def _default_slots() -> dict[ChannelKind, int]:
    return {ChannelKind.SMS: 16, ChannelKind.VOICE: 4, ChannelKind.EMAIL: 4}


class DeliveryConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    priority: PriorityPolicy = Field(default_factory=PriorityPolicy)
    # None: one sender, SAFEGUARD_TWILIO_FROM (or the Messaging Service) at
    # SAFEGUARD_SMS_PER_SECOND segments a second.
    senders: PoolPolicy | None = None
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    # Sends of a channel in flight at once: the gateway's round trip must not set the pace.
    slots: dict[ChannelKind, PositiveInt] = Field(default_factory=_default_slots)

    @field_validator("slots", mode="after")
    @classmethod
    def _every_channel(cls, given: dict[ChannelKind, int]) -> dict[ChannelKind, int]:
        """A channel left out keeps its default."""
        return _default_slots() | given

    def pool(self, default_sender: str, segments_per_second: float) -> PoolPolicy:
        if self.senders is not None:
            return self.senders
        sender = SenderConfig(sender=default_sender, segments_per_second=segments_per_second)
        return PoolPolicy(senders=[sender])
