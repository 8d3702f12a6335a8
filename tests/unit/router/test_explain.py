"""`safeguard rules check|explain`: messages and exit codes, no tracebacks."""

import io
import json
from pathlib import Path

import pytest

from services.router.explain import IncidentInputError, check, explain, main_rules
from tests.unit.router.builders import (
    INCIDENT_ID,
    SAMPLE_DIR,
    incident,
    reported,
    sample,
    sample_docs,
    write_config,
)

SEXUAL_ABUSE = incident(
    identifier="HL111-1",
    category="sexual_abuse",
    severity="Severe",
    area={"geocode": "03349"},
    flags={"needs_shelter": True},
)


def test_check_accepts_the_sample_as_a_directory_or_a_rules_file() -> None:
    assert check([SAMPLE_DIR, SAMPLE_DIR / "rules.yaml", SAMPLE_DIR / "units.yaml"]) == []
    assert check([SAMPLE_DIR / "legacy_units.yaml"]) == []


def test_check_lists_every_problem(tmp_path: Path) -> None:
    docs = sample_docs()
    docs["agencies.yaml"]["agencies"][3]["jurisdiction"] = {"units": ["03999"]}
    bad_directory = write_config(tmp_path / "a", docs)
    rules_only = write_config(tmp_path / "b", {**sample_docs(), "rules.yaml": {"version": "x"}})

    problems = check([bad_directory, rules_only / "rules.yaml", tmp_path / "absent"])

    assert problems == [
        f"{bad_directory}/agencies.yaml: agencies[3].jurisdiction.units[0]: "
        "unknown unit code '03999'",
        f"{rules_only}/rules.yaml: route: Field required",
        f"{tmp_path}/absent: no such file or directory",
    ]


def test_check_needs_the_rules_file_in_a_directory(tmp_path: Path) -> None:
    docs = sample_docs()
    del docs["rules.yaml"]

    assert check([write_config(tmp_path, docs)]) == [f"{tmp_path}/rules.yaml: file not found"]


def test_explain_shows_each_agency_with_its_deadline_and_rule_path() -> None:
    directory, rules = sample()

    text = explain(json.dumps(SEXUAL_ABUSE), directory, rules)

    assert "place 03349 Xã Thanh Yên" in text
    assert "rules version dienbien-2026.11-1: 5 agencies" in text
    lines = text.splitlines()
    assert any(
        line.split() == ["shelter-thanh-yen", "ack", "15m", "root", ">", "shelter"]
        for line in lines
    )
    assert any(
        line.split() == ["police-thanh-yen", "ack", "15m", "root", ">", "sexual-abuse"]
        for line in lines
    )


def test_explain_accepts_an_event_and_marks_the_fallback() -> None:
    directory, rules = sample()
    event = reported(incident()).model_dump(mode="json")

    text = explain(event, directory, rules)

    assert event["incident_id"] == INCIDENT_ID
    assert "duty-desk  ack    1h  root  (fallback)" in text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"category": "neglect"}', "not a valid incident.v1 or incident-reported.v1: identifier"),
    ],
)
def test_explain_refuses_what_is_not_an_incident(raw: str, message: str) -> None:
    directory, rules = sample()

    with pytest.raises(IncidentInputError, match=message):
        explain(raw, directory, rules)


def test_main_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main_rules(["check", str(SAMPLE_DIR)]) == 0
    assert capsys.readouterr().out == f"OK: {SAMPLE_DIR}\n"

    assert main_rules(["check", str(tmp_path / "absent")]) == 1
    assert (
        capsys.readouterr().err
        == f"{tmp_path}/absent: no such file or directory\n1 problem(s) found\n"
    )

    assert main_rules([]) == 2
    assert "usage: safeguard rules" in capsys.readouterr().err


def test_main_explain_reads_a_file_or_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "incident.json"
    path.write_text(json.dumps(SEXUAL_ABUSE), encoding="utf-8")
    monkeypatch.setenv("SAFEGUARD_CONFIG_DIR", str(SAMPLE_DIR))

    assert main_rules(["explain", str(path)]) == 0
    from_file = capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(SEXUAL_ABUSE)))
    assert main_rules(["explain", "-", "--config", str(SAMPLE_DIR)]) == 0

    assert "shelter-thanh-yen" in from_file
    assert capsys.readouterr().out == from_file


def test_main_explain_errors_are_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "incident.json"
    path.write_text("{}", encoding="utf-8")

    assert main_rules(["explain", str(tmp_path / "absent.json"), "--config", str(SAMPLE_DIR)]) == 2
    assert capsys.readouterr().err == (
        f"safeguard rules explain: {tmp_path}/absent.json: No such file or directory\n"
    )
    assert main_rules(["explain", str(path), "--config", str(SAMPLE_DIR)]) == 2
    assert "not a valid incident.v1" in capsys.readouterr().err
    assert main_rules(["explain", str(path), "--config", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("safeguard rules explain: configuration is not valid:\n")
    assert "Traceback" not in error


def test_explain_shows_the_pre_2025_mapping_it_used() -> None:
    directory, rules = sample()

    commune = explain(json.dumps(incident(area={"geocode": "03136"})), directory, rules)
    district = explain(json.dumps(incident(area={"geocode": "099"})), directory, rules)

    assert commune.splitlines()[1:3] == [
        "place 03136 Phường Điện Biên Phủ",
        "  pre-2025 code 03136 (Phường Mường Thanh, Thành phố Điện Biên Phủ) is now 03127 "
        "Phường Điện Biên Phủ",
    ]
    assert "place 099 Huyện Tuần Giáo (cũ)" in district
    assert (
        "  pre-2025 district code 099 (Huyện Tuần Giáo) is now 8 units, all covered: " in district
    )
    assert "    -> 03217 Xã Tủa Chùa" in district.splitlines()


def test_explain_says_why_an_unknown_code_reaches_the_duty_desk() -> None:
    directory, rules = sample()

    text = explain(
        json.dumps(incident(category="neglect", area={"geocode": "09999"})), directory, rules
    )

    assert "  unknown unit code 09999: no local agency covers it, the duty desk sorts it" in text
    assert any(line.split()[:1] == ["duty-desk"] for line in text.splitlines())
