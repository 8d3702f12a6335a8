"""Linking reports into cases: conservative, symmetric, explained."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts.incident import AgeBand, Category, Sex
from services.router.linking import (
    CaseProfile,
    LinkingConfig,
    LinkVerdict,
    age_band,
    compare,
    link,
)

CONFIG = LinkingConfig()
T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
NEIGHBOURS = {frozenset({"03127", "03334"})}


def nearby(a: str, b: str) -> bool:
    return frozenset({a, b}) in NEIGHBOURS


def profile(key: str = "case-1", **facts: object) -> CaseProfile:
    base = CaseProfile(
        key=key,
        unit="03127",
        category=Category.PHYSICAL_ABUSE,
        reported_at=T0,
        drill=False,
        sex=Sex.FEMALE,
        age=9,
    )
    return replace(base, **facts)  # type: ignore[arg-type]


profiles = st.builds(
    CaseProfile,
    key=st.sampled_from(["a", "b", "c"]),
    unit=st.sampled_from(["03127", "03334", "03349"]),
    category=st.sampled_from(list(Category)),
    reported_at=st.integers(0, 200).map(lambda h: T0 + timedelta(hours=h)),
    drill=st.booleans(),
    sex=st.sampled_from(list(Sex)),
    age_band=st.none() | st.sampled_from(list(AgeBand)),
    age=st.none(),
    school_id=st.none() | st.sampled_from(["TH-1", "TH-2"]),
)


def test_a_second_source_on_the_same_child_links_with_its_reasons() -> None:
    school_report = profile(
        "inc-school", category=Category.VIOLENCE, reported_at=T0 + timedelta(hours=2)
    )
    match = compare(school_report, profile(), nearby, CONFIG)
    assert match.verdict is LinkVerdict.SAME
    assert match.key == "case-1"
    assert "same age band" in match.reasons
    assert "same sex" in match.reasons
    assert "compatible category" in match.reasons


def test_place_time_and_category_alone_are_only_possible() -> None:
    anonymous = profile("inc-2", sex=Sex.UNKNOWN, age=None)
    match = compare(anonymous, profile(), nearby, CONFIG)
    assert match.verdict is LinkVerdict.POSSIBLE
    assert match.key == "case-1"


def test_the_same_school_identifies_the_child() -> None:
    a = profile("a", sex=Sex.UNKNOWN, age=None, school_id="TH-1")
    b = profile("b", sex=Sex.UNKNOWN, age=None, school_id="TH-1", unit="03334")
    assert compare(a, b, nearby, CONFIG).verdict is LinkVerdict.SAME


def test_each_contradiction_rules_a_link_out_and_says_why() -> None:
    case = profile(school_id="TH-1")
    cases = {
        "the child's sex differs": profile("r", sex=Sex.MALE),
        "the child's age band differs": profile("r", age=12),
        "different schools": profile("r", school_id="TH-2"),
        "a drill and an actual report": profile("r", drill=True),
        "reported too far apart": profile("r", reported_at=T0 + timedelta(hours=73)),
        "places too far apart": profile("r", unit="03349"),
        "incompatible categories": profile("r", category=Category.DROWNING),
    }
    for reason, report in cases.items():
        match = compare(report, case, nearby, CONFIG)
        assert (match.verdict, match.reasons) == (LinkVerdict.DIFFERENT, (reason,)), reason


def test_ages_a_year_apart_still_link_but_further_do_not() -> None:
    assert compare(profile("r", age=10), profile(), nearby, CONFIG).verdict is LinkVerdict.SAME
    far = compare(profile("r", age=6), profile(), nearby, CONFIG)
    assert far.verdict is LinkVerdict.DIFFERENT


def test_a_report_that_fits_two_cases_is_merged_into_neither() -> None:
    match = link(profile("r"), [profile("case-1"), profile("case-2")], nearby, CONFIG)
    assert match.verdict is LinkVerdict.POSSIBLE
    assert any("also fits" in reason for reason in match.reasons)


def test_no_open_case_means_a_new_case() -> None:
    match = link(profile("r"), [], nearby, CONFIG)
    assert (match.verdict, match.key) == (LinkVerdict.DIFFERENT, None)


def test_thresholds_are_configuration() -> None:
    strict = LinkingConfig(same_at=20, possible_at=19)
    assert compare(profile("r"), profile(), nearby, strict).verdict is LinkVerdict.DIFFERENT


@given(profiles, profiles)
def test_a_pair_decides_the_same_way_whatever_the_order(a: CaseProfile, b: CaseProfile) -> None:
    forward, backward = compare(a, b, nearby, CONFIG), compare(b, a, nearby, CONFIG)
    assert (forward.verdict, forward.score) == (backward.verdict, backward.score)


@given(profiles, profiles)
def test_children_of_different_sex_or_age_band_are_never_linked(
    a: CaseProfile, b: CaseProfile
) -> None:
    sexes_differ = Sex.UNKNOWN not in (a.sex, b.sex) and a.sex != b.sex
    bands_differ = a.age_band is not None and b.age_band is not None and a.age_band != b.age_band
    if sexes_differ or bands_differ:
        assert compare(a, b, nearby, CONFIG).verdict is LinkVerdict.DIFFERENT


@given(profiles, st.lists(profiles, max_size=5))
def test_link_never_names_a_case_that_compare_rules_out(
    report: CaseProfile, cases: list[CaseProfile]
) -> None:
    match = link(report, cases, nearby, CONFIG)
    if match.key is not None:
        chosen = [c for c in cases if c.key == match.key]
        assert any(
            compare(report, c, nearby, CONFIG).verdict is not LinkVerdict.DIFFERENT for c in chosen
        )


@given(st.integers(0, 17))
def test_every_age_has_its_band(age: int) -> None:
    low, high = (int(part) for part in age_band(age).value.split("-"))
    assert low <= age <= high
