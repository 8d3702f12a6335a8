"""The incident contract takes every code a source system may send as a place: official
post-2025 codes and pre-2025 commune and district codes alike; the router, not intake, reads
them (an unknown code is routed to the duty desk, never refused)."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from contracts.incident import IncidentV1
from contracts.registry import CONTRACTS
from tests.unit.contracts.schema_tools import committed_schema, validator

EXAMPLE: dict[str, Any] = IncidentV1.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index,assignment]
CONFIG = Path(__file__).parents[3] / "config" / "dienbien"
INCIDENT = next(contract for contract in CONTRACTS if contract.model is IncidentV1)


def _pre_2025_codes() -> list[str]:
    doc = yaml.safe_load((CONFIG / "legacy_units.yaml").read_text(encoding="utf-8"))
    districts = doc["districts"]
    return [d["code"] for d in districts] + [c["code"] for d in districts for c in d["communes"]]


def _with(geocode: str) -> dict[str, Any]:
    return {**EXAMPLE, "area": {"geocode": geocode}}


def test_every_pre_2025_code_of_the_province_is_a_valid_geocode() -> None:
    codes = _pre_2025_codes()
    schema = validator(committed_schema(INCIDENT))

    assert len(codes) == 10 + 129
    for code in codes:
        assert IncidentV1.model_validate(_with(code)).area.geocode == code
        assert list(schema.iter_errors(_with(code))) == [], code


@pytest.mark.parametrize("code", ["11", "03349", "099", "09999"])
def test_official_legacy_and_unknown_codes_are_all_accepted(code: str) -> None:
    assert IncidentV1.model_validate(_with(code)).area.geocode == code


@pytest.mark.parametrize("code", ["1", "123456", "03a27", ""])
def test_what_is_not_a_code_at_all_is_refused(code: str) -> None:
    with pytest.raises(ValidationError):
        IncidentV1.model_validate(_with(code))
