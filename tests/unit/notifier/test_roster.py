"""Rosters: validated configuration, and who is on duty when."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.incident import Status
from services.config import ConfigError
from services.notifier.core.duty import UnknownAgency, escalation_policy, on_duty
from services.notifier.core.policy import EscalationPolicy, Language, Position
from services.notifier.roster import load_rosters, parse_rosters
from tests.unit.notifier.builders import VN, roster_data, rosters

SAMPLE = Path(__file__).parents[3] / "config" / "dienbien" / "rosters.yaml"
AGENCIES = SAMPLE.with_name("agencies.yaml")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in the week of Monday 30 November 2026."""
    return datetime(2026, 11, 30, hour, minute, tzinfo=VN) + timedelta(days=day)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(0, 7, 29), "night"),  # Monday before the shift: the `always` fallback
        (at(0, 7, 30), "day"),  # the shift starts inclusive
        (at(1, 16, 59), "day"),
        (at(1, 17, 0), "night"),  # and ends exclusive
        (at(2, 10, 0), "night"),  # Wednesday is not a shift day
        (at(0, 3, 0).astimezone(UTC), "night"),  # any time zone in, local time decides
        (at(0, 1, 0).astimezone(UTC) + timedelta(hours=7), "day"),  # 08:00 local given in UTC
    ],
)
def test_on_duty_follows_weekly_shifts_then_the_fallback(moment: datetime, expected: str) -> None:
    assert on_duty(rosters(), "police", moment).id == expected


def _with_duty(duty: dict[str, Any]) -> Any:
    data = roster_data()
    data["agencies"]["police"]["duty"] = duty
    return rosters(data)


def test_an_overnight_shift_runs_past_midnight_from_its_start_day() -> None:
    shift = {"officer": "day", "days": ["fri"], "start": "22:00", "end": "06:00"}
    r = _with_duty({"shifts": [shift], "always": "night"})
    assert on_duty(r, "police", at(4, 23, 0)).id == "day"  # Friday night
    assert on_duty(r, "police", at(5, 5, 59)).id == "day"  # Saturday morning
    assert on_duty(r, "police", at(5, 6, 0)).id == "night"
    assert on_duty(r, "police", at(3, 23, 0)).id == "night"  # Thursday night


def test_a_dated_assignment_wins_over_the_shifts() -> None:
    shift = {"officer": "day", "days": ["mon"], "start": "00:00", "end": "00:00"}
    cover = {"officer": "deputy", "from": "2026-11-30T12:00", "until": "2026-12-01T00:00"}
    r = _with_duty({"assignments": [cover], "shifts": [shift], "always": "night"})
    assert on_duty(r, "police", at(0, 11, 59)).id == "day"
    assert on_duty(r, "police", at(0, 12, 0)).id == "deputy"
    assert on_duty(r, "police", at(1, 0, 0)).id == "night"


def test_on_duty_needs_an_aware_time_and_a_known_agency() -> None:
    with pytest.raises(ValueError, match="aware"):
        on_duty(rosters(), "police", datetime(2026, 11, 30, 8, 0))
    with pytest.raises(UnknownAgency):
        on_duty(rosters(), "nobody", at(0, 8))


def test_escalation_policy_resolves_every_tier() -> None:
    policy = escalation_policy(rosters(), "police", at(0, 8))
    assert [[r.id for r in tier.recipients] for tier in policy.tiers] == [
        ["day"],
        ["deputy", "head"],
        ["desk1"],
    ]
    assert [s.channel for s in policy.tier(1).steps] == ["sms", "voice"]
    assert [r.id for r in policy.on_expiry.recipients] == ["desk1"]
    assert policy.on_expiry.channels == ("sms", "email")
    assert [r.id for r in policy.recipients()] == ["day", "deputy", "head", "desk1"]
    assert policy.next_position(Position(tier=1, step=2)) == Position(tier=2, step=1)
    assert policy.next_position(Position(tier=3, step=1)) is None


def test_the_policy_is_a_frozen_serialisable_snapshot() -> None:
    policy = escalation_policy(rosters(), "police", at(0, 8))
    assert EscalationPolicy.model_validate_json(policy.model_dump_json()) == policy
    with pytest.raises(ValueError, match="frozen"):
        policy.drill = True  # type: ignore[misc]


