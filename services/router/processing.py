"""One incidents-topic record in, the alert requests (or a dead letter) out. Pure: the faust
agent decodes nothing and decides nothing itself, it only moves bytes and state."""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from pydantic import BaseModel

from contracts import cloudevents, events
from contracts.alert import AlertRequestedV1, RequestKind
from contracts.deadletter import DeadLetter
from contracts.incident import IncidentReportedV1
from services.router.directory import Directory
from services.router.routing import TriageKind, route, to_alert_request, triage
from services.router.rules import RuleSet

__all__ = ["Routed", "RoutedState", "process"]


class RoutedState(BaseModel):
    """What the router remembers per incident: which agencies it alerted, about which facts."""

    agencies: list[str]
    facts: str


@dataclass(frozen=True)
class Routed:
    requests: list[AlertRequestedV1]
    state: RoutedState
    duplicate: bool = False
    triage: tuple[TriageKind, ...] = ()  # what the duty desk was told to sort out
    source: str = ""  # the reporting system, for counting triage by source


def process(
    headers: cloudevents.Headers,
    value: bytes | None,
    previous: RoutedState | None,
    directory: Directory,
    rules: RuleSet,
    now: datetime,
) -> Routed | DeadLetter:
    try:
        incident = events.decode(headers, value).data
    except events.Refused as refusal:
        return DeadLetter(refusal.reason.value, str(refusal), refusal.details)
    if not isinstance(incident, IncidentReportedV1):
        return DeadLetter(
            events.RefusalReason.UNEXPECTED_TYPE.value, f"unexpected {type(incident).__name__}"
        )
    decisions = route(incident, directory, rules, now)
    requests = [
        to_alert_request(decision, incident, directory, now, RequestKind.NEW)
        for decision in decisions
    ]
    routed = _against_previous(requests, previous)
    if previous is not None:
        return routed  # counted when first routed
    kinds = tuple(triage(incident.incident, directory))
    return replace(routed, triage=kinds, source=incident.sender)


def _against_previous(requests: list[AlertRequestedV1], previous: RoutedState | None) -> Routed:
    """A report seen before alerts nobody twice: known agencies get an update when the facts
    changed and nothing when they did not; agencies new to the incident get a new alert."""
    facts = _facts_digest(requests)
    agencies = [request.agency_id for request in requests]
    if previous is None:
        return Routed(requests, RoutedState(agencies=agencies, facts=facts))
    known = set(previous.agencies)
    changed = facts != previous.facts
    outgoing = [
        request.model_copy(update={"kind": RequestKind.UPDATE})
        if request.agency_id in known
        else request
        for request in requests
        if changed or request.agency_id not in known
    ]
    merged = previous.agencies + [a for a in agencies if a not in known]
    return Routed(outgoing, RoutedState(agencies=merged, facts=facts), duplicate=not outgoing)


def _facts_digest(requests: list[AlertRequestedV1]) -> str:
    if not requests:
        return ""
    return hashlib.sha256(requests[0].facts.model_dump_json().encode()).hexdigest()
