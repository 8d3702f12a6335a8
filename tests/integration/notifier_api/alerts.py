"""What the router and the worker would publish, written straight to the topics, and small
helpers to call the API the way officers, Twilio and ops do."""

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from kafka import KafkaProducer
from pydantic import BaseModel
from twilio.request_validator import RequestValidator

from contracts import cloudevents
from contracts.alert import AlertFacts, AlertRequestedV1, RequestKind
from contracts.alert_command import AlertCommandV1
from contracts.dispatch import DispatchRequestV1
from contracts.events import ALERT_EVENT, ALERT_REQUESTED, DISPATCH_REQUEST
from contracts.incident import Category, Certainty, Severity, Status, Urgency
from contracts.topics import ALERT_DISPATCH, ALERT_EVENTS, ALERTS_REQUESTED
from services.notifier.core import links
from services.notifier.core.ack import AckMethod, AuditEvent, AuditType, Delivery, Lifecycle
from services.notifier.core.channels import ChannelKind
from tests.integration.kafka_reader import TopicReader
from tests.integration.servers import BackgroundServer

OPS_KEY = "ops-test-key"
# As officers' phones and Twilio reach the API: through a proxy, under a path prefix. Twilio
# signs this address, which the API never sees in a request.
PUBLIC_BASE_URL = "https://safeguard.example/notifier"
TWILIO_TOKEN = "test-twilio-auth-token"
LINK_SECRET = "integration-link-secret-0123456789abcdef"
OPS = {"Authorization": f"Bearer {OPS_KEY}"}


@dataclass(frozen=True)
class Phones:
    vi: str  # duty-vi, police, Vietnamese
    en: str  # duty-en, school, English
    stranger: str  # alerted never


@dataclass(frozen=True)
class Alert:
    request: AlertRequestedV1
    recipient_id: str
    phone: str
    code: str
    message_id: str = "m0"

    @property
    def alert_id(self) -> str:
        return self.request.alert_id

    @property
    def reference(self) -> str:
        return self.request.facts.reference


class AlertWriter:
    def __init__(self, bootstrap: str, phones: Phones) -> None:
        self._producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        self.phones = phones

    def close(self) -> None:
        self._producer.close()

    def publish(self, topic: str, key: str, ce_type: str, data: BaseModel) -> None:
        headers, value = cloudevents.encode(
            type=ce_type, source="tests/notifier", data=data, subject=key
        )
        self._producer.send(topic, key=key.encode(), value=value, headers=headers).get(10)

    def new_alert(
        self,
        agency_id: str = "police",
        recipient_id: str = "duty-vi",
        phone: str | None = None,
        incident_id: str | None = None,
        requested_at: datetime | None = None,
        **facts: Any,
    ) -> Alert:
        """A requested alert whose SMS (with a reply code) went to `phone`: tier 1 notified."""
        at = requested_at or datetime.now(UTC)
        request = AlertRequestedV1(
            alert_id="alr_" + secrets.token_hex(16),
            incident_id=incident_id or "inc_" + secrets.token_hex(16),
            kind=RequestKind.NEW,
            agency_id=agency_id,
            agency_kind=agency_id,
            rule_path=["root"],
            rules_version="test",
            fallback=False,
            ack_deadline=at + timedelta(minutes=30),
            requested_at=at,
            facts=_facts(**facts),
        )
        alert = Alert(
            request=request,
            recipient_id=recipient_id,
            phone=phone or self.phones.vi,
            code="".join(secrets.choice("23456789") for _ in range(4)),
        )
        self.publish(ALERTS_REQUESTED.name, alert.alert_id, ALERT_REQUESTED, request)
        self.publish(ALERT_DISPATCH.name, alert.alert_id, DISPATCH_REQUEST, _dispatch(alert))
        self.audit(alert, AuditType.NOTIFIED, Lifecycle.NOTIFIED, tier=1, step=1)
        self.audit(
            alert,
            AuditType.MESSAGE_QUEUED,
            Lifecycle.NOTIFIED,
            actor=recipient_id,
            channel=ChannelKind.SMS,
            message_id=alert.message_id,
            delivery=Delivery.QUEUED,
        )
        return alert

    def audit(self, alert: Alert, type_: AuditType, lifecycle: Lifecycle, **fields: Any) -> None:
        event = AuditEvent(
            type=type_,
            alert_id=alert.alert_id,
            incident_id=alert.request.incident_id,
            agency_id=alert.request.agency_id,
            at=fields.pop("at", datetime.now(UTC)),
            lifecycle=lifecycle,
            **fields,
        )
        self.publish(ALERT_EVENTS.name, alert.alert_id, ALERT_EVENT, event)

    def acknowledged(self, alert: Alert, by: str, method: AckMethod = AckMethod.LINK) -> None:
        """What the worker publishes once it applied an acknowledgment."""
        self.audit(
            alert, AuditType.ACKNOWLEDGED, Lifecycle.ACKNOWLEDGED, actor=by, method=method, tier=1
        )


