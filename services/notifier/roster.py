"""Who is on duty, and whom to escalate to: rosters are configuration, resolved by pure functions.

`escalation_policy` returns a frozen snapshot with every recipient resolved; it is copied onto
the alert when the alert is created, so editing the roster never changes an escalation in
flight (Grafana OnCall does the same).
"""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from contracts.incident import Status
from services import config
from services.config import ConfigError
from services.notifier.channels import ChannelKind

__all__ = [
    "DEFAULT_TIME_ZONE",
    "AgencyRoster",
    "Assignment",
    "Duty",
    "EscalationPolicy",
    "ExpiryNotice",
    "Language",
    "Officer",
    "Position",
    "Rosters",
    "Shift",
    "Step",
    "Tier",
    "TierConfig",
    "UnknownAgency",
    "escalation_policy",
    "load_rosters",
    "on_duty",
    "parse_rosters",
]

DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"
ON_DUTY = "on_duty"
DUTY_DESK = "duty_desk"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class UnknownAgency(LookupError):
    pass


class Language(StrEnum):
    VI = "vi"
    EN = "en"


def _quoted_time(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 07:30 as the sexagesimal integer 450.
    if not isinstance(value, str | time):
        raise ValueError("write times as quoted 'HH:MM' strings")
    return value


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error
    return name


_FROZEN = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
E164 = Annotated[str, Field(pattern=r"^\+[1-9][0-9]{6,14}$")]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
LocalTime = Annotated[time, BeforeValidator(_quoted_time)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Officer(BaseModel):
    """A person who can be alerted. Also the recipient type of an escalation snapshot."""

    model_config = _FROZEN

    id: Id
    name: str = Field(min_length=1, max_length=200)
    phone: E164
    backup_phone: E164 | None = None
    email: Email
    language: Language = Language.VI
    two_way_sms: bool = False


class Shift(BaseModel):
    """A weekly shift; `end` at or before `start` means it runs past midnight."""

    model_config = _FROZEN

    officer: Id
    days: tuple[Weekday, ...] = Field(min_length=1)
    start: LocalTime
    end: LocalTime

    def covers(self, local: datetime) -> bool:
        return any(self._covers_from(local.date() - timedelta(days=back), local) for back in (0, 1))

    def _covers_from(self, day: date, local: datetime) -> bool:
        if _WEEKDAYS[day.weekday()] not in self.days:
            return False
        begins = datetime.combine(day, self.start)
        ends = datetime.combine(day, self.end)
        if self.end <= self.start:
            ends += timedelta(days=1)
        return begins <= local < ends


class Assignment(BaseModel):
    """A dated assignment (leave cover, holidays); wins over the weekly shifts."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    officer: Id
    starts: datetime = Field(alias="from")
    until: datetime

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if (self.starts.tzinfo is None) != (self.until.tzinfo is None):
            raise ValueError("give both 'from' and 'until' with an offset, or neither")
        if self.until <= self.starts:
            raise ValueError("'until' must be after 'from'")
        return self

    def covers(self, at: datetime, zone: ZoneInfo) -> bool:
        def aware(moment: datetime) -> datetime:
            return moment if moment.tzinfo else moment.replace(tzinfo=zone)

        return aware(self.starts) <= at < aware(self.until)


class Duty(BaseModel):
    model_config = _FROZEN

    assignments: tuple[Assignment, ...] = ()
    shifts: tuple[Shift, ...] = ()
    always: Id = Field(description="Who is on duty when no assignment or shift covers the time.")


class Step(BaseModel):
    """Send on `channel`, then wait `wait_minutes` for an acknowledgment."""

    model_config = _FROZEN

    channel: ChannelKind
    # Fractions are allowed: a drill or a test may escalate within seconds.
    wait_minutes: float = Field(gt=0, le=24 * 60)


class TierConfig(BaseModel):
    model_config = _FROZEN

    recipients: Literal["on_duty", "duty_desk"] | Annotated[tuple[Id, ...], Field(min_length=1)]
    steps: tuple[Step, ...] = Field(min_length=1)


class AgencyRoster(BaseModel):
    model_config = _FROZEN

    officers: tuple[Officer, ...] = Field(min_length=1)
    duty: Duty
    escalation: tuple[TierConfig, ...] = Field(min_length=1)

    def officer(self, officer_id: str) -> Officer:
        return next(officer for officer in self.officers if officer.id == officer_id)


class Rosters(BaseModel):
    model_config = _FROZEN

    time_zone: Annotated[str, AfterValidator(_known_zone)] = DEFAULT_TIME_ZONE
    duty_desk: Id = Field(description="Agency whose on-duty officer hears of expired alerts.")
    expiry_channels: tuple[ChannelKind, ...] = Field(
        default=(ChannelKind.SMS, ChannelKind.EMAIL), min_length=1
    )
    drill_recipient: Officer = Field(description="Replaces every recipient of a drill or test.")
    agencies: dict[Id, AgencyRoster] = Field(min_length=1)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def officers(self) -> dict[str, Officer]:
        """Every officer by id; an id names the same person in every agency that lists it."""
        found: dict[str, Officer] = {}
        for roster in self.agencies.values():
            for officer in roster.officers:
                found.setdefault(officer.id, officer)
        return found


class Position(BaseModel):
    """Tier and step, both counted from 1."""

    model_config = ConfigDict(frozen=True)

    tier: int = Field(ge=1)
    step: int = Field(ge=1)


class Tier(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    recipients: tuple[Officer, ...]
    steps: tuple[Step, ...]


class ExpiryNotice(BaseModel):
    model_config = ConfigDict(frozen=True)

    recipients: tuple[Officer, ...]
    channels: tuple[ChannelKind, ...]


class EscalationPolicy(BaseModel):
    """The resolved, serialisable snapshot an alert carries for its whole life."""

    model_config = ConfigDict(frozen=True)

    agency_id: str
    roster_agency_id: str = Field(description="Differs from agency_id when it had no roster.")
    resolved_at: datetime
    drill: bool
    time_zone: str
    tiers: tuple[Tier, ...]
    on_expiry: ExpiryNotice

    @property
    def first(self) -> Position:
        return Position(tier=1, step=1)

    def tier(self, number: int) -> Tier:
        return self.tiers[number - 1]

    def step_at(self, position: Position) -> Step:
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


def on_duty(rosters: Rosters, agency_id: str, at: datetime) -> Officer:
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    roster = _roster(rosters, agency_id)
    return roster.officer(_on_duty_id(roster.duty, at, rosters.zone))


def _on_duty_id(duty: Duty, at: datetime, zone: ZoneInfo) -> str:
    """Dated assignments first, then weekly shifts, then the `always` fallback."""
    for assignment in duty.assignments:
        if assignment.covers(at, zone):
            return assignment.officer
    local = at.astimezone(zone).replace(tzinfo=None)
    for shift in duty.shifts:
        if shift.covers(local):
            return shift.officer
    return duty.always


def escalation_policy(
    rosters: Rosters, agency_id: str, at: datetime, status: Status = Status.ACTUAL
) -> EscalationPolicy:
    """An agency without a roster is escalated with the duty desk's roster: nothing is dropped."""
    roster_id = agency_id if agency_id in rosters.agencies else rosters.duty_desk
    roster = _roster(rosters, roster_id)
    drill = status is not Status.ACTUAL
    tiers = tuple(
        Tier(
            number=number,
            recipients=_recipients(rosters, roster_id, tier.recipients, at, drill),
            steps=tier.steps,
        )
        for number, tier in enumerate(roster.escalation, start=1)
    )
    expiry = _recipients(rosters, roster_id, DUTY_DESK, at, drill)
    return EscalationPolicy(
        agency_id=agency_id,
        roster_agency_id=roster_id,
        resolved_at=at,
        drill=drill,
        time_zone=rosters.time_zone,
        tiers=tiers,
        on_expiry=ExpiryNotice(recipients=expiry, channels=rosters.expiry_channels),
    )


def _recipients(
    rosters: Rosters, agency_id: str, who: str | tuple[str, ...], at: datetime, drill: bool
) -> tuple[Officer, ...]:
    if drill:
        return (rosters.drill_recipient,)
    if who == ON_DUTY:
        return (on_duty(rosters, agency_id, at),)
    if who == DUTY_DESK:
        return (on_duty(rosters, rosters.duty_desk, at),)
    everyone = rosters.officers()
    return tuple(everyone[officer_id] for officer_id in who)


def _roster(rosters: Rosters, agency_id: str) -> AgencyRoster:
    try:
        return rosters.agencies[agency_id]
    except KeyError:
        raise UnknownAgency(agency_id) from None


def load_rosters(path: Path) -> Rosters:
    return parse_rosters(config.read_yaml(path), str(path))


def parse_rosters(data: object, source: str) -> Rosters:
    rosters = config.validate(data, Rosters, source, echo_values=False)
    problems = [f"{source}: {problem}" for problem in _dangling_references(rosters)]
    if problems:
        raise ConfigError(problems)
    return rosters


def _dangling_references(rosters: Rosters) -> Iterator[str]:
    if rosters.duty_desk not in rosters.agencies:
        yield f"duty_desk: no roster for agency {rosters.duty_desk!r}"
    yield from _one_person_per_id(rosters)
    everyone = set(rosters.officers())
    for agency_id, roster in rosters.agencies.items():
        where = f"agencies.{agency_id}"
        yield from _duty_references(where, roster)
        for i, tier in enumerate(roster.escalation):
            for j, officer_id in enumerate(
                tier.recipients if isinstance(tier.recipients, tuple) else ()
            ):
                if officer_id not in everyone:
                    yield f"{where}.escalation[{i}].recipients[{j}]: no officer {officer_id!r}"


def _one_person_per_id(rosters: Rosters) -> Iterator[str]:
    """An officer id names one person everywhere: someone holding two posts is listed in both
    agencies with the same details, and an acknowledgment by that id is unambiguous."""
    drill = rosters.drill_recipient
    seen: dict[str, tuple[str, Officer]] = {drill.id: ("drill_recipient", drill)}
    for agency_id, roster in rosters.agencies.items():
        for index, officer in enumerate(roster.officers):
            where = f"agencies.{agency_id}.officers[{index}]"
            first_where, first = seen.setdefault(officer.id, (where, officer))
            if first_where.startswith(f"agencies.{agency_id}.officers[") and first_where != where:
                yield f"{where}.id: duplicate officer id {officer.id!r} in this agency"
            elif first != officer:
                yield f"{where}: officer {officer.id!r} differs from the one at {first_where}"


def _duty_references(where: str, roster: AgencyRoster) -> Iterator[str]:
    known = {officer.id for officer in roster.officers}
    references = [("duty.always", roster.duty.always)]
    references += [
        (f"duty.shifts[{i}].officer", s.officer) for i, s in enumerate(roster.duty.shifts)
    ]
    references += [
        (f"duty.assignments[{i}].officer", a.officer) for i, a in enumerate(roster.duty.assignments)
    ]
    for path, officer_id in references:
        if officer_id not in known:
            yield f"{where}.{path}: no officer {officer_id!r} in this agency"
