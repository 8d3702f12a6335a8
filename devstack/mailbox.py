"""A local SMTP server that keeps every message it receives, for development and tests.

It speaks STARTTLS with a self-signed certificate made at start (trust ``cert_path``) and
can require AUTH LOGIN/PLAIN. Read the mail from Python (``messages``, ``wait_for``) or
over HTTP (``http_app``: GET /messages, GET /links, DELETE /messages).

    python -m devstack.mailbox --port 8025 --http-port 8026 --user alerts --password secret
"""

import argparse
import hmac
import itertools
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from html import unescape
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from fastapi import FastAPI

__all__ = ["Mailbox", "ReceivedEmail", "main"]

_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class ReceivedEmail:
    id: int
    envelope_from: str
    envelope_to: tuple[str, ...]
    sender: str
    to: tuple[str, ...]
    subject: str
    text: str | None
    html: str | None
    message_id: str | None
    received: datetime

    @property
    def links(self) -> list[str]:
        found = _LINK.findall(self.text or "") + _LINK.findall(unescape(self.html or ""))
        return list(dict.fromkeys(link.rstrip(".,;:!?)]}") for link in found))

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "envelope_from": self.envelope_from,
            "envelope_to": list(self.envelope_to),
            "from": self.sender,
            "to": list(self.to),
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "message_id": self.message_id,
            "received": self.received.isoformat(),
            "links": self.links,
        }

    def is_for(self, address: str | None) -> bool:
        wanted = (address or "").lower()
        return not wanted or wanted in (recipient.lower() for recipient in self.envelope_to)


def _parse_email(number: int, mail_from: str, rcpt_tos: list[str], raw: bytes) -> ReceivedEmail:
    parsed = message_from_bytes(raw, policy=policy.default)
    return ReceivedEmail(
        id=number,
        envelope_from=mail_from,
        envelope_to=tuple(rcpt_tos),
        sender=_header(parsed, "From") or "",
        to=tuple(address for _name, address in getaddresses(parsed.get_all("To", []))),
        subject=_header(parsed, "Subject") or "",
        text=_part(parsed, "plain"),
        html=_part(parsed, "html"),
        message_id=_header(parsed, "Message-ID"),
        received=datetime.now(UTC),
    )


def _header(message: EmailMessage, name: str) -> str | None:
    value = message.get(name)
    return None if value is None else str(value)


def _part(message: EmailMessage, subtype: str) -> str | None:
    body = message.get_body(preferencelist=(subtype,))
    if body is None:
        return None
    # SMTP carries CRLF line ends; hand the text back with the "\n" it was written with.
    return str(cast(EmailMessage, body).get_content()).replace("\r\n", "\n")