def _facts(**changes: Any) -> AlertFacts:
    values: dict[str, Any] = {
        "reference": "SG-" + secrets.token_hex(4).upper(),
        "status": Status.ACTUAL,
        "category": Category.PHYSICAL_ABUSE,
        "severity": Severity.SEVERE,
        "urgency": Urgency.IMMEDIATE,
        "certainty": Certainty.LIKELY,
        "geocode": "03127",
        "unit_name": "Mường Phăng",
        "immediate_danger": True,
        "needs_shelter": False,
    }
    return AlertFacts(**(values | changes))


def _dispatch(alert: Alert) -> DispatchRequestV1:
    return DispatchRequestV1(
        alert_id=alert.alert_id,
        message_id=alert.message_id,
        recipient_id=alert.recipient_id,
        channel="sms",
        to=alert.phone,
        body="(rendered SMS)",
        reply_code=alert.code,
        drill=alert.request.facts.status is not Status.ACTUAL,
    )


# Calling the API ------------------------------------------------------------------------------


def link(alert_id: str, slot: int = 0, valid: timedelta = timedelta(hours=1)) -> str:
    """The path of a signed acknowledgment link, as the worker puts in an SMS."""
    token = links.issue(LINK_SECRET.encode(), alert_id, slot, datetime.now(UTC) + valid)
    return f"/ack/{token}"


def nonce_of(path: str) -> str:
    claims = links.verify(LINK_SECRET.encode(), path.removeprefix("/ack/"), datetime.now(UTC))
    assert isinstance(claims, links.LinkClaims)
    return claims.nonce


def twilio_post(
    api: BackgroundServer,
    path: str,
    params: dict[str, str],
    *,
    token: str = TWILIO_TOKEN,
    signed_url: str | None = None,
    signature: str | None = None,
) -> httpx.Response:
    """POST a form as Twilio does, signed for the public address unless told otherwise."""
    url = signed_url or PUBLIC_BASE_URL + path
    headers = {
        "X-Twilio-Signature": signature or RequestValidator(token).compute_signature(url, params)
    }
    return httpx.post(f"{api.url}{path}", data=params, headers=headers, timeout=15)


def wait_for_alert(
    api: BackgroundServer,
    alert_id: str,
    ready: Callable[[dict[str, Any]], bool] = lambda _: True,
    timeout: float = 20.0,
) -> dict[str, Any]:
    """The alert as the API shows it, once the projection has read it (and `ready` holds)."""
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(f"{api.url}/v1/alerts/{alert_id}", headers=OPS, timeout=5)
        if response.status_code == 200 and response.json()["facts"] and ready(response.json()):
            body: dict[str, Any] = response.json()
            return body
        assert time.monotonic() < deadline, f"the API never showed {alert_id} as expected"
        time.sleep(0.1)


def commands(reader: TopicReader, alert_id: str, wait: float = 3.0) -> list[AlertCommandV1]:
    """The commands published for `alert_id` within `wait` seconds."""
    records = reader.read_for(wait)
    return [
        AlertCommandV1.model_validate_json(
            cloudevents.decode([(k, v.encode()) for k, v in r.headers.items()], r.value).data
        )
        for r in records
        if r.key == alert_id
    ]


def first_command(reader: TopicReader, alert_id: str, timeout: float = 15.0) -> AlertCommandV1:
    reader.read_until(lambda rs: any(r.key == alert_id for r in rs), timeout)
    found = commands(reader, alert_id, wait=0.0)
    assert found, f"no command for {alert_id}"
    return found[0]


def metric(api: BackgroundServer, sample: str) -> float:
    """The value of one sample line of /metrics, e.g. 'name{label="x"}'; 0 when absent."""
    text = httpx.get(f"{api.url}/metrics", timeout=5).text
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name == sample:
            return float(value)
    return 0.0


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
