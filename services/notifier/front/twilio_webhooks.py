"""Twilio's webhooks: delivery receipts, SMS replies and the call's keypress, each verified by
its X-Twilio-Signature against our public URL, each turned into a command."""

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from fastapi import FastAPI, Request, Response
from twilio.request_validator import RequestValidator

from contracts.alert_command import AckMethod, AlertCommandV1, CommandType, ReceiptStatus
from services.http_api.body import read_form
from services.http_api.problems import ClientError
from services.messaging.publisher import PublishUnavailable
from services.notifier.core.links import SMS_PATH, STATUS_PATH, VOICE_PATH
from services.notifier.core.policy import Language
from services.notifier.core.reply_codes import parse_reply
from services.notifier.front import twiml
from services.notifier.front.context import Front, acknowledged, acknowledgment, command_or_503
from services.notifier.front.projection import AlertView, ReplyProblem
from services.notifier.front.replays import request_key
from services.notifier.texts.phrases import ReplyAnswer, VoiceAnswer

__all__ = ["add_twilio_routes"]

log = logging.getLogger(__name__)

# Twilio's forms are a few hundred bytes; an SMS body is at most 1600 characters.
_FORM_LIMIT = 16 * 1024
_REPLAY_HEADER = "X-Safeguard-Replay"
_Handler = Callable[[Request, dict[str, str]], Awaitable[Response]]
_ALERT_ID = re.compile(r"alr_[0-9a-f]{32}")
_SLOT = re.compile(r"[0-9]{1,3}")
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


def add_twilio_routes(app: FastAPI, front: Front) -> None:
    validator = RequestValidator(front.settings.twilio_auth_token.get_secret_value())

    async def once(
        request: Request, kind: str, path: str, handle: _Handler, required: tuple[str, ...] = ()
    ) -> Response:
        """Verify the signature and the fields Twilio always sends, answer a repeat of an
        already handled request without acting on it again, and remember it once handled."""
        params = await read_form(request, _FORM_LIMIT)
        signature = request.headers.get("x-twilio-signature", "")
        url = front.public_url(path, request)
        if not signature or not validator.validate(url, params, signature):
            front.metrics.webhooks_rejected.labels(kind).inc()
            log.warning("twilio webhook rejected: bad signature", extra={"kind": kind})
            raise ClientError(403, "Forbidden", "X-Twilio-Signature is missing or does not match")
        _require(params, required)
        key = request_key(url, params, signature)
        if front.replays.seen(key):
            front.metrics.webhooks_replayed.labels(kind).inc()
            log.info("twilio webhook replayed: nothing changed", extra={"kind": kind})
            return _replayed(kind)
        response = await handle(request, params)
        front.replays.remember(key)
        return response

    @app.post(
        STATUS_PATH,
        status_code=204,
        tags=["twilio"],
        openapi_extra=_documented(
            {"MessageStatus": True, "MessageSid": False, "ErrorCode": False},
            {"alert_id": True, "message_id": True},
        ),
    )
    async def message_status(request: Request) -> Response:
        """A delivery receipt: sent, delivered, undelivered and failed become commands."""
        return await once(
            request, "status", STATUS_PATH, partial(_receipt, front), ("MessageStatus",)
        )

    @app.post(
        SMS_PATH,
        tags=["twilio"],
        openapi_extra=_documented({"From": True, "Body": True, "MessageSid": False}, {}),
    )
    async def sms_reply(request: Request) -> Response:
        """An officer's SMS reply ("XN 47", "OK"): the TwiML answer goes back as an SMS."""
        return await once(request, "sms", SMS_PATH, partial(_reply, front), ("From", "Body"))

    @app.post(
        VOICE_PATH,
        tags=["twilio"],
        openapi_extra=_documented(
            {"Digits": False, "To": False, "CallSid": False}, {"alert_id": True, "slot": True}
        ),
    )
    async def keypress(request: Request) -> Response:
        """The escalation call's Gather: 1 acknowledges, any other key asks again."""
        return await once(request, "voice", VOICE_PATH, partial(_keypress, front))


