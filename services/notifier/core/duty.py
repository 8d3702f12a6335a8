"""Who is on duty, and whom to escalate to: the rosters' model, resolved by pure functions.

`escalation_policy` returns a frozen snapshot with every recipient resolved; it is copied onto
the alert when the alert is created, so editing the roster never changes an escalation in
flight (Grafana OnCall does the same).
"""

from datetime import date, datetime, time, timedelta
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
from services.notifier.core.channels import ChannelKind
from services.notifier.core.policy import (
    DEFAULT_TIME_ZONE,
    AgencyName,
    EscalationPolicy,
    ExpiryNotice,
    Id,
    Officer,
    Tier,
    TierStep,
)

__all__ = [
    "AgencyRoster",
    "Assignment",
    "Duty",
    "NobodyOnDuty",
    "Rosters",
    "Shift",
    "TierConfig",
    "UnknownAgency",
    "escalation_policy",
    "on_duty",
    "who_is_on_duty",
]

ON_DUTY = "on_duty"
DUTY_DESK = "duty_desk"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class UnknownAgency(LookupError):
    pass


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
LocalTime = Annotated[time, BeforeValidator(_quoted_time)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


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
    always: Id | None = Field(
        default=None,
        description="Who is on duty when no assignment or shift covers the time; none: nobody "
        "(an uncovered post, which `safeguard rosters check` reports and an alert skips).",
    )


class TierConfig(BaseModel):
    model_config = _FROZEN

    recipients: Literal["on_duty", "duty_desk"] | Annotated[tuple[Id, ...], Field(min_length=1)]
    steps: tuple[TierStep, ...] = Field(min_length=1)


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
    agency_names: dict[str, AgencyName] = Field(
        default_factory=dict,
        description="Every agency's name by id: load_rosters reads them from agencies.yaml.",
    )

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

    def officer_names(self) -> dict[str, str]:
        """Each officer's display name by id, the drill recipient's included."""
        everyone = {self.drill_recipient.id: self.drill_recipient, **self.officers()}
        return {officer_id: officer.name for officer_id, officer in everyone.items()}


class NobodyOnDuty(LookupError):
    pass


def on_duty(rosters: Rosters, agency_id: str, at: datetime) -> Officer:
    officer = who_is_on_duty(rosters, agency_id, at)
    if officer is None:
        raise NobodyOnDuty(agency_id)
    return officer


def who_is_on_duty(rosters: Rosters, agency_id: str, at: datetime) -> Officer | None:
    """The agency's officer on duty at `at`; None when its post is uncovered then."""
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    roster = _roster(rosters, agency_id)
    officer_id = _on_duty_id(roster.duty, at, rosters.zone)
    return None if officer_id is None else roster.officer(officer_id)


def _on_duty_id(duty: Duty, at: datetime, zone: ZoneInfo) -> str | None:
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
    """An agency without a roster is escalated with the duty desk's roster: nothing is dropped.
    A tier that reaches nobody at `at` (an uncovered post) is left out, so the alert goes
    straight to the next tier, or to the duty desk when no tier reaches anyone; `skipped` says
    why, for the audit trail."""
    roster_id = agency_id if agency_id in rosters.agencies else rosters.duty_desk
    roster = _roster(rosters, roster_id)
    drill = status is not Status.ACTUAL
    resolved = [
        (tier, _recipients(rosters, roster_id, tier.recipients, at, drill))
        for tier in roster.escalation
    ]
    tiers, skipped = _reachable_tiers(rosters, resolved, at)
    expiry = _recipients(rosters, roster_id, DUTY_DESK, at, drill)
    return EscalationPolicy(
        agency_id=agency_id,
        agency_name=rosters.agency_names.get(agency_id),
        roster_agency_id=roster_id,
        resolved_at=at,
        drill=drill,
        time_zone=rosters.time_zone,
        tiers=tiers,
        on_expiry=ExpiryNotice(recipients=expiry, channels=rosters.expiry_channels),
        skipped=skipped,
    )


def _reachable_tiers(
    rosters: Rosters, resolved: list[tuple[TierConfig, tuple[Officer, ...]]], at: datetime
) -> tuple[tuple[Tier, ...], str | None]:
    """The tiers that reach someone, numbered from 1; and why any were left out. When none
    does, the duty desk's own tiers that reach someone; when none of those either, the tiers as
    they are: the alert then waits, unsent and overdue (a `dead_end` of the coverage check)."""
    kept = [(tier.steps, who) for tier, who in resolved if who]
    gone = [f"{n}" for n, (_, who) in enumerate(resolved, start=1) if not who]
    if not gone:
        return _numbered(kept), None
    reason = f"roster tier {', '.join(gone)} reaches nobody (nobody on duty)"
    if kept:
        return _numbered(kept), f"{reason}: went straight to the next tier"
    desk = [
        (tier.steps, who)
        for tier in _roster(rosters, rosters.duty_desk).escalation
        if (who := _recipients(rosters, rosters.duty_desk, tier.recipients, at, drill=False))
    ]
    if desk:
        return _numbered(desk), f"{reason}: went straight to the duty desk"
    every = [(tier.steps, who) for tier, who in resolved]
    return _numbered(every), f"{reason}, nor does the duty desk: nobody to alert"


def _numbered(tiers: list[tuple[tuple[TierStep, ...], tuple[Officer, ...]]]) -> tuple[Tier, ...]:
    return tuple(
        Tier(number=number, recipients=who, steps=steps)
        for number, (steps, who) in enumerate(tiers, start=1)
    )


def _recipients(
    rosters: Rosters, agency_id: str, who: str | tuple[str, ...], at: datetime, drill: bool
) -> tuple[Officer, ...]:
    if drill:
        return (rosters.drill_recipient,)
    if who in (ON_DUTY, DUTY_DESK):
        whose = agency_id if who == ON_DUTY else rosters.duty_desk
        officer = who_is_on_duty(rosters, whose, at)
        return () if officer is None else (officer,)
    everyone = rosters.officers()
    return tuple(everyone[officer_id] for officer_id in who)


def _roster(rosters: Rosters, agency_id: str) -> AgencyRoster:
    try:
        return rosters.agencies[agency_id]
    except KeyError:
        raise UnknownAgency(agency_id) from None
