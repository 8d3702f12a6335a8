"""Whether a new report is about a child already on an open case. Pure and conservative.

Linking reads only operational facts (unit, category, time, age band, sex, school), never a
name or a description, so the decision can be explained to ops without revealing the child.
A contradiction on who the child is (sex, age band, school) or on the drill flag rules a link
out; agreement alone never merges two reports silently unless it covers who the child is: a
match that rests on place, time and category only is a *possible* link for ops to decide.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.incident import AgeBand, Category, Sex

__all__ = [
    "CaseProfile",
    "LinkVerdict",
    "LinkingConfig",
    "Match",
    "age_band",
    "compare",
    "link",
]


class LinkVerdict(StrEnum):
    SAME = "same"  # linked into the case, with the reasons
    POSSIBLE = "possible"  # shown to ops; the report opens a case of its own meanwhile
    DIFFERENT = "different"


_DEFAULT_FAMILIES: tuple[frozenset[Category], ...] = (
    frozenset(
        {
            Category.PHYSICAL_ABUSE,
            Category.SEXUAL_ABUSE,
            Category.EMOTIONAL_ABUSE,
            Category.NEGLECT,
            Category.VIOLENCE,
        }
    ),
    frozenset({Category.TRAFFICKING, Category.MISSING_CHILD, Category.ONLINE_ABUSE}),
    frozenset({Category.CHILD_LABOUR, Category.SCHOOL_DROPOUT, Category.TRAFFICKING}),
    frozenset({Category.ACCIDENT, Category.DROWNING}),
)


class LinkingConfig(BaseModel):
    """Thresholds are configuration: a province tunes them, the code does not."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_hours: float = Field(default=72.0, gt=0, le=24 * 90)
    # Categories that can describe one situation as seen by different sources (a helpline hears
    # "violence", the school reports "physical_abuse"). OTHER is compatible with everything.
    compatible: tuple[frozenset[Category], ...] = _DEFAULT_FAMILIES
    # Evidence needed, in points: see `compare` for what earns them.
    same_at: int = Field(default=6, ge=1)
    possible_at: int = Field(default=3, ge=1)

    def categories_compatible(self, a: Category, b: Category) -> bool:
        if a == b or Category.OTHER in (a, b):
            return True
        return any(a in family and b in family for family in self.compatible)


@dataclass(frozen=True)
class CaseProfile:
    """The operational facts of a report, or of the reports of an open case, that linking uses."""

    key: str  # a case id or a report's incident id
    unit: str
    category: Category
    reported_at: datetime
    drill: bool
    sex: Sex = Sex.UNKNOWN
    age_band: AgeBand | None = None
    age: int | None = None
    school_id: str | None = None


@dataclass(frozen=True)
class Match:
    verdict: LinkVerdict
    key: str | None  # the case it links to, None for DIFFERENT
    score: int
    reasons: tuple[str, ...]  # short, operational, for `rules explain` and the ops board


Nearby = Callable[[str, str], bool]  # whether two unit codes are the same or neighbouring


def age_band(age: int) -> AgeBand:
    return next(
        band for band in AgeBand if int(band.value.split("-")[0]) <= age <= int(band.split("-")[1])
    )


def compare(a: CaseProfile, b: CaseProfile, nearby: Nearby, config: LinkingConfig) -> Match:
    """One report against one case. Symmetric: compare(a, b) and compare(b, a) agree."""
    veto = _contradiction(a, b, nearby, config)
    if veto is not None:
        return Match(LinkVerdict.DIFFERENT, None, 0, (veto,))
    score, reasons, identifies = _evidence(a, b)
    if score >= config.same_at and identifies:
        verdict = LinkVerdict.SAME
    elif score >= config.possible_at:
        verdict = LinkVerdict.POSSIBLE
    else:
        verdict = LinkVerdict.DIFFERENT
    return Match(verdict, None if verdict is LinkVerdict.DIFFERENT else b.key, score, reasons)


def link(
    report: CaseProfile, open_cases: Iterable[CaseProfile], nearby: Nearby, config: LinkingConfig
) -> Match:
    """The case a report belongs to. Two cases that both fit make it only possible: a report
    that could be about either child is never merged into one of them silently."""
    candidates = [compare(report, case, nearby, config) for case in open_cases]
    ranked = sorted(
        (m for m in candidates if m.verdict is not LinkVerdict.DIFFERENT),
        key=lambda m: (m.verdict is LinkVerdict.SAME, m.score, m.key or ""),
        reverse=True,
    )
    if not ranked:
        return Match(LinkVerdict.DIFFERENT, None, 0, ("no open case matches",))
    best = ranked[0]
    rivals = [m for m in ranked[1:] if m.verdict is LinkVerdict.SAME]
    if best.verdict is LinkVerdict.SAME and rivals:
        others = ", ".join(sorted(m.key or "" for m in rivals))
        return Match(
            LinkVerdict.POSSIBLE, best.key, best.score, (*best.reasons, f"also fits {others}")
        )
    return best


def _contradiction(
    a: CaseProfile, b: CaseProfile, nearby: Nearby, config: LinkingConfig
) -> str | None:
    if a.drill != b.drill:
        return "a drill and an actual report"
    if Sex.UNKNOWN not in (a.sex, b.sex) and a.sex != b.sex:
        return "the child's sex differs"
    band_a, band_b = _band(a), _band(b)
    if band_a and band_b and band_a != band_b:
        return "the child's age band differs"
    if a.age is not None and b.age is not None and abs(a.age - b.age) > 1:
        return "the child's age differs by more than a year"
    if a.school_id and b.school_id and a.school_id != b.school_id:
        return "different schools"
    if abs(a.reported_at - b.reported_at) > timedelta(hours=config.window_hours):
        return "reported too far apart"
    if not (a.unit == b.unit or nearby(a.unit, b.unit) or nearby(b.unit, a.unit)):
        return "places too far apart"
    if not config.categories_compatible(a.category, b.category):
        return "incompatible categories"
    return None


def _evidence(a: CaseProfile, b: CaseProfile) -> tuple[int, tuple[str, ...], bool]:
    """Points for agreement, the reasons, and whether the agreement says who the child is."""
    points: list[tuple[int, str]] = [
        (2, "same unit") if a.unit == b.unit else (1, "neighbouring unit"),
        (2, "same category") if a.category == b.category else (1, "compatible category"),
    ]
    band_a, band_b = _band(a), _band(b)
    same_band = band_a is not None and band_a == band_b
    same_sex = a.sex is not Sex.UNKNOWN and a.sex == b.sex
    same_school = a.school_id is not None and a.school_id == b.school_id
    if same_band:
        points.append((2, "same age band"))
    if a.age is not None and a.age == b.age:
        points.append((1, "same age"))
    if same_sex:
        points.append((1, "same sex"))
    if same_school:
        points.append((3, "same school"))
    identifies = same_school or (same_band and same_sex)
    return sum(p for p, _ in points), tuple(reason for _, reason in points), identifies


def _band(profile: CaseProfile) -> AgeBand | None:
    if profile.age_band is not None:
        return profile.age_band
    return age_band(profile.age) if profile.age is not None else None
