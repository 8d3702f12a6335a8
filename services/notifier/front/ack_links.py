"""The acknowledgment links: GET shows the alert (and never acknowledges: link previewers
open links too), POST acknowledges, once per link."""

import logging
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from contracts.alert_command import AckMethod
from services.messaging.publisher import PublishUnavailable
from services.notifier.core import links
from services.notifier.core.ack import Lifecycle
from services.notifier.core.policy import Language
from services.notifier.front import page as ack_page
from services.notifier.front.context import Front, acknowledged, acknowledgment

__all__ = ["add_ack_routes"]

log = logging.getLogger(__name__)

# The token sits in the URL: no referrer, no cache, no framing, no indexing.
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
}


def add_ack_routes(app: FastAPI, front: Front) -> None:  # noqa: C901
    zone = front.rosters.zone

    @app.get("/ack/{token}", response_class=HTMLResponse, tags=["acknowledgment"])
    async def show_alert(token: str, lang: str | None = None) -> HTMLResponse:
        """The alert's facts and an Acknowledge button. Never acknowledges."""
        language = ack_page.language(lang)
        claims = _claims(front, token, language)
        if isinstance(claims, HTMLResponse):
            return claims
        view = front.projection.get(claims.alert_id)
        if view is not None and view.lifecycle is Lifecycle.ACKNOWLEDGED:
            return _page(ack_page.acknowledged_page(view, language, zone))
        if view is None or view.facts is None:
            return _page(ack_page.processing_page(language), headers={"Retry-After": "5"})
        return _page(ack_page.alert_page(view, language, zone))

    @app.post("/ack/{token}", response_class=HTMLResponse, tags=["acknowledgment"])
    async def acknowledge(token: str, lang: str | None = None) -> HTMLResponse:
        language = ack_page.language(lang)
        claims = _claims(front, token, language)
        if isinstance(claims, HTMLResponse):
            return claims
        view = front.projection.get(claims.alert_id)
        if view is not None and view.lifecycle is Lifecycle.ACKNOWLEDGED:
            log.info("acknowledgment link used again", extra={"alert_id": claims.alert_id})
            return _page(ack_page.acknowledged_page(view, language, zone, again=True))
        # Pressed again before the worker's acknowledgment reached us: publish only once.
        if claims.nonce not in front.links_used:
            try:
                await front.command(
                    acknowledgment(
                        claims.alert_id, AckMethod.LINK, claims.recipient_slot, claims.nonce
                    )
                )
            except PublishUnavailable:
                page = ack_page.unavailable_page(language)
                return _page(page, 503, headers={"Retry-After": "30"})
            front.remember_link(claims)
        if await front.feed.wait_for(lambda: acknowledged(front, claims.alert_id), front.ack_wait):
            view = front.projection.get(claims.alert_id)
            assert view is not None
            return _page(ack_page.acknowledged_page(view, language, zone))
        return _page(ack_page.recorded_page(language), 202)


def _claims(front: Front, token: str, language: Language) -> links.LinkClaims | HTMLResponse:
    claims = links.verify(front.secret, token, datetime.now(UTC))
    if isinstance(claims, links.LinkClaims):
        return claims
    log.info("acknowledgment link refused", extra={"reason": claims.kind.value})
    if claims.kind is links.LinkErrorKind.EXPIRED:
        return _page(ack_page.expired_page(language), 410)
    return _page(ack_page.invalid_page(language), 400)


def _page(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=_PAGE_HEADERS | (headers or {}))
