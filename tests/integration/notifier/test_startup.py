"""The notifier worker, started as a real process, refuses a two-way SMS setup that cannot
work: one clear line on stderr and exit status 2, before it connects to anything."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integration.processes import ROOT


def _start(config: Path, two_way: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "SAFEGUARD_CONFIG_DIR": str(config),
        "SAFEGUARD_TWILIO_TWO_WAY": two_way,
        "SAFEGUARD_KAFKA_BOOTSTRAP": "127.0.0.1:9",  # never reached
    }
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "notifier"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_sender_setting_without_any_flagged_officer_is_refused() -> None:
    done = _start(ROOT / "config" / "dienbien", "true")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("safeguard notifier: SAFEGUARD_TWILIO_TWO_WAY=true but no officer")


@pytest.mark.parametrize("two_way", ["false", "0"])
def test_flagged_officers_without_the_sender_setting_are_refused(
    tmp_path: Path, two_way: str
) -> None:
    rosters = yaml.safe_load((Path(__file__).parent / "rosters.yaml").read_text(encoding="utf-8"))
    (tmp_path / "rosters.yaml").write_text(yaml.safe_dump(rosters), encoding="utf-8")
    done = _start(tmp_path, two_way)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "have two_way_sms: true (health-a)" in line
    assert "SAFEGUARD_TWILIO_TWO_WAY is not true" in line
