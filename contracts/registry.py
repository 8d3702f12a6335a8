"""Every versioned contract in one list: its model, its CloudEvents type and its schema file.

The JSON Schema files in ``contracts/schemas/`` are generated from the models; regenerate them
after changing a model with ``python -m contracts.registry export`` (``check`` tells whether
they are current, for CI).
"""

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from contracts.alert import AlertRequestedV1
from contracts.alert_command import AlertCommandV1
from contracts.alert_event import AlertEventV1
from contracts.case import CaseCommandV1, CaseFiledV1
from contracts.deadletter import DeadLetterV1
from contracts.dispatch import DispatchRequestV1
from contracts.incident import IncidentReportedV1, IncidentV1
from contracts.incident_personal import IncidentPersonalV1
from contracts.sealing import CaseErasedV1, CaseKeyV1, SealedEnvelopeV1

__all__ = [
    "CONTRACTS",
    "JSON_SCHEMA_DIALECT",
    "SCHEMA_DIR",
    "Contract",
    "by_ce_type",
    "by_name",
    "export_schemas",
    "main",
    "render_schema",
    "stale_schemas",
]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = Path(__file__).parent / "schemas"
EXPORT_COMMAND = "python -m contracts.registry export"


@dataclass(frozen=True)
class Contract:
    """One versioned contract. ``ce_type`` is None for an API body that is never an event."""

    name: str
    model: type[BaseModel]
    ce_type: str | None

    @property
    def schema_id(self) -> str:
        return f"urn:safeguard:contracts:{self.name}"

    @property
    def schema_file(self) -> str:
        return f"{self.name}.json"

    @property
    def schema_path(self) -> Path:
        return SCHEMA_DIR / self.schema_file

    def json_schema(self) -> dict[str, Any]:
        """The model's JSON Schema (draft 2020-12) with ``$schema`` and ``$id``."""
        schema = self.model.model_json_schema()
        return {"$schema": JSON_SCHEMA_DIALECT, "$id": self.schema_id, **schema}


CONTRACTS: tuple[Contract, ...] = (
    Contract("incident.v1", IncidentV1, None),
    Contract("incident-reported.v1", IncidentReportedV1, "org.safeguard.incident.reported.v1"),
    Contract("alert-requested.v1", AlertRequestedV1, "org.safeguard.alert.requested.v1"),
    Contract("alert-command.v1", AlertCommandV1, "org.safeguard.alert.command.v1"),
    Contract("dispatch-request.v1", DispatchRequestV1, "org.safeguard.alert.dispatch.v1"),
    Contract("dead-letter.v1", DeadLetterV1, "org.safeguard.dead-letter.v1"),
    Contract("alert-event.v1", AlertEventV1, "org.safeguard.alert.event.v1"),
    Contract("sealed-envelope.v1", SealedEnvelopeV1, None),  # carried inside other events
    Contract("incident-personal.v1", IncidentPersonalV1, None),  # what an envelope seals
    Contract("case-key.v1", CaseKeyV1, "org.safeguard.sealing.case-key.v1"),
    Contract("case-erased.v1", CaseErasedV1, "org.safeguard.sealing.case-erased.v1"),
    Contract("case-filed.v1", CaseFiledV1, "org.safeguard.case.filed.v1"),
    Contract("case-command.v1", CaseCommandV1, "org.safeguard.case.command.v1"),
)


def by_name(name: str) -> Contract:
    for contract in CONTRACTS:
        if contract.name == name:
            return contract
    raise KeyError(f"no contract named {name!r}")


def by_ce_type(ce_type: str) -> Contract:
    for contract in CONTRACTS:
        if contract.ce_type is not None and contract.ce_type == ce_type:
            return contract
    raise KeyError(f"no contract with CloudEvents type {ce_type!r}")


def render_schema(contract: Contract) -> str:
    """The schema file's exact text: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(contract.json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every contract's schema into ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for contract in CONTRACTS:
        path = directory / contract.schema_file
        path.write_text(render_schema(contract), encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(directory: Path = SCHEMA_DIR) -> list[str]:
    """Names of the contracts whose file in ``directory`` is missing or differs from the model."""
    return [
        contract.name
        for contract in CONTRACTS
        if _read(directory / contract.schema_file) != render_schema(contract)
    ]


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.registry", description=__doc__)
    parser.add_argument("command", choices=("export", "check", "list"))
    parser.add_argument("--directory", type=Path, default=SCHEMA_DIR)
    args = parser.parse_args(argv)
    if args.command == "export":
        for path in export_schemas(args.directory):
            print(path)
        return 0
    if args.command == "check":
        return _check(args.directory)
    for contract in CONTRACTS:
        print(f"{contract.name}\t{contract.ce_type or '-'}\t{contract.schema_file}")
    return 0


def _check(directory: Path) -> int:
    stale = stale_schemas(directory)
    for name in stale:
        print(f"{name}: schema file is out of date; run `{EXPORT_COMMAND}`", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
