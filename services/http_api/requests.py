"""Every request of an HTTP service: a request id for its log lines, one JSON log line, and a
count by route template and status."""

import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import Counter

from services.observability.logging import request_id_var

__all__ = ["observe_requests"]

log = logging.getLogger(__name__)


def observe_requests(app: FastAPI, requests: Counter) -> None:
    """`requests` is labelled (route, status)."""

    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = (request.headers.get("x-request-id") or uuid.uuid4().hex)[:64]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            request_id_var.reset(token)
        # The route template, never the path: an acknowledgment link's path is its token.
        template = getattr(request.scope.get("route"), "path", "unmatched")
        requests.labels(template, str(response.status_code)).inc()
        response.headers["X-Request-Id"] = request_id
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "route": template,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        return response
