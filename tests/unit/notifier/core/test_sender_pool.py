"""The sender pool: each sender's rate in segments, throttling slows and recovers, a full queue
or a failing sender moves the traffic to the others."""

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.notifier.core.sender_pool import (
    Grant,
    Outcome,
    PoolPolicy,
    SenderConfig,
    SenderPool,
    Wait,
    outcome_of,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def pool_of(*rates: float, **policy: object) -> tuple[SenderPool, FakeClock]:
    senders = [
        SenderConfig(sender=f"S{index}", segments_per_second=r) for index, r in enumerate(rates)
    ]
    clock = FakeClock()
    return SenderPool(PoolPolicy(senders=senders, **policy), clock), clock


def wait_of(answer: Grant | Wait) -> float:
    assert isinstance(answer, Wait), answer
    return answer.seconds


def test_a_three_segment_message_takes_three_slots() -> None:
    pool, clock = pool_of(1.0)
    assert pool.acquire(3) == Grant("S0", 3)
    assert wait_of(pool.acquire(1)) == pytest.approx(3.0)
    clock.now += 3.0
    assert pool.acquire(1) == Grant("S0", 1)


def test_traffic_spreads_over_the_senders_at_their_rates() -> None:
    pool, clock = pool_of(1.0, 2.0)
    assert {pool.acquire(1), pool.acquire(1)} == {Grant("S0", 1), Grant("S1", 1)}
    assert wait_of(pool.acquire(1)) == pytest.approx(0.5)  # S1 refills first
    clock.now += 0.5
    assert pool.acquire(1) == Grant("S1", 1)


def test_a_burst_is_allowed_up_to_its_size() -> None:
    clock = FakeClock()
    config = SenderConfig(sender="MG1", segments_per_second=10.0, burst_segments=5)
    pool = SenderPool(PoolPolicy(senders=[config]), clock)
    assert [pool.acquire(1) for _ in range(5)] == [Grant("MG1", 1)] * 5
    assert wait_of(pool.acquire(1)) == pytest.approx(0.1)


def test_throttling_halves_the_rate_then_it_recovers() -> None:
    pool, clock = pool_of(1.0)
    pool.acquire(1)
    pool.report("S0", Outcome.THROTTLED)
    [state] = pool.snapshot()
    assert (state.rate, state.configured_rate) == (0.5, 1.0)
    assert wait_of(pool.acquire(1)) == pytest.approx(2.0)  # the next slot at the new rate
    clock.now += 5.0
    assert pool.snapshot()[0].rate == pytest.approx(0.75)  # 5 % of 1/s regained per second
    clock.now += 100.0
    assert pool.snapshot()[0].rate == 1.0


def test_repeated_throttling_stops_at_the_floor() -> None:
    pool, _ = pool_of(10.0, min_rate_fraction=0.1)
    for _ in range(20):
        pool.report("S0", Outcome.THROTTLED)
    assert pool.snapshot()[0].rate == pytest.approx(1.0)


def test_a_full_queue_rests_the_sender_and_its_traffic_goes_to_the_others() -> None:
    pool, clock = pool_of(1.0, 1.0, queue_full_rest_seconds=60.0)
    pool.report("S0", Outcome.QUEUE_FULL)
    clock.now += 10.0
    assert pool.acquire(1) == Grant("S1", 1)
    assert wait_of(pool.acquire(1)) == pytest.approx(1.0)
    assert pool.snapshot()[0].resting_until == 1060.0
    clock.now += 50.0
    assert pool.acquire(1) == Grant("S0", 1)


def test_a_sender_that_keeps_failing_is_rested_and_one_success_clears_it() -> None:
    pool, clock = pool_of(1.0, 1.0, failures_before_rest=3, failure_rest_seconds=30.0)
    for _ in range(2):
        pool.report("S0", Outcome.FAILED)
    pool.report("S0", Outcome.OK)
    for _ in range(2):
        pool.report("S0", Outcome.FAILED)
    assert pool.snapshot()[0].resting_until is None
    pool.report("S0", Outcome.FAILED)
    assert pool.snapshot()[0].resting_until == 1030.0
    assert pool.acquire(1) == Grant("S1", 1)
    clock.now += 30.0
    pool.report("S0", Outcome.FAILED)  # back from its rest, failing again: rested again
    assert pool.snapshot()[0].resting_until == 1060.0


def test_when_every_sender_rests_the_wait_ends_with_the_first_rest() -> None:
    pool, _ = pool_of(1.0, 1.0, queue_full_rest_seconds=60.0, failure_rest_seconds=20.0)
    pool.report("S0", Outcome.QUEUE_FULL)
    for _ in range(3):
        pool.report("S1", Outcome.FAILED)
    assert wait_of(pool.acquire(1)) == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (429, 20429, Outcome.THROTTLED),
        (429, None, Outcome.THROTTLED),
        (400, 21611, Outcome.QUEUE_FULL),
        (None, 30001, Outcome.QUEUE_FULL),  # a status callback's ErrorCode
        (503, 20503, Outcome.FAILED),
        (None, None, Outcome.FAILED),  # no answer
        (400, 21211, Outcome.OK),  # the recipient's number, not the sender
        (201, None, Outcome.OK),
    ],
)
def test_gateway_answers_are_read_as_outcomes_for_the_sender(
    status: int | None, code: int | None, outcome: Outcome
) -> None:
    assert outcome_of(status, code) is outcome


