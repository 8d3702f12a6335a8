"""DispatchRequest v1: one message ready to send, on alerts.dispatch keyed by alert id.

Rendered already, so the dispatcher only sends. It carries an officer's phone or e-mail
address (the officer's contact, never a child's data) and operational facts only."""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.incident import Severity, Urgency
from contracts.sensitivity import operational

__all__ = ["DispatchRequestV1", "MessageKind"]


class MessageKind(StrEnum):
    """What a message is, for the order messages go out in."""

    FIRST_ALERT = "first_alert"
    ESCALATION = "escalation"  # to the next tier
    EXPIRY_NOTICE = "expiry_notice"  # to the duty desk, after the last tier
    DEADLINE_CALL = "deadline_call"  # the call at an acknowledgment deadline
    UPDATE = "update"


class DispatchRequestV1(BaseModel):
    model_config = ConfigDict(extra="forbid", title="dispatch-request.v1")

    alert_id: str = Field(pattern=r"^alr_[0-9a-f]{32}$", json_schema_extra=operational)
    message_id: str = Field(json_schema_extra=operational)
    recipient_id: str = Field(json_schema_extra=operational)
    channel: str = Field(pattern=r"^(sms|email|voice)$", json_schema_extra=operational)
    to: str = Field(
        description="Phone number (E.164) or e-mail address.", json_schema_extra=operational
    )
    body: str = Field(
        description="SMS text, e-mail plain text, or call TwiML.", json_schema_extra=operational
    )
    subject: str = Field(default="", json_schema_extra=operational)
    html: str = Field(default="", json_schema_extra=operational)
    status_callback: str | None = Field(default=None, json_schema_extra=operational)
    reply_code: str | None = Field(default=None, json_schema_extra=operational)
    drill: bool = Field(json_schema_extra=operational)
    # What the dispatcher orders messages by (services/notifier/core/priority.py).
    kind: MessageKind = Field(default=MessageKind.FIRST_ALERT, json_schema_extra=operational)
    severity: Severity = Field(default=Severity.UNKNOWN, json_schema_extra=operational)
    urgency: Urgency = Field(default=Urgency.UNKNOWN, json_schema_extra=operational)
    immediate_danger: bool = Field(default=False, json_schema_extra=operational)
    # A recoverable failure is retried by a new record of the same message: its attempt
    # number and the time before which it must not go, which so survive a restart.
    attempt: int = Field(default=1, ge=1, json_schema_extra=operational)
    not_before: AwareDatetime | None = Field(default=None, json_schema_extra=operational)
