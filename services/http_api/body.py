"""Reading a request body defensively: content type, size cap while streaming, then the syntax
(JSON, or an HTML/Twilio form in strict UTF-8)."""

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from services.http_api.problems import ClientError

__all__ = ["read_form", "read_json"]

_FORM = "application/x-www-form-urlencoded"


async def read_json(request: Request, limit: int) -> Any:
    _require_json_content_type(_media_type(request))
    received = await _read_capped(request, limit)
    try:
        return json.loads(received)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ClientError(422, "Malformed JSON", f"the body is not valid JSON: {error}") from error


async def read_form(request: Request, limit: int) -> dict[str, str]:
    """A form body as Twilio and browsers send it; the last value of a repeated name wins."""
    media_type = _media_type(request)
    if media_type != _FORM:
        raise ClientError(
            415,
            "Unsupported Media Type",
            f"send the body as {_FORM} (got {media_type or 'no content type'})",
        )
    received = await _read_capped(request, limit)
    try:
        text = received.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except ValueError as error:  # UnicodeDecodeError is one
        raise ClientError(400, "Malformed form", "the body is not a UTF-8 form") from error
    return dict(pairs)


async def _read_capped(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to exceed `limit`: by its declared length
    before reading anything, or by what arrived while streaming."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise _too_large(limit)
    return bytes(received)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _require_json_content_type(media_type: str) -> None:
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ClientError(
            415,
            "Unsupported Media Type",
            f"send the body as application/json (got {media_type or 'no content type'})",
        )


def _too_large(limit: int) -> ClientError:
    return ClientError(413, "Content Too Large", f"the body is larger than {limit} bytes")
