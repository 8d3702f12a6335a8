"""The one configuration loader: every problem is a line 'file: path: message'."""

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from services import config
from services.config import ConfigError


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str
    weight: int


class _File(BaseModel):
    entries: list[_Entry]


def _problems(path: Path, **options: bool) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config.load(path, _File, **options)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def test_a_valid_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("entries:\n  - {phone: '+84', weight: 2}\n", encoding="utf-8")
    assert config.load(path, _File).entries[0].weight == 2


def test_every_bad_entry_is_named_by_file_and_path(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("entries:\n  - {phone: '+84', weight: heavy, colour: red}\n", encoding="utf-8")
    assert _problems(path) == [
        f"{path}: entries[0].weight: Input should be a valid integer, unable to parse string "
        "as an integer (got 'heavy')",
        f"{path}: entries[0].colour: unknown field",
    ]


def test_values_are_not_echoed_when_the_file_holds_contacts(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("entries:\n  - {phone: 912345678, weight: 1}\n", encoding="utf-8")
    assert _problems(path, echo_values=False) == [
        f"{path}: entries[0].phone: Input should be a valid string"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("entries: [unclosed\n", "not valid YAML: line 2"),
        ("- a list\n", "expected a mapping at the top of the file"),
    ],
)
def test_an_unreadable_file_is_one_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    [problem] = _problems(path)
    assert problem.startswith(f"{path}: {expected}")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert _problems(tmp_path / "absent.yaml") == [f"{tmp_path}/absent.yaml: file not found"]


def test_an_entry_path_reads_like_the_yaml() -> None:
    assert config.entry_path(("agencies", 3, "jurisdiction", "units", 0)) == (
        "agencies[3].jurisdiction.units[0]"
    )
