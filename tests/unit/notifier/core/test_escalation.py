"""Escalation timing, driven the way the agent drives it, with a clock the test controls."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from contracts.incident import Status
from services.notifier.core import ack
from services.notifier.core.ack import (
    AckMethod,
    Acknowledged,
    AlertState,
    DeadlinePassed,
    Delivery,
    DeliveryReported,
    Event,
    SendFailed,
    Sent,
)
from services.notifier.core.channels import ChannelKind
from services.notifier.core.duty import escalation_policy
from services.notifier.core.escalation import (
    Fallback,
    GiveUp,
    Idle,
    NotifyExpiry,
    PassDeadline,
    Send,
    Wait,
    after_failure,
    decide,
)
from tests.unit.notifier.builders import (
    INCIDENT_ID,
    MONDAY_0800,
    dispatch,
    new_state,
    request,
    roster_data,
    rosters,
)

T0 = MONDAY_0800


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@dataclass
class Run:
    """Plays the agent: decide, send (message ids made up), apply; a log of what went out."""

    state: AlertState
    receipts: Delivery | None = None  # a receipt to report for every message sent
    log: list[tuple[float, str]] = field(default_factory=list)

    def until(self, now: datetime) -> Wait | Idle:
        while True:
            decision = decide(self.state, now)
            if isinstance(decision, Wait | Idle):
                return decision
            self._act(decision, now)

    def _act(self, decision: Send | PassDeadline | NotifyExpiry, now: datetime) -> None:
        offset = (now - T0) / minutes(1)
        if isinstance(decision, PassDeadline):
            self._apply(decision.event)
            return
        if isinstance(decision, Send):
            ids = tuple(f"m{len(self.state.messages) + i}" for i in range(len(decision.recipients)))
            self._apply(decision.dispatched(ids, now))
            who = ",".join(r.id for r in decision.recipients)
            self.log.append((offset, f"{decision.channel}:{who}"))
        else:
            ids = tuple(f"x{i}" for i in range(len(decision.pairs())))
            self._apply(decision.notified(ids, now))
            self.log.append(
                (offset, "expired:" + ",".join(f"{c}:{r.id}" for r, c in decision.pairs()))
            )
        for message_id in ids:
            self._apply(Sent(message_id=message_id, provider_id="P", at=now))
            if self.receipts:
                self._apply(DeliveryReported(message_id=message_id, status=self.receipts, at=now))

    def _apply(self, event: Event) -> None:
        transition = ack.apply(self.state, event)
        assert transition.ok, transition.reason
        self.state = transition.state

    def to_the_end(self, start: datetime = T0, limit: int = 50) -> list[tuple[float, str]]:
        now = start
        for _ in range(limit):
            decision = self.until(now)
            if isinstance(decision, Idle):
                return self.log
            now = decision.until
        raise AssertionError("escalation never ended")


EXPECTED_TIMELINE = [
    (0.0, "sms:day"),
    (5.0, "voice:day"),
    (10.0, "sms:deputy,head"),
    (20.0, "sms:desk1"),
    (30.0, "expired:sms:desk1,email:desk1"),
]


def test_unacknowledged_alert_escalates_through_every_tier_then_expires() -> None:
    run = Run(new_state())
    assert run.to_the_end() == EXPECTED_TIMELINE
    assert run.state.lifecycle is ack.Lifecycle.EXPIRED
    assert run.state.expiry_notified


@pytest.mark.parametrize("receipt", [Delivery.DELIVERED, Delivery.UNKNOWN, None])
def test_receipts_never_change_escalation_timing(receipt: Delivery | None) -> None:
    assert Run(new_state(), receipts=receipt).to_the_end() == EXPECTED_TIMELINE


def test_first_decision_sends_tier_one_and_then_waits() -> None:
    state = new_state()
    decision = decide(state, T0)
    assert isinstance(decision, Send)
    assert (decision.position.tier, decision.position.step) == (1, 1)
    assert decision.channel is ChannelKind.SMS
    assert [r.id for r in decision.recipients] == ["day"]
    assert decision.deadline == T0 + minutes(5)
    state = ack.apply(state, decision.dispatched(("m1",), T0)).state
    assert decide(state, T0 + minutes(4)) == Wait(T0 + minutes(5))
    passed = decide(state, T0 + minutes(5))
    assert isinstance(passed, PassDeadline)
    assert passed.event.position == decision.position


def test_acknowledgment_stops_the_escalation() -> None:
    run = Run(new_state())
    run.until(T0)
    run.until(T0 + minutes(5))
    run._apply(Acknowledged(by="day", method=AckMethod.VOICE_KEYPRESS, at=T0 + minutes(7)))
    assert decide(run.state, T0 + minutes(60)) == Idle("acknowledged")
    assert run.log == EXPECTED_TIMELINE[:2]


def test_tier_one_never_waits_past_the_routers_ack_deadline() -> None:
    state = new_state(ack_within=minutes(7))
    first = decide(state, T0)
    assert isinstance(first, Send)
    assert first.deadline == T0 + minutes(5)
    run = Run(state)
    assert run.to_the_end()[:3] == [(0.0, "sms:day"), (5.0, "voice:day"), (7.0, "sms:deputy,head")]


def test_an_alert_raised_after_its_ack_deadline_still_reaches_tier_one_first() -> None:
    run = Run(new_state(ack_within=minutes(-1)))
    assert run.to_the_end()[:3] == [(0.0, "sms:day"), (0.0, "voice:day"), (0.0, "sms:deputy,head")]


def test_editing_the_roster_after_the_snapshot_changes_nothing_in_flight() -> None:
    original = rosters()
    state = ack.start(request(), escalation_policy(original, "police", T0))
    edited_data = roster_data()
    police = edited_data["agencies"]["police"]
    police["duty"] = {"always": "night"}
    police["escalation"] = [
        {"recipients": ["head"], "steps": [{"channel": "email", "wait_minutes": 60}]}
    ]
    edited = rosters(edited_data)
    assert escalation_policy(edited, "police", T0) != state.policy
    assert Run(state).to_the_end() == EXPECTED_TIMELINE


def test_two_agencies_of_one_incident_acknowledge_independently() -> None:
    police = Run(new_state("police", "alr_" + "a" * 32))
    health = Run(new_state("health", "alr_" + "b" * 32))
    assert police.state.request.incident_id == health.state.request.incident_id == INCIDENT_ID
    police.until(T0)
    health.until(T0)
    police._apply(Acknowledged(by="day", method=AckMethod.LINK, at=T0 + minutes(1)))
    assert decide(police.state, T0 + minutes(30)) == Idle("acknowledged")
    assert isinstance(decide(health.state, T0 + minutes(20)), PassDeadline)
    refused = ack.apply(health.state, Acknowledged(by="day", method=AckMethod.LINK, at=T0))
    assert not refused.ok  # police's officer cannot acknowledge health's alert
    assert health.to_the_end(T0 + minutes(20))[-1] == (20.0, "expired:sms:desk1,email:desk1")


def test_a_drill_goes_to_the_drill_recipient_only() -> None:
    policy = escalation_policy(rosters(), "police", T0, Status.EXERCISE)
    state = ack.start(request(status=Status.EXERCISE), policy)
    log = Run(state).to_the_end()
    assert {entry.split(":")[-1] for _, entry in log} == {"drill"}
    assert policy.drill


# Retries and fallback ------------------------------------------------------------------------


def _sent_tier_one() -> AlertState:
    return dispatch(new_state(), T0)


def _fail(state: AlertState, message_id: str, recoverable: bool) -> AlertState:
    event = SendFailed(message_id=message_id, code="e", recoverable=recoverable, at=T0)
    return ack.apply(state, event).state


def test_sms_falls_back_to_the_backup_number_then_email_then_gives_up() -> None:
    state = _fail(_sent_tier_one(), "t1s1-day", recoverable=False)
    first = after_failure(state, "t1s1-day")
    assert isinstance(first, Fallback)
    assert (first.channel, first.backup, first.recipient.id) == (ChannelKind.SMS, True, "day")
    state = ack.apply(state, first.rerouted("fb1", T0)).state
    state = _fail(state, "fb1", recoverable=False)
    second = after_failure(state, "fb1")
    assert isinstance(second, Fallback)
    assert (second.channel, second.backup) == ("email", False)
    state = ack.apply(state, second.rerouted("fb2", T0)).state
    state = _fail(state, "fb2", recoverable=False)
    assert after_failure(state, "fb2") == GiveUp("every route to day failed")


def _next_step(state: AlertState) -> AlertState:
    assert state.current is not None
    assert state.deadline is not None
    passed = DeadlinePassed(position=state.current, at=state.deadline)
    state = ack.apply(state, passed).state
    return dispatch(state, passed.at)


def test_an_undelivered_receipt_falls_back_without_a_backup_number() -> None:
    state = _next_step(_next_step(_sent_tier_one()))  # tier 2: deputy and head
    message_id = "t2s1-deputy"
    state = ack.apply(state, Sent(message_id=message_id, provider_id="P", at=T0)).state
    receipt = DeliveryReported(message_id=message_id, status=Delivery.UNDELIVERED, at=T0)
    state = ack.apply(state, receipt).state
    decision = after_failure(state, message_id)
    assert isinstance(decision, Fallback)
    assert (decision.recipient.id, decision.channel, decision.backup) == ("deputy", "email", False)


def test_a_failed_voice_call_falls_back_to_the_backup_number_then_sms() -> None:
    state = _fail(_next_step(_sent_tier_one()), "t1s2-day", recoverable=False)
    first = after_failure(state, "t1s2-day")
    assert isinstance(first, Fallback)
    assert (first.channel, first.backup) == (ChannelKind.VOICE, True)
    state = _fail(ack.apply(state, first.rerouted("fb1", T0)).state, "fb1", recoverable=False)
    second = after_failure(state, "fb1")
    assert isinstance(second, Fallback)
    assert (second.channel, second.backup) == (ChannelKind.SMS, False)


@pytest.mark.parametrize("status", [Delivery.SENT, Delivery.DELIVERED, Delivery.UNKNOWN])
def test_nothing_to_do_for_a_message_that_went_out(status: Delivery) -> None:
    state = ack.apply(_sent_tier_one(), Sent(message_id="t1s1-day", provider_id="P", at=T0)).state
    if status is not Delivery.SENT:
        state = ack.apply(
            state, DeliveryReported(message_id="t1s1-day", status=status, at=T0)
        ).state
    assert isinstance(after_failure(state, "t1s1-day"), GiveUp)


def test_no_fallback_once_acknowledged() -> None:
    state = _fail(_sent_tier_one(), "t1s1-day", recoverable=False)
    state = ack.apply(state, Acknowledged(by="day", method=AckMethod.LINK, at=T0)).state
    assert after_failure(state, "t1s1-day") == GiveUp("acknowledged")
