"""Authentication, idempotency, rate limiting and validation, without any I/O."""

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.incident import IncidentV1
from services.config import ConfigError
from services.http_api.problems import field_errors
from services.intake.idempotency import idempotency_key, incident_id_for
from services.intake.sources import (
    ApiKey,
    Source,
    SourceRegistry,
    hash_key,
    load_sources,
)
from services.ratelimit import RateLimiter
from tests.unit.contracts.samples import SAMPLES

EXAMPLE = SAMPLES["incident.v1"]


def _registry() -> SourceRegistry:
    return SourceRegistry(
        [
            Source(
                id="helpline",
                name="h",
                keys=(
                    ApiKey(sha256=hash_key("good")),
                    ApiKey(sha256=hash_key("old"), revoked=True),
                ),
            ),
            Source(id="gone", name="g", keys=(ApiKey(sha256=hash_key("gone-key")),), revoked=True),
        ]
    )


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("good", "helpline"),
        ("old", None),
        ("gone-key", None),
        ("unknown", None),
        ("", None),
        (None, None),
    ],
)
def test_only_a_live_key_of_a_live_source_authenticates(
    key: str | None, expected: str | None
) -> None:
    source = _registry().authenticate(key)
    assert (source.id if source else None) == expected


def test_a_bad_sources_file_names_the_file_and_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - id: x\n    name: n\n    keys:\n      - sha256: nothex\n")
    with pytest.raises(ConfigError, match=r"sources.yaml: sources\[0\]\.keys\[0\]\.sha256"):
        load_sources(path)


def test_duplicate_source_ids_are_refused(tmp_path: Path) -> None:
    key = hash_key("k")
    entry = f"  - id: x\n    name: n\n    keys:\n      - sha256: {key}\n"
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + entry + entry)
    with pytest.raises(ConfigError, match="duplicate source ids: x"):
        load_sources(path)


def test_the_incident_id_depends_only_on_source_and_reference() -> None:
    assert incident_id_for("a", "R1") == incident_id_for("a", "R1")
    assert incident_id_for("a", "R1") != incident_id_for("b", "R1")
    assert incident_id_for("a", "R1") != incident_id_for("a", "R2")


def test_a_header_key_is_a_different_key_from_the_reference() -> None:
    assert idempotency_key("a", "R1", "h1") != idempotency_key("a", "R1", None)


def test_the_bucket_allows_a_burst_then_asks_to_wait() -> None:
    now = [0.0]
    limiter = RateLimiter(lambda: now[0])
    assert [limiter.acquire("s", rate=1.0, burst=2) for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire("s", rate=1.0, burst=2) == pytest.approx(1.0)
    now[0] = 1.0
    assert limiter.acquire("s", rate=1.0, burst=2) == 0.0
    assert limiter.acquire("other", rate=1.0, burst=2) == 0.0


def test_waiting_takes_no_token() -> None:
    limiter = RateLimiter(lambda: 0.0)
    assert [limiter.wait("s", rate=1.0, burst=1) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("s", rate=1.0, burst=1) == 0.0
    assert limiter.wait("s", rate=1.0, burst=1) == pytest.approx(1.0)


def test_only_buckets_that_refilled_are_forgotten_to_make_room() -> None:
    now = [0.0]
    limiter = RateLimiter(lambda: now[0], max_keys=2)
    limiter.acquire("a", rate=1.0, burst=2)
    now[0] = 5.0  # "a" has refilled: forgetting it changes nothing
    limiter.acquire("b", rate=1.0, burst=2)
    limiter.acquire("b", rate=1.0, burst=2)
    limiter.acquire("c", rate=1.0, burst=2)  # makes room by dropping "a", never "b"
    assert limiter.wait("b", rate=1.0, burst=2) > 0


@pytest.mark.parametrize(
    ("change", "paths"),
    [
        ({"child": {"age": 9, "age_band": "11-15"}}, ["child"]),
        ({"area": {"geocode": "03127", "latitude": 21.3}}, ["area"]),
        ({"sent": "2026-11-29T08:15:00"}, ["sent"]),
        ({"category": "kidnapping"}, ["category"]),
        ({"unexpected": 1}, ["unexpected"]),
        ({"identifier": "has space"}, ["identifier"]),
    ],
)
def test_validation_names_each_bad_field(change: dict[str, Any], paths: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentV1.model_validate({**EXAMPLE, **change})
    assert [error["path"] for error in field_errors(caught.value)] == paths


def test_field_errors_never_echo_the_input() -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentV1.model_validate({**EXAMPLE, "severity": "SECRET-VALUE"})
    assert "SECRET-VALUE" not in str(field_errors(caught.value))


def test_the_schema_example_is_a_valid_incident() -> None:
    assert IncidentV1.model_validate(EXAMPLE).status.value == "Actual"
