"""The CloudEvents codec (Kafka binary mode): what it writes it reads back, the rest it refuses."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings

from contracts import cloudevents
from contracts.cloudevents import MalformedEvent
from contracts.incident import IncidentReportedV1
from contracts.registry import by_name
from tests.unit.contracts.schema_tools import committed_schema
from tests.unit.contracts.strategies import instances

REPORTED = by_name("incident-reported.v1")
EVENT = IncidentReportedV1.model_validate(committed_schema(REPORTED)["examples"][0])
TYPE = REPORTED.ce_type or ""
WHEN = datetime(2026, 11, 29, 8, 15, 2, 120000, tzinfo=timezone(timedelta(hours=7)))


def _record() -> tuple[cloudevents.Headers, bytes]:
    return cloudevents.encode(
        type=TYPE, source="safeguard/intake", data=EVENT, subject=EVENT.incident_id, time=WHEN
    )


def _without(headers: cloudevents.Headers, name: str) -> cloudevents.Headers:
    return [(key, value) for key, value in headers if key != name]


def _replaced(headers: cloudevents.Headers, name: str, raw: bytes) -> cloudevents.Headers:
    return [*_without(headers, name), (name, raw)]


def test_a_record_round_trips() -> None:
    headers, value = _record()
    event = cloudevents.decode(headers, value)
    assert (event.type, event.source, event.subject, event.time) == (
        TYPE,
        "safeguard/intake",
        EVENT.incident_id,
        WHEN,
    )
    assert event.id
    assert IncidentReportedV1.model_validate_json(event.data) == EVENT


def test_the_headers_are_binary_mode_attributes() -> None:
    headers, value = _record()
    names = [name for name, _ in headers]
    assert set(names) == {
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "content-type",
    }
    assert dict(headers)["ce_specversion"] == b"1.0"
    assert dict(headers)["content-type"] == b"application/json"
    assert json.loads(value)["incident_id"] == EVENT.incident_id  # the body is the bare data


def test_each_record_gets_its_own_id_and_a_time_unless_given() -> None:
    first = cloudevents.decode(*cloudevents.encode(type=TYPE, source="s", data=EVENT))
    second = cloudevents.decode(*cloudevents.encode(type=TYPE, source="s", data=EVENT))
    assert first.id != second.id
    assert first.time is not None
    assert first.time.tzinfo is not None
    assert first.subject is None


@settings(max_examples=40, deadline=None)
@given(instance=instances(IncidentReportedV1))
def test_any_incident_event_round_trips(instance: IncidentReportedV1) -> None:
    headers, value = cloudevents.encode(type=TYPE, source="s", data=instance, time=WHEN)
    assert IncidentReportedV1.model_validate_json(cloudevents.decode(headers, value).data) == (
        instance
    )


@pytest.mark.parametrize("name", ["ce_id", "ce_source", "ce_type", "ce_specversion"])
def test_a_record_missing_a_required_attribute_is_malformed(name: str) -> None:
    headers, value = _record()
    with pytest.raises(MalformedEvent, match=name):
        cloudevents.decode(_without(headers, name), value)


def test_a_record_without_headers_is_malformed() -> None:
    _, value = _record()
    with pytest.raises(MalformedEvent, match="missing"):
        cloudevents.decode(None, value)


@pytest.mark.parametrize("version", [b"0.3", b"1", b"2.0", b""])
def test_another_specversion_is_malformed(version: bytes) -> None:
    headers, value = _record()
    with pytest.raises(MalformedEvent, match="specversion"):
        cloudevents.decode(_replaced(headers, "ce_specversion", version), value)


@pytest.mark.parametrize("name", ["ce_id", "ce_source", "ce_type", "ce_time"])
def test_a_header_that_is_not_utf8_is_malformed(name: str) -> None:
    headers, value = _record()
    with pytest.raises(MalformedEvent, match="UTF-8"):
        cloudevents.decode(_replaced(headers, name, b"\xff\xfe"), value)


@pytest.mark.parametrize("text", [b"yesterday", b"2026-13-01T00:00:00Z", b"", b"29/11/2026"])
def test_a_bad_time_is_malformed(text: bytes) -> None:
    headers, value = _record()
    with pytest.raises(MalformedEvent, match="ce_time"):
        cloudevents.decode(_replaced(headers, "ce_time", text), value)


def test_a_record_without_time_is_accepted_as_the_spec_makes_time_optional() -> None:
    headers, value = _record()
    assert cloudevents.decode(_without(headers, "ce_time"), value).time is None


def test_a_record_without_a_body_is_malformed() -> None:
    headers, _ = _record()
    with pytest.raises(MalformedEvent, match="body"):
        cloudevents.decode(headers, None)


def test_utc_times_written_with_z_are_read() -> None:
    headers, value = _record()
    event = cloudevents.decode(_replaced(headers, "ce_time", b"2026-11-29T01:15:02Z"), value)
    assert event.time == datetime(2026, 11, 29, 1, 15, 2, tzinfo=UTC)
