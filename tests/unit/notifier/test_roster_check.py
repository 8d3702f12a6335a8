"""`safeguard rosters check`: findings one a line, ids only, and the exit status says whether
there were any."""

import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from services.cli import main
from services.notifier.roster_check import main_rosters
from tests.unit.notifier.builders import VN, roster_data

SAMPLE_DIR = Path(__file__).parents[3] / "config" / "dienbien"
START = datetime(2026, 12, 3, 17, 0, tzinfo=VN)
CONTACT = re.compile(r"\+\d{6,}|@")


def write(tmp_path: Path, data: object) -> Path:
    (tmp_path / "rosters.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp_path


def test_the_sample_lists_its_findings_by_id_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main_rosters(["check", str(SAMPLE_DIR)], now=START) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines
    assert all(line.split()[0] in {"uncovered", "no_contact", "dead_end"} for line in lines)
    assert "no_contact duty-desk officer desk-day: no working contact for email steps" in lines
    assert not CONTACT.search(out + err)
    assert err.strip() == f"{len(lines)} finding(s) in 14 days"


def test_a_covered_roster_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = roster_data()
    for roster in data["agencies"].values():
        for person in roster["officers"]:
            person["email"] = f"{person['id']}@dienbien.gov.vn"
    assert main(["rosters", "check", str(write(tmp_path, data)), "--from", START.isoformat()]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_a_planted_gap_exits_1_with_its_hours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = roster_data()
    data["agencies"]["health"]["duty"] = {
        "shifts": [{"officer": "nurse", "days": ["thu"], "start": "08:00", "end": "17:00"}]
    }
    config = write(tmp_path, data)
    assert main_rosters(["check", str(config), "--days", "1", "--from", START.isoformat()]) == 1
    out = capsys.readouterr().out
    assert (
        "uncovered health 2026-12-03 17:00 to 2026-12-04 17:00 Asia/Ho_Chi_Minh: nobody on duty"
        in out.splitlines()
    )


def test_an_unreadable_roster_exits_2_without_repeating_contacts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = roster_data()
    data["agencies"]["police"]["officers"][0]["phone"] = "+84 2000 secret"
    assert main_rosters(["check", str(write(tmp_path, data))]) == 2
    assert "secret" not in capsys.readouterr().err
    assert main_rosters(["check", str(tmp_path / "absent")]) == 2
    assert main_rosters(["check", "--from", "2026-12-03T17:00"]) == 2  # no offset
