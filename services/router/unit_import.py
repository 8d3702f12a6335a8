"""`safeguard directory import`: a province's official units (units.yaml) and its pre-2025
codes (legacy_units.yaml), generated from the PyPI package vietnamadminunits.

The package is a dev-time extra (``pip install -e '.[province-data]'``) whose data files (an
SQLite table of units, a JSON table of old-to-new keys) are read when the command runs; its
code is never imported. The router reads the YAML files, never the package. Reading the data
and rendering the files are separate, so the rendering is tested on its own and the whole
import reproduces the shipped files byte for byte.
"""

import argparse
import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.router.directory import LEGACY_FILE, UnitKind

__all__ = [
    "DATA_PACKAGE",
    "LegacyCommuneRecord",
    "MissingProvinceData",
    "ProvinceData",
    "UnitRecord",
    "main_directory",
    "read_province",
    "render_legacy",
    "render_units",
]

DATA_PACKAGE = "vietnamadminunits"
UNITS_FILE = "units.yaml"
_UNITS_SQL = (
    "SELECT DISTINCT province, provinceShort, provinceCode, provinceLat, provinceLon, ward, "
    "wardShort, wardType, wardCode, wardLat, wardLon, provinceKey, wardKey FROM admin_units"
)
_LEGACY_SQL = (
    "SELECT DISTINCT provinceKey, districtKey, wardKey, district, districtCode, ward, wardCode "
    "FROM admin_units_legacy"
)
_KINDS = {"Phường": UnitKind.WARD, "Xã": UnitKind.COMMUNE, "Đặc khu": UnitKind.SPECIAL_ZONE}
_EN_KIND = {
    UnitKind.PROVINCE: "province",
    UnitKind.WARD: "ward",
    UnitKind.COMMUNE: "commune",
    UnitKind.SPECIAL_ZONE: "special zone",
}


class MissingProvinceData(RuntimeError):
    """The data package is not installed, or not the kind of package expected."""


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name_vi: str
    short_name: str  # without the kind: "Thanh Yên" for "Xã Thanh Yên"
    kind: UnitKind
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class LegacyCommuneRecord:
    district_code: str
    district_name: str
    code: str
    name_vi: str
    now: tuple[str, ...]  # the official units that absorbed it, the package's default first


@dataclass(frozen=True)
class ProvinceData:
    source: str  # "vietnamadminunits 1.0.4 (MIT License)"
    province: UnitRecord
    units: tuple[UnitRecord, ...]
    legacy: tuple[LegacyCommuneRecord, ...]


def render_units(data: ProvinceData) -> str:
    """units.yaml: the province, then its units by code."""
    province = data.province
    counts = {kind: sum(u.kind is kind for u in data.units) for kind in _EN_KIND}
    tally = ", ".join(
        f"{n} {_EN_KIND[kind]}{'s' if n != 1 else ''}" for kind, n in counts.items() if n
    )
    lines = [
        f"# {province.name_vi} (province code {province.code}) after the 2025 reorganisation "
        "(Decision",
        "# 19/2025/QĐ-TTg, in force since 1 July 2025; the district level is abolished): the",
        f"# province and its {len(data.units)} units ({tally}), with their official codes.",
        "#",
        *_generated_by(data, UNITS_FILE),
        "#",
        "# Coordinates are APPROXIMATE, every one of them (the province's too): one point per unit",
        f"# as {data.source.split(' (')[0]} gives it. It compiled them from",
        "# danhmuchanhchinh.gso.gov.vn, sapnhap.bando.com.vn and the Google Geocoding API, and",
        "# says neither which point came from where nor whether it is a centre. They only rank",
        "# shelters by distance; no message shows them.",
        "#",
        "# Schema (read by services/router/directory.py, load_directory):",
        "#   units[]: code (quoted string, 2-5 digits), name_vi, name_en?,",
        "#            kind (province | ward | commune | special_zone),",
        "#            parent (the province's code; none for the province), lat?, lon? (both or",
        "#            neither)",
        "",
        "units:",
        _unit_entry(province, parent=None),
        "",
    ]
    lines += [_unit_entry(unit, parent=province.code) for unit in data.units]
    return "\n".join(lines) + "\n"


