"""`safeguard rosters check [CONFIG_DIR]`: the coverage of a province's rosters over the next
days, one finding a line (ids only, never an officer's phone number or e-mail); exit 1 when
there is any, 0 when there is none, 2 when the rosters cannot be read."""

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.config import ConfigError
from services.notifier.core.coverage import HORIZON, check
from services.notifier.roster import load_rosters

__all__ = ["ROSTERS_FILE", "main_rosters"]

ROSTERS_FILE = "rosters.yaml"
_DEFAULT_CONFIG_DIR = Path("config/dienbien")


def main_rosters(argv: list[str], now: datetime | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # argparse has printed the usage or the help
        return stop.code if isinstance(stop.code, int) else 2
    start = args.start or now or datetime.now(UTC)
    return _run_check(args.config_dir, start, timedelta(days=args.days))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safeguard rosters", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    checking = commands.add_parser("check", help="list gaps in the rosters' coverage")
    checking.add_argument(
        "config_dir",
        nargs="?",
        type=Path,
        default=Path(os.environ.get("SAFEGUARD_CONFIG_DIR", _DEFAULT_CONFIG_DIR)),
        metavar="CONFIG_DIR",
        help="config directory (default: $SAFEGUARD_CONFIG_DIR or ./config/dienbien)",
    )
    checking.add_argument(
        "--from",
        dest="start",
        type=_aware_time,
        default=None,
        help="start of the check, ISO 8601 with an offset (default: now)",
    )
    checking.add_argument(
        "--days", type=int, choices=range(1, 61), default=HORIZON.days, metavar="1..60"
    )
    return parser


def _aware_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give the time with an offset, e.g. +07:00")
    return moment


def _run_check(config_dir: Path, start: datetime, horizon: timedelta) -> int:
    path = config_dir / ROSTERS_FILE if config_dir.is_dir() else config_dir
    try:
        rosters = load_rosters(path)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    findings = check(rosters, start, horizon)
    for finding in findings:
        print(finding.line())
    if findings:
        print(f"{len(findings)} finding(s) in {horizon.days} days", file=sys.stderr)
        return 1
    print(f"OK: {path} covers the next {horizon.days} days")
    return 0
