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


def test_only_the_unclassified_reports_and_the_unknown_place_use_the_default_route() -> None:
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
        "SCN-22": ["duty-desk"],
    }


def test_only_codes_that_are_not_official_carry_a_place_reason() -> None:
    directory, rules = sample()
    reasons = {
        scenario.incident["identifier"]: {
            d.place_reason for d in route(reported(scenario.incident), directory, rules, NOW)
        }
        for scenario in SCENARIOS
    }

    assert {key: texts for key, texts in reasons.items() if texts != {None}} == {
        "SCN-19": {
            "pre-2025 code 03136 (Phường Mường Thanh, Thành phố Điện Biên Phủ) is now 03127 "
            "Phường Điện Biên Phủ"
        },
        "SCN-20": {"pre-2025 code 03205 (Xã Na Son, Huyện Điện Biên Đông) is now 03203 Xã Na Son"},
        "SCN-21": {
            "pre-2025 district code 099 (Huyện Tuần Giáo) is now 8 units, all covered: "
            "03217, 03244, 03253, 03260, 03268, 03283, 03295, 03301"
        },
        "SCN-22": {"unknown unit code 09999: no local agency covers it, the duty desk sorts it"},
    }
