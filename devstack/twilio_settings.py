"""Settings of the Twilio stand-in: fixed ones (where it listens, the account) and the
behaviour a test may change at run time (receipts, failing numbers, injected faults, and how
slow it is: round trip, concurrency limit, each sender's rate and queue)."""

import argparse
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "REALISTIC_PACING",
    "Behaviour",
    "BehaviourPatch",
    "CallOutcome",
    "Fault",
    "Pacing",
    "Profile",
    "Receipt",
    "SenderPace",
    "StandinSettings",
    "settings_from_argv",
]

# What the handset's operator reports after "sent"; "none" is the common case in Vietnam.
Receipt = Literal["delivered", "undelivered", "failed", "none"]
CallOutcome = Literal["answered", "no-answer", "busy", "failed"]
# "quick" answers at once for people; "realistic" is as slow as Twilio seen from Vietnam.
Profile = Literal["quick", "realistic"]


class Fault(BaseModel):
    """Injected into the next Messages/Calls request: an error, a slow answer, or both."""

    status: int = 503
    code: int | None = None  # Twilio error code; derived from the status when missing
    delay_seconds: float = Field(default=0.0, ge=0.0)


class SenderPace(BaseModel):
    """One sender identity's queue, drained the way Twilio drains it beyond the sender's rate."""

    # None: every message leaves the queue at once.
    segments_per_second: float | None = Field(default=None, gt=0.0)
    # Segments that may wait in the queue; one more overflows. None: unbounded.
    queue_depth: int | None = Field(default=None, ge=0)


class Pacing(BaseModel):
    """How slow the stand-in is. The defaults answer at once and never throttle."""

    # Every REST request takes this round trip, plus or minus a uniform jitter.
    latency_seconds: float = Field(default=0.0, ge=0.0)
    jitter_seconds: float = Field(default=0.0, ge=0.0)
    seed: int = 0  # of the jitter, so a benchmark run can be repeated
    # REST requests in flight beyond this are answered 429 with Twilio code 20429.
    max_concurrent_requests: int | None = Field(default=None, ge=1)
    # Keyed by From number, alphanumeric sender ID or MessagingServiceSid.
    senders: dict[str, SenderPace] = Field(default_factory=dict)
    default_sender: SenderPace = Field(default_factory=SenderPace)

    def pace_of(self, sender: str) -> SenderPace:
        return self.senders.get(sender, self.default_sender)


# About 300 ms from Vietnam to Twilio's API and back; a long code sends one segment a second;
# Twilio keeps four hours' worth of a sender's segments queued before it overflows (30001).
REALISTIC_PACING = Pacing(
    latency_seconds=0.3,
    jitter_seconds=0.05,
    max_concurrent_requests=100,
    default_sender=SenderPace(segments_per_second=1.0, queue_depth=4 * 3600),
)


class Behaviour(BaseModel):
    default_receipt: Receipt = "delivered"
    receipts: dict[str, Receipt] = Field(default_factory=dict)
    # Numbers that the API refuses, with the Twilio code (21211 invalid, 21610 unsubscribed…).
    failing_numbers: dict[str, int] = Field(default_factory=dict)
    default_call_outcome: CallOutcome = "answered"
    call_outcomes: dict[str, CallOutcome] = Field(default_factory=dict)
    # Consumed one per API create request, in order.
    faults: list[Fault] = Field(default_factory=list)
    callback_delay_seconds: float = Field(default=0.05, ge=0.0)
    inbound_sms_url: str | None = None
    voice_url: str | None = None
    pacing: Pacing = Field(default_factory=Pacing)

    def receipt_for(self, number: str) -> Receipt:
        return self.receipts.get(number, self.default_receipt)

    def call_outcome_for(self, number: str) -> CallOutcome:
        return self.call_outcomes.get(number, self.default_call_outcome)


