"""The directory: administrative units, agencies and schools, read from YAML and checked;
and the pre-2025 codes (legacy_units.yaml, optional) read as the official units that absorbed them.

Every problem names its file and the path of the bad entry, e.g.
``config/dienbien/agencies.yaml: agencies[3].jurisdiction.units[0]: unknown unit code '03999'``.
"""

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from services import config
from services.config import ConfigError

__all__ = [
    "DIRECTORY_FILES",
    "LEGACY_FILE",
    "Agency",
    "AgencyKind",
    "Directory",
    "Jurisdiction",
    "LegacyArea",
    "LegacyCommune",
    "LegacyDistrict",
    "School",
    "Shelter",
    "Unit",
    "UnitCode",
    "UnitKind",
    "load_directory",
]

DIRECTORY_FILES = ("units.yaml", "agencies.yaml", "schools.yaml")
LEGACY_FILE = "legacy_units.yaml"  # optional: pre-2025 codes and the units that absorbed them
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


class LegacyCommune(BaseModel):
    """A pre-2025 commune, ward or town and the official units that absorbed it (several when
    it was split between them)."""

    model_config = _MODEL

    code: UnitCode
    name_vi: str = Field(min_length=1)
    now: tuple[UnitCode, ...] = Field(min_length=1)


class LegacyDistrict(BaseModel):
    """A pre-2025 district (the level abolished on 1 July 2025) and its communes."""

    model_config = _MODEL

    code: UnitCode
    name_vi: str = Field(min_length=1)
    communes: tuple[LegacyCommune, ...] = Field(min_length=1)


class _LegacyFile(BaseModel):
    model_config = _MODEL

    districts: tuple[LegacyDistrict, ...] = ()


@dataclass(frozen=True)
class LegacyArea:
    """A pre-2025 code as the router reads it: the official units that now cover its area."""

    code: str
    name_vi: str
    units: tuple[str, ...]
    district: str | None = None  # the old district's name, for a commune; None for a district

    @property
    def split(self) -> bool:
        return len(self.units) > 1


@dataclass(frozen=True, eq=False)
class Directory:
    """Units, agencies and schools by key, in file order; pre-2025 codes by code.

    A geocode is read official code first: a pre-2025 code only when no unit has it."""

    units: Mapping[str, Unit]
    agencies: Mapping[str, Agency]
    schools: Mapping[str, School]
    placeholder: bool = False
    legacy: Mapping[str, LegacyArea] = field(default_factory=dict)

    @property
    def duty_desk(self) -> Agency:
        return next(iter(self.of_kind(AgencyKind.PROVINCE_DUTY_DESK)))

    def of_kind(self, kind: AgencyKind) -> list[Agency]:
        return [agency for agency in self.agencies.values() if agency.kind is kind]

    def official_units(self, code: str) -> tuple[str, ...]:
        """The official units a geocode stands for: itself, the units that absorbed a pre-2025
        code, or none for an unknown code."""
        if code in self.units:
            return (code,)
        legacy = self.legacy.get(code)
        return legacy.units if legacy else ()

    def legacy_area(self, code: str) -> LegacyArea | None:
        """The pre-2025 area a geocode names, None when it is an official code or unknown."""
        return None if code in self.units else self.legacy.get(code)

    def lineage(self, code: str) -> list[str]:
        """The unit and the units that contain it (for a pre-2025 code, first the units that
        absorbed it); an unknown code stands alone."""
        chain = [code, *(unit for unit in self.official_units(code) if unit != code)]
        for link in chain:  # grows while walked: each unit's parent joins the chain
            unit = self.units.get(link)
            if unit and unit.parent and unit.parent not in chain:
                chain.append(unit.parent)
        return chain

    def covers(self, agency: Agency, code: str) -> bool:
        if agency.jurisdiction.province:
            return True
        return any(unit in agency.jurisdiction.units for unit in self.lineage(code))

    def unit_name(self, code: str) -> str:
        """The official unit's name; for a pre-2025 code the unit that absorbed it, or the old
        name marked "(cũ)" when several did; an unknown code says so, with the code."""
        units = self.official_units(code)
        if len(units) == 1:
            return self.units[units[0]].name_vi
        legacy = self.legacy.get(code)
        return f"{legacy.name_vi} (cũ)" if legacy else f"địa bàn không rõ (mã {code})"

    def distance_km(self, a: str, b: str) -> float | None:
        """Great-circle distance between two places' centres (the nearest pair when a pre-2025
        code stands for several units), None when one has no position."""
        distances = [
            _great_circle_km(one, two) for one in self._positions(a) for two in self._positions(b)
        ]
        return min(distances, default=None)

    def _positions(self, code: str) -> list[tuple[float, float]]:
        units = [self.units[official] for official in self.official_units(code)]
        return [(u.lat, u.lon) for u in units if u.lat is not None and u.lon is not None]


