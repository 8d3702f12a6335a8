"""Reading rosters.yaml: the file into `Rosters`, then the references between its entries
checked, every problem one line 'file: path: message' (contacts never repeated). The agencies'
names come from agencies.yaml beside it, so that every message names the agency it is for."""

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from services import config
from services.config import ConfigError
from services.notifier.core.duty import AgencyRoster, Rosters
from services.notifier.core.policy import AgencyName, Officer

__all__ = ["AGENCIES_FILE", "load_rosters", "parse_agency_names", "parse_rosters"]

AGENCIES_FILE = "agencies.yaml"


class _Named(BaseModel):
    """The part of an agencies.yaml entry the notifier reads; the router checks the rest."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    id: str = Field(min_length=1)
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, min_length=1, max_length=200)


class _AgencyNames(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    agencies: tuple[_Named, ...] = ()


def load_rosters(path: Path) -> Rosters:
    """The rosters file, with the names of agencies.yaml beside it when there is one."""
    rosters = parse_rosters(config.read_yaml(path), str(path))
    agencies = path.parent / AGENCIES_FILE
    if not agencies.is_file():
        return rosters
    names = parse_agency_names(config.read_yaml(agencies), str(agencies))
    return rosters.model_copy(update={"agency_names": {**rosters.agency_names, **names}})


def parse_agency_names(data: object, source: str) -> dict[str, AgencyName]:
    named = config.validate(data, _AgencyNames, source)
    return {a.id: AgencyName(vi=a.name_vi, en=a.name_en) for a in named.agencies}


def parse_rosters(data: object, source: str) -> Rosters:
    if isinstance(data, dict) and "agency_names" in data:
        raise ConfigError([f"{source}: agency_names: not set here; read from {AGENCIES_FILE}"])
    rosters = config.validate(data, Rosters, source, echo_values=False)
    problems = [f"{source}: {problem}" for problem in _dangling_references(rosters)]
    if problems:
        raise ConfigError(problems)
    return rosters


def _dangling_references(rosters: Rosters) -> Iterator[str]:
    if rosters.duty_desk not in rosters.agencies:
        yield f"duty_desk: no roster for agency {rosters.duty_desk!r}"
    yield from _one_person_per_id(rosters)
    everyone = set(rosters.officers())
    for agency_id, roster in rosters.agencies.items():
        where = f"agencies.{agency_id}"
        yield from _duty_references(where, roster)
        for i, tier in enumerate(roster.escalation):
            for j, officer_id in enumerate(
                tier.recipients if isinstance(tier.recipients, tuple) else ()
            ):
                if officer_id not in everyone:
                    yield f"{where}.escalation[{i}].recipients[{j}]: no officer {officer_id!r}"


def _one_person_per_id(rosters: Rosters) -> Iterator[str]:
    """An officer id names one person everywhere: someone holding two posts is listed in both
    agencies with the same details, and an acknowledgment by that id is unambiguous."""
    drill = rosters.drill_recipient
    seen: dict[str, tuple[str, Officer]] = {drill.id: ("drill_recipient", drill)}
    for agency_id, roster in rosters.agencies.items():
        for index, officer in enumerate(roster.officers):
            where = f"agencies.{agency_id}.officers[{index}]"
            first_where, first = seen.setdefault(officer.id, (where, officer))
            if first_where.startswith(f"agencies.{agency_id}.officers[") and first_where != where:
                yield f"{where}.id: duplicate officer id {officer.id!r} in this agency"
            elif first != officer:
                yield f"{where}: officer {officer.id!r} differs from the one at {first_where}"


def _duty_references(where: str, roster: AgencyRoster) -> Iterator[str]:
    known = {officer.id for officer in roster.officers}
    references: list[tuple[str, str | None]] = [("duty.always", roster.duty.always)]
    references += [
        (f"duty.shifts[{i}].officer", s.officer) for i, s in enumerate(roster.duty.shifts)
    ]
    references += [
        (f"duty.assignments[{i}].officer", a.officer) for i, a in enumerate(roster.duty.assignments)
    ]
    for path, officer_id in references:
        if officer_id is not None and officer_id not in known:
            yield f"{where}.{path}: no officer {officer_id!r} in this agency"
