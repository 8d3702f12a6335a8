"""The sample Điện Biên configuration routes realistic incidents to the right agencies."""

import pytest

from devstack.scenarios import SCENARIOS, Scenario
from services.router.routing import route
from tests.unit.router.builders import NOW, reported, sample


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_each_scenario_reaches_exactly_its_agencies(scenario: Scenario) -> None:
    directory, rules = sample()

    decisions = route(reported(scenario.incident), directory, rules, NOW)

    assert {d.agency_id for d in decisions} == scenario.agencies


def test_scenario_names_and_identifiers_are_unique() -> None:
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS)
    assert len({s.incident["identifier"] for s in SCENARIOS}) == len(SCENARIOS)


def test_only_the_unclassified_reports_use_the_default_route() -> None:
    directory, rules = sample()
    fallbacks = {
        scenario.incident["identifier"]: sorted(
            d.agency_id
            for d in route(reported(scenario.incident), directory, rules, NOW)
            if d.fallback
        )
        for scenario in SCENARIOS
    }

    assert {key: ids for key, ids in fallbacks.items() if ids} == {
        "SCN-13": ["duty-desk"],
        "SCN-14": ["duty-desk"],
    }
