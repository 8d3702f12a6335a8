"""SMS and voice calls through the official twilio client, asynchronously."""

import re

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from services.notifier.core.channels import (
    ChannelKind,
    Outbound,
    ProviderAccepted,
    ProviderAnswer,
    ProviderRejected,
)

__all__ = ["TwilioChannel"]

_MESSAGING_SERVICE = re.compile(r"MG[0-9a-f]{32}")
# Twilio errors that no retry can fix: a bad or unreachable number, an opted-out recipient.
_PERMANENT = {21211, 21214, 21408, 21610, 21612, 21614, 30003, 30004, 30005, 30006, 30007}


class TwilioChannel:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: str,
        messaging_service_sid: str | None = None,
        base_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._sender = sender
        self._messaging_service_sid = messaging_service_sid
        self._base_url = base_url
        self._timeout = timeout
        self._client: Client | None = None

    def _connect(self) -> Client:
        """Created on first use, inside the running loop (aiohttp needs one)."""
        if self._client is None:
            client = Client(
                self._account_sid,
                self._auth_token,
                http_client=AsyncTwilioHttpClient(timeout=self._timeout),
            )
            if self._base_url:
                client.api.base_url = self._base_url.rstrip("/")
            self._client = client
        return self._client

    async def send(self, message: Outbound) -> ProviderAnswer:
        try:
            if message.channel is ChannelKind.VOICE:
                call = await self._connect().calls.create_async(
                    to=message.to,
                    from_=message.sender or self._sender,
                    twiml=message.body,
                    status_callback=message.status_callback or "",
                )
                return ProviderAccepted(call.sid)
            sms = await self._connect().messages.create_async(**self._sms_fields(message))
            return ProviderAccepted(sms.sid)
        except TwilioRestException as error:
            return _translate(error)
        except (TimeoutError, aiohttp.ClientError) as error:
            return ProviderRejected(recoverable=True, code="network", reason=type(error).__name__)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.http_client.close()

    def _sms_fields(self, message: Outbound) -> dict[str, str]:
        fields = {"to": message.to, "body": message.body}
        sender = message.sender or self._messaging_service_sid or self._sender
        if _MESSAGING_SERVICE.fullmatch(sender):  # Twilio picks the number
            fields["messaging_service_sid"] = sender
        else:
            fields["from_"] = sender  # a number or a registered alphanumeric sender ID
        if message.status_callback:
            fields["status_callback"] = message.status_callback
        return fields


def _translate(error: TwilioRestException) -> ProviderRejected:
    code = error.code or 0
    throttled = code == 20429 or error.status == 429
    recoverable = code not in _PERMANENT and (throttled or error.status >= 500)
    return ProviderRejected(
        recoverable=recoverable,
        code=f"twilio-{code or error.status}",
        reason=f"HTTP {error.status}",
        http_status=error.status,
        provider_code=error.code,
    )
