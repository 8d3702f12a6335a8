"""DispatchRequest v1: one message ready to send, on alerts.dispatch keyed by alert id.

Rendered already, so the dispatcher only sends. It carries an officer's phone or e-mail
address (the officer's contact, never a child's data) and operational facts only."""

from pydantic import BaseModel, ConfigDict, Field

from contracts.sensitivity import operational

__all__ = ["DispatchRequestV1"]


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
