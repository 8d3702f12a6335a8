"""A recoverable failure yields a next-attempt time: backoff with jitter, bounded, seeded."""

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.notifier.core.retry_schedule import GiveUp, RetryAt, RetryPolicy, next_attempt

FAILED_AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
policies = st.builds(
    RetryPolicy,
    first_delay_seconds=st.floats(0.1, 10.0),
    multiplier=st.floats(1.0, 4.0),
    max_delay_seconds=st.floats(1.0, 1000.0),
    jitter=st.floats(0.0, 1.0),
    max_attempts=st.integers(1, 20),
)


def delay_of(answer: RetryAt | GiveUp) -> float:
    assert isinstance(answer, RetryAt)
    return (answer.at - FAILED_AT).total_seconds()


def test_without_jitter_the_delays_double_up_to_the_cap_then_it_gives_up() -> None:
    policy = RetryPolicy(first_delay_seconds=2, max_delay_seconds=20, jitter=0, max_attempts=6)
    rng = random.Random(1)
    answers = [next_attempt(policy, made, FAILED_AT, rng) for made in range(1, 7)]
    assert [delay_of(answer) for answer in answers[:-1]] == pytest.approx([2, 4, 8, 16, 20])
    assert [answer.attempt for answer in answers[:-1]] == [2, 3, 4, 5, 6]  # type: ignore[union-attr]
    assert answers[-1] == GiveUp(6)


def test_the_gateways_retry_after_is_respected() -> None:
    answer = next_attempt(RetryPolicy(jitter=0), 1, FAILED_AT, random.Random(1), 30.0)
    assert delay_of(answer) == 30.0


def test_the_same_seed_gives_the_same_schedule() -> None:
    def schedule(seed: int) -> list[RetryAt | GiveUp]:
        rng = random.Random(seed)
        return [next_attempt(RetryPolicy(), made, FAILED_AT, rng) for made in range(1, 9)]

    assert schedule(7) == schedule(7) != schedule(8)


@given(policies, st.integers(1, 30), st.integers(0, 2**32))
def test_a_delay_stays_within_its_jitter_below_the_cap(
    policy: RetryPolicy, made: int, seed: int
) -> None:
    answer = next_attempt(policy, made, FAILED_AT, random.Random(seed))
    if made >= policy.max_attempts:
        assert answer == GiveUp(made)
        return
    cap = policy.delay_cap(made)
    assert cap * (1 - policy.jitter) - 1e-6 <= delay_of(answer) <= cap + 1e-6
    assert cap <= policy.max_delay_seconds
    assert policy.delay_cap(made + 1) >= cap


def test_a_retry_follows_an_attempt() -> None:
    with pytest.raises(ValueError, match="attempt"):
        next_attempt(RetryPolicy(), 0, FAILED_AT, random.Random(1))


@pytest.mark.parametrize("raw", [{"first_delay_seconds": 0}, {"jitter": 1.5}, {"max_attempts": 0}])
def test_a_bad_policy_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RetryPolicy.parse(raw)


def test_a_huge_attempt_count_does_not_overflow() -> None:
    policy = RetryPolicy(max_attempts=10_000, jitter=0, multiplier=1e300)
    for made in (2, 5_000, 9_999):
        assert delay_of(next_attempt(policy, made, FAILED_AT, random.Random(1))) == 300.0
