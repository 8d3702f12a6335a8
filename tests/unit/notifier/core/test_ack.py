"""Every transition of the acknowledgment state machine, and every illegal one refused."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from services.notifier.core import ack
from services.notifier.core.ack import (
    AckMethod,
    Acknowledged,
    AlertState,
    AuditType,
    DeadlinePassed,
    Delivery,
    DeliveryReported,
    Event,
    ExpiryNotified,
    Lifecycle,
    MessageRef,
    Outcome,
    Rerouted,
    SendFailed,
    Sent,
    StepDispatched,
)
from services.notifier.core.channels import ChannelKind
from services.notifier.core.policy import Position
from tests.unit.notifier.builders import MONDAY_0800, dispatch, new_state

T0 = MONDAY_0800
FIRST = "t1s1-day"  # the tier 1 step 1 SMS to the day officer


def _apply(state: AlertState, *events: Event) -> AlertState:
    for event in events:
        transition = ack.apply(state, event)
        assert transition.ok, transition.reason
        state = transition.state
    return state


def _at(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


def _pass_deadline(state: AlertState) -> AlertState:
    assert state.current is not None
    assert state.deadline is not None
    return _apply(state, DeadlinePassed(position=state.current, at=state.deadline))


def _build_states() -> dict[str, AlertState]:
    s: dict[str, AlertState] = {"requested": new_state()}
    s["notified"] = dispatch(s["requested"], T0)
    s["sent"] = _apply(s["notified"], Sent(message_id=FIRST, provider_id="SM1", at=T0))
    s["delivered"] = _apply(
        s["sent"], DeliveryReported(message_id=FIRST, status=Delivery.DELIVERED, at=T0)
    )
    s["unknown"] = _apply(
        s["sent"], DeliveryReported(message_id=FIRST, status=Delivery.UNKNOWN, at=T0)
    )
    s["retrying"] = _apply(
        s["notified"], SendFailed(message_id=FIRST, code="network", recoverable=True, at=T0)
    )
    s["failed"] = _apply(
        s["notified"], SendFailed(message_id=FIRST, code="twilio-21211", recoverable=False, at=T0)
    )
    s["step_due"] = _pass_deadline(s["notified"])  # tier 1 step 2 (voice) is pending
    s["tier1_voice"] = dispatch(s["step_due"], T0 + _at(5))
    s["tier2_due"] = _pass_deadline(s["tier1_voice"])
    s["escalated"] = dispatch(s["tier2_due"], T0 + _at(10), minutes=10)
    s["last_step"] = dispatch(_pass_deadline(s["escalated"]), T0 + _at(20), minutes=10)
    s["expired"] = _pass_deadline(s["last_step"])
    s["expiry_notified"] = _apply(s["expired"], _expiry_event())
    s["acknowledged"] = _apply(
        s["notified"], Acknowledged(by="day", method=AckMethod.LINK, at=T0 + _at(2))
    )
    return s


def _expiry_event(
    recipient: str = "desk1", channel: ChannelKind = ChannelKind.SMS
) -> ExpiryNotified:
    ref = MessageRef(message_id="expiry-1", recipient_id=recipient, channel=channel)
    return ExpiryNotified(messages=(ref,), at=T0 + _at(30))


STATES = _build_states()


def _step(
    position: tuple[int, int],
    recipients: tuple[str, ...] = ("day",),
    channel: ChannelKind = ChannelKind.SMS,
    ids: tuple[str, ...] = ("m1",),
) -> StepDispatched:
    refs = tuple(
        MessageRef(message_id=i, recipient_id=r, channel=channel)
        for i, r in zip(ids, recipients, strict=True)
    )
    return StepDispatched(
        position=Position(tier=position[0], step=position[1]),
        deadline=T0 + _at(5),
        messages=refs,
        at=T0,
    )


def _receipt(status: Delivery, message_id: str = FIRST) -> DeliveryReported:
    return DeliveryReported(message_id=message_id, status=status, at=T0 + _at(1))


def _acked(by: str, method: AckMethod = AckMethod.LINK) -> Acknowledged:
    return Acknowledged(by=by, method=method, at=T0 + _at(40), nonce="n1")


def _deadline(tier: int, step: int, minutes: int) -> DeadlinePassed:
    return DeadlinePassed(position=Position(tier=tier, step=step), at=T0 + _at(minutes))


def _reroute(
    failed: str = FIRST, recipient: str = "day", channel: ChannelKind = ChannelKind.EMAIL
) -> Rerouted:
    ref = MessageRef(message_id="fallback-1", recipient_id=recipient, channel=channel)
    return Rerouted(failed_message_id=failed, message=ref, at=T0 + _at(1))


@dataclass(frozen=True)
class Case:
    name: str
    state: str
    event: Event
    lifecycle: Lifecycle
    check: Callable[[AlertState], bool] = lambda _: True


LEGAL = [
    Case("first step notifies", "requested", _step((1, 1)), Lifecycle.NOTIFIED),
    Case(
        "sent",
        "notified",
        Sent(message_id=FIRST, provider_id="SM1", at=T0),
        Lifecycle.NOTIFIED,
        lambda s: _delivery(s) is Delivery.SENT,
    ),
    Case(
        "recoverable failure stays queued",
        "notified",
        SendFailed(message_id=FIRST, code="network", recoverable=True, at=T0),
        Lifecycle.NOTIFIED,
        lambda s: _delivery(s) is Delivery.QUEUED and s.messages[0].attempts == 1,
    ),
    Case(
        "permanent failure",
        "notified",
        SendFailed(message_id=FIRST, code="twilio-21211", recoverable=False, at=T0),
        Lifecycle.NOTIFIED,
        lambda s: _delivery(s) is Delivery.FAILED,
    ),
    *[
        Case(
            f"receipt {status}",
            "sent",
            _receipt(status),
            Lifecycle.NOTIFIED,
            lambda s, status=status: _delivery(s) is status,  # type: ignore[misc]
        )
        for status in (
            Delivery.DELIVERED,
            Delivery.UNDELIVERED,
            Delivery.FAILED,
            Delivery.UNKNOWN,
        )
    ],
    Case(
        "late receipt after unknown",
        "unknown",
        _receipt(Delivery.DELIVERED),
        Lifecycle.NOTIFIED,
        lambda s: _delivery(s) is Delivery.DELIVERED,
    ),
    Case(
        "receipt after acknowledgment is still recorded",
        "acknowledged",
        Sent(message_id=FIRST, provider_id="SM1", at=T0),
        Lifecycle.ACKNOWLEDGED,
    ),
    Case(
        "deadline moves to the next step",
        "notified",
        _deadline(1, 1, 5),
        Lifecycle.NOTIFIED,
        lambda s: s.pending == Position(tier=1, step=2),
    ),
    Case(
        "deadline on a delivered message still escalates",
        "delivered",
        _deadline(1, 1, 5),
        Lifecycle.NOTIFIED,
        lambda s: s.pending == Position(tier=1, step=2),
    ),
    Case(
        "second step of tier 1",
        "step_due",
        _step((1, 2), channel=ChannelKind.VOICE),
        Lifecycle.NOTIFIED,
    ),
    Case(
        "tier 2 escalates",
        "tier2_due",
        _step((2, 1), ("deputy", "head"), ids=("m1", "m2")),
        Lifecycle.ESCALATED,
    ),
    Case("last deadline expires", "last_step", _deadline(3, 1, 30), Lifecycle.EXPIRED),
    Case(
        "expiry notice to the duty desk",
        "expired",
        _expiry_event(),
        Lifecycle.EXPIRED,
        lambda s: s.expiry_notified,
    ),
    Case("link acknowledgment", "notified", _acked("day"), Lifecycle.ACKNOWLEDGED),
    Case(
        "api acknowledgment before any send",
        "requested",
        _acked("ops", AckMethod.API),
        Lifecycle.ACKNOWLEDGED,
    ),
    Case(
        "earlier tier acknowledges after escalation",
        "escalated",
        _acked("day", AckMethod.VOICE_KEYPRESS),
        Lifecycle.ACKNOWLEDGED,
    ),
    Case("acknowledgment after expiry", "expired", _acked("deputy"), Lifecycle.ACKNOWLEDGED),
    Case(
        "duty desk acknowledges the expiry notice",
        "expiry_notified",
        _acked("desk1", AckMethod.SMS_REPLY),
        Lifecycle.ACKNOWLEDGED,
    ),
    Case(
        "failed message falls back",
        "failed",
        _reroute(),
        Lifecycle.NOTIFIED,
        lambda s: s.message("fallback-1") is not None,
    ),
    Case(
        "abandoned retries fall back",
        "retrying",
        _reroute(),
        Lifecycle.NOTIFIED,
        lambda s: _delivery(s) is Delivery.FAILED,
    ),
]


def _delivery(state: AlertState, message_id: str = FIRST) -> Delivery:
    message = state.message(message_id)
    assert message is not None
    return message.delivery


@pytest.mark.parametrize("case", LEGAL, ids=lambda c: c.name)
def test_legal_transitions(case: Case) -> None:
    before = STATES[case.state]
    transition = ack.apply(before, case.event)
    assert transition.outcome is Outcome.APPLIED, transition.reason
    assert transition.state.lifecycle is case.lifecycle
    assert case.check(transition.state)
    assert transition.audit, "every applied transition is audited"
    assert all(a.alert_id == before.alert_id for a in transition.audit)


ILLEGAL = [
    ("requested", _step((1, 2)), "not due"),
    ("notified", _step((1, 1), ids=("m9",)), "no step is due"),
    ("acknowledged", _step((1, 2)), "already acknowledged"),
    ("expired", _step((3, 1)), "expired"),
    ("requested", _step((1, 1), ("deputy",)), "not a recipient"),
    ("requested", _step((1, 1), channel=ChannelKind.VOICE), "channel"),
    (
        "requested",
        StepDispatched(position=Position(tier=1, step=1), deadline=T0, messages=(), at=T0),
        "no messages",
    ),
    ("requested", _step((1, 1), ("day", "day"), ids=("m1", "m1")), "duplicate"),
    ("tier2_due", _step((2, 1), ("deputy",), ids=(FIRST,)), "duplicate"),
    ("notified", Sent(message_id="nope", provider_id="SM1", at=T0), "unknown message"),
    ("sent", Sent(message_id=FIRST, provider_id="SM2", at=T0), "not queued"),
    ("sent", SendFailed(message_id=FIRST, code="x", recoverable=True, at=T0), "not queued"),
    ("notified", SendFailed(message_id="nope", code="x", recoverable=True, at=T0), "unknown"),
    ("notified", _receipt(Delivery.DELIVERED), "not sent yet"),
    ("notified", _receipt(Delivery.DELIVERED, "nope"), "unknown message"),
    ("delivered", _receipt(Delivery.UNDELIVERED), "already final"),
    ("failed", _receipt(Delivery.DELIVERED), "already final"),
    ("sent", _receipt(Delivery.SENT), "not a receipt"),
    ("sent", _receipt(Delivery.QUEUED), "not a receipt"),
    ("notified", _acked("stranger"), "not alerted"),
    ("notified", _acked("deputy", AckMethod.SMS_REPLY), "not alerted"),
    ("requested", _deadline(1, 1, 5), "nothing dispatched"),
    ("notified", _deadline(1, 1, 4), "not reached"),
    ("notified", _deadline(1, 2, 5), "not the step"),
    ("step_due", _deadline(1, 1, 5), "not the step"),
    ("acknowledged", _deadline(1, 1, 5), "already acknowledged"),
    ("expired", _deadline(3, 1, 40), "expired"),
    ("notified", _expiry_event(), "not expired"),
    ("acknowledged", _expiry_event(), "not expired"),
    ("expiry_notified", _expiry_event(), "already notified"),
    ("expired", _expiry_event(recipient="day"), "not a recipient"),
    ("expired", _expiry_event(channel=ChannelKind.VOICE), "channel"),
    ("sent", _reroute(), "nothing to reroute"),
    ("notified", _reroute(), "nothing to reroute"),
    ("delivered", _reroute(), "nothing to reroute"),
    ("unknown", _reroute(), "nothing to reroute"),
    ("acknowledged", _reroute(), "already acknowledged"),
    ("failed", _reroute(recipient="deputy"), "not a recipient"),
    ("failed", _reroute(failed="nope"), "unknown message"),
]


@pytest.mark.parametrize(
    ("state_name", "event", "reason"), ILLEGAL, ids=[f"{s}-{r}" for s, _, r in ILLEGAL]
)
def test_illegal_transitions_are_refused_with_a_reason(
    state_name: str, event: Event, reason: str
) -> None:
    before = STATES[state_name]
    transition = ack.apply(before, event)
    assert transition.outcome is Outcome.REFUSED
    assert not transition.ok
    assert reason in transition.reason
    assert transition.state is before
    assert transition.audit == ()


def test_a_second_acknowledgment_is_a_no_op() -> None:
    first = STATES["acknowledged"]
    again = ack.apply(first, _acked("day", AckMethod.SMS_REPLY))
    assert again.outcome is Outcome.NO_OP
    assert again.ok
    assert "already acknowledged by day (link)" in again.reason
    assert again.state is first
    assert again.audit == ()


def test_a_repeated_unknown_receipt_is_a_no_op() -> None:
    transition = ack.apply(STATES["unknown"], _receipt(Delivery.UNKNOWN))
    assert transition.outcome is Outcome.NO_OP


def test_acknowledgment_is_audited_with_who_how_and_when() -> None:
    transition = ack.apply(STATES["escalated"], _acked("day", AckMethod.VOICE_KEYPRESS))
    (audit,) = transition.audit
    assert audit.type is AuditType.ACKNOWLEDGED
    assert (audit.actor, audit.method, audit.channel) == ("day", AckMethod.VOICE_KEYPRESS, "voice")
    assert audit.at == T0 + _at(40)
    assert audit.tier == 2
    ack_record = transition.state.acknowledgment
    assert ack_record is not None
    assert ack_record.nonce == "n1"
    assert ack_record.lifecycle_before is Lifecycle.ESCALATED


def test_step_dispatch_audits_lifecycle_then_each_message() -> None:
    transition = ack.apply(STATES["tier2_due"], _step((2, 1), ("deputy", "head"), ids=("m1", "m2")))
    assert [a.type for a in transition.audit] == [
        AuditType.ESCALATED,
        AuditType.MESSAGE_QUEUED,
        AuditType.MESSAGE_QUEUED,
    ]
    assert [a.actor for a in transition.audit[1:]] == ["deputy", "head"]


def test_expiry_audits_the_deadline_then_the_expiry() -> None:
    transition = ack.apply(STATES["last_step"], _deadline(3, 1, 30))
    assert [a.type for a in transition.audit] == [AuditType.DEADLINE_PASSED, AuditType.EXPIRED]
    passed = transition.audit[0]
    # The deadline that passed rides on its audit event: lateness is readable from the trail.
    assert passed.deadline == STATES["last_step"].deadline
    assert passed.deadline is not None
    assert passed.deadline <= passed.at


def test_audit_events_carry_no_address() -> None:
    addresses = {
        value
        for officer in STATES["expired"].policy.recipients()
        for value in (officer.phone, officer.backup_phone, officer.email)
        if value
    }
    transition = ack.apply(STATES["expired"], _expiry_event())
    dumped = "".join(a.model_dump_json() for a in transition.audit)
    assert not any(address in dumped for address in addresses)


def test_state_round_trips_through_json() -> None:
    state = STATES["expiry_notified"]
    assert AlertState.model_validate_json(state.model_dump_json()) == state
