"""Routing: tree walking, target selection, deduplication, fallback and the alert request."""

from datetime import timedelta
from typing import Any

from contracts.alert import AlertRequestedV1, RequestKind
from contracts.sensitivity import personal_field_paths
from services.router.routing import (
    Decision,
    TriageKind,
    alert_id,
    route,
    to_alert_request,
    triage,
)
from tests.unit.router.builders import (
    INCIDENT_ID,
    MERGED,
    NOW,
    OLD_DISTRICT,
    SPLIT,
    agency,
    incident,
    reported,
    rule_set,
    sample,
    tiny_directory,
)

DIRECTORY = tiny_directory(
    agency("police", "police"),
    agency("officer-a", "commune_child_protection_officer", "00001"),
    agency("officer-b", "commune_child_protection_officer", "00002"),
    agency("health", "health_child_protection"),
    agency("school-a", "school", "00001"),
    agency("far-shelter", "shelter", shelter={"takes_children": True, "unit": "00002"}),
    agency("near-shelter", "shelter", shelter={"takes_children": True, "unit": "00001"}),
    agency("adults-only", "shelter", shelter={"takes_children": False, "unit": "00001"}),
    agency("z-shelter", "shelter", shelter={"takes_children": True, "unit": "00003"}),
    schools=({"id": "SCH-A", "name": "School A", "unit": "00001", "agency": "school-a"},),
)


def _root(*routes: dict[str, Any]) -> dict[str, Any]:
    return {"name": "root", "ack_deadline": "1h", "targets": ["agency:desk"], "routes": routes}


def _route(rules: dict[str, Any], directory: Any = DIRECTORY, **fields: Any) -> list[Decision]:
    body = incident(area={"geocode": "00001"}, **fields)
    return route(reported(body), directory, rule_set(rules), NOW)


def _picked(decisions: list[Decision]) -> list[tuple[str, str]]:
    return [(d.agency_id, "/".join(d.rule_path)) for d in decisions]


def test_the_first_matching_child_wins() -> None:
    rules = _root(
        {"name": "a", "match": {"category": ["neglect"]}, "targets": ["police"]},
        {"name": "b", "match": {"category": ["neglect"]}, "targets": ["health_child_protection"]},
    )

    assert _picked(_route(rules, category="neglect")) == [("police", "root/a")]


def test_continue_tries_the_next_siblings_and_keeps_the_default() -> None:
    rules = _root(
        {"name": "a", "match": {"category": ["neglect"]}, "continue": True, "targets": ["police"]},
        {"name": "b", "match": {"category": ["violence"]}, "targets": ["health_child_protection"]},
    )

    assert _picked(_route(rules, category="neglect")) == [
        ("police", "root/a"),
        ("desk", "root"),
    ]


def test_a_parent_s_targets_apply_only_when_no_child_settled_the_incident() -> None:
    rules = _root(
        {
            "name": "abuse",
            "match": {"category": ["neglect"]},
            "targets": ["commune_child_protection_officer"],
            "routes": [
                {"name": "severe", "match": {"min_severity": "Severe"}, "targets": ["police"]}
            ],
        }
    )

    assert _picked(_route(rules, category="neglect")) == [("officer-a", "root/abuse")]
    assert _picked(_route(rules, category="neglect", severity="Extreme")) == [
        ("police", "root/abuse/severe")
    ]


def test_only_the_default_route_is_marked_fallback() -> None:
    rules = _root({"name": "a", "match": {"category": ["neglect"]}, "targets": ["police"]})

    [specific] = _route(rules, category="neglect")
    [default] = _route(rules, category="other")

    assert (specific.agency_id, specific.fallback) == ("police", False)
    assert (default.agency_id, default.rule_path, default.fallback) == ("desk", ("root",), True)


def test_kind_targets_pick_only_agencies_covering_the_place() -> None:
    rules = _root(
        {"name": "a", "targets": ["commune_child_protection_officer", "health_child_protection"]}
    )

    assert [d.agency_id for d in _route(rules)] == ["officer-a", "health"]


