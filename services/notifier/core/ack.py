"""The acknowledgment state machine: pure, immutable, one `apply(state, event)` for everything.

Two state variables, kept apart on purpose:

- the alert's lifecycle, which only explicit acts move:
  requested -> notified (tier 1 step dispatched) -> escalated (a later tier dispatched)
  -> expired (the last step's deadline passed); acknowledged from any of them;
- each message's delivery, which only the channel and its receipts move:
  queued -> sent -> delivered | undelivered | failed | unknown (unknown -> a late receipt).

Receipts never touch the lifecycle or a deadline: Vietnamese operators often send none, so
"unknown" is a normal outcome and only an acknowledgment stops an escalation. An illegal event
is refused with a reason, a repeated acknowledgment is a no-op, and an acknowledgment after
expiry is still taken: whoever was alerted, at any tier, may acknowledge.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, assert_never

from pydantic import BaseModel, ConfigDict

from contracts.alert import AlertRequestedV1
from contracts.alert_command import AckMethod
from contracts.alert_event import AlertEventV1, AuditType, ChannelKind, Delivery, Lifecycle, Purpose
from services.notifier.core.policy import EscalationPolicy, Position

AuditEvent = AlertEventV1  # what this state machine publishes on alerts.events

__all__ = [
    "AckMethod",
    "Acknowledged",
    "Acknowledgment",
    "AlertState",
    "AuditEvent",
    "AuditType",
    "DeadlinePassed",
    "Delivery",
    "DeliveryReported",
    "Event",
    "ExpiryNotified",
    "Lifecycle",
    "Message",
    "MessageRef",
    "Outcome",
    "Purpose",
    "Rerouted",
    "SendFailed",
    "Sent",
    "StepDispatched",
    "Transition",
    "apply",
    "start",
]


RECEIPTS = frozenset({Delivery.DELIVERED, Delivery.UNDELIVERED, Delivery.FAILED, Delivery.UNKNOWN})
FINAL_DELIVERY = frozenset({Delivery.DELIVERED, Delivery.UNDELIVERED, Delivery.FAILED})


_ACK_CHANNEL = {AckMethod.VOICE_KEYPRESS: ChannelKind.VOICE, AckMethod.SMS_REPLY: ChannelKind.SMS}


class MessageRef(BaseModel):
    """One message the caller is about to send; `backup` means the recipient's backup phone."""

    model_config = ConfigDict(frozen=True)

    message_id: str
    recipient_id: str
    channel: ChannelKind
    backup: bool = False


class Message(MessageRef):
    position: Position
    purpose: Purpose = Purpose.ALERT
    delivery: Delivery = Delivery.QUEUED
    attempts: int = 0
    provider_id: str | None = None
    error: str | None = None
    reply_code: str | None = None  # set when composed, for two-way SMS


class Acknowledgment(BaseModel):
    model_config = ConfigDict(frozen=True)

    by: str
    method: AckMethod
    at: datetime
    nonce: str | None = None
    lifecycle_before: Lifecycle


class AlertState(BaseModel):
    """One agency's alert. `pending` is the step due next; `current` the one last dispatched."""

    model_config = ConfigDict(frozen=True)

    request: AlertRequestedV1
    policy: EscalationPolicy
    lifecycle: Lifecycle = Lifecycle.REQUESTED
    pending: Position | None = None
    current: Position | None = None
    deadline: datetime | None = None
    messages: tuple[Message, ...] = ()
    acknowledgment: Acknowledgment | None = None
    expiry_notified: bool = False

    @property
    def alert_id(self) -> str:
        return self.request.alert_id

    def message(self, message_id: str) -> Message | None:
        return next((m for m in self.messages if m.message_id == message_id), None)

    def alerted(self) -> frozenset[str]:
        return frozenset(m.recipient_id for m in self.messages)

    @property
    def open(self) -> bool:
        """Nobody acknowledged yet and tiers remain."""
        return self.lifecycle in (Lifecycle.REQUESTED, Lifecycle.NOTIFIED, Lifecycle.ESCALATED)

    def address(self, message: MessageRef) -> str | None:
        """Where `message` goes: the recipient's e-mail, phone or backup phone."""
        officer = self.policy.recipient(message.recipient_id)
        if officer is None:
            return None
        if message.channel is ChannelKind.EMAIL:
            return str(officer.email)
        return officer.backup_phone if message.backup and officer.backup_phone else officer.phone


