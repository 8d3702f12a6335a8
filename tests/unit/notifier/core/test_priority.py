"""Priority of a message and the ready-queue: most urgent ready message first, oldest first
within a class, drills below actual incidents, and ageing bounding how long one waits."""

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts.alert import AlertFacts
from contracts.dispatch import MessageKind
from contracts.incident import Category, Certainty, Severity, Status, Urgency
from services.notifier.core.priority import (
    MessageFacts,
    Priority,
    PriorityPolicy,
    Queued,
    ReadyQueue,
)

POLICY = PriorityPolicy()
ROUTINE = MessageFacts(
    MessageKind.FIRST_ALERT,
    Severity.MODERATE,
    Urgency.EXPECTED,
    immediate_danger=False,
    drill=False,
)

facts = st.builds(
    MessageFacts,
    kind=st.sampled_from(MessageKind),
    severity=st.sampled_from(Severity),
    urgency=st.sampled_from(Urgency),
    immediate_danger=st.booleans(),
    drill=st.booleans(),
)
policies = st.builds(
    PriorityPolicy,
    drills=st.sampled_from(["below_all_actual", "below_class"]),
    promote_every_seconds=st.one_of(st.none(), st.floats(1.0, 100.0)),
    age_up_to=st.sampled_from(PriorityPolicy().classes),
)


def alert(status: Status = Status.ACTUAL, **changes: object) -> AlertFacts:
    values: dict[str, object] = {
        "reference": "SG-6F1C0A8E",
        "status": status,
        "category": Category.NEGLECT,
        "severity": Severity.MODERATE,
        "urgency": Urgency.EXPECTED,
        "certainty": Certainty.LIKELY,
        "geocode": "03127",
        "unit_name": "Thanh Yên",
        "immediate_danger": False,
        "needs_shelter": False,
    }
    return AlertFacts.model_validate({**values, **changes})


def of(message: MessageFacts, **changes: object) -> Priority:
    return POLICY.priority_of(MessageFacts(**{**message.__dict__, **changes}))


def test_the_class_comes_from_the_alert_and_from_what_the_message_is() -> None:
    extreme = MessageFacts.of(alert(severity=Severity.EXTREME), MessageKind.FIRST_ALERT)
    danger = MessageFacts.of(alert(immediate_danger=True), MessageKind.ESCALATION)
    severe = MessageFacts.of(alert(severity=Severity.SEVERE), MessageKind.FIRST_ALERT)
    immediate = MessageFacts.of(alert(urgency=Urgency.IMMEDIATE), MessageKind.FIRST_ALERT)
    assert [POLICY.priority_of(m).priority_class for m in (extreme, danger, severe, immediate)] == [
        "critical",
        "critical",
        "urgent",
        "urgent",
    ]
    assert POLICY.priority_of(ROUTINE).priority_class == "routine"
    assert of(ROUTINE, kind=MessageKind.UPDATE).priority_class == "update"


@pytest.mark.parametrize(
    "kind", [MessageKind.ESCALATION, MessageKind.EXPIRY_NOTICE, MessageKind.DEADLINE_CALL]
)
def test_escalation_expiry_and_deadline_call_outrank_a_first_routine_alert(
    kind: MessageKind,
) -> None:
    assert of(ROUTINE, kind=kind) < POLICY.priority_of(ROUTINE)
    assert of(ROUTINE, kind=kind).priority_class == "escalation"


def test_an_exercise_is_a_drill() -> None:
    drill = MessageFacts.of(alert(Status.EXERCISE), MessageKind.FIRST_ALERT)
    assert drill.drill
    assert not MessageFacts.of(alert(), MessageKind.FIRST_ALERT).drill


@given(facts, policies)
def test_a_drill_ranks_below_every_actual_message_of_its_class(
    message: MessageFacts, policy: PriorityPolicy
) -> None:
    actual = policy.priority_of(MessageFacts(**{**message.__dict__, "drill": False}))
    drill = policy.priority_of(MessageFacts(**{**message.__dict__, "drill": True}))
    assert actual.priority_class == drill.priority_class
    assert actual < drill


@given(facts, facts)
def test_by_default_every_drill_ranks_below_every_actual_message(
    first: MessageFacts, second: MessageFacts
) -> None:
    drill = MessageFacts(**{**first.__dict__, "drill": True})
    actual = MessageFacts(**{**second.__dict__, "drill": False})
    assert POLICY.priority_of(actual) < POLICY.priority_of(drill)


