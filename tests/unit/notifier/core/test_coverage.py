"""Coverage of the rosters: planted gaps are found, a covered roster reports nothing, and an
alert whose first tier reaches nobody goes straight on, saying why in its audit trail."""

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.notifier.core import ack
from services.notifier.core.channels import ChannelKind
from services.notifier.core.coverage import Finding, Kind, Span, check, counts, reachable
from services.notifier.core.duty import escalation_policy
from services.notifier.core.progress import advance
from tests.unit.notifier.builders import VN, officer, request, roster_data, rosters

MONDAY = datetime(2026, 11, 30, 0, 0, tzinfo=VN)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def covered_data() -> dict[str, Any]:
    """The builders' rosters with addresses that deliver: nothing to report."""
    data = roster_data()
    for roster in data["agencies"].values():
        for person in roster["officers"]:
            person["email"] = f"{person['id']}@dienbien.gov.vn"
    data["drill_recipient"]["email"] = "drill@dienbien.gov.vn"
    return data


def test_a_fully_covered_roster_reports_nothing() -> None:
    findings = check(rosters(covered_data()), MONDAY)
    assert findings == []
    assert counts(findings) == dict.fromkeys(Kind, 0)


def test_a_planted_gap_is_found_every_day_and_merged_into_ranges() -> None:
    data = covered_data()
    # Police: a day shift 07:30-17:00 and a night shift 18:00-07:30 on every day, no fallback:
    # nobody from 17:00 to 18:00.
    data["agencies"]["police"]["duty"] = {
        "shifts": [
            {"officer": "day", "days": list(WEEKDAYS), "start": "07:30", "end": "17:00"},
            {"officer": "night", "days": list(WEEKDAYS), "start": "18:00", "end": "07:30"},
        ]
    }
    findings = check(rosters(data), MONDAY)
    gaps = [f for f in findings if f.kind is Kind.UNCOVERED]
    assert [(g.agency_id, g.span) for g in gaps] == [
        ("police", Span(MONDAY + timedelta(days=d, hours=17), MONDAY + timedelta(days=d, hours=18)))
        for d in range(14)
    ]
    # Its first tier reaches nobody then, but the deputies and the desk do: no dead end.
    assert [f.kind for f in findings] == [Kind.UNCOVERED] * 14
    assert gaps[0].line() == (
        "uncovered police 2026-11-30 17:00 to 2026-11-30 18:00 Asia/Ho_Chi_Minh: nobody on duty"
    )


@settings(max_examples=40, deadline=None)
@given(st.sets(st.tuples(st.integers(0, 6), st.integers(0, 23)), max_size=20))
def test_uncovered_hours_are_exactly_the_hours_nobody_holds(gaps: set[tuple[int, int]]) -> None:
    """One-hour shifts on every weekly hour but the planted ones, no fallback: the findings are
    the planted hours of 14 days, merged into ranges."""
    data = covered_data()
    shifts = [
        {
            "officer": "nurse",
            "days": [WEEKDAYS[day]],
            "start": f"{hour:02d}:00",
            "end": f"{(hour + 1) % 24:02d}:00",
        }
        for day in range(7)
        for hour in range(24)
        if (day, hour) not in gaps
    ]
    data["agencies"]["health"]["duty"] = {"shifts": shifts}
    found = [f.span for f in check(rosters(data), MONDAY) if f.kind is Kind.UNCOVERED]
    assert found == _merged_hours(gaps)


def _merged_hours(gaps: set[tuple[int, int]]) -> list[Span]:
    spans: list[Span] = []
    for offset in range(14 * 24):
        at = MONDAY + timedelta(hours=offset)
        if (at.weekday(), at.hour) not in gaps:
            continue
        if spans and spans[-1].end == at:
            spans[-1] = Span(spans[-1].start, at + timedelta(hours=1))
        else:
            spans.append(Span(at, at + timedelta(hours=1)))
    return spans


def test_an_officer_without_a_working_contact_for_a_tiers_channel_is_found() -> None:
    data = covered_data()
    data["agencies"]["police"]["escalation"][1]["steps"].append(
        {"channel": "email", "wait_minutes": 5}
    )
    data["agencies"]["police"]["officers"][2]["email"] = "deputy@example.invalid"
    data["agencies"]["police"]["officers"][0]["email"] = "day@example.invalid"  # no e-mail step
    findings = check(rosters(data), MONDAY)
    assert findings == [
        Finding(Kind.NO_CONTACT, "police", officer_id="deputy", channels=(ChannelKind.EMAIL,))
    ]
    line = findings[0].line()
    assert line == "no_contact police officer deputy: no working contact for email steps"
    assert "@" not in line
    assert "+84" not in line


def test_the_duty_desk_needs_a_working_contact_on_the_expiry_channels() -> None:
    data = covered_data()
    data["agencies"]["desk"]["officers"][0]["email"] = "desk1@mail.example.com"
    [finding] = check(rosters(data), MONDAY)
    assert (finding.agency_id, finding.officer_id) == ("desk", "desk1")


def test_reserved_domains_never_deliver_but_real_ones_do() -> None:
    person = rosters(covered_data()).officers()["day"]
    for email in ("a@example.invalid", "a@x.test", "a@example.org", "a@LOCALHOST"):
        assert not reachable(person.model_copy(update={"email": email}), ChannelKind.EMAIL)
    assert reachable(person, ChannelKind.EMAIL)
    assert reachable(person, ChannelKind.SMS)
    assert reachable(person, ChannelKind.VOICE)


