"""The notifier API's read model: every alert as alerts.requested, alerts.dispatch and
alerts.events tell it. Pure: it is fed (CloudEvent type, JSON body) pairs, in any order across
the three topics, and answers the pages, the webhooks, ops and the metrics.

The worker owns the alerts; this is only what its events say, so it may lag a little behind.
Officers' phone numbers are kept (to match an SMS reply to its alert) but never exported.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts import events
from contracts.alert import AlertFacts, AlertRequestedV1
from contracts.alert_event import AlertEventV1
from contracts.dispatch import DispatchRequestV1
from contracts.incident import Severity
from services.notifier.core.ack import AckMethod, AuditEvent, AuditType, Delivery, Lifecycle
from services.notifier.core.channels import ChannelKind
from services.notifier.core.policy import AgencyName

__all__ = [
    "LIVE",
    "AlertView",
    "Applied",
    "MessageView",
    "Names",
    "Projection",
    "ReplyMatch",
    "ReplyProblem",
    "ReplyTarget",
]

# Still escalating: nobody acknowledged and tiers remain.
LIVE = frozenset({Lifecycle.REQUESTED, Lifecycle.NOTIFIED, Lifecycle.ESCALATED})
_READ = frozenset({events.ALERT_REQUESTED, events.DISPATCH_REQUEST, events.ALERT_EVENT})
_PHONE_CHANNELS = frozenset({ChannelKind.SMS, ChannelKind.VOICE})


class MessageView(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: str
    recipient_id: str
    channel: ChannelKind
    delivery: Delivery | None = None
    reply_code: str | None = Field(default=None, exclude=True)
    to: str | None = Field(default=None, exclude=True, repr=False)  # contact data: never shown


class AlertView(BaseModel):
    """One alert. Fields stay None until the record that carries them has been read."""

    model_config = ConfigDict(frozen=True)

    alert_id: str
    incident_id: str | None = None
    agency_id: str | None = None
    agency_name: AgencyName | None = None
    facts: AlertFacts | None = None
    requested_at: datetime | None = None
    ack_deadline: datetime | None = None
    lifecycle: Lifecycle = Lifecycle.REQUESTED
    tier: int | None = None
    acknowledged_by: str | None = None
    acknowledged_by_name: str | None = None  # the officer's display name, for people
    ack_method: AckMethod | None = None
    acknowledged_at: datetime | None = None
    messages: tuple[MessageView, ...] = ()

    @property
    def live(self) -> bool:
        return self.lifecycle in LIVE

    def overdue(self, now: datetime) -> bool:
        return self.live and self.ack_deadline is not None and now > self.ack_deadline

    def time_to_acknowledge(self) -> float | None:
        if self.requested_at is None or self.acknowledged_at is None:
            return None
        return max(0.0, (self.acknowledged_at - self.requested_at).total_seconds())

    def message(self, message_id: str) -> MessageView | None:
        return next((m for m in self.messages if m.message_id == message_id), None)

    def sent_to(self, phone: str) -> tuple[MessageView, ...]:
        return tuple(m for m in self.messages if m.to == phone and m.channel in _PHONE_CHANNELS)


class Applied(StrEnum):
    APPLIED = "applied"
    IGNORED = "ignored"  # a CloudEvent type this model does not read
    UNREADABLE = "unreadable"


class ReplyProblem(StrEnum):
    NOT_ALERTED = "not_alerted"  # no alert was ever sent to this number
    UNKNOWN_CODE = "unknown_code"
    EXPIRED_CODE = "expired_code"  # the code's alert expired unacknowledged
    NOTHING_OPEN = "nothing_open"  # a bare reply, and no alert of this number is open
    AMBIGUOUS = "ambiguous"  # a bare reply, and several are open


@dataclass(frozen=True)
class ReplyTarget:
    alert: AlertView
    recipient_id: str
    already_acknowledged: bool = False


ReplyMatch = ReplyTarget | ReplyProblem


@dataclass(frozen=True)
class Names:
    """What people call agencies and officers (from the rosters), by id."""

    agencies: Mapping[str, AgencyName] = field(default_factory=dict)
    officers: Mapping[str, str] = field(default_factory=dict)


class Projection:
    def __init__(self, names: Names | None = None) -> None:
        self._names = names or Names()
        self._alerts: dict[str, AlertView] = {}
        self._by_phone: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._alerts)

    def apply(self, ce_type: str, body: bytes) -> Applied:
        if ce_type not in _READ:
            return Applied.IGNORED
        try:
            event = events.parse(ce_type, body)
        except events.Refused:
            return Applied.UNREADABLE
        if isinstance(event, AlertRequestedV1):
            self._requested(event)
        elif isinstance(event, DispatchRequestV1):
            self._dispatched(event)
        elif isinstance(event, AlertEventV1):
            self._audited(event)
        return Applied.APPLIED

    # Queries ----------------------------------------------------------------------------------

    def get(self, alert_id: str) -> AlertView | None:
        return self._alerts.get(alert_id)

    def list_alerts(
        self,
        state: Lifecycle | None = None,
        agency: str | None = None,
        incident: str | None = None,
    ) -> list[AlertView]:
        """Newest first; alerts whose request was not read yet last."""
        found = [
            view
            for view in self._alerts.values()
            if (state is None or view.lifecycle is state)
            and (agency is None or view.agency_id == agency)
            and (incident is None or view.incident_id == incident)
        ]
        return sorted(found, key=_newest_first)

    def reply_target(self, phone: str, code: str | None) -> ReplyMatch:
        """Which alert an SMS reply from `phone` acknowledges: the one its code was sent with,
        or, for a bare reply, the number's only open alert."""
        alerts = [self._alerts[a] for a in self._by_phone.get(phone, ())]
        if not alerts:
            return ReplyProblem.NOT_ALERTED
        alerts.sort(key=_newest_first)
        return _by_code(alerts, phone, code) if code else _bare(alerts, phone)

    def open_by_severity(self) -> Counter[Severity]:
        return Counter(v.facts.severity for v in self._alerts.values() if v.live and v.facts)

    def overdue_by_severity(self, now: datetime) -> Counter[Severity]:
        return Counter(
            v.facts.severity for v in self._alerts.values() if v.overdue(now) and v.facts
        )

    def by_state_and_agency(self) -> Counter[tuple[Lifecycle, str]]:
        return Counter(
            (v.lifecycle, v.agency_id) for v in self._alerts.values() if v.agency_id is not None
        )

    def acknowledgments_by_method(self) -> Counter[AckMethod]:
        return Counter(v.ack_method for v in self._alerts.values() if v.ack_method)

    def times_to_acknowledge(self) -> list[float]:
        times = (v.time_to_acknowledge() for v in self._alerts.values())
        return [seconds for seconds in times if seconds is not None]

    # Records ----------------------------------------------------------------------------------

    def _view(self, alert_id: str) -> AlertView:
        return self._alerts.get(alert_id) or AlertView(alert_id=alert_id)

    def _requested(self, request: AlertRequestedV1) -> None:
        view = self._view(request.alert_id)
        if view.facts is not None:
            return  # an update changes nothing in flight, as in the worker: the first one holds
        self._alerts[request.alert_id] = view.model_copy(
            update={
                "incident_id": request.incident_id,
                "agency_id": request.agency_id,
                "agency_name": self._agency_name(request),
                "facts": request.facts,
                "requested_at": _aware(request.requested_at),
                "ack_deadline": _aware(request.ack_deadline),
            }
        )

    def _agency_name(self, request: AlertRequestedV1) -> AgencyName | None:
        configured = self._names.agencies.get(request.agency_id)
        given = AgencyName(vi=request.agency_name) if request.agency_name else None
        return configured or given

    def _dispatched(self, request: DispatchRequestV1) -> None:
        view = self._view(request.alert_id)
        known = view.message(request.message_id)
        message = MessageView(
            message_id=request.message_id,
            recipient_id=request.recipient_id,
            channel=ChannelKind(request.channel),
            delivery=known.delivery if known else None,
            reply_code=request.reply_code,
            to=request.to,
        )
        self._alerts[request.alert_id] = _with_message(view, message)
        if message.channel in _PHONE_CHANNELS:
            self._by_phone.setdefault(request.to, set()).add(request.alert_id)

    def _audited(self, event: AuditEvent) -> None:
        view = self._view(event.alert_id)
        update: dict[str, object] = {
            "incident_id": view.incident_id or event.incident_id,
            "agency_id": view.agency_id or event.agency_id,
        }
        if view.lifecycle is not Lifecycle.ACKNOWLEDGED:  # acknowledged is final
            update["lifecycle"] = event.lifecycle
        if event.type in (AuditType.NOTIFIED, AuditType.ESCALATED) and event.tier is not None:
            update["tier"] = max(event.tier, view.tier or 0)
        if event.type is AuditType.ACKNOWLEDGED and view.acknowledged_by is None:
            update |= {
                "acknowledged_by": event.actor,
                "acknowledged_by_name": self._names.officers.get(event.actor or ""),
                "ack_method": event.method,
                "acknowledged_at": _aware(event.at),
            }
        view = view.model_copy(update=update)
        if event.message_id is not None:
            view = _with_message(view, _audited_message(view, event))
        self._alerts[event.alert_id] = view


