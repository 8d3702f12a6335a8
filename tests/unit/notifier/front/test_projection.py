"""The API's read model, fed the records the router and the worker really publish."""

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from contracts.alert import RequestKind
from contracts.alert_command import AckMethod as CommandAckMethod
from contracts.alert_command import AlertCommandV1, CommandType
from contracts.dispatch import DispatchRequestV1
from contracts.events import ALERT_COMMAND, ALERT_EVENT, ALERT_REQUESTED, DISPATCH_REQUEST
from contracts.incident import Severity, Status
from services.notifier.core.ack import AckMethod, AuditEvent, AuditType, Delivery, Lifecycle
from services.notifier.core.channels import ChannelKind
from services.notifier.core.policy import AgencyName
from services.notifier.core.progress import on_command, on_request
from services.notifier.front.projection import (
    Applied,
    Names,
    Projection,
    ReplyProblem,
    ReplyTarget,
)
from services.notifier.texts.compose import ComposeConfig, compose
from tests.unit.notifier.builders import MONDAY_0800, policy, request

T0 = MONDAY_0800
DAY_PHONE = "+842000000001"  # the police day officer on duty on Monday 08:00
CONFIG = ComposeConfig(
    public_base_url="https://safeguard.example",
    link_secret=b"k" * 32,
    link_valid=timedelta(hours=24),
    two_way_sms=True,
)
Record = tuple[str, bytes]


def alert_id(n: int) -> str:
    return f"alr_{n:032x}"


def rec(ce_type: str, model: BaseModel) -> Record:
    return ce_type, model.model_dump_json(exclude_none=True).encode()


def worker_records(
    n: int = 1, at: datetime = T0, ack: bool = False, **request_changes: Any
) -> list[Record]:
    """What the router and the worker publish for one alert: the request, the messages to
    send and the audit trail (and, with `ack`, the SMS-reply acknowledgment's)."""
    alert = request(alert_id=alert_id(n), at=at, **request_changes)
    records = [rec(ALERT_REQUESTED, alert)]
    step = on_request(None, alert, policy(alert.agency_id, at), at)
    assert step.state is not None
    records += [
        rec(DISPATCH_REQUEST, compose(step.state, m, CONFIG, set(), at)) for m in step.outgoing
    ]
    records += [rec(ALERT_EVENT, audit) for audit in step.audit]
    if ack:
        command = AlertCommandV1(
            alert_id=alert.alert_id,
            type=CommandType.ACKNOWLEDGE,
            at=at,
            by="day",
            method=CommandAckMethod.SMS_REPLY,
        )
        acked = on_command(step.state, command, at + timedelta(minutes=3))
        records += [rec(ALERT_EVENT, audit) for audit in acked.audit]
    return records


def projection(*records: Record, names: Names | None = None) -> Projection:
    model = Projection(names)
    for ce_type, body in records:
        assert model.apply(ce_type, body) is Applied.APPLIED
    return model


def audit(n: int, type_: AuditType, lifecycle: Lifecycle, **fields: Any) -> Record:
    event = AuditEvent(
        type=type_,
        alert_id=alert_id(n),
        incident_id="inc_" + "2" * 32,
        agency_id="police",
        at=T0 + timedelta(minutes=1),
        lifecycle=lifecycle,
        **fields,
    )
    return rec(ALERT_EVENT, event)


def sms_with_code(
    n: int, code: str, at: datetime = T0, lifecycle: Lifecycle = Lifecycle.NOTIFIED
) -> list[Record]:
    """An alert whose SMS to the day officer carried reply code `code` (two-way SMS)."""
    dispatch = DispatchRequestV1(
        alert_id=alert_id(n),
        message_id="m0",
        recipient_id="day",
        channel="sms",
        to=DAY_PHONE,
        body="...",
        reply_code=code,
        drill=False,
    )
    return [
        rec(ALERT_REQUESTED, request(alert_id=alert_id(n), at=at)),
        rec(DISPATCH_REQUEST, dispatch),
        audit(n, AuditType.NOTIFIED, lifecycle, tier=1),
    ]


def test_the_worker_s_records_give_the_alert_with_its_facts_tier_and_messages() -> None:
    view = projection(*worker_records()).get(alert_id(1))

    assert view is not None
    assert view.facts is not None
    assert view.facts.reference == "SG-6F1C0A8E"
    assert (view.incident_id, view.agency_id) == ("inc_" + "2" * 32, "police")
    assert view.lifecycle is Lifecycle.NOTIFIED
    assert view.tier == 1
    assert view.requested_at == T0
    assert view.ack_deadline == T0 + timedelta(minutes=30)
    [message] = view.messages
    assert (message.recipient_id, message.channel, message.delivery) == (
        "day",
        ChannelKind.SMS,
        Delivery.QUEUED,
    )
    assert view.acknowledged_by is None
    assert view.live


