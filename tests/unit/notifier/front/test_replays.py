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
    key = request_key("https://x/webhooks/twilio/sms", {"Body": "XN 12"}, "sig")
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


def test_any_difference_in_url_form_or_signature_is_another_request() -> None:
    url, form = "https://x/s?alert_id=1", {"MessageStatus": "delivered", "MessageSid": "SM1"}
    keys = {
        request_key(url, form, "sig"),
        request_key("https://x/s?alert_id=2", form, "sig"),
        request_key(url, {**form, "MessageStatus": "failed"}, "sig"),
        request_key(url, form, "other"),
        request_key(url + "M", {"essageStatus": "delivered", "MessageSid": "SM1"}, "sig"),
    }
    assert len(keys) == 5


def test_the_order_of_the_form_fields_does_not_matter() -> None:
    one = request_key("u", {"a": "1", "b": "2"}, "s")
    assert one == request_key("u", {"b": "2", "a": "1"}, "s")
