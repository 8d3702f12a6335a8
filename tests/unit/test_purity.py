"""Decision logic stays pure: no broker, vendor, web or mail library in the pure modules of a
service; I/O lives in the adapters and wiring named here (DESIGN.md)."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

SERVICES = Path(__file__).parents[2] / "services"
BANNED = {"kafka", "aiokafka", "faust", "twilio", "fastapi", "smtplib"}
# Per service: where I/O belongs, and pure modules that must be found (so the test scans).
ADAPTERS = {
    "intake": {"app.py", "bootstrap.py", "idempotency_store.py"},
    "router": {"agents.py", "bootstrap.py"},
    "notifier": {"agents.py", "worker.py", "api.py", "sms.py", "mailer.py"},
    "sealing": {"case_keys_kafka.py", "keys_job.py"},
}
EXPECTED_PURE = {
    "intake": {"service.py", "ports.py", "memory.py", "idempotency.py", "sources.py"},
    "router": {"directory.py", "rules.py", "routing.py", "explain.py", "processing.py"},
    "notifier": {"ack.py", "escalation.py", "driver.py", "compose.py", "messages.py"},
    "sealing": {"envelope.py", "kek.py", "case_keys.py", "sealer.py", "incident_fields.py"},
}


def _pure_modules(service: str) -> list[Path]:
    folder = SERVICES / service
    modules = [p for p in sorted(folder.rglob("*.py")) if p.name not in ADAPTERS[service]]
    assert EXPECTED_PURE[service] <= {p.name for p in modules}
    return modules


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("service", sorted(ADAPTERS))
def test_no_pure_module_imports_a_banned_library(service: str) -> None:
    offenders = {p.name: sorted(_imported(p) & BANNED) for p in _pure_modules(service)}
    assert {name: banned for name, banned in offenders.items() if banned} == {}


@pytest.mark.parametrize("service", sorted(ADAPTERS))
def test_importing_the_pure_modules_loads_no_banned_library_even_indirectly(service: str) -> None:
    root = SERVICES.parent
    names = [
        ".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for p in _pure_modules(service)
    ]
    script = (
        "import importlib, json, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    assert set(json.loads(result.stdout)) & BANNED == set()
