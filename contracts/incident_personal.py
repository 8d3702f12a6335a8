"""IncidentPersonal v1: an incident's personal fields, the plaintext that intake seals into a
sealed-envelope.v1 before the incident reaches Kafka. Exactly the fields incident.v1 classes
personal (a test keeps the two in step), with the same limits."""

from pydantic import BaseModel, ConfigDict, Field

from contracts.incident import Reporter
from contracts.sensitivity import personal

__all__ = ["IncidentPersonalV1"]


class IncidentPersonalV1(BaseModel):
    model_config = ConfigDict(extra="forbid", title="incident-personal.v1")

    child_name: str | None = Field(
        default=None, max_length=200, description="child.name", json_schema_extra=personal
    )
    area_desc: str | None = Field(
        default=None, max_length=500, description="area.area_desc", json_schema_extra=personal
    )
    latitude: float | None = Field(
        default=None, ge=-90, le=90, description="area.latitude", json_schema_extra=personal
    )
    longitude: float | None = Field(
        default=None, ge=-180, le=180, description="area.longitude", json_schema_extra=personal
    )
    description: str | None = Field(
        default=None, max_length=4000, description="description", json_schema_extra=personal
    )
    reporter: Reporter | None = None
