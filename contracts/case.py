"""Cases: what agencies act on. A report is what a source sends; the router files each report
into a case (CaseFiled v1 on `cases`) and ops can move a report in or out (CaseCommand v1 on
`cases.commands`). Only operational facts: who the child is stays in the sealed report."""

from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from contracts.sensitivity import operational, personal

__all__ = ["CASE_ID_PATTERN", "CaseCommandKind", "CaseCommandV1", "CaseFiledV1", "FiledHow"]

CASE_ID_PATTERN = r"^case_[0-9a-f]{24}$"
_INCIDENT_ID = r"^inc_[0-9a-f]{32}$"


class FiledHow(StrEnum):
    NEW = "new"  # a case of its own
    NAMED = "named"  # the report named its case (refers_to)
    LINKED = "linked"  # linking found its case
    POSSIBLE = "possible"  # a case of its own, and a possible link for ops to decide
    REPEATED = "repeated"  # the same report again: nothing changes
    BY_HAND = "by_hand"  # ops linked or unlinked it


class CaseFiledV1(BaseModel):
    """Event on `cases`, keyed by case id: a report was filed into this case, and why."""

    model_config = ConfigDict(extra="forbid", title="case-filed.v1")

    case_id: str = Field(pattern=CASE_ID_PATTERN, json_schema_extra=operational)
    incident_id: str = Field(pattern=_INCIDENT_ID, json_schema_extra=operational)
    sender: str = Field(min_length=1, max_length=64, json_schema_extra=operational)
    how: FiledHow = Field(json_schema_extra=operational)
    reasons: list[str] = Field(
        description="Why, in short operational words (e.g. 'same age band', 'same school').",
        json_schema_extra=operational,
    )
    possible_case: str | None = Field(
        default=None,
        pattern=CASE_ID_PATTERN,
        description="With how=possible: the open case ops should compare it with.",
        json_schema_extra=operational,
    )
    left_case: str | None = Field(
        default=None,
        pattern=CASE_ID_PATTERN,
        description="With how=by_hand: the case the report was taken out of.",
        json_schema_extra=operational,
    )
    by: str | None = Field(
        default=None,
        max_length=64,
        description="The ops user, with by_hand.",
        json_schema_extra=operational,
    )
    reports: int = Field(
        ge=1, description="Reports in the case now.", json_schema_extra=operational
    )
    filed_at: AwareDatetime = Field(json_schema_extra=operational)


class CaseCommandKind(StrEnum):
    LINK = "link"  # move the report into case_id
    UNLINK = "unlink"  # take the report out of its case into a case of its own


class CaseCommandV1(BaseModel):
    """Event on `cases.commands`: an operator's decision about a report's case."""

    model_config = ConfigDict(extra="forbid", title="case-command.v1")

    command: CaseCommandKind = Field(json_schema_extra=operational)
    incident_id: str = Field(pattern=_INCIDENT_ID, json_schema_extra=operational)
    case_id: str | None = Field(
        default=None, pattern=CASE_ID_PATTERN, json_schema_extra=operational
    )
    by: str = Field(min_length=1, max_length=64, json_schema_extra=operational)
    reason: str = Field(
        min_length=1,
        max_length=500,
        description="Free text from the operator: may name people, so it is personal.",
        json_schema_extra=personal,
    )
    at: AwareDatetime = Field(json_schema_extra=operational)

    @model_validator(mode="after")
    def _case_with_link_only(self) -> Self:
        if (self.command is CaseCommandKind.LINK) != (self.case_id is not None):
            raise ValueError("link names the case_id; unlink names none")
        return self
