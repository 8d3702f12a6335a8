"""AlertEvent v1: the audit trail on alerts.events, keyed by alert id. Every state change of an
alert: who was alerted, when, through which channel, who acknowledged and how. It names
officers by id and never carries an address or anything about the child."""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.alert_command import AckMethod
from contracts.sensitivity import operational

__all__ = ["AlertEventV1", "AuditType", "ChannelKind", "Delivery", "Lifecycle", "Purpose"]


class ChannelKind(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    VOICE = "voice"


class Lifecycle(StrEnum):
    """Only explicit acts move it: a dispatched step, a passed deadline, an acknowledgment."""

    REQUESTED = "requested"
    NOTIFIED = "notified"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    EXPIRED = "expired"


class Delivery(StrEnum):
    """One message's delivery; "unknown" is normal where operators send no receipts."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    UNKNOWN = "unknown"


class Purpose(StrEnum):
    ALERT = "alert"
    EXPIRY_NOTICE = "expiry_notice"


class AuditType(StrEnum):
    NOTIFIED = "alert.notified"
    ESCALATED = "alert.escalated"
    DEADLINE_PASSED = "alert.deadline_passed"
    EXPIRED = "alert.expired"
    ACKNOWLEDGED = "alert.acknowledged"
    MESSAGE_QUEUED = "message.queued"
    MESSAGE_SENT = "message.sent"
    MESSAGE_RETRYING = "message.retrying"
    MESSAGE_FAILED = "message.failed"
    MESSAGE_RECEIPT = "message.receipt"
    MESSAGE_REROUTED = "message.rerouted"


class AlertEventV1(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", title="alert-event.v1")

    type: AuditType = Field(json_schema_extra=operational)
    alert_id: str = Field(pattern=r"^alr_[0-9a-f]{32}$", json_schema_extra=operational)
    incident_id: str = Field(pattern=r"^inc_[0-9a-f]{32}$", json_schema_extra=operational)
    agency_id: str = Field(json_schema_extra=operational)
    at: AwareDatetime = Field(json_schema_extra=operational)
    lifecycle: Lifecycle = Field(
        description="The alert's lifecycle after this event.", json_schema_extra=operational
    )
    actor: str | None = Field(
        default=None,
        description="Officer id alerted or acknowledging.",
        json_schema_extra=operational,
    )
    channel: ChannelKind | None = Field(default=None, json_schema_extra=operational)
    method: AckMethod | None = Field(default=None, json_schema_extra=operational)
    tier: int | None = Field(default=None, ge=1, json_schema_extra=operational)
    step: int | None = Field(default=None, ge=1, json_schema_extra=operational)
    message_id: str | None = Field(default=None, json_schema_extra=operational)
    purpose: Purpose | None = Field(default=None, json_schema_extra=operational)
    delivery: Delivery | None = Field(default=None, json_schema_extra=operational)
    detail: str | None = Field(
        default=None,
        description="A provider error code or a short operational note.",
        json_schema_extra=operational,
    )
    deadline: AwareDatetime | None = Field(
        default=None,
        description="On deadline_passed: the step's deadline that passed, so that how late the "
        "escalation fired (`at` minus this) can be read from the audit trail alone.",
        json_schema_extra=operational,
    )
