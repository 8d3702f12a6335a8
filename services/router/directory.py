"""The directory: administrative units, agencies and schools, read from YAML and checked.

Every problem names its file and the path of the bad entry, e.g.
``config/dienbien/agencies.yaml: agencies[3].jurisdiction.units[0]: unknown unit code '03999'``.
"""

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from services import config
from services.config import ConfigError

__all__ = [
    "DIRECTORY_FILES",
    "Agency",
    "AgencyKind",
    "Directory",
    "Jurisdiction",
    "School",
    "Shelter",
    "Unit",
    "UnitCode",
    "UnitKind",
    "load_directory",
]

DIRECTORY_FILES = ("units.yaml", "agencies.yaml", "schools.yaml")
EARTH_RADIUS_KM = 6371.0088

M = TypeVar("M", bound=BaseModel)


def _quoted_code(value: object) -> object:
    # PyYAML reads an unquoted 03127 as the octal number 1623, so a number is always a mistake.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f'unit codes must be quoted strings in YAML, e.g. "03127" (read {value})')
    return value


UnitCode = Annotated[str, BeforeValidator(_quoted_code), Field(pattern=r"^[0-9]{2,5}$")]
AgencyId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
_MODEL = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class UnitKind(StrEnum):
    PROVINCE = "province"
    WARD = "ward"
    COMMUNE = "commune"
    SPECIAL_ZONE = "special_zone"


class AgencyKind(StrEnum):
    POLICE = "police"
    EDUCATION_DEPARTMENT = "education_department"
    SCHOOL = "school"
    HEALTH_CHILD_PROTECTION = "health_child_protection"
    COMMUNE_CHILD_PROTECTION_OFFICER = "commune_child_protection_officer"
    SHELTER = "shelter"
    SOCIAL_SERVICES = "social_services"
    HELPLINE = "helpline"
    PROVINCE_DUTY_DESK = "province_duty_desk"


class Unit(BaseModel):
    """A province, ward, commune or special zone; lat/lon (its centre) rank shelters."""

    model_config = _MODEL

    code: UnitCode
    name_vi: str = Field(min_length=1)
    name_en: str | None = None
    kind: UnitKind
    parent: UnitCode | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        if (self.kind is UnitKind.PROVINCE) != (self.parent is None):
            raise ValueError("a province has no parent; every other unit names its province")
        return self


class Jurisdiction(BaseModel):
    """Where an agency acts: the whole province (``province``) or listed units."""

    model_config = _MODEL

    province: bool = False
    units: tuple[UnitCode, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if value == "province":
            return {"province": True}
        if isinstance(value, str):
            raise ValueError(f"expected 'province' or {{units: [codes]}}, got {value!r}")
        return value

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if self.province == bool(self.units):
            raise ValueError("give either 'province' or a non-empty list of units")
        return self


class Shelter(BaseModel):
    model_config = _MODEL

    takes_children: bool = Field(description="Takes children in an emergency.")
    unit: UnitCode


class Agency(BaseModel):
    model_config = _MODEL

    id: AgencyId
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    kind: AgencyKind
    jurisdiction: Jurisdiction
    shelter: Shelter | None = None

    @model_validator(mode="after")
    def _shelter_block(self) -> Self:
        if (self.kind is AgencyKind.SHELTER) != (self.shelter is not None):
            raise ValueError("a shelter block is required for kind shelter and only for it")
        return self


class School(BaseModel):
    model_config = _MODEL

    id: str = Field(min_length=1, max_length=64, pattern=r"^\S+$")
    name: str = Field(min_length=1)
    unit: UnitCode
    agency: AgencyId


class _UnitsFile(BaseModel):
    model_config = _MODEL

    placeholder: bool = False
    units: tuple[Unit, ...] = Field(min_length=1)


class _AgenciesFile(BaseModel):
    model_config = _MODEL

    placeholder: bool = False
    agencies: tuple[Agency, ...] = Field(min_length=1)


class _SchoolsFile(BaseModel):
    model_config = _MODEL

    placeholder: bool = False
    schools: tuple[School, ...] = ()


@dataclass(frozen=True, eq=False)
class Directory:
    """Units, agencies and schools by key, in file order."""

    units: Mapping[str, Unit]
    agencies: Mapping[str, Agency]
    schools: Mapping[str, School]
    placeholder: bool = False

    @property
    def duty_desk(self) -> Agency:
        return next(iter(self.of_kind(AgencyKind.PROVINCE_DUTY_DESK)))

    def of_kind(self, kind: AgencyKind) -> list[Agency]:
        return [agency for agency in self.agencies.values() if agency.kind is kind]

    def lineage(self, code: str) -> list[str]:
        """The unit and the units that contain it; an unknown code stands alone."""
        chain = [code]
        while (unit := self.units.get(chain[-1])) and unit.parent and unit.parent not in chain:
            chain.append(unit.parent)
        return chain

    def covers(self, agency: Agency, code: str) -> bool:
        if agency.jurisdiction.province:
            return True
        return any(unit in agency.jurisdiction.units for unit in self.lineage(code))

    def unit_name(self, code: str) -> str:
        unit = self.units.get(code)
        return unit.name_vi if unit else code

    def distance_km(self, a: str, b: str) -> float | None:
        """Great-circle distance between two units' centres, None when one has no position."""
        one, two = self.units.get(a), self.units.get(b)
        if not (one and two and one.lat is not None and two.lat is not None):
            return None
        assert one.lon is not None and two.lon is not None
        lat1, lat2 = math.radians(one.lat), math.radians(two.lat)
        half_dlat, half_dlon = (lat2 - lat1) / 2, math.radians(two.lon - one.lon) / 2
        h = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlon) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def load_directory(config_dir: Path) -> Directory:
    """Read units.yaml, agencies.yaml and schools.yaml from ``config_dir``; ConfigError if bad."""
    paths = [config_dir / name for name in DIRECTORY_FILES]
    problems: list[str] = []
    units = _collect(problems, paths[0], _UnitsFile)
    agencies = _collect(problems, paths[1], _AgenciesFile)
    schools = _collect(problems, paths[2], _SchoolsFile)
    if units is None or agencies is None or schools is None:
        raise ConfigError(problems)
    problems += _check_units(paths[0], units.units)
    codes = {unit.code for unit in units.units}
    problems += _check_agencies(paths[1], agencies.agencies, codes)
    problems += _check_schools(paths[2], schools.schools, codes, agencies.agencies)
    if problems:
        raise ConfigError(problems)
    return Directory(
        units={unit.code: unit for unit in units.units},
        agencies={agency.id: agency for agency in agencies.agencies},
        schools={school.id: school for school in schools.schools},
        placeholder=units.placeholder or agencies.placeholder or schools.placeholder,
    )


