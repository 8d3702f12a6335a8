"""End-to-end tests: the system as real processes on a real broker, looked at through a real
browser. A missing chromium fails these tests; it never skips them."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from devstack.kafka import LocalKafka
from tests.e2e.browser import chromium
from tests.e2e.system import System, running_system

# The broker fixture of the integration tests (started here unless `make test` already did).
from tests.integration.conftest import kafka  # noqa: F401


@pytest.fixture(scope="session")
def system(kafka: LocalKafka, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:  # noqa: F811
    with running_system(kafka.bootstrap, tmp_path_factory.mktemp("system")) as running:
        yield running


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    with chromium(tmp_path / "chromium-profile") as context:
        yield context.pages[0] if context.pages else context.new_page()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where tests save what a person would see: a temporary folder, or the one named by
    SAFEGUARD_SCREENSHOTS_DIR (docs/screenshots to refresh the README's pictures)."""
    chosen = os.environ.get("SAFEGUARD_SCREENSHOTS_DIR")
    folder = Path(chosen) if chosen else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