def test_when_no_agency_covers_the_place_the_duty_desk_takes_it_urgently() -> None:
    rules = _root(
        {
            "name": "urgent",
            "match": {"category": ["neglect"]},
            "ack_deadline": "10m",
            "targets": ["commune_child_protection_officer"],
        }
    )
    body = incident(category="neglect", area={"geocode": "00003"})

    [decision] = route(reported(body), DIRECTORY, rule_set(rules), NOW)

    assert decision.agency_id == "desk"
    assert decision.rule_path == ("root", "urgent")
    assert decision.fallback
    assert decision.ack_deadline == NOW + timedelta(minutes=10)


def test_an_agency_picked_twice_keeps_the_first_path_and_the_shortest_deadline() -> None:
    rules = _root(
        {
            "name": "a",
            "continue": True,
            "ack_deadline": "2h",
            "targets": ["police", "health_child_protection"],
        },
        {"name": "b", "ack_deadline": "15m", "targets": ["health_child_protection"]},
    )

    decisions = _route(rules)

    assert _picked(decisions) == [("police", "root/a"), ("health", "root/a")]
    assert [d.ack_deadline - NOW for d in decisions] == [timedelta(hours=2), timedelta(minutes=15)]


def test_deadlines_are_inherited_from_the_parent() -> None:
    rules = _root({"name": "a", "routes": [{"name": "b", "targets": ["police"]}]})

    [decision] = _route(rules)

    assert decision.ack_deadline == NOW + timedelta(hours=1)


def test_the_child_s_school_is_alerted_wherever_the_incident_happened() -> None:
    rules = _root({"name": "a", "targets": ["child_school"]})
    body = incident(area={"geocode": "00002"}, child={"school_id": "SCH-A"})

    [decision] = route(reported(body), DIRECTORY, rule_set(rules), NOW)

    assert decision.agency_id == "school-a"


def test_an_unknown_school_picks_nothing() -> None:
    rules = _root({"name": "a", "continue": True, "targets": ["child_school"]})

    assert [d.agency_id for d in _route(rules, child={"school_id": "NOT-LISTED"})] == ["desk"]


def test_an_unknown_school_also_reaches_the_duty_desk_with_the_reason() -> None:
    decisions = _at("00001", category="neglect", child={"school_id": "NOT-LISTED"})

    assert _picked(decisions)[-1] == ("desk", "root/local")
    assert {d.place_reason for d in decisions} == {
        "unknown school id NOT-LISTED: the child's school cannot be told, the duty desk finds it"
    }
    body = incident(area={"geocode": "99999"}, child={"school_id": "NOT-LISTED"})
    both = [TriageKind.UNKNOWN_UNIT, TriageKind.UNKNOWN_SCHOOL]
    assert triage(reported(body).incident, SPLIT_DIRECTORY) == both
    assert triage(reported(incident(area={"geocode": "00001"})).incident, SPLIT_DIRECTORY) == []


def test_the_nearest_shelter_taking_children_only_when_shelter_is_needed() -> None:
    rules = _root({"name": "a", "continue": True, "targets": ["nearest_shelter"]})
    shelter = {"needs_shelter": True}

    def chosen(geocode: str, flags: dict[str, bool]) -> list[str]:
        body = incident(area={"geocode": geocode}, flags=flags)
        return [d.agency_id for d in route(reported(body), DIRECTORY, rule_set(rules), NOW)]

    assert chosen("00001", shelter) == ["near-shelter", "desk"]
    assert chosen("00002", shelter) == ["far-shelter", "desk"]
    assert chosen("00003", shelter) == ["z-shelter", "desk"]  # no position: same unit first
    assert chosen("99999", shelter) == ["far-shelter", "desk"]  # then by id
    assert chosen("00001", {}) == ["desk"]


