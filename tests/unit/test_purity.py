"""Decision logic stays pure: no broker, vendor, web or mail library in the pure folders and
modules below, not even indirectly; I/O lives in the adapter folders (DESIGN.md). ruff's TID251
(banned-api in pyproject.toml) says the same statically; this test also follows imports."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
BANNED = {"kafka", "aiokafka", "faust", "twilio", "fastapi", "smtplib"}
# Folders whose every module is pure, and the pure modules of adapter folders.
PURE_FOLDERS = ("contracts", "services/notifier/core", "services/notifier/texts")
PURE_MODULES = (
    "services/config.py",
    "services/ratelimit.py",
    "services/router/directory.py",
    "services/router/rules.py",
    "services/router/routing.py",
    "services/router/explain.py",
    "services/router/processing.py",
    "services/router/batching.py",
    "services/router/linking.py",
    "services/router/casebook.py",
    "services/router/deadlines.py",
    "services/intake/service.py",
    "services/intake/ports.py",
    "services/intake/memory.py",
    "services/intake/idempotency.py",
    "services/intake/sources.py",
    "services/sealing/envelope.py",
    "services/sealing/kek.py",
    "services/sealing/case_keys.py",
    "services/sealing/sealer.py",
    "services/sealing/incident_fields.py",
    "services/sealing/retention.py",
    "services/notifier/roster.py",
    "services/notifier/front/projection.py",
    "services/notifier/front/page.py",
    "services/notifier/front/twiml.py",
    "services/notifier/front/replays.py",
)
# Pure modules the scan must find, so that moving a folder cannot empty the test.
EXPECTED = {"ack.py", "escalation.py", "handlers.py", "progress.py", "compose.py", "messages.py"}


def _pure() -> list[Path]:
    modules = [p for folder in PURE_FOLDERS for p in sorted((ROOT / folder).rglob("*.py"))]
    return modules + [ROOT / module for module in PURE_MODULES]


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_scan_finds_the_pure_modules() -> None:
    assert {p.name for p in _pure()} >= EXPECTED
    assert all(p.is_file() for p in _pure())


@pytest.mark.parametrize("path", _pure(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_pure_module_imports_a_banned_library(path: Path) -> None:
    assert _imported(path) & BANNED == set()


def test_importing_the_pure_modules_loads_no_banned_library_even_indirectly() -> None:
    names = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in _pure()
    ]
    script = (
        "import importlib, json, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert set(json.loads(result.stdout)) & BANNED == set()