def render_legacy(data: ProvinceData) -> str:
    """legacy_units.yaml: the pre-2025 districts and their communes, each with its new units."""
    districts = _by_district(data.legacy)
    splits = sum(len(commune.now) > 1 for commune in data.legacy)
    lines = [
        f"# {data.province.name_vi}: the codes of before the 2025 reorganisation, which source "
        "systems",
        "# still send, and the official units (units.yaml) that absorbed each area. "
        f"{len(districts)} districts,",
        f"# {len(data.legacy)} communes, wards and towns; "
        + (
            f"{splits} of them split between several units."
            if splits
            else "none was split: each went whole into one unit."
        ),
        "#",
        *_generated_by(data, LEGACY_FILE),
        "#",
        "# How the router reads a geocode: an official code first; else a pre-2025 commune code is",
        "# routed as every unit in its `now` (all of them when it was split), and a pre-2025",
        "# district code as every unit that absorbed one of its communes. The alert request's",
        "# place_reason and `safeguard rules explain` say which mapping was used. An unknown code",
        "# reaches the duty desk with the reason.",
        "#",
        "# Schema (read by services/router/directory.py, load_directory):",
        "#   districts[]: code, name_vi, communes[]: code, name_vi, now: [official unit codes]",
        "",
        "districts:",
    ]
    for (code, name), communes in districts.items():
        lines += [f"  - code: {_q(code)}", f"    name_vi: {_q(name)}", "    communes:"]
        lines += [
            f"      - {{code: {_q(c.code)}, name_vi: {_q(c.name_vi)}, "
            f"now: [{', '.join(_q(unit) for unit in c.now)}]}}"
            for c in communes
        ]
    return "\n".join(lines) + "\n"


def _generated_by(data: ProvinceData, name: str) -> list[str]:
    return [
        f"# GENERATED by `safeguard directory import --province {data.province.code}`",
        f"# from {data.source}. It is the deployment's file: edit it by hand if",
        "# the province changes; a new import overwrites it (a test checks that the shipped",
        f"# {name} is exactly the import's output).",
    ]


def _unit_entry(unit: UnitRecord, parent: str | None) -> str:
    name_en = f"{unit.short_name} {_EN_KIND[unit.kind]}"
    head = (
        f"  - {{code: {_q(unit.code)}, name_vi: {_q(unit.name_vi)}, name_en: {_q(name_en)}, "
        f"kind: {unit.kind.value},"
    )
    tail = [f"parent: {_q(parent)}"] if parent else []
    if unit.lat is not None and unit.lon is not None:
        tail += [f"lat: {unit.lat!r}", f"lon: {unit.lon!r}"]
    return f"{head}\n     {', '.join(tail)}}}" if tail else head.removesuffix(",") + "}"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


def _by_district(
    communes: Iterable[LegacyCommuneRecord],
) -> dict[tuple[str, str], list[LegacyCommuneRecord]]:
    grouped: dict[tuple[str, str], list[LegacyCommuneRecord]] = {}
    for commune in sorted(communes, key=lambda c: (c.district_code, c.code)):
        grouped.setdefault((commune.district_code, commune.district_name), []).append(commune)
    return grouped


def read_province(province_code: str) -> ProvinceData:
    """The province's units and pre-2025 communes from the installed data package."""
    query, converter, source = _open_package()
    rows = sorted(
        (row for row in query(_UNITS_SQL) if row["provinceCode"] == province_code),
        key=lambda row: str(row["wardCode"]),
    )
    if not rows:
        raise MissingProvinceData(f"{source} has no province with code {province_code!r}")
    first = rows[0]
    province = UnitRecord(
        code=first["provinceCode"],
        name_vi=first["province"],
        short_name=first["provinceShort"],
        kind=UnitKind.PROVINCE,
        lat=first["provinceLat"],
        lon=first["provinceLon"],
    )
    units = tuple(_unit(row) for row in rows)
    new_codes = {row["wardKey"]: row["wardCode"] for row in rows}
    legacy = _legacy(query, converter, first["provinceKey"], new_codes)
    return ProvinceData(source=source, province=province, units=units, legacy=legacy)


def _unit(row: Mapping[str, Any]) -> UnitRecord:
    return UnitRecord(
        code=row["wardCode"],
        name_vi=row["ward"],
        short_name=row["wardShort"],
        kind=_KINDS[row["wardType"]],
        lat=row["wardLat"],
        lon=row["wardLon"],
    )