def test_the_nearest_shelter_is_ranked_by_distance() -> None:
    directory, rules = sample()
    body = incident(category="neglect", area={"geocode": "03325"}, flags={"needs_shelter": True})

    shelters = [
        d.agency_id
        for d in route(reported(body), directory, rules, NOW)
        if d.agency_kind == "shelter"
    ]

    assert shelters == ["shelter-sunshine-house"]


def test_decisions_carry_the_rules_version() -> None:
    rules = rule_set(_root(), version="v42")

    [decision] = route(reported(incident()), DIRECTORY, rules, NOW)

    assert decision.rules_version == "v42"


def test_alert_request_carries_the_decision_and_operational_facts_only() -> None:
    directory, rules = sample()
    body = incident(
        category="neglect",
        area={
            "geocode": "03349",
            "area_desc": "CANARY-PLACE",
            "latitude": 21.3,
            "longitude": 103.0,
        },
        child={"age": 9, "name": "CANARY-NAME", "school_id": "THCS-THANHYEN"},
        description="CANARY-DESCRIPTION",
        reporter={"name": "CANARY-REPORTER", "phone": "+84900000000"},
    )
    event = reported(body)
    decision = route(event, directory, rules, NOW)[0]

    request = to_alert_request(decision, event, directory, NOW, RequestKind.NEW)

    assert request.alert_id == alert_id(INCIDENT_ID, decision.agency_id)
    assert request.alert_id.startswith("alr_")
    assert len(request.alert_id) == 36
    assert request.rule_path == list(decision.rule_path)
    assert request.ack_deadline == decision.ack_deadline
    assert request.requested_at == NOW
    assert request.kind is RequestKind.NEW
    assert request.facts.reference == "SG-6F1C0A8E"
    assert request.facts.unit_name == "Xã Thanh Yên"
    assert request.facts.child_age == 9
    assert "CANARY" not in request.model_dump_json()
    assert "+84900000000" not in request.model_dump_json()
    assert "21.3" not in request.model_dump_json()
    assert personal_field_paths(AlertRequestedV1) == []


def test_alert_ids_are_stable_and_differ_per_agency_and_incident() -> None:
    assert alert_id(INCIDENT_ID, "police") == alert_id(INCIDENT_ID, "police")
    assert alert_id(INCIDENT_ID, "police") != alert_id(INCIDENT_ID, "health")
    assert alert_id(INCIDENT_ID, "police") != alert_id("inc_" + "1" * 32, "police")


def test_an_unknown_place_says_so_with_its_code() -> None:
    directory, rules = sample()
    event = reported(incident(area={"geocode": "99999"}))
    [decision] = route(event, directory, rules, NOW)

    request = to_alert_request(decision, event, directory, NOW, RequestKind.UPDATE)

    assert request.agency_id == "duty-desk"
    assert request.facts.unit_name == "địa bàn không rõ (mã 99999)"  # not "tại 99999" in the SMS


def test_a_named_agency_is_picked_only_where_it_covers_the_place() -> None:
    rules = _root({"name": "a", "continue": True, "targets": ["agency:officer-b"]})

    assert [d.agency_id for d in _route(rules)] == ["desk"]
    body = incident(area={"geocode": "00002"})
    chosen = route(reported(body), DIRECTORY, rule_set(rules), NOW)
    assert [d.agency_id for d in chosen] == ["officer-b", "desk"]


SPLIT_DIRECTORY = tiny_directory(
    agency("officer-a", "commune_child_protection_officer", "00001"),
    agency("officer-b", "commune_child_protection_officer", "00002"),
    agency("health", "health_child_protection"),
    agency("shelter-b", "shelter", shelter={"takes_children": True, "unit": "00002"}),
    agency("shelter-c", "shelter", shelter={"takes_children": True, "unit": "00003"}),
    legacy=(SPLIT, MERGED, OLD_DISTRICT),
)
LOCAL = _root(
    {
        "name": "local",
        "match": {"category": ["neglect"]},
        "targets": ["commune_child_protection_officer", "health_child_protection"],
    },
    {
        "name": "shelter",
        "match": {"flags": {"needs_shelter": True}},
        "targets": ["nearest_shelter"],
    },
)