def start(request: AlertRequestedV1, policy: EscalationPolicy) -> AlertState:
    return AlertState(request=request, policy=policy, pending=policy.first)


# Events -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StepDispatched:
    position: Position
    deadline: datetime
    messages: tuple[MessageRef, ...]
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Sent:
    message_id: str
    provider_id: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class SendFailed:
    message_id: str
    code: str
    recoverable: bool
    at: datetime


@dataclass(frozen=True, kw_only=True)
class DeliveryReported:
    message_id: str
    status: Delivery
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Acknowledged:
    by: str
    method: AckMethod
    at: datetime
    nonce: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeadlinePassed:
    position: Position
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Rerouted:
    """A failed message is replaced by `message` to the same recipient (fallback)."""

    failed_message_id: str
    message: MessageRef
    at: datetime


@dataclass(frozen=True, kw_only=True)
class ExpiryNotified:
    messages: tuple[MessageRef, ...]
    at: datetime


Event = (
    StepDispatched
    | Sent
    | SendFailed
    | DeliveryReported
    | Acknowledged
    | DeadlinePassed
    | Rerouted
    | ExpiryNotified
)


# Results ------------------------------------------------------------------------------------


class Outcome(StrEnum):
    APPLIED = "applied"
    NO_OP = "no_op"
    REFUSED = "refused"


@dataclass(frozen=True)
class Transition:
    outcome: Outcome
    state: AlertState
    audit: tuple[AuditEvent, ...] = ()
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is not Outcome.REFUSED


def _refuse(state: AlertState, reason: str) -> Transition:
    return Transition(Outcome.REFUSED, state, reason=reason)


def _audit(state: AlertState, type_: AuditType, at: datetime, **fields: Any) -> AuditEvent:
    request = state.request
    return AuditEvent(
        type=type_,
        alert_id=request.alert_id,
        incident_id=request.incident_id,
        agency_id=request.agency_id,
        at=at,
        lifecycle=state.lifecycle,
        **fields,
    )


def _message_audit(
    state: AlertState, type_: AuditType, message: Message, at: datetime
) -> AuditEvent:
    return _audit(
        state,
        type_,
        at,
        actor=message.recipient_id,
        channel=message.channel,
        tier=message.position.tier,
        step=message.position.step,
        message_id=message.message_id,
        purpose=message.purpose,
        delivery=message.delivery,
        detail=message.error,
    )


def _with_message(state: AlertState, message: Message) -> AlertState:
    messages = tuple(message if m.message_id == message.message_id else m for m in state.messages)
    return state.model_copy(update={"messages": messages})


# Transitions --------------------------------------------------------------------------------


def apply(state: AlertState, event: Event) -> Transition:
    match event:
        case StepDispatched():
            return _step_dispatched(state, event)
        case Sent():
            return _sent(state, event)
        case SendFailed():
            return _send_failed(state, event)
        case DeliveryReported():
            return _delivery_reported(state, event)
        case Acknowledged():
            return _acknowledged(state, event)
        case DeadlinePassed():
            return _deadline_passed(state, event)
        case Rerouted():
            return _rerouted(state, event)
        case ExpiryNotified():
            return _expiry_notified(state, event)
        case _:
            assert_never(event)


def _step_dispatched(state: AlertState, event: StepDispatched) -> Transition:
    if refusal := _closed(state) or _not_due(state, event.position):
        return _refuse(state, refusal)
    tier = state.policy.tier(event.position.tier)
    channel = state.policy.step_at(event.position).channel
    if refusal := _bad_refs(state, event.messages, {r.id for r in tier.recipients}, {channel}):
        return _refuse(state, refusal)
    lifecycle = Lifecycle.NOTIFIED if event.position.tier == 1 else Lifecycle.ESCALATED
    new = [Message(**ref.model_dump(), position=event.position) for ref in event.messages]
    after = state.model_copy(
        update={
            "lifecycle": lifecycle,
            "current": event.position,
            "pending": None,
            "deadline": event.deadline,
            "messages": state.messages + tuple(new),
        }
    )
    audit = [_message_audit(after, AuditType.MESSAGE_QUEUED, m, event.at) for m in new]
    previous_tier = state.current.tier if state.current else 0
    if event.position.tier != previous_tier:
        type_ = AuditType.NOTIFIED if lifecycle is Lifecycle.NOTIFIED else AuditType.ESCALATED
        # Why the roster's first tiers were left out (an uncovered post), said once, first.
        detail = state.policy.skipped if type_ is AuditType.NOTIFIED else None
        audit.insert(
            0, _audit(after, type_, event.at, tier=event.position.tier, step=1, detail=detail)
        )
    return Transition(Outcome.APPLIED, after, tuple(audit))


