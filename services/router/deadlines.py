"""How soon an agency must acknowledge: the matched rule's deadline, shortened by the case.

A rule says how soon its category needs an answer; the case itself can make that sooner (an
extreme severity, an immediate danger, an immediate urgency, a category such as drowning).
The shortest applicable limit wins, and the choice says which one it was. Pure."""

from dataclasses import dataclass
from datetime import timedelta

from contracts.incident import IncidentV1
from services.router.rules import CaseLimits, format_duration

__all__ = ["DeadlineChoice", "case_deadline"]


@dataclass(frozen=True)
class DeadlineChoice:
    deadline: timedelta
    reason: str  # e.g. "rule sexual-abuse: 15m" or "severity Extreme: 15m (rule online-abuse: 30m)"


def case_deadline(
    rule_deadline: timedelta, rule_name: str, incident: IncidentV1, limits: CaseLimits
) -> DeadlineChoice:
    by_rule = f"rule {rule_name}: {format_duration(rule_deadline)}"
    applicable = [
        (limit, f"{label}: {format_duration(limit)}")
        for limit, label in _limits(incident, limits)
        if limit < rule_deadline
    ]
    if not applicable:
        return DeadlineChoice(rule_deadline, by_rule)
    limit, reason = min(applicable, key=lambda pair: pair[0])
    return DeadlineChoice(limit, f"{reason} ({by_rule})")


def _limits(incident: IncidentV1, limits: CaseLimits) -> list[tuple[timedelta, str]]:
    found = [
        (limits.severity.get(incident.severity), f"severity {incident.severity.value}"),
        (limits.urgency.get(incident.urgency), f"urgency {incident.urgency.value}"),
        (limits.category.get(incident.category), f"category {incident.category.value}"),
    ]
    if incident.flags.immediate_danger:
        found.append((limits.immediate_danger, "immediate danger"))
    return [(limit, label) for limit, label in found if limit is not None]
