"""Delivery under pressure, on real Kafka, against a gateway as slow as the real one."""

import time
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

from contracts.incident import Severity
from tests.integration.delivery.conftest import SENDER, SLOTS, Rig

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := probe()) is not None:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def arrived(rig: Rig, references: list[str]) -> list[str] | None:
    order = rig.sms_order()
    return order if set(references) <= set(order) else None


def test_an_extreme_alert_overtakes_a_queued_routine_burst(rig: Rig) -> None:
    burst = [rig.request() for _ in range(40)]
    eventually(lambda: rig.sms_order() or None, 30, "the burst starting")
    needle = rig.request(Severity.EXTREME, danger=True)

    order = eventually(lambda: arrived(rig, [*burst, needle]), 90, "every SMS")

    after_needle = order[order.index(needle) + 1 :]
    # At five SMS a second, a first-in-first-out queue would put ~35 routine SMS first.
    assert len(after_needle) >= 25, f"the needle went out {order.index(needle) + 1}th"


def test_a_failing_number_delays_no_other_alert(rig: Rig) -> None:
    rig.configure(faults=[{"status": 503, "delay_seconds": 8.0}])  # the next send hangs, fails
    stuck = rig.request()
    in_flight = 'safeguard_notifier_sends_in_flight{channel="sms"} 1.0'
    eventually(lambda: in_flight in rig.worker.metrics() or None, 30, "the hanging send")
    others = [rig.request() for _ in range(10)]

    order = eventually(lambda: arrived(rig, others), 30, "the other alerts")
    assert stuck not in order  # they all went out while it was still failing
    eventually(lambda: arrived(rig, [stuck]), 60, "the retry of the failed send")
    assert 'safeguard_notifier_retries_scheduled_total{channel="sms"} 1.0' in rig.worker.metrics()


def test_throttling_slows_the_sender_which_then_recovers(rig: Rig) -> None:
    rig.configure(faults=[{"status": 429, "code": 20429}] * 3)
    references = [rig.request() for _ in range(6)]
    ratio = f'safeguard_notifier_sender_rate_ratio{{sender="{SENDER}"}}'

    slowed = eventually(lambda: _gauge(rig, ratio, below=1.0), 30, "the sender slowed")
    assert slowed < 1.0
    eventually(lambda: arrived(rig, references), 60, "every SMS despite the throttling")
    eventually(lambda: _gauge(rig, ratio, at_least=1.0), 60, "the sender's rate recovered")


def test_a_sigkill_mid_burst_loses_nothing_and_repeats_at_most_the_sends_in_flight(
    rig: Rig,
) -> None:
    burst = [rig.request() for _ in range(40)]
    eventually(lambda: len(rig.sms_order()) >= 10 or None, 60, "the burst under way")
    rig.restart_worker()  # SIGKILL, then a new worker

    order = eventually(lambda: arrived(rig, burst), 120, "every SMS of the burst")
    repeats = sum(n - 1 for n in Counter(order).values())
    assert repeats <= SLOTS, f"{repeats} SMS sent twice, over the {SLOTS} sends in flight"


def _gauge(rig: Rig, sample: str, below: float = 0.0, at_least: float = 0.0) -> float | None:
    for line in rig.worker.metrics().splitlines():
        name, _, value = line.rpartition(" ")
        if name == sample:
            number = float(value)
            if (below and number < below) or (at_least and number >= at_least):
                return number
    return None
