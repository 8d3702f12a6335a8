"""What the notifier worker does with each record, decided purely, mirroring
services.router.processing: the faust agents only load state, call these, publish what they
return (acknowledged by the broker) and then store the new state, so a crash repeats work but
loses none. Message ids, and so reply codes, follow from the state: a repeated input makes the
same messages, which the dispatcher recognises as already sent."""

from dataclasses import dataclass, field
from datetime import datetime

from contracts import cloudevents, events
from contracts.alert import AlertRequestedV1, RequestKind
from contracts.alert_command import AlertCommandV1, CommandType
from contracts.alert_event import AlertEventV1, ChannelKind, Purpose
from contracts.deadletter import DeadLetter
from contracts.dispatch import DispatchRequestV1, MessageKind
from services.notifier.core.ack import AlertState, Message
from services.notifier.core.channels import ProviderAccepted, ProviderAnswer, ProviderRejected
from services.notifier.core.duty import Rosters, escalation_policy
from services.notifier.core.open_alerts import OpenCodes
from services.notifier.core.progress import Progress, on_command, on_request
from services.notifier.texts.compose import ComposeConfig, compose

__all__ = [
    "Handled",
    "answer_command",
    "handle_input",
    "retry_command",
    "tick_command",
]


@dataclass(frozen=True)
class Handled:
    """The alert's new state and what to publish before storing it."""

    state: AlertState
    dispatches: list[DispatchRequestV1] = field(default_factory=list)
    audit: list[AlertEventV1] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    lateness_seconds: list[float] = field(default_factory=list)


def handle_input(
    headers: cloudevents.Headers,
    value: bytes | None,
    state: AlertState | None,
    rosters: Rosters,
    config: ComposeConfig,
    codes: OpenCodes,
    now: datetime,
) -> Handled | DeadLetter:
    """One alerts.requested or alerts.commands record for the alert whose state is `state`."""
    try:
        data = events.decode(headers, value).data
    except events.Refused as refusal:
        return DeadLetter(refusal.reason.value, str(refusal), refusal.details)
    if isinstance(data, AlertRequestedV1):
        policy = escalation_policy(rosters, data.agency_id, now, data.facts.status)
        progress = on_request(state, data, policy, now)
    elif isinstance(data, AlertCommandV1) and state is not None:
        progress = on_command(state, data, now)
    else:
        return DeadLetter("no_known_alert", f"no alert is tracked for this {type(data).__name__}")
    if progress.state is None:
        return DeadLetter("no_state", "the input left the alert without a state")
    return _composed(progress, progress.state, config, codes, now)


def _composed(
    progress: Progress, state: AlertState, config: ComposeConfig, codes: OpenCodes, now: datetime
) -> Handled:
    """Each new message rendered; a reply code, once given, recorded on the state so that the
    number's other open alerts are given other codes."""
    dispatches = []
    for message in progress.outgoing:
        phone = state.address(message) or ""
        request = compose(state, message, config, codes.taken(phone, state.alert_id), now)
        request = request.model_copy(update=_ordering_facts(state, message))
        dispatches.append(request)
        if request.reply_code is not None:
            state = _with_code(state, message, request.reply_code)
    return Handled(
        state=state,
        dispatches=dispatches,
        audit=progress.audit,
        refusals=progress.refusals,
        lateness_seconds=progress.lateness_seconds,
    )


def _ordering_facts(state: AlertState, message: Message) -> dict[str, object]:
    """What the dispatcher needs to put the message in its place in the queue."""
    facts = state.request.facts
    return {
        "kind": message_kind(state, message),
        "severity": facts.severity,
        "urgency": facts.urgency,
        "immediate_danger": facts.immediate_danger,
    }


def message_kind(state: AlertState, message: Message) -> MessageKind:
    if message.purpose is Purpose.EXPIRY_NOTICE:
        return MessageKind.EXPIRY_NOTICE
    if message.channel is ChannelKind.VOICE:
        return MessageKind.DEADLINE_CALL
    if message.position.tier > 1:
        return MessageKind.ESCALATION
    if state.request.kind is RequestKind.UPDATE:
        return MessageKind.UPDATE
    return MessageKind.FIRST_ALERT


def _with_code(state: AlertState, coded: Message, code: str) -> AlertState:
    messages = tuple(
        m.model_copy(update={"reply_code": code}) if m.message_id == coded.message_id else m
        for m in state.messages
    )
    return state.model_copy(update={"messages": messages})


def answer_command(
    request: DispatchRequestV1, answer: ProviderAnswer, now: datetime
) -> AlertCommandV1:
    """The provider's final answer, for the worker that owns the alert."""
    if isinstance(answer, ProviderAccepted):
        return AlertCommandV1(
            alert_id=request.alert_id,
            type=CommandType.SENT,
            at=now,
            message_id=request.message_id,
            provider_id=answer.provider_id,
        )
    return _failure(request, answer, now, recoverable=False)


def retry_command(
    request: DispatchRequestV1, rejection: ProviderRejected, now: datetime
) -> AlertCommandV1:
    """A recoverable failure the dispatcher retries itself: recorded only."""
    return _failure(request, rejection, now, recoverable=True)


def tick_command(alert_id: str, now: datetime) -> AlertCommandV1:
    return AlertCommandV1(alert_id=alert_id, type=CommandType.TICK, at=now)


def _failure(
    request: DispatchRequestV1, rejection: ProviderRejected, now: datetime, recoverable: bool
) -> AlertCommandV1:
    """recoverable: the dispatcher retries it (recorded only); otherwise final: fall back."""
    return AlertCommandV1(
        alert_id=request.alert_id,
        type=CommandType.SEND_FAILED,
        at=now,
        message_id=request.message_id,
        code=rejection.code,
        recoverable=recoverable,
    )
