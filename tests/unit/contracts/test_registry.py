"""The registry lists each contract once, and its export is deterministic and complete."""

import json
from pathlib import Path

import pytest

from contracts import registry
from contracts.registry import CONTRACTS, SCHEMA_DIR, Contract

NAMES = [contract.name for contract in CONTRACTS]


def test_the_contracts_the_services_rely_on_are_registered() -> None:
    assert {"incident.v1", "incident-reported.v1", "alert-requested.v1"} <= set(NAMES)
    assert registry.by_name("incident.v1").ce_type is None  # an API body, never an event
    assert registry.by_name("incident-reported.v1").ce_type == "org.safeguard.incident.reported.v1"
    assert registry.by_name("alert-requested.v1").ce_type == "org.safeguard.alert.requested.v1"


def test_names_and_event_types_are_unique() -> None:
    ce_types = [contract.ce_type for contract in CONTRACTS if contract.ce_type is not None]
    assert len(set(NAMES)) == len(NAMES)
    assert len(set(ce_types)) == len(ce_types)


@pytest.mark.parametrize("contract", CONTRACTS, ids=NAMES)
def test_a_contract_is_named_like_its_model_title_and_versioned(contract: Contract) -> None:
    assert contract.model.model_config.get("title") == contract.name
    assert contract.name.rsplit(".", 1)[-1].startswith("v")
    assert contract.schema_path == SCHEMA_DIR / f"{contract.name}.json"
    if contract.ce_type is not None:
        assert contract.ce_type.startswith("org.safeguard.")
        assert contract.ce_type.endswith("." + contract.name.rsplit(".", 1)[-1])


def test_lookups_find_each_contract_and_refuse_unknown_ones() -> None:
    for contract in CONTRACTS:
        assert registry.by_name(contract.name) is contract
        if contract.ce_type is not None:
            assert registry.by_ce_type(contract.ce_type) is contract
    with pytest.raises(KeyError):
        registry.by_name("incident.v0")
    with pytest.raises(KeyError):
        registry.by_ce_type("org.safeguard.unknown.v1")


def test_the_schema_folder_holds_exactly_the_registered_schemas() -> None:
    on_disk = {path.name for path in SCHEMA_DIR.glob("*.json")}
    assert on_disk == {contract.schema_file for contract in CONTRACTS}, (
        "a schema file without a contract (or the reverse): "
        "remove it, or run `python -m contracts.registry export`"
    )


def test_export_writes_sorted_two_space_json_with_dialect_and_id(tmp_path: Path) -> None:
    written = registry.export_schemas(tmp_path)
    assert [path.name for path in written] == [contract.schema_file for contract in CONTRACTS]
    for contract, path in zip(CONTRACTS, written, strict=True):
        text = path.read_text(encoding="utf-8")
        schema = json.loads(text)
        assert text == json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == contract.schema_id


def test_export_is_deterministic(tmp_path: Path) -> None:
    first = [path.read_bytes() for path in registry.export_schemas(tmp_path / "a")]
    second = [path.read_bytes() for path in registry.export_schemas(tmp_path / "b")]
    assert first == second


def test_check_reports_a_drifted_or_missing_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert registry.main(["export", "--directory", str(tmp_path)]) == 0
    assert registry.main(["check", "--directory", str(tmp_path)]) == 0
    (tmp_path / "incident.v1.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "alert-requested.v1.json").unlink()
    capsys.readouterr()
    assert registry.main(["check", "--directory", str(tmp_path)]) == 1
    errors = capsys.readouterr().err
    assert "incident.v1" in errors
    assert "alert-requested.v1" in errors
    assert "python -m contracts.registry export" in errors


def test_list_prints_every_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert registry.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == NAMES
