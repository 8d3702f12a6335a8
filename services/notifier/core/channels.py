"""The one narrow port every channel implements, and the outcome vocabulary they share.

Vendors' errors are translated here at the boundary: the rest of the notifier only ever sees
`ProviderAccepted` or `ProviderRejected(recoverable=...)`, as in Alertmanager's notifiers."""

from dataclasses import dataclass
from typing import Protocol

from contracts.alert_event import ChannelKind

__all__ = [
    "Channel",
    "ChannelKind",
    "Outbound",
    "ProviderAccepted",
    "ProviderAnswer",
    "ProviderRejected",
]


@dataclass(frozen=True)
class Outbound:
    """One message to one address. `body` is the SMS text, the e-mail's plain text, or the
    TwiML of a call; `html` and `subject` are for e-mail only."""

    channel: ChannelKind
    to: str
    body: str
    subject: str = ""
    html: str = ""
    status_callback: str | None = None
    sender: str | None = None  # the sender identity to use (SMS, voice); None: the default


@dataclass(frozen=True)
class ProviderAccepted:
    provider_id: str


@dataclass(frozen=True)
class ProviderRejected:
    recoverable: bool  # True: retry with backoff; False: fall back to another channel or number
    code: str
    reason: str
    # What the gateway said, for judging the sender (sender_pool.outcome_of); None: no answer.
    http_status: int | None = None
    provider_code: int | None = None


ProviderAnswer = ProviderAccepted | ProviderRejected


class Channel(Protocol):
    async def send(self, message: Outbound) -> ProviderAnswer: ...
