"""AlertCommand v1: an input to one alert's state, on alerts.commands keyed by alert id.

The webhooks front, the dispatcher and the deadline timer never change an alert themselves:
they publish a command, and the one worker that owns the alert's partition applies it."""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.sensitivity import operational

__all__ = ["AckMethod", "AlertCommandV1", "CommandType", "ReceiptStatus"]


class CommandType(StrEnum):
    TICK = "tick"  # a deadline may have passed: decide again
    SENT = "sent"  # the provider accepted a message
    SEND_FAILED = "send_failed"  # the provider refused it, or retries ran out
    RECEIPT = "receipt"  # a delivery receipt (Twilio status callback)
    ACKNOWLEDGE = "acknowledge"


class AckMethod(StrEnum):
    LINK = "link"
    VOICE_KEYPRESS = "voice_keypress"
    SMS_REPLY = "sms_reply"
    API = "api"


class ReceiptStatus(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    UNKNOWN = "unknown"


class AlertCommandV1(BaseModel):
    model_config = ConfigDict(extra="forbid", title="alert-command.v1")

    alert_id: str = Field(pattern=r"^alr_[0-9a-f]{32}$", json_schema_extra=operational)
    type: CommandType = Field(json_schema_extra=operational)
    at: AwareDatetime = Field(json_schema_extra=operational)
    message_id: str | None = Field(default=None, json_schema_extra=operational)
    provider_id: str | None = Field(default=None, json_schema_extra=operational)
    code: str | None = Field(
        default=None, description="Provider error code.", json_schema_extra=operational
    )
    recoverable: bool | None = Field(default=None, json_schema_extra=operational)
    receipt: ReceiptStatus | None = Field(default=None, json_schema_extra=operational)
    by: str | None = Field(
        default=None,
        description="Officer id, or api:<client> for an integration.",
        json_schema_extra=operational,
    )
    recipient_slot: int | None = Field(
        default=None,
        ge=0,
        description="The acknowledging recipient's slot in the alert's policy snapshot, "
        "from a signed link; the worker resolves it to the officer.",
        json_schema_extra=operational,
    )
    method: AckMethod | None = Field(default=None, json_schema_extra=operational)
    nonce: str | None = Field(
        default=None, description="The acknowledgment link's nonce.", json_schema_extra=operational
    )
