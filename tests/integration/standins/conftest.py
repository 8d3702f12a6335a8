"""The Twilio stand-in, a webhook receiver and the mailbox, each a real server on loopback."""

from collections.abc import Iterator

import httpx
import pytest

from devstack.mailbox import Mailbox
from devstack.twilio_settings import Behaviour, StandinSettings
from tests.integration.servers import BackgroundServer
from tests.integration.standins.receiver import Receiver

ACCOUNT_SID = "AC" + "1234abcd" * 4
AUTH_TOKEN = "test-auth-token-0123456789"
SMTP_USER, SMTP_PASSWORD = "alerts", "dev-smtp-secret"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    hooks = Receiver()
    with BackgroundServer(hooks.app) as server:
        hooks.url = server.url
        yield hooks


@pytest.fixture(scope="module")
def standin_server() -> Iterator[BackgroundServer]:
    from devstack.twilio_standin import create_app

    settings = StandinSettings(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, callback_attempts=2)
    with BackgroundServer(create_app(settings)) as server:
        yield server


@pytest.fixture
def standin(standin_server: BackgroundServer) -> Iterator[httpx.Client]:
    """A client of the stand-in's control API; the behaviour is reset before each test."""
    with httpx.Client(base_url=standin_server.url, timeout=10) as control:
        defaults = Behaviour(callback_delay_seconds=0.02).model_dump()
        control.post("/_standin/config", json=defaults).raise_for_status()
        yield control


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox(username=SMTP_USER, password=SMTP_PASSWORD) as box:
        yield box
