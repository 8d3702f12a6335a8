"""Tests on a real broker (integration, e2e) are marked by folder, so `-m "not integration"`
runs the pure ones only."""

from pathlib import Path

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"integration", "e2e"} & set(Path(item.fspath).parts):
            item.add_marker(pytest.mark.integration)
