"""The directory loader: the sample loads; each bad entry is reported by file and path."""

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from services.config import ConfigError
from services.router.directory import AgencyKind, load_directory
from tests.unit.router.builders import (
    MERGED,
    OLD_DISTRICT,
    SPLIT,
    agency,
    sample,
    sample_docs,
    tiny_directory,
    write_config,
)


def _problems(tmp_path: Path, **docs: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_directory(write_config(tmp_path, {**sample_docs(), **docs}))
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def test_the_sample_loads_with_its_agencies_and_schools() -> None:
    directory, _ = sample()

    assert directory.placeholder
    assert directory.duty_desk.id == "duty-desk"
    assert directory.unit_name("03349") == "Xã Thanh Yên"
    assert directory.schools["TH-NOONGBUA"].agency == "school-th-noong-bua"
    assert {a.id: a.shelter.unit for a in directory.of_kind(AgencyKind.SHELTER) if a.shelter} == {
        "shelter-thanh-yen": "03349",
        "shelter-sunshine-house": "03127",
    }


def test_the_sample_holds_the_whole_province_on_official_codes() -> None:
    directory, _ = sample()
    kinds = Counter(unit.kind.value for unit in directory.units.values())

    assert kinds == {"province": 1, "commune": 42, "ward": 3}
    assert {code: directory.unit_name(code) for code in ("03127", "03334", "03151", "03349")} == {
        "03127": "Phường Điện Biên Phủ",
        "03334": "Phường Mường Thanh",
        "03151": "Phường Mường Lay",
        "03349": "Xã Thanh Yên",
    }
    assert all(unit.lat is not None for unit in directory.units.values())


def test_the_sample_reads_every_pre_2025_code_as_the_units_that_absorbed_it() -> None:
    directory, _ = sample()
    communes = [area for area in directory.legacy.values() if area.district]
    districts = [area for area in directory.legacy.values() if not area.district]

    # 129 old communes, less the 45 whose code a new unit kept (read as official, first)
    assert (len(communes), len(districts)) == (129 - 45, 10)
    assert directory.official_units("03136") == ("03127",)  # the old Mường Thanh ward
    assert directory.official_units("03334") == ("03334",)  # official first: today's ward
    assert directory.official_units("099") == (
        "03217", "03244", "03253", "03260", "03268", "03283", "03295", "03301",
    )  # fmt: skip
    assert directory.unit_name("03136") == "Phường Điện Biên Phủ"
    assert directory.official_units("09999") == ()


def test_an_unknown_unit_in_a_jurisdiction_names_file_and_entry(tmp_path: Path) -> None:
    docs = sample_docs()
    docs["agencies.yaml"]["agencies"][3]["jurisdiction"] = {"units": ["03999"]}

    assert _problems(tmp_path, **docs) == [
        f"{tmp_path}/agencies.yaml: agencies[3].jurisdiction.units[0]: unknown unit code '03999'"
    ]


def test_schema_errors_name_the_entry_and_what_was_read(tmp_path: Path) -> None:
    docs = sample_docs()
    docs["agencies.yaml"]["agencies"][2]["kind"] = "polce"
    docs["agencies.yaml"]["agencies"][4]["jurisdiction"] = "everywhere"
    docs["units.yaml"]["units"][1]["colour"] = "red"

    problems = _problems(tmp_path, **docs)

    assert f"{tmp_path}/units.yaml: units[1].colour: unknown field" in problems
    assert f"{tmp_path}/agencies.yaml: agencies[2].kind: Input should be " in problems[1]
    assert problems[1].endswith("(got 'polce')")
    assert problems[2] == (
        f"{tmp_path}/agencies.yaml: agencies[4].jurisdiction: "
        "expected 'province' or {units: [codes]}, got 'everywhere'"
    )


def test_an_unquoted_unit_code_is_refused_not_misread(tmp_path: Path) -> None:
    units = 'units:\n  - {code: "11", name_vi: T, kind: province}\n'
    units += '  - {code: 03127, name_vi: P, kind: ward, parent: "11"}\n'

    problems = _problems(tmp_path, **{"units.yaml": units})

    assert problems[0].startswith(
        f"{tmp_path}/units.yaml: units[1].code: unit codes must be quoted"
    )
    assert "(read 1623)" in problems[0]  # YAML 1.1 read it as octal


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["units.yaml"]["units"][2].update(parent="99"),
            "units.yaml: units[2].parent: unknown unit code '99'",
        ),
        (
            lambda d: d["units.yaml"]["units"][2].update(code="03127"),
            "units.yaml: units[2].code: duplicate unit code '03127'",
        ),
        (
            lambda d: d["units.yaml"]["units"][2].update(parent="03127"),
            "units.yaml: units[2].parent: '03127' is not a province",
        ),
        (
            lambda d: d["units.yaml"]["units"][3].pop("lon"),
            "units.yaml: units[3]: lat and lon must be given together",
        ),
        (
            lambda d: d["agencies.yaml"]["agencies"][2].update(id="duty-desk"),
            "agencies.yaml: agencies[2].id: duplicate agency id 'duty-desk'",
        ),
        (
            lambda d: d["agencies.yaml"]["agencies"][1].update(kind="province_duty_desk"),
            "agencies.yaml: agencies: exactly one province_duty_desk expected, found 2",
        ),
        (
            lambda d: d["agencies.yaml"]["agencies"][0].update(jurisdiction={"units": ["03127"]}),
            "agencies.yaml: agencies[0].jurisdiction: the duty desk must cover the province",
        ),
        (
            lambda d: d["agencies.yaml"]["agencies"][6].pop("shelter"),
            "agencies.yaml: agencies[6]: a shelter block is required for kind shelter",
        ),
        (
            lambda d: d["agencies.yaml"]["agencies"][6]["shelter"].update(unit="03998"),
            "agencies.yaml: agencies[6].shelter.unit: unknown unit code '03998'",
        ),
        (
            lambda d: d["schools.yaml"]["schools"][1].update(agency="school-nowhere"),
            "schools.yaml: schools[1].agency: unknown agency id 'school-nowhere'",
        ),
        (
            lambda d: d["schools.yaml"]["schools"][1].update(agency="dienbien-police"),
            "schools.yaml: schools[1].agency: 'dienbien-police' is a police, not a school",
        ),
        (
            lambda d: d["schools.yaml"]["schools"][0].update(unit="04000"),
            "schools.yaml: schools[0].unit: unknown unit code '04000'",
        ),
    ],
)
def test_cross_reference_and_shape_errors(tmp_path: Path, change: Any, expected: str) -> None:
    docs = sample_docs()
    change(docs)

    problems = _problems(tmp_path, **docs)

    assert any(p.startswith(f"{tmp_path}/{expected}") for p in problems), problems


