"""`safeguard directory import`: the shipped units and pre-2025 codes are exactly what the
import makes from the installed vietnamadminunits; the rendering holds splits; without the
package the command says so in one line."""

import functools
import subprocess
import sys
from collections import Counter
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from services.cli import main
from services.router.directory import UnitKind, load_directory
from services.router.unit_import import (
    LegacyCommuneRecord,
    ProvinceData,
    UnitRecord,
    main_directory,
    read_province,
    render_legacy,
    render_units,
)
from tests.unit.router.builders import SAMPLE_DIR, sample_docs, write_config


@functools.cache
def _dien_bien() -> ProvinceData:
    return read_province("11")


def test_the_import_reproduces_the_shipped_files_byte_for_byte() -> None:
    data = _dien_bien()

    assert render_units(data) == (SAMPLE_DIR / "units.yaml").read_text(encoding="utf-8")
    assert render_legacy(data) == (SAMPLE_DIR / "legacy_units.yaml").read_text(encoding="utf-8")


def test_dien_bien_has_45_units_and_129_pre_2025_communes_none_split() -> None:
    data = _dien_bien()

    assert (data.province.code, data.province.name_vi) == ("11", "Tỉnh Điện Biên")
    assert len(data.units) == 45
    assert sum(unit.kind is UnitKind.WARD for unit in data.units) == 3
    codes = {unit.code: unit.name_vi for unit in data.units}
    assert codes["03349"] == "Xã Thanh Yên"
    assert codes["03334"] == "Phường Mường Thanh"
    assert len(data.legacy) == 129
    assert len({commune.district_code for commune in data.legacy}) == 10
    assert [commune for commune in data.legacy if len(commune.now) > 1] == []
    assert data.source == "vietnamadminunits 1.0.4 (MIT License)"


def test_the_data_agree_with_the_government_s_plan_for_dien_bien() -> None:
    # The Government's plan (MOHA, 2025): 129 units (115 xã, 9 phường, 5 thị trấn) merged
    # whole ("nguyên trạng") into 45: 16 new units of 2 old ones, 29 of 3 or more.
    data = _dien_bien()
    merged = Counter(commune.now[0] for commune in data.legacy)
    old_kinds = Counter(commune.name_vi.split()[0] for commune in data.legacy)

    assert Counter(min(n, 3) for n in merged.values()) == {2: 16, 3: 29}
    assert sorted(merged) == sorted(unit.code for unit in data.units)
    assert sum(c.name_vi.startswith("Thị trấn ") for c in data.legacy) == 5
    assert (old_kinds["Xã"], old_kinds["Phường"]) == (115, 9)


def test_check_passes_on_the_sample_and_fails_on_an_edited_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["directory", "import", "--check", "--config", str(SAMPLE_DIR)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")

    edited = SAMPLE_DIR.joinpath("units.yaml").read_text(encoding="utf-8") + "# edited\n"
    (tmp_path / "units.yaml").write_text(edited, encoding="utf-8")
    assert main_directory(["import", "--check", "--config", str(tmp_path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path}/units.yaml: differs from the import",
        f"{tmp_path}/legacy_units.yaml: differs from the import",
    ]


def test_the_import_writes_files_the_directory_loads(tmp_path: Path) -> None:
    target = write_config(tmp_path, {k: v for k, v in sample_docs().items() if k != "units.yaml"})

    assert main_directory(["import", "--config", str(target)]) == 0

    directory = load_directory(target)
    assert len(directory.units) == 46
    assert directory.official_units("03136") == ("03127",)


SPLIT_DATA = ProvinceData(
    source="test data",
    province=UnitRecord("10", "Tỉnh Thử", "Thử", UnitKind.PROVINCE, None, None),
    units=(
        UnitRecord("00001", "Phường A", "A", UnitKind.WARD, 21.5, 103.0),
        UnitRecord("00002", 'Xã B: "Bản" #2', 'B: "Bản" #2', UnitKind.COMMUNE, None, None),
        UnitRecord("00003", "Đặc khu C", "C", UnitKind.SPECIAL_ZONE, 20.0, 106.0),
    ),
    legacy=(
        LegacyCommuneRecord("909", "Huyện Cũ", "00901", "Xã Cũ Chia", ("00002", "00001")),
        LegacyCommuneRecord("909", "Huyện Cũ", "00001", "Phường Giữ Mã", ("00001",)),
    ),
)


def test_rendered_units_keep_names_verbatim_and_positions_only_where_known() -> None:
    units = yaml.safe_load(render_units(SPLIT_DATA))["units"]

    assert units[0] == {
        "code": "10",
        "name_vi": "Tỉnh Thử",
        "name_en": "Thử province",
        "kind": "province",
    }
    assert units[2] == {
        "code": "00002",
        "name_vi": 'Xã B: "Bản" #2',
        "name_en": 'B: "Bản" #2 commune',
        "kind": "commune",
        "parent": "10",
    }
    assert (units[3]["kind"], units[3]["name_en"], units[3]["lat"]) == (
        "special_zone",
        "C special zone",
        20.0,
    )


def test_a_split_commune_keeps_every_unit_in_the_rendered_file(tmp_path: Path) -> None:
    docs = {
        **sample_docs(),
        "units.yaml": render_units(SPLIT_DATA),
        "legacy_units.yaml": render_legacy(SPLIT_DATA),
        "agencies.yaml": {
            "agencies": [
                {
                    "id": "desk",
                    "name_vi": "d",
                    "name_en": "d",
                    "kind": "province_duty_desk",
                    "jurisdiction": "province",
                }
            ]
        },
        "schools.yaml": {"schools": []},
    }

    directory = load_directory(write_config(tmp_path, docs))

    assert "1 of them split between several units" in docs["legacy_units.yaml"]
    assert directory.official_units("00901") == ("00002", "00001")
    assert directory.official_units("909") == ("00001", "00002")
    assert directory.official_units("00001") == ("00001",)


def test_without_the_data_package_the_command_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def absent(name: str) -> None:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", absent)

    assert main(["directory", "import", "--check"]) == 2

    captured = capsys.readouterr()
    assert captured.err == (
        "safeguard directory import: needs the vietnamadminunits package: "
        "pip install -e '.[province-data]'\n"
    )


def test_neither_the_router_nor_the_import_runs_the_package_s_code() -> None:
    # Its parser imports Unidecode (GPL): only the MIT-licensed data files may be read.
    script = (
        "import sys\n"
        "import services.router.bootstrap\n"
        "from services.router.unit_import import read_province\n"
        "read_province('11')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'vietnamadminunits', 'unidecode', 'geopy', 'shapely'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
