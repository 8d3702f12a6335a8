"""The notifier's HTTP front: acknowledgment links, Twilio webhooks, the ops API, probes and
metrics. Routes only translate: an acknowledgment or a receipt becomes a command on
alerts.commands, and the worker that owns the alert decides. What the routes show comes from
the projection, rebuilt from alerts.requested, alerts.dispatch and alerts.events."""

import hashlib
import hmac
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import parse_qsl

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from twilio.request_validator import RequestValidator

from contracts.alert_command import AckMethod, AlertCommandV1, CommandType, ReceiptStatus
from contracts.events import ALERT_COMMAND
from contracts.topics import ALERT_COMMANDS, ALERT_DISPATCH, ALERT_EVENTS, ALERTS_REQUESTED
from services.http_api.problems import ClientError, problem
from services.http_api.requests import observe_requests
from services.messaging.follower import TopicFollower
from services.messaging.publisher import EventPublisher, PublishUnavailable
from services.notifier.core import links
from services.notifier.core.ack import Lifecycle
from services.notifier.core.duty import Rosters
from services.notifier.core.policy import Language, Officer
from services.notifier.core.reply_codes import parse_reply
from services.notifier.front import page as ack_page
from services.notifier.front import twiml
from services.notifier.front.metrics import ApiMetrics
from services.notifier.front.projection import (
    AlertView,
    Applied,
    Projection,
    ReplyProblem,
)
from services.notifier.front.twiml import ReplyAnswer, VoiceAnswer
from services.notifier.settings import NotifierSettings

__all__ = ["SMS_PATH", "STATUS_PATH", "VOICE_PATH", "create_app"]

log = logging.getLogger(__name__)

SOURCE = "safeguard/notifier-api"
STATUS_PATH = "/webhooks/twilio/status"
SMS_PATH = "/webhooks/twilio/sms"
VOICE_PATH = "/webhooks/twilio/voice"
_FORM_LIMIT = 16 * 1024
_ALERT_ID = re.compile(r"alr_[0-9a-f]{32}")
_RECEIPTS = {
    status.value: status for status in ReceiptStatus if status is not ReceiptStatus.UNKNOWN
}
_PROBLEMS = {
    ReplyProblem.NOT_ALERTED: ReplyAnswer.NOT_ALERTED,
    ReplyProblem.UNKNOWN_CODE: ReplyAnswer.UNKNOWN_CODE,
    ReplyProblem.EXPIRED_CODE: ReplyAnswer.UNKNOWN_CODE,
    ReplyProblem.NOTHING_OPEN: ReplyAnswer.NOTHING_OPEN,
    ReplyProblem.AMBIGUOUS: ReplyAnswer.AMBIGUOUS,
}
# The token sits in the URL: no referrer, no cache, no framing, no indexing.
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
}


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


@dataclass
class _Front:
    """What the routes share."""

    settings: NotifierSettings
    rosters: Rosters
    projection: Projection
    feed: TopicFollower
    publisher: EventPublisher
    metrics: ApiMetrics
    publish_timeout: float
    ack_wait: float
    phones: dict[str, Officer]
    links_used: dict[str, datetime] = field(default_factory=dict)

    @property
    def secret(self) -> bytes:
        return self.settings.link_secret.get_secret_value().encode()

    def public_url(self, path: str, request: Request) -> str:
        """The address Twilio signed: ours as the world sees it, not `request.url`, which
        differs behind a proxy."""
        query = request.scope.get("query_string", b"").decode("latin-1")
        base = self.settings.public_base_url.rstrip("/")
        return f"{base}{path}?{query}" if query else f"{base}{path}"

    async def command(self, command: AlertCommandV1) -> None:
        try:
            await self.publisher.publish(
                ALERT_COMMANDS.name, command.alert_id, ALERT_COMMAND, command, self.publish_timeout
            )
        except PublishUnavailable:
            self.metrics.commands.labels(command.type.value, "unavailable").inc()
            log.warning("command not published", extra={"alert_id": command.alert_id})
            raise
        self.metrics.commands.labels(command.type.value, "published").inc()
        log.info(
            "command published",
            extra={
                "alert_id": command.alert_id,
                "type": command.type.value,
                "method": command.method.value if command.method else None,
                "by": command.by,
                "recipient_slot": command.recipient_slot,
            },
        )

    def remember_link(self, claims: links.LinkClaims) -> None:
        now = datetime.now(UTC)
        self.links_used = {n: e for n, e in self.links_used.items() if e > now}
        self.links_used[claims.nonce] = claims.expires_at


