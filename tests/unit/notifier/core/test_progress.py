"""The driver moves an alert from request to acknowledgment or expiry, deciding every send."""

from datetime import UTC, datetime, timedelta

from contracts.alert_command import AckMethod, AlertCommandV1, CommandType, ReceiptStatus
from services.notifier.core.ack import AlertState, AuditType, Delivery, Lifecycle
from services.notifier.core.channels import ChannelKind
from services.notifier.core.progress import Progress, advance, on_command, on_request
from tests.unit.notifier.builders import ALERT_ID, MONDAY_0800, policy, request


def command(kind: CommandType, at: datetime, **fields: object) -> AlertCommandV1:
    return AlertCommandV1(alert_id=ALERT_ID, type=kind, at=at, **fields)


def state_of(step: Progress) -> AlertState:
    assert step.state is not None
    return step.state


def test_a_new_request_sends_tier_one_at_once() -> None:
    step = on_request(None, request(), policy(), MONDAY_0800)
    assert step.state is not None
    assert step.state.lifecycle is Lifecycle.NOTIFIED
    [message] = step.outgoing
    assert (message.recipient_id, message.channel, message.message_id) == (
        "day",
        ChannelKind.SMS,
        "m0",
    )
    assert [a.type for a in step.audit] == [AuditType.NOTIFIED, AuditType.MESSAGE_QUEUED]


def test_a_repeated_request_changes_nothing() -> None:
    first = on_request(None, request(), policy(), MONDAY_0800)
    again = on_request(first.state, request(), policy(), MONDAY_0800 + timedelta(minutes=1))
    assert again.state == first.state
    assert not again.outgoing
    assert not again.audit
    assert again.refusals


def test_no_acknowledgment_escalates_at_each_deadline_whatever_the_receipts() -> None:
    step = on_request(None, request(), policy(), MONDAY_0800)
    state = state_of(
        on_command(
            state_of(step),
            command(
                CommandType.SENT,
                MONDAY_0800,
                message_id="m0",
                provider_id="SM1",
            ),
            MONDAY_0800,
        )
    )
    receipt = command(
        CommandType.RECEIPT, MONDAY_0800, message_id="m0", receipt=ReceiptStatus.DELIVERED
    )
    state = state_of(on_command(state, receipt, MONDAY_0800))
    early = advance(state, MONDAY_0800 + timedelta(minutes=4))
    assert not early.outgoing
    voice = advance(state, MONDAY_0800 + timedelta(minutes=5, seconds=1))
    assert [m.channel for m in voice.outgoing] == [ChannelKind.VOICE]
    assert voice.lateness_seconds == [1.0]
    tier_two = advance(state_of(voice), MONDAY_0800 + timedelta(minutes=10, seconds=2))
    assert {m.recipient_id for m in tier_two.outgoing} == {"deputy", "head"}
    assert tier_two.state is not None
    assert tier_two.state.lifecycle is Lifecycle.ESCALATED


def test_the_last_tier_expires_and_tells_the_duty_desk() -> None:
    state = state_of(on_request(None, request(), policy(), MONDAY_0800))
    now = MONDAY_0800
    for _ in range(10):
        now += timedelta(minutes=11)
        state = state_of(advance(state, now))
    assert state is not None
    assert state.lifecycle is Lifecycle.EXPIRED
    assert state.expiry_notified
    notices = [m for m in state.messages if m.purpose.value == "expiry_notice"]
    assert {m.recipient_id for m in notices} == {"desk1"}


def test_an_acknowledgment_by_link_slot_stops_the_escalation() -> None:
    state = state_of(on_request(None, request(), policy(), MONDAY_0800))
    assert state is not None
    slot = [r.id for r in state.policy.recipients()].index("day")
    acked = on_command(
        state,
        command(
            CommandType.ACKNOWLEDGE,
            MONDAY_0800,
            recipient_slot=slot,
            method=AckMethod.LINK,
            nonce="n1",
        ),
        MONDAY_0800,
    )
    assert acked.state is not None
    assert acked.state.lifecycle is Lifecycle.ACKNOWLEDGED
    assert acked.state.acknowledgment is not None
    assert acked.state.acknowledgment.by == "day"
    later = advance(acked.state, MONDAY_0800 + timedelta(hours=2))
    assert not later.outgoing
    assert not later.audit


