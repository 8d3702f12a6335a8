"""When a case's personal fields must be erased: a pure decision from the case's facts and the
configured periods (a longer one for a case a court needs)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.sealing import ErasureReason

__all__ = ["CaseRetention", "RetentionPolicy", "erasure_date", "erasure_due"]


@dataclass(frozen=True)
class RetentionPolicy:
    default: timedelta
    court: timedelta

    def __post_init__(self) -> None:
        if self.default <= timedelta(0):
            raise ValueError("the retention period must be positive")
        if self.court < self.default:
            raise ValueError("a court's retention cannot be shorter than the default one")


@dataclass(frozen=True)
class CaseRetention:
    """What retention looks at: the last activity on the case (a new report, an update, an
    acknowledgment) restarts the period; a court's need holds the case for the longer one."""

    case_id: str
    last_activity_at: datetime
    court_needs_it: bool = False


def erasure_date(case: CaseRetention, policy: RetentionPolicy) -> datetime:
    period = policy.court if case.court_needs_it else policy.default
    return case.last_activity_at + period


def erasure_due(
    case: CaseRetention, policy: RetentionPolicy, now: datetime
) -> ErasureReason | None:
    """The reason to erase the case now, or None while its retention runs."""
    if now < erasure_date(case, policy):
        return None
    if case.court_needs_it:
        return ErasureReason.COURT_RETENTION_ENDED
    return ErasureReason.RETENTION_ENDED
