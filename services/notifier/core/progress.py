"""Moves one alert forward: a request or a command in, the new state, the audit trail and the
messages to send out. Pure; the faust agent only loads state, calls this, and publishes."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import assert_never

from contracts.alert import AlertRequestedV1
from contracts.alert_command import AlertCommandV1, CommandType, ReceiptStatus
from services.notifier.core.ack import (
    Acknowledged,
    AlertState,
    AuditEvent,
    Delivery,
    DeliveryReported,
    Event,
    Message,
    Outcome,
    SendFailed,
    Sent,
    Transition,
    apply,
    start,
)
from services.notifier.core.escalation import (
    Fallback,
    NotifyExpiry,
    PassDeadline,
    Send,
    after_failure,
    decide,
)
from services.notifier.core.policy import EscalationPolicy

__all__ = ["Progress", "advance", "on_command", "on_request"]

_RECEIPTS = {
    ReceiptStatus.DELIVERED: Delivery.DELIVERED,
    ReceiptStatus.UNDELIVERED: Delivery.UNDELIVERED,
    ReceiptStatus.FAILED: Delivery.FAILED,
    ReceiptStatus.UNKNOWN: Delivery.UNKNOWN,
}


@dataclass
class Progress:
    state: AlertState | None
    audit: list[AuditEvent] = field(default_factory=list)
    outgoing: list[Message] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    lateness_seconds: list[float] = field(default_factory=list)

    def record(self, transition: Transition) -> AlertState:
        if transition.outcome is Outcome.REFUSED:
            self.refusals.append(transition.reason)
            return transition.state
        known = {m.message_id for m in self.state.messages} if self.state else set()
        self.outgoing += [m for m in transition.state.messages if m.message_id not in known]
        self.audit += transition.audit
        self.state = transition.state
        return transition.state


def on_request(
    existing: AlertState | None,
    request: AlertRequestedV1,
    policy: EscalationPolicy,
    now: datetime,
) -> Progress:
    """A new alert starts escalating; a repeated or updated request changes nothing in flight:
    the policy snapshot and the deadlines stay those of the first request."""
    if existing is not None:
        return Progress(existing, refusals=[f"alert already tracked ({request.kind})"])
    return advance(start(request, policy), now)


def on_command(state: AlertState, command: AlertCommandV1, now: datetime) -> Progress:
    progress = Progress(state)
    match command.type:
        case CommandType.TICK:
            pass
        case CommandType.SENT:
            _apply(
                progress,
                Sent(
                    message_id=_need(command.message_id),
                    at=now,
                    provider_id=command.provider_id or "",
                ),
            )
        case CommandType.SEND_FAILED:
            final = not command.recoverable  # a retried attempt is only recorded
            failure = SendFailed(
                message_id=_need(command.message_id),
                at=now,
                code=command.code or "unknown",
                recoverable=not final,
            )
            _apply(progress, failure)
            if final:
                _fall_back(progress, failure.message_id, now)
        case CommandType.RECEIPT:
            _receipt(progress, command, now)
        case CommandType.ACKNOWLEDGE:
            _acknowledge(progress, command, now)
        case _:
            assert_never(command.type)
    return _advance(progress, now)


def advance(state: AlertState, now: datetime) -> Progress:
    return _advance(Progress(state), now)


def _advance(progress: Progress, now: datetime) -> Progress:
    """Apply what is due until the alert has to wait for a deadline or is done."""
    while progress.state is not None:
        decision = decide(progress.state, now)
        if isinstance(decision, Send):
            ids = _new_ids(progress.state, len(decision.recipients))
            _apply(progress, decision.dispatched(ids, now))
        elif isinstance(decision, PassDeadline):
            if progress.state.deadline is not None:
                late = (now - progress.state.deadline).total_seconds()
                progress.lateness_seconds.append(max(0.0, late))
            _apply(progress, decision.event)
        elif isinstance(decision, NotifyExpiry):
            _apply(
                progress, decision.notified(_new_ids(progress.state, len(decision.pairs())), now)
            )
        else:
            return progress
        if progress.refusals:
            return progress  # a refused move would be decided again forever
    return progress


def _receipt(progress: Progress, command: AlertCommandV1, now: datetime) -> None:
    delivery = _RECEIPTS.get(command.receipt) if command.receipt else None
    if delivery is None:
        return  # "sent" adds nothing: the dispatcher already reported the provider's acceptance
    message_id = _need(command.message_id)
    assert progress.state is not None
    message = progress.state.message(message_id)
    if message is not None and message.delivery is Delivery.QUEUED and command.provider_id:
        # The receipt overtook the dispatcher's own report: a receipt proves it was sent.
        _apply(progress, Sent(message_id=message_id, provider_id=command.provider_id, at=now))
    _apply(progress, DeliveryReported(message_id=message_id, status=delivery, at=now))
    if delivery in (Delivery.UNDELIVERED, Delivery.FAILED):
        _fall_back(progress, message_id, now)


def _acknowledge(progress: Progress, command: AlertCommandV1, now: datetime) -> None:
    assert progress.state is not None
    by = command.by
    if command.recipient_slot is not None:
        recipients = progress.state.policy.recipients()
        if command.recipient_slot >= len(recipients):
            progress.refusals.append(f"no recipient in slot {command.recipient_slot}")
            return
        by = recipients[command.recipient_slot].id
    if not by or command.method is None:
        progress.refusals.append("an acknowledgment needs who and how")
        return
    _apply(progress, Acknowledged(by=by, method=command.method, at=now, nonce=command.nonce))


def _fall_back(progress: Progress, message_id: str, now: datetime) -> None:
    assert progress.state is not None
    next_move = after_failure(progress.state, message_id)  # the delivery loop retried already
    if isinstance(next_move, Fallback):
        [new_id] = _new_ids(progress.state, 1)
        _apply(progress, next_move.rerouted(new_id, now))


def _apply(progress: Progress, event: Event) -> None:
    assert progress.state is not None
    progress.record(apply(progress.state, event))


def _new_ids(state: AlertState, count: int) -> tuple[str, ...]:
    """Message ids follow from the state, so replaying a command after a crash makes the same
    ids and the dispatcher recognises the messages it already sent."""
    first = len(state.messages)
    return tuple(f"m{first + offset}" for offset in range(count))


def _need(value: str | None) -> str:
    if not value:
        raise ValueError("the command lacks a message id")
    return value
