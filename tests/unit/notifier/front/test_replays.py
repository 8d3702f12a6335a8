"""Which signed webhook requests count as repeats, and for how long."""

from services.notifier.front.replays import ReplayGuard, request_key


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_request_is_a_repeat_once_remembered_until_its_time_is_up() -> None:
    clock = Clock()
    guard = ReplayGuard(clock, ttl_seconds=60)
    key = request_key("https://x/webhooks/twilio/sms", b"Body=XN+12", "sig")
    assert not guard.seen(key)
    guard.remember(key)
    clock.now = 59.0
    assert guard.seen(key)
    clock.now = 60.0
    assert not guard.seen(key)


def test_the_oldest_keys_go_first_beyond_the_capacity() -> None:
    guard = ReplayGuard(Clock(), capacity=2)
    for key in ("a", "b", "c"):
        guard.remember(key)
    assert [guard.seen(key) for key in ("a", "b", "c")] == [False, True, True]


def test_any_difference_in_url_body_or_signature_is_another_request() -> None:
    base = ("https://x/s?alert_id=1", b"MessageStatus=delivered", "sig")
    keys = {
        request_key(*base),
        request_key("https://x/s?alert_id=2", base[1], base[2]),
        request_key(base[0], b"MessageStatus=failed", base[2]),
        request_key(base[0], base[1], "other"),
        request_key("https://x/s?alert_id=1M", b"essageStatus=delivered", "sig"),  # no run-on
    }
    assert len(keys) == 5
