"""Event types are named once (contracts/), and one decoder reads every record or refuses it
with a bounded reason."""

import ast
from pathlib import Path

import pytest

from contracts import cloudevents, events, registry
from contracts.alert_command import AlertCommandV1, CommandType
from contracts.incident import IncidentReportedV1
from contracts.registry import by_name
from tests.unit.contracts.schema_tools import committed_schema

ROOT = Path(__file__).parents[3]
# Where code may not spell a CloudEvent type: it imports the name from contracts.events.
SPELLERS_FORBIDDEN = ("services", "bench", "devstack")
INCIDENT = IncidentReportedV1.model_validate(
    committed_schema(by_name("incident-reported.v1"))["examples"][0]
)


def _type_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("org.safeguard.")
    ]


def test_no_service_spells_an_event_type_itself() -> None:
    scanned = [p for folder in SPELLERS_FORBIDDEN for p in sorted((ROOT / folder).rglob("*.py"))]
    assert len(scanned) > 20  # the scan found the code
    assert [found for path in scanned for found in _type_literals(path)] == []


def test_every_event_contract_has_its_name() -> None:
    named = {
        events.INCIDENT_REPORTED,
        events.ALERT_REQUESTED,
        events.ALERT_COMMAND,
        events.DISPATCH_REQUEST,
        events.DEAD_LETTER,
        events.ALERT_EVENT,
        events.CASE_FILED,
        events.CASE_COMMAND,
        events.CASE_KEY,
        events.CASE_ERASED,
    }
    assert named == {c.ce_type for c in registry.CONTRACTS if c.ce_type is not None}
    assert events.INTAKE_IDEMPOTENCY not in named


def test_a_record_decodes_to_its_contract_model() -> None:
    headers, value = cloudevents.encode(type=events.INCIDENT_REPORTED, source="t", data=INCIDENT)
    received = events.decode(headers, value)
    assert received.type == events.INCIDENT_REPORTED
    assert received.data == INCIDENT


def test_an_envelope_that_is_no_cloudevent_is_refused_as_malformed() -> None:
    with pytest.raises(events.Refused) as refused:
        events.decode([("ce_type", b"x")], b"{}")
    assert refused.value.reason is events.RefusalReason.MALFORMED_ENVELOPE
    assert str(refused.value).startswith("not a CloudEvent")


def test_an_unknown_type_is_refused_as_unexpected() -> None:
    command = AlertCommandV1(
        alert_id="alr_" + "0" * 32, type=CommandType.TICK, at=INCIDENT.received_at
    )
    headers, value = cloudevents.encode(type="org.example.other.v1", source="t", data=command)
    with pytest.raises(events.Refused) as refused:
        events.decode(headers, value)
    assert refused.value.reason is events.RefusalReason.UNEXPECTED_TYPE


def test_a_body_off_contract_is_refused_with_the_paths_and_no_values() -> None:
    headers, _ = cloudevents.encode(type=events.INCIDENT_REPORTED, source="t", data=INCIDENT)
    body = b'{"incident_id": "secret-name-here"}'
    with pytest.raises(events.Refused) as refused:
        events.decode(headers, body)
    assert refused.value.reason is events.RefusalReason.INVALID_BODY
    assert refused.value.details
    assert "secret-name-here" not in repr(refused.value.details)
    assert str(refused.value) == "body does not match incident-reported.v1"