def test_classes_and_rules_are_configuration() -> None:
    policy = PriorityPolicy.parse(
        {
            "classes": ["calls", "everything"],
            "rules": [{"priority_class": "calls", "kinds": ["deadline_call"]}],
            "default_class": "everything",
            "drills": "below_class",
            "age_up_to": "calls",
        }
    )
    call = MessageFacts(**{**ROUTINE.__dict__, "kind": MessageKind.DEADLINE_CALL})
    drill_call = MessageFacts(**{**call.__dict__, "drill": True})
    assert policy.priority_of(call) == Priority(0, "calls", drill=False)
    assert policy.priority_of(drill_call) == Priority(1, "calls", drill=True)
    assert policy.priority_of(ROUTINE) == Priority(2, "everything", drill=False)


@pytest.mark.parametrize(
    "raw",
    [
        {"classes": ["a"], "default_class": "b", "rules": []},
        {"classes": ["a", "a"], "default_class": "a", "rules": []},
        {"classes": ["a"], "default_class": "a", "rules": [{"priority_class": "z"}]},
        {"classes": [], "default_class": "a", "rules": []},
        {"promote_every_seconds": 0},
        {"colour": "red"},
    ],
)
def test_a_bad_policy_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PriorityPolicy.parse(raw)


def test_switched_off_every_message_is_first_in_first_out() -> None:
    off = PriorityPolicy(enabled=False)
    extreme = MessageFacts.of(alert(severity=Severity.EXTREME), MessageKind.FIRST_ALERT)
    queue: ReadyQueue[str] = ReadyQueue(off)
    queue.push("routine", off.priority_of(ROUTINE), queued_at=0.0)
    queue.push("extreme", off.priority_of(extreme), queued_at=1.0)
    assert [entry.item for entry in drain(queue, now=2.0)] == ["routine", "extreme"]


def drain(queue: ReadyQueue[str], now: float) -> list[Queued[str]]:
    popped = []
    while (entry := queue.pop(now)) is not None:
        popped.append(entry)
    return popped


def test_the_most_urgent_ready_message_goes_first_and_oldest_first_within_a_class() -> None:
    queue: ReadyQueue[str] = ReadyQueue(POLICY)
    extreme = MessageFacts.of(alert(severity=Severity.EXTREME), MessageKind.FIRST_ALERT)
    queue.push("routine-1", POLICY.priority_of(ROUTINE), queued_at=0.0)
    queue.push("routine-2", POLICY.priority_of(ROUTINE), queued_at=1.0)
    queue.push("drill", of(ROUTINE, severity=Severity.EXTREME, drill=True), queued_at=0.5)
    queue.push("extreme", POLICY.priority_of(extreme), queued_at=2.0)
    assert [entry.item for entry in drain(queue, now=3.0)] == [
        "extreme",
        "routine-1",
        "routine-2",
        "drill",
    ]


def test_a_message_is_not_yielded_before_its_next_attempt_time() -> None:
    queue: ReadyQueue[str] = ReadyQueue(POLICY)
    extreme = MessageFacts.of(alert(severity=Severity.EXTREME), MessageKind.FIRST_ALERT)
    queue.push("retry", POLICY.priority_of(extreme), queued_at=0.0, not_before=10.0)
    queue.push("routine", POLICY.priority_of(ROUTINE), queued_at=1.0)
    assert queue.next_ready_at() == 1.0
    assert [entry.item for entry in drain(queue, now=5.0)] == ["routine"]
    assert queue.pop(9.9) is None
    assert queue.next_ready_at() == 10.0
    assert len(queue) == 1
    assert [entry.item for entry in drain(queue, now=10.0)] == ["retry"]
    assert queue.next_ready_at() is None
    assert len(queue) == 0


def test_a_routine_message_that_waited_long_enough_goes_before_newer_escalations() -> None:
    policy = PriorityPolicy(promote_every_seconds=10.0)  # ages up to the escalation class
    queue: ReadyQueue[str] = ReadyQueue(policy)
    escalation = of(ROUTINE, kind=MessageKind.ESCALATION)
    queue.push("routine", policy.priority_of(ROUTINE), queued_at=0.0)  # rank 3
    queue.push("escalation-early", escalation, queued_at=5.0)  # rank 1
    queue.push("escalation-late", escalation, queued_at=25.0)
    # At 15 s it has risen one rank (to 2): the escalation still goes first.
    assert queue.pop(15.0).item == "escalation-early"  # type: ignore[union-attr]
    # At 25 s it has reached the escalation rank and is older than every message there.
    assert [entry.item for entry in drain(queue, now=25.0)] == ["routine", "escalation-late"]