def _legacy(
    query: Callable[[str], list[dict[str, Any]]],
    converter: Mapping[str, Any],
    province_key: str,
    new_codes: Mapping[str, str],
) -> tuple[LegacyCommuneRecord, ...]:
    """Every pre-2025 commune whose area is now in the province: from the converter's two
    tables, undivided (old key -> new key) and divided (old key -> several new keys)."""
    absorbed: dict[str, list[str]] = {}
    undivided = converter["DICT_PROVINCE_WARD_NO_DIVIDED"].get(province_key, {})
    for new_key, old_keys in undivided.items():
        for old_key in old_keys:
            absorbed.setdefault(old_key, []).append(new_codes[new_key])
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(province_key, {})
    for old_key, parts in divided.items():
        default_first = sorted(parts, key=lambda part: not part["isDefaultNewWard"])
        absorbed.setdefault(old_key, []).extend(new_codes[p["newWardKey"]] for p in default_first)
    old = {
        f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}": row
        for row in query(_LEGACY_SQL)
        if row["provinceKey"] == province_key
    }
    missing = sorted(set(absorbed) - set(old))
    if missing:
        raise MissingProvinceData(f"pre-2025 units not in the legacy table: {missing[:5]}")
    return tuple(
        LegacyCommuneRecord(
            district_code=old[key]["districtCode"],
            district_name=old[key]["district"],
            code=old[key]["wardCode"],
            name_vi=old[key]["ward"],
            now=tuple(dict.fromkeys(codes)),
        )
        for key, codes in absorbed.items()
    )


def _open_package() -> tuple[Callable[[str], list[dict[str, Any]]], Mapping[str, Any], str]:
    """A query function on the package's SQLite data, its old-to-new converter tables and a
    source line. Only the data files are read: the package's code is never imported (its
    parser pulls in Unidecode, which is GPL)."""
    from importlib import metadata

    try:
        package = metadata.distribution(DATA_PACKAGE)
    except metadata.PackageNotFoundError as error:
        raise MissingProvinceData(
            f"needs the {DATA_PACKAGE} package: pip install -e '.[province-data]'"
        ) from error
    licences = [c for c in package.metadata.get_all("Classifier") or [] if "License ::" in c]
    if licences != ["License :: OSI Approved :: MIT License"]:
        raise MissingProvinceData(f"{DATA_PACKAGE} is no longer MIT-licensed: {licences}")
    data = Path(str(package.locate_file(f"{DATA_PACKAGE}/data")))
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    database = data / "dataset.db"

    def query(sql: str) -> list[dict[str, Any]]:
        with contextlib.closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as db:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute(sql)]

    return query, converter, f"{DATA_PACKAGE} {package.version} (MIT License)"


def main_directory(argv: Sequence[str]) -> int:
    """`safeguard directory import [--province 11] [--config DIR] [--check]`."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # argparse has printed the usage or the help
        return stop.code if isinstance(stop.code, int) else 2
    try:
        data = read_province(args.province)
    except MissingProvinceData as error:
        print(f"safeguard directory import: {error}", file=sys.stderr)
        return 2
    files = {UNITS_FILE: render_units(data), LEGACY_FILE: render_legacy(data)}
    if args.check:
        return _check(args.config, files)
    args.config.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.config / name).write_text(text, encoding="utf-8")
    print(
        f"wrote {args.config / UNITS_FILE} ({len(data.units)} units) and "
        f"{args.config / LEGACY_FILE} ({len(data.legacy)} pre-2025 communes) from {data.source}"
    )
    return 0


def _check(config_dir: Path, files: Mapping[str, str]) -> int:
    stale = [
        name
        for name, text in files.items()
        if not (config_dir / name).is_file()
        or (config_dir / name).read_text(encoding="utf-8") != text
    ]
    for name in stale:
        print(f"{config_dir / name}: differs from the import", file=sys.stderr)
    if not stale:
        print(f"OK: {', '.join(str(config_dir / name) for name in files)} match the import")
    return 1 if stale else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safeguard directory", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    importing = commands.add_parser("import", help="generate units.yaml and legacy_units.yaml")
    importing.add_argument("--province", default="11", help="province code (default 11)")
    importing.add_argument(
        "--config",
        type=Path,
        default=Path(os.environ.get("SAFEGUARD_CONFIG_DIR", "config/dienbien")),
        help="config directory (default: $SAFEGUARD_CONFIG_DIR or ./config/dienbien)",
    )
    importing.add_argument(
        "--check", action="store_true", help="compare with the files instead of writing them"
    )
    return parser