@pytest.mark.parametrize(
    "raw",
    [
        {"senders": []},
        {"senders": [{"sender": "A", "segments_per_second": 1}] * 2},
        {"senders": [{"sender": "A", "segments_per_second": 0}]},
        {"senders": [{"sender": "A", "segments_per_second": 1}], "throttle_factor": 1.0},
    ],
)
def test_a_bad_pool_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PoolPolicy.parse(raw)


def test_the_choice_can_be_limited_to_some_senders() -> None:
    pool, _ = pool_of(1.0, 1.0, 1.0)
    assert pool.acquire(1, among={"S2"}) == Grant("S2", 1)
    assert wait_of(pool.acquire(1, among={"S2"})) == pytest.approx(1.0)
    assert pool.acquire(1, among={"S1", "S2"}) == Grant("S1", 1)
    with pytest.raises(ValueError, match="pool"):
        pool.acquire(1, among={"elsewhere"})


def test_a_message_has_at_least_one_segment() -> None:
    pool, _ = pool_of(1.0)
    with pytest.raises(ValueError, match="segment"):
        pool.acquire(0)


@dataclass(frozen=True)
class Step:
    advance: float
    segments: int
    outcome: Outcome


senders = st.lists(
    st.builds(
        SenderConfig,
        sender=st.just("x"),
        segments_per_second=st.floats(0.2, 50.0),
        burst_segments=st.integers(1, 5),
    ),
    min_size=1,
    max_size=3,
)
scripts = st.lists(
    st.builds(Step, st.floats(0.0, 2.0), st.integers(1, 4), st.sampled_from(Outcome)),
    max_size=80,
)


@given(senders, scripts)
def test_a_sender_never_exceeds_its_rate_over_any_window(
    configs: list[SenderConfig], script: list[Step]
) -> None:
    configs = [config.model_copy(update={"sender": f"S{i}"}) for i, config in enumerate(configs)]
    clock = FakeClock()
    pool = SenderPool(PoolPolicy(senders=configs), clock)
    grants: dict[str, list[tuple[float, int]]] = {config.sender: [] for config in configs}
    for step in script:
        clock.now += step.advance
        answer = pool.acquire(step.segments)
        if isinstance(answer, Grant):
            grants[answer.sender].append((clock.now, answer.segments))
            pool.report(answer.sender, step.outcome)
        else:
            assert answer.seconds > 0
    for config in configs:
        taken = grants[config.sender]
        allowance = max([config.burst_segments] + [segments for _, segments in taken])
        for (start, _), (end, _) in itertools.combinations(taken, 2):
            in_window = sum(segments for moment, segments in taken if start <= moment <= end)
            assert in_window <= allowance + config.segments_per_second * (end - start) + 1e-6


@given(senders, st.integers(1, 4))
def test_a_wait_is_exactly_long_enough(configs: list[SenderConfig], segments: int) -> None:
    configs = [config.model_copy(update={"sender": f"S{i}"}) for i, config in enumerate(configs)]
    clock = FakeClock()
    pool = SenderPool(PoolPolicy(senders=configs), clock)
    while isinstance(pool.acquire(segments), Grant):
        pass
    wait = pool.acquire(segments)
    assert isinstance(wait, Wait)
    clock.now += wait.seconds * 0.999
    assert isinstance(pool.acquire(segments), Wait)
    clock.now += wait.seconds * 0.002
    assert isinstance(pool.acquire(segments), Grant)
