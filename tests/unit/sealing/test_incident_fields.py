"""Intake seals exactly the fields incident.v1 classes personal; the case page gets the whole
incident back. Over any incident the contract accepts."""

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings

from contracts.incident import IncidentV1
from contracts.incident_personal import IncidentPersonalV1
from contracts.sealing import ErasureReason
from contracts.sensitivity import personal_field_paths
from services.sealing.case_keys import InMemoryCaseKeyStore
from services.sealing.errors import Erased
from services.sealing.incident_fields import (
    personal_fields_of,
    seal_incident,
    unseal_incident,
    with_personal_fields,
    without_personal_fields,
)
from services.sealing.kek import Kek, KekRing
from services.sealing.sealer import CaseSealer
from tests.unit.contracts.samples import SAMPLES
from tests.unit.contracts.strategies import instances

CASE = "inc_" + "1" * 32
INCIDENT = IncidentV1.model_validate(SAMPLES["incident.v1"])
SOME = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _value(model: object, path: str) -> object:
    for part in path.split("."):
        model = getattr(model, part, None)
    return model


@SOME
@given(incident=instances(IncidentV1))
def test_no_personal_field_is_left_and_every_one_comes_back(incident: IncidentV1) -> None:
    redacted = without_personal_fields(incident)
    assert {p: _value(redacted, p) for p in personal_field_paths(IncidentV1)} == dict.fromkeys(
        personal_field_paths(IncidentV1)
    )
    assert with_personal_fields(redacted, personal_fields_of(incident)) == incident
    operational = incident.model_dump(exclude={"description", "reporter"})
    kept = redacted.model_dump(exclude={"description", "reporter"})
    for part, fields in (("child", {"name"}), ("area", {"area_desc", "latitude", "longitude"})):
        for field in fields:
            operational[part].pop(field)
            kept[part].pop(field)
    assert kept == operational  # what the router needs is untouched


def test_the_personal_field_set_holds_only_personal_fields() -> None:
    assert set(personal_field_paths(IncidentPersonalV1)) == {
        "child_name",
        "area_desc",
        "latitude",
        "longitude",
        "description",
        "reporter.name",
        "reporter.phone",
        "reporter.relationship",
    }


async def test_intake_seals_and_the_case_page_unseals_the_whole_incident() -> None:
    kek = Kek("kek-1", AESGCM.generate_key(bit_length=256))
    sealer = CaseSealer(InMemoryCaseKeyStore(), KekRing([kek], "kek-1"))
    redacted, envelope = await seal_incident(sealer, CASE, INCIDENT)
    assert envelope.field_set == "incident-personal.v1"
    assert "Noong Bua" not in redacted.model_dump_json() + envelope.model_dump_json()
    assert await unseal_incident(sealer, CASE, redacted, envelope) == INCIDENT
    await sealer.erase(CASE, ErasureReason.ORDERED, "ops-017")
    with pytest.raises(Erased):
        await unseal_incident(sealer, CASE, redacted, envelope)
