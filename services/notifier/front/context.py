"""What the HTTP front's routes share, and the acknowledgment command they publish."""

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import Request

from contracts.alert_command import AckMethod, AlertCommandV1, CommandType
from contracts.events import ALERT_COMMAND
from contracts.topics import ALERT_COMMANDS
from services.http_api.problems import ClientError
from services.messaging.follower import TopicFollower
from services.messaging.publisher import EventPublisher, PublishUnavailable
from services.notifier.core import links
from services.notifier.core.ack import Lifecycle
from services.notifier.core.duty import Rosters
from services.notifier.core.policy import Officer
from services.notifier.front.metrics import ApiMetrics
from services.notifier.front.projection import Projection
from services.notifier.front.replays import ReplayGuard
from services.notifier.settings import NotifierSettings

__all__ = ["Front", "acknowledged", "acknowledgment", "command_or_503"]

log = logging.getLogger(__name__)


@dataclass
class Front:
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
    replays: ReplayGuard = field(default_factory=lambda: ReplayGuard(time.monotonic))

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


def acknowledgment(
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


def acknowledged(front: Front, alert_id: str) -> bool:
    view = front.projection.get(alert_id)
    return view is not None and view.lifecycle is Lifecycle.ACKNOWLEDGED


async def command_or_503(front: Front, command: AlertCommandV1) -> None:
    try:
        await front.command(command)
    except PublishUnavailable as error:
        raise ClientError(
            503,
            "Service Unavailable",
            "the command could not be stored now; retry",
            headers={"Retry-After": "5"},
        ) from error
