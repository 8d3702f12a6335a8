"""AlertRequested v1: the router's decision that one agency must act on one incident.

It carries only operational facts: the notifier needs nothing personal to alert an officer.
"""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.incident import AgeBand, Category, Certainty, Severity, Status, Urgency
from contracts.sensitivity import operational

__all__ = ["AlertFacts", "AlertRequestedV1", "RequestKind"]


class RequestKind(StrEnum):
    NEW = "new"
    UPDATE = "update"  # the incident changed or was reported again: no second alert


class AlertFacts(BaseModel):
    """The non-sensitive facts an officer sees in an SMS or on the acknowledgment page."""

    model_config = ConfigDict(extra="forbid")

    reference: str = Field(
        description="Short human reference of the incident, e.g. SG-6F1C0A8E.",
        json_schema_extra=operational,
    )
    status: Status = Field(json_schema_extra=operational)
    category: Category = Field(json_schema_extra=operational)
    severity: Severity = Field(json_schema_extra=operational)
    urgency: Urgency = Field(json_schema_extra=operational)
    certainty: Certainty = Field(json_schema_extra=operational)
    geocode: str = Field(json_schema_extra=operational)
    unit_name: str = Field(description="Commune or ward name.", json_schema_extra=operational)
    child_age: int | None = Field(default=None, json_schema_extra=operational)
    child_age_band: AgeBand | None = Field(default=None, json_schema_extra=operational)
    immediate_danger: bool = Field(json_schema_extra=operational)
    needs_shelter: bool = Field(json_schema_extra=operational)


class AlertRequestedV1(BaseModel):
    """Event on alerts.requested, keyed by alert_id so one alert's events stay in order."""

    model_config = ConfigDict(extra="forbid", title="alert-requested.v1")

    alert_id: str = Field(pattern=r"^alr_[0-9a-f]{32}$", json_schema_extra=operational)
    incident_id: str = Field(pattern=r"^inc_[0-9a-f]{32}$", json_schema_extra=operational)
    kind: RequestKind = Field(json_schema_extra=operational)
    agency_id: str = Field(json_schema_extra=operational)
    agency_kind: str = Field(json_schema_extra=operational)
    rule_path: list[str] = Field(
        min_length=1,
        description="Names of the rules that chose this agency, root first.",
        json_schema_extra=operational,
    )
    rules_version: str = Field(json_schema_extra=operational)
    fallback: bool = Field(
        description="True when no specific rule matched and the default route chose it.",
        json_schema_extra=operational,
    )
    ack_deadline: AwareDatetime = Field(json_schema_extra=operational)
    place_reason: str | None = Field(
        default=None,
        description=(
            "How the router read a geocode that is not an official unit code: the pre-2025 "
            "code and the units that absorbed it (all of them when it was split), or unknown."
        ),
        json_schema_extra=operational,
    )
    requested_at: AwareDatetime = Field(json_schema_extra=operational)
    facts: AlertFacts
