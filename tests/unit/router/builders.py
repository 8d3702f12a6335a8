"""The sample configuration, small hand-built directories and incidents for router tests."""

import copy
import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from contracts.incident import IncidentReportedV1, IncidentV1
from services.router.directory import (
    Agency,
    Directory,
    LegacyArea,
    School,
    Unit,
    load_directory,
)
from services.router.rules import RuleSet, load_rules

SAMPLE_DIR = Path(__file__).parents[3] / "config" / "dienbien"
NOW = datetime(2026, 11, 29, 1, 15, 2, tzinfo=UTC)
INCIDENT_ID = "inc_6f1c0a8e4b9d4e0f9a3b2c1d0e9f8a7b"


@functools.cache
def sample() -> tuple[Directory, RuleSet]:
    directory = load_directory(SAMPLE_DIR)
    return directory, load_rules(SAMPLE_DIR / "rules.yaml", directory)


def sample_docs() -> dict[str, Any]:
    """The sample YAML documents by file name, to mutate and write elsewhere."""
    names = ("units.yaml", "agencies.yaml", "schools.yaml", "rules.yaml")
    return {name: yaml.safe_load((SAMPLE_DIR / name).read_text(encoding="utf-8")) for name in names}


def write_config(target: Path, docs: dict[str, Any]) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name, doc in docs.items():
        text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True)
        (target / name).write_text(text, encoding="utf-8")
    return target


def incident(**changes: Any) -> dict[str, Any]:
    """A minimal valid incident.v1 body; nested dicts in ``changes`` replace whole fields."""
    body: dict[str, Any] = {
        "identifier": "TEST-1",
        "sent": "2026-11-29T08:15:00+07:00",
        "status": "Actual",
        "category": "other",
        "severity": "Moderate",
        "urgency": "Expected",
        "certainty": "Likely",
        "area": {"geocode": "03127"},
    }
    body.update(copy.deepcopy(changes))
    return body


def reported(body: dict[str, Any], incident_id: str = INCIDENT_ID) -> IncidentReportedV1:
    return IncidentReportedV1(
        incident_id=incident_id,
        sender="helpline-111",
        received_at=NOW,
        incident=IncidentV1.model_validate(body),
    )


def tiny_directory(
    *agencies: dict[str, Any],
    schools: tuple[dict[str, Any], ...] = (),
    legacy: tuple[LegacyArea, ...] = (),
) -> Directory:
    """Province "10" with units A "00001" (0, 0), B "00002" (0, 1°), C "00003" (no position);
    a province-wide duty desk "desk" plus the given agencies and pre-2025 codes."""
    units = [
        Unit(code="10", name_vi="Tỉnh Thử", kind="province"),
        Unit(code="00001", name_vi="Xã A", kind="commune", parent="10", lat=0.0, lon=0.0),
        Unit(code="00002", name_vi="Xã B", kind="commune", parent="10", lat=0.0, lon=1.0),
        Unit(code="00003", name_vi="Xã C", kind="commune", parent="10"),
    ]
    desk = agency("desk", "province_duty_desk")
    parsed = [Agency.model_validate(a) for a in (desk, *agencies)]
    return Directory(
        units={unit.code: unit for unit in units},
        agencies={a.id: a for a in parsed},
        schools={s["id"]: School.model_validate(s) for s in schools},
        legacy={area.code: area for area in legacy},
    )


# A pre-2025 commune split between A and B, one absorbed by B, and their old district.
SPLIT = LegacyArea("00901", "Xã Cũ Chia", ("00001", "00002"), district="Huyện Cũ")
MERGED = LegacyArea("00902", "Xã Cũ Nhập", ("00002",), district="Huyện Cũ")
OLD_DISTRICT = LegacyArea("909", "Huyện Cũ", ("00001", "00002"))


def agency(agency_id: str, kind: str, *units: str, **extra: Any) -> dict[str, Any]:
    jurisdiction: Any = {"units": list(units)} if units else "province"
    return {
        "id": agency_id,
        "name_vi": agency_id,
        "name_en": agency_id,
        "kind": kind,
        "jurisdiction": jurisdiction,
        **extra,
    }


def rule_set(
    root: dict[str, Any], version: str = "test-1", deadlines: dict[str, Any] | None = None
) -> RuleSet:
    return RuleSet.model_validate({"version": version, "route": root, "deadlines": deadlines or {}})
