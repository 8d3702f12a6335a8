"""The notifier's HTTP front: acknowledgment links, Twilio webhooks, the ops API, probes and
metrics. Routes only translate: an acknowledgment or a receipt becomes a command on
alerts.commands, and the worker that owns the alert decides. What the routes show comes from
the projection, rebuilt from alerts.requested, alerts.dispatch and alerts.events."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from prometheus_client import CollectorRegistry

from contracts.topics import ALERT_DISPATCH, ALERT_EVENTS, ALERTS_REQUESTED
from services.http_api.problems import ClientError, problem
from services.http_api.requests import observe_requests
from services.messaging.follower import TopicFollower
from services.messaging.publisher import EventPublisher
from services.notifier.core.duty import Rosters
from services.notifier.core.policy import Officer
from services.notifier.front.ack_links import add_ack_routes
from services.notifier.front.context import Front
from services.notifier.front.metrics import ApiMetrics
from services.notifier.front.ops_api import add_ops_routes
from services.notifier.front.probes import add_probe_routes
from services.notifier.front.projection import Applied, Names, Projection
from services.notifier.front.twilio_webhooks import add_twilio_routes
from services.notifier.settings import NotifierSettings

__all__ = ["create_app"]

log = logging.getLogger(__name__)

SOURCE = "safeguard/notifier-api"


def create_app(
    settings: NotifierSettings,
    rosters: Rosters,
    registry: CollectorRegistry | None = None,
    *,
    publish_timeout: float = 5.0,
    ack_wait: float = 5.0,
) -> FastAPI:
    registry = registry or CollectorRegistry()
    names = Names(agencies=rosters.agency_names, officers=rosters.officer_names())
    projection = Projection(names)
    feed = TopicFollower(
        settings.kafka_bootstrap,
        [ALERTS_REQUESTED.name, ALERT_DISPATCH.name, ALERT_EVENTS.name],
        lambda _key, ce_type, body: _project(projection, ce_type, body),
    )
    front = Front(
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
    add_ack_routes(app, front)
    add_twilio_routes(app, front)
    add_ops_routes(app, front)
    add_probe_routes(app, front, registry)
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
