"""Field sets to seal in tests: one like an incident's personal fields, one impostor."""

from pydantic import BaseModel, ConfigDict

__all__ = ["OtherFields", "PersonalFields"]


class PersonalFields(BaseModel):
    model_config = ConfigDict(extra="forbid", title="test-personal.v1")

    child_name: str | None = None
    description: str | None = None
    reporter_phone: str | None = None
    latitude: float | None = None


class OtherFields(BaseModel):
    """Same shape, another contract: reading one as the other must fail."""

    model_config = ConfigDict(extra="forbid", title="test-other.v1")

    child_name: str | None = None
    description: str | None = None
    reporter_phone: str | None = None
    latitude: float | None = None
