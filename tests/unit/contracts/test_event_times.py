"""Every time in an event carries its offset: a naive time is no RFC 3339 date-time."""

import json
from datetime import datetime

import pytest
from pydantic import AwareDatetime, ValidationError

from contracts.registry import CONTRACTS, Contract
from tests.unit.contracts.samples import SAMPLES
from tests.unit.contracts.schema_tools import committed_schema, validator

TIMES = [
    pytest.param(contract, name, id=f"{contract.name}.{name}")
    for contract in CONTRACTS
    for name, field in contract.model.model_fields.items()
    if field.annotation in (AwareDatetime, datetime)
]


def test_every_contract_time_is_found() -> None:
    assert len(TIMES) >= 5


@pytest.mark.parametrize(("contract", "field"), TIMES)
def test_a_time_without_offset_is_refused_by_schema_and_model(
    contract: Contract, field: str
) -> None:
    document = {**SAMPLES[contract.name], field: "2026-11-29T08:15:00"}
    assert list(validator(committed_schema(contract)).iter_errors(document))
    with pytest.raises(ValidationError):
        contract.model.model_validate_json(json.dumps(document))
