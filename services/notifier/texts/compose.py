"""Turns a queued message of an alert into a ready-to-send DispatchRequest: the address, the
rendered text with its signed acknowledgment link, and where Twilio reports back. Pure."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from contracts.dispatch import DispatchRequestV1
from services.notifier.core import links
from services.notifier.core.ack import AlertState, Message, Purpose
from services.notifier.core.channels import ChannelKind
from services.notifier.core.policy import Officer
from services.notifier.core.reply_codes import assign
from services.notifier.texts import messages

__all__ = ["ComposeConfig", "compose"]


@dataclass(frozen=True)
class ComposeConfig:
    public_base_url: str
    link_secret: bytes
    link_valid: timedelta
    unaccented_sms: bool = False
    two_way_sms: bool = False  # whether our sender can receive replies at all


def compose(
    state: AlertState,
    message: Message,
    config: ComposeConfig,
    open_codes: set[str],
    now: datetime,
) -> DispatchRequestV1:
    officer = state.policy.recipient(message.recipient_id)
    if officer is None:
        raise ValueError(f"{message.recipient_id} is not in the alert's policy")
    slot = [r.id for r in state.policy.recipients()].index(officer.id)
    token = links.issue(config.link_secret, state.alert_id, slot, now + config.link_valid)
    replies = config.two_way_sms and officer.two_way_sms and message.channel is ChannelKind.SMS
    ack = messages.AckOptions(
        url=config.public_base_url + links.ack_path(token),
        reply_code=assign(open_codes, state.alert_id) if replies else None,
    )
    request = DispatchRequestV1(
        alert_id=state.alert_id,
        message_id=message.message_id,
        recipient_id=officer.id,
        channel=message.channel.value,
        to=state.address(message) or "",
        body="",
        reply_code=ack.reply_code,
        drill=state.policy.drill,
    )
    return request.model_copy(update=_content(state, message, officer, ack, slot, config))


def _content(
    state: AlertState,
    message: Message,
    officer: Officer,
    ack: messages.AckOptions,
    slot: int,
    config: ComposeConfig,
) -> dict[str, str | None]:
    request, zone = state.request, ZoneInfo(state.policy.time_zone)
    about = _about(state, message, officer)
    expiry = message.purpose is Purpose.EXPIRY_NOTICE
    base = config.public_base_url
    if message.channel is ChannelKind.EMAIL:
        mail = (
            messages.expiry_email(request, officer, ack, about=about, zone=zone)
            if expiry
            else messages.email(request, officer, ack, about=about, zone=zone)
        )
        return {"subject": mail.subject, "body": mail.text, "html": mail.html}
    if message.channel is ChannelKind.VOICE:
        action = f"{base}{links.VOICE_PATH}?" + urlencode(
            {"alert_id": state.alert_id, "slot": slot}
        )
        return {"body": messages.voice(request, officer, action, about=about, zone=zone)}
    unaccented = config.unaccented_sms
    text = (
        messages.expiry_sms(request, officer, ack, about=about, unaccented=unaccented, zone=zone)
        if expiry
        else messages.sms(request, officer, ack, about=about, unaccented=unaccented, zone=zone)
    )
    callback = f"{base}{links.STATUS_PATH}?" + urlencode(
        {"alert_id": state.alert_id, "message_id": message.message_id}
    )
    return {"body": text, "status_callback": callback}


def _about(state: AlertState, message: Message, officer: Officer) -> messages.About:
    """The agency's name in the officer's language, and for a later tier what escalated."""
    name = state.policy.agency_name
    agency = (
        name.in_language(officer.language)
        if name
        else state.request.agency_name or state.request.agency_id
    )
    since, tier = state.policy.resolved_at, message.position.tier
    if message.purpose is Purpose.EXPIRY_NOTICE or tier == 1:
        return messages.About(agency=agency, since=since)
    waiting = state.current == message.position and state.deadline is not None
    deadline = state.deadline if waiting and state.deadline else state.request.ack_deadline
    escalation = messages.Escalation(tier=tier, deadline=deadline)
    return messages.About(agency=agency, since=since, escalation=escalation)
