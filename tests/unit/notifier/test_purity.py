"""The notifier's decision logic stays pure: no broker, vendor, web or mail library in it."""

import ast
import json
import subprocess
import sys
from pathlib import Path

NOTIFIER = Path(__file__).parents[3] / "services" / "notifier"
BANNED = {"kafka", "aiokafka", "faust", "twilio", "fastapi", "smtplib"}
# Adapters and wiring, where I/O belongs: the faust app, agents and worker, the HTTP front,
# and the Twilio and SMTP channels.
ADAPTERS = {"app.py", "agents.py", "worker.py", "api.py", "sms.py", "mailer.py"}


def _pure_modules() -> list[Path]:
    modules = [p for p in sorted(NOTIFIER.rglob("*.py")) if p.name not in ADAPTERS]
    assert any(p.name == "ack.py" for p in modules)
    return modules


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_pure_module_imports_a_banned_library() -> None:
    offenders = {p.name: sorted(_imported(p) & BANNED) for p in _pure_modules()}
    assert {name: banned for name, banned in offenders.items() if banned} == {}


def test_importing_the_pure_modules_loads_no_banned_library_even_indirectly() -> None:
    root = NOTIFIER.parents[1]
    names = [
        ".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for p in _pure_modules()
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
