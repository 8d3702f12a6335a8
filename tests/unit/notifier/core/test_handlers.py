"""The worker's decisions, record in, what to publish and store out (core.handlers)."""

import itertools
from datetime import datetime, timedelta

import pytest
from pydantic import BaseModel

from contracts import cloudevents, events
from contracts.alert_command import AckMethod, AlertCommandV1, CommandType
from contracts.deadletter import DeadLetter
from contracts.dispatch import DispatchRequestV1
from services.notifier.core.ack import AlertState, AuditType, Lifecycle
from services.notifier.core.channels import ProviderAccepted, ProviderRejected
from services.notifier.core.duty import Rosters
from services.notifier.core.handlers import (
    Handled,
    answer_command,
    handle_input,
    retry_command,
    tick_command,
)
from services.notifier.core.open_alerts import OpenAlerts
from services.notifier.core.reply_codes import assign
from services.notifier.texts.compose import ComposeConfig
from tests.unit.notifier.builders import MONDAY_0800, request, roster_data, rosters

T0 = MONDAY_0800
DAY_PHONE = "+842000000001"  # the police day officer, on duty on Monday 08:00
TWO_WAY = ComposeConfig(
    public_base_url="https://notify.example",
    link_secret=b"k" * 32,
    link_valid=timedelta(hours=24),
    two_way_sms=True,
)


def _two_way_rosters() -> Rosters:
    data = roster_data()
    data["agencies"]["police"]["officers"][0]["two_way_sms"] = True
    return rosters(data)


def _alert_id(n: int) -> str:
    return f"alr_{n:032x}"


def _colliding_alert_ids() -> tuple[str, str]:
    """Two alerts whose first-choice reply code is the same: only the number's open codes can
    tell them apart."""
    first: dict[str, str] = {}
    for n in itertools.count(1):
        code = assign(set(), _alert_id(n))
        if code in first:
            return first[code], _alert_id(n)
        first[code] = _alert_id(n)
    raise AssertionError("unreachable")


def _record(kind: str, data: BaseModel) -> tuple[cloudevents.Headers, bytes]:
    return cloudevents.encode(type=kind, source="tests", data=data)


def _handle(
    record: tuple[cloudevents.Headers, bytes],
    state: AlertState | None,
    open_alerts: OpenAlerts,
    roster: Rosters | None = None,
    now: datetime = T0,
) -> Handled:
    handled = handle_input(
        *record, state, roster or _two_way_rosters(), TWO_WAY, open_alerts.codes, now
    )
    assert isinstance(handled, Handled)
    open_alerts.track(handled.state)  # as the agent does once the state is stored
    return handled


def _requested(alert_id: str, open_alerts: OpenAlerts) -> Handled:
    return _handle(_record(events.ALERT_REQUESTED, request(alert_id=alert_id)), None, open_alerts)


def _sms_code(handled: Handled) -> str | None:
    [sms] = [d for d in handled.dispatches if d.to == DAY_PHONE]
    return sms.reply_code


def test_a_request_starts_the_alert_and_renders_its_first_messages() -> None:
    handled = _requested(_alert_id(1), OpenAlerts())
    assert handled.state.lifecycle is Lifecycle.NOTIFIED
    [sms] = handled.dispatches
    assert (sms.channel, sms.to, sms.alert_id) == ("sms", DAY_PHONE, _alert_id(1))
    assert "https://notify.example/ack/" in sms.body
    assert AuditType.NOTIFIED in [audit.type for audit in handled.audit]


def test_two_open_alerts_to_one_number_get_different_reply_codes() -> None:
    first_id, second_id = _colliding_alert_ids()
    open_alerts = OpenAlerts()
    first, second = _requested(first_id, open_alerts), _requested(second_id, open_alerts)
    assert _sms_code(first) is not None
    assert _sms_code(second) is not None
    assert _sms_code(first) != _sms_code(second)


def test_the_code_given_is_recorded_on_the_state_so_a_rebuilt_index_knows_it() -> None:
    first_id, second_id = _colliding_alert_ids()
    first = _requested(first_id, OpenAlerts())
    [message] = first.state.messages
    assert message.reply_code == _sms_code(first)
    rebuilt = OpenAlerts()
    rebuilt.rebuild([first.state])  # after a restart, from the table
    assert _sms_code(_requested(second_id, rebuilt)) != _sms_code(first)


