"""The open cases of one linking zone (a province), and the decisions that file reports in them.

A report names the case it belongs to (a case id, the source's own earlier identifier, or
another source's reference), or linking finds its case, or it opens a case of its own. Each
decision is a `Filing` with its reasons, so it can become an event; ops link and unlink by
hand. Case ids follow from incident ids, so replaying a report after a crash files it the same
way. Pure.
"""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from contracts.case import FiledHow
from contracts.incident import (
    AgeBand,
    CaseReference,
    Category,
    IncidentReportedV1,
    Sex,
    Status,
)
from services.router.linking import CaseProfile, LinkingConfig, LinkVerdict, Nearby, link

__all__ = [
    "CaseBook",
    "FiledReport",
    "Filing",
    "OpenCase",
    "case_id_for",
    "expire",
    "file_report",
    "move_report",
]


class FiledReport(BaseModel):
    """The operational facts of one report that linking uses; nothing personal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    incident_id: str
    reference: str  # "sender/identifier"
    received_at: datetime
    unit: str
    category: Category
    drill: bool
    sex: Sex = Sex.UNKNOWN
    age_band: AgeBand | None = None
    age: int | None = None
    school_id: str | None = None


class OpenCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    case_id: str
    reports: tuple[FiledReport, ...]  # first first; never empty

    def profile(self) -> CaseProfile:
        """Who the child is, from every report: what one source leaves out, another may know."""
        first = self.reports[0]
        return CaseProfile(
            key=self.case_id,
            unit=first.unit,
            category=first.category,
            reported_at=max(r.received_at for r in self.reports),
            drill=first.drill,
            sex=next((r.sex for r in self.reports if r.sex is not Sex.UNKNOWN), Sex.UNKNOWN),
            age_band=next((r.age_band for r in self.reports if r.age_band), None),
            age=next((r.age for r in self.reports if r.age is not None), None),
            school_id=next((r.school_id for r in self.reports if r.school_id), None),
        )


class CaseBook(BaseModel):
    """What the case agent keeps per zone: the open cases, and which case holds each report."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cases: dict[str, OpenCase] = {}
    filed: dict[str, str] = {}  # incident id -> case id


@dataclass(frozen=True)
class Filing:
    book: CaseBook
    incident_id: str
    case_id: str
    how: FiledHow
    reasons: tuple[str, ...]
    possible_case: str | None = None  # with POSSIBLE: the case ops should look at
    left_case: str | None = None  # with BY_HAND: the case the report was taken out of


def case_id_for(seed: str) -> str:
    return "case_" + hashlib.sha256(seed.encode()).hexdigest()[:24]


def file_report(
    book: CaseBook, event: IncidentReportedV1, nearby: Nearby, config: LinkingConfig
) -> Filing:
    report = _filed(event)
    if (known := book.filed.get(report.incident_id)) is not None:
        return Filing(book, report.incident_id, known, FiledHow.REPEATED, ("filed before",))
    named = _named_case(book, event)
    if named is not None:
        return _into(book, report, named, FiledHow.NAMED, ("the report names this case",))
    profiles = (case.profile() for case in book.cases.values())
    match = link(_profile(report), profiles, nearby, config)
    if match.verdict is LinkVerdict.SAME and match.key is not None:
        return _into(book, report, match.key, FiledHow.LINKED, match.reasons)
    case_id = case_id_for(report.incident_id)
    if match.verdict is LinkVerdict.POSSIBLE:
        filing = _into(book, report, case_id, FiledHow.POSSIBLE, match.reasons)
        return replace(filing, possible_case=match.key)
    return _into(book, report, case_id, FiledHow.NEW, match.reasons)


def move_report(book: CaseBook, incident_id: str, to_case: str | None, why: str) -> Filing:
    """Ops' hand: move a report into another open case, or (to_case None) into a case of its
    own. The case it leaves keeps its id and its other reports."""
    left = book.filed.get(incident_id)
    if left is None:
        raise KeyError(f"{incident_id} is not in an open case")
    if to_case is not None and to_case not in book.cases:
        raise KeyError(f"{to_case} is not an open case")
    report = next(r for r in book.cases[left].reports if r.incident_id == incident_id)
    rest = tuple(r for r in book.cases[left].reports if r.incident_id != incident_id)
    cases = dict(book.cases)
    if rest:
        cases[left] = OpenCase(case_id=left, reports=rest)
    else:
        del cases[left]
    target = to_case or case_id_for(f"{incident_id}/unlinked-from/{left}")
    moved = _into(CaseBook(cases=cases, filed=book.filed), report, target, FiledHow.BY_HAND, (why,))
    return replace(moved, left_case=left)


def expire(book: CaseBook, now: datetime, config: LinkingConfig) -> CaseBook:
    """Cases with no report within the linking window leave the book: linking cannot reach
    them any more, and a report naming one opens a new case."""
    horizon = now - timedelta(hours=config.window_hours)
    cases = {
        cid: case
        for cid, case in book.cases.items()
        if max(r.received_at for r in case.reports) >= horizon
    }
    return CaseBook(cases=cases, filed={i: c for i, c in book.filed.items() if c in cases})


def _named_case(book: CaseBook, event: IncidentReportedV1) -> str | None:
    refers = event.incident.refers_to
    if refers is None:
        return None
    if isinstance(refers, CaseReference):
        return refers.case_id if refers.case_id in book.cases else None
    wanted = f"{refers.sender or event.sender}/{refers.identifier}"
    return next(
        (c.case_id for c in book.cases.values() if any(r.reference == wanted for r in c.reports)),
        None,
    )


def _into(
    book: CaseBook, report: FiledReport, case_id: str, how: FiledHow, why: tuple[str, ...]
) -> Filing:
    existing = book.cases.get(case_id)
    reports = (*existing.reports, report) if existing else (report,)
    new_book = CaseBook(
        cases={**book.cases, case_id: OpenCase(case_id=case_id, reports=reports)},
        filed={**book.filed, report.incident_id: case_id},
    )
    return Filing(new_book, report.incident_id, case_id, how, why)


def _filed(event: IncidentReportedV1) -> FiledReport:
    incident, child = event.incident, event.incident.child
    return FiledReport(
        incident_id=event.incident_id,
        reference=f"{event.sender}/{incident.identifier}",
        received_at=event.received_at,
        unit=incident.area.geocode,
        category=incident.category,
        drill=incident.status is not Status.ACTUAL,
        sex=child.sex,
        age_band=child.age_band,
        age=child.age,
        school_id=child.school_id,
    )


def _profile(report: FiledReport) -> CaseProfile:
    return OpenCase(case_id=report.incident_id, reports=(report,)).profile()
