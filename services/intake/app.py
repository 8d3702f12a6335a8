"""The intake HTTP API. Routes only translate between HTTP and IntakeService; the parts come
finished from services.intake.bootstrap (or, in unit tests, from the in-memory ports)."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel, Field, ValidationError

from contracts.incident import IncidentV1
from services.http_api.body import read_json
from services.http_api.problems import ClientError, field_errors, problem
from services.http_api.requests import observe_requests
from services.intake.metrics import IntakeMetrics
from services.intake.service import Conflict, IntakeService
from services.intake.settings import IntakeSettings
from services.intake.sources import Source, SourceRegistry
from services.messaging.acknowledgment import PublishUnavailable
from services.ratelimit import RateLimiter
from services.router.directory import Directory
from services.router.routing import triage_reasons

__all__ = ["IntakeParts", "create_app"]


@dataclass(frozen=True)
class IntakeParts:
    service: IntakeService
    sources: SourceRegistry
    metrics: IntakeMetrics
    registry: CollectorRegistry
    ready: Callable[[], Awaitable[bool]]
    """Whether the broker answers now (the readiness probe)."""
    connected: Callable[[], AbstractAsyncContextManager[None]]
    """Connects the adapters for the app's lifetime."""
    directory: Directory | None = None
    """The province's units and schools, to warn of codes nobody knows; None: no warnings."""


class IncidentAccepted(BaseModel):
    incident_id: str
    replay: bool
    warnings: list[str] = Field(
        default_factory=list,
        description="Accepted, but a unit code or school id no local agency knows: the "
        "province duty desk is told to sort it out. Check the code at the source.",
    )


class BatchItemResult(BaseModel):
    index: int
    status: int
    incident_id: str | None = None
    replay: bool | None = None
    title: str | None = None
    detail: str | None = None
    errors: list[dict[str, str]] | None = None
    warnings: list[str] | None = None


class BatchResult(BaseModel):
    results: list[BatchItemResult]


def create_app(settings: IntakeSettings, parts: IntakeParts) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with parts.connected():
            yield

    app = FastAPI(
        title="Safeguard intake",
        version="1",
        description="Report child-protection incidents. A 202 means the incident is on Kafka.",
        lifespan=lifespan,
    )
    observe_requests(app, parts.metrics.requests)
    _route_incidents(app, settings, _Incidents(settings, parts))
    _route_probes(app, parts)
    app.add_exception_handler(ClientError, _client_error_handler)
    app.openapi = _openapi_with_contracts(app)  # type: ignore[method-assign]
    return app


