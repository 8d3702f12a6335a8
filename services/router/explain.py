"""`safeguard rules check|explain`: validate routing configuration and show, like
`amtool config routes test`, which agencies an incident reaches and the rules that chose them.
The functions are pure apart from reading the files they are given."""

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contracts.incident import IncidentReportedV1, IncidentV1
from services.config import ConfigError
from services.router.directory import (
    DIRECTORY_FILES,
    LEGACY_FILE,
    Directory,
    load_directory,
)
from services.router.routing import matches, place_reason, route
from services.router.rules import RuleSet, format_duration, load_rules

__all__ = ["DEFAULT_CONFIG_DIR", "IncidentInputError", "check", "explain", "main_rules"]

DEFAULT_CONFIG_DIR = Path("config/dienbien")
RULES_FILE = "rules.yaml"
_EXPLAIN_INCIDENT_ID = "inc_" + "0" * 32


class IncidentInputError(ValueError):
    """The JSON given to explain is neither an incident nor an incident-reported event."""


def check(paths: Sequence[Path]) -> list[str]:
    """Problems in each config directory or rules file; an empty list means all is well.

    A rules file is checked against the directory files beside it."""
    problems: list[str] = []
    for path in paths:
        problems += _check_one(path)
    return problems


def _check_one(path: Path) -> list[str]:
    if not path.exists():
        return [f"{path}: no such file or directory"]
    config_dir = path if path.is_dir() else path.parent
    try:
        directory = load_directory(config_dir)
        if path.is_dir() or path.name not in (*DIRECTORY_FILES, LEGACY_FILE):
            load_rules(path / RULES_FILE if path.is_dir() else path, directory)
    except ConfigError as error:
        return error.problems
    return []


def explain(
    event_or_incident_json: str | bytes | Mapping[str, Any],
    directory: Directory,
    rules: RuleSet,
) -> str:
    """The agencies an incident reaches, with the deadline and the rule path for each."""
    event = _as_event(event_or_incident_json)
    now = event.received_at
    decisions = route(event, directory, rules, now)
    incident = event.incident
    lines = [
        f"incident {incident.identifier}: {incident.category}, {incident.severity}/"
        f"{incident.urgency}/{incident.certainty}, {incident.status}",
        f"place {incident.area.geocode} {directory.unit_name(incident.area.geocode)}",
        *_place_mapping(incident.area.geocode, directory),
        f"rules version {rules.version}: {len(decisions)} agenc"
        f"{'y' if len(decisions) == 1 else 'ies'}",
        "",
    ]
    width = max(len(decision.agency_id) for decision in decisions)
    for decision in decisions:
        agency = directory.agencies[decision.agency_id]
        deadline = format_duration(decision.ack_deadline - now)
        fallback = "  (fallback)" if decision.fallback else ""
        lines.append(
            f"  {decision.agency_id:<{width}}  ack {deadline:>5}  "
            f"{' > '.join(decision.rule_path)}{fallback}"
        )
        lines.append(f"  {'':<{width}}  {agency.kind}: {agency.name_vi}")
        if decision.deadline_reason:
            lines.append(f"  {'':<{width}}  deadline: {decision.deadline_reason}")
    lines += ["", "routes whose targets applied:"]
    lines += [f"  {' > '.join(m.path)}" for m in matches(incident, directory, rules)]
    return "\n".join(lines) + "\n"


def _place_mapping(geocode: str, directory: Directory) -> list[str]:
    """The pre-2025 mapping used (or why the code is unknown), unit by unit."""
    reason = place_reason(geocode, directory)
    if reason is None:
        return []
    lines = [f"  {reason}"]
    legacy = directory.legacy_area(geocode)
    if legacy is not None and len(legacy.units) > 1:
        lines += [f"    -> {code} {directory.unit_name(code)}" for code in legacy.units]
    return lines


def _as_event(raw: str | bytes | Mapping[str, Any]) -> IncidentReportedV1:
    try:
        data = json.loads(raw) if isinstance(raw, str | bytes) else dict(raw)
    except json.JSONDecodeError as error:
        raise IncidentInputError(f"not JSON: {error}") from error
    if not isinstance(data, dict):
        raise IncidentInputError("expected a JSON object")
    try:
        if "incident" in data:
            return IncidentReportedV1.model_validate(data)
        incident = IncidentV1.model_validate(data)
    except ValidationError as error:
        raise IncidentInputError(_validation_summary(error)) from error
    return IncidentReportedV1(
        incident_id=_EXPLAIN_INCIDENT_ID,
        sender="explain",
        received_at=incident.sent,
        incident=incident,
    )


def _validation_summary(error: ValidationError) -> str:
    issues = [
        f"{'.'.join(str(part) for part in issue['loc']) or '(top)'}: {issue['msg']}"
        for issue in error.errors()
    ]
    return "not a valid incident.v1 or incident-reported.v1: " + "; ".join(issues)


def main_rules(argv: list[str]) -> int:
    """`safeguard rules check FILE_OR_DIR...` and `safeguard rules explain INCIDENT.json`."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # argparse has printed the usage or the help
        return stop.code if isinstance(stop.code, int) else 2
    if args.command == "check":
        return _run_check(args.paths)
    return _run_explain(args.incident, args.config)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safeguard rules", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    checking = commands.add_parser("check", help="validate config directories or rules files")
    checking.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    explaining = commands.add_parser("explain", help="show which agencies an incident reaches")
    explaining.add_argument("incident", metavar="INCIDENT.json", help="a file, or - for stdin")
    explaining.add_argument(
        "--config",
        type=Path,
        default=Path(os.environ.get("SAFEGUARD_CONFIG_DIR", DEFAULT_CONFIG_DIR)),
        help="config directory (default: $SAFEGUARD_CONFIG_DIR or ./config/dienbien)",
    )
    return parser


def _run_check(paths: list[Path]) -> int:
    problems = check(paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"OK: {', '.join(str(path) for path in paths)}")
    return 0


def _run_explain(incident: str, config_dir: Path) -> int:
    try:
        directory = load_directory(config_dir)
        rules = load_rules(config_dir / RULES_FILE, directory)
        raw = sys.stdin.read() if incident == "-" else Path(incident).read_text(encoding="utf-8")
        print(explain(raw, directory, rules), end="")
    except ConfigError as error:
        print(f"safeguard rules explain: configuration is not valid:\n{error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"safeguard rules explain: {incident}: {error.strerror}", file=sys.stderr)
        return 2
    except (IncidentInputError, UnicodeDecodeError) as error:
        print(f"safeguard rules explain: {incident}: {error}", file=sys.stderr)
        return 2
    return 0
