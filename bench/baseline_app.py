"""The two servers the intake bench compares: a do-nothing 202 route, and the real intake."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.intake.bootstrap import build_app
from services.intake.settings import IntakeSettings
from services.intake.sources import ApiKey, Source, SourceRegistry, hash_key


def create() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/incidents", status_code=202)
    async def accept(request: Request) -> dict[str, Any]:
        await request.body()
        return {"incident_id": "inc_0", "replay": False}

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return app


def create_intake() -> FastAPI:
    unlimited = Source(
        id="helpline-111",
        name="bench",
        keys=(ApiKey(sha256=hash_key("dev-helpline-key")),),
        rate_per_second=1e9,
        burst=10**9,
    )
    return build_app(IntakeSettings(), sources=SourceRegistry([unlimited]))