def test_an_escalation_that_reaches_nobody_is_a_dead_end_for_the_uncovered_hours() -> None:
    data = covered_data()
    night = {"officer": "desk1", "days": list(WEEKDAYS), "start": "08:00", "end": "20:00"}
    data["agencies"]["desk"]["duty"] = {"shifts": [night]}
    data["agencies"]["health"]["duty"] = {
        "shifts": [{"officer": "nurse", "days": list(WEEKDAYS), "start": "06:00", "end": "22:00"}]
    }
    findings = check(rosters(data), MONDAY, timedelta(days=1))
    dead = [(f.agency_id, f.span) for f in findings if f.kind is Kind.DEAD_END]
    # health: nobody from 22:00 to 06:00, and the desk is empty from 20:00 to 08:00.
    assert dead == [
        ("health", Span(MONDAY, MONDAY + timedelta(hours=6))),
        ("health", Span(MONDAY + timedelta(hours=22), MONDAY + timedelta(days=1))),
        ("desk", Span(MONDAY, MONDAY + timedelta(hours=8))),
        ("desk", Span(MONDAY + timedelta(hours=20), MONDAY + timedelta(days=1))),
    ]
    # The police's explicit tier 2 always reaches its deputies.
    assert all(f.agency_id != "police" for f in findings if f.kind is Kind.DEAD_END)


def test_a_dated_assignment_closes_a_gap_for_its_period() -> None:
    data = covered_data()
    data["agencies"]["health"]["duty"] = {
        "assignments": [
            {"officer": "nurse", "from": "2026-11-30T00:00", "until": "2026-12-07T00:00"}
        ]
    }
    gaps = [f.span for f in check(rosters(data), MONDAY) if f.kind is Kind.UNCOVERED]
    assert gaps == [Span(MONDAY + timedelta(days=7), MONDAY + timedelta(days=14))]


# At run time: an alert for an uncovered post --------------------------------------------------


def uncovered_police() -> dict[str, Any]:
    data = roster_data()
    data["agencies"]["police"]["duty"] = {
        "shifts": [{"officer": "day", "days": ["mon"], "start": "07:30", "end": "17:00"}]
    }
    return data


def test_an_alert_for_an_uncovered_post_goes_straight_to_the_next_tier_saying_why() -> None:
    evening = datetime(2026, 11, 30, 20, 0, tzinfo=VN)
    policy = escalation_policy(rosters(uncovered_police()), "police", evening)
    assert [[o.id for o in tier.recipients] for tier in policy.tiers] == [
        ["deputy", "head"],
        ["desk1"],
    ]
    assert policy.skipped == (
        "roster tier 1 reaches nobody (nobody on duty): went straight to the next tier"
    )
    progress = advance(ack.start(request("police", at=evening), policy), evening)
    first = progress.audit[0]
    assert (first.type, first.tier, first.detail) == ("alert.notified", 1, policy.skipped)
    assert [m.recipient_id for m in progress.outgoing] == ["deputy", "head"]
    assert all(a.detail is None for a in progress.audit[1:])


def test_a_covered_post_keeps_its_tiers_and_says_nothing() -> None:
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=VN)
    policy = escalation_policy(rosters(uncovered_police()), "police", monday)
    assert [t.recipients[0].id for t in policy.tiers] == ["day", "deputy", "desk1"]
    assert policy.skipped is None
    progress = advance(ack.start(request("police", at=monday), policy), monday)
    assert progress.audit[0].detail is None


def test_when_no_tier_reaches_anyone_the_alert_goes_to_the_duty_desk() -> None:
    data = roster_data()
    data["agencies"]["health"]["duty"] = {}
    evening = datetime(2026, 11, 30, 20, 0, tzinfo=VN)
    policy = escalation_policy(rosters(data), "health", evening)
    assert [(t.number, [o.id for o in t.recipients]) for t in policy.tiers] == [(1, ["desk1"])]
    assert policy.tiers[0].steps == rosters(data).agencies["desk"].escalation[0].steps
    assert policy.skipped == (
        "roster tier 1 reaches nobody (nobody on duty): went straight to the duty desk"
    )


def test_when_the_duty_desk_is_uncovered_too_the_reason_says_so() -> None:
    data = roster_data()
    data["agencies"]["health"]["duty"] = {}
    data["agencies"]["desk"]["duty"] = {}
    policy = escalation_policy(rosters(data), "health", datetime(2026, 11, 30, tzinfo=VN))
    assert policy.skipped == (
        "roster tier 1 reaches nobody (nobody on duty), nor does the duty desk: nobody to alert"
    )
    assert [t.recipients for t in policy.tiers] == [()]
    at = datetime(2026, 11, 30, tzinfo=VN)
    progress = advance(ack.start(request("health", at=at), policy), at)
    # Nothing to send: the alert waits, requested and soon overdue, which pages the humans
    # (SafeguardCriticalAlertUnacknowledged); `rosters check` reports the hours as a dead end.
    assert progress.outgoing == []
    assert progress.refusals == ["no messages"]


def test_the_duty_desk_fallback_uses_its_own_tiers_that_reach_someone() -> None:
    data = roster_data()
    data["agencies"]["health"]["duty"] = {}
    data["agencies"]["desk"]["officers"].append(officer("desk-head", 7))
    data["agencies"]["desk"]["duty"] = {}
    data["agencies"]["desk"]["escalation"].append(
        {"recipients": ["desk-head"], "steps": [{"channel": "voice", "wait_minutes": 5}]}
    )
    policy = escalation_policy(rosters(data), "health", datetime(2026, 11, 30, tzinfo=VN))
    assert [(t.number, [o.id for o in t.recipients]) for t in policy.tiers] == [(1, ["desk-head"])]
    assert policy.skipped is not None
    assert policy.skipped.endswith("went straight to the duty desk")
