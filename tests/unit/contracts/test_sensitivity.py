"""Every value in every contract is classed operational or personal, in the schema itself."""

import pytest

from contracts.registry import CONTRACTS, Contract, by_name
from contracts.sensitivity import Sensitivity, personal_field_paths
from tests.unit.contracts.schema_tools import (
    committed_schema,
    is_sub_model,
    object_schemas,
    sensitivity_by_path,
)

NAMES = [contract.name for contract in CONTRACTS]
CLASSES = {member.value for member in Sensitivity}


def _personal(contract: Contract) -> set[str]:
    classes = sensitivity_by_path(committed_schema(contract))
    return {path for path, sensitivity in classes.items() if sensitivity == "personal"}


@pytest.mark.parametrize("contract", CONTRACTS, ids=NAMES)
def test_every_leaf_property_in_the_schema_and_its_defs_is_classed(contract: Contract) -> None:
    schema = committed_schema(contract)
    unclassed = [
        f"{owner}.{name}"
        for owner, definition in object_schemas(schema)
        for name, prop in definition["properties"].items()
        if not is_sub_model(schema, prop) and prop.get("x-sensitivity") not in CLASSES
    ]
    assert not unclassed, f"properties without x-sensitivity (operational|personal): {unclassed}"


@pytest.mark.parametrize("contract", CONTRACTS, ids=NAMES)
def test_every_reachable_leaf_is_classed(contract: Contract) -> None:
    classes = sensitivity_by_path(committed_schema(contract))
    assert classes, "the walk found no property at all"
    assert {path: c for path, c in classes.items() if c not in CLASSES} == {}


@pytest.mark.parametrize("contract", CONTRACTS, ids=NAMES)
def test_the_schema_and_the_model_agree_on_what_is_personal(contract: Contract) -> None:
    assert _personal(contract) == set(personal_field_paths(contract.model))


def test_the_incident_keeps_the_child_name_description_and_reporter_personal() -> None:
    contract = by_name("incident.v1")
    personal = _personal(contract)
    assert {"child.name", "description"} <= personal
    reporter = {
        p for p in sensitivity_by_path(committed_schema(contract)) if p.startswith("reporter.")
    }
    assert reporter, "the reporter has no fields?"
    assert reporter <= personal, "every reporter field is personal"
    assert {"area.area_desc", "area.latitude", "area.longitude"} <= personal


def test_the_incident_event_carries_the_same_personal_fields_under_incident() -> None:
    inner = {f"incident.{path}" for path in _personal(by_name("incident.v1"))}
    assert _personal(by_name("incident-reported.v1")) == inner


@pytest.mark.parametrize("name", ["alert-requested.v1", "alert-command.v1", "dispatch-request.v1"])
def test_alerting_contracts_carry_nothing_personal(name: str) -> None:
    assert _personal(by_name(name)) == set()


def test_the_walk_fails_on_an_unclassed_nested_property() -> None:
    schema = committed_schema(by_name("incident.v1"))
    del schema["$defs"]["Child"]["properties"]["name"]["x-sensitivity"]
    assert sensitivity_by_path(schema)["child.name"] is None