class Mailbox:
    """An SMTP server on a thread of its own. ``port=0`` picks a free loopback port."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        username: str | None = None,
        password: str | None = None,
        tls: bool = True,
        on_receive: Callable[[ReceivedEmail], None] | None = None,
    ) -> None:
        if bool(username) != bool(password):
            raise ValueError("give both username and password, or neither")
        self.host, self.port = host, port
        self._credentials = (
            (username.encode(), password.encode()) if username and password else None
        )
        self._tls = tls
        self._on_receive = on_receive
        self._received: list[ReceivedEmail] = []
        self._numbers = itertools.count(1)
        self._arrived = threading.Condition()
        self._controller: Controller | None = None
        self._cert_dir: Path | None = None

    @property
    def cert_path(self) -> Path:
        """The self-signed certificate, for ``ssl.create_default_context(cafile=...)``."""
        if self._cert_dir is None:
            raise RuntimeError("the mailbox has no certificate: it is not started with TLS")
        return self._cert_dir / "cert.pem"

    def start(self) -> None:
        if self.port == 0:
            self.port = _free_port(self.host)
        tls_context = self._make_tls_context() if self._tls else None
        controller = Controller(
            _Handler(self._store),
            hostname=self.host,
            port=self.port,
            server_hostname="mailbox.local",
            enable_SMTPUTF8=True,
            tls_context=tls_context,
            require_starttls=self._tls,
            authenticator=self._authenticate if self._credentials else None,
            # Without TLS, AUTH is offered and checked but not required: aiosmtpd warns
            # against requiring AUTH in clear text on every connection.
            auth_required=self._credentials is not None and self._tls,
            auth_require_tls=self._tls,
        )
        try:
            controller.start()
        except BaseException:
            self.stop()
            raise
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._cert_dir is not None:
            shutil.rmtree(self._cert_dir, ignore_errors=True)
            self._cert_dir = None

    def __enter__(self) -> "Mailbox":
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def messages(self, to: str | None = None) -> list[ReceivedEmail]:
        with self._arrived:
            return [email for email in self._received if email.is_for(to)]

    def clear(self) -> None:
        with self._arrived:
            self._received.clear()

    def wait_for(
        self, to: str | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[ReceivedEmail]:
        """At least ``count`` messages for ``to``, or TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(found := [email for email in self._received if email.is_for(to)]) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(found)} of {count} messages for {to or 'anyone'}")
                self._arrived.wait(remaining)
            return found

    def http_app(self) -> FastAPI:
        return _http_app(self)

    def _store(self, mail_from: str, rcpt_tos: list[str], raw: bytes) -> ReceivedEmail:
        with self._arrived:
            email = _parse_email(next(self._numbers), mail_from, rcpt_tos, raw)
            self._received.append(email)
            self._arrived.notify_all()
        if self._on_receive is not None:
            self._on_receive(email)
        return email

    def _authenticate(
        self, _server: SMTP, _session: Session, _envelope: Envelope, _mechanism: str, data: Any
    ) -> AuthResult:
        assert self._credentials is not None
        username, password = self._credentials
        success = (
            isinstance(data, LoginPassword)
            and hmac.compare_digest(data.login, username)
            and hmac.compare_digest(data.password, password)
        )
        # handled=False: aiosmtpd itself answers 535 to a failure.
        return AuthResult(success=success, handled=False)

    def _make_tls_context(self) -> ssl.SSLContext:
        self._cert_dir = Path(tempfile.mkdtemp(prefix="mailbox-tls-"))
        key_path = self._cert_dir / "key.pem"
        _self_signed(self.cert_path, key_path, self.host)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, key_path)
        return context


class _Handler:
    def __init__(self, store: Callable[[str, list[str], bytes], ReceivedEmail]) -> None:
        self._store = store

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self._store(envelope.mail_from or "", list(envelope.rcpt_tos), raw)
        return "250 Message accepted for delivery"


def _self_signed(cert_path: Path, key_path: Path, host: str) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the mailbox needs the openssl command to make its certificate")
    names = f"subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1,{_san(host)}"
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "30", "-subj", "/CN=localhost", "-addext", names,
            "-keyout", str(key_path), "-out", str(cert_path),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip


def _san(host: str) -> str:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        return f"DNS:{host}"
    return f"IP:{host}"


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _http_app(mailbox: Mailbox) -> FastAPI:
    app = FastAPI(title="Mailbox")

    @app.get("/messages")
    async def list_messages(to: str | None = None) -> list[dict[str, object]]:
        return [email.as_json() for email in mailbox.messages(to)]

    @app.get("/links")
    async def list_links(to: str | None = None) -> list[str]:
        return [link for email in mailbox.messages(to) for link in email.links]

    @app.delete("/messages", status_code=204)
    async def clear_messages() -> None:
        mailbox.clear()

    return app


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    mailbox = Mailbox(
        args.host, args.port, args.user, args.password, tls=not args.no_tls, on_receive=_announce
    )
    mailbox.start()
    try:
        tls = f"STARTTLS, certificate {mailbox.cert_path}" if not args.no_tls else "no TLS"
        print(f"mailbox: SMTP on {args.host}:{mailbox.port} ({tls})", flush=True)
        print(f"mailbox: messages at http://{args.host}:{args.http_port}/messages", flush=True)
        uvicorn.run(mailbox.http_app(), host=args.host, port=args.http_port, log_level="warning")
    finally:
        mailbox.stop()
    return 0


def _announce(email: ReceivedEmail) -> None:
    recipients = ", ".join(email.envelope_to)
    print(f"mailbox: #{email.id} to {recipients}: {email.subject}", flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m devstack.mailbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025, help="SMTP port")
    parser.add_argument("--http-port", type=int, default=8026, help="HTTP view of the mail")
    parser.add_argument("--user", help="require AUTH with this user name")
    parser.add_argument("--password", help="and this password")
    parser.add_argument("--no-tls", action="store_true", help="plain SMTP, no STARTTLS")
    return parser


if __name__ == "__main__":
    sys.exit(main())