def _at(geocode: str, **fields: Any) -> list[Decision]:
    body = incident(area={"geocode": geocode}, **fields)
    return route(reported(body), SPLIT_DIRECTORY, rule_set(LOCAL), NOW)


def test_a_split_pre_2025_commune_reaches_every_unit_that_absorbed_it_and_says_so() -> None:
    decisions = _at("00901", category="neglect")

    assert _picked(decisions) == [
        ("officer-a", "root/local"),
        ("officer-b", "root/local"),
        ("health", "root/local"),
    ]
    assert {d.place_reason for d in decisions} == {
        "pre-2025 code 00901 (Xã Cũ Chia, Huyện Cũ) was split between 2 units, all covered: "
        "00001, 00002"
    }


def test_a_merged_pre_2025_commune_reaches_the_unit_that_absorbed_it() -> None:
    decisions = _at("00902", category="neglect")

    assert [d.agency_id for d in decisions] == ["officer-b", "health"]
    assert (
        decisions[0].place_reason == "pre-2025 code 00902 (Xã Cũ Nhập, Huyện Cũ) is now 00002 Xã B"
    )
    assert [d.agency_id for d in _at("909", category="neglect")] == [
        "officer-a",
        "officer-b",
        "health",
    ]


def test_a_pre_2025_code_finds_the_shelter_in_a_unit_that_absorbed_it() -> None:
    assert [d.agency_id for d in _at("00901", flags={"needs_shelter": True})] == ["shelter-b"]


def test_an_official_code_carries_no_place_reason() -> None:
    assert {d.place_reason for d in _at("00001", category="neglect")} == {None}


def test_an_unknown_code_reaches_the_duty_desk_with_the_reason() -> None:
    decisions = _at("99999", category="neglect")

    assert _picked(decisions) == [("health", "root/local"), ("desk", "root/local")]
    assert decisions[1].fallback
    assert {d.place_reason for d in decisions} == {
        "unknown unit code 99999: no local agency covers it, the duty desk sorts it"
    }


def test_the_alert_request_carries_the_place_reason() -> None:
    event = reported(incident(category="neglect", area={"geocode": "00901"}))
    decision = route(event, SPLIT_DIRECTORY, rule_set(LOCAL), NOW)[0]

    request = to_alert_request(decision, event, SPLIT_DIRECTORY, NOW, RequestKind.NEW)

    assert request.place_reason == decision.place_reason
    assert request.place_reason
    assert "split between 2 units" in request.place_reason
    assert (request.facts.geocode, request.facts.unit_name) == ("00901", "Xã Cũ Chia (cũ)")


def test_the_case_shortens_a_long_rule_deadline_and_the_decision_says_why() -> None:
    rules = rule_set(
        _root({"name": "dropout", "ack_deadline": "24h", "targets": ["police"]}),
        deadlines={"severity": {"Extreme": "15m"}, "immediate_danger": "30m"},
    )
    body = incident(area={"geocode": "00001"}, severity="Extreme")

    [decision] = route(reported(body), DIRECTORY, rules, NOW)
    [routine] = route(reported(incident(area={"geocode": "00001"})), DIRECTORY, rules, NOW)

    assert decision.ack_deadline - NOW == timedelta(minutes=15)
    assert decision.deadline_reason == "severity Extreme: 15m (rule dropout: 24h)"
    assert routine.ack_deadline - NOW == timedelta(hours=24)
    assert routine.deadline_reason == "rule dropout: 24h"
    request = to_alert_request(decision, reported(body), DIRECTORY, NOW, RequestKind.NEW)
    assert request.deadline_reason == decision.deadline_reason
