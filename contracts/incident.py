"""Incident v1: the body an external system posts, and the IncidentReported v1 event.

Names and value sets follow OASIS CAP 1.2 where the idea is the same (identifier, sent,
status, severity, urgency, certainty, onset, area/geocode/areaDesc); the rest is what
child protection needs. Every field carries its sensitivity class.
"""

from enum import StrEnum
from typing import Annotated, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from contracts.sensitivity import operational, personal

__all__ = [
    "AgeBand",
    "Area",
    "CaseReference",
    "Category",
    "Certainty",
    "Child",
    "Flags",
    "IncidentReportedV1",
    "IncidentV1",
    "ReportReference",
    "Reporter",
    "Severity",
    "Sex",
    "Status",
    "Urgency",
]


class Status(StrEnum):
    """CAP status: only Actual incidents ever reach a real officer."""

    ACTUAL = "Actual"
    EXERCISE = "Exercise"
    TEST = "Test"


class Severity(StrEnum):
    EXTREME = "Extreme"
    SEVERE = "Severe"
    MODERATE = "Moderate"
    MINOR = "Minor"
    UNKNOWN = "Unknown"


class Urgency(StrEnum):
    IMMEDIATE = "Immediate"
    EXPECTED = "Expected"
    FUTURE = "Future"
    PAST = "Past"
    UNKNOWN = "Unknown"


class Certainty(StrEnum):
    OBSERVED = "Observed"
    LIKELY = "Likely"
    POSSIBLE = "Possible"
    UNLIKELY = "Unlikely"
    UNKNOWN = "Unknown"


class Category(StrEnum):
    PHYSICAL_ABUSE = "physical_abuse"
    SEXUAL_ABUSE = "sexual_abuse"
    EMOTIONAL_ABUSE = "emotional_abuse"
    NEGLECT = "neglect"
    VIOLENCE = "violence"
    ONLINE_ABUSE = "online_abuse"  # grooming and the "online kidnapping" scam
    TRAFFICKING = "trafficking"
    CHILD_LABOUR = "child_labour"
    ACCIDENT = "accident"
    DROWNING = "drowning"
    SCHOOL_DROPOUT = "school_dropout"
    MISSING_CHILD = "missing_child"
    OTHER = "other"


class AgeBand(StrEnum):
    UNDER_6 = "0-5"
    AGE_6_10 = "6-10"
    AGE_11_15 = "11-15"
    AGE_16_17 = "16-17"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)

UnitCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{2,5}$",
        description=(
            "Administrative unit code: an official one (province, ward, commune, special "
            "zone), or a pre-2025 commune or district code, read as the units that absorbed it."
        ),
        json_schema_extra=operational,
    ),
]


class Area(BaseModel):
    """CAP area: where the incident happened."""

    model_config = _STRICT

    geocode: UnitCode
    area_desc: str | None = Field(
        default=None,
        max_length=500,
        description="Place in words (village, street). Can identify a family.",
        json_schema_extra=personal,
    )
    latitude: float | None = Field(default=None, ge=-90, le=90, json_schema_extra=personal)
    longitude: float | None = Field(default=None, ge=-180, le=180, json_schema_extra=personal)

    @model_validator(mode="after")
    def _coordinates_come_in_pairs(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude must be given together")
        return self


class Child(BaseModel):
    model_config = _STRICT

    age: int | None = Field(default=None, ge=0, le=17, json_schema_extra=operational)
    age_band: AgeBand | None = Field(default=None, json_schema_extra=operational)
    sex: Sex = Field(default=Sex.UNKNOWN, json_schema_extra=operational)
    school_id: str | None = Field(
        default=None, min_length=1, max_length=64, json_schema_extra=operational
    )
    name: str | None = Field(default=None, max_length=200, json_schema_extra=personal)

    @model_validator(mode="after")
    def _age_and_band_agree(self) -> Self:
        if self.age is not None and self.age_band is not None:
            low, high = (int(part) for part in self.age_band.value.split("-"))
            if not low <= self.age <= high:
                raise ValueError(f"age {self.age} is outside age_band {self.age_band.value}")
        return self


class Flags(BaseModel):
    model_config = _STRICT

    immediate_danger: bool = Field(default=False, json_schema_extra=operational)
    needs_shelter: bool = Field(default=False, json_schema_extra=operational)
    perpetrator_in_household: bool = Field(default=False, json_schema_extra=operational)


class Reporter(BaseModel):
    """Who reported: protected, reporters can be put at risk."""

    model_config = _STRICT

    name: str | None = Field(default=None, max_length=200, json_schema_extra=personal)
    phone: str | None = Field(default=None, max_length=32, json_schema_extra=personal)
    relationship: str | None = Field(default=None, max_length=100, json_schema_extra=personal)


IDENTIFIER_PATTERN = r"^[^\s,&<]+$"


class CaseReference(BaseModel):
    """This report is about a case Safeguard already has (the case id it answered with)."""

    model_config = _STRICT

    case_id: str = Field(pattern=r"^case_[0-9a-f]{24}$", json_schema_extra=operational)


class ReportReference(BaseModel):
    """This report is about an earlier report: the source's own, or another source's."""

    model_config = _STRICT

    identifier: str = Field(
        min_length=1, max_length=128, pattern=IDENTIFIER_PATTERN, json_schema_extra=operational
    )
    sender: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="The other source's name; omitted: the reporting source itself.",
        json_schema_extra=operational,
    )


