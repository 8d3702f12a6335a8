"""What to do next for one alert, decided from its state, its policy snapshot and the time.

The notifier's agent loops until it has to wait::

    while not isinstance(decision := decide(state, now), Wait | Idle):
        ... send what `decision` says, apply the matching event, keep the new state

Only an acknowledgment stops an escalation; delivery receipts are never read here, so a
"delivered" receipt (or none at all) changes no deadline. A message that fails for good (the
delivery loop has retried what could be retried) falls back to another channel or number.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.notifier.core.ack import (
    AlertState,
    DeadlinePassed,
    Delivery,
    ExpiryNotified,
    Lifecycle,
    Message,
    MessageRef,
    Rerouted,
    StepDispatched,
)
from services.notifier.core.channels import ChannelKind
from services.notifier.core.policy import Officer, Position

__all__ = [
    "Decision",
    "Fallback",
    "GiveUp",
    "Idle",
    "NotifyExpiry",
    "PassDeadline",
    "Send",
    "Wait",
    "after_failure",
    "decide",
    "step_deadline",
]


@dataclass(frozen=True)
class Send:
    """Send step `position` on `channel` to `recipients`; wait for an ack until `deadline`."""

    position: Position
    channel: ChannelKind
    recipients: tuple[Officer, ...]
    deadline: datetime

    def dispatched(self, message_ids: tuple[str, ...], at: datetime) -> StepDispatched:
        """The event to apply once each recipient's message has an id (same order)."""
        if len(message_ids) != len(self.recipients):
            raise ValueError("one message id per recipient")
        refs = tuple(
            MessageRef(message_id=message_id, recipient_id=recipient.id, channel=self.channel)
            for message_id, recipient in zip(message_ids, self.recipients, strict=True)
        )
        return StepDispatched(position=self.position, deadline=self.deadline, messages=refs, at=at)


@dataclass(frozen=True)
class Wait:
    until: datetime


@dataclass(frozen=True)
class PassDeadline:
    event: DeadlinePassed


@dataclass(frozen=True)
class NotifyExpiry:
    """Nobody acknowledged at any tier: tell the province duty desk on every listed channel."""

    recipients: tuple[Officer, ...]
    channels: tuple[ChannelKind, ...]

    def pairs(self) -> tuple[tuple[Officer, ChannelKind], ...]:
        return tuple((r, c) for r in self.recipients for c in self.channels)

    def notified(self, message_ids: tuple[str, ...], at: datetime) -> ExpiryNotified:
        """The event to apply once each of `pairs()` has a message id (same order)."""
        refs = tuple(
            MessageRef(message_id=message_id, recipient_id=recipient.id, channel=channel)
            for message_id, (recipient, channel) in zip(message_ids, self.pairs(), strict=True)
        )
        return ExpiryNotified(messages=refs, at=at)


@dataclass(frozen=True)
class Idle:
    reason: str


Decision = Send | Wait | PassDeadline | NotifyExpiry | Idle


def decide(state: AlertState, now: datetime) -> Decision:
    if state.lifecycle is Lifecycle.ACKNOWLEDGED:
        return Idle("acknowledged")
    if state.lifecycle is Lifecycle.EXPIRED:
        if state.expiry_notified:
            return Idle("expired; duty desk notified")
        notice = state.policy.on_expiry
        return NotifyExpiry(notice.recipients, notice.channels)
    if state.pending is not None:
        step = state.policy.step_at(state.pending)
        recipients = state.policy.tier(state.pending.tier).recipients
        return Send(
            state.pending, step.channel, recipients, step_deadline(state, state.pending, now)
        )
    assert state.current is not None
    assert state.deadline is not None
    if now < state.deadline:
        return Wait(state.deadline)
    return PassDeadline(DeadlinePassed(position=state.current, at=now))


def step_deadline(state: AlertState, position: Position, now: datetime) -> datetime:
    """The step's own wait; in tier 1 never later than the router's ack deadline, which is the
    time printed in the message. Past that time every remaining tier-1 step still goes out,
    but each escalates at once."""
    waited = now + timedelta(minutes=state.policy.step_at(position).wait_minutes)
    if position.tier == 1:
        return min(waited, _aware(state.request.ack_deadline))
    return waited


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Fallback ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fallback:
    failed_message_id: str
    recipient: Officer
    channel: ChannelKind
    backup: bool

    def rerouted(self, message_id: str, at: datetime) -> Rerouted:
        ref = MessageRef(
            message_id=message_id,
            recipient_id=self.recipient.id,
            channel=self.channel,
            backup=self.backup,
        )
        return Rerouted(failed_message_id=self.failed_message_id, message=ref, at=at)


@dataclass(frozen=True)
class GiveUp:
    reason: str


def after_failure(state: AlertState, message_id: str) -> Fallback | GiveUp:
    """Call after a final SendFailed or an undelivered/failed receipt has been applied."""
    message = state.message(message_id)
    if message is None:
        return GiveUp(f"unknown message {message_id}")
    if state.lifecycle is Lifecycle.ACKNOWLEDGED:
        return GiveUp("acknowledged")
    if message.delivery not in {Delivery.QUEUED, Delivery.FAILED, Delivery.UNDELIVERED}:
        return GiveUp(f"message is {message.delivery}")
    return _fallback(state, message)


def _fallback(state: AlertState, message: Message) -> Fallback | GiveUp:
    recipient = state.policy.recipient(message.recipient_id)
    if recipient is None:
        return GiveUp(f"{message.recipient_id} is not in the policy")
    tried = {
        (m.channel, m.backup)
        for m in state.messages
        if m.recipient_id == recipient.id
        and m.position == message.position
        and m.purpose is message.purpose
    }
    for channel, backup in _routes(message.channel, recipient):
        if (channel, backup) not in tried:
            return Fallback(message.message_id, recipient, channel, backup)
    return GiveUp(f"every route to {recipient.id} failed")


def _routes(channel: ChannelKind, recipient: Officer) -> list[tuple[ChannelKind, bool]]:
    """Where a failed message goes next, in order: the backup number, then another channel."""
    backup = (
        [(channel, True)] if recipient.backup_phone and channel is not ChannelKind.EMAIL else []
    )
    other = {
        ChannelKind.SMS: ChannelKind.EMAIL,
        ChannelKind.VOICE: ChannelKind.SMS,
        ChannelKind.EMAIL: ChannelKind.SMS,
    }
    return [*backup, (other[channel], False)]