def test_an_acknowledged_event_records_who_how_when_and_the_time_to_acknowledge() -> None:
    view = projection(*worker_records(ack=True)).get(alert_id(1))

    assert view is not None
    assert view.lifecycle is Lifecycle.ACKNOWLEDGED
    assert not view.live
    assert (view.acknowledged_by, view.ack_method) == ("day", AckMethod.SMS_REPLY)
    assert view.acknowledged_at == T0 + timedelta(minutes=3)
    assert view.time_to_acknowledge() == 180.0


def test_the_order_of_records_across_the_three_topics_does_not_matter() -> None:
    records = worker_records(ack=True)
    by_topic = [
        [r for r in records if r[0] == kind] for kind in dict.fromkeys(r[0] for r in records)
    ]
    expected = projection(*records).get(alert_id(1))
    for order in itertools.permutations(by_topic):
        assert projection(*itertools.chain(*order)).get(alert_id(1)) == expected


def test_a_delivery_receipt_after_the_acknowledgment_does_not_reopen_the_alert() -> None:
    model = projection(
        *worker_records(ack=True),
        audit(1, AuditType.MESSAGE_RECEIPT, Lifecycle.NOTIFIED, message_id="m0", delivery="sent"),
    )
    view = model.get(alert_id(1))
    assert view is not None
    assert view.lifecycle is Lifecycle.ACKNOWLEDGED
    message = view.message("m0")
    assert message is not None
    assert message.delivery is Delivery.SENT


def test_an_updated_request_keeps_the_first_facts_like_the_worker() -> None:
    first, *_ = worker_records()
    update = request(alert_id=alert_id(1), unit_name="Elsewhere").model_copy(
        update={"kind": RequestKind.UPDATE}
    )
    view = projection(first, rec(ALERT_REQUESTED, update)).get(alert_id(1))
    assert view is not None
    assert view.facts is not None
    assert view.facts.unit_name == "Mường Phăng"


def test_other_types_are_ignored_and_bad_bodies_change_nothing() -> None:
    model = projection(*worker_records())
    before = model.get(alert_id(1))

    assert model.apply(ALERT_COMMAND, b"{}") is Applied.IGNORED
    assert model.apply(ALERT_EVENT, b'{"alert_id": 1}') is Applied.UNREADABLE
    assert model.apply(DISPATCH_REQUEST, b"not json") is Applied.UNREADABLE
    assert model.get(alert_id(1)) == before
    assert len(model) == 1


def test_an_alert_only_seen_in_audit_events_has_no_facts_yet() -> None:
    view = projection(audit(1, AuditType.NOTIFIED, Lifecycle.NOTIFIED, tier=1)).get(alert_id(1))
    assert view is not None
    assert view.facts is None
    assert view.agency_id == "police"
    assert Projection().get(alert_id(1)) is None


def test_exported_messages_carry_no_address_or_reply_code() -> None:
    view = projection(*worker_records()).get(alert_id(1))
    assert view is not None
    exported = view.model_dump_json()
    assert DAY_PHONE not in exported
    assert "reply_code" not in exported
    assert '"to"' not in exported


def test_list_filters_by_state_agency_and_incident_newest_first() -> None:
    model = projection(
        *worker_records(1, at=T0),
        *worker_records(2, at=T0 + timedelta(minutes=1), ack=True),
        *worker_records(3, at=T0 + timedelta(minutes=2), agency_id="health"),
    )

    assert [v.alert_id for v in model.list_alerts()] == [alert_id(3), alert_id(2), alert_id(1)]
    assert [v.alert_id for v in model.list_alerts(state=Lifecycle.ACKNOWLEDGED)] == [alert_id(2)]
    assert [v.alert_id for v in model.list_alerts(agency="police")] == [alert_id(2), alert_id(1)]
    assert len(model.list_alerts(incident="inc_" + "2" * 32)) == 3
    assert model.list_alerts(incident="inc_" + "9" * 32) == []
    assert model.list_alerts(state=Lifecycle.EXPIRED, agency="police") == []


def test_a_reply_code_finds_its_alert_and_the_alerted_officer() -> None:
    model = projection(*sms_with_code(1, "47"), *sms_with_code(2, "58"))

    match = model.reply_target(DAY_PHONE, "58")

    assert isinstance(match, ReplyTarget)
    assert not match.already_acknowledged
    assert (match.alert.alert_id, match.recipient_id) == (alert_id(2), "day")


def test_replies_that_cannot_acknowledge_say_why() -> None:
    model = projection(*sms_with_code(1, "47"), *worker_records(2))
    assert model.reply_target("+849999999999", None) is ReplyProblem.NOT_ALERTED
    assert model.reply_target("+849999999999", "47") is ReplyProblem.NOT_ALERTED
    assert model.reply_target(DAY_PHONE, "99") is ReplyProblem.UNKNOWN_CODE
    assert model.reply_target("day@example.invalid", None) is ReplyProblem.NOT_ALERTED


def test_a_bare_reply_takes_the_only_open_alert_and_refuses_to_guess_among_several() -> None:
    one = projection(*worker_records(1))
    match = one.reply_target(DAY_PHONE, None)
    assert isinstance(match, ReplyTarget)
    assert match.alert.alert_id == alert_id(1)
    assert match.recipient_id == "day"

    two = projection(*worker_records(1), *sms_with_code(2, "47"))
    assert two.reply_target(DAY_PHONE, None) is ReplyProblem.AMBIGUOUS