@pytest.mark.parametrize("status", [Status.EXERCISE, Status.TEST])
def test_a_drill_replaces_every_recipient(status: Status) -> None:
    policy = escalation_policy(rosters(), "police", at(0, 8), status)
    assert policy.drill
    assert {r.id for r in policy.recipients()} == {"drill"}
    assert len(policy.tiers) == 3  # the same steps, so a drill rehearses the real timing


def test_an_agency_without_a_roster_is_escalated_with_the_duty_desks() -> None:
    policy = escalation_policy(rosters(), "unknown-shelter", at(0, 8))
    assert (policy.agency_id, policy.roster_agency_id) == ("unknown-shelter", "desk")
    assert [r.id for r in policy.tier(1).recipients] == ["desk1"]


# Validation ----------------------------------------------------------------------------------


def _problems(mutate: Any) -> str:
    data = roster_data()
    mutate(data)
    with pytest.raises(ConfigError) as error:
        parse_rosters(data, "rosters.yaml")
    assert all(line.startswith("rosters.yaml: ") for line in error.value.problems)
    return str(error.value)


def _police(data: dict[str, Any]) -> dict[str, Any]:
    police: dict[str, Any] = data["agencies"]["police"]
    return police


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: _police(d)["officers"][1].update(phone="0912345678"),
            "agencies.police.officers[1].phone",
        ),
        (
            lambda d: _police(d)["officers"][0].update(language="fr"),
            "agencies.police.officers[0].language",
        ),
        (
            lambda d: _police(d)["duty"]["shifts"][0].update(start=450),
            "agencies.police.duty.shifts[0].start: write times as quoted",
        ),
        (
            lambda d: _police(d)["duty"]["shifts"][0].update(days=["monday"]),
            "agencies.police.duty.shifts[0].days[0]",
        ),
        (
            lambda d: _police(d)["escalation"][0]["steps"][0].update(channel="fax"),
            "agencies.police.escalation[0].steps[0].channel",
        ),
        (
            lambda d: _police(d)["escalation"][1].update(recipients=["ghost"]),
            "agencies.police.escalation[1].recipients[0]: no officer 'ghost'",
        ),
        (
            lambda d: _police(d)["duty"].update(always="ghost"),
            "agencies.police.duty.always: no officer 'ghost'",
        ),
        (
            lambda d: _police(d)["officers"][1].update(id="day"),
            "agencies.police.officers[1].id: duplicate officer id 'day' in this agency",
        ),
        (lambda d: d.update(duty_desk="nowhere"), "duty_desk: no roster for agency 'nowhere'"),
        (lambda d: d.update(time_zone="Mars/Olympus"), "time_zone: unknown time zone"),
        (lambda d: d.pop("drill_recipient"), "drill_recipient: Field required"),
        (lambda d: _police(d).update(pager=True), "agencies.police.pager: unknown field"),
        (
            lambda d: _police(d)["duty"].update(
                assignments=[{"officer": "day", "from": "2026-12-02T00:00", "until": "2026-12-01"}]
            ),
            "agencies.police.duty.assignments[0]: 'until' must be after 'from'",
        ),
    ],
)
def test_invalid_rosters_name_the_file_and_the_path(mutate: Any, expected: str) -> None:
    assert expected in _problems(mutate)


def test_a_tier_may_name_an_officer_of_another_agency() -> None:
    data = roster_data()
    data["agencies"]["health"]["escalation"].append(
        {"recipients": ["deputy"], "steps": [{"channel": "sms", "wait_minutes": 5}]}
    )
    policy = escalation_policy(rosters(data), "health", at(0, 8))
    assert [r.id for r in policy.tier(2).recipients] == ["deputy"]


def test_one_person_with_two_posts_is_listed_identically() -> None:
    data = roster_data()
    night = dict(_police(data)["officers"][1])
    data["agencies"]["health"]["officers"].append(night)
    data["agencies"]["health"]["duty"] = {"always": "night"}
    assert on_duty(rosters(data), "health", at(0, 8)).id == "night"
    data["agencies"]["health"]["officers"][-1] = night | {"phone": "+842000000077"}
    with pytest.raises(
        ConfigError,
        match=r"agencies\.health\.officers\[1\]: officer 'night' "
        r"differs from the one at agencies\.police\.officers\[1\]",
    ):
        rosters(data)


