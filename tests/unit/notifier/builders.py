"""Small rosters, alert requests and states for the notifier's unit tests."""

import copy
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.alert import AlertFacts, AlertRequestedV1, RequestKind
from contracts.incident import Category, Certainty, Severity, Status, Urgency
from services.notifier.core import ack
from services.notifier.core.ack import AlertState, MessageRef, StepDispatched
from services.notifier.core.channels import ChannelKind
from services.notifier.core.duty import Rosters, escalation_policy
from services.notifier.core.policy import EscalationPolicy, Officer, Position
from services.notifier.roster import parse_rosters

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_0800 = datetime(2026, 11, 30, 8, 0, tzinfo=VN)
ALERT_ID = "alr_" + "1" * 32
INCIDENT_ID = "inc_" + "2" * 32


def officer(officer_id: str, phone_suffix: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": officer_id,
        "name": f"{officer_id} (test)",
        "phone": f"+8420000000{phone_suffix:02d}",
        "email": f"{officer_id}@example.invalid",
        **extra,
    }


ROSTER_DATA: dict[str, Any] = {
    "duty_desk": "desk",
    "drill_recipient": officer("drill", 99),
    "agencies": {
        "police": {
            "officers": [
                officer("day", 1, backup_phone="+842000000011"),
                officer("night", 2),
                officer("deputy", 3),
                officer("head", 4, language="en"),
            ],
            "duty": {
                "shifts": [
                    {"officer": "day", "days": ["mon", "tue"], "start": "07:30", "end": "17:00"}
                ],
                "always": "night",
            },
            "escalation": [
                {
                    "recipients": "on_duty",
                    "steps": [
                        {"channel": "sms", "wait_minutes": 5},
                        {"channel": "voice", "wait_minutes": 5},
                    ],
                },
                {
                    "recipients": ["deputy", "head"],
                    "steps": [{"channel": "sms", "wait_minutes": 10}],
                },
                {"recipients": "duty_desk", "steps": [{"channel": "sms", "wait_minutes": 10}]},
            ],
        },
        "health": {
            "officers": [officer("nurse", 5)],
            "duty": {"always": "nurse"},
            "escalation": [
                {"recipients": "on_duty", "steps": [{"channel": "sms", "wait_minutes": 20}]}
            ],
        },
        "desk": {
            "officers": [officer("desk1", 6)],
            "duty": {"always": "desk1"},
            "escalation": [
                {"recipients": "on_duty", "steps": [{"channel": "sms", "wait_minutes": 5}]}
            ],
        },
    },
}


def roster_data() -> dict[str, Any]:
    return copy.deepcopy(ROSTER_DATA)


def rosters(data: dict[str, Any] | None = None) -> Rosters:
    return parse_rosters(data if data is not None else roster_data(), "test.yaml")


def facts(**changes: Any) -> AlertFacts:
    values: dict[str, Any] = {
        "reference": "SG-6F1C0A8E",
        "status": Status.ACTUAL,
        "category": Category.SEXUAL_ABUSE,
        "severity": Severity.EXTREME,
        "urgency": Urgency.IMMEDIATE,
        "certainty": Certainty.LIKELY,
        "geocode": "03127",
        "unit_name": "Mường Phăng",
        "child_age": 9,
        "immediate_danger": True,
        "needs_shelter": True,
    }
    return AlertFacts(**(values | changes))


def request(
    agency_id: str = "police",
    alert_id: str = ALERT_ID,
    at: datetime = MONDAY_0800,
    ack_within: timedelta = timedelta(minutes=30),
    **fact_changes: Any,
) -> AlertRequestedV1:
    return AlertRequestedV1(
        alert_id=alert_id,
        incident_id=INCIDENT_ID,
        kind=RequestKind.NEW,
        agency_id=agency_id,
        agency_kind="police",
        rule_path=["root", "severe"],
        rules_version="test",
        fallback=False,
        ack_deadline=at + ack_within,
        requested_at=at,
        facts=facts(**fact_changes),
    )


def policy(agency_id: str = "police", at: datetime = MONDAY_0800) -> EscalationPolicy:
    return escalation_policy(rosters(), agency_id, at)


def new_state(agency_id: str = "police", alert_id: str = ALERT_ID, **kw: Any) -> AlertState:
    return ack.start(request(agency_id, alert_id, **kw), policy(agency_id))


def refs(recipients: tuple[Officer, ...], channel: ChannelKind, tag: str) -> tuple[MessageRef, ...]:
    return tuple(
        MessageRef(message_id=f"{tag}-{r.id}", recipient_id=r.id, channel=channel)
        for r in recipients
    )


def dispatch(state: AlertState, at: datetime, minutes: int = 5) -> AlertState:
    """Dispatch the pending step to its tier, as the agent would."""
    assert state.pending is not None
    position: Position = state.pending
    tier = state.policy.tier(position.tier)
    channel = state.policy.step_at(position).channel
    event = StepDispatched(
        position=position,
        deadline=at + timedelta(minutes=minutes),
        messages=refs(tier.recipients, channel, f"t{position.tier}s{position.step}"),
        at=at,
    )
    transition = ack.apply(state, event)
    assert transition.ok, transition.reason
    return transition.state
