"""Each stand-in started as a person would, `python -m devstack.<module>`, in its own process."""

import smtplib
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from devstack.twilio_settings import settings_from_argv
from tests.integration.servers import free_port


@contextmanager
def running(*argv: str) -> Iterator["subprocess.Popen[str]"]:
    command = [sys.executable, "-m", *argv]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            yield process
        finally:
            process.terminate()
            process.communicate(timeout=15)


def wait_until_up(url: str, process: "subprocess.Popen[str]", timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, "the server exited"
        try:
            httpx.get(url, timeout=1).raise_for_status()
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"{url} did not come up"
            time.sleep(0.05)


def test_flags_build_the_settings() -> None:
    flags = "--port 9999 --receipt +84912000001=none --fail +84912000002=21610 --callback-delay 0"
    settings = settings_from_argv(
        [*flags.split(), "--inbound-sms-url", "http://127.0.0.1:8001/sms"]
    )
    assert settings.port == 9999
    assert settings.behaviour.receipts == {"+84912000001": "none"}
    assert settings.behaviour.failing_numbers == {"+84912000002": 21610}
    assert settings.behaviour.callback_delay_seconds == 0
    assert settings.behaviour.inbound_sms_url == "http://127.0.0.1:8001/sms"


def test_a_malformed_pair_is_refused() -> None:
    with pytest.raises(SystemExit):
        settings_from_argv(["--fail", "+84912000002"])


def test_the_twilio_standin_runs_from_the_command_line() -> None:
    port = free_port()
    argv = ["devstack.twilio_standin", "--port", str(port), "--auth-token", "cli-token"]
    with running(*argv, "--fail", "+84912000003=21610") as process:
        wait_until_up(f"http://127.0.0.1:{port}/_standin/config", process)
        client = Client("AC" + "0" * 32, "cli-token")
        client.api.base_url = f"http://127.0.0.1:{port}"
        sent = client.messages.create(to="+84912000004", from_="+15005550006", body="x")
        with pytest.raises(TwilioRestException) as refused:
            client.messages.create(to="+84912000003", from_="+15005550006", body="x")
    assert sent.status == "queued"
    assert refused.value.code == 21610


def test_the_mailbox_runs_from_the_command_line() -> None:
    smtp_port, http_port = free_port(), free_port()
    argv = ["devstack.mailbox", "--port", str(smtp_port), "--http-port", str(http_port)]
    with running(*argv, "--user", "u", "--password", "p") as process:
        assert process.stdout is not None
        banner = process.stdout.readline()
        cert_path = banner.rsplit("certificate ", 1)[1].rstrip(")\n")
        wait_until_up(f"http://127.0.0.1:{http_port}/messages", process)
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = "a@safeguard.local", "b@x.local", "Hi"
        email.set_content("hello")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=5) as smtp:
            smtp.starttls(context=ssl.create_default_context(cafile=cert_path))
            smtp.login("u", "p")
            smtp.send_message(email)
        [listed] = httpx.get(f"http://127.0.0.1:{http_port}/messages").json()
        process.terminate()
        output = process.communicate(timeout=15)[0]
    assert listed["subject"] == "Hi"
    assert listed["text"] == "hello\n"
    assert "#1 to b@x.local: Hi" in output