def test_ageing_never_lifts_a_message_above_its_ceiling() -> None:
    policy = PriorityPolicy(promote_every_seconds=1.0)
    queue: ReadyQueue[str] = ReadyQueue(policy)
    queue.push("ancient drill", of(ROUTINE, kind=MessageKind.UPDATE, drill=True), queued_at=0.0)
    queue.push("ancient routine", policy.priority_of(ROUTINE), queued_at=0.0)
    queue.push("critical", of(ROUTINE, immediate_danger=True), queued_at=1_000.0)
    assert queue.pop(1_000.0).item == "critical"  # type: ignore[union-attr]
    assert policy.effective_rank(policy.priority_of(ROUTINE).rank, 1e9) == 1


def test_a_policy_ages_up_to_a_class_it_has() -> None:
    with pytest.raises(ValidationError, match="escalation"):
        PriorityPolicy.parse({"classes": ["all"], "default_class": "all", "rules": []})
    policy = PriorityPolicy.parse({"age_up_to": "critical"})
    assert policy.effective_rank(policy.priority_of(ROUTINE).rank, 1e9) == 0


def test_depth_by_class_counts_every_queued_message() -> None:
    queue: ReadyQueue[str] = ReadyQueue(POLICY)
    queue.push("a", POLICY.priority_of(ROUTINE), queued_at=0.0)
    queue.push("b", POLICY.priority_of(ROUTINE), queued_at=0.0, not_before=100.0)
    queue.push("c", of(ROUTINE, kind=MessageKind.ESCALATION), queued_at=0.0)
    assert queue.depth_by_class() == {"routine": 2, "escalation": 1}


@dataclass(frozen=True)
class Push:
    facts: MessageFacts
    age: float  # queued this long before it was pushed (e.g. replayed after a restart)
    delay: float | None


@dataclass(frozen=True)
class Pop:
    advance: float


steps = st.lists(
    st.one_of(
        st.builds(Push, facts, st.floats(0.0, 50.0), st.one_of(st.none(), st.floats(0.0, 100.0))),
        st.builds(Pop, st.floats(0.0, 30.0)),
    ),
    max_size=60,
)


def run(
    policy: PriorityPolicy, script: list[Push | Pop]
) -> list[tuple[float, Queued[int], list[Queued[int]]]]:
    """Plays the script; returns each pop's time, what it yielded and what was ready then."""
    queue: ReadyQueue[int] = ReadyQueue(policy)
    held: list[Queued[int]] = []
    now, pops = 0.0, []
    for index, step in enumerate(script):
        if isinstance(step, Push):
            not_before = None if step.delay is None else now + step.delay
            held.append(
                queue.push(index, policy.priority_of(step.facts), now - step.age, not_before)
            )
            continue
        now += step.advance
        ready = [entry for entry in held if entry.ready_at <= now]
        popped = queue.pop(now)
        if popped is None:
            assert ready == []
            continue
        pops.append((now, popped, ready))
        held.remove(popped)
    return pops


@given(policies, steps)
def test_the_queue_never_yields_a_less_urgent_ready_message_before_a_more_urgent_one(
    policy: PriorityPolicy, script: list[Push | Pop]
) -> None:
    for now, popped, ready in run(policy, script):

        def order(entry: Queued[int]) -> tuple[int, float, int]:
            rank = policy.effective_rank(entry.priority.rank, now - entry.ready_at)
            return rank, entry.ready_at, entry.sequence

        assert popped in ready
        assert order(popped) == min(order(entry) for entry in ready)


@given(policies, steps)
def test_ageing_bounds_how_long_a_ready_message_is_passed_over(
    policy: PriorityPolicy, script: list[Push | Pop]
) -> None:
    step = policy.promote_every_seconds
    for now, popped, ready in run(policy, script):
        for waiting in ready:
            if step is None or waiting is popped:
                continue
            ceiling = policy.ageing_ceiling
            if now >= waiting.ready_at + (waiting.priority.rank - ceiling) * step:
                # Past its bound, only messages above the ageing ceiling or ready before it
                # may go first.
                popped_rank = policy.effective_rank(popped.priority.rank, now - popped.ready_at)
                earlier = (popped.ready_at, popped.sequence) < (waiting.ready_at, waiting.sequence)
                assert popped_rank < ceiling or earlier


def test_discard_removes_ready_and_waiting_messages_and_keeps_the_order() -> None:
    queue: ReadyQueue[str] = ReadyQueue(POLICY)
    routine = POLICY.priority_of(ROUTINE)
    for name, at in (("a", 0.0), ("b", 1.0), ("c", 2.0), ("later", 100.0)):
        queue.push(name, routine, at)
    assert queue.discard(lambda name: name in ("b", "later")) == 2
    popped = [queue.pop(200.0) for _ in range(3)]
    assert [entry.item if entry else None for entry in popped] == ["a", "c", None]
