"""The rosters' coverage as a metric: checked when the worker starts and again every few
minutes (a shift ending or an assignment running out opens a gap without any change of file),
exported as a count of findings by kind. No label names a person or an agency."""

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import faust
from prometheus_client import Gauge

from services.notifier.core.coverage import HORIZON, counts
from services.notifier.core.coverage import check as coverage_check
from services.notifier.core.duty import Rosters

__all__ = ["REFRESH_SECONDS", "CoverageWatch", "with_coverage"]

REFRESH_SECONDS = 300.0
_log = logging.getLogger(__name__)


class CoverageWatch:
    def __init__(
        self,
        rosters: Rosters,
        gauge: Gauge,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._rosters = rosters
        self._gauge = gauge
        self._clock = clock

    def refresh(self) -> None:
        """Check the next 14 days from now and set the gauge; counts only in the log line."""
        totals = counts(coverage_check(self._rosters, self._clock(), HORIZON))
        for kind, total in totals.items():
            self._gauge.labels(kind=kind.value).set(total)
        if any(totals.values()):
            found = ", ".join(f"{kind}={total}" for kind, total in totals.items())
            _log.warning("roster coverage gaps in the next 14 days: %s", found)

    def register(self, app: faust.App, every_seconds: float = REFRESH_SECONDS) -> None:
        @app.timer(interval=every_seconds)  # type: ignore[untyped-decorator]
        async def check_roster_coverage() -> None:
            await asyncio.to_thread(self.refresh)


def with_coverage(
    register: Callable[[faust.App], None], watch: CoverageWatch
) -> Callable[[faust.App], None]:
    """The worker's own registration, then the coverage timer."""

    def both(app: faust.App) -> None:
        register(app)
        watch.register(app)

    return both
