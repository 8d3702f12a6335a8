"""Retention: erasure falls due a configured period after the case's last activity, longer for
a case a court needs."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts.sealing import ErasureReason
from services.sealing.retention import CaseRetention, RetentionPolicy, erasure_date, erasure_due

POLICY = RetentionPolicy(default=timedelta(days=365), court=timedelta(days=3650))
LAST = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
CASE = CaseRetention("inc_" + "1" * 32, LAST)
COURT_CASE = CaseRetention("inc_" + "2" * 32, LAST, court_needs_it=True)


def test_a_case_is_kept_for_the_default_period_then_due() -> None:
    assert erasure_date(CASE, POLICY) == LAST + timedelta(days=365)
    assert erasure_due(CASE, POLICY, LAST + timedelta(days=364, hours=23)) is None
    assert erasure_due(CASE, POLICY, LAST + timedelta(days=365)) is ErasureReason.RETENTION_ENDED


def test_a_case_a_court_needs_is_kept_for_the_longer_period() -> None:
    assert erasure_due(COURT_CASE, POLICY, LAST + timedelta(days=366)) is None
    due = erasure_due(COURT_CASE, POLICY, LAST + timedelta(days=3650))
    assert due is ErasureReason.COURT_RETENTION_ENDED


def test_new_activity_restarts_the_period() -> None:
    later = CaseRetention(CASE.case_id, LAST + timedelta(days=300))
    assert erasure_due(later, POLICY, LAST + timedelta(days=400)) is None


@pytest.mark.parametrize(
    ("default", "court"), [(timedelta(0), timedelta(days=1)), (timedelta(days=9), timedelta(1))]
)
def test_a_policy_needs_a_positive_period_and_a_court_period_at_least_as_long(
    default: timedelta, court: timedelta
) -> None:
    with pytest.raises(ValueError, match="retention"):
        RetentionPolicy(default=default, court=court)