def _closed(state: AlertState) -> str:
    if state.lifecycle is Lifecycle.ACKNOWLEDGED:
        return "already acknowledged"
    if state.lifecycle is Lifecycle.EXPIRED:
        return "alert expired"
    return ""


def _not_due(state: AlertState, position: Position) -> str:
    if state.pending is None:
        return f"no step is due: tier {_where(state.current)} waits for its deadline"
    if position != state.pending:
        return f"tier {_where(position)} is not due; tier {_where(state.pending)} is"
    return ""


def _where(position: Position | None) -> str:
    return f"{position.tier} step {position.step}" if position else "-"


def _bad_refs(
    state: AlertState, refs: tuple[MessageRef, ...], recipients: set[str], channels: set[str]
) -> str:
    if not refs:
        return "no messages"
    ids = [ref.message_id for ref in refs]
    if len(set(ids)) != len(ids) or any(state.message(i) for i in ids):
        return "duplicate message id"
    for ref in refs:
        if ref.recipient_id not in recipients:
            return f"{ref.recipient_id} is not a recipient of this step"
        if ref.channel not in channels:
            return f"channel {ref.channel} is not this step's"
    return ""


def _sent(state: AlertState, event: Sent) -> Transition:
    message = state.message(event.message_id)
    if message is None:
        return _refuse(state, f"unknown message {event.message_id}")
    if message.delivery is not Delivery.QUEUED:
        return _refuse(state, f"message is {message.delivery}, not queued")
    sent = message.model_copy(
        update={"delivery": Delivery.SENT, "provider_id": event.provider_id, "error": None}
    )
    after = _with_message(state, sent)
    return Transition(
        Outcome.APPLIED, after, (_message_audit(after, AuditType.MESSAGE_SENT, sent, event.at),)
    )


def _send_failed(state: AlertState, event: SendFailed) -> Transition:
    message = state.message(event.message_id)
    if message is None:
        return _refuse(state, f"unknown message {event.message_id}")
    if message.delivery is not Delivery.QUEUED:
        return _refuse(state, f"message is {message.delivery}, not queued")
    delivery = Delivery.QUEUED if event.recoverable else Delivery.FAILED
    failed = message.model_copy(
        update={"delivery": delivery, "attempts": message.attempts + 1, "error": event.code}
    )
    after = _with_message(state, failed)
    type_ = AuditType.MESSAGE_RETRYING if event.recoverable else AuditType.MESSAGE_FAILED
    return Transition(Outcome.APPLIED, after, (_message_audit(after, type_, failed, event.at),))


def _delivery_reported(state: AlertState, event: DeliveryReported) -> Transition:
    message = state.message(event.message_id)
    if message is None:
        return _refuse(state, f"unknown message {event.message_id}")
    if event.status not in RECEIPTS:
        return _refuse(state, f"{event.status} is not a receipt status")
    if message.delivery is Delivery.QUEUED:
        return _refuse(state, "receipt for a message not sent yet")
    if message.delivery in FINAL_DELIVERY:
        return _refuse(state, f"delivery already final ({message.delivery})")
    if message.delivery is event.status:
        return Transition(Outcome.NO_OP, state, reason=f"already {event.status}")
    reported = message.model_copy(update={"delivery": event.status})
    after = _with_message(state, reported)
    audit = _message_audit(after, AuditType.MESSAGE_RECEIPT, reported, event.at)
    return Transition(Outcome.APPLIED, after, (audit,))