async def _receipt(front: Front, request: Request, params: dict[str, str]) -> Response:
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
    await command_or_503(front, command)
    return Response(status_code=204)


async def _reply(front: Front, request: Request, params: dict[str, str]) -> Response:
    phone = params.get("From", "")
    officer = front.phones.get(phone)
    language = officer.language if officer else Language.VI
    answer, view = await _sms_acknowledge(front, phone, params.get("Body", ""))
    log.info(
        "sms reply answered",
        extra={"answer": answer.value, "officer_id": officer.id if officer else None},
    )
    ref = view.facts.reference if view and view.facts else (view.alert_id if view else "")
    by = (view.acknowledged_by_name or view.acknowledged_by or "") if view else ""
    return _twiml(twiml.sms_answer(answer, language, ref=ref, by=by))


async def _keypress(front: Front, request: Request, params: dict[str, str]) -> Response:
    officer = front.phones.get(params.get("To", ""))
    language = officer.language if officer else Language.VI
    alert_id, slot = _alert_id(request), _slot(request)
    if params.get("Digits", "") != "1":
        return _twiml(twiml.gather_again(language, front.public_url(VOICE_PATH, request)))
    answer = await _voice_acknowledge(front, alert_id, slot)
    return _twiml(twiml.voice_answer(answer, language))


def _replayed(kind: str) -> Response:
    """Nothing acted on and nothing sent back to the officer (a second TwiML answer would be a
    second SMS), with a header that says why."""
    headers = {_REPLAY_HEADER: "already handled; nothing changed"}
    if kind == "status":
        return Response(status_code=204, headers=headers)
    return Response(twiml.EMPTY, media_type="application/xml", headers=headers)


async def _sms_acknowledge(
    front: Front, phone: str, body: str
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
        await front.command(
            acknowledgment(match.alert.alert_id, AckMethod.SMS_REPLY, by=match.recipient_id)
        )
    except PublishUnavailable:
        return ReplyAnswer.UNAVAILABLE, match.alert
    return ReplyAnswer.ACKNOWLEDGED, match.alert


async def _voice_acknowledge(front: Front, alert_id: str, slot: int) -> VoiceAnswer:
    if acknowledged(front, alert_id):
        return VoiceAnswer.ALREADY_ACKNOWLEDGED
    try:
        await front.command(acknowledgment(alert_id, AckMethod.VOICE_KEYPRESS, slot))
    except PublishUnavailable:
        return VoiceAnswer.UNAVAILABLE
    return VoiceAnswer.ACKNOWLEDGED


def _require(params: dict[str, str], names: tuple[str, ...]) -> None:
    missing = [name for name in names if name not in params]
    if missing:
        fields = [{"path": name, "message": "Field required"} for name in missing]
        raise ClientError(422, "Invalid request", "the form lacks fields", fields=fields)


def _documented(form: dict[str, bool], query: dict[str, bool]) -> dict[str, Any]:
    """The OpenAPI text of a webhook that reads its form itself: the form's fields and the
    callback URL's query parameters, each marked required or not."""
    parameters = [
        {"name": name, "in": "query", "required": required, "schema": {"type": "string"}}
        for name, required in query.items()
    ]
    parameters.append(
        {
            "name": "X-Twilio-Signature",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
        }
    )
    schema = {
        "type": "object",
        "properties": {name: {"type": "string"} for name in form},
        "required": [name for name, required in form.items() if required],
    }
    return {
        "parameters": parameters,
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        },
    }


def _alert_id(request: Request) -> str:
    alert_id = request.query_params.get("alert_id", "")
    if not _ALERT_ID.fullmatch(alert_id):
        raise ClientError(400, "Bad Request", "the callback URL lacks a valid alert_id")
    return alert_id


def _slot(request: Request) -> int:
    slot = request.query_params.get("slot", "")
    if not _SLOT.fullmatch(slot) or int(slot) > 255:
        raise ClientError(400, "Bad Request", "the callback URL lacks a valid slot")
    return int(slot)


def _twiml(body: str) -> Response:
    return Response(body, media_type="application/xml")
