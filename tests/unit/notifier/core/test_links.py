"""Signed acknowledgment links: issue, verify, expire, tamper."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifier.core.duty import escalation_policy
from services.notifier.core.links import (
    TOKEN_LENGTH,
    LinkClaims,
    LinkError,
    LinkErrorKind,
    issue,
    verify,
)
from tests.unit.notifier.builders import MONDAY_0800, rosters

SECRET = b"k" * 32
ALERT = "alr_0123456789abcdef0123456789abcdef"
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=6)


def test_a_token_round_trips_and_is_short() -> None:
    token = issue(SECRET, ALERT, 3, LATER)
    assert len(token) == TOKEN_LENGTH <= 40
    claims = verify(SECRET, token, NOW)
    assert isinstance(claims, LinkClaims)
    assert (claims.alert_id, claims.recipient_slot, claims.expires_at) == (ALERT, 3, LATER)
    again = verify(SECRET, token, NOW)
    assert isinstance(again, LinkClaims)
    assert again.nonce == claims.nonce
    assert len(claims.nonce) == 16


def test_each_recipient_gets_a_different_token_and_nonce() -> None:
    tokens = {issue(SECRET, ALERT, slot, LATER) for slot in range(5)}
    nonces = {c.nonce for t in tokens if isinstance(c := verify(SECRET, t, NOW), LinkClaims)}
    assert len(tokens) == len(nonces) == 5


def _error(token: str, now: datetime = NOW, secret: bytes = SECRET) -> LinkErrorKind:
    result = verify(secret, token, now)
    assert isinstance(result, LinkError), result
    return result.kind


def test_an_expired_token_is_refused() -> None:
    token = issue(SECRET, ALERT, 0, LATER)
    assert isinstance(verify(SECRET, token, LATER - timedelta(seconds=1)), LinkClaims)
    assert _error(token, now=LATER) is LinkErrorKind.EXPIRED


def test_another_secret_does_not_verify() -> None:
    token = issue(SECRET, ALERT, 0, LATER)
    assert _error(token, secret=b"x" * 32) is LinkErrorKind.BAD_SIGNATURE


def test_a_forged_expired_token_is_reported_as_a_bad_signature() -> None:
    token = issue(b"x" * 32, ALERT, 0, NOW - timedelta(hours=1))
    assert _error(token) is LinkErrorKind.BAD_SIGNATURE


@given(
    position=st.integers(min_value=0, max_value=29), flip=st.integers(min_value=1, max_value=255)
)
def test_any_tampered_byte_is_refused(position: int, flip: int) -> None:
    raw = bytearray(base64.urlsafe_b64decode(issue(SECRET, ALERT, 1, LATER)))
    raw[position] ^= flip
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    assert _error(tampered) in {LinkErrorKind.BAD_SIGNATURE, LinkErrorKind.MALFORMED}


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "A" * 39,
        "A" * 41,
        "*" * 40,
        "+" * 40,
        "é" * 40,
        issue(SECRET, ALERT, 1, LATER)[:-1] + "=",
    ],
)
def test_malformed_tokens(token: str) -> None:
    assert _error(token) is LinkErrorKind.MALFORMED


def test_issue_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="secret"):
        issue(b"short", ALERT, 0, LATER)
    with pytest.raises(ValueError, match="alert_id"):
        issue(SECRET, "alr_xyz", 0, LATER)
    with pytest.raises(ValueError, match="slot"):
        issue(SECRET, ALERT, 256, LATER)
    with pytest.raises(ValueError, match="aware"):
        issue(SECRET, ALERT, 0, datetime(2026, 11, 30))


def test_a_link_names_its_recipient_by_slot_in_the_alerts_snapshot() -> None:
    policy = escalation_policy(rosters(), "police", MONDAY_0800)
    token = issue(SECRET, ALERT, policy.slot("head"), LATER)
    claims = verify(SECRET, token, NOW)
    assert isinstance(claims, LinkClaims)
    officer = policy.by_slot(claims.recipient_slot)
    assert officer is not None
    assert officer.id == "head"
    assert policy.by_slot(200) is None