def _collect(problems: list[str], path: Path, model: type[M]) -> M | None:
    try:
        return config.load(path, model)
    except ConfigError as error:
        problems += error.problems
        return None


def _duplicates(keys: Sequence[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, key in enumerate(keys):
        if key in seen:
            yield index, key
        seen.add(key)


def _check_units(path: Path, units: Sequence[Unit]) -> list[str]:
    problems = [
        f"{path}: units[{i}].code: duplicate unit code '{code}'"
        for i, code in _duplicates([unit.code for unit in units])
    ]
    kinds = {unit.code: unit.kind for unit in units}
    for i, unit in enumerate(units):
        if unit.parent is not None and unit.parent not in kinds:
            problems.append(f"{path}: units[{i}].parent: unknown unit code '{unit.parent}'")
        elif unit.parent is not None and kinds[unit.parent] is not UnitKind.PROVINCE:
            problems.append(f"{path}: units[{i}].parent: '{unit.parent}' is not a province")
    provinces = sum(unit.kind is UnitKind.PROVINCE for unit in units)
    if provinces != 1:
        problems.append(f"{path}: units: exactly one province expected, found {provinces}")
    return problems


def _check_agencies(path: Path, agencies: Sequence[Agency], codes: set[str]) -> list[str]:
    problems = [
        f"{path}: agencies[{i}].id: duplicate agency id '{agency_id}'"
        for i, agency_id in _duplicates([agency.id for agency in agencies])
    ]
    for i, agency in enumerate(agencies):
        problems += [
            f"{path}: agencies[{i}].jurisdiction.units[{j}]: unknown unit code '{code}'"
            for j, code in enumerate(agency.jurisdiction.units)
            if code not in codes
        ]
        if agency.shelter and agency.shelter.unit not in codes:
            problems.append(
                f"{path}: agencies[{i}].shelter.unit: unknown unit code '{agency.shelter.unit}'"
            )
    desks = [i for i, a in enumerate(agencies) if a.kind is AgencyKind.PROVINCE_DUTY_DESK]
    if len(desks) != 1:
        problems.append(
            f"{path}: agencies: exactly one province_duty_desk expected, found {len(desks)}"
        )
    elif not agencies[desks[0]].jurisdiction.province:
        problems.append(
            f"{path}: agencies[{desks[0]}].jurisdiction: the duty desk must cover the province"
        )
    return problems


def _check_schools(
    path: Path, schools: Sequence[School], codes: set[str], agencies: Sequence[Agency]
) -> list[str]:
    problems = [
        f"{path}: schools[{i}].id: duplicate school id '{school_id}'"
        for i, school_id in _duplicates([school.id for school in schools])
    ]
    kinds = {agency.id: agency.kind for agency in agencies}
    for i, school in enumerate(schools):
        if school.unit not in codes:
            problems.append(f"{path}: schools[{i}].unit: unknown unit code '{school.unit}'")
        if school.agency not in kinds:
            problems.append(f"{path}: schools[{i}].agency: unknown agency id '{school.agency}'")
        elif kinds[school.agency] is not AgencyKind.SCHOOL:
            problems.append(
                f"{path}: schools[{i}].agency: '{school.agency}' is a "
                f"{kinds[school.agency]}, not a school"
            )
    return problems
