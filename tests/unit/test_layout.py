"""The product and its benchmarks never depend on the tests: what both need (the sample
province's scenarios) lives in devstack/."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def _imports_tests(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "tests":
                return True
        elif isinstance(node, ast.Import) and any(
            alias.name.split(".")[0] == "tests" for alias in node.names
        ):
            return True
    return False


@pytest.mark.parametrize("folder", ["bench", "contracts", "devstack", "services"])
def test_nothing_outside_tests_imports_a_test_module(folder: str) -> None:
    modules = sorted((ROOT / folder).rglob("*.py"))
    assert modules
    assert [str(p.relative_to(ROOT)) for p in modules if _imports_tests(p)] == []
