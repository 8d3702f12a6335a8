"""The committed JSON Schemas and the pydantic models describe the same documents."""

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from contracts.registry import CONTRACTS, Contract, render_schema
from tests.unit.contracts.samples import SAMPLES
from tests.unit.contracts.schema_tools import committed_schema, definitions, validator
from tests.unit.contracts.strategies import instances

NAMES = [contract.name for contract in CONTRACTS]
EXPORT = "python -m contracts.registry export"
GENERATED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("contract", CONTRACTS, ids=NAMES)
def test_the_committed_schema_is_what_the_model_generates(contract: Contract) -> None:
    assert contract.schema_path.is_file(), f"{contract.schema_path} is missing: run `{EXPORT}`"
    committed = contract.schema_path.read_text(encoding="utf-8")
    assert committed == render_schema(contract), (
        f"{contract.schema_path.name} and {contract.model.__name__} disagree: run `{EXPORT}` "
        "and commit the schema (a changed contract may need a new version instead)"
    )


@pytest.mark.parametrize("contract", CONTRACTS, ids=NAMES)
def test_the_committed_schema_is_a_valid_draft_2020_12_schema(contract: Contract) -> None:
    schema = committed_schema(contract)
    validator(schema)  # raises SchemaError on an invalid schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == contract.schema_id
    assert schema["title"] == contract.name


EXAMPLES = [
    (contract, example)
    for contract in CONTRACTS
    for example in committed_schema(contract).get("examples", [])
]


def test_the_incident_contracts_carry_examples() -> None:
    assert {"incident.v1", "incident-reported.v1"} <= {c.name for c, _ in EXAMPLES}


@pytest.mark.parametrize(("contract", "example"), EXAMPLES, ids=[c.name for c, _ in EXAMPLES])
def test_every_example_is_valid_for_schema_and_model(
    contract: Contract, example: dict[str, Any]
) -> None:
    validator(committed_schema(contract)).validate(example)
    contract.model.model_validate_json(json.dumps(example))


def _assert_schema_accepts_what_the_model_writes(contract: Contract, instance: BaseModel) -> None:
    check = validator(committed_schema(contract))
    wire = json.loads(instance.model_dump_json(exclude_none=True))  # what the codec sends
    errors = [error.message for error in check.iter_errors(wire)]
    assert not errors, f"schema refuses what {contract.model.__name__} wrote: {errors}"
    check.validate(instance.model_dump(mode="json"))  # with explicit nulls too
    assert contract.model.model_validate(wire) == instance  # and it reads back the same


@pytest.mark.parametrize("contract", CONTRACTS, ids=NAMES)
@GENERATED
@given(data=st.data())
def test_whatever_the_model_accepts_and_writes_the_schema_accepts(
    contract: Contract, data: st.DataObject
) -> None:
    instance = data.draw(instances(contract.model), label="instance")
    _assert_schema_accepts_what_the_model_writes(contract, instance)


# -- invalid documents: both refuse -------------------------------------------------------------


def _mutations(schema: dict[str, Any], document: dict[str, Any]) -> list[tuple[str, Any]]:
    """(what was broken, broken copy) for one valid document."""
    broken: list[tuple[str, Any]] = [("extra field", {**document, "x_unexpected": 1})]
    for name in schema.get("required", []):
        broken.append((f"missing {name}", {k: v for k, v in document.items() if k != name}))
    for name, value in document.items():
        targets = definitions(schema, schema["properties"][name])
        if any("enum" in target for target in targets):
            broken.append((f"bad enum {name}", {**document, name: "not-a-member"}))
        if isinstance(value, dict) and any("properties" in target for target in targets):
            broken.append((f"extra field in {name}", {**document, name: {**value, "x_more": 1}}))
    return broken


def _assert_both_refuse(contract: Contract, what: str, document: Any) -> None:
    schema_errors = list(validator(committed_schema(contract)).iter_errors(document))
    assert schema_errors, f"the schema accepts a document with {what}"
    with pytest.raises(ValidationError):
        contract.model.model_validate_json(json.dumps(document))


@pytest.mark.parametrize("contract", CONTRACTS, ids=NAMES)
@GENERATED
@given(data=st.data())
def test_schema_and_model_both_refuse_a_broken_document(
    contract: Contract, data: st.DataObject
) -> None:
    instance = data.draw(instances(contract.model), label="instance")
    document = json.loads(instance.model_dump_json(exclude_none=True))
    mutations = _mutations(committed_schema(contract), document)
    what, broken = data.draw(st.sampled_from(mutations), label="mutation")
    _assert_both_refuse(contract, what, broken)


INCIDENT = SAMPLES["incident.v1"]
ALERT_FIELDS = SAMPLES["alert-requested.v1"]

INVALID = [
    ("incident.v1", "missing category", {k: v for k, v in INCIDENT.items() if k != "category"}),
    ("incident.v1", "severity not in CAP", {**INCIDENT, "severity": "Catastrophic"}),
    ("incident.v1", "a child's name at top level", {**INCIDENT, "child_name": "Lò Thị A"}),
    ("incident.v1", "an unknown child field", {**INCIDENT, "child": {"age": 9, "ethnicity": "x"}}),
    ("incident.v1", "an age of 18", {**INCIDENT, "child": {"age": 18}}),
    ("incident.v1", "a geocode in words", {**INCIDENT, "area": {"geocode": "Thanh Yen"}}),
    ("incident.v1", "a sent time without offset", {**INCIDENT, "sent": "2026-11-29T08:15:00"}),
    ("incident.v1", "a description too long", {**INCIDENT, "description": "x" * 4001}),
    ("alert-requested.v1", "an empty rule path", {**ALERT_FIELDS, "rule_path": []}),
    ("alert-requested.v1", "a bad alert id", {**ALERT_FIELDS, "alert_id": "alr_XYZ"}),
    ("alert-requested.v1", "an unknown kind", {**ALERT_FIELDS, "kind": "resend"}),
    (
        "alert-requested.v1",
        "a child's name in the facts",
        {**ALERT_FIELDS, "facts": {**ALERT_FIELDS["facts"], "child_name": "Lò Thị A"}},
    ),
]


@pytest.mark.parametrize("contract", CONTRACTS, ids=NAMES)
def test_the_hand_written_sample_is_valid_for_schema_and_model(contract: Contract) -> None:
    sample = SAMPLES[contract.name]
    validator(committed_schema(contract)).validate(sample)
    contract.model.model_validate_json(json.dumps(sample))


@pytest.mark.parametrize(("name", "what", "document"), INVALID, ids=[i[1] for i in INVALID])
def test_named_invalid_documents_are_refused_by_both(name: str, what: str, document: Any) -> None:
    contract = next(c for c in CONTRACTS if c.name == name)
    _assert_both_refuse(contract, what, document)
