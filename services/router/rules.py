"""The routing tree, in the spirit of Prometheus Alertmanager.

A route matches an incident when all its matchers do. Routes are walked depth-first; the
first matching child wins unless it has ``continue: true``, in which case the next siblings
are tried too. A route's own targets act as an implicit last child: they are used when none
of its children matched, or only ``continue`` children did (Alertmanager drops them in that
case; here a ``continue`` route adds agencies without settling the incident). The root
route matches everything and its targets are the default (the province duty desk).
"""

import re
from collections.abc import Iterator
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from contracts.incident import (
    AgeBand,
    Category,
    Certainty,
    Child,
    IncidentV1,
    Severity,
    Status,
    Urgency,
)
from services import config
from services.config import ConfigError
from services.router.directory import AgencyKind, Directory, UnitCode

__all__ = [
    "SEVERITY_RANK",
    "AgeRange",
    "CaseLimits",
    "FlagMatch",
    "Matchers",
    "Route",
    "RuleSet",
    "Selector",
    "Target",
    "format_duration",
    "load_rules",
    "parse_duration",
]

_T = TypeVar("_T")
_KINDS = frozenset(kind.value for kind in AgencyKind)
_MODEL = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
# Unknown ranks lowest: a min_severity matcher never matches an unknown severity.
SEVERITY_RANK = {
    Severity.UNKNOWN: 0,
    Severity.MINOR: 1,
    Severity.MODERATE: 2,
    Severity.SEVERE: 3,
    Severity.EXTREME: 4,
}


def parse_duration(value: object) -> object:
    """'15m', '1h', '1h30m', '90s' -> timedelta (a timedelta passes through)."""
    if isinstance(value, timedelta):
        return value
    found = _DURATION.match(value) if isinstance(value, str) and value else None
    if found is None:
        raise ValueError(f"durations look like 15m, 1h, 1h30m or 90s, got {value!r}")
    hours, minutes, seconds = (int(found[part] or 0) for part in ("h", "m", "s"))
    duration = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if not duration:
        raise ValueError("a deadline must be longer than zero")
    return duration


