"""Rules: the loader reports by file and path; each matcher matches what it says."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from contracts.incident import IncidentV1
from services.config import ConfigError
from services.router.directory import load_directory
from services.router.rules import (
    Matchers,
    Selector,
    Target,
    format_duration,
    load_rules,
    parse_duration,
)
from tests.unit.router.builders import incident, sample, sample_docs, write_config


def _rules_problems(tmp_path: Path, rules: Any) -> list[str]:
    directory, _ = sample()
    path = write_config(tmp_path, {"rules.yaml": rules}) / "rules.yaml"
    with pytest.raises(ConfigError) as caught:
        load_rules(path, directory)
    return [p.removeprefix(f"{path}: ") for p in caught.value.problems]


def _root(*routes: dict[str, Any], **fields: Any) -> dict[str, Any]:
    root = {"name": "root", "ack_deadline": "1h", "targets": ["agency:duty-desk"]}
    return {"version": "v1", "route": {**root, "routes": list(routes), **fields}}


def test_the_sample_rules_load() -> None:
    _, rules = sample()

    assert rules.version == "dienbien-2026.11-1"
    assert rules.route.ack_deadline == timedelta(hours=1)
    online = next(r for r in rules.route.routes if r.name == "online-abuse")
    assert online.routes[0].continue_
    assert online.routes[0].targets == (
        Target(selector=Selector.CHILD_SCHOOL),
        Target(selector=Selector.KIND, value="education_department"),
    )


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (
            {"name": "x", "targets": ["polce"]},
            "route.routes[0].targets[0]: unknown target 'polce': expected an agency kind",
        ),
        (
            {"name": "x", "targets": ["school"]},
            "route.routes[0].targets[0]: 'school' would alert every school in the area",
        ),
        (
            {"name": "x", "targets": ["agency:nobody"]},
            "route.routes[0].targets[0]: unknown agency id 'nobody'",
        ),
        ({"name": "x"}, "route.routes[0]: route 'x' has neither targets nor routes"),
        (
            {"name": "x", "targets": ["police"], "match": {"category": ["abuse"]}},
            "route.routes[0].match.category[0]: Input should be 'physical_abuse'",
        ),
        (
            {"name": "x", "targets": ["police"], "match": {"location": ["03999"]}},
            "route.routes[0].match.location[0]: unknown unit code '03999'",
        ),
        (
            {"name": "x", "targets": ["police"], "ack_deadline": "15 minutes"},
            "route.routes[0].ack_deadline: durations look like 15m, 1h, 1h30m or 90s",
        ),
        (
            {"name": "x", "targets": ["police"], "match": {"child_age": {"min": 12, "max": 6}}},
            "route.routes[0].match.child_age: min 12 is above max 6",
        ),
        (
            {"name": "x", "targets": ["police"], "contine": True},
            "route.routes[0].contine: unknown field",
        ),
        (
            {"name": "Has Spaces", "targets": ["police"]},
            "route.routes[0].name: String should match pattern",
        ),
    ],
)
def test_a_bad_route_is_named_by_its_path(tmp_path: Path, route: Any, expected: str) -> None:
    problems = _rules_problems(tmp_path, _root(route))

    assert any(p.startswith(expected) for p in problems), problems


def test_route_names_are_unique_across_the_tree(tmp_path: Path) -> None:
    nested = {"name": "a", "routes": [{"name": "b", "targets": ["police"]}]}

    problems = _rules_problems(tmp_path, _root(nested, {"name": "b", "targets": ["police"]}))

    assert problems == [
        "route.routes[1].name: duplicate route name 'b' (first at route.routes[0].routes[0])"
    ]


def test_the_root_must_be_a_catch_all_default(tmp_path: Path) -> None:
    problems = _rules_problems(
        tmp_path,
        _root(
            {"name": "x", "targets": ["police"]},
            match={"category": ["other"]},
            targets=[],
            ack_deadline=None,
        ),
    )

    assert problems == [
        "route: the root route matches everything: no match and no continue",
        "route: the root route needs targets (the default) and an ack_deadline",
    ]


def test_a_kind_with_no_agency_in_the_directory_is_refused(tmp_path: Path) -> None:
    docs = sample_docs()
    agencies = docs["agencies.yaml"]["agencies"]
    docs["agencies.yaml"]["agencies"] = [a for a in agencies if a["kind"] != "social_services"]
    write_config(tmp_path, docs)

    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path / "rules.yaml", load_directory(tmp_path))

    assert caught.value.problems == [
        f"{tmp_path}/rules.yaml: route.routes[7].targets[0]: "
        "no agency of kind 'social_services' in the directory"
    ]


def test_version_is_required(tmp_path: Path) -> None:
    rules = _root()
    del rules["version"]

    assert _rules_problems(tmp_path, rules) == ["version: Field required"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", timedelta(minutes=15)),
        ("1h30m", timedelta(minutes=90)),
        ("90s", timedelta(seconds=90)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_durations_format_and_refuse_zero() -> None:
    assert format_duration(timedelta(hours=24, minutes=5)) == "24h5m"
    with pytest.raises(ValueError, match="longer than zero"):
        parse_duration("0m")
    with pytest.raises(ValueError, match="durations look like"):
        parse_duration("")


def _matches(matchers: dict[str, Any], **incident_fields: Any) -> bool:
    directory, _ = sample()
    body = IncidentV1.model_validate(incident(**incident_fields))
    return Matchers.model_validate(matchers).matches(body, directory)


@pytest.mark.parametrize(
    ("matchers", "fields", "expected"),
    [
        ({}, {}, True),
        ({"category": ["neglect", "violence"]}, {"category": "violence"}, True),
        ({"category": ["neglect"]}, {"category": "violence"}, False),
        ({"severity": ["Severe"]}, {"severity": "Severe"}, True),
        ({"severity": ["Severe"]}, {"severity": "Extreme"}, False),
        ({"min_severity": "Severe"}, {"severity": "Extreme"}, True),
        ({"min_severity": "Severe"}, {"severity": "Severe"}, True),
        ({"min_severity": "Severe"}, {"severity": "Moderate"}, False),
        ({"min_severity": "Minor"}, {"severity": "Unknown"}, False),
        ({"urgency": ["Immediate"]}, {"urgency": "Expected"}, False),
        ({"certainty": ["Observed", "Likely"]}, {"certainty": "Likely"}, True),
        ({"status": ["Exercise"]}, {"status": "Actual"}, False),
        ({"flags": {"immediate_danger": True}}, {"flags": {"immediate_danger": True}}, True),
        ({"flags": {"immediate_danger": True}}, {}, False),
        ({"flags": {"needs_shelter": False}}, {"flags": {"needs_shelter": True}}, False),
        ({"flags": {"perpetrator_in_household": True}}, {"flags": {}}, False),
        ({"child_age": {"max": 5}}, {"child": {"age": 5}}, True),
        ({"child_age": {"max": 5}}, {"child": {"age": 6}}, False),
        ({"child_age": {"min": 8, "max": 12}}, {"child": {"age_band": "6-10"}}, True),
        ({"child_age": {"min": 11}}, {"child": {"age_band": "6-10"}}, False),
        ({"child_age": {"min": 11}}, {"child": {"age": 12, "age_band": "11-15"}}, True),
        ({"child_age": {"min": 0}}, {"child": {}}, False),
        ({"is_student": True}, {"child": {"school_id": "UNLISTED"}}, True),
        ({"is_student": True}, {"child": {}}, False),
        ({"is_student": False}, {"child": {}}, True),
        ({"location": ["03127"]}, {"area": {"geocode": "03127"}}, True),
        ({"location": ["03127"]}, {"area": {"geocode": "03151"}}, False),
        ({"location": ["11"]}, {"area": {"geocode": "03151"}}, True),
        ({"location": ["11"]}, {"area": {"geocode": "99999"}}, False),
        (
            {"category": ["neglect"], "min_severity": "Severe"},
            {"category": "neglect", "severity": "Moderate"},
            False,
        ),
    ],
)
def test_matchers(matchers: dict[str, Any], fields: dict[str, Any], expected: bool) -> None:
    assert _matches(matchers, **fields) is expected