class BehaviourPatch(BaseModel):
    """Body of POST /_standin/config: the fields given replace the current ones."""

    default_receipt: Receipt | None = None
    receipts: dict[str, Receipt] | None = None
    failing_numbers: dict[str, int] | None = None
    default_call_outcome: CallOutcome | None = None
    call_outcomes: dict[str, CallOutcome] | None = None
    faults: list[Fault] | None = None
    callback_delay_seconds: float | None = Field(default=None, ge=0.0)
    inbound_sms_url: str | None = None
    voice_url: str | None = None
    pacing: Pacing | None = None

    def apply_to(self, behaviour: Behaviour) -> Behaviour:
        changes = self.model_dump(exclude_unset=True)
        return Behaviour.model_validate({**behaviour.model_dump(), **changes})


class StandinSettings(BaseSettings):
    """Read from TWILIO_STANDIN_* variables (nested with "__"), then from the CLI flags."""

    model_config = SettingsConfigDict(env_prefix="TWILIO_STANDIN_", env_nested_delimiter="__")

    host: str = "127.0.0.1"
    port: int = 8030
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "standin-auth-token"  # noqa: S105 - a development stand-in's token
    # The "from" given to messages sent through a messaging service without From.
    service_sender: str = "+15005550006"
    callback_attempts: int = Field(default=3, ge=1)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    profile: Profile = "quick"

    def initial_behaviour(self) -> Behaviour:
        """The behaviour at start: the realistic profile sets the pacing, nothing else."""
        if self.profile == "quick":
            return self.behaviour.model_copy(deep=True)
        realistic = REALISTIC_PACING.model_copy(deep=True)
        return self.behaviour.model_copy(update={"pacing": realistic}, deep=True)


def settings_from_argv(argv: list[str]) -> StandinSettings:
    args = _parser().parse_args(argv)
    fixed = {
        name: getattr(args, name)
        for name in ("host", "port", "account_sid", "auth_token", "profile")
        if getattr(args, name) is not None
    }
    settings = StandinSettings(**fixed)
    patch = BehaviourPatch.model_validate(_behaviour_flags(args))
    settings.behaviour = patch.apply_to(settings.behaviour)
    return settings


def _behaviour_flags(args: argparse.Namespace) -> dict[str, object]:
    flags: dict[str, object] = {
        "inbound_sms_url": args.inbound_sms_url,
        "voice_url": args.voice_url,
        "default_receipt": args.default_receipt,
        "callback_delay_seconds": args.callback_delay,
        "receipts": _pairs(args.receipt),
        "failing_numbers": {number: int(code) for number, code in _pairs(args.fail).items()},
    }
    return {name: value for name, value in flags.items() if value is not None and value != {}}


def _pairs(items: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        key, separator, value = item.partition("=")
        if not separator:
            raise SystemExit(f"expected NUMBER=VALUE, got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devstack.twilio_standin",
        description="A local stand-in for the Twilio REST API, for development and tests.",
    )
    parser.add_argument("--host", help="default 127.0.0.1")
    parser.add_argument("--port", type=int, help="default 8030")
    parser.add_argument("--account-sid")
    parser.add_argument("--auth-token")
    parser.add_argument("--inbound-sms-url", help="where replies from phones are posted")
    parser.add_argument("--voice-url", help="fallback for a <Gather> without an action")
    parser.add_argument("--default-receipt", choices=["delivered", "undelivered", "failed", "none"])
    parser.add_argument(
        "--receipt", action="append", default=[], metavar="NUMBER=RECEIPT", help="repeatable"
    )
    parser.add_argument(
        "--fail", action="append", default=[], metavar="NUMBER=CODE", help="e.g. +84900000001=21211"
    )
    parser.add_argument("--callback-delay", type=float, help="seconds between receipts")
    parser.add_argument(
        "--profile",
        choices=["quick", "realistic"],
        help="quick (default): no latency, no limits; realistic: 300 ms round trip, "
        "100 requests in flight, 1 segment/s per sender, 4 hours of queue",
    )
    return parser
