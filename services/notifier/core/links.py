"""Short signed acknowledgment tokens for the link in every SMS and e-mail.

A token is 30 bytes, 40 base64url characters::

    version(1) | alert id(16) | expires, unix seconds(4) | recipient slot(1) | HMAC-SHA256[:8]

The recipient is bound by its slot, its index in the alert's escalation snapshot
(`EscalationPolicy.recipients()`), which never changes for the life of the alert: a full
officer id would not fit in 40 characters. 64 bits of MAC are plenty for a token that expires
within hours and is checked online. Single use is the caller's job: the state machine ignores
a second acknowledgment, and `LinkClaims.nonce` identifies the token for a used-token store.
"""

import base64
import binascii
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

__all__ = [
    "SMS_PATH",
    "STATUS_PATH",
    "TOKEN_LENGTH",
    "VOICE_PATH",
    "LinkClaims",
    "LinkError",
    "LinkErrorKind",
    "ack_path",
    "issue",
    "verify",
]

# The HTTP front's addresses that messages carry: the acknowledgment link and Twilio's callbacks.
STATUS_PATH = "/webhooks/twilio/status"
SMS_PATH = "/webhooks/twilio/sms"
VOICE_PATH = "/webhooks/twilio/voice"

_VERSION = 1
_LAYOUT = struct.Struct(">B16sIB")
_MAC_BYTES = 8
TOKEN_LENGTH = 40
_MIN_SECRET_BYTES = 32
_ALERT_PREFIX = "alr_"
_TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")


class LinkErrorKind(StrEnum):
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"


@dataclass(frozen=True)
class LinkError:
    kind: LinkErrorKind
    reason: str


@dataclass(frozen=True)
class LinkClaims:
    alert_id: str
    recipient_slot: int
    expires_at: datetime
    nonce: str


def issue(secret: bytes, alert_id: str, recipient: int, expires_at: datetime) -> str:
    """`recipient` is the slot of the recipient in the alert's policy snapshot (0-255)."""
    _check_secret(secret)
    if not 0 <= recipient <= 255:
        raise ValueError("recipient slot must be 0-255")
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    expires = int(expires_at.timestamp())
    if not 0 <= expires < 2**32:
        raise ValueError("expires_at out of range")
    body = _LAYOUT.pack(_VERSION, _alert_bytes(alert_id), expires, recipient)
    return _encode(body + _mac(secret, body))


def verify(secret: bytes, token: str, now: datetime) -> LinkClaims | LinkError:
    """Checks shape, then signature, then expiry: a forged token is never reported expired."""
    _check_secret(secret)
    raw = _decode(token)
    if raw is None or len(raw) != _LAYOUT.size + _MAC_BYTES or raw[0] != _VERSION:
        return LinkError(LinkErrorKind.MALFORMED, "not an acknowledgment token")
    body, mac = raw[: _LAYOUT.size], raw[_LAYOUT.size :]
    if not hmac.compare_digest(mac, _mac(secret, body)):
        return LinkError(LinkErrorKind.BAD_SIGNATURE, "signature does not match")
    _, alert, expires, slot = _LAYOUT.unpack(body)
    expires_at = datetime.fromtimestamp(expires, tz=UTC)
    if now >= expires_at:
        return LinkError(LinkErrorKind.EXPIRED, f"expired at {expires_at.isoformat()}")
    return LinkClaims(_ALERT_PREFIX + alert.hex(), slot, expires_at, mac.hex())


def _mac(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, b"safeguard-ack|" + body, hashlib.sha256).digest()[:_MAC_BYTES]


def _check_secret(secret: bytes) -> None:
    if len(secret) < _MIN_SECRET_BYTES:
        raise ValueError(f"the link secret needs at least {_MIN_SECRET_BYTES} bytes")


def _alert_bytes(alert_id: str) -> bytes:
    hex_part = alert_id.removeprefix(_ALERT_PREFIX)
    if not alert_id.startswith(_ALERT_PREFIX) or len(hex_part) != 32:
        raise ValueError("alert_id must be alr_ followed by 32 hex digits")
    return bytes.fromhex(hex_part)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(token: str) -> bytes | None:
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None


def ack_path(token: str) -> str:
    return f"/ack/{token}"
