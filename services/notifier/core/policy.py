"""The escalation vocabulary every pure module speaks: who (Officer, in which Language), where in
an escalation (Position), and the resolved EscalationPolicy snapshot an alert carries for its
whole life. Plain models: nothing here reads configuration."""

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.notifier.core.channels import ChannelKind

__all__ = [
    "DEFAULT_TIME_ZONE",
    "E164",
    "AgencyName",
    "Email",
    "EscalationPolicy",
    "ExpiryNotice",
    "Id",
    "Language",
    "Officer",
    "Position",
    "Tier",
    "TierStep",
]

DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"
_FROZEN = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
E164 = Annotated[str, Field(pattern=r"^\+[1-9][0-9]{6,14}$")]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class Language(StrEnum):
    VI = "vi"
    EN = "en"


class AgencyName(BaseModel):
    """An agency as people call it (agencies.yaml's name_vi and name_en), never its id."""

    model_config = _FROZEN

    vi: str = Field(min_length=1, max_length=200)
    en: str | None = Field(default=None, min_length=1, max_length=200)

    def in_language(self, language: "Language") -> str:
        return self.en if language is Language.EN and self.en else self.vi


class Officer(BaseModel):
    """A person who can be alerted. Also the recipient type of an escalation snapshot."""

    model_config = _FROZEN

    id: Id
    name: str = Field(min_length=1, max_length=200, description="Shown to people, never the id.")
    phone: E164
    backup_phone: E164 | None = None
    email: Email
    language: Language = Language.VI
    two_way_sms: bool = False


class TierStep(BaseModel):
    """Send on `channel`, then wait `wait_minutes` for an acknowledgment."""

    model_config = _FROZEN

    channel: ChannelKind
    # Fractions are allowed: a drill or a test may escalate within seconds.
    wait_minutes: float = Field(gt=0, le=24 * 60)


class Position(BaseModel):
    """Tier and step, both counted from 1."""

    model_config = ConfigDict(frozen=True)

    tier: int = Field(ge=1)
    step: int = Field(ge=1)


class Tier(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    recipients: tuple[Officer, ...]
    steps: tuple[TierStep, ...]


class ExpiryNotice(BaseModel):
    model_config = ConfigDict(frozen=True)

    recipients: tuple[Officer, ...]
    channels: tuple[ChannelKind, ...]


class EscalationPolicy(BaseModel):
    """The resolved, serialisable snapshot an alert carries for its whole life."""

    model_config = ConfigDict(frozen=True)

    agency_id: str
    agency_name: AgencyName | None = Field(
        default=None, description="What every message calls the agency; None: not configured."
    )
    roster_agency_id: str = Field(description="Differs from agency_id when it had no roster.")
    resolved_at: datetime
    drill: bool
    time_zone: str
    tiers: tuple[Tier, ...]
    on_expiry: ExpiryNotice
    skipped: str | None = Field(
        default=None,
        description="Why roster tiers were left out (nobody on duty at resolved_at); the "
        "alert's first audit event carries it as its detail.",
    )

    @property
    def first(self) -> Position:
        return Position(tier=1, step=1)

    def tier(self, number: int) -> Tier:
        return self.tiers[number - 1]

    def step_at(self, position: Position) -> TierStep:
        return self.tier(position.tier).steps[position.step - 1]

    def next_position(self, position: Position) -> Position | None:
        if position.step < len(self.tier(position.tier).steps):
            return Position(tier=position.tier, step=position.step + 1)
        if position.tier < len(self.tiers):
            return Position(tier=position.tier + 1, step=1)
        return None

    def recipients(self) -> tuple[Officer, ...]:
        """Everyone this alert can reach, each once, in a stable order (tiers, then expiry)."""
        seen: dict[str, Officer] = {}
        for officer in self._everyone():
            seen.setdefault(officer.id, officer)
        return tuple(seen.values())

    def recipient(self, officer_id: str) -> Officer | None:
        return next((o for o in self.recipients() if o.id == officer_id), None)

    def slot(self, officer_id: str) -> int:
        """The recipient's index in `recipients()`: what an acknowledgment link carries."""
        return [o.id for o in self.recipients()].index(officer_id)

    def by_slot(self, slot: int) -> Officer | None:
        everyone = self.recipients()
        return everyone[slot] if 0 <= slot < len(everyone) else None

    def _everyone(self) -> Iterator[Officer]:
        for tier in self.tiers:
            yield from tier.recipients
        yield from self.on_expiry.recipients