def test_an_acknowledged_alert_frees_its_code() -> None:
    first_id, second_id = _colliding_alert_ids()
    open_alerts = OpenAlerts()
    first = _requested(first_id, open_alerts)
    ack = AlertCommandV1(
        alert_id=first_id,
        type=CommandType.ACKNOWLEDGE,
        at=T0,
        method=AckMethod.API,
        by="api:test",
    )
    acked = _handle(_record(events.ALERT_COMMAND, ack), first.state, open_alerts)
    assert acked.state.lifecycle is Lifecycle.ACKNOWLEDGED
    assert _sms_code(_requested(second_id, open_alerts)) == _sms_code(first)


def test_a_repeated_input_makes_the_same_messages_and_codes() -> None:
    open_alerts = OpenAlerts()
    once = _requested(_alert_id(7), open_alerts)
    again = handle_input(
        *_record(events.ALERT_REQUESTED, request(alert_id=_alert_id(7))),
        None,  # the crash came before the state was stored
        _two_way_rosters(),
        TWO_WAY,
        open_alerts.codes,
        T0,
    )
    assert isinstance(again, Handled)
    assert [(d.message_id, d.reply_code) for d in again.dispatches] == [
        (d.message_id, d.reply_code) for d in once.dispatches
    ]


def test_a_passed_deadline_escalates_on_the_tick() -> None:
    open_alerts = OpenAlerts()
    started = _requested(_alert_id(2), open_alerts)
    assert started.state.deadline is not None
    later = started.state.deadline + timedelta(seconds=3)
    assert open_alerts.deadlines.to_tick(later) == [_alert_id(2)]
    assert open_alerts.deadlines.to_tick(later) == []  # each deadline once
    tick = _record(events.ALERT_COMMAND, tick_command(_alert_id(2), later))
    moved = _handle(tick, started.state, open_alerts, now=later)
    assert moved.lateness_seconds == [3.0]
    assert [d.channel for d in moved.dispatches] == ["voice"]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (([("ce_type", b"x")], b"{}"), "malformed_envelope"),
        (
            _record(
                events.ALERT_COMMAND,
                AlertCommandV1(alert_id=_alert_id(3), type=CommandType.TICK, at=T0),
            ),
            "no_known_alert",
        ),
    ],
)
def test_what_cannot_be_handled_is_dead_lettered_with_a_bounded_reason(
    record: tuple[cloudevents.Headers, bytes], reason: str
) -> None:
    letter = handle_input(*record, None, rosters(), TWO_WAY, OpenAlerts().codes, T0)
    assert isinstance(letter, DeadLetter)
    assert letter.code == reason
    assert letter.reason


def test_a_repeated_request_changes_nothing_in_flight() -> None:
    open_alerts = OpenAlerts()
    first = _requested(_alert_id(4), open_alerts)
    repeat = _record(events.ALERT_REQUESTED, request(alert_id=_alert_id(4)))
    again = _handle(repeat, first.state, open_alerts, now=T0 + timedelta(minutes=1))
    assert again.state == first.state
    assert again.dispatches == []
    assert again.refusals


def _dispatch() -> DispatchRequestV1:
    return DispatchRequestV1(
        alert_id=_alert_id(5),
        message_id="m0",
        recipient_id="day",
        channel="sms",
        to=DAY_PHONE,
        body="text",
        drill=False,
    )


def test_the_providers_answers_become_commands() -> None:
    accepted = answer_command(_dispatch(), ProviderAccepted("SM1"), T0)
    assert (accepted.type, accepted.provider_id) == (CommandType.SENT, "SM1")
    final = answer_command(_dispatch(), ProviderRejected(False, "twilio-21211", "HTTP 400"), T0)
    assert (final.type, final.code, final.recoverable) == (
        CommandType.SEND_FAILED,
        "twilio-21211",
        False,
    )
    retried = retry_command(_dispatch(), ProviderRejected(True, "twilio-20429", "HTTP 429"), T0)
    assert (retried.type, retried.recoverable) == (CommandType.SEND_FAILED, True)
