"""Reading configuration files: YAML into typed models, every problem one line
``file: path.in[3].the.entry: what is wrong``, all of them raised together as one ConfigError."""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

__all__ = ["ConfigError", "describe", "entry_path", "load", "read_yaml", "validate"]

M = TypeVar("M", bound=BaseModel)


class ConfigError(ValueError):
    """Configuration that cannot be used. ``problems`` holds one 'file: path: what' each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def load(path: Path, model: type[M], *, echo_values: bool = True) -> M:
    """Parse one YAML file into ``model``."""
    return validate(read_yaml(path), model, str(path), echo_values=echo_values)


def read_yaml(path: Path) -> dict[str, Any]:
    """The file's top-level mapping."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError([f"{path}: file not found"]) from error
    except OSError as error:
        raise ConfigError([f"{path}: cannot read: {error.strerror}"]) from error
    except UnicodeDecodeError as error:
        raise ConfigError([f"{path}: not UTF-8 text"]) from error
    except yaml.YAMLError as error:
        raise ConfigError([f"{path}: not valid YAML: {_one_line(error)}"]) from error
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: expected a mapping at the top of the file"])
    return data


def validate(data: object, model: type[M], source: str, *, echo_values: bool = True) -> M:
    """``data`` as ``model``; ``source`` (the file) starts every problem line. Files holding
    contacts (rosters) pass ``echo_values=False``: a bad phone number is not repeated."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [describe(source, issue, echo_values) for issue in error.errors()]
        raise ConfigError(problems) from None


def entry_path(loc: Sequence[str | int]) -> str:
    """('agencies', 3, 'jurisdiction') -> 'agencies[3].jurisdiction'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def describe(source: str, issue: Mapping[str, Any], echo_values: bool = True) -> str:
    """One pydantic error as 'file: path: message'; a bad scalar is quoted if `echo_values`."""
    message = str(issue["msg"]).removeprefix("Value error, ")
    scalar = isinstance(issue.get("input"), str | int | float)
    if issue["type"] == "extra_forbidden":
        message = "unknown field"
    elif echo_values and scalar and issue["type"] != "value_error":
        message = f"{message} (got {issue['input']!r})"
    where = entry_path(issue["loc"])
    return f"{source}: {where}: {message}" if where else f"{source}: {message}"


def _one_line(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    return f"line {mark.line + 1}: {problem}" if mark else str(problem)