def test_problems_in_several_files_are_all_reported(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, **{"units.yaml": "units: []\n", "schools.yaml": "schools: [{id: X}]\n"}
    )

    assert problems[0].startswith(f"{tmp_path}/units.yaml: units: Tuple should have at least 1")
    assert f"{tmp_path}/schools.yaml: schools[0].name: Field required" in problems


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    write_config(tmp_path, {"units.yaml": "units: [\n", "agencies.yaml": "- a list\n"})

    with pytest.raises(ConfigError) as caught:
        load_directory(tmp_path)

    assert caught.value.problems[0].startswith(f"{tmp_path}/units.yaml: not valid YAML: line ")
    assert caught.value.problems[1:] == [
        f"{tmp_path}/agencies.yaml: expected a mapping at the top of the file",
        f"{tmp_path}/schools.yaml: file not found",
    ]


def test_coverage_follows_the_unit_hierarchy() -> None:
    directory = tiny_directory(
        agency("a-officer", "police", "00001"), agency("all", "police", "10")
    )
    local, province_code, desk = (directory.agencies[i] for i in ("a-officer", "all", "desk"))

    assert directory.covers(local, "00001")
    assert not directory.covers(local, "00002")
    assert not directory.covers(local, "10")
    assert directory.covers(province_code, "00002")
    assert not directory.covers(province_code, "99999")
    assert directory.covers(desk, "99999")  # province-wide covers even unknown codes


def test_distance_is_great_circle_and_none_without_positions() -> None:
    directory = tiny_directory()

    assert directory.distance_km("00001", "00002") == pytest.approx(111.2, abs=0.1)
    assert directory.distance_km("00001", "00001") == 0
    assert directory.distance_km("00001", "00003") is None
    assert directory.distance_km("00001", "99999") is None


LEGACY = tiny_directory(
    agency("a-officer", "police", "00001"),
    agency("b-officer", "police", "00002"),
    legacy=(SPLIT, MERGED, OLD_DISTRICT),
)


def test_a_pre_2025_code_is_covered_by_every_unit_that_absorbed_it() -> None:
    a, b = LEGACY.agencies["a-officer"], LEGACY.agencies["b-officer"]

    assert LEGACY.lineage("00901") == ["00901", "00001", "00002", "10"]
    assert (LEGACY.covers(a, "00901"), LEGACY.covers(b, "00901")) == (True, True)
    assert (LEGACY.covers(a, "00902"), LEGACY.covers(b, "00902")) == (False, True)
    assert (LEGACY.covers(a, "909"), LEGACY.covers(b, "909")) == (True, True)


def test_a_pre_2025_code_is_named_and_placed_by_its_new_units() -> None:
    assert LEGACY.unit_name("00902") == "Xã B"
    assert LEGACY.unit_name("00901") == "Xã Cũ Chia (cũ)"  # split: the old name
    assert LEGACY.distance_km("00902", "00002") == 0
    assert LEGACY.distance_km("00901", "00002") == 0  # the nearest of its units
    assert LEGACY.legacy_area("00001") is None


def _legacy_problems(tmp_path: Path, communes: list[dict[str, Any]]) -> list[str]:
    doc = {"districts": [{"code": "094", "name_vi": "Thành phố Cũ", "communes": communes}]}
    return _problems(tmp_path, **{"legacy_units.yaml": doc})


@pytest.mark.parametrize(
    ("communes", "problem"),
    [
        (
            [{"code": "03124", "name_vi": "P", "now": ["03998"]}],
            "districts[0].communes[0].now[0]: unknown unit code '03998'",
        ),
        (
            [{"code": "03124", "name_vi": "P", "now": ["03334"]}] * 2,
            "districts[0].communes[1].code: duplicate pre-2025 code '03124'",
        ),
        (
            [{"code": "03349", "name_vi": "P", "now": ["03334"]}],
            "districts[0].communes[0].code: '03349' is an official unit code that it does not "
            "map to",
        ),
        ([{"code": "03124", "name_vi": "P", "now": []}], "districts[0].communes[0].now: Tuple"),
    ],
)
def test_a_bad_pre_2025_entry_names_file_and_entry(
    tmp_path: Path, communes: list[dict[str, Any]], problem: str
) -> None:
    problems = _legacy_problems(tmp_path, communes)

    assert any(p.startswith(f"{tmp_path}/legacy_units.yaml: {problem}") for p in problems), problems
