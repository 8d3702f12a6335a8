"""DeadLetter v1: a record a service could not process, kept whole with the reason."""

from dataclasses import dataclass, field

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.sensitivity import operational, personal

__all__ = ["DeadLetter", "DeadLetterV1"]


@dataclass(frozen=True)
class DeadLetter:
    """A service's decision to set a record aside rather than process it."""

    code: str  # bounded, for metrics: malformed_envelope, unexpected_type, invalid_body, ...
    reason: str
    details: list[str] = field(default_factory=list)  # bad fields' paths, never their values


class DeadLetterV1(BaseModel):
    model_config = ConfigDict(extra="forbid", title="dead-letter.v1")

    service: str = Field(json_schema_extra=operational)
    reason: str = Field(json_schema_extra=operational)
    details: list[str] = Field(default_factory=list, json_schema_extra=operational)
    original_topic: str = Field(json_schema_extra=operational)
    original_partition: int = Field(json_schema_extra=operational)
    original_offset: int = Field(json_schema_extra=operational)
    original_key: str | None = Field(default=None, json_schema_extra=operational)
    original_headers: dict[str, str] = Field(
        description="Headers, each value base64.", json_schema_extra=operational
    )
    original_value: str | None = Field(
        default=None,
        description="The record's value, base64. May hold an incident's personal data.",
        json_schema_extra=personal,
    )
    failed_at: AwareDatetime = Field(json_schema_extra=operational)