def _newest_first(view: AlertView) -> float:
    return -view.requested_at.timestamp() if view.requested_at else 0.0


def _aware(moment: datetime) -> datetime:
    """A time without an offset is taken as UTC, as everywhere in the notifier."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _audited_message(view: AlertView, event: AuditEvent) -> MessageView:
    assert event.message_id is not None
    known = view.message(event.message_id)
    if known is not None:
        return known.model_copy(update={"delivery": event.delivery or known.delivery})
    return MessageView(
        message_id=event.message_id,
        recipient_id=event.actor or "",
        channel=event.channel or ChannelKind.SMS,
        delivery=event.delivery,
    )


def _with_message(view: AlertView, message: MessageView) -> AlertView:
    others = tuple(m for m in view.messages if m.message_id != message.message_id)
    return view.model_copy(update={"messages": (*others, message)})


def _recipient(view: AlertView, phone: str, code: str | None = None) -> str:
    messages = view.sent_to(phone)
    coded = [m for m in messages if code is not None and m.reply_code == code]
    return (coded or list(messages))[0].recipient_id


def _by_code(alerts: Iterable[AlertView], phone: str, code: str) -> ReplyMatch:
    """Codes are unique among a number's open alerts only: a closed alert's code may be
    reused, so an open alert wins over an acknowledged one, which wins over an expired one."""
    coded = [v for v in alerts if any(m.reply_code == code for m in v.sent_to(phone))]
    for view in coded:
        if view.live:
            return ReplyTarget(view, _recipient(view, phone, code))
    for view in coded:
        if view.lifecycle is Lifecycle.ACKNOWLEDGED:
            return ReplyTarget(view, _recipient(view, phone, code), already_acknowledged=True)
    return ReplyProblem.EXPIRED_CODE if coded else ReplyProblem.UNKNOWN_CODE


def _bare(alerts: list[AlertView], phone: str) -> ReplyMatch:
    live = [v for v in alerts if v.live]
    if len(live) > 1:
        return ReplyProblem.AMBIGUOUS
    if live:
        return ReplyTarget(live[0], _recipient(live[0], phone))
    latest = alerts[0]
    if latest.lifecycle is Lifecycle.ACKNOWLEDGED:
        return ReplyTarget(latest, _recipient(latest, phone), already_acknowledged=True)
    return ReplyProblem.NOTHING_OPEN
