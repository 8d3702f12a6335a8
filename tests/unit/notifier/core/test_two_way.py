"""Two-way SMS needs both the sender setting and the officer's flag; one alone is refused."""

import pytest

from services.notifier.core.duty import Rosters
from services.notifier.core.two_way import mismatch
from tests.unit.notifier.builders import roster_data, rosters


def _with_two_way(*officer_ids: str) -> Rosters:
    data = roster_data()
    for roster in data["agencies"].values():
        for officer in roster["officers"]:
            officer["two_way_sms"] = officer["id"] in officer_ids
    return rosters(data)


@pytest.mark.parametrize(
    ("sender", "officers"), [(False, ()), (True, ("day",)), (True, ("day", "nurse"))]
)
def test_settings_that_agree_are_fine(sender: bool, officers: tuple[str, ...]) -> None:
    assert mismatch(sender, _with_two_way(*officers)) is None


def test_the_sender_setting_alone_is_refused_in_one_line() -> None:
    problem = mismatch(True, _with_two_way(), "config/rosters.yaml")
    assert problem is not None
    assert "\n" not in problem
    assert problem.startswith(
        "SAFEGUARD_TWILIO_TWO_WAY=true but no officer in config/rosters.yaml has two_way_sms: true"
    )


def test_officers_flagged_without_the_sender_setting_are_refused_and_named() -> None:
    problem = mismatch(False, _with_two_way("day", "nurse", "deputy", "head"))
    assert problem is not None
    assert "\n" not in problem
    assert problem.startswith("4 officer(s) in rosters.yaml have two_way_sms: true (day, deputy, ")
    assert "SAFEGUARD_TWILIO_TWO_WAY is not true" in problem
    assert "+84" not in problem  # ids only, never a phone number


def test_the_drill_recipient_counts_as_an_officer() -> None:
    data = roster_data()
    data["drill_recipient"]["two_way_sms"] = True
    assert mismatch(True, rosters(data)) is None
    assert mismatch(False, rosters(data)) is not None