def test_a_reply_to_an_acknowledged_alert_says_it_was_already_acknowledged() -> None:
    model = projection(*sms_with_code(1, "47", lifecycle=Lifecycle.ACKNOWLEDGED))

    for code in ("47", None):
        match = model.reply_target(DAY_PHONE, code)
        assert isinstance(match, ReplyTarget)
        assert match.already_acknowledged


def test_an_expired_alert_s_code_is_expired_and_a_bare_reply_finds_nothing_open() -> None:
    model = projection(*sms_with_code(1, "47", lifecycle=Lifecycle.EXPIRED))
    assert model.reply_target(DAY_PHONE, "47") is ReplyProblem.EXPIRED_CODE
    assert model.reply_target(DAY_PHONE, None) is ReplyProblem.NOTHING_OPEN


@pytest.mark.parametrize("closed", [Lifecycle.ACKNOWLEDGED, Lifecycle.EXPIRED])
def test_a_reused_code_acknowledges_the_open_alert_not_the_closed_one(closed: Lifecycle) -> None:
    """Codes are unique among a number's open alerts only, so a closed alert's comes back."""
    later = T0 + timedelta(hours=1)
    for records in (
        [*sms_with_code(1, "47", lifecycle=closed), *sms_with_code(2, "47", at=later)],
        [*sms_with_code(2, "47", at=later), *sms_with_code(1, "47", lifecycle=closed)],
    ):
        match = projection(*records).reply_target(DAY_PHONE, "47")
        assert isinstance(match, ReplyTarget)
        assert match.alert.alert_id == alert_id(2)
        assert not match.already_acknowledged


def test_counts_for_the_metrics() -> None:
    later = T0 + timedelta(hours=1)
    model = projection(
        *worker_records(1, at=T0),  # Extreme, overdue at `later`
        *worker_records(2, at=later, severity=Severity.MODERATE),  # open, not overdue
        *worker_records(3, at=T0, ack=True),  # acknowledged: neither open nor overdue
        *worker_records(4, at=T0, agency_id="health", status=Status.EXERCISE),
        audit(5, AuditType.NOTIFIED, Lifecycle.NOTIFIED, tier=1),  # no request yet: no severity
    )
    now = later + timedelta(minutes=1)

    assert model.open_by_severity() == {Severity.EXTREME: 2, Severity.MODERATE: 1}
    assert model.overdue_by_severity(now) == {Severity.EXTREME: 2}
    assert model.by_state_and_agency() == {
        (Lifecycle.NOTIFIED, "police"): 3,
        (Lifecycle.ACKNOWLEDGED, "police"): 1,
        (Lifecycle.NOTIFIED, "health"): 1,
    }
    assert model.acknowledgments_by_method() == {AckMethod.SMS_REPLY: 1}
    assert model.times_to_acknowledge() == [180.0]


@pytest.mark.parametrize("lifecycle", [Lifecycle.ACKNOWLEDGED, Lifecycle.EXPIRED])
def test_a_closed_alert_is_never_overdue(lifecycle: Lifecycle) -> None:
    model = projection(*worker_records(1), audit(1, AuditType.EXPIRED, lifecycle))
    assert model.overdue_by_severity(T0 + timedelta(days=1)) == {}
    assert model.open_by_severity() == {}


def test_the_model_reads_dispatch_requests_as_the_contract_defines_them() -> None:
    dispatch = DispatchRequestV1(
        alert_id=alert_id(1),
        message_id="m7",
        recipient_id="desk1",
        channel="voice",
        to="+842000000006",
        body="<Response/>",
        drill=False,
    )
    model = projection(rec(DISPATCH_REQUEST, dispatch))
    match = model.reply_target("+842000000006", None)
    assert isinstance(match, ReplyTarget)
    assert match.recipient_id == "desk1"


def test_names_for_people_come_from_the_rosters_the_id_stays() -> None:
    names = Names(
        agencies={"police": AgencyName(vi="Công an tỉnh", en="Provincial Police")},
        officers={"day": "Trực ban ca ngày"},
    )
    view = projection(*worker_records(ack=True), names=names).get(alert_id(1))
    assert view is not None
    assert view.agency_name == names.agencies["police"]
    assert (view.acknowledged_by, view.acknowledged_by_name) == ("day", "Trực ban ca ngày")


def test_without_names_the_request_s_agency_name_or_nothing() -> None:
    view = projection(*worker_records(ack=True)).get(alert_id(1))
    assert view is not None
    assert (view.agency_name, view.acknowledged_by_name) == (None, None)
    given = request(alert_id=alert_id(1)).model_copy(update={"agency_name": "Công an tỉnh"})
    named = projection(rec(ALERT_REQUESTED, given)).get(alert_id(1))
    assert named is not None
    assert named.agency_name == AgencyName(vi="Công an tỉnh")
