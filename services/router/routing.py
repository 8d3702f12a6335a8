"""Which agencies must act on an incident, and the alert request for each. Pure: the same
event, directory, rules and clock always give the same decisions and requests."""

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from contracts.alert import AlertFacts, AlertRequestedV1, RequestKind
from contracts.incident import IncidentReportedV1, IncidentV1
from services.router.deadlines import case_deadline
from services.router.directory import Agency, AgencyKind, Directory
from services.router.rules import Route, RuleSet, Selector, Target

__all__ = [
    "ALERT_ID_NAMESPACE",
    "Decision",
    "Match",
    "TriageKind",
    "alert_id",
    "matches",
    "place_reason",
    "route",
    "to_alert_request",
    "triage",
    "triage_reasons",
]

ALERT_ID_NAMESPACE = uuid.UUID("a430b9f9-9e1b-472b-b6c7-2a78cf3dd474")


@dataclass(frozen=True)
class Decision:
    agency_id: str
    agency_kind: str
    rule_path: tuple[str, ...]  # route names, root first
    rules_version: str
    fallback: bool
    ack_deadline: datetime
    place_reason: str | None = None  # how a geocode that is not an official code was read
    deadline_reason: str | None = None  # which limit set the deadline: the rule's or the case's


@dataclass(frozen=True)
class Match:
    """A route whose own targets apply to the incident."""

    path: tuple[str, ...]
    targets: tuple[Target, ...]
    deadline: timedelta

    @property
    def is_default(self) -> bool:
        return len(self.path) == 1


def route(
    event: IncidentReportedV1, directory: Directory, rules: RuleSet, now: datetime
) -> list[Decision]:
    """One decision per agency, in rule order; never empty (the duty desk is the fallback).

    A pre-2025 code is routed as the official units that absorbed it, all of them when it was
    split; an unknown code reaches the duty desk too, since no local agency can cover it."""
    incident = event.incident
    found = matches(incident, directory, rules)
    decisions: dict[str, Decision] = {}
    for match in found:
        for target in match.targets:
            for agency in _resolve(target, incident, directory):
                _keep(decisions, _decide(agency, match, incident, rules, now))
    if triage(incident, directory):
        decisions.setdefault(
            directory.duty_desk.id, _fallback(found, incident, directory, rules, now)
        )
    if not decisions:
        return [_fallback(found, incident, directory, rules, now)]
    reason = "; ".join(triage_reasons(incident, directory)) or None
    return [replace(decision, place_reason=reason) for decision in decisions.values()]


def triage_reasons(incident: IncidentV1, directory: Directory) -> list[str]:
    """How the place and the school were read, when either is not simply known: what the
    alert requests carry and what intake's 202 warns the source of."""
    reasons = [place_reason(incident.area.geocode, directory), _school_reason(incident, directory)]
    return [reason for reason in reasons if reason]


class TriageKind(StrEnum):
    """What the source sent that no local agency can act on: the duty desk sorts it out."""

    UNKNOWN_UNIT = "unknown_unit"
    UNKNOWN_SCHOOL = "unknown_school"


def triage(incident: IncidentV1, directory: Directory) -> list[TriageKind]:
    found = []
    if not directory.official_units(incident.area.geocode):
        found.append(TriageKind.UNKNOWN_UNIT)
    if _school_reason(incident, directory):
        found.append(TriageKind.UNKNOWN_SCHOOL)
    return found


def _school_reason(incident: IncidentV1, directory: Directory) -> str | None:
    school_id = incident.child.school_id
    if school_id is None or school_id in directory.schools:
        return None
    return (
        f"unknown school id {school_id}: the child's school cannot be told, the duty desk finds it"
    )


def place_reason(geocode: str, directory: Directory) -> str | None:
    """Why the place was read as it was, when the geocode is not an official unit code."""
    if geocode in directory.units:
        return None
    legacy = directory.legacy_area(geocode)
    if legacy is None:
        return f"unknown unit code {geocode}: no local agency covers it, the duty desk sorts it"
    listed = ", ".join(legacy.units)
    if legacy.district is None:
        return (
            f"pre-2025 district code {geocode} ({legacy.name_vi}) is now "
            f"{len(legacy.units)} units, all covered: {listed}"
        )
    old = f"pre-2025 code {geocode} ({legacy.name_vi}, {legacy.district})"
    if legacy.split:
        return f"{old} was split between {len(legacy.units)} units, all covered: {listed}"
    return f"{old} is now {listed} {directory.unit_name(geocode)}"


def matches(incident: IncidentV1, directory: Directory, rules: RuleSet) -> list[Match]:
    """The routes whose own targets apply, depth-first in rule order."""
    root = rules.route
    assert root.ack_deadline is not None, "load_rules checks the root has a deadline"
    return _walk(root, incident, directory, (), root.ack_deadline)


def _walk(
    node: Route,
    incident: IncidentV1,
    directory: Directory,
    parent_path: tuple[str, ...],
    parent_deadline: timedelta,
) -> list[Match]:
    path = (*parent_path, node.name)
    deadline = node.ack_deadline or parent_deadline
    found: list[Match] = []
    settled = False
    for child in node.routes:
        if child.match.matches(incident, directory):
            found += _walk(child, incident, directory, path, deadline)
            if not child.continue_:
                settled = True
                break
    if not settled and node.targets:
        found.append(Match(path, node.targets, deadline))
    return found


