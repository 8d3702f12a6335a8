"""E-mail over SMTP with STARTTLS and authentication; smtplib runs in a worker thread so the
event loop never waits on the mail server.

Messages are built with `EmailMessage` and the modern SMTP policy, with one correction: a
non-ASCII subject is folded into RFC 2047 encoded words by `email.header.Header`. Python
3.11's own folder splits a long subject between two encoded words at a space and drops that
space, since whitespace between encoded words is not part of the text ("Bạolực thể chất").
"""

import asyncio
import smtplib
import ssl
import uuid
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate
from typing import Any

from services.notifier.core.channels import (
    Outbound,
    ProviderAccepted,
    ProviderAnswer,
    ProviderRejected,
)

__all__ = ["MAIL_POLICY", "SmtpChannel", "build_email"]

_ENCODED_HEADERS = frozenset({"subject"})


class _MailPolicy(EmailPolicy):
    """email.policy.SMTP whose non-ASCII Subject keeps every space when folded."""

    def fold(self, name: str, value: Any) -> str:
        return self._encoded(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        encoded = self._encoded(name, value)
        return encoded.encode("ascii") if encoded else super().fold_binary(name, value)

    def _encoded(self, name: str, value: Any) -> str | None:
        text = str(value)
        if name.lower() not in _ENCODED_HEADERS or text.isascii() or self.utf8:
            return None
        header = Header(text, "utf-8", self.max_line_length or 78, header_name=name)
        return f"{name}: {header.encode(linesep=self.linesep)}{self.linesep}"


MAIL_POLICY = _MailPolicy(linesep="\r\n")  # as email.policy.SMTP


def build_email(sender: str, message: Outbound) -> EmailMessage:
    email = EmailMessage(policy=MAIL_POLICY)
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = f"<{uuid.uuid4().hex}@safeguard>"
    email.set_content(message.body)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


class SmtpChannel:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = 15.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._tls_context = tls_context or ssl.create_default_context()
        self._timeout = timeout

    async def send(self, message: Outbound) -> ProviderAnswer:
        email = build_email(self._sender, message)
        try:
            await asyncio.to_thread(self._deliver, email)
        except smtplib.SMTPRecipientsRefused:
            return ProviderRejected(
                recoverable=False, code="smtp-recipient-refused", reason="refused"
            )
        except smtplib.SMTPResponseException as error:
            return ProviderRejected(
                recoverable=error.smtp_code < 500,
                code=f"smtp-{error.smtp_code}",
                reason="server refused",
            )
        except (smtplib.SMTPException, OSError) as error:
            return ProviderRejected(
                recoverable=True, code="smtp-connection", reason=type(error).__name__
            )
        return ProviderAccepted(str(email["Message-ID"]))

    def _deliver(self, email: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
            if self._starttls:
                smtp.starttls(context=self._tls_context)
            if self._username and self._password:
                smtp.login(self._username, self._password)
            smtp.send_message(email)
