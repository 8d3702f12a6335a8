"""What the Twilio stand-in remembers — messages and calls — and how Twilio renders them:
resource JSON, error JSON, SIDs, timestamps and SMS segment counts."""

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

__all__ = [
    "API_VERSION",
    "CallRecord",
    "MessageRecord",
    "Store",
    "error_body",
    "links_in",
    "new_sid",
    "segment_count",
]

API_VERSION = "2010-04-01"

_ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21201: "No 'To' number is specified",
    21205: "Url parameter is required.",
    21211: "Invalid 'To' Phone Number",
    21213: "No 'From' number is specified",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21611: "This 'From' number has exceeded the maximum number of queued messages",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # each costs an escape septet too
_LINK = re.compile(r"https?://[^\s<>\"']+")


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def error_body(status: int, code: int, detail: str | None = None) -> dict[str, object]:
    """Twilio's legacy error shape, which the client turns into TwilioRestException."""
    message = _ERROR_MESSAGES.get(code, f"Error {code}")
    return {
        "code": code,
        "message": f"{message}: {detail}" if detail else message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def segment_count(body: str) -> int:
    """GSM-7 when every character allows it (160, or 153 per part), else UCS-2 (70, or 67);
    an escape pair or a surrogate pair is never split across parts."""
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENDED for char in body):
        units = [2 if char in _GSM7_EXTENDED else 1 for char in body]
        return _parts(units, single=160, multi=153)
    units = [len(char.encode("utf-16-le")) // 2 for char in body]
    return _parts(units, single=70, multi=67)


def _parts(units: list[int], single: int, multi: int) -> int:
    if sum(units) <= single:
        return 1
    count, used = 1, 0
    for unit in units:
        if used + unit > multi:
            count, used = count + 1, 0
        used += unit
    return count


def links_in(text: str) -> list[str]:
    return [match.rstrip(".,;:!?)]}") for match in _LINK.findall(text)]


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _rfc2822(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment else None


@dataclass
class MessageRecord:
    account_sid: str
    to: str
    sender: str | None
    body: str
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    direction: str = "outbound-api"
    status: str = "queued"
    sid: str = field(default_factory=lambda: new_sid("SM"))
    created: datetime = field(default_factory=_now)
    updated: datetime = field(default_factory=_now)
    sent_at: datetime | None = None
    error_code: int | None = None
    settled: bool = False  # no further receipt will come
    # When it left its sender's queue for the phone; `created` is when the API request came.
    left_queue_at: datetime | None = None

    @property
    def sender_identity(self) -> str:
        """Whose rate and queue it takes: the messaging service's, else the From's."""
        return self.messaging_service_sid or self.sender or ""

    @property
    def reached_phone(self) -> bool:
        return self.direction == "inbound" or self.left_queue_at is not None

    def leave_queue(self) -> None:
        self.left_queue_at = _now()

    @property
    def num_segments(self) -> int:
        return segment_count(self.body)

    def advance(self, status: str, error_code: int | None = None) -> None:
        self.status, self.updated = status, _now()
        if status == "sent":
            self.sent_at = self.updated
        if error_code is not None:
            self.error_code = error_code

    def api_json(self) -> dict[str, object]:
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": _rfc2822(self.created),
            "date_sent": _rfc2822(self.sent_at),
            "date_updated": _rfc2822(self.updated),
            "direction": self.direction,
            "error_code": self.error_code,
            "error_message": None,
            "from": self.sender,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(self.num_segments),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": self.to,
            "uri": f"{uri}.json",
        }

    def summary(self) -> dict[str, object]:
        return {
            "sid": self.sid,
            "from": self.sender,
            "to": self.to,
            "body": self.body,
            "status": self.status,
            "direction": self.direction,
            "num_segments": self.num_segments,
            "error_code": self.error_code,
            "created": self.created.isoformat(),
            "left_queue_at": _iso(self.left_queue_at),
            "settled": self.settled,
        }


@dataclass
class CallRecord:
    account_sid: str
    to: str
    sender: str
    twiml: str | None
    url: str | None
    status_callback: str | None = None
    status: str = "queued"
    sid: str = field(default_factory=lambda: new_sid("CA"))
    created: datetime = field(default_factory=_now)
    updated: datetime = field(default_factory=_now)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    # The TwiML the call is executing now, and the URL it came from (relative actions).
    document: str | None = None
    document_url: str | None = None
    digits_pressed: list[str] = field(default_factory=list)

    def advance(self, status: str) -> None:
        self.status, self.updated = status, _now()
        if status == "in-progress":
            self.started_at = self.updated
        elif status in ("completed", "busy", "no-answer", "failed", "canceled"):
            self.ended_at = self.updated

    @property
    def duration(self) -> int | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds())

    def api_json(self) -> dict[str, object]:
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "annotation": None,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": _rfc2822(self.created),
            "date_updated": _rfc2822(self.updated),
            "direction": "outbound-api",
            "duration": None if self.duration is None else str(self.duration),
            "end_time": _rfc2822(self.ended_at),
            "forwarded_from": None,
            "from": self.sender,
            "from_formatted": self.sender,
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": self.sid,
            "start_time": _rfc2822(self.started_at),
            "status": self.status,
            "subresource_uris": {"notifications": f"{uri}/Notifications.json"},
            "to": self.to,
            "to_formatted": self.to,
            "trunk_sid": None,
            "uri": f"{uri}.json",
        }

    def summary(self) -> dict[str, object]:
        return {
            "sid": self.sid,
            "from": self.sender,
            "to": self.to,
            "status": self.status,
            "twiml": self.twiml,
            "url": self.url,
            "digits": list(self.digits_pressed),
            "created": self.created.isoformat(),
        }


@dataclass
class Store:
    """Only the stand-in's event loop touches it, so it needs no lock."""

    messages: dict[str, MessageRecord] = field(default_factory=dict)
    calls: dict[str, CallRecord] = field(default_factory=dict)

    def add_message(self, record: MessageRecord) -> None:
        self.messages[record.sid] = record

    def add_call(self, record: CallRecord) -> None:
        self.calls[record.sid] = record

    def messages_to(self, phone: str | None = None) -> list[MessageRecord]:
        return [record for record in self.messages.values() if phone in (None, record.to)]

    def inbox(self, phone: str) -> list[MessageRecord]:
        """What the phone has received: nothing still in a sender's queue."""
        return [record for record in self.messages_to(phone) if record.reached_phone]

    def calls_to(self, phone: str | None = None) -> list[CallRecord]:
        return [record for record in self.calls.values() if phone in (None, record.to)]