def _resolve(target: Target, incident: IncidentV1, directory: Directory) -> list[Agency]:
    geocode = incident.area.geocode
    if target.selector is Selector.CHILD_SCHOOL:
        return _child_school(incident, directory)
    if target.selector is Selector.NEAREST_SHELTER:
        return _nearest_shelter(incident, directory)
    if target.selector is Selector.AGENCY:
        agency = directory.agencies.get(target.value)
        return [agency] if agency and directory.covers(agency, geocode) else []
    return [a for a in directory.of_kind(target.kind) if directory.covers(a, geocode)]


def _child_school(incident: IncidentV1, directory: Directory) -> list[Agency]:
    """The child's own school, wherever the incident happened."""
    school_id = incident.child.school_id
    school = directory.schools.get(school_id) if school_id else None
    return [directory.agencies[school.agency]] if school else []


def _nearest_shelter(incident: IncidentV1, directory: Directory) -> list[Agency]:
    if not incident.flags.needs_shelter:
        return []
    geocode = incident.area.geocode
    shelters = [
        agency
        for agency in directory.of_kind(AgencyKind.SHELTER)
        if agency.shelter and agency.shelter.takes_children and directory.covers(agency, geocode)
    ]

    def nearness(agency: Agency) -> tuple[bool, float, str]:
        assert agency.shelter is not None
        distance = directory.distance_km(geocode, agency.shelter.unit)
        same_unit = agency.shelter.unit in directory.official_units(geocode)
        return (not same_unit, float("inf") if distance is None else distance, agency.id)

    return sorted(shelters, key=nearness)[:1]


def _decide(
    agency: Agency, match: Match, incident: IncidentV1, rules: RuleSet, now: datetime
) -> Decision:
    choice = case_deadline(match.deadline, match.path[-1], incident, rules.deadlines)
    return Decision(
        agency_id=agency.id,
        agency_kind=agency.kind.value,
        rule_path=match.path,
        rules_version=rules.version,
        fallback=match.is_default,
        ack_deadline=now + choice.deadline,
        deadline_reason=choice.reason,
    )


def _keep(decisions: dict[str, Decision], new: Decision) -> None:
    """The first rule to pick an agency names it; the shortest deadline wins, with its reason."""
    old = decisions.get(new.agency_id)
    if old is None:
        decisions[new.agency_id] = new
    elif new.ack_deadline < old.ack_deadline:
        decisions[new.agency_id] = replace(
            old, ack_deadline=new.ack_deadline, deadline_reason=new.deadline_reason
        )


def _fallback(
    found: list[Match], incident: IncidentV1, directory: Directory, rules: RuleSet, now: datetime
) -> Decision:
    """No rule found an agency (say, none covers the commune): the duty desk takes it, on
    the first matched rule's path and the most urgent matched deadline."""
    desk = directory.duty_desk
    assert rules.route.ack_deadline is not None
    most_urgent = min(found, key=lambda match: match.deadline, default=None)
    path = found[0].path if found else (rules.route.name,)
    deadline = most_urgent.deadline if most_urgent else rules.route.ack_deadline
    by = most_urgent.path[-1] if most_urgent else rules.route.name
    choice = case_deadline(deadline, by, incident, rules.deadlines)
    return Decision(
        agency_id=desk.id,
        agency_kind=desk.kind.value,
        rule_path=path,
        rules_version=rules.version,
        fallback=True,
        ack_deadline=now + choice.deadline,
        deadline_reason=choice.reason,
    )


def alert_id(incident_id: str, agency_id: str) -> str:
    return "alr_" + uuid.uuid5(ALERT_ID_NAMESPACE, f"{incident_id}/{agency_id}").hex


def to_alert_request(
    decision: Decision,
    event: IncidentReportedV1,
    directory: Directory,
    now: datetime,
    kind: RequestKind,
) -> AlertRequestedV1:
    """The alert request for one decision: operational facts only, nothing personal."""
    return AlertRequestedV1(
        alert_id=alert_id(event.incident_id, decision.agency_id),
        incident_id=event.incident_id,
        kind=kind,
        agency_id=decision.agency_id,
        agency_kind=decision.agency_kind,
        rule_path=list(decision.rule_path),
        rules_version=decision.rules_version,
        fallback=decision.fallback,
        ack_deadline=decision.ack_deadline,
        place_reason=decision.place_reason,
        deadline_reason=decision.deadline_reason,
        requested_at=now,
        facts=_facts(event, directory),
    )


def _facts(event: IncidentReportedV1, directory: Directory) -> AlertFacts:
    incident = event.incident
    return AlertFacts(
        reference="SG-" + event.incident_id.removeprefix("inc_")[:8].upper(),
        status=incident.status,
        category=incident.category,
        severity=incident.severity,
        urgency=incident.urgency,
        certainty=incident.certainty,
        geocode=incident.area.geocode,
        unit_name=directory.unit_name(incident.area.geocode),
        child_age=incident.child.age,
        child_age_band=incident.child.age_band,
        immediate_danger=incident.flags.immediate_danger,
        needs_shelter=incident.flags.needs_shelter,
    )
