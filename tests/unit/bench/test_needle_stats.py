"""The needle bench's figures: a needle's time is to its first SMS, the drain rate counts
segments over the routine burst's window, percentiles are nearest-rank."""

from datetime import UTC, datetime, timedelta

import pytest

from bench.needle_stats import (
    STAGES,
    Drain,
    Phase,
    Sms,
    drain_of,
    first_at,
    needle_times,
    percentile,
    sms_of,
    stages_of,
    table,
)

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
NEEDLE, ROUTINE = "SG-0A1B2C3D", "SG-99999999"


def message(
    seconds: float, body: str, segments: int = 2, direction: str = "outbound-api"
) -> dict[str, object]:
    created = (T0 + timedelta(seconds=seconds)).isoformat()
    return {"body": body, "created": created, "num_segments": segments, "direction": direction}


def test_sms_are_ordered_by_request_and_replies_left_out() -> None:
    raw = [
        message(2, f"Cảnh báo {ROUTINE} mức thường"),
        message(1, f"KHẨN {NEEDLE}", segments=3),
        message(0, "XN 47", direction="inbound"),
        message(3, "no reference at all"),
    ]
    sms = sms_of(raw)
    assert [m.reference for m in sms] == [NEEDLE, ROUTINE, None]
    assert sms[0].segments == 3
    assert sms[0].created == (T0 + timedelta(seconds=1)).timestamp()


def test_a_needles_time_is_to_its_first_sms_only() -> None:
    start = T0.timestamp()
    sms = [Sms(ROUTINE, start + 1, 2), Sms(NEEDLE, start + 2.5, 3), Sms(NEEDLE, start + 9, 3)]
    assert needle_times({NEEDLE: start + 2}, sms) == {NEEDLE: pytest.approx(0.5)}
    assert needle_times({"SG-FFFFFFFF": start}, sms) == {}


def test_the_drain_rate_counts_every_segment_in_the_routine_window() -> None:
    sms = [
        Sms(ROUTINE, 0.0, 2),
        Sms(NEEDLE, 1.0, 3),
        Sms("SG-11111111", 2.0, 2),
        Sms("SG-22222222", 4.0, 2),  # the last one starts the end of the window
        Sms(NEEDLE, 5.0, 3),  # after the drain: not in the window
    ]
    drain = drain_of(sms, [NEEDLE])
    assert drain == Drain(3, 4.0, 1.0, 1.75)


def test_a_drain_of_one_message_has_no_rate() -> None:
    assert drain_of([Sms(ROUTINE, 0.0, 2)], []) == Drain(1, 0.0, 0.0, 0.0)


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 50) == 10.0
    assert percentile(values, 99) == 20.0
    assert percentile([3.0], 99) == 3.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_the_table_puts_the_phases_side_by_side() -> None:
    drain = Drain(1000, 50.0, 54.0, 57.0)
    on = Phase("priority on", 60.0, [0.5, 0.6, 0.7], 3, drain)
    off = Phase("priority off (FIFO)", 60.0, [20.0, 30.0, 40.0], 2, drain)
    text = table([on, off])
    assert text.splitlines()[0] == "| | priority on | priority off (FIFO) |"
    assert "| needle 202 -> first SMS, p99 | 0.70 s | 40.00 s |" in text
    assert "| needles (posted during the drain) | 3 (3) | 3 (2) |" in text
    assert "0.95 (57.0 of 60 seg/s)" in text


def test_first_at_keeps_the_earliest_time_of_each_reference() -> None:
    seen = [(NEEDLE, 5.0), (None, 1.0), (NEEDLE, 3.0), (ROUTINE, 4.0)]
    assert first_at(seen) == {NEEDLE: 3.0, ROUTINE: 4.0}


def test_stages_split_a_needles_time_and_skip_needles_not_seen_everywhere() -> None:
    other = "SG-EEEEEEEE"
    posted = {NEEDLE: 10.0, other: 11.0}
    stages = stages_of(posted, {NEEDLE: 10.5, other: 11.2}, {NEEDLE: 12.0}, [Sms(NEEDLE, 12.25, 3)])
    assert stages == {STAGES[0]: [0.5], STAGES[1]: [1.5], STAGES[2]: [0.25]}


def test_the_table_shows_each_stage_or_a_dash() -> None:
    drain = Drain(10, 5.0, 50.0, 55.0)
    staged = Phase("on", 60.0, [1.0], 1, drain, {STAGES[0]: [0.25], STAGES[1]: [0.5]})
    text = table([staged])
    assert f"| {STAGES[0]}, p99 | 0.25 s |" in text
    assert f"| {STAGES[2]}, p50 | - |" in text
