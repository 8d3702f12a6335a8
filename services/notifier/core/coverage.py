"""Coverage of the rosters over the next days, decided purely: which posts have nobody on duty
and when, which officers cannot be reached on the channels their tiers use, and which agencies'
escalations reach nobody at all (Grafana OnCall #1511, #4072; GoAlert #3511).

Findings name agencies and officers by id only: officers' phone numbers and e-mails are staff
personal data and never appear in a finding, its line, a log or a metric.

Duty only changes at the instants where a shift or a dated assignment begins or ends, so each
agency is evaluated at those instants (and at the start) and the result holds until the next.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.notifier.core.channels import ChannelKind
from services.notifier.core.duty import (
    DUTY_DESK,
    ON_DUTY,
    AgencyRoster,
    Duty,
    Rosters,
    escalation_policy,
    who_is_on_duty,
)
from services.notifier.core.policy import EscalationPolicy, Officer

__all__ = ["HORIZON", "Finding", "Kind", "Span", "check", "counts", "reachable"]

HORIZON = timedelta(days=14)
# Reserved names that never deliver mail (RFC 2606, RFC 6761).
_RESERVED_TLDS = ("invalid", "test", "example", "localhost")
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")


class Kind(StrEnum):
    UNCOVERED = "uncovered"  # a post with nobody on duty for a while
    NO_CONTACT = "no_contact"  # an officer without a working contact on a channel a tier uses
    DEAD_END = "dead_end"  # an agency whose escalation reaches nobody for a while


@dataclass(frozen=True)
class Span:
    """From `start` (inclusive) to `end` (exclusive), in the province's time zone."""

    start: datetime
    end: datetime

    def text(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    agency_id: str
    officer_id: str | None = None
    channels: tuple[ChannelKind, ...] = ()
    span: Span | None = None
    time_zone: str = field(default="", compare=False)

    def line(self) -> str:
        """One line for people, ids only."""
        if self.kind is Kind.NO_CONTACT:
            missing = ", ".join(str(c) for c in self.channels)
            return (
                f"no_contact {self.agency_id} officer {self.officer_id}: "
                f"no working contact for {missing} steps"
            )
        assert self.span is not None
        what = "nobody on duty" if self.kind is Kind.UNCOVERED else "no tier reaches anyone"
        return f"{self.kind} {self.agency_id} {self.span.text()} {self.time_zone}: {what}"


def check(rosters: Rosters, start: datetime, horizon: timedelta = HORIZON) -> list[Finding]:
    """Every finding for the `horizon` after `start` (timezone-aware), in a stable order."""
    if start.tzinfo is None:
        raise ValueError("`start` must be timezone-aware")
    end = start + horizon
    found: list[Finding] = []
    for agency_id, roster in rosters.agencies.items():
        found += _uncovered(rosters, agency_id, roster.duty, start, end)
    found += _no_contact(rosters)
    for agency_id in rosters.agencies:
        found += _dead_ends(rosters, agency_id, start, end)
    return found


def counts(findings: Iterable[Finding]) -> dict[Kind, int]:
    """How many findings of each kind, every kind present (for a metric)."""
    totals = dict.fromkeys(Kind, 0)
    for finding in findings:
        totals[finding.kind] += 1
    return totals


def reachable(officer: Officer, channel: ChannelKind) -> bool:
    """Whether the officer has a working contact for `channel`: a phone for SMS and calls, an
    e-mail address outside the reserved names that never deliver for e-mail."""
    if channel is ChannelKind.EMAIL:
        return bool(officer.email) and not _reserved(str(officer.email))
    return bool(officer.phone)


def _reserved(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower().rstrip(".")
    return domain.rsplit(".", 1)[-1] in _RESERVED_TLDS or any(
        domain == d or domain.endswith(f".{d}") for d in _RESERVED_DOMAINS
    )


# Posts with nobody on duty --------------------------------------------------------------------


def _uncovered(
    rosters: Rosters, agency_id: str, duty: Duty, start: datetime, end: datetime
) -> Iterator[Finding]:
    instants = _changes([duty], rosters.zone, start, end)
    gaps = _spans(instants, end, lambda at: who_is_on_duty(rosters, agency_id, at) is None)
    for span in gaps:
        yield Finding(
            Kind.UNCOVERED, agency_id, span=_local(span, rosters.zone), time_zone=rosters.time_zone
        )


def _changes(
    duties: Iterable[Duty], zone: ZoneInfo, start: datetime, end: datetime
) -> list[datetime]:
    """Every instant in [start, end) where one of `duties` may change, and `start`."""
    moments = {start}
    for duty in duties:
        moments.update(_shift_edges(duty, zone, start, end))
        for assignment in duty.assignments:
            moments.update(_aware(m, zone) for m in (assignment.starts, assignment.until))
    return sorted(m for m in moments if start <= m < end)


def _shift_edges(duty: Duty, zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    first = start.astimezone(zone).date() - timedelta(days=1)
    days = (end.astimezone(zone).date() - first).days + 1
    for offset in range(days):
        day: date = first + timedelta(days=offset)
        for shift in duty.shifts:
            yield datetime.combine(day, shift.start, tzinfo=zone)
            yield datetime.combine(day, shift.end, tzinfo=zone)


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _spans(instants: list[datetime], end: datetime, bad: Callable[[datetime], bool]) -> list[Span]:
    """The merged spans where `bad` holds, each instant's answer holding until the next."""
    spans: list[Span] = []
    bounds = [*instants[1:], end]
    for at, until in zip(instants, bounds, strict=True):
        if not bad(at):
            continue
        if spans and spans[-1].end == at:
            spans[-1] = Span(spans[-1].start, until)
        else:
            spans.append(Span(at, until))
    return spans


def _local(span: Span, zone: ZoneInfo) -> Span:
    return Span(span.start.astimezone(zone), span.end.astimezone(zone))


# Officers without a working contact ---------------------------------------------------------


def _no_contact(rosters: Rosters) -> Iterator[Finding]:
    """Each officer once, under the first agency that lists them, with the channels some tier
    (or the duty desk's expiry notice) needs and they cannot be reached on."""
    needed: dict[str, set[ChannelKind]] = {}
    for agency_id, roster in rosters.agencies.items():
        for tier in roster.escalation:
            channels = {step.channel for step in tier.steps}
            for officer_id in _tier_candidates(rosters, agency_id, tier.recipients):
                needed.setdefault(officer_id, set()).update(channels)
    for officer_id in _duty_officers(rosters.agencies[rosters.duty_desk].duty):
        needed.setdefault(officer_id, set()).update(rosters.expiry_channels)
    everyone = rosters.officers()
    for officer_id, home in _homes(rosters).items():
        channels = needed.get(officer_id, set())
        missing = tuple(
            c for c in ChannelKind if c in channels and not reachable(everyone[officer_id], c)
        )
        if missing:
            yield Finding(Kind.NO_CONTACT, home, officer_id=officer_id, channels=missing)


def _tier_candidates(rosters: Rosters, agency_id: str, who: str | tuple[str, ...]) -> set[str]:
    """Everyone a tier may reach at some time."""
    if who == ON_DUTY:
        return _duty_officers(rosters.agencies[agency_id].duty)
    if who == DUTY_DESK:
        return _duty_officers(rosters.agencies[rosters.duty_desk].duty)
    return set(who)


def _duty_officers(duty: Duty) -> set[str]:
    named = {duty.always} | {s.officer for s in duty.shifts} | {a.officer for a in duty.assignments}
    return {officer_id for officer_id in named if officer_id is not None}


def _homes(rosters: Rosters) -> dict[str, str]:
    """Each officer's first agency, in the file's order."""
    homes: dict[str, str] = {}
    for agency_id, roster in rosters.agencies.items():
        for officer in roster.officers:
            homes.setdefault(officer.id, agency_id)
    return homes


# Escalations that end nowhere ---------------------------------------------------------------


def _dead_ends(
    rosters: Rosters, agency_id: str, start: datetime, end: datetime
) -> Iterator[Finding]:
    roster: AgencyRoster = rosters.agencies[agency_id]
    duties = [roster.duty, rosters.agencies[rosters.duty_desk].duty]
    instants = _changes(duties, rosters.zone, start, end)
    for span in _spans(
        instants, end, lambda at: _reaches_nobody(escalation_policy(rosters, agency_id, at))
    ):
        yield Finding(
            Kind.DEAD_END, agency_id, span=_local(span, rosters.zone), time_zone=rosters.time_zone
        )


def _reaches_nobody(policy: EscalationPolicy) -> bool:
    """No tier has a recipient with a working contact for one of the tier's steps."""
    return not any(
        reachable(officer, step.channel)
        for tier in policy.tiers
        for officer in tier.recipients
        for step in tier.steps
    )
