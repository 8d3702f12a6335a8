"""AlertRequested v1: the router's decision that one agency must act on one case.

It carries only operational facts: the notifier needs nothing personal to alert an officer.
"""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.incident import AgeBand, Category, Certainty, Severity, Status, Urgency
from contracts.sensitivity import operational

__all__ = ["AlertFacts", "AlertRequestedV1", "Change", "RequestKind", "Triage"]


class RequestKind(StrEnum):
    NEW = "new"
    UPDATE = "update"  # the case changed or was reported again: an update, no second alert


class Change(StrEnum):
    """What an update brings to an agency already on the case."""

    NEW_REPORT = "new_report"  # another report about the same child joined the case
    CORRECTED = "corrected"  # a source corrected its own report
    SEVERITY_RAISED = "severity_raised"
    URGENCY_RAISED = "urgency_raised"
    DANGER_FLAGGED = "danger_flagged"
    SHELTER_NEEDED = "shelter_needed"
    DEADLINE_SHORTENED = "deadline_shortened"  # an open alert must be acknowledged sooner
    LINKED_BY_HAND = "linked_by_hand"  # ops linked a report into this case


class Triage(StrEnum):
    """Why the duty desk must look at a report whatever else matched."""

    UNKNOWN_UNIT = "unknown_unit"  # a unit code the directory does not know
    UNKNOWN_SCHOOL = "unknown_school"  # a school id the directory does not know


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
    incident_id: str = Field(
        pattern=r"^inc_[0-9a-f]{32}$",
        description="The report that caused this request.",
        json_schema_extra=operational,
    )
    case_id: str | None = Field(
        default=None,
        pattern=r"^case_[0-9a-f]{24}$",
        description="The case the alert is about; several reports may share it.",
        json_schema_extra=operational,
    )
    kind: RequestKind = Field(json_schema_extra=operational)
    changes: list[Change] = Field(
        default_factory=list,
        description="With kind update: what changed since the agency was alerted.",
        json_schema_extra=operational,
    )
    agency_id: str = Field(json_schema_extra=operational)
    agency_name: str | None = Field(
        default=None,
        max_length=200,
        description="The agency's name, so every message says whom it is for.",
        json_schema_extra=operational,
    )
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
    deadline_reason: str | None = Field(
        default=None,
        max_length=200,
        description="Why this deadline, e.g. 'severity Extreme: 15m (rule accident: 30m)'.",
        json_schema_extra=operational,
    )
    triage: list[Triage] = Field(
        default_factory=list,
        description="Reasons the duty desk must look at the report (unknown place or school).",
        json_schema_extra=operational,
    )
    reports: int = Field(
        default=1, ge=1, description="Reports on the case so far.", json_schema_extra=operational
    )
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
