"""A sender's queue as Twilio keeps it: departures at the rate in segments, overflow at depth."""

from devstack.twilio_queues import SenderQueues
from devstack.twilio_settings import SenderPace, StandinSettings, settings_from_argv

ONE_PER_SECOND = SenderPace(segments_per_second=1.0)


def test_without_a_rate_every_message_leaves_at_once() -> None:
    queues = SenderQueues()
    assert [queues.admit("A", 3, SenderPace(), now=5.0) for _ in range(3)] == [5.0, 5.0, 5.0]
    assert queues.depths(5.0) == {}


def test_departures_take_one_slot_per_segment() -> None:
    queues = SenderQueues()
    departures = [queues.admit("A", segments, ONE_PER_SECOND, now=10.0) for segments in (1, 3, 1)]
    assert departures == [10.0, 11.0, 14.0]


def test_an_idle_sender_starts_again_when_asked() -> None:
    queues = SenderQueues()
    assert queues.admit("A", 2, ONE_PER_SECOND, now=0.0) == 0.0
    assert queues.admit("A", 1, ONE_PER_SECOND, now=100.0) == 100.0


def test_senders_do_not_share_a_queue() -> None:
    queues = SenderQueues()
    queues.admit("A", 5, ONE_PER_SECOND, now=0.0)
    assert queues.admit("B", 1, ONE_PER_SECOND, now=0.0) == 0.0
    assert queues.admit("A", 1, ONE_PER_SECOND, now=0.0) == 5.0


def test_the_queue_overflows_beyond_its_depth_in_segments_and_drains_with_time() -> None:
    queues = SenderQueues()
    pace = SenderPace(segments_per_second=1.0, queue_depth=3)
    assert queues.admit("A", 1, pace, now=0.0) == 0.0  # leaves at once: not queued
    assert queues.admit("A", 3, pace, now=0.0) == 1.0
    assert queues.depths(0.0) == {"A": 3}
    assert queues.admit("A", 1, pace, now=0.0) is None
    assert queues.depths(1.0) == {"A": 0}
    assert queues.admit("A", 1, pace, now=1.0) == 4.0


def test_the_realistic_profile_is_one_setting_away() -> None:
    quick = StandinSettings().initial_behaviour().pacing
    realistic = settings_from_argv(["--profile", "realistic"]).initial_behaviour().pacing
    assert (quick.latency_seconds, quick.max_concurrent_requests) == (0.0, None)
    assert quick.pace_of("+15005550006").segments_per_second is None
    assert (realistic.latency_seconds, realistic.max_concurrent_requests) == (0.3, 100)
    assert realistic.pace_of("SAFEGUARD").segments_per_second == 1.0
    assert realistic.pace_of("SAFEGUARD").queue_depth == 4 * 3600
