"""Reading a request body defensively: content type, size cap while streaming, JSON syntax."""

import json
from typing import Any

from fastapi import Request

from services.http_api.problems import ClientError

__all__ = ["read_json"]


async def read_json(request: Request, limit: int) -> Any:
    _require_json_content_type(request.headers.get("content-type", ""))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise _too_large(limit)
    try:
        return json.loads(received)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ClientError(422, "Malformed JSON", f"the body is not valid JSON: {error}") from error


def _require_json_content_type(content_type: str) -> None:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ClientError(
            415,
            "Unsupported Media Type",
            f"send the body as application/json (got {media_type or 'no content type'})",
        )


def _too_large(limit: int) -> ClientError:
    return ClientError(413, "Content Too Large", f"the body is larger than {limit} bytes")