def test_the_drill_recipient_id_is_not_someone_else() -> None:
    data = roster_data()
    data["drill_recipient"]["id"] = "day"
    with pytest.raises(ConfigError, match="differs from the one at drill_recipient"):
        rosters(data)


def test_load_reports_unreadable_yaml_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "rosters.yaml"
    path.write_text("agencies: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        load_rosters(path)
    with pytest.raises(ConfigError, match=r"missing\.yaml"):
        load_rosters(tmp_path / "missing.yaml")


def test_an_unquoted_yaml_time_is_refused_not_misread(tmp_path: Path) -> None:
    text = yaml.safe_dump(roster_data())
    assert "end: '17:00'" in text
    text = text.replace("end: '17:00'", "end: 17:00")  # YAML 1.1 reads this as 1020
    path = tmp_path / "rosters.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="quoted"):
        load_rosters(path)


# The sample rosters ---------------------------------------------------------------------------


def test_the_sample_rosters_load_and_use_placeholder_addresses_only() -> None:
    sample = load_rosters(SAMPLE)
    officers = [sample.drill_recipient] + [o for r in sample.agencies.values() for o in r.officers]
    for officer in officers:
        assert officer.phone.startswith("+8420000000"), officer.id
        assert officer.backup_phone is None or officer.backup_phone.startswith("+8420000000")
        assert officer.email.endswith("@example.invalid"), officer.id
    phones = [o.phone for o in officers]
    assert len(set(phones)) == len(phones)


def test_every_sample_agency_has_someone_on_duty_around_the_clock() -> None:
    sample = load_rosters(SAMPLE)
    for agency_id in sample.agencies:
        for hour in range(0, 24 * 7, 1):
            assert on_duty(sample, agency_id, at(0, 0) + timedelta(hours=hour))
        policy = escalation_policy(sample, agency_id, at(0, 8))
        assert policy.on_expiry.recipients


def test_the_sample_rosters_match_the_agency_directory() -> None:
    entries = yaml.safe_load(AGENCIES.read_text(encoding="utf-8"))["agencies"]
    sample = load_rosters(SAMPLE)
    assert set(sample.agencies) == {entry["id"] for entry in entries}
    (desk,) = [e["id"] for e in entries if e["kind"] == "province_duty_desk"]
    assert sample.duty_desk == desk


def test_the_sample_names_every_agency_and_officer_for_people_not_by_id() -> None:
    sample = load_rosters(SAMPLE)
    assert set(sample.agency_names) >= set(sample.agencies)
    police = escalation_policy(sample, "dienbien-police", at(0, 8)).agency_name
    assert police is not None
    assert police.vi == "Công an tỉnh Điện Biên"
    assert police.en == "Điện Biên Provincial Police"
    for officer_id, name in sample.officer_names().items():
        assert name != officer_id
        assert " " in name, officer_id  # a name people read, not an id


def test_agency_names_come_from_agencies_yaml_beside_the_rosters(tmp_path: Path) -> None:
    path = tmp_path / "rosters.yaml"
    path.write_text(yaml.safe_dump(roster_data()), encoding="utf-8")
    assert load_rosters(path).agency_names == {}
    assert escalation_policy(load_rosters(path), "police", at(0, 8)).agency_name is None
    agencies = {"agencies": [{"id": "police", "name_vi": "Công an", "kind": "police"}]}
    (tmp_path / "agencies.yaml").write_text(yaml.safe_dump(agencies), encoding="utf-8")
    loaded = load_rosters(path)
    policy = escalation_policy(loaded, "police", at(0, 8))
    assert policy.agency_name is not None
    assert policy.agency_name.in_language(Language.EN) == "Công an"  # no English name: Vietnamese
    agencies["agencies"][0]["name_vi"] = ""
    (tmp_path / "agencies.yaml").write_text(yaml.safe_dump(agencies), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"agencies\.yaml: agencies\[0\]\.name_vi"):
        load_rosters(path)


def test_agency_names_are_not_written_in_the_rosters_file() -> None:
    data = roster_data() | {"agency_names": {"police": {"vi": "Công an"}}}
    with pytest.raises(ConfigError, match=r"agency_names: not set here; read from agencies\.yaml"):
        rosters(data)
