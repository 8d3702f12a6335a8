"""Webhooks as Twilio sends them: form-encoded, signed with X-Twilio-Signature by the
official RequestValidator, retried (bounded) when the connection fails, and logged."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

__all__ = ["WebhookPoster", "WebhookResult"]

Method = Literal["GET", "POST"]


@dataclass(frozen=True)
class WebhookResult:
    status: int
    body: str


class WebhookPoster:
    def __init__(self, client: httpx.AsyncClient, auth_token: str, attempts: int) -> None:
        self._client = client
        self._validator = RequestValidator(auth_token)
        self._attempts = attempts
        self.log: list[dict[str, object]] = []

    async def send(
        self, kind: str, url: str, params: dict[str, str], method: Method = "POST"
    ) -> WebhookResult | None:
        """The answer of the receiver, or None when it could not be reached."""
        entry: dict[str, object] = {
            "kind": kind,
            "url": url,
            "method": method,
            "params": params,
            "attempts": 0,
            "status": None,
            "error": None,
        }
        for attempt in range(1, self._attempts + 1):
            entry["attempts"] = attempt
            try:
                response = await self._request(url, params, method)
            except httpx.TransportError as error:
                entry["error"] = f"{type(error).__name__}: {error}"
                if attempt < self._attempts:
                    await asyncio.sleep(0.1 * 2**attempt)
                continue
            except (httpx.HTTPError, httpx.InvalidURL) as error:
                entry["error"] = f"{type(error).__name__}: {error}"
                break
            entry.update(status=response.status_code, error=None)
            self._record(entry)
            return WebhookResult(response.status_code, response.text)
        self._record(entry)
        return None

    async def _request(self, url: str, params: dict[str, str], method: Method) -> httpx.Response:
        headers = {"User-Agent": "TwilioProxy/1.1"}
        if method == "GET":
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
            headers["X-Twilio-Signature"] = self._validator.compute_signature(url, {})
            return await self._client.get(url, headers=headers)
        headers["X-Twilio-Signature"] = self._validator.compute_signature(url, params)
        return await self._client.post(url, data=params, headers=headers)

    def _record(self, entry: dict[str, object]) -> None:
        entry["at"] = datetime.now(UTC).isoformat()
        self.log.append(entry)