_EXAMPLE: JsonDict = {
    "identifier": "HL111-2026-000123",
    "sent": "2026-11-29T08:15:00+07:00",
    "status": "Actual",
    "category": "physical_abuse",
    "severity": "Severe",
    "urgency": "Immediate",
    "certainty": "Likely",
    "onset": "2026-11-29T07:40:00+07:00",
    "area": {"geocode": "03127", "area_desc": "Bản Noong Bua"},
    "child": {"age": 9, "sex": "female", "school_id": "TH-NOONGBUA"},
    "flags": {"immediate_danger": True, "needs_shelter": True},
    "description": "Neighbour reports repeated beating.",
    "reporter": {"relationship": "neighbour"},
}


class IncidentV1(BaseModel):
    """What a source system reports (``POST /v1/incidents``)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        title="incident.v1",
        json_schema_extra={"examples": [_EXAMPLE]},
    )

    identifier: str = Field(
        min_length=1,
        max_length=128,
        pattern=IDENTIFIER_PATTERN,
        description="The source's own reference for this report (CAP identifier).",
        json_schema_extra=operational,
    )
    sent: AwareDatetime = Field(
        description="When the source reported it (CAP sent).", json_schema_extra=operational
    )
    status: Status = Field(default=Status.ACTUAL, json_schema_extra=operational)
    category: Category = Field(json_schema_extra=operational)
    severity: Severity = Field(json_schema_extra=operational)
    urgency: Urgency = Field(json_schema_extra=operational)
    certainty: Certainty = Field(json_schema_extra=operational)
    onset: AwareDatetime | None = Field(
        default=None, description="When it happened (CAP onset).", json_schema_extra=operational
    )
    area: Area
    child: Child = Field(default_factory=Child)
    flags: Flags = Field(default_factory=Flags)
    description: str | None = Field(default=None, max_length=4000, json_schema_extra=personal)
    reporter: Reporter | None = None
    refers_to: CaseReference | ReportReference | None = Field(
        default=None,
        description="This report is about an earlier one or a known case (CAP references): "
        "agencies already on the case get an update, not a second first alert.",
    )


class IncidentReportedV1(BaseModel):
    """Event on the incidents topic: an accepted incident with its Safeguard id."""

    model_config = ConfigDict(extra="forbid", title="incident-reported.v1")

    incident_id: str = Field(
        pattern=r"^inc_[0-9a-f]{32}$",
        description="Assigned by intake.",
        json_schema_extra=operational,
    )
    sender: str = Field(
        min_length=1,
        max_length=64,
        description="The authenticated source system (CAP sender).",
        json_schema_extra=operational,
    )
    received_at: AwareDatetime = Field(json_schema_extra=operational)
    incident: IncidentV1

    model_config["json_schema_extra"] = {
        "examples": [
            {
                "incident_id": "inc_6f1c0a8e4b9d4e0f9a3b2c1d0e9f8a7b",
                "sender": "helpline-111",
                "received_at": "2026-11-29T01:15:02.120000Z",
                "incident": _EXAMPLE,
            }
        ]
    }
