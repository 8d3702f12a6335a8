"""RFC 9457 problem responses, so every refusal says what was wrong in one shape."""

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import ValidationError

__all__ = ["ClientError", "field_errors", "problem"]


class ClientError(Exception):
    """Something the client sent or did is refused with this status."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
        fields: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers
        self.fields = fields


def problem(error: ClientError) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
    }
    if error.fields is not None:
        body["errors"] = error.fields
    return JSONResponse(
        body,
        status_code=error.status,
        headers=error.headers,
        media_type="application/problem+json",
    )


def field_errors(
    error: ValidationError, prefix: tuple[str | int, ...] = ()
) -> list[dict[str, str]]:
    """Each bad field's path and message, without echoing the value the client sent."""
    return [
        {"path": _path(prefix + tuple(issue["loc"])), "message": issue["msg"]}
        for issue in error.errors(include_input=False, include_url=False)
    ]


def _path(location: tuple[str | int, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(body)"
