"""Reading rosters.yaml: the file into `Rosters`, then the references between its entries
checked, every problem one line 'file: path: message' (contacts never repeated)."""

from collections.abc import Iterator
from pathlib import Path

from services import config
from services.config import ConfigError
from services.notifier.core.duty import AgencyRoster, Rosters
from services.notifier.core.policy import Officer

__all__ = ["load_rosters", "parse_rosters"]


def load_rosters(path: Path) -> Rosters:
    return parse_rosters(config.read_yaml(path), str(path))


def parse_rosters(data: object, source: str) -> Rosters:
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
    references = [("duty.always", roster.duty.always)]
    references += [
        (f"duty.shifts[{i}].officer", s.officer) for i, s in enumerate(roster.duty.shifts)
    ]
    references += [
        (f"duty.assignments[{i}].officer", a.officer) for i, a in enumerate(roster.duty.assignments)
    ]
    for path, officer_id in references:
        if officer_id not in known:
            yield f"{where}.{path}: no officer {officer_id!r} in this agency"
