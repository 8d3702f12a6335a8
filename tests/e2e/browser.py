"""Debian's chromium driven by Playwright: the project installs the browser with
scripts/install-browser, and Playwright never downloads one of its own."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, sync_playwright

# No sandbox (CI runs as root in a container); nothing that calls home or waits on a GPU.
CHROMIUM_ARGUMENTS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class ChromiumMissing(Exception):
    def __init__(self) -> None:
        super().__init__("chromium is not on the PATH: run scripts/install-browser (as root)")


def chromium_executable() -> str:
    executable = shutil.which("chromium")
    if executable is None:
        raise ChromiumMissing()
    return executable


@contextmanager
def chromium(profile: Path) -> Iterator[BrowserContext]:
    """A headless chromium with a fresh user-data dir at `profile`, which must not exist yet
    or be empty: no cookie, cache or session leaks from one test into another."""
    executable = chromium_executable()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=list(CHROMIUM_ARGUMENTS),
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
        )
        try:
            yield context
        finally:
            context.close()
