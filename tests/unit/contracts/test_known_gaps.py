"""Where the models and the schemas still disagree today, pinned so a fix is noticed.

Each test states the behaviour the contract should have and is a strict xfail: when the model
(or the codec) is fixed it passes, the run fails on XPASS, and the marker is to be removed.
"""

import json
from typing import Any

import pytest
from pydantic import ValidationError

from contracts import cloudevents
from contracts.registry import by_name
from tests.unit.contracts.samples import SAMPLES
from tests.unit.contracts.schema_tools import committed_schema, validator

INCIDENT = by_name("incident.v1")
EXAMPLE = SAMPLES["incident.v1"]
DID_NOT_RAISE = pytest.fail.Exception


LAX = [
    ("an age as a string", {**EXAMPLE, "child": {"age": "9"}}),
    ("a flag as a string", {**EXAMPLE, "flags": {"immediate_danger": "true"}}),
    ("a flag as a number", {**EXAMPLE, "flags": {"needs_shelter": 1}}),
    ("sent as epoch seconds", {**EXAMPLE, "sent": 1795000000}),
]


@pytest.mark.xfail(
    strict=True,
    raises=DID_NOT_RAISE,
    reason="the models validate in lax mode: they coerce what the schema refuses",
)
@pytest.mark.parametrize(("what", "document"), LAX, ids=[case[0] for case in LAX])
def test_the_model_refuses_what_the_schema_refuses(what: str, document: Any) -> None:
    assert list(validator(committed_schema(INCIDENT)).iter_errors(document)), what
    with pytest.raises(ValidationError):
        INCIDENT.model.model_validate_json(json.dumps(document))


ONLY_MODEL = [
    ("a latitude without longitude", {**EXAMPLE, "area": {"geocode": "03127", "latitude": 21.4}}),
    ("an age outside its band", {**EXAMPLE, "child": {"age": 3, "age_band": "11-15"}}),
]


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="the model validators (coordinates in pairs, age within band) are not in the schema",
)
@pytest.mark.parametrize(("what", "document"), ONLY_MODEL, ids=[case[0] for case in ONLY_MODEL])
def test_the_schema_refuses_what_the_model_validators_refuse(what: str, document: Any) -> None:
    with pytest.raises(ValidationError):
        INCIDENT.model.model_validate_json(json.dumps(document))
    assert list(validator(committed_schema(INCIDENT)).iter_errors(document)), what


@pytest.mark.xfail(
    strict=True,
    raises=DID_NOT_RAISE,
    reason="decode parses ce_time with datetime.fromisoformat, which is laxer",
)
@pytest.mark.parametrize("text", [b"2026-11-29", b"2026-11-29T08:15:00", b"20261129T081500Z"])
def test_a_ce_time_that_is_not_rfc3339_is_malformed(text: bytes) -> None:
    incident = INCIDENT.model.model_validate(EXAMPLE)
    headers, value = cloudevents.encode(type="t", source="s", data=incident)
    headers = [*[(n, v) for n, v in headers if n != "ce_time"], ("ce_time", text)]
    with pytest.raises(cloudevents.MalformedEvent):
        cloudevents.decode(headers, value)
