"""SMS reply codes: short, unique per number, parsed leniently."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifier.core.reply_codes import ALPHABET, ReplyCommand, assign, parse_reply

alert_ids = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32).map(lambda h: "alr_" + h)


@given(st.lists(alert_ids, min_size=1, max_size=120, unique=True))
def test_codes_are_unique_among_a_numbers_open_alerts(alerts: list[str]) -> None:
    open_codes: set[str] = set()
    for alert_id in alerts:
        code = assign(open_codes, alert_id)
        assert code not in open_codes
        assert 2 <= len(code) <= 4
        assert set(code) <= set(ALPHABET)
        open_codes.add(code)


@given(alert_ids, st.sets(st.text(alphabet=ALPHABET, min_size=2, max_size=2), max_size=63))
def test_the_shortest_free_code_is_used_and_assignment_is_deterministic(
    alert_id: str, taken: set[str]
) -> None:
    code = assign(taken, alert_id)
    assert len(code) == 2
    assert assign(set(taken), alert_id) == code


def test_longer_codes_only_once_the_short_ones_are_taken() -> None:
    every_two = {a + b for a in ALPHABET for b in ALPHABET}
    assert len(assign(every_two, "alr_" + "0" * 32)) == 3


def test_no_ambiguous_characters() -> None:
    assert not set(ALPHABET) & set("01OIl")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("1234", "1234"),
        ("ack 1234", "1234"),
        ("OK 1234", "1234"),
        ("XN 1234", "1234"),
        ("  xn   47  ", "47"),
        ("Xác nhận 47", "47"),
        ("XÁC NHẬN 47", "47"),
        ("Đã nhận 47", "47"),
        ("ACK:47.", "47"),
        ("ack1234", "1234"),
        ("ok", None),
        ("XN", None),
    ],
)
def test_replies_that_acknowledge(body: str, code: str | None) -> None:
    assert parse_reply(body) == ReplyCommand(code)


@pytest.mark.parametrize(
    "body", ["", "hello", "okay", "12345", "ok 1", "STOP", "ack ab", "xin chào"]
)
def test_replies_that_do_not(body: str) -> None:
    assert parse_reply(body) is None


@given(st.text(max_size=40))
def test_parse_never_crashes(body: str) -> None:
    result = parse_reply(body)
    assert result is None or result.code is None or result.code.isdigit()
