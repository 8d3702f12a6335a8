"""The ops API: list and read alerts, acknowledge for an integration; Bearer keys whose
SHA-256 is configured."""

import hashlib
import hmac
from datetime import datetime
from typing import Literal

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from contracts.alert_command import AckMethod
from services.http_api.problems import ClientError
from services.notifier.core.ack import Lifecycle
from services.notifier.front.context import Front, acknowledgment, command_or_503
from services.notifier.front.projection import AlertView

__all__ = ["AckResult", "AlertList", "ApiAcknowledge", "add_ops_routes"]


class AlertList(BaseModel):
    alerts: list[AlertView]


class ApiAcknowledge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$",
        description="The integration or operator acknowledging: an id, not a name.",
    )


class AckResult(BaseModel):
    alert_id: str
    status: Literal["accepted", "already_acknowledged"]
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    method: str | None = None


def add_ops_routes(app: FastAPI, front: Front) -> None:
    keys = [bytes.fromhex(k) for k in front.settings.ops_api_keys_sha256]

    def authorize(request: Request) -> None:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        digest = hashlib.sha256(key.strip().encode()).digest()
        # Compare with every key, so the time taken says nothing about which one matched.
        matches = [hmac.compare_digest(digest, known) for known in keys]
        if scheme.lower() != "bearer" or not key.strip() or not any(matches):
            raise ClientError(
                401,
                "Unauthorized",
                "an ops API key is required as 'Bearer <key>'",
                headers={"WWW-Authenticate": "Bearer"},
            )

    ops = [Depends(authorize)]

    @app.get("/v1/alerts", response_model=AlertList, dependencies=ops, tags=["ops"])
    async def list_alerts(
        state: Lifecycle | None = None, agency: str | None = None, incident: str | None = None
    ) -> AlertList:
        """Alerts, newest first, filtered by lifecycle state, agency id and incident id."""
        return AlertList(alerts=front.projection.list_alerts(state, agency, incident))

    @app.get("/v1/alerts/{alert_id}", response_model=AlertView, dependencies=ops, tags=["ops"])
    async def get_alert(alert_id: str) -> AlertView:
        return _known(front, alert_id)

    @app.post(
        "/v1/alerts/{alert_id}/ack",
        response_model=AckResult,
        status_code=202,
        dependencies=ops,
        tags=["ops"],
    )
    async def api_acknowledge(alert_id: str, body: ApiAcknowledge) -> AckResult | JSONResponse:
        view = _known(front, alert_id)
        if view.lifecycle is Lifecycle.ACKNOWLEDGED:
            done = _already(view)
            return JSONResponse(done.model_dump(mode="json"), status_code=200)
        if view.lifecycle is Lifecycle.EXPIRED:
            # The worker would refuse it: say so now rather than accept and drop it.
            raise ClientError(409, "Conflict", f"alert {alert_id} has expired; it is closed")
        await command_or_503(front, acknowledgment(alert_id, AckMethod.API, by=f"api:{body.by}"))
        return AckResult(alert_id=alert_id, status="accepted")


def _known(front: Front, alert_id: str) -> AlertView:
    view = front.projection.get(alert_id)
    if view is None:
        raise ClientError(404, "Not Found", f"no alert {alert_id} is known (yet)")
    return view


def _already(view: AlertView) -> AckResult:
    return AckResult(
        alert_id=view.alert_id,
        status="already_acknowledged",
        acknowledged_by=view.acknowledged_by,
        acknowledged_at=view.acknowledged_at,
        method=view.ack_method.value if view.ack_method else None,
    )
