"""The case shortens a rule's deadline; the shortest limit wins and says why."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts.incident import Category, IncidentV1, Severity, Urgency
from services.router.deadlines import case_deadline
from services.router.rules import CaseLimits

LIMITS = CaseLimits.model_validate(
    {
        "severity": {"Extreme": "15m", "Severe": "1h"},
        "urgency": {"Immediate": "30m"},
        "category": {"drowning": "15m"},
        "immediate_danger": "15m",
    }
)


def incident(**facts: object) -> IncidentV1:
    body: dict[str, object] = {
        "identifier": "T-1",
        "sent": "2026-11-29T08:15:00+07:00",
        "category": "school_dropout",
        "severity": "Moderate",
        "urgency": "Expected",
        "certainty": "Likely",
        "area": {"geocode": "03127"},
    }
    return IncidentV1.model_validate(body | facts)


def test_a_routine_case_keeps_its_rules_deadline() -> None:
    choice = case_deadline(timedelta(hours=24), "school-dropout", incident(), LIMITS)
    assert choice.deadline == timedelta(hours=24)
    assert choice.reason == "rule school-dropout: 24h"


def test_the_most_extreme_severity_gets_the_shortest_tier() -> None:
    drowning = incident(category="drowning", severity="Extreme", urgency="Immediate")
    choice = case_deadline(timedelta(minutes=30), "accident", drowning, LIMITS)
    assert choice.deadline == timedelta(minutes=15)
    assert choice.reason == "severity Extreme: 15m (rule accident: 30m)"


def test_immediate_danger_shortens_and_says_so() -> None:
    danger = incident(flags={"immediate_danger": True})
    choice = case_deadline(timedelta(hours=4), "child-labour", danger, LIMITS)
    assert (choice.deadline, choice.reason) == (
        timedelta(minutes=15),
        "immediate danger: 15m (rule child-labour: 4h)",
    )


def test_a_limit_never_lengthens_a_rule() -> None:
    choice = case_deadline(timedelta(minutes=10), "r", incident(severity="Severe"), LIMITS)
    assert choice.deadline == timedelta(minutes=10)


@given(
    st.sampled_from(list(Severity)),
    st.sampled_from(list(Urgency)),
    st.sampled_from(list(Category)),
    st.booleans(),
    st.integers(1, 48 * 60),
)
def test_the_deadline_is_the_shortest_applicable_limit(
    severity: Severity, urgency: Urgency, category: Category, danger: bool, minutes: int
) -> None:
    case = incident(
        severity=severity.value,
        urgency=urgency.value,
        category=category.value,
        flags={"immediate_danger": danger},
    )
    rule = timedelta(minutes=minutes)
    limits = [
        LIMITS.severity.get(severity),
        LIMITS.urgency.get(urgency),
        LIMITS.category.get(category),
        LIMITS.immediate_danger if danger else None,
    ]
    expected = min([rule, *(limit for limit in limits if limit is not None)])
    assert case_deadline(rule, "r", case, LIMITS).deadline == expected
