"""Integration tests are marked by folder, so `-m "not integration"` runs the pure ones only."""

from pathlib import Path

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in Path(item.fspath).parts:
            item.add_marker(pytest.mark.integration)
