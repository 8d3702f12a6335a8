"""The notifier worker, a real process on the test broker, exports the coverage of its rosters
at start: a planted gap is counted by kind, and no label names a person or a contact."""

import re
import shutil
import uuid
from pathlib import Path

import yaml

from devstack.kafka import LocalKafka
from tests.integration.processes import ROOT, ServiceProcess
from tests.integration.servers import free_port

HERE = Path(__file__).parent


def test_the_worker_counts_a_planted_gap_at_start(kafka: LocalKafka, tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config/dienbien", config)
    rosters = yaml.safe_load((HERE / "rosters.yaml").read_text(encoding="utf-8"))
    rosters["agencies"]["dienbien-health-pcd"]["officers"][0]["two_way_sms"] = False
    # The police post is held from 08:00 to 17:00 on weekdays only: nobody on duty otherwise.
    rosters["agencies"]["dienbien-police"]["duty"] = {
        "shifts": [
            {
                "officer": "police-a",
                "days": ["mon", "tue", "wed", "thu", "fri"],
                "start": "08:00",
                "end": "17:00",
            }
        ]
    }
    (config / "rosters.yaml").write_text(yaml.safe_dump(rosters), encoding="utf-8")
    run = uuid.uuid4().hex[:8]
    port = free_port()
    environment = {
        "SAFEGUARD_KAFKA_BOOTSTRAP": kafka.bootstrap,
        "SAFEGUARD_CONFIG_DIR": str(config),
        "SAFEGUARD_NOTIFIER_APP_ID": f"gaps-notifier-{run}",
        "SAFEGUARD_NOTIFIER_WEB_PORT": str(port),
        "SAFEGUARD_NOTIFIER_DATA_DIR": str(tmp_path / "notifier"),
        "SAFEGUARD_LINK_SECRET": "test-link-secret-0123456789-0123456789",
    }
    with ServiceProcess("notifier", environment, port, tmp_path / "notifier.log") as notifier:
        metrics = notifier.metrics()
    gaps = dict(
        re.findall(r'^safeguard_notifier_roster_gaps\{kind="(\w+)"\} (\S+)$', metrics, re.M)
    )
    # 14 days hold 10 weekday shifts at most: at least 9 gaps between them, never more than 11.
    assert 9 <= float(gaps["uncovered"]) <= 11
    assert gaps["no_contact"] == "0.0"
    assert gaps["dead_end"] == "0.0"  # the deputy of tier 2 is always there
    lines = [line for line in metrics.splitlines() if "roster_gaps" in line]
    assert not any(re.search(r"\+\d{6,}|@|police-a", line) for line in lines)
    log = (tmp_path / "notifier.log").read_text(encoding="utf-8")
    assert "uncovered=" in log
    assert "+8420" not in log
