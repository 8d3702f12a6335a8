"""Liveness, readiness (the projection caught up, Kafka reachable) and /metrics."""

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from services.notifier.front.context import Front

__all__ = ["add_probe_routes"]


def add_probe_routes(app: FastAPI, front: Front, registry: CollectorRegistry) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        alive = front.feed.running
        return JSONResponse({"status": "ok" if alive else "feed stopped"}, 200 if alive else 503)

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        kafka = await front.publisher.reachable()
        caught_up = front.feed.caught_up
        body = {
            "kafka": "reachable" if kafka else "unreachable",
            "projection": "caught_up" if caught_up else "replaying",
            "alerts": len(front.projection),
        }
        return JSONResponse(body, status_code=200 if kafka and caught_up else 503)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