def test_a_slot_outside_the_policy_is_refused() -> None:
    state = state_of(on_request(None, request(), policy(), MONDAY_0800))
    step = on_command(
        state,
        command(
            CommandType.ACKNOWLEDGE,
            MONDAY_0800,
            recipient_slot=99,
            method=AckMethod.LINK,
        ),
        MONDAY_0800,
    )
    assert step.refusals
    assert step.state == state


def test_a_failed_sms_falls_back_to_the_backup_number_then_email() -> None:
    state = state_of(on_request(None, request(), policy(), MONDAY_0800))
    failed = on_command(
        state,
        command(
            CommandType.SEND_FAILED,
            MONDAY_0800,
            message_id="m0",
            code="twilio-21211",
        ),
        MONDAY_0800,
    )
    [backup] = failed.outgoing
    assert (backup.channel, backup.backup) == (ChannelKind.SMS, True)
    undelivered = on_command(
        state_of(
            on_command(
                state_of(failed),
                command(
                    CommandType.SENT,
                    MONDAY_0800,
                    message_id=backup.message_id,
                    provider_id="SM2",
                ),
                MONDAY_0800,
            )
        ),
        command(
            CommandType.RECEIPT,
            MONDAY_0800,
            message_id=backup.message_id,
            receipt=ReceiptStatus.UNDELIVERED,
        ),
        MONDAY_0800,
    )
    [email] = undelivered.outgoing
    assert email.channel is ChannelKind.EMAIL
    receipts = [a for a in undelivered.audit if a.type is AuditType.MESSAGE_RECEIPT]
    assert [a.delivery for a in receipts] == [Delivery.UNDELIVERED]


def test_message_ids_follow_from_the_state_so_a_replay_makes_the_same_ones() -> None:
    first = on_request(None, request(), policy(), MONDAY_0800)
    replay = on_request(None, request(), policy(), MONDAY_0800)
    assert [m.message_id for m in first.outgoing] == [m.message_id for m in replay.outgoing]


def test_time_zone_aware_now_is_required_by_nothing_else() -> None:
    step = on_request(None, request(), policy(), datetime(2026, 11, 30, 1, 0, tzinfo=UTC))
    assert step.state is not None


def test_a_retried_attempt_is_recorded_without_falling_back() -> None:
    state = state_of(on_request(None, request(), policy(), MONDAY_0800))
    assert state is not None
    retried = on_command(
        state,
        command(
            CommandType.SEND_FAILED,
            MONDAY_0800,
            message_id="m0",
            code="twilio-20429",
            recoverable=True,
        ),
        MONDAY_0800,
    )
    assert [a.type for a in retried.audit] == [AuditType.MESSAGE_RETRYING]
    assert retried.outgoing == []


def test_a_receipt_that_overtakes_the_send_report_still_counts() -> None:
    state = state_of(on_request(None, request(), policy(), MONDAY_0800))
    assert state is not None
    early = on_command(
        state,
        command(
            CommandType.RECEIPT,
            MONDAY_0800,
            message_id="m0",
            provider_id="SM9",
            receipt=ReceiptStatus.UNDELIVERED,
        ),
        MONDAY_0800,
    )
    assert early.refusals == []
    assert [m.backup for m in early.outgoing] == [True]  # the fallback still happens
    late_report = on_command(
        state_of(early),
        command(CommandType.SENT, MONDAY_0800, message_id="m0", provider_id="SM9"),
        MONDAY_0800,
    )
    assert late_report.outgoing == []
    assert late_report.refusals