def _acknowledged(state: AlertState, event: Acknowledged) -> Transition:
    if (previous := state.acknowledgment) is not None:
        reason = f"already acknowledged by {previous.by} ({previous.method})"
        return Transition(Outcome.NO_OP, state, reason=reason)
    if event.method is not AckMethod.API and event.by not in state.alerted():
        return _refuse(state, f"{event.by} was not alerted about this alert")
    ack = Acknowledgment(
        by=event.by,
        method=event.method,
        at=event.at,
        nonce=event.nonce,
        lifecycle_before=state.lifecycle,
    )
    after = state.model_copy(
        update={"lifecycle": Lifecycle.ACKNOWLEDGED, "acknowledgment": ack, "pending": None}
    )
    audit = _audit(
        after,
        AuditType.ACKNOWLEDGED,
        event.at,
        actor=event.by,
        method=event.method,
        channel=_ACK_CHANNEL.get(event.method),
        tier=state.current.tier if state.current else None,
        detail=f"after {state.lifecycle}",
    )
    return Transition(Outcome.APPLIED, after, (audit,))


def _deadline_passed(state: AlertState, event: DeadlinePassed) -> Transition:
    if refusal := _closed(state) or _not_waiting(state, event):
        return _refuse(state, refusal)
    where = {"tier": event.position.tier, "step": event.position.step}
    passed = {**where, "deadline": state.deadline}
    following = state.policy.next_position(event.position)
    if following is not None:
        after = state.model_copy(update={"pending": following})
        audit = _audit(after, AuditType.DEADLINE_PASSED, event.at, **passed)
        return Transition(Outcome.APPLIED, after, (audit,))
    after = state.model_copy(update={"lifecycle": Lifecycle.EXPIRED})
    audit_trail = (
        _audit(after, AuditType.DEADLINE_PASSED, event.at, **passed),
        _audit(after, AuditType.EXPIRED, event.at, **where),
    )
    return Transition(Outcome.APPLIED, after, audit_trail)


def _not_waiting(state: AlertState, event: DeadlinePassed) -> str:
    if state.current is None or state.deadline is None:
        return "nothing dispatched yet"
    if state.pending is not None or event.position != state.current:
        return f"tier {_where(event.position)} is not the step waiting for a deadline"
    if event.at < state.deadline:
        return f"deadline {state.deadline.isoformat()} not reached"
    return ""


def _rerouted(state: AlertState, event: Rerouted) -> Transition:
    if state.lifecycle is Lifecycle.ACKNOWLEDGED:
        return _refuse(state, "already acknowledged")
    failed = state.message(event.failed_message_id)
    if failed is None:
        return _refuse(state, f"unknown message {event.failed_message_id}")
    if not _reroutable(failed):
        return _refuse(state, f"message is {failed.delivery}; nothing to reroute")
    if refusal := _bad_refs(state, (event.message,), {failed.recipient_id}, set(ChannelKind)):
        return _refuse(state, refusal)
    abandoned = failed.model_copy(update={"delivery": Delivery.FAILED})
    replacement = Message(
        **event.message.model_dump(), position=failed.position, purpose=failed.purpose
    )
    after = _with_message(state, abandoned)
    after = after.model_copy(update={"messages": (*after.messages, replacement)})
    audit = _message_audit(after, AuditType.MESSAGE_REROUTED, replacement, event.at)
    audit = audit.model_copy(update={"detail": f"instead of {failed.message_id}"})
    return Transition(Outcome.APPLIED, after, (audit,))


def _reroutable(message: Message) -> bool:
    """Failed for good, or still queued after failed attempts (the caller gave up retrying)."""
    if message.delivery is Delivery.QUEUED:
        return message.attempts > 0
    return message.delivery in {Delivery.FAILED, Delivery.UNDELIVERED}


def _expiry_notified(state: AlertState, event: ExpiryNotified) -> Transition:
    if state.lifecycle is not Lifecycle.EXPIRED:
        return _refuse(state, f"alert is {state.lifecycle}, not expired")
    if state.expiry_notified:
        return _refuse(state, "expiry already notified")
    notice = state.policy.on_expiry
    recipients = {r.id for r in notice.recipients}
    if refusal := _bad_refs(state, event.messages, recipients, set(notice.channels)):
        return _refuse(state, refusal)
    assert state.current is not None  # an expired alert has dispatched its last step
    new = tuple(
        Message(**ref.model_dump(), position=state.current, purpose=Purpose.EXPIRY_NOTICE)
        for ref in event.messages
    )
    after = state.model_copy(update={"expiry_notified": True, "messages": state.messages + new})
    audit = tuple(_message_audit(after, AuditType.MESSAGE_QUEUED, m, event.at) for m in new)
    return Transition(Outcome.APPLIED, after, audit)