def _great_circle_km(one: tuple[float, float], two: tuple[float, float]) -> float:
    lat1, lat2 = math.radians(one[0]), math.radians(two[0])
    half_dlat, half_dlon = (lat2 - lat1) / 2, math.radians(two[1] - one[1]) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def load_directory(config_dir: Path) -> Directory:
    """Read units.yaml, agencies.yaml, schools.yaml and, when present, legacy_units.yaml from
    ``config_dir``; ConfigError if bad."""
    paths = [config_dir / name for name in DIRECTORY_FILES]
    legacy_path = config_dir / LEGACY_FILE
    problems: list[str] = []
    units = _collect(problems, paths[0], _UnitsFile)
    agencies = _collect(problems, paths[1], _AgenciesFile)
    schools = _collect(problems, paths[2], _SchoolsFile)
    legacy = _collect(problems, legacy_path, _LegacyFile) if legacy_path.exists() else _LegacyFile()
    if units is None or agencies is None or schools is None or legacy is None:
        raise ConfigError(problems)
    problems += _check_units(paths[0], units.units)
    codes = {unit.code for unit in units.units}
    problems += _check_agencies(paths[1], agencies.agencies, codes)
    problems += _check_schools(paths[2], schools.schools, codes, agencies.agencies)
    problems += _check_legacy(legacy_path, legacy.districts, codes)
    if problems:
        raise ConfigError(problems)
    return Directory(
        units={unit.code: unit for unit in units.units},
        agencies={agency.id: agency for agency in agencies.agencies},
        schools={school.id: school for school in schools.schools},
        placeholder=units.placeholder or agencies.placeholder or schools.placeholder,
        legacy=_legacy_areas(legacy.districts, codes),
    )


def _legacy_areas(districts: Sequence[LegacyDistrict], official: set[str]) -> dict[str, LegacyArea]:
    """Each pre-2025 commune and district by code; a district covers every unit that absorbed
    one of its communes. Codes that are official codes too are left out: official first."""
    areas: dict[str, LegacyArea] = {}
    for district in districts:
        covered = sorted({unit for commune in district.communes for unit in commune.now})
        areas[district.code] = LegacyArea(district.code, district.name_vi, tuple(covered))
        for commune in district.communes:
            areas[commune.code] = LegacyArea(
                commune.code, commune.name_vi, commune.now, district=district.name_vi
            )
    return {code: area for code, area in areas.items() if code not in official}


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


def _check_legacy(path: Path, districts: Sequence[LegacyDistrict], official: set[str]) -> list[str]:
    entries = [
        (f"districts[{i}].communes[{j}]", commune)
        for i, district in enumerate(districts)
        for j, commune in enumerate(district.communes)
    ]
    keys = [district.code for district in districts] + [commune.code for _, commune in entries]
    wheres = [f"districts[{i}]" for i in range(len(districts))] + [where for where, _ in entries]
    problems = [
        f"{path}: {wheres[i]}.code: duplicate pre-2025 code '{code}'"
        for i, code in _duplicates(keys)
    ]
    for where, commune in entries:
        problems += [
            f"{path}: {where}.now[{k}]: unknown unit code '{code}'"
            for k, code in enumerate(commune.now)
            if code not in official
        ]
        if commune.code in official and commune.code not in commune.now:
            # The same code would name two different places: official first would misroute.
            problems.append(
                f"{path}: {where}.code: '{commune.code}' is an official unit code that it "
                "does not map to"
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
