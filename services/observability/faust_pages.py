"""/healthz, /readyz and /metrics on a faust worker's own web server (probes and scrapes)."""

from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

__all__ = ["add_service_pages"]


def add_service_pages(app: faust.App, registry: CollectorRegistry) -> None:
    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        """Ready once table recovery is done and no rebalance is under way."""
        recovery = app.tables.recovery  # type: ignore[attr-defined]  # not on TableManagerT
        ready = recovery.completed.is_set() and not app.rebalancing
        return web.json({"ready": ready}, status=200 if ready else 503)

    @app.page("/metrics")
    async def metrics(web: Any, request: Any) -> Any:
        # aiohttp refuses a charset inside content_type, so the header is set whole.
        return web.bytes(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})