def format_duration(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")) if n]
    return "".join(parts) or "0s"


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class Selector(StrEnum):
    KIND = "kind"  # agencies of a kind whose jurisdiction covers the incident's unit
    CHILD_SCHOOL = "child_school"  # the school agency of the child's school_id
    NEAREST_SHELTER = "nearest_shelter"  # one shelter taking children, when needs_shelter
    AGENCY = "agency"  # one named agency, if its jurisdiction covers the unit


class Target(BaseModel):
    """Written in YAML as a kind (``police``), ``child_school``, ``nearest_shelter`` or
    ``agency:<id>``."""

    model_config = _MODEL

    selector: Selector
    value: str = ""

    @model_validator(mode="after")
    def _value_when_needed(self) -> Self:
        if (self.selector in (Selector.KIND, Selector.AGENCY)) != bool(self.value):
            raise ValueError(f"a {self.selector} target takes a value iff it is kind or agency")
        if self.selector is Selector.KIND and self.value not in _KINDS:
            raise ValueError(f"unknown agency kind {self.value!r}")
        return self

    @property
    def kind(self) -> AgencyKind:
        return AgencyKind(self.value)

    def __str__(self) -> str:
        if self.selector is Selector.AGENCY:
            return f"agency:{self.value}"
        return self.value if self.selector is Selector.KIND else self.selector.value


def _parse_target(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    if raw in (Selector.CHILD_SCHOOL, Selector.NEAREST_SHELTER):
        return Target(selector=Selector(raw))
    if raw.startswith("agency:"):
        return Target(selector=Selector.AGENCY, value=raw.removeprefix("agency:"))
    if raw == AgencyKind.SCHOOL:
        raise ValueError("'school' would alert every school in the area: use child_school")
    if raw in _KINDS:
        return Target(selector=Selector.KIND, value=raw)
    raise ValueError(
        f"unknown target {raw!r}: expected an agency kind "
        f"({', '.join(k for k in AgencyKind if k != AgencyKind.SCHOOL)}), "
        "child_school, nearest_shelter or agency:<id>"
    )


class AgeRange(BaseModel):
    model_config = _MODEL

    min: int | None = Field(default=None, ge=0, le=17)
    max: int | None = Field(default=None, ge=0, le=17)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    def matches(self, child: Child) -> bool:
        """On the exact age when known, else on any overlap with the age band; an unknown
        age never matches."""
        bounds = _age_bounds(child)
        if bounds is None:
            return False
        low, high = bounds
        return (self.min is None or high >= self.min) and (self.max is None or low <= self.max)


def _age_bounds(child: Child) -> tuple[int, int] | None:
    if child.age is not None:
        return child.age, child.age
    if child.age_band is None:
        return None
    return _band_bounds(child.age_band)


def _band_bounds(band: AgeBand) -> tuple[int, int]:
    low, high = band.value.split("-")
    return int(low), int(high)


class FlagMatch(BaseModel):
    model_config = _MODEL

    immediate_danger: bool | None = None
    needs_shelter: bool | None = None
    perpetrator_in_household: bool | None = None

    def matches(self, incident: IncidentV1) -> bool:
        wanted = self.model_dump(exclude_none=True)
        return all(getattr(incident.flags, name) == value for name, value in wanted.items())


class Matchers(BaseModel):
    """All given matchers must match; sets match any of their members."""

    model_config = _MODEL

    category: frozenset[Category] | None = None
    severity: frozenset[Severity] | None = None
    min_severity: Severity | None = None
    urgency: frozenset[Urgency] | None = None
    certainty: frozenset[Certainty] | None = None
    status: frozenset[Status] | None = None
    flags: FlagMatch = Field(default_factory=FlagMatch)
    child_age: AgeRange | None = None
    is_student: bool | None = None
    location: tuple[UnitCode, ...] | None = Field(
        default=None, description="Unit codes; a unit matches its own code and its parents'."
    )

    @property
    def empty(self) -> bool:
        return self == Matchers()

    def matches(self, incident: IncidentV1, directory: Directory) -> bool:
        return (
            _within(incident.category, self.category)
            and _within(incident.severity, self.severity)
            and _within(incident.urgency, self.urgency)
            and _within(incident.certainty, self.certainty)
            and _within(incident.status, self.status)
            and self._severe_enough(incident.severity)
            and self.flags.matches(incident)
            and (self.child_age is None or self.child_age.matches(incident.child))
            and self._student(incident.child)
            and self._located(incident.area.geocode, directory)
        )

    def _severe_enough(self, severity: Severity) -> bool:
        return (
            self.min_severity is None or SEVERITY_RANK[severity] >= SEVERITY_RANK[self.min_severity]
        )

    def _student(self, child: Child) -> bool:
        return self.is_student is None or self.is_student == (child.school_id is not None)

    def _located(self, geocode: str, directory: Directory) -> bool:
        if self.location is None:
            return True
        return any(code in self.location for code in directory.lineage(geocode))


def _within(value: _T, allowed: frozenset[_T] | None) -> bool:
    return allowed is None or value in allowed


class Route(BaseModel):
    model_config = _MODEL

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    match: Matchers = Field(default_factory=Matchers)
    continue_: bool = Field(default=False, alias="continue")
    targets: tuple[Annotated[Target, BeforeValidator(_parse_target)], ...] = ()
    ack_deadline: Duration | None = Field(
        default=None, description="Inherited from the parent route when not given."
    )
    routes: tuple["Route", ...] = ()


class CaseLimits(BaseModel):
    """The `deadlines:` section of a rules file: upper limits that facts of the case impose."""

    model_config = _MODEL

    severity: dict[Severity, Duration] = {}
    urgency: dict[Urgency, Duration] = {}
    category: dict[Category, Duration] = {}
    immediate_danger: Duration | None = None


class RuleSet(BaseModel):
    model_config = _MODEL

    version: str = Field(min_length=1, max_length=64)
    route: Route
    deadlines: CaseLimits = Field(default_factory=CaseLimits)


def load_rules(path: Path, directory: Directory) -> RuleSet:
    """Read a rules file and check it against the directory; ConfigError names file and path."""
    rules = config.load(path, RuleSet)
    problems = [f"{path}: {where}: {what}" for where, what in _problems(rules.route, directory)]
    if problems:
        raise ConfigError(problems)
    return rules


def _problems(root: Route, directory: Directory) -> Iterator[tuple[str, str]]:
    if not root.match.empty or root.continue_:
        yield "route", "the root route matches everything: no match and no continue"
    if not root.targets or root.ack_deadline is None:
        yield "route", "the root route needs targets (the default) and an ack_deadline"
    seen: dict[str, str] = {}
    for where, route in _walk(root, "route"):
        if route.name in seen:
            yield (
                f"{where}.name",
                f"duplicate route name '{route.name}' (first at {seen[route.name]})",
            )
        seen.setdefault(route.name, where)
        if not route.targets and not route.routes:
            yield where, f"route '{route.name}' has neither targets nor routes"
        for i, target in enumerate(route.targets):
            if (problem := _target_problem(target, directory)) is not None:
                yield f"{where}.targets[{i}]", problem
        for i, code in enumerate(route.match.location or ()):
            if code not in directory.units:
                yield f"{where}.match.location[{i}]", f"unknown unit code '{code}'"


def _walk(route: Route, where: str) -> Iterator[tuple[str, Route]]:
    yield where, route
    for i, child in enumerate(route.routes):
        yield from _walk(child, f"{where}.routes[{i}]")


def _target_problem(target: Target, directory: Directory) -> str | None:
    if target.selector is Selector.AGENCY and target.value not in directory.agencies:
        return f"unknown agency id '{target.value}'"
    if target.selector is Selector.KIND and not directory.of_kind(target.kind):
        return f"no agency of kind '{target.value}' in the directory"
    if target.selector is Selector.CHILD_SCHOOL and not directory.schools:
        return "child_school, but the directory lists no schools"
    shelters = [
        a for a in directory.of_kind(AgencyKind.SHELTER) if a.shelter and a.shelter.takes_children
    ]
    if target.selector is Selector.NEAREST_SHELTER and not shelters:
        return "nearest_shelter, but no shelter in the directory takes children"
    return None
