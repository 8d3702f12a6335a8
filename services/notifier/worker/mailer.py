"""E-mail over SMTP with STARTTLS and authentication; smtplib runs in a worker thread so the
event loop never waits on the mail server."""

import asyncio
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate

from services.notifier.core.channels import (
    Outbound,
    ProviderAccepted,
    ProviderAnswer,
    ProviderRejected,
)

__all__ = ["SmtpChannel"]


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
        email = self._compose(message)
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

    def _compose(self, message: Outbound) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = f"<{uuid.uuid4().hex}@safeguard>"
        email.set_content(message.body)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        return email

    def _deliver(self, email: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
            if self._starttls:
                smtp.starttls(context=self._tls_context)
            if self._username and self._password:
                smtp.login(self._username, self._password)
            smtp.send_message(email)