class _Incidents:
    """Between the body read and the answer: who may report, and what became of a report."""

    def __init__(self, settings: IntakeSettings, parts: IntakeParts) -> None:
        self._settings = settings
        self._parts = parts
        self._limiter = RateLimiter(time.monotonic)
        self._guesses = RateLimiter(time.monotonic)

    def authorize(self, request: Request) -> Source:
        # Refused keys are limited per client address, and a client over its limit has no key
        # checked at all, so guessing is slowed, counted, and never told when it hits.
        client = request.client.host if request.client else "unknown"
        rate, burst = self._settings.auth_failures_per_second, self._settings.auth_failures_burst
        if (wait := self._guesses.wait(client, rate, burst)) > 0:
            self._parts.metrics.auth_failures.labels("throttled").inc()
            raise ClientError(
                429,
                "Too Many Requests",
                "too many refused API keys from this address; wait before trying again",
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        source = self._parts.sources.authenticate(
            key.strip() if scheme.lower() == "bearer" else None
        )
        if source is None:
            self._guesses.acquire(client, rate, burst)
            self._parts.metrics.auth_failures.labels("refused").inc()
            raise ClientError(
                401,
                "Unauthorized",
                "a valid, unrevoked API key is required as 'Bearer <key>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        wait = self._limiter.acquire(source.id, source.rate_per_second, source.burst)
        if wait > 0:
            raise ClientError(
                429,
                "Too Many Requests",
                f"rate limit for source '{source.id}' exceeded",
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        return source

    async def accept(self, source: Source, raw: Any, header_key: str | None) -> IncidentAccepted:
        try:
            # Strict, as the published schema is: "9" is no age and "true" no flag.
            incident = IncidentV1.model_validate_json(json.dumps(raw), strict=True)
        except ValidationError as error:
            raise ClientError(
                422, "Invalid incident", "some fields are invalid", fields=field_errors(error)
            ) from error
        try:
            outcome = await self._parts.service.accept(source.id, incident, header_key)
        except PublishUnavailable as error:
            self._parts.metrics.unavailable.inc()
            raise ClientError(
                503,
                "Service Unavailable",
                "the incident could not be stored now; retry with the same request",
                headers={"Retry-After": str(self._settings.retry_after_seconds)},
            ) from error
        if isinstance(outcome, Conflict):
            raise ClientError(
                409,
                "Conflict",
                f"this identifier was already reported as {outcome.incident_id} with different "
                "content; to add to or correct that report, send a new report with its own "
                'identifier and "refers_to": {"identifier": "<the earlier identifier>"}: the '
                "agencies already on the case get an update, not a second alert",
            )
        directory = self._parts.directory
        warnings = triage_reasons(incident, directory) if directory else []
        return IncidentAccepted(
            incident_id=outcome.incident_id, replay=outcome.replay, warnings=warnings
        )

    async def accept_batch(self, source: Source, raw: Any) -> BatchResult:
        limit = self._settings.max_batch_items
        items = raw.get("incidents") if isinstance(raw, dict) else None
        if not isinstance(items, list) or not 1 <= len(items) <= limit:
            raise ClientError(
                422, "Invalid batch", f'send {{"incidents": [...]}} with 1 to {limit} items'
            )
        results = await asyncio.gather(
            *(self._batch_item(source, index, item) for index, item in enumerate(items))
        )
        return BatchResult(results=list(results))

    async def _batch_item(self, source: Source, index: int, item: Any) -> BatchItemResult:
        try:
            outcome = await self.accept(source, item, None)
        except ClientError as error:
            return BatchItemResult(
                index=index,
                status=error.status,
                title=error.title,
                detail=error.detail,
                errors=error.fields,
            )
        return BatchItemResult(
            index=index,
            status=202,
            incident_id=outcome.incident_id,
            replay=outcome.replay,
            warnings=outcome.warnings or None,
        )


def _route_incidents(app: FastAPI, settings: IntakeSettings, incidents: _Incidents) -> None:
    @app.post(
        "/v1/incidents",
        status_code=202,
        response_model=IncidentAccepted,
        openapi_extra=_json_body("IncidentV1"),
        responses=_problem_responses(401, 409, 413, 415, 422, 429, 503),
    )
    async def post_incident(request: Request) -> IncidentAccepted:
        source = incidents.authorize(request)
        raw = await read_json(request, settings.max_body_bytes)
        return await incidents.accept(source, raw, request.headers.get("idempotency-key"))

    @app.post(
        "/v1/incidents:batch",
        status_code=207,
        response_model=BatchResult,
        openapi_extra=_json_body("IncidentBatch"),
        responses=_problem_responses(401, 413, 415, 422, 429),
    )
    async def post_batch(request: Request) -> BatchResult:
        source = incidents.authorize(request)
        raw = await read_json(request, settings.max_body_bytes * settings.max_batch_items)
        return await incidents.accept_batch(source, raw)


def _route_probes(app: FastAPI, parts: IntakeParts) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        ready = await parts.ready()
        return JSONResponse(
            {"kafka": "reachable" if ready else "unreachable"}, status_code=200 if ready else 503
        )

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(parts.registry), media_type=CONTENT_TYPE_LATEST)


async def _client_error_handler(_: Request, error: Exception) -> Response:
    assert isinstance(error, ClientError)
    return problem(error)


def _json_body(schema_name: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
            },
        },
        "security": [{"HTTPBearer": []}],
    }


def _problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"description": "RFC 9457 problem", "content": {"application/problem+json": {}}}
        for status in statuses
    }


def _openapi_with_contracts(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Publish the contract models as the request bodies the routes read by hand."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = original()
        components = document.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        incident = IncidentV1.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(incident.pop("$defs", {}))
        schemas["IncidentV1"] = incident
        schemas["IncidentBatch"] = {
            "type": "object",
            "required": ["incidents"],
            "additionalProperties": False,
            "properties": {
                "incidents": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100,
                    "items": {"$ref": "#/components/schemas/IncidentV1"},
                }
            },
        }
        components.setdefault("securitySchemes", {})["HTTPBearer"] = {
            "type": "http",
            "scheme": "bearer",
        }
        app.openapi_schema = document
        return document

    return openapi