def create_app(
    settings: NotifierSettings,
    rosters: Rosters,
    registry: CollectorRegistry | None = None,
    *,
    publish_timeout: float = 5.0,
    ack_wait: float = 5.0,
) -> FastAPI:
    registry = registry or CollectorRegistry()
    projection = Projection()
    feed = TopicFollower(
        settings.kafka_bootstrap,
        [ALERTS_REQUESTED.name, ALERT_DISPATCH.name, ALERT_EVENTS.name],
        lambda _key, ce_type, body: _project(projection, ce_type, body),
    )
    front = _Front(
        settings=settings,
        rosters=rosters,
        projection=projection,
        feed=feed,
        publisher=EventPublisher(settings.kafka_bootstrap, source=SOURCE),
        metrics=ApiMetrics(registry, projection, ready=lambda: feed.caught_up),
        publish_timeout=publish_timeout,
        ack_wait=ack_wait,
        phones=_phones(rosters),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await front.publisher.start()
        await feed.start()
        log.info("notifier api started; replaying the alert topics")
        yield
        await feed.stop()
        await front.publisher.stop()

    app = FastAPI(
        title="Safeguard notifier",
        version="1",
        description="Acknowledgment links, Twilio webhooks and the alerts API for ops.",
        lifespan=lifespan,
    )
    observe_requests(app, front.metrics.requests)
    _ack_routes(app, front)
    _twilio_routes(app, front)
    _ops_routes(app, front)
    _probe_routes(app, front, registry)
    app.add_exception_handler(ClientError, _client_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    return app


def _project(projection: Projection, ce_type: str, body: bytes) -> None:
    if projection.apply(ce_type, body) is Applied.UNREADABLE:
        log.warning("unreadable alert record skipped", extra={"ce_type": ce_type})


def _phones(rosters: Rosters) -> dict[str, Officer]:
    phones: dict[str, Officer] = {}
    for officer in (rosters.drill_recipient, *rosters.officers().values()):
        for phone in (officer.phone, officer.backup_phone):
            if phone:
                phones.setdefault(phone, officer)
    return phones


# Acknowledgment links ------------------------------------------------------------------------


def _ack_routes(app: FastAPI, front: _Front) -> None:
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
            return _page(ack_page.acknowledged_page(view, language, zone))
        # Pressed again before the worker's acknowledgment reached us: publish only once.
        if claims.nonce not in front.links_used:
            try:
                await front.command(
                    _ack(claims.alert_id, AckMethod.LINK, claims.recipient_slot, claims.nonce)
                )
            except PublishUnavailable:
                page = ack_page.unavailable_page(language)
                return _page(page, 503, headers={"Retry-After": "30"})
            front.remember_link(claims)
        if await front.feed.wait_for(lambda: _acknowledged(front, claims.alert_id), front.ack_wait):
            view = front.projection.get(claims.alert_id)
            assert view is not None
            return _page(ack_page.acknowledged_page(view, language, zone))
        return _page(ack_page.recorded_page(language), 202)


def _claims(front: _Front, token: str, language: Language) -> links.LinkClaims | HTMLResponse:
    claims = links.verify(front.secret, token, datetime.now(UTC))
    if isinstance(claims, links.LinkClaims):
        return claims
    log.info("acknowledgment link refused", extra={"reason": claims.kind.value})
    if claims.kind is links.LinkErrorKind.EXPIRED:
        return _page(ack_page.expired_page(language), 410)
    return _page(ack_page.invalid_page(language), 400)


def _ack(
    alert_id: str,
    method: AckMethod,
    slot: int | None = None,
    nonce: str | None = None,
    by: str | None = None,
) -> AlertCommandV1:
    """An acknowledgment for the worker: `by` an officer id, or the recipient's `slot` in the
    alert's snapshot, which only the worker can resolve."""
    return AlertCommandV1(
        alert_id=alert_id,
        type=CommandType.ACKNOWLEDGE,
        at=datetime.now(UTC),
        method=method,
        recipient_slot=slot,
        nonce=nonce,
        by=by,
    )


def _acknowledged(front: _Front, alert_id: str) -> bool:
    view = front.projection.get(alert_id)
    return view is not None and view.lifecycle is Lifecycle.ACKNOWLEDGED


def _page(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=_PAGE_HEADERS | (headers or {}))


# Twilio webhooks -----------------------------------------------------------------------------


def _twilio_routes(app: FastAPI, front: _Front) -> None:
    validator = RequestValidator(front.settings.twilio_auth_token.get_secret_value())

    async def verified(request: Request, kind: str, path: str) -> dict[str, str]:
        form = (await _read_form(request)).decode("utf-8", "replace")
        params = dict(parse_qsl(form, keep_blank_values=True))
        signature = request.headers.get("x-twilio-signature", "")
        if not signature or not validator.validate(
            front.public_url(path, request), params, signature
        ):
            front.metrics.webhooks_rejected.labels(kind).inc()
            log.warning("twilio webhook rejected: bad signature", extra={"kind": kind})
            raise ClientError(403, "Forbidden", "X-Twilio-Signature is missing or does not match")
        return params

    @app.post(STATUS_PATH, status_code=204, tags=["twilio"])
    async def message_status(request: Request) -> Response:
        """A delivery receipt: sent, delivered, undelivered and failed become commands."""
        params = await verified(request, "status", STATUS_PATH)
        receipt = _RECEIPTS.get(params.get("MessageStatus", ""))
        if receipt is None:
            return Response(status_code=204)  # queued, sending, accepted...: nothing to record
        alert_id, message_id = _alert_id(request), request.query_params.get("message_id")
        if not message_id:
            raise ClientError(400, "Bad Request", "the callback URL lacks message_id")
        command = AlertCommandV1(
            alert_id=alert_id,
            type=CommandType.RECEIPT,
            at=datetime.now(UTC),
            message_id=message_id,
            provider_id=params.get("MessageSid") or None,
            code=params.get("ErrorCode") or None,
            receipt=receipt,
        )
        await _command_or_503(front, command)
        return Response(status_code=204)

    @app.post(SMS_PATH, tags=["twilio"])
    async def sms_reply(request: Request) -> Response:
        """An officer's SMS reply ("XN 47", "OK"): the TwiML answer goes back as an SMS."""
        params = await verified(request, "sms", SMS_PATH)
        phone = params.get("From", "")
        officer = front.phones.get(phone)
        language = officer.language if officer else Language.VI
        answer, view = await _sms_acknowledge(front, phone, params.get("Body", ""))
        log.info(
            "sms reply answered",
            extra={"answer": answer.value, "officer_id": officer.id if officer else None},
        )
        ref = view.facts.reference if view and view.facts else (view.alert_id if view else "")
        by = (view.acknowledged_by or "") if view else ""
        return _twiml(twiml.sms_answer(answer, language, ref=ref, by=by))

    @app.post(VOICE_PATH, tags=["twilio"])
    async def keypress(request: Request) -> Response:
        """The escalation call's Gather: 1 acknowledges, any other key asks again."""
        params = await verified(request, "voice", VOICE_PATH)
        officer = front.phones.get(params.get("To", ""))
        language = officer.language if officer else Language.VI
        alert_id, slot = _alert_id(request), _slot(request)
        if params.get("Digits", "") != "1":
            return _twiml(twiml.gather_again(language, front.public_url(VOICE_PATH, request)))
        answer = await _voice_acknowledge(front, alert_id, slot)
        return _twiml(twiml.voice_answer(answer, language))


async def _sms_acknowledge(
    front: _Front, phone: str, body: str
) -> tuple[ReplyAnswer, AlertView | None]:
    reply = parse_reply(body)
    if reply is None:
        return ReplyAnswer.NOT_UNDERSTOOD, None
    match = front.projection.reply_target(phone, reply.code)
    if isinstance(match, ReplyProblem):
        return _PROBLEMS[match], None
    if match.already_acknowledged:
        return ReplyAnswer.ALREADY_ACKNOWLEDGED, match.alert
    try:
        await front.command(_ack(match.alert.alert_id, AckMethod.SMS_REPLY, by=match.recipient_id))
    except PublishUnavailable:
        return ReplyAnswer.UNAVAILABLE, match.alert
    return ReplyAnswer.ACKNOWLEDGED, match.alert


async def _voice_acknowledge(front: _Front, alert_id: str, slot: int) -> VoiceAnswer:
    if _acknowledged(front, alert_id):
        return VoiceAnswer.ALREADY_ACKNOWLEDGED
    try:
        await front.command(_ack(alert_id, AckMethod.VOICE_KEYPRESS, slot))
    except PublishUnavailable:
        return VoiceAnswer.UNAVAILABLE
    return VoiceAnswer.ACKNOWLEDGED


async def _read_form(request: Request) -> bytes:
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > _FORM_LIMIT:
            raise ClientError(413, "Content Too Large", f"the form exceeds {_FORM_LIMIT} bytes")
    return bytes(received)


def _alert_id(request: Request) -> str:
    alert_id = request.query_params.get("alert_id", "")
    if not _ALERT_ID.fullmatch(alert_id):
        raise ClientError(400, "Bad Request", "the callback URL lacks a valid alert_id")
    return alert_id


def _slot(request: Request) -> int:
    slot = request.query_params.get("slot", "")
    if not slot.isdigit() or int(slot) > 255:
        raise ClientError(400, "Bad Request", "the callback URL lacks a valid slot")
    return int(slot)


def _twiml(body: str) -> Response:
    return Response(body, media_type="application/xml")


async def _command_or_503(front: _Front, command: AlertCommandV1) -> None:
    try:
        await front.command(command)
    except PublishUnavailable as error:
        raise ClientError(
            503,
            "Service Unavailable",
            "the command could not be stored now; retry",
            headers={"Retry-After": "5"},
        ) from error


# Ops API -------------------------------------------------------------------------------------


def _ops_routes(app: FastAPI, front: _Front) -> None:
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
        await _command_or_503(front, _ack(alert_id, AckMethod.API, by=f"api:{body.by}"))
        return AckResult(alert_id=alert_id, status="accepted")


def _known(front: _Front, alert_id: str) -> AlertView:
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


# Probes, metrics, plumbing -------------------------------------------------------------------


def _probe_routes(app: FastAPI, front: _Front, registry: CollectorRegistry) -> None:
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


async def _client_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, ClientError)
    return problem(error)


async def _invalid_request(_: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    fields = [
        {"path": ".".join(str(part) for part in issue["loc"]), "message": issue["msg"]}
        for issue in error.errors()
    ]
    return problem(ClientError(422, "Invalid request", "some fields are invalid", fields=fields))
